"""API tokens for machines. The secret (``inc_…``) is shown once; the store
keeps its SHA-256, which is enough for a 256-bit random secret."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.access import users
from incident.errors import InputError, NotFoundError
from incident.models import ApiToken, User

PREFIX = "inc_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(session: Session, username: str, name: str, now: dt.datetime) -> tuple[ApiToken, str]:
    user = users.get(session, username)
    label = name.strip()
    if not label:
        raise InputError("access.error.token_name")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=label[:100], token_hash=_hash(secret), prefix=secret[:10], created_at=now)
    session.add(row)
    session.flush()
    return row, secret


def verify(session: Session, secret: str, now: dt.datetime) -> User | None:
    if not secret.startswith(PREFIX):
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _hash(secret))).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    # Written at most once a minute: a busy machine must not turn every read into a write.
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        row.last_used_at = now
    return user


def revoke(session: Session, token_id: int, now: dt.datetime) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError("access.error.no_token", id=token_id)
    if row.revoked_at is None:
        row.revoked_at = now
    return row


def list_tokens(session: Session, username: str | None = None) -> list[tuple[ApiToken, str]]:
    stmt = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if username:
        stmt = stmt.where(User.id == users.get(session, username).id)
    return [(t, u) for t, u in session.execute(stmt)]
