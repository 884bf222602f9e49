"""``Server-Timing: app;dur=…`` on every response: the time the app spent,
for the browser's developer tools and the board benchmark; and the access
log line (``incident.access``) when logging is set up. Pure ASGI (no
BaseHTTPMiddleware), so it costs next to nothing on the hot lookup path."""

from __future__ import annotations

import logging
import time
from typing import Any

access = logging.getLogger("incident.access")


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
                if access.isEnabledFor(logging.INFO):  # off unless a serving process set logging up
                    access.info(
                        "%s %s %s %.1f ms",
                        scope["method"],
                        scope["path"],
                        message["status"],
                        dur,
                        extra={
                            "method": scope["method"],
                            "path": scope["path"],
                            "status": message["status"],
                            "ms": round(dur, 1),
                        },
                    )
            await send(message)

        await self.app(scope, receive, timed_send)
