"""Which addresses a feed fetch may reach, and making sure it reaches only
those (issue 20, point 2).

A feed URL must not become a way into the centre's intranet or a cloud
metadata service. Checking a name and then letting the HTTP library resolve
it again on connect is not enough (DNS rebinding: public on the check,
127.0.0.1 on the connect), so the fetch resolves once here, checks every
address, and :class:`PinnedBackend` connects only to the addresses that were
checked for that host in the current task (a context variable set by the
fetch). A host nobody vetted is never connected to.

:class:`PinnedTransport` puts that backend under httpx through public APIs
only. The system resolver runs on daemon threads of its own
(:data:`lookups`), so a name server that never answers holds neither other
sources' lookups nor the end of the run. The URL checks and the address
classification live in :mod:`incident.netcheck` and are re-exported here.

Name resolution (:data:`resolver`) and the raw TCP connect (:data:`open_tcp`)
are module attributes so that tests can map fake names and fake public
addresses onto loopback servers without any real DNS or outside traffic.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from incident import netcheck
from incident.i18n import t
from incident.netcheck import (  # noqa: F401  (re-exported: guard.shown, guard.is_forbidden …)
    BadURL,
    IPAddress,
    embedded_ipv4,
    host_of,
    is_forbidden,
    is_ip,
    origin_of,
    port_of,
    shown,
)
from incident.watch import texts as _texts  # noqa: F401  (FetchError's message keys)


class FetchError(Exception):
    """A per-source failure, as a message key and parameters (see
    incident/watch/texts.py). ``transient`` errors are worth retrying."""

    def __init__(self, key: str, transient: bool = False, **params: Any) -> None:
        super().__init__(key)
        self.key, self.transient, self.params = key, transient, params

    def __str__(self) -> str:
        return t(self.key, "en", **self.params)


# ---- URLs and addresses (incident/netcheck.py, re-exported) ---------------


def _refusal(exc: BadURL) -> FetchError:
    if exc.problem == "scheme":
        return FetchError("feed.error.scheme", url=exc.url, scheme=exc.scheme)
    return FetchError("feed.error.url", url=exc.url)


def parse_url(url: str) -> httpx.URL:
    """Parse and validate a feed URL (:func:`incident.netcheck.parse_url`):
    the one check used by the fetch (configured URL and every redirect).
    Raises :class:`FetchError` (``feed.error.url`` or ``feed.error.scheme``)."""
    try:
        return netcheck.parse_url(url)
    except BadURL as exc:
        raise _refusal(exc) from None


def join_location(base: httpx.URL, location: str) -> httpx.URL:
    """Where a redirect points, validated like a configured URL; a
    :class:`FetchError` when it cannot be followed."""
    try:
        return netcheck.join_location(base, location)
    except BadURL as exc:
        raise _refusal(exc) from None


Resolver = Callable[[str, int], Awaitable[list[str]]]


class _Lookups:
    """getaddrinfo on daemon threads of its own, one per lookup.

    Not the event loop's default executor: a name server that never answers
    holds a thread for as long as the C library waits, and a few such names
    would fill that shared pool and stall every other source's lookup behind
    them (and ``asyncio.run`` waits for its threads at shutdown). Here a
    lookup abandoned at the deadline keeps only its own daemon thread, which
    nothing waits for; :attr:`limit` bounds how many may hang at once
    (:func:`reserve`, from ``fetch_concurrency``)."""

    def __init__(self) -> None:
        self.limit = 64
        self._busy = 0
        self._lock = threading.Lock()

    def reserve(self, concurrency: int) -> None:
        """Room for every concurrent fetch's lookup, and as many hanging."""
        with self._lock:
            self.limit = max(self.limit, 2 * concurrency)

    async def getaddrinfo(self, host: str, port: int) -> list[Any]:
        with self._lock:
            if self._busy >= self.limit:
                raise OSError(errno.EAGAIN, "too many name lookups still waiting for an answer")
            self._busy += 1
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[list[Any]] = loop.create_future()
        threading.Thread(target=self._run, args=(loop, answer, host, port), daemon=True, name="feed-dns").start()
        return await answer

    def _run(self, loop: asyncio.AbstractEventLoop, answer: asyncio.Future[list[Any]], host: str, port: int) -> None:
        try:
            outcome: tuple[list[Any] | None, BaseException | None] = (
                socket.getaddrinfo(host, port, type=socket.SOCK_STREAM),
                None,
            )
        except BaseException as exc:  # handed to the waiting task, whatever it is
            outcome = (None, exc)
        finally:
            with self._lock:
                self._busy -= 1
        try:
            loop.call_soon_threadsafe(_settle, answer, outcome)
        except RuntimeError:
            pass  # the loop is closed: the fetch gave up long ago


def _settle(answer: asyncio.Future[list[Any]], outcome: tuple[list[Any] | None, BaseException | None]) -> None:
    if answer.done():  # cancelled at the deadline
        return
    result, exc = outcome
    if exc is not None:
        answer.set_exception(exc)
    else:
        answer.set_result(result or [])


lookups = _Lookups()


async def system_resolve(host: str, port: int) -> list[str]:
    """The machine's resolver, on :data:`lookups`' threads."""
    infos = await lookups.getaddrinfo(host, port)
    seen: list[str] = []
    for info in infos:
        raw = str(info[4][0])
        if raw not in seen:
            seen.append(raw)
    return seen


# Replaced in tests (monkeypatch) to map fake names without real DNS.
resolver: Resolver = system_resolve


async def vet(url: httpx.URL, allow_private: bool) -> list[str]:
    """Resolve the URL's host once and return the addresses to connect to;
    refuse the host if any of them is forbidden (unless allowed)."""
    host = host_of(url)
    if is_ip(host):
        addrs = [host]
    else:
        try:
            addrs = await resolver(host, port_of(url))
        except (OSError, UnicodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise FetchError("feed.error.dns", transient=True, host=host, reason=reason) from None
        if not addrs:
            raise FetchError("feed.error.dns", transient=True, host=host, reason="no address")
    if not allow_private:
        for raw in addrs:
            # an IPv6 address may carry a scope ("fe80::1%eth0")
            addr = ipaddress.ip_address(raw.split("%")[0])
            if is_forbidden(addr):
                raise FetchError("feed.error.private_address", host=host, address=str(addr))
    return addrs


# ---- pinning --------------------------------------------------------------

# (host, port) -> the addresses vetted for it by the fetch running in this task.
_PINS: ContextVar[dict[tuple[str, int], list[str]] | None] = ContextVar("feed_pins", default=None)


def start_pinning() -> Any:
    """Begin a fetch's own pin table; pass the token to :func:`stop_pinning`."""
    return _PINS.set({})


def stop_pinning(token: Any) -> None:
    _PINS.reset(token)


def pin(url: httpx.URL, addrs: list[str]) -> None:
    pins = _PINS.get()
    if pins is None:
        raise RuntimeError("pin() outside a fetch")
    pins[(host_of(url), port_of(url))] = addrs


OpenTcp = Callable[..., Awaitable[httpcore.AsyncNetworkStream]]


async def _anyio_open(
    address: str, port: int, timeout: float | None, local_address: str | None, socket_options: Any
) -> httpcore.AsyncNetworkStream:
    return await httpcore.AnyIOBackend().connect_tcp(
        address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
    )


# Replaced in tests to map fake public addresses onto loopback servers.
open_tcp: OpenTcp = _anyio_open


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network layer, connecting a host only to the addresses the
    current fetch vetted for it. TLS still verifies the real host name
    (httpcore passes it as the SNI and checks the certificate against it)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        pins = _PINS.get() or {}
        addrs = pins.get((host.lower().rstrip("."), port))
        if not addrs:
            raise httpcore.ConnectError(f"{host}:{port} was not vetted for this fetch")
        last: Exception | None = None
        for addr in addrs:  # the same fall-through the resolver order gives
            try:
                return await open_tcp(addr, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never used for feeds")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _Stream(httpx.AsyncByteStream):
    """httpcore's response stream with its exceptions as httpx's."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            with _as_httpx_errors():
                await self._stream.aclose()


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """httpcore's exception as httpx's class of the same name (both libraries
    use one hierarchy: ConnectError, ReadTimeout, RemoteProtocolError …)."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise _httpx_class(exc, httpx.TimeoutException)(str(exc)) from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, httpcore.ProxyError) as exc:
        raise _httpx_class(exc, httpx.TransportError)(str(exc)) from exc


def _httpx_class(exc: Exception, fallback: type[httpx.TransportError]) -> type[httpx.TransportError]:
    for cls in type(exc).__mro__:
        match = getattr(httpx, cls.__name__, None)
        if isinstance(match, type) and issubclass(match, fallback):
            return match
    return fallback


class PinnedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over httpcore's connection pool with
    :class:`PinnedBackend` as its network layer. httpx's own transport has
    no parameter for the backend, so the pool is built here through
    httpcore's public constructor and requests and responses are translated
    the way ``httpx.AsyncHTTPTransport`` does. No proxy, no .netrc, no
    environment: trust_env is off."""

    def __init__(self, limits: httpx.Limits) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            resp = await self._pool.handle_async_request(core)
        return httpx.Response(
            status_code=resp.status, headers=resp.headers, stream=_Stream(resp.stream), extensions=resp.extensions
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
