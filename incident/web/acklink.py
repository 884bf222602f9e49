"""``/ack/<token>``: acknowledge a called-in role from the link in a
notification, without signing in (incident/acklinks.py). GET shows what
the link would do and a button; only the POST acknowledges, so a mail
scanner or a chat preview that opens the link changes nothing. The page is
in the holder's language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from incident import acklinks
from incident.errors import InputError
from incident.i18n import t
from incident.web.pages import Pages


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    def holder_lang(person: str | None, request: Request) -> str:
        """?lang= (the page's own language switch) > the holder's language."""
        if request.query_params.get("lang"):
            return pages.lang(request)
        found = rt.config.people.get(person or "")
        return found.languages[0] if found else pages.lang(request)

    def in_lang(request: Request, lang: str) -> Response | None:
        """The whole page (its frame too) in the holder's language: the
        link itself carries none, so it is added once."""
        if request.query_params.get("lang"):
            return None
        return pages.redirect(f"{request.url.path}?lang={lang}")

    def show(request: Request, lang: str, status: int = 200, **values: object) -> Response:
        page = {"error": False, "done": False, "button": None, "action": "", **values}
        return pages.render(request, "ack.html.j2", None, status=status, heading=t("acklink.title", lang), **page)

    def refused(request: Request, exc: InputError) -> Response:
        lang = holder_lang(str(exc.params.get("person") or ""), request)
        return show(
            request,
            lang,
            status=410 if exc.key != "acklink.error.unknown" else 404,
            error=True,
            message=exc.message(lang),
        )

    @api.get(acklinks.PATH + "{token}")
    def ask(request: Request, token: str) -> Response:
        try:
            with rt.store.read() as s:
                p = acklinks.pending(s, token, rt.clock.now())
        except InputError as exc:
            return refused(request, exc)
        lang = holder_lang(p.person, request)
        moved = in_lang(request, lang)
        if moved is not None:
            return moved
        fields = {"person_name": p.person_name, "ref": p.ref, "title": p.title, "role": p.role}
        if p.already:
            return show(request, lang, done=True, message=t("acklink.already", lang, **fields))
        return show(
            request,
            lang,
            message=t("acklink.ask", lang, **fields),
            button=t("acklink.button", lang),
            action=f"{acklinks.PATH}{token}?lang={lang}",
        )

    @api.post(acklinks.PATH + "{token}")
    async def acknowledge(request: Request, token: str) -> Response:
        def work() -> acklinks.Pending:
            with rt.store.transaction() as s:
                return acklinks.use(s, rt.ctx, token)

        try:
            p = await run_in_threadpool(work)
        except InputError as exc:
            return refused(request, exc)
        await run_in_threadpool(rt.deliver)
        lang = holder_lang(p.person, request)
        key = "acklink.already" if p.already else "acklink.done"
        fields = {"person_name": p.person_name, "ref": p.ref, "role": p.role}
        return show(request, lang, done=True, message=t(key, lang, **fields))

    return api
