"""Fetching a feed over HTTP(S), defensively: the one place that talks to
the network for feeds (httpx; feedparser never fetches by itself).

A feed is untrusted input from the internet, so every fetch is bounded:
one hard deadline over everything from name resolution to the last body
byte, every redirect hop included (a server that sends its headers one byte
at a time is cut off too; per-read timeouts alone never fire on it); a size
cap on the decoded bytes, checked while streaming; a redirect cap with every
hop re-validated and re-checked; http(s) only; and no private, loopback or
otherwise non-global address unless the configured host is explicitly
allowed — a feed URL must not become a way to read the centre's intranet.
The address checks and the pinning of connections to the checked addresses
live in :mod:`incident.netguard`, the decoding in
:mod:`incident.watch.decode`.

``fetch_async`` is the API for polling many sources at once over one shared
client (:func:`async_client`); ``fetch`` runs one fetch on its own loop.
Both raise only :class:`FetchError`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field

import httpx

from incident import netguard as guard
from incident.config import FeedSource, WatchConfig
from incident.netguard import FetchError
from incident.textin import clean
from incident.watch import decode

__all__ = ["FetchError", "FetchResult", "async_client", "fetch", "fetch_async"]

log = logging.getLogger("incident.watch")

_REDIRECTS = (301, 302, 303, 307, 308)
# Describe the raw body, which FetchResult.body no longer is once decoded.
_DROPPED_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


@dataclass
class FetchResult:
    status: int  # 200, or 304 when nothing changed since the last poll
    url: str  # after redirects
    body: bytes = b""  # decoded (Content-Encoding undone)
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0
    # stored warnings (incident/watch/feedwarn.py) about a lenient read of
    # the response, e.g. a Content-Encoding label that named no compression
    warnings: list[str] = field(default_factory=list)


def async_client(watch: WatchConfig) -> httpx.AsyncClient:
    """The client to share between concurrent fetches: a pool bounded by
    ``watch.fetch_concurrency``, no redirects followed by httpx (each hop is
    checked here), no proxy or .netrc from the environment, and a network
    backend that connects only to addresses the guard vetted."""
    size = watch.fetch_concurrency
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size, keepalive_expiry=30.0)
    transport = guard.PinnedTransport(limits)
    guard.lookups.reserve(size)
    return _GuardedClient(
        transport=transport, follow_redirects=False, trust_env=False, event_hooks={"response": [_check_location]}
    )


class _GuardedClient(httpx.AsyncClient):
    """A client from :func:`async_client`: only its connections are pinned
    to vetted addresses, so :func:`fetch_async` accepts no other."""


async def _check_location(resp: httpx.Response) -> None:
    # httpx parses a redirect's Location itself before returning the
    # response; a malformed one must be our clear error, not its exception.
    location = resp.headers.get("location")
    if resp.has_redirect_location and location is not None:
        guard.join_location(resp.request.url, location)


def fetch(
    source: FeedSource, watch: WatchConfig, *, etag: str | None = None, last_modified: str | None = None
) -> FetchResult:
    """One fetch on its own event loop and client, for single-source callers
    (not from inside a running event loop: use :func:`fetch_async` there)."""

    async def run() -> FetchResult:
        async with async_client(watch) as client:
            return await fetch_async(source, watch, etag=etag, last_modified=last_modified, client=client)

    return asyncio.run(run())


async def fetch_async(
    source: FeedSource,
    watch: WatchConfig,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.AsyncClient,
) -> FetchResult:
    """GET the feed (conditionally when we hold an ETag/Last-Modified),
    within ``watch.total_timeout_seconds`` all told. Raises only
    :class:`FetchError`.

    A body known to be cut short is refused: a Content-Length or chunked
    framing left unfinished (httpcore checks both) or a compressed stream
    that stopped before its end (:mod:`incident.watch.decode`). A body whose
    only end is the server closing the connection cannot be told from a
    whole one here; the feed parser's truncation check covers that."""
    if not isinstance(client, _GuardedClient):
        raise FetchError("feed.error.internal", reason="the client does not come from async_client()")
    started = time.monotonic()
    token = guard.start_pinning()
    try:
        async with asyncio.timeout(watch.total_timeout_seconds):
            return await _follow(source, watch, etag, last_modified, client, started)
    except FetchError:
        raise
    except TimeoutError:
        raise FetchError("feed.error.deadline", transient=True, seconds=f"{watch.total_timeout_seconds:g}") from None
    except Exception as exc:  # a bug or a library surprise: still one source's failure
        log.warning("unexpected error fetching %s", guard.shown(source.url), exc_info=True)
        raise FetchError("feed.error.internal", reason=type(exc).__name__) from None
    finally:
        guard.stop_pinning(token)


async def _follow(
    source: FeedSource,
    watch: WatchConfig,
    etag: str | None,
    last_modified: str | None,
    client: httpx.AsyncClient,
    started: float,
) -> FetchResult:
    url = guard.parse_url(source.url)
    origin = guard.origin_of(url)
    auth = _auth_headers(source)
    timeout = httpx.Timeout(watch.read_timeout_seconds, connect=watch.connect_timeout_seconds)
    for _hop in range(watch.max_redirects + 1):
        # the secret header, and the allow_private trust, are for the
        # configured origin only (scheme, host and port)
        same_origin = guard.origin_of(url) == origin
        guard.pin(url, await _vet(url, source.allow_private, same_origin, origin))
        headers = _headers(etag, last_modified, auth if same_origin else {})
        request = client.build_request("GET", url, headers=headers, timeout=timeout)
        outcome = await _exchange(client, request, watch, etag, last_modified, started)
        if isinstance(outcome, FetchResult):
            return outcome
        url = outcome
    raise FetchError("feed.error.redirects", limit=watch.max_redirects)


async def _vet(url: httpx.URL, allow_private: bool, same_origin: bool, origin: tuple[str, str, int]) -> list[str]:
    """allow_private trusts the configured origin, not wherever it
    redirects: another port of the same host is another service."""
    try:
        return await guard.vet(url, allow_private and same_origin)
    except FetchError as exc:
        if exc.key == "feed.error.private_address" and allow_private:
            scheme, host, port = origin
            shown_host = f"[{host}]" if ":" in host else host
            configured = f"{scheme}://{shown_host}:{port}"
            raise FetchError("feed.error.private_redirect", configured=configured, **exc.params) from None
        raise


async def _exchange(
    client: httpx.AsyncClient,
    request: httpx.Request,
    watch: WatchConfig,
    etag: str | None,
    last_modified: str | None,
    started: float,
) -> FetchResult | httpx.URL:
    """One request: a result, or the next URL when redirected."""
    url = request.url
    shown = guard.shown(str(url))
    try:
        resp = await client.send(request, stream=True)
        try:
            return await _answer(resp, url, watch, etag, last_modified, started)
        finally:
            await resp.aclose()
    except httpx.TimeoutException:
        raise FetchError("feed.error.timeout", transient=True, url=shown) from None
    except httpx.ProtocolError as exc:
        # connected, but what came back was not HTTP (or broke it mid-way)
        raise FetchError("feed.error.protocol", transient=True, url=shown, reason=_why(exc)) from None
    except httpx.TransportError as exc:
        raise FetchError("feed.error.connect", transient=True, url=shown, reason=_why(exc)) from None
    except httpx.InvalidURL:
        # httpx building the next URL from a Location the guard let through:
        # a bad address all the same, never an internal error
        raise FetchError("feed.error.url", url=shown) from None


def _why(exc: Exception) -> str:
    """A library's complaint, as the trailing parameter of our sentence."""
    return clean(str(exc) or type(exc).__name__)[:300]


async def _answer(
    resp: httpx.Response,
    url: httpx.URL,
    watch: WatchConfig,
    etag: str | None,
    last_modified: str | None,
    started: float,
) -> FetchResult | httpx.URL:
    status = resp.status_code
    if status in _REDIRECTS:
        location = resp.headers.get("location")
        if not location:
            raise FetchError("feed.error.http_status", status=status, url=guard.shown(str(url)))
        return guard.join_location(url, location)
    headers = {k: v for k, v in resp.headers.items() if k.lower() not in _DROPPED_HEADERS}
    if status == 304:
        return FetchResult(
            304,
            guard.shown(str(url)),
            headers=headers,
            etag=etag,
            last_modified=last_modified,
            elapsed=time.monotonic() - started,
        )
    if status >= 400:
        raise FetchError(
            "feed.error.http_status",
            transient=status >= 500 or status == 429,
            status=status,
            url=guard.shown(str(url)),
        )
    notes: list[str] = []
    body = await _read_body(resp, watch.max_feed_bytes, notes)
    if notes:
        log.info("lenient read of %s: %s", guard.shown(str(url)), notes)
    return FetchResult(
        status,
        guard.shown(str(url)),
        body,
        headers,
        warnings=notes,
        etag=resp.headers.get("etag"),
        last_modified=resp.headers.get("last-modified"),
        elapsed=time.monotonic() - started,
    )


async def _read_body(resp: httpx.Response, cap: int, notes: list[str]) -> bytes:
    """The decoded body, refused as soon as it (or the raw stream) passes
    ``cap``: a compression bomb is never inflated past cap + one step."""
    decoder = decode.decoder_for(resp.headers.get("content-encoding"), notes)
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchError("feed.error.too_large", limit=cap)
    out = bytearray()
    raw = 0
    async for chunk in resp.aiter_raw():
        raw += len(chunk)
        for piece in decoder.feed(chunk):
            out += piece
            if len(out) > cap:
                raise FetchError("feed.error.too_large", limit=cap)
        if raw > cap:  # e.g. endless empty gzip members
            raise FetchError("feed.error.too_large", limit=cap)
    for piece in decoder.finish():
        out += piece
        if len(out) > cap:
            raise FetchError("feed.error.too_large", limit=cap)
    return bytes(out)


def _headers(etag: str | None, last_modified: str | None, auth: dict[str, str]) -> dict[str, str]:
    headers = {
        "User-Agent": "incident-coordinator/1 (+feed watcher)",
        "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
        # decoded here, incrementally and against the cap (decode.py)
        "Accept-Encoding": decode.ACCEPT_ENCODING,
        **auth,
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _auth_headers(source: FeedSource) -> dict[str, str]:
    if not source.auth_header_env:
        return {}
    value = os.environ.get(source.auth_header_env)
    if not value:
        raise FetchError("feed.error.auth_env", env=source.auth_header_env)
    return {source.auth_header_name: value}
