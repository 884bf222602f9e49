"""The default adapter for channels without a configured gateway (SMS,
Weibo, WeChat, X; e-mail too when no SMTP server is set): each delivery is
one JSON line in ``<data_dir>/deliveries/<channel>.jsonl``.

Idempotent by key: the file is locked while it is checked and appended to,
so a retried or concurrent send of the same key writes one line. A real
gateway replaces this class and passes the key on as its idempotency key."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import IO

from incident.adapters.base import OutgoingMessage
from incident.timeutil import Clock


class DeliveryLogAdapter:
    idempotent = True

    def __init__(self, channel: str, directory: Path, clock: Clock | None = None) -> None:
        self.channel = channel
        self.clock = clock or Clock()
        self.path = Path(directory) / f"{channel}.jsonl"
        self._seen: set[str] = set()
        self._offset = 0

    def _catch_up(self, fh: IO[str]) -> None:
        fh.seek(self._offset)
        for line in fh:
            try:
                self._seen.add(json.loads(line)["key"])
            except (ValueError, KeyError):
                continue  # a torn last line from a crash is ignored
        self._offset = fh.tell()

    def send(self, message: OutgoingMessage) -> str | None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                self._catch_up(fh)
                if message.key in self._seen:
                    return f"log:{message.key}"
                record = {
                    "key": message.key,
                    "at": self.clock.now().isoformat(),
                    "channel": message.channel,
                    "recipient": message.recipient,
                    "lang": message.lang,
                    "payload": message.payload,
                }
                fh.seek(0, os.SEEK_END)
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
                self._offset = fh.tell()
                self._seen.add(message.key)
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return f"log:{message.key}"

    def keys(self) -> list[str]:
        if not self.path.exists():
            return []
        out = []
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    out.append(json.loads(line)["key"])
                except (ValueError, KeyError):
                    continue
        return out
