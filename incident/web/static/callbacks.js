// After "show number" (a POST, answered with the page itself so that the
// number never goes into an address or a cookie), the address bar still
// says /callbacks/N/reveal: a reload would post again and record a second
// showing. Put the call's own address in its place (progressive
// enhancement: without this script a reload asks to resend, as before).
(function () {
  const shown = document.querySelector("[data-replace-url]");
  if (!shown || !window.history || !history.replaceState) return;
  history.replaceState(null, "", shown.dataset.replaceUrl);
})();
