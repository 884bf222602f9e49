"""What every request passes before any route sees it (issue 21), as pure
ASGI middleware so that nothing is buffered or parsed first:

- :class:`HostGuard`: the Host header must name this app (``[web]
  allowed_hosts`` plus localhost and the public URL's host), so a page that
  reached the port through DNS rebinding gets 400 on every route; an
  ``Origin`` sent with a change must be this site's own.
- :class:`BodyLimit`: request bodies are capped per path prefix, refused
  with 413 from Content-Length before a byte is read, or cut off while
  streaming (chunked) once the cap is passed.
- :class:`SecurityHeaders`: every response carries the security headers
  (CSP, nosniff, Referrer-Policy, no framing) unless the route set its own.

And :func:`ids_in_range`, the app-wide dependency that answers "not found"
for an id path parameter that is not ASCII digits the id columns can hold."""

from __future__ import annotations

import ipaddress
import json
import re
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException, Request

from incident.errors import InputError, NotFoundError
from incident.i18n import t
from incident.incidents import MAX_ID
from incident.runtime import Runtime
from incident.web import texts as _texts  # noqa: F401

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIB, MIB = 1024, 1024 * 1024
# Longest matching prefix wins. Slack and the login form are small and come
# from anyone (unsigned / unauthenticated): 64 KiB. The complaint batch is
# the largest legitimate body (5000 tickets, see app.MAX_BODY); customers by
# API are 5000 rows as well. Forms (a pasted customer list is the largest)
# stay under pages.MAX_FORM; the margin lets pages.form() say so in words.
BODY_LIMITS: tuple[tuple[str, int], ...] = (
    ("/slack/", 64 * KIB),
    ("/login", 64 * KIB),
    ("/api/complaints", 20 * MIB),
    ("/api/incidents/", 8 * MIB),
    ("/api/", 4 * MIB),
    ("/", 2 * MIB + 64 * KIB),
)

# The app's pages set their own, stricter policy (pages._SECURITY_HEADERS).
# Documents that carry their own <style> (the status page, the daily
# report) may use inline styles; scripts only ever from here.
DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", DEFAULT_CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def parse_json(body: bytes) -> Any:
    """A request body (already capped by :class:`BodyLimit`) as JSON, or a
    named InputError. Not cleaned here: each route's door decides whether
    text is cleaned or an identifier refused (incident.textin)."""
    try:
        return json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError("complaint.error.json", reason=str(exc)) from None


def limit_for(path: str) -> int:
    best = ("", BODY_LIMITS[-1][1])
    for prefix, limit in BODY_LIMITS:
        if path.startswith(prefix) and len(prefix) > len(best[0]):
            best = (prefix, limit)
    return best[1]


def _lang(scope: Scope, rt: Runtime) -> str:
    accept = _header(scope, b"accept-language").lower()
    if accept.startswith("en"):
        return "en"
    if accept.startswith("zh"):
        return "zh-CN"
    return rt.lang


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key == name:
            return str(value.decode("latin-1"))
    return ""


async def _refuse(scope: Scope, send: Send, rt: Runtime, status: int, key: str, **params: Any) -> None:
    """A named, translated refusal: JSON for machines, text for browsers."""
    lang = _lang(scope, rt)
    message = t(key, lang, **params)
    path = scope.get("path", "")
    if path.startswith(("/api/", "/slack/", "/metrics", "/healthz")):
        body = json.dumps({"error": key, "message": message, "params": {k: str(v) for k, v in params.items()}})
        kind = b"application/json"
    else:
        body, kind = message, b"text/plain; charset=utf-8"
    raw = body.encode("utf-8")
    headers = [(b"content-type", kind), (b"content-length", str(len(raw)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers + list(SECURITY_HEADERS)})
    await send({"type": "http.response.body", "body": raw})


# ---- the Host header and Origin ---------------------------------------------


# What a browser sends as Host: a DNS name or IPv4 address, or an IPv6
# literal in brackets, then at most ":port". Anything else ("a:1@evil",
# "[::1]evil") is refused whole rather than read loosely.
_HOST = re.compile(
    r"(?P<name>[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?"
    r"|\[(?P<ip6>[0-9a-f:.]+)\])(?::[0-9]{1,5})?",
    re.ASCII,
)


def _hostname(netloc: str) -> str:
    """``Host``/netloc without the port, lower case: "[::1]:8000" → "[::1]";
    "" when it is not a well-formed host[:port]."""
    m = _HOST.fullmatch(netloc.strip().lower())
    if m is None:
        return ""
    if m["ip6"] is not None:
        try:
            ipaddress.IPv6Address(m["ip6"])
        except ValueError:
            return ""
        return f"[{m['ip6']}]"
    return m["name"].rstrip(".")


def allowed_hosts(rt: Runtime) -> tuple[set[str], tuple[str, ...]]:
    """Exact host names, and the suffixes "*.example.com" allows."""
    names = set(LOCAL_HOSTS)
    public = urllib.parse.urlsplit(rt.config.wording.public_url)
    if public.netloc and _hostname(public.netloc):
        names.add(_hostname(public.netloc))
    suffixes = []
    for entry in rt.config.web.allowed_hosts:
        if entry.startswith("*."):
            suffixes.append(entry[1:])
        else:
            names.add(f"[{entry}]" if ":" in entry and not entry.startswith("[") else entry)
    return names, tuple(suffixes)


def _public_origin(rt: Runtime) -> str:
    public = urllib.parse.urlsplit(rt.config.wording.public_url)
    return f"{public.scheme}://{public.netloc}".lower() if public.netloc else ""


class HostGuard:
    """400 for a Host this app does not answer to (DNS rebinding), 403 for a
    change whose Origin is not this site. /healthz is exempt: load balancers
    and probes call it by address, and it tells nothing."""

    def __init__(self, app: ASGIApp, rt: Runtime) -> None:
        self.app, self.rt = app, rt
        self.names, self.suffixes = allowed_hosts(rt)
        self.public_origin = _public_origin(rt)

    def allowed(self, host: str) -> bool:
        return host in self.names or any(host.endswith(s) for s in self.suffixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") == "/healthz":
            return await self.app(scope, receive, send)
        raw_host = _header(scope, b"host")
        host = _hostname(raw_host)
        if not host or not self.allowed(host):
            return await _refuse(scope, send, self.rt, 400, "web.error.bad_host", host=raw_host[:100] or "—")
        origin = _header(scope, b"origin")
        if origin and scope.get("method") in UNSAFE and not self._same_site(origin, raw_host):
            return await _refuse(scope, send, self.rt, 403, "web.error.bad_origin", origin=origin[:100])
        return await self.app(scope, receive, send)

    def _same_site(self, origin: str, raw_host: str) -> bool:
        """The Origin is this very site (as the browser addressed it), or the
        configured public URL (a proxy that rewrites Host)."""
        parts = urllib.parse.urlsplit(origin.strip().lower())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # "null" (sandboxed frames, files) and the like
        if f"{parts.scheme}://{parts.netloc}" == self.public_origin:
            return True
        return parts.netloc == raw_host.strip().lower() and self.allowed(_hostname(parts.netloc))


# ---- request bodies -----------------------------------------------------------


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes its limit; routes
    let HTTPException through, so the client gets 413."""


class BodyLimit:
    """Refuse a body over the path's limit: at once from Content-Length, or
    while it streams in (chunked) once the bytes counted pass the limit —
    never buffering more than the limit."""

    def __init__(self, app: ASGIApp, rt: Runtime) -> None:
        self.app, self.rt = app, rt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = limit_for(scope.get("path", ""))
        declared = _header(scope, b"content-length")
        if declared:
            if not declared.isdigit() or int(declared) > limit:
                return await _refuse(scope, send, self.rt, 413, "web.error.body_too_big", max=limit // KIB)
            return await self.app(scope, receive, send)  # the server stops at Content-Length itself
        seen = 0
        lang = _lang(scope, self.rt)

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(413, t("web.error.body_too_big", lang, max=limit // KIB))
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(scope, send, self.rt, 413, "web.error.body_too_big", max=limit // KIB)


# ---- response headers -----------------------------------------------------------


class SecurityHeaders:
    """The security headers on every response (the status page, its feed,
    reports, JSON, errors); a route's own (the pages' stricter CSP) wins."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


# ---- ids ------------------------------------------------------------------------

# Path parameters that are row ids (int columns): incident_id, entry_id,
# callback_id, token_id, a statement's number; "incident" is parsed by
# parse_id in its route.
_ID_PARAMS = ("_id", "number")
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def ids_in_range(request: Request) -> None:
    """An app-wide dependency: an id path parameter that is not ASCII digits
    within the id columns' range names nothing — 404 with a message, before
    the route (whose int parameter would reach the database and fail there:
    PostgreSQL refuses it, SQLite past 2**63)."""
    for name, value in request.path_params.items():
        if not name.endswith(_ID_PARAMS) or not isinstance(value, str):
            continue
        text = value.strip()
        if _ASCII_DIGITS.fullmatch(text) and len(text) < 40 and int(text) <= MAX_ID:
            continue
        # Past the range, signed, other digits ("²" is isdigit() yet int()
        # refuses it; int("١") is 1) or a word: the path names nothing, and
        # says so by name rather than with the framework's bare 422.
        raise NotFoundError("web.error.no_such_id", name=name, value=text[:40])
