"""A messaging provider (SMS / voice) on 127.0.0.1 for tests, playing the
HTTP API that incident/adapters/http_provider.py talks to::

    with ProviderServer(secret="s3cret") as provider:
        config = HttpProviderConfig(url=provider.url, ...)

It behaves like a careful real provider: a request must carry an
``Idempotency-Key`` (a repeated key is dropped and answered with the first
send's reference), a JSON body, and, when the server has a ``secret``, a
valid ``v1=`` HMAC signature over ``"{timestamp}.{body}"``. Each request is
kept in ``requests``; each accepted message once in ``sent``.

Faults are queued per request: :meth:`fail_next` (any status, body and
headers), :meth:`busy_next` (429 with Retry-After), :meth:`hang_next` (read
the request, never answer), :meth:`trickle_next` (200, then a byte of body every 0.1 s for ever),
:meth:`echo_next` (a 400 whose text repeats the request's headers, as a
careless provider's error page does).
:func:`signed_receipt` builds the delivery receipt such a provider POSTs back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The provider's own signing code (written apart from the adapter's,
    so that a test compares two implementations of the scheme)."""
    message = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_receipt(
    secret: str, timestamp: int, ref: str, status: str, error: str | None = None
) -> tuple[bytes, dict[str, str]]:
    """(body, headers) of a delivery receipt as the provider sends it."""
    payload: dict[str, Any] = {"id": ref, "status": status}
    if error is not None:
        payload["error"] = error
    body = json.dumps(payload).encode()
    return body, {"X-Timestamp": str(timestamp), "X-Signature": signature(secret, timestamp, body)}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Fault:
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    echo: bool = False
    trickle: bool = False


class ProviderServer:
    def __init__(self, secret: str | None = None, path: str = "/v1/messages") -> None:
        self.secret = secret
        self.path = path
        self.requests: list[Seen] = []
        self.sent: list[dict[str, Any]] = []
        self.refs: dict[str, str] = {}  # idempotency key -> reference
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()  # lets hanging handlers go at stop
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # A short poll so that stopping (every test) does not wait half a second.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{self.path}"

    def __enter__(self) -> ProviderServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    # ---- faults -----------------------------------------------------------

    def fail_next(self, status: int, body: str | bytes = b"", headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self._faults.append(Fault(status, data, dict(headers or {})))

    def busy_next(self, retry_after: str) -> None:
        self.fail_next(429, '{"message": "too many requests"}', {"Retry-After": retry_after})

    def hang_next(self) -> None:
        self._faults.append(Fault(hang=True))

    def trickle_next(self) -> None:
        """Answer 200 and then one byte of body every 0.1 s, for ever."""
        self._faults.append(Fault(trickle=True))

    def echo_next(self) -> None:
        self._faults.append(Fault(status=400, echo=True))

    # ---- the API ------------------------------------------------------------

    def _answer(self, seen: Seen) -> tuple[int, dict[str, Any]]:
        """(status, JSON reply) for a request that met no injected fault."""
        if seen.path != self.path:
            return 404, {"error": {"message": f"no such endpoint: {seen.path}"}}
        if self.secret is not None:
            stamp = seen.headers.get("x-timestamp", "")
            expected = signature(self.secret, stamp, seen.body)
            if not stamp or not hmac.compare_digest(expected.encode(), seen.headers.get("x-signature", "").encode()):
                return 401, {"error": {"message": "signature does not verify"}}
        key = seen.headers.get("idempotency-key")
        if not key:
            return 400, {"message": "Idempotency-Key header required"}
        try:
            message = seen.json()
        except ValueError:
            return 400, {"message": "body is not JSON"}
        with self._lock:
            if key in self.refs:  # a repeat: dropped, the first answer again
                return 200, {"id": self.refs[key], "status": "queued", "duplicate": True}
            ref = f"msg-{len(self.refs) + 1:04d}"
            self.refs[key] = ref
            self.sent.append(message)
        return 201, {"id": ref, "status": "queued"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(self.command, self.path, headers, body)
                with server._lock:
                    server.requests.append(seen)
                    fault = server._faults.popleft() if server._faults else None
                if fault is None:
                    status, reply = server._answer(seen)
                    return self._send(status, json.dumps(reply).encode(), {})
                if fault.hang:
                    server._release.wait(30)
                    self.close_connection = True
                    return
                if fault.trickle:
                    return self._trickle()
                if fault.echo:
                    echoed = "; ".join(f"{k}: {v}" for k, v in sorted(headers.items()))
                    return self._send(400, f"bad request ({echoed})".encode(), {"Content-Type": "text/plain"})
                return self._send(fault.status, fault.body, fault.headers)

            do_PUT = do_POST  # noqa: N815

            def _trickle(self) -> None:
                self.close_connection = True
                self.send_response(200)
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                try:
                    while not server._release.wait(0.1):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                except OSError:
                    pass  # the client gave up

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                headers = {"Content-Type": "application/json", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
