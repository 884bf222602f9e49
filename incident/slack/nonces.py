"""Slack requests served once: each verified request leaves its signature
(and its body's hash) in ``once_keys`` for as long as its signature is
valid. The table is in the database, not in a process, so every server
process behind the same Slack app sees what the others served; its
primary key (scope, key) is what makes the second insert of the same
request fail, also when two copies arrive at the same instant.

Service functions: they take a session and never commit; the web route
commits the insert in its own transaction before acting on the request."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete
from sqlalchemy.orm import Session

from incident.models import OnceKey

SCOPE = "slack"
# Slack's signature window: a request whose timestamp is further than this
# from now is refused as stale (slack_sdk's verifier uses the same 5 min).
WINDOW_SECONDS = 300
# Server processes' clocks differ a little; a nonce is kept this much longer
# than its window, so a process whose clock lags cannot accept a request
# that another one already forgot.
GRACE_SECONDS = 60


def keys_of(signature_hex: str, body: bytes) -> list[str]:
    """The signature (what the replay window is about), and the body's
    hash: every genuine Slack body is unique (it carries a ``trigger_id``),
    so the same body signed again with a fresh timestamp is a retry of
    something already served, not a new request."""
    return [signature_hex, "body:" + hashlib.sha256(body).hexdigest()]


def remember(session: Session, keys: list[str], now: dt.datetime, timestamp: int) -> None:
    """Insert the request's keys; the flush raises IntegrityError when
    either is already there (a replay, or a copy being served right now)."""
    expires = dt.datetime.fromtimestamp(timestamp + WINDOW_SECONDS, dt.timezone.utc)
    for key in keys:
        session.add(OnceKey(scope=SCOPE, key=key, created_at=now, expires_at=expires))
        session.flush()


def forget_expired(session: Session, now: dt.datetime) -> int:
    """Drop the nonces no request can match any more (their signatures are
    refused as stale anyway). Cheap: the expiry is indexed."""
    cutoff = now - dt.timedelta(seconds=GRACE_SECONDS)
    result = session.execute(delete(OnceKey).where(OnceKey.scope == SCOPE, OnceKey.expires_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
