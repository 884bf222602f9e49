"""Fetching a feed over HTTP(S), defensively: the one place that talks to
the network for feeds (httpx; feedparser never fetches by itself).

A feed is untrusted input from the internet, so every fetch is bounded:
connect/read timeouts, a total deadline (a server that trickles bytes
forever), a size cap (checked while streaming, not after), a redirect cap
with every hop re-checked, http(s) only, and no private, loopback or
link-local address unless the source is explicitly allowed — a feed URL
must not become a way to read the centre's intranet.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from incident.config import FeedSource, WatchConfig
from incident.i18n import t


class FetchError(Exception):
    """A per-source failure, as a message key and parameters (see
    incident/watch/texts.py). ``transient`` errors are worth retrying."""

    def __init__(self, key: str, transient: bool = False, **params: Any) -> None:
        super().__init__(key)
        self.key, self.transient, self.params = key, transient, params

    def __str__(self) -> str:
        return t(self.key, "en", **self.params)


@dataclass
class FetchResult:
    status: int  # 200, or 304 when nothing changed since the last poll
    url: str  # after redirects
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0


def check_address(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("feed.error.scheme", url=url, scheme=parts.scheme or "-")
    host = parts.hostname
    if not host:
        raise FetchError("feed.error.url", url=url)
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise FetchError("feed.error.dns", transient=True, host=host, reason=exc.strerror or str(exc)) from None
    for info in infos:
        raw = info[4][0]  # an IPv6 address may carry a scope ("fe80::1%eth0")
        addr = ipaddress.ip_address(raw.split("%")[0] if isinstance(raw, str) else raw)
        if (
            addr.is_private
            or addr.is_loopback
            or addr.is_link_local
            or addr.is_reserved
            or addr.is_multicast
            or addr.is_unspecified
        ):
            raise FetchError("feed.error.private_address", host=host, address=str(addr))


def _auth_headers(source: FeedSource) -> dict[str, str]:
    if not source.auth_header_env:
        return {}
    value = os.environ.get(source.auth_header_env)
    if not value:
        raise FetchError("feed.error.auth_env", env=source.auth_header_env)
    return {source.auth_header_name: value}


def fetch(
    source: FeedSource,
    watch: WatchConfig,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
) -> FetchResult:
    """GET the feed (conditionally when we hold an ETag/Last-Modified).
    Raises :class:`FetchError`; never returns a partial body."""
    headers = {
        "User-Agent": "incident-coordinator/1 (+feed watcher)",
        "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
        # Compressed bodies would let a small download inflate past the cap
        # before we count it; identity keeps the cap honest.
        "Accept-Encoding": "identity",
        **_auth_headers(source),
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(watch.read_timeout_seconds, connect=watch.connect_timeout_seconds)
    own = client is None
    client = client or httpx.Client(follow_redirects=False, trust_env=False)
    started = time.monotonic()
    deadline = started + watch.total_timeout_seconds
    url = source.url
    try:
        for _hop in range(watch.max_redirects + 1):
            check_address(url, source.allow_private)
            try:
                with client.stream("GET", url, headers=headers, timeout=timeout) as resp:
                    if resp.status_code in (301, 302, 303, 307, 308):
                        location = resp.headers.get("location")
                        if not location:
                            raise FetchError("feed.error.http_status", status=resp.status_code, url=url)
                        url = urljoin(url, location)
                        continue
                    if resp.status_code == 304:
                        return FetchResult(
                            304,
                            url,
                            headers=dict(resp.headers),
                            etag=etag,
                            last_modified=last_modified,
                            elapsed=time.monotonic() - started,
                        )
                    if resp.status_code >= 400:
                        raise FetchError(
                            "feed.error.http_status",
                            transient=resp.status_code >= 500 or resp.status_code == 429,
                            status=resp.status_code,
                            url=url,
                        )
                    declared = resp.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > watch.max_feed_bytes:
                        raise FetchError("feed.error.too_large", limit=watch.max_feed_bytes)
                    chunks, size = [], 0
                    for chunk in resp.iter_raw():
                        size += len(chunk)
                        if size > watch.max_feed_bytes:
                            raise FetchError("feed.error.too_large", limit=watch.max_feed_bytes)
                        if time.monotonic() > deadline:
                            raise FetchError("feed.error.deadline", transient=True, seconds=watch.total_timeout_seconds)
                        chunks.append(chunk)
                    return FetchResult(
                        resp.status_code,
                        url,
                        b"".join(chunks),
                        dict(resp.headers),
                        etag=resp.headers.get("etag"),
                        last_modified=resp.headers.get("last-modified"),
                        elapsed=time.monotonic() - started,
                    )
            except httpx.TimeoutException:
                raise FetchError("feed.error.timeout", transient=True, url=url) from None
            except httpx.TransportError as exc:
                raise FetchError(
                    "feed.error.connect", transient=True, url=url, reason=str(exc) or type(exc).__name__
                ) from None
        raise FetchError("feed.error.redirects", limit=watch.max_redirects)
    finally:
        if own:
            client.close()
