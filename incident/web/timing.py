"""``Server-Timing: app;dur=…`` on every response: the time the app spent,
for the browser's developer tools and the board benchmark. Pure ASGI (no
BaseHTTPMiddleware), so it costs next to nothing on the hot lookup path."""

from __future__ import annotations

import time
from typing import Any


class ServerTiming:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                dur = (time.perf_counter() - start) * 1000
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"server-timing", f"app;dur={dur:.1f}".encode())]
            await send(message)

        await self.app(scope, receive, timed_send)
