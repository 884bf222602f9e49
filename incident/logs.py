"""Logging for the long-running processes (``incident serve``, the web
app): one JSON object per line with ``INCIDENT_LOG_FORMAT=json`` (for a log
shipper), readable text otherwise. The ``incident.*`` loggers and the web
app's access log (``incident.access``: method, path, status, milliseconds)
go through it."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import Any

# LogRecord's own attributes; anything else on a record came in ``extra``.
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


# Our handlers say so (``_incident``), so that setup() replaces only its own.
class _FileHandler(logging.FileHandler):
    _incident = True


class _StreamHandler(logging.StreamHandler):
    _incident = True


def setup(fmt: str = "text", level: str = "INFO", path: Path | None = None) -> None:
    """Idempotent: the ``incident`` logger gets one handler, on stderr or
    appending to ``path`` (``incident serve`` keeps the terminal for people)."""
    logger = logging.getLogger("incident")
    for h in list(logger.handlers):
        if getattr(h, "_incident", False):
            logger.removeHandler(h)
            h.close()
    handler: logging.Handler = _FileHandler(path, encoding="utf-8") if path else _StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
