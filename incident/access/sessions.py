"""Signed-in browsers. The cookie carries a random key; the table keeps its
SHA-256, the user, the CSRF token and the expiry, so signing out (or an
admin disabling the user) ends the session everywhere at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from incident.models import User, WebSession

# last_seen is written at most this often: pages must not all be writes.
TOUCH_EVERY = dt.timedelta(minutes=5)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("ascii", "replace")).hexdigest()


def open_session(session: Session, user: User, via: str, now: dt.datetime, hours: float) -> tuple[WebSession, str]:
    key = secrets.token_urlsafe(32)
    row = WebSession(
        key_hash=_hash(key),
        user_id=user.id,
        csrf=secrets.token_urlsafe(32),
        via=via,
        created_at=now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    session.add(row)
    # Expired sessions of this user go now; those of users who never sign in
    # again go with the daily report's clean-up (prune).
    session.execute(delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at <= now))
    session.flush()
    return row, key


def lookup(session: Session, key: str, now: dt.datetime) -> tuple[WebSession, User] | None:
    if not key:
        return None
    found = session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id).where(WebSession.key_hash == _hash(key))
    ).one_or_none()
    if found is None:
        return None
    row, user = found
    if row.expires_at <= now or not user.active:
        return None
    return row, user


def needs_touch(row: WebSession, now: dt.datetime) -> bool:
    return now - row.last_seen_at > TOUCH_EVERY


def touch(session: Session, row_id: int, now: dt.datetime) -> None:
    row = session.get(WebSession, row_id)
    if row is not None:
        row.last_seen_at = now


def prune(session: Session, now: dt.datetime) -> int:
    """Every expired session, of every user; the number removed. An expired
    row already lets nobody in (lookup); this only keeps the table small."""
    # DML through the ORM session returns a CursorResult (typed as Result)
    result = cast(CursorResult[Any], session.execute(delete(WebSession).where(WebSession.expires_at <= now)))
    return result.rowcount or 0


def close(session: Session, key: str) -> None:
    session.execute(delete(WebSession).where(WebSession.key_hash == _hash(key)))


def close_all(session: Session, user: User, keep: int | None = None) -> None:
    """Every session of ``user`` (but ``keep``, the browser asking)."""
    stmt = delete(WebSession).where(WebSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(WebSession.id != keep)
    session.execute(stmt)
