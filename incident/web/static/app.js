// The little the pages need: copy buttons, and the statement desk's live
// preview. Everything works without it except the copying itself.
"use strict";
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.innerText);
    button.dataset.state = "copied";
    button.textContent = button.dataset.copied || "✓";
  } catch (err) {
    // No clipboard (an old browser, an insecure origin): select the text instead.
    const range = document.createRange();
    range.selectNodeContents(source);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    button.textContent = button.dataset.failed || "Ctrl+C";
  }
});

// Live preview: a form with data-preview="URL" posts its fields there
// (with its CSRF token) as the user types, and shows the HTML fragment that
// comes back in the element named by data-preview-target.
(function () {
  const form = document.querySelector("form[data-preview]");
  if (!form) return;
  const target = document.getElementById(form.dataset.previewTarget);
  let timer = null, seq = 0;
  const refresh = async () => {
    const mine = ++seq;
    const body = new URLSearchParams(new FormData(form));
    const resp = await fetch(form.dataset.preview, {method: "POST", body, credentials: "same-origin",
                                                     headers: {"X-CSRF-Token": body.get("csrf") || ""}});
    if (mine !== seq || !target) return;
    if (resp.ok) {
      target.innerHTML = await resp.text();  // a server-rendered, autoescaped fragment
    } else {
      // An expired session or a refused request must not look like a frozen preview.
      const note = document.createElement("p");
      note.className = "flash error";
      note.textContent = (form.dataset.previewFailed || "Preview failed") + " (" + resp.status + ")";
      target.prepend(note);
    }
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
})();

// Pages that watch (the board) reload themselves every data-refresh
// seconds — but never under someone's hands: not while a field is being
// typed in, a form has been touched, or a fold is open.
(function () {
  const every = parseInt(document.body.dataset.refresh || "0", 10);
  if (!every) return;
  let touched = false;
  document.addEventListener("input", () => { touched = true; });
  setInterval(() => {
    const active = document.activeElement;
    const editing = active && ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName);
    if (touched || editing || document.querySelector("details[open]")) return;
    location.reload();
  }, every * 1000);
})();

// A refused form is answered beside itself (incident/web/refusal.py): the
// answer is brought into view and focused — or, when the answer names its
// form, that form's field marked autofocus, to be corrected at once.
(function () {
  const answer = document.querySelector("[data-refusal]");
  if (!answer) return;
  answer.scrollIntoView({block: "center"});
  const form = answer.dataset.refusal ? document.getElementById(answer.dataset.refusal) : null;
  const field = form ? form.querySelector("[autofocus]") : null;
  (field || answer).focus({preventScroll: true});
})();
