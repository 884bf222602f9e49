"""Users of the web app: add, change, sign in. Service functions: they take
a session and never commit."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.access import passwords, sessions
from incident.access import texts as _texts  # noqa: F401
from incident.access.permissions import ROLES
from incident.config import AppConfig, normalise_lang
from incident.errors import AuthError, ConflictError, InputError, NotFoundError
from incident.models import User

_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")  # stored in lower case


def parse_roles(values: list[str] | str) -> list[str]:
    items = values.split(",") if isinstance(values, str) else values
    out: list[str] = []
    for raw in items:
        role = raw.strip().lower()
        if not role:
            continue
        if role not in ROLES:
            raise InputError("access.error.bad_role", value=raw, allowed=", ".join(ROLES))
        if role not in out:
            out.append(role)
    if not out:
        raise InputError("access.error.no_role", allowed=", ".join(ROLES))
    return out


def _check_password(password: str) -> None:
    if len(password) < passwords.MIN_LENGTH:
        raise InputError("access.error.short_password", min=passwords.MIN_LENGTH)


def get(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(func.lower(User.username) == username.strip().lower())).one_or_none()
    if user is None:
        raise NotFoundError("access.error.no_user", name=username)
    return user


def find(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.username) == username.strip().lower())).one_or_none()


def add(
    session: Session,
    config: AppConfig,
    now: dt.datetime,
    *,
    username: str,
    roles: list[str] | str,
    password: str | None = None,
    person: str | None = None,
    display_name: str | None = None,
    lang: str | None = None,
) -> User:
    """A new user. ``person`` links them to the roster (default: the roster
    entry of the same key, if there is one)."""
    name = username.strip().lower()
    if not _NAME.fullmatch(name):
        raise InputError("access.error.bad_username", value=username)
    if find(session, name) is not None:
        raise ConflictError("access.error.user_exists", name=name)
    chosen = parse_roles(roles)
    if password is not None:
        _check_password(password)
    user = User(
        username=name,
        display_name=(display_name or "").strip() or None,
        password_hash=passwords.hash_password(password) if password is not None else None,
        roles=chosen,
        person=_person(config, person, name),
        lang=_lang(lang),
        active=True,
        failed_logins=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def _person(config: AppConfig, person: str | None, username: str) -> str | None:
    if person:
        if person not in config.people:
            raise InputError("access.error.unknown_person", value=person, known=", ".join(sorted(config.people)) or "—")
        return person
    return username if username in config.people else None


def _lang(lang: str | None) -> str | None:
    if not lang:
        return None
    try:
        return normalise_lang(lang)
    except ValueError:
        raise InputError("wording.error.bad_lang", value=lang) from None


def change(
    session: Session,
    config: AppConfig,
    username: str,
    *,
    roles: list[str] | str | None = None,
    password: str | None = None,
    person: str | None = None,
    display_name: str | None = None,
    lang: str | None = None,
    active: bool | None = None,
) -> User:
    user = get(session, username)
    if roles is not None:
        user.roles = parse_roles(roles)
    if password is not None:
        _check_password(password)
        user.password_hash = passwords.hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
    if person is not None:
        user.person = _person(config, person, user.username) if person else None
    if display_name is not None:
        user.display_name = display_name.strip() or None
    if lang is not None:
        user.lang = _lang(lang)
    if active is not None:
        user.active = active
        if not active:
            sessions.close_all(session, user)
    return user


def change_own_password(session: Session, username: str, current: str, new: str, keep_session: int | None) -> User:
    """A user changing their own password: the current one first; every
    other signed-in browser of theirs is signed out."""
    user = get(session, username)
    if not passwords.verify_password(current, user.password_hash):
        raise AuthError("access.error.wrong_current")
    _check_password(new)
    user.password_hash = passwords.hash_password(new)
    sessions.close_all(session, user, keep=keep_session)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def authenticate(session: Session, config: AppConfig, username: str, password: str, now: dt.datetime) -> User:
    """The user, if the password is right. Wrong passwords count; after
    ``[web].max_failed_logins`` the account waits ``lockout_minutes``.

    One answer for every refusal (``access.error.sign_in_failed``, which
    states the lockout rule): an unknown name, a wrong password and a
    locked account read the same, and each costs exactly one scrypt
    verification (against a dummy hash when there is no usable one), so
    neither the words nor the time tell which names exist or are locked.

    The user's row is locked (``SELECT … FOR UPDATE``; SQLite's write
    transactions are serialised already) from the lockout check to the
    count's update: parallel guesses queue on it, and each sees the count
    the previous one left, so the lockout cannot be raced."""
    user = _find_for_update(session, username) if username.strip() else None
    usable = user is not None and user.active and user.password_hash is not None
    right = passwords.verify_password(password, user.password_hash if usable and user else passwords.DUMMY)
    if not usable or user is None:
        raise _refused(config)
    if user.locked_until is not None and user.locked_until > now:
        raise _refused(config)
    if not right:
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= config.web.max_failed_logins:
            user.locked_until = now + dt.timedelta(minutes=config.web.lockout_minutes)
            user.failed_logins = 0
        session.flush()
        raise _refused(config)
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def _find_for_update(session: Session, username: str) -> User | None:
    stmt = select(User).where(func.lower(User.username) == username.strip().lower())
    # populate_existing: the counters as the lock holder left them, not as cached
    return session.scalars(stmt.with_for_update().execution_options(populate_existing=True)).one_or_none()


def _refused(config: AppConfig) -> AuthError:
    return AuthError(
        "access.error.sign_in_failed", max=config.web.max_failed_logins, minutes=config.web.lockout_minutes
    )


def actor(user: User) -> str:
    """The name the domain records and checks (four eyes, approvers): the
    roster key when the user is linked to the roster."""
    return user.person or user.username
