"""The framework's own refusals in the site's words (issue 23): an unknown
path, a method a path does not take, and a request whose parameters do not
parse. A browser gets the site's error page in the user's language (404, or
422 for a bad query; a malformed value in the path names nothing: 404);
routes under /api/ (and the other machine routes) keep JSON, shaped as the
app's own errors are: {"error": key, "message": text, "detail": …}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from incident.i18n import t
from incident.web import history_texts as _texts  # noqa: F401
from incident.web.auth import Principal, identify, request_lang
from incident.web.pages import Pages

_HEADINGS = {403: "web.error.forbidden_title", 404: "web.error.not_found_title", 422: "web.error.bad_request_title"}


def is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path.startswith("/slack/") or path == "/healthz")


def install(app: FastAPI, pages: Pages) -> None:
    rt = pages.rt

    async def who(request: Request) -> Principal | None:
        """The signed-in user, if any, for the page's menu and language. An
        unknown path ran no route, so nobody has looked yet."""
        found = getattr(request.state, "principal", None)
        if found is not None or not (request.cookies or request.headers.get("authorization")):
            return found
        try:
            return await run_in_threadpool(identify, request, rt)
        except Exception:  # noqa: BLE001 — a bad credential only costs the menu here
            return None

    async def page(request: Request, status: int, message: str, headers: Any = None) -> Response:
        principal = await who(request)
        lang = pages.lang(request, principal)
        response = pages.render(
            request,
            "error.html.j2",
            principal,
            status=status,
            heading=t(_HEADINGS.get(status, "web.error.title"), lang),
            message=message,
            back=request.headers.get("referer") or "/",
        )
        response.headers.update(headers or {})
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status, path = exc.status_code, request.url.path
        params: dict[str, Any]
        if status == 404 and exc.detail in (None, "Not Found"):  # no route: not one of ours with a message
            key, params = ("web.error.no_page" if is_page(request) else "web.error.no_route"), {"path": path[:200]}
        elif status == 405:
            key, params = "web.error.method", {"path": path[:200], "method": request.method}
        else:
            key, params = "web.error.http", {"status": status}
        lang = request_lang(request, rt, getattr(request.state, "principal", None))
        # A route's own detail is already worded for people (a 401's, a 413's).
        own = exc.detail if isinstance(exc.detail, str) and key == "web.error.http" else None
        message = own or t(key, lang, **params)
        if not is_page(request):
            body = {"error": key, "message": message, "detail": exc.detail}
            return JSONResponse(body, status_code=status, headers=exc.headers)
        return await page(request, status, message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        # A path that does not parse names no page or record.
        status = 404 if any(e.get("loc", ("",))[0] == "path" for e in errors) else 422
        lang = request_lang(request, rt, getattr(request.state, "principal", None))
        message = t("web.error.bad_params", lang, problems="; ".join(_problem(e, lang) for e in errors))
        if not is_page(request):
            body = {"error": "web.error.bad_params", "message": message, "detail": jsonable_encoder(errors)}
            return JSONResponse(body, status_code=status)
        return await page(request, status, message)


def _problem(error: dict[str, Any], lang: str) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body", "header", "cookie")]
    name = ".".join(loc) or "?"
    if error.get("type") == "missing":
        return t("web.error.missing_param", lang, name=name)
    value = error.get("input")
    return t("web.error.bad_param", lang, name=name, value=str(value)[:40] if value is not None else "")
