"""Password hashing with the standard library's scrypt (memory-hard; no
extra package). Stored as ``scrypt$n$r$p$salt$hash`` so the cost can be
raised later and old hashes still verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading

N, R, P = 2**14, 8, 1
MIN_LENGTH = 8
# Each scrypt call takes 128·r·n bytes (16 MiB at these costs) for its
# duration. A shift's agents signing in at once would otherwise hold that
# many times over (forty sign-ins, 640 MiB; on PostgreSQL — SQLite already
# signs in one at a time, under its write lock); the work is CPU-bound, so
# more calls at once than the cores we may use only queue inside the CPU.
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_SLOTS = threading.BoundedSemaphore(max(1, CORES))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    with _SLOTS:
        return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, N, R, P, 32)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        if algo != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def needs_rehash(stored: str) -> bool:
    return not stored.startswith(f"scrypt${N}${R}${P}$")


# Spent on unknown user names too, so that the response time does not tell
# which names exist.
DUMMY = hash_password(secrets.token_hex(8))
