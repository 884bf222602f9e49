"""Who is at the command line. The web asks every request for a signed-in
user; the CLI asks the same of every command that reads or changes the
incident's data, once web accounts exist:

- ``INCIDENT_TOKEN`` — an API token (``inc_…``): its user, their roles and
  their roster person. ``--as`` / ``INCIDENT_ACTOR`` naming someone else is
  refused: a token speaks for one person only.
- otherwise, on a terminal, the password of ``--as NAME`` (or the login
  name), checked like the login form (wrong guesses count, lockout).
- no active web account at all (a fresh single-operator install, the demo,
  ``./dev run``): the name given or the login name, with every role — the
  first account has to be made by someone. Once one exists, every CLI
  command that touches the incident's data needs a token or a password.

Operator commands (migrations, serving, the flows' one-shot runs) are not
user actions and never ask: they are the machine, and database access is
their credential."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from incident.access import identity_texts as _texts  # noqa: F401
from incident.access import permissions, tokens, users
from incident.access.permissions import ROLES
from incident.config import AppConfig
from incident.db import Store
from incident.errors import AuthError, InputError
from incident.models import User


@dataclass(frozen=True)
class Caller:
    actor: str  # the roster key (or user name) the domain records and checks
    roles: tuple[str, ...]
    via: str  # token | password | bootstrap
    username: str | None = None  # None in bootstrap mode: no account yet

    def can(self, action: str) -> bool:
        return permissions.allowed(self.roles, action)

    def require(self, action: str, lang: str = "zh-CN") -> None:
        permissions.require(self.roles, action, lang)

    def owns(self, username: str) -> bool:
        return self.username is not None and self.username == username.strip().lower()


def accounts_exist(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(User.active.is_(True)))))


def check_first_account(session: Session, roles: list[str], *, password: bool, token: bool) -> None:
    """While no account exists (bootstrap), the first one must be able to
    act at the command line afterwards — once it exists, nothing else can:
    it needs a password or an API token, and the admin role (or nobody
    could make the next accounts). InputError naming what to do, else None."""
    if accounts_exist(session):
        return
    if not password and not token:
        raise InputError("identity.error.first_account_credential")
    if "admin" not in roles:
        raise InputError("identity.error.first_account_admin", roles=", ".join(roles) or "—")


def _of(user: User, via: str) -> Caller:
    return Caller(actor=users.actor(user), roles=tuple(user.roles or ()), via=via, username=user.username)


def _matches(user: User, asked: str) -> bool:
    name = asked.strip().lower()
    return name in (user.username, (user.person or "").lower())


def from_token(session: Session, secret: str, asked: str | None, now: dt.datetime) -> Caller:
    user = tokens.verify(session, secret.strip(), now)
    if user is None:
        raise AuthError("identity.error.bad_token")
    if asked and not _matches(user, asked):
        raise AuthError("identity.error.as_mismatch", asked=asked.strip(), user=user.username)
    return _of(user, "token")


def account_name(session: Session, name: str) -> str:
    """The account a name means: a user name, or the roster key an account
    is linked to (``--as wangfang`` for the account ``wang.fang``)."""
    user = users.find(session, name)
    if user is None:
        user = session.scalars(select(User).where(func.lower(User.person) == name.strip().lower())).first()
    return user.username if user is not None else name


def resolve(
    store: Store,
    config: AppConfig,
    now: dt.datetime,
    *,
    token: str | None,
    asked: str | None,
    fallback: str,
    password: Callable[[str], str] | None,
) -> Caller:
    """The caller, or AuthError naming what is missing. ``asked`` is the
    name given (``--as`` / ``INCIDENT_ACTOR``), ``fallback`` the login name;
    ``password`` asks for a password on a terminal (None: there is none)."""
    with store.transaction() as s:
        if token:
            return from_token(s, token, asked, now)
        if not accounts_exist(s):
            return Caller(actor=asked or fallback, roles=ROLES, via="bootstrap")
        name = account_name(s, asked or fallback)
    if password is None:
        raise AuthError("identity.error.need_credentials", name=asked or fallback)
    typed = password(name)
    refused: AuthError | None = None
    # Committed whether or not it signs in: a wrong password counts towards
    # the lockout here exactly as on the login form.
    with store.transaction() as s:
        try:
            return _of(users.authenticate(s, config, name, typed, now), "password")
        except AuthError as exc:
            refused = exc
    raise refused
