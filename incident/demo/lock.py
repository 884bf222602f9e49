"""One running demo per data directory.

``incident serve --demo`` resets ``$INCIDENT_DATA_DIR/demo`` before it
starts; a second one started against the same directory would delete the
database under the first (which goes on reading the deleted file while its
flows open the new one). The demo therefore holds an OS file lock on
``$INCIDENT_DATA_DIR/demo.lock`` — outside the directory it resets — for
its whole life: taken before the reset, kept across the hand-over to the
coordinator process (the descriptor survives ``exec``), and released by the
kernel when that process ends, however it ends. The lock file records
where the running demo answers, for the message a second start gets."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from incident.errors import InputError
from incident.i18n import CATALOG

LOCK_NAME = "demo.lock"

CATALOG.update(
    {
        "demo.error.running": (
            "演示已在运行：{url}（数据目录 {path}）；先停止它，或设置另一个 INCIDENT_DATA_DIR 另开一个。",
            "a demo is already running: {url} (data directory {path}); stop it first, or start another one "
            "with a different INCIDENT_DATA_DIR.",
        ),
    }
)


def hold(data_dir: Path, host: str, port: int) -> int:
    """Take the demo lock of ``data_dir``; the open descriptor holding it
    (inheritable, so that it outlives ``exec``). Raises :class:`InputError`
    naming the running demo when another process holds it."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        url = os.read(fd, 512).decode("utf-8", "replace").strip() or "?"
        os.close(fd)
        raise InputError("demo.error.running", url=url, path=str(data_dir)) from None
    except BaseException:
        os.close(fd)
        raise
    # Written only while holding the lock: a reader sees the holder's address
    # (or, for the instant before it is written, nothing).
    os.ftruncate(fd, 0)
    os.write(fd, f"http://{host}:{port}\n".encode())
    os.set_inheritable(fd, True)
    return fd
