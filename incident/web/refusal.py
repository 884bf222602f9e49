"""A refused form answers beside itself (issue 23, point 1), on every page
that has forms: the desk (incident/web/desk.py) and the remedy pages
(remedy_pages.py, remedy_confirm.py).

A success still redirects (Post/Redirect/Get) with the one-shot flash
message at the top of the viewport. A refusal does not: a redirect would
land at the top of the page with the form emptied, the reason far above
where the person looked. Instead the page is rendered at the POST's address
with status 422 (409 for a conflict with what is stored, as the app's error
handler says it), the refused form open, what was typed kept as typed, and
the reason next to the form (``templates/web/refusal_macros.html.j2``,
role=alert, focused and scrolled into view by static/app.js, or by
``autofocus`` without script). A page that cannot show the refused form
(it is gone: someone else approved the sheet first) says the reason at the
top instead.

"No such thing" is no refusal of a form: it redirects as before, to the
page that then says so."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from incident.context import Context
from incident.errors import ConflictError, ForbiddenError, IncidentError, NotFoundError
from incident.web.auth import Principal
from incident.web.pages import Pages


@dataclass(frozen=True)
class Refused:
    """One refused form: which (its name in the template), why, what was
    typed, the HTTP status, and row-level problems (an import's bad lines)."""

    form: str
    message: str
    kept: Mapping[str, str] = field(default_factory=dict)
    status: int = 422
    rows: Sequence[str] = ()

    @property
    def partial(self) -> bool:
        """An answer beside the form that is no refusal: part of what was
        sent was done (an import stored its good rows, 200) and the rest is
        named. Shown as a warning, not as an error."""
        return self.status < 400


def template_values(refused: Refused | None) -> dict[str, Any]:
    """What the page templates read (every page render passes them: the
    templates are strict about undefined names)."""
    if refused is None:
        return {"refused_form": None, "refusal": None, "refusal_rows": [], "kept": {}, "refusal_partial": False}
    return {
        "refused_form": refused.form,
        "refusal": refused.message,
        "refusal_rows": list(refused.rows),
        "kept": dict(refused.kept),
        "refusal_partial": refused.partial,
    }


def status_of(exc: IncidentError) -> int:
    return 409 if isinstance(exc, ConflictError) else 422


# What a route gives to answer beside its form: message, status, bad rows.
Answer = Callable[[str, int, Sequence[str]], Response]


def beside(render: Callable[[Refused], Response], form: str, kept: Mapping[str, str]) -> Answer:
    """An :data:`Answer` that renders the page with ``form`` refused."""

    def answer(message: str, status: int = 422, rows: Sequence[str] = ()) -> Response:
        return render(Refused(form, message, kept, status, tuple(rows)))

    return answer


async def attempt(
    pages: Pages,
    request: Request,
    principal: Principal,
    work: Callable[[Session, Context], Any],
    *,
    back: str,
    outcome: Callable[[Any, str], tuple[str, str]],
    answer: Answer,
    then: Callable[[Any], str] | None = None,
    report: Callable[[Any, str], tuple[str, int, Sequence[str]] | None] | None = None,
) -> Response:
    """Run ``work`` in one transaction. Refused: ``answer`` renders the page
    with the form open (nothing stored). Done: send what it queued; then a
    ``report`` may still answer beside the form (an import stored its good
    rows and names the bad ones by line), else redirect to ``then(result)``
    or ``back`` with the flash ``outcome(result, lang)`` gives (kind, text)."""
    lang = pages.lang(request, principal)
    ctx = principal.ctx(pages.rt)

    def go() -> Any:
        with pages.rt.store.transaction() as s:
            return work(s, ctx)

    try:
        result = await run_in_threadpool(go)
    except ForbiddenError:
        raise
    except NotFoundError as exc:
        return pages.redirect(back, "error", exc.message(lang))
    except IncidentError as exc:
        return await run_in_threadpool(answer, exc.message(lang), status_of(exc), ())
    await run_in_threadpool(pages.rt.deliver)
    said = report(result, lang) if report is not None else None
    if said is not None:
        return await run_in_threadpool(answer, *said)
    kind, text = outcome(result, lang)
    return pages.redirect(then(result) if then else back, kind, text)
