"""POST to a URL whose host was vetted, connecting only to the addresses
vetted for it: a name that resolves elsewhere a moment later (DNS
rebinding) cannot reach a private address. Used by the status page's
subscriber webhooks and by incident webhooks (incident/webhooks.py).
TLS still checks the certificate against the real host name; redirects
are not followed."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping
from typing import Any

import httpcore
import httpx

from incident import netguard as guard

Resolver = Callable[[str, int], list[str]]


class Refused(Exception):
    """Not a place a post may go. ``problem``: ``url`` (not an http(s)
    URL), ``unresolved`` (the name does not resolve) or ``private`` (an
    address that is not public); ``detail``: the URL, host or address."""

    def __init__(self, problem: str, detail: str) -> None:
        super().__init__(f"{problem}: {detail}")
        self.problem, self.detail = problem, detail


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused("unresolved", host) from None
    return sorted({str(info[4][0]) for info in infos})


def vet(url: str, allow_loopback: bool, resolver: Resolver = resolve) -> tuple[str, list[str]]:
    """The URL and the addresses checked for its host, each one public (or
    loopback where that is allowed). :func:`post_pinned` connects to those
    and no others."""
    url = url.strip()
    try:
        parsed = guard.parse_url(url)
    except guard.FetchError:
        raise Refused("url", guard.shown(url)) from None
    host = guard.host_of(parsed)
    try:
        addrs = [str(ipaddress.ip_address(host))]
    except ValueError:
        addrs = resolver(host, guard.port_of(parsed))
    for raw in addrs:
        addr = ipaddress.ip_address(raw.split("%", 1)[0])
        if guard.is_forbidden(addr) and not (allow_loopback and addr.is_loopback):
            raise Refused("private", str(addr))
    return url, addrs


class _PinnedBackend(httpcore.SyncBackend):
    """Connects the webhook's host only to the addresses vetted for it.
    TLS still checks the certificate against the real host name."""

    def __init__(self, host: str, port: int, addrs: list[str]) -> None:
        self.target, self.addrs = (host, port), addrs

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        if (host.lower().rstrip("."), port) != self.target or not self.addrs:
            raise httpcore.ConnectError(f"{host}:{port} was not vetted for this notice")
        last: Exception | None = None
        for addr in self.addrs:
            try:
                return super().connect_tcp(addr, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                last = exc
        assert last is not None
        raise last


def post_pinned(
    url: str, addrs: list[str], body: bytes, headers: Mapping[str | bytes, str | bytes], timeout: float
) -> int:
    parsed = guard.parse_url(url)
    backend = _PinnedBackend(guard.host_of(parsed), guard.port_of(parsed), addrs)
    with httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=backend, max_connections=1
    ) as pool:
        limits = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        response = pool.request("POST", url, headers=headers, content=body, extensions={"timeout": limits})
        return int(response.status)
