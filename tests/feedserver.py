"""A real HTTP server on 127.0.0.1 for feed tests: each path serves a
:class:`Route` (body, headers, status) with ETag/Last-Modified support, or
a misbehaviour (trickle forever, huge body, redirect, headers dripped one
byte at a time, raw bytes that are not HTTP). ``connections`` counts accepted TCP connections, so a test
can assert that a refused target was never even connected to."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True
    require_header: tuple[str, str] | None = None
    trickle: bool = False  # send headers, then one byte every second forever
    huge: int = 0  # stream this many bytes without Content-Length
    redirect: str | None = None
    delay: float = 0.0  # seconds to wait before answering (a slow source)
    drip_headers: float = 0.0  # send the header block one byte per this many seconds, forever
    raw: bytes | None = None  # written to the socket as it is instead of an HTTP response
    hits: int = 0


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.connections = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                route.hits += 1
                if route.delay:
                    time.sleep(route.delay)
                if route.drip_headers:
                    return self._drip(route.drip_headers)
                if route.raw is not None:
                    self.close_connection = True
                    self.wfile.write(route.raw)
                    return
                if route.redirect:
                    self.send_response(302)
                    self.send_header("Location", route.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.require_header:
                    name, value = route.require_header
                    if self.headers.get(name) != value:
                        return self._send(401, b"unauthorised", "text/plain")
                if route.trickle:
                    self.send_response(200)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", "100000000")
                    self.end_headers()
                    try:
                        self.wfile.write(b"<?xml version='1.0'?><rss><channel>")
                        while True:
                            self.wfile.write(b" ")
                            self.wfile.flush()
                            time.sleep(0.5)
                    except (BrokenPipeError, ConnectionResetError):
                        return
                if route.huge:
                    self.send_response(200)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = b"<item><title>x</title></item>" * 2000
                    sent = 0
                    try:
                        while sent < route.huge:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            sent += len(chunk)
                        self.wfile.write(b"0\r\n\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                tag = '"' + hashlib.sha1(route.body).hexdigest() + '"'
                if route.etag and self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                extra = {"ETag": tag} if route.etag else {}
                self._send(route.status, route.body, route.content_type, {**extra, **route.headers})

            def _drip(self, interval: float) -> None:
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n" + b"X-Pad: " + b"a" * 100_000
                try:
                    for byte in head:
                        self.wfile.write(bytes([byte]))
                        time.sleep(interval)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class Counting(ThreadingHTTPServer):
            def process_request(self, request: object, client_address: object) -> None:
                server.connections += 1
                super().process_request(request, client_address)  # type: ignore[arg-type]

            def handle_error(self, request: object, client_address: object) -> None:
                # a client hanging up on a hostile route is the point of the test
                if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
                    super().handle_error(request, client_address)  # type: ignore[arg-type]

        self.httpd = Counting(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
