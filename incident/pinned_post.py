"""POST to a URL whose host was vetted, connecting only to the addresses
vetted for it: a name that resolves elsewhere a moment later (DNS
rebinding) cannot reach a private address. Used by the status page's
subscriber webhooks and by incident webhooks (incident/webhooks.py).
TLS still checks the certificate against the real host name; redirects
are not followed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpcore
import httpx

from incident.watch import guard


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
