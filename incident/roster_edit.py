"""The roster edited without touching the TOML (issue 23 point 9): a lead
or an admin changes a team's rotation (its members, their order, the
hand-over time and length), its supervisor or deputy, or a person's name
and contact ids; the change is stored in the database, so every process
(the web, the CLI, the flows) uses it at once.

The TOML stays the seed. A team or person edited here is stored whole
(``roster_entries``) and replaces the TOML's version of it — the database
wins for what it names, the TOML for everything else — until it is reset.
Each edit is validated by the TOML's own rules (the same pydantic models,
the same cross-checks: no unknown person, no team without members, every
channel reachable) and recorded with who, when, before and after
(``roster_changes``, whose newest id is the roster's revision).

New teams come from the TOML (they carry roles and response rules); new
people may be added here. Services take a session and never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident import roster_edit_texts as _texts  # noqa: F401
from incident.config import (  # the TOML's own cross-checks
    AppConfig,
    Person,
    Team,
    _ChannelError,
    _RefError,
    _UncoveredError,
)
from incident.context import Context
from incident.errors import InputError
from incident.models_people import RosterChange, RosterEntry
from incident.roster import find_person
from incident.textin import clean_text

KINDS = ("team", "person")
_MODELS: dict[str, type[BaseModel]] = {"team": Team, "person": Person}
PERSON_FIELDS = ("name", "email", "slack_id", "pager_id", "phone")
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-.")


@dataclass
class Layered:
    """The roster in effect: the TOML with the database's edits over it."""

    config: AppConfig
    edited: dict[tuple[str, str], RosterEntry] = field(default_factory=dict)
    # Edits the TOML no longer accepts (a team it dropped, a person a
    # TOML team still needs): left out, said by ``incident config check``.
    skipped: list[tuple[str, str, InputError]] = field(default_factory=list)


def revision(session: Session) -> int:
    """The newest change's id (0: never edited): one cheap query a
    long-running process makes to know whether its layer is current."""
    return int(session.scalar(select(func.max(RosterChange.id))) or 0)


def _entries(session: Session) -> list[RosterEntry]:
    return list(session.scalars(select(RosterEntry).order_by(RosterEntry.kind, RosterEntry.key)))


def _overlay(base: AppConfig, values: dict[tuple[str, str], dict[str, Any]]) -> AppConfig:
    """``base`` with each (kind, key) replaced by its edited value, checked
    as the TOML is (InputError naming the problem otherwise)."""
    people, teams = dict(base.people), dict(base.teams)
    for (kind, key), value in values.items():
        try:
            if kind == "person":
                people[key] = Person.model_validate(value)
            elif key in teams:
                teams[key] = Team.model_validate(value)
            else:
                raise InputError("roster.error.no_team", team=key, known=", ".join(teams) or "—")
        except ValidationError as exc:
            raise _explain(exc, base.teams.get(key) if kind == "team" else None, key) from None
    layered = base.model_copy(update={"people": people, "teams": teams})
    try:
        layered._references()  # type: ignore[operator]  # noqa: SLF001 — the TOML's cross-checks, on the layered roster
    except _RefError as exc:
        raise InputError("roster.error.unknown_person", person=exc.person, where=_where(exc.where)) from None
    except _ChannelError as exc:
        raise InputError(
            "roster.error.unreachable", where=_where(exc.where), channel=exc.channel, needs=exc.needs
        ) from None
    except _UncoveredError as exc:
        raise InputError("roster.error.uncovered", role=exc.role) from None
    return layered


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


# pydantic's error types (the config models' own) → the catalogue's words.
_REASONS = {
    "email": "roster.error.email",
    "pager_id_phone": "roster.error.pager_id",
    "phone_unmasked": "roster.error.phone",
    "too_short": "roster.error.empty_team",
    "every": "roster.error.every",
    "datetime": "roster.error.start",
    "literal_error": "roster.error.every",
    "int_parsing": "roster.error.every",
}


def _explain(exc: ValidationError, team: Team | None = None, key: str = "") -> InputError:
    err = exc.errors()[0]
    loc = tuple(err.get("loc", ()))
    key = _REASONS.get(str(err.get("type")), "roster.error.invalid")
    if key == "roster.error.empty_team":
        if team is None or loc[-1:] != ("members",):  # a person's empty list: not about a team
            key = "roster.error.invalid"
        else:
            return _empty_team(team, key)
    return InputError(key, field=_where(loc), value=str(err.get("input", ""))[:60])


def _empty_team(team: Team, key: str) -> InputError:
    """No one left on call, said with the team's name (not a config path)."""
    name = team.name or key
    return InputError("roster.error.empty_team", team=name, team_en=team.name_en or name)


def effective(session: Session, base: AppConfig) -> Layered:
    """The TOML ``base`` with every stored edit over it. An edit the TOML
    no longer accepts is left out (``skipped``), never the whole roster."""
    rows = _entries(session)
    if not rows:
        return Layered(base)
    values = {(r.kind, r.key): r.value for r in rows}
    try:
        return Layered(_overlay(base, values), {(r.kind, r.key): r for r in rows})
    except InputError:
        pass
    # One at a time (people first: teams name them), keeping what passes.
    kept: dict[tuple[str, str], dict[str, Any]] = {}
    layered = Layered(base)
    for r in sorted(rows, key=lambda r: (r.kind != "person", r.key)):
        try:
            layered.config = _overlay(base, kept | {(r.kind, r.key): r.value})
        except InputError as bad:
            layered.skipped.append((r.kind, r.key, bad))
            continue
        kept[(r.kind, r.key)] = r.value
        layered.edited[(r.kind, r.key)] = r
    return layered


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_defaults=False)


def _save(
    session: Session, ctx: Context, base: AppConfig, kind: str, key: str, action: str, after: dict[str, Any] | None
) -> RosterChange:
    """Store ``after`` for (kind, key) (None: back to the TOML), once the
    whole layered roster passes the TOML's checks; record the change."""
    rows = {(r.kind, r.key): r for r in _entries(session)}
    values = {k: r.value for k, r in rows.items()}
    if after is not None:
        after = _canonical(base, kind, key, after)
    current = rows.get((kind, key))
    before = current.value if current else None
    if after is None:
        values.pop((kind, key), None)
    else:
        values[(kind, key)] = after
    _overlay(base, values)  # refuses an edit the TOML itself would refuse
    now = ctx.clock.now()
    if after is None:
        if current is not None:
            session.delete(current)
    elif current is None:
        session.add(RosterEntry(kind=kind, key=key, value=after, updated_by=ctx.actor, updated_at=now))
    else:
        current.value, current.updated_by, current.updated_at = after, ctx.actor, now
    if before is None and after is not None:
        source = _source(base, kind, key)
        before = _dump(source) if source is not None else None
    change = RosterChange(
        kind=kind, key=key, action=action, before=before, after=after, changed_by=ctx.actor, changed_at=now
    )
    session.add(change)
    session.flush()
    return change


def _canonical(base: AppConfig, kind: str, key: str, value: dict[str, Any]) -> dict[str, Any]:
    """``value`` as the model writes it (``08:00`` and ``08:00:00`` the same
    text), so that before and after differ only where something changed."""
    try:
        return _dump(_MODELS[kind].model_validate(value))
    except ValidationError as exc:
        raise _explain(exc, base.teams.get(key) if kind == "team" else None, key) from None


def _source(config: AppConfig, kind: str, key: str) -> BaseModel | None:
    return (config.people if kind == "person" else config.teams).get(key)


def _team(session: Session, base: AppConfig, team: str) -> Team:
    layered = effective(session, base).config
    if team not in layered.teams:
        raise InputError("roster.error.no_team", team=team, known=", ".join(layered.teams) or "—")
    return layered.teams[team]


def _person_key(config: AppConfig, text: str) -> str:
    """A person by key or exact name, as the roster knows them."""
    return find_person(config, text)[0]


def set_team(
    session: Session,
    ctx: Context,
    base: AppConfig,
    team: str,
    *,
    members: list[str] | None = None,
    start: dt.datetime | None = None,
    every: str | None = None,
    supervisor: str | None = None,
    deputy: str | None = None,
    action: str = "team",
) -> RosterChange:
    """Change a team's rotation (members in order, hand-over ``start`` as
    the centre's wall time, ``every`` daily/weekly/N days), supervisor or
    deputy ("" clears the deputy). Unset arguments keep what is there."""
    current = _team(session, base, team)
    layered = effective(session, base).config
    value = _dump(current)
    rotation = dict(value.get("rotation") or {})
    if members is not None:
        rotation["members"] = [_person_key(layered, m) for m in members if m.strip()]
        if not rotation["members"]:
            raise _empty_team(current, team)
    if start is not None:
        # The hand-over as the centre's wall time, as the TOML writes it.
        wall = start.astimezone(base.zone) if start.tzinfo else start
        rotation["start"] = wall.replace(tzinfo=None).isoformat(timespec="minutes")
    if every is not None:
        text = every.strip().lower()
        rotation["every"] = int(text) if text.isdigit() else text
    if rotation != dict(value.get("rotation") or {}):
        if "start" not in rotation or "members" not in rotation:
            raise InputError("roster.error.no_rotation", team=team)
        value["rotation"] = rotation
    if supervisor is not None:
        value["supervisor"] = _person_key(layered, supervisor)
    if deputy is not None:
        value["deputy"] = _person_key(layered, deputy) if deputy.strip() else None
    return _save(session, ctx, base, "team", team, action, value)


def add_member(
    session: Session, ctx: Context, base: AppConfig, team: str, person: str, position: int | None = None
) -> RosterChange:
    """Put ``person`` into ``team``'s rotation (last, or at ``position``, 1 = first)."""
    current = _team(session, base, team)
    if current.rotation is None:
        raise InputError("roster.error.no_rotation", team=team)
    key = _person_key(effective(session, base).config, person)
    members = list(current.rotation.members)
    if key in members:
        raise InputError("roster.error.already_member", person=key, team=team)
    members.insert(len(members) if position is None else max(position - 1, 0), key)
    return set_team(session, ctx, base, team, members=members, action="add_member")


def remove_member(session: Session, ctx: Context, base: AppConfig, team: str, person: str) -> RosterChange:
    """Take ``person`` out of ``team``'s rotation (never its last member)."""
    current = _team(session, base, team)
    key = _person_key(effective(session, base).config, person)
    members = list(current.rotation.members) if current.rotation else []
    if key not in members:
        raise InputError("roster.error.not_member", person=key, team=team)
    if len(members) == 1:
        raise InputError("roster.error.last_member", person=key, team=team)
    members.remove(key)
    return set_team(session, ctx, base, team, members=members, action="remove_member")


def set_person(
    session: Session, ctx: Context, base: AppConfig, key: str, fields: dict[str, str | None]
) -> RosterChange:
    """Change a person's name or contact ids (``""`` clears an optional
    one), or add a new person (a name is then required). The phone is the
    last four digits only, the pager id the provider's id, as in the TOML."""
    key = key.strip().lower()
    if not key or not set(key) <= _KEY_CHARS or len(key) > 100:
        raise InputError("roster.error.bad_key", key=key[:40])
    layered = effective(session, base).config
    existing = layered.people.get(key)
    value = _dump(existing) if existing else {}
    for name, raw in fields.items():
        if name not in PERSON_FIELDS or raw is None:
            continue
        text = clean_text(name, raw)[:200]
        value[name] = text or (None if name != "name" else "")
    if not value.get("name"):
        raise InputError("roster.error.name_needed", key=key)
    return _save(session, ctx, base, "person", key, "person" if existing else "new_person", value)


def reset(session: Session, ctx: Context, base: AppConfig, kind: str, key: str) -> RosterChange:
    """Drop the database's version of a team or person: the TOML's again."""
    if kind not in KINDS:
        raise InputError("roster.error.kind", kind=kind)
    row = session.scalar(select(RosterEntry).where(RosterEntry.kind == kind, RosterEntry.key == key))
    if row is None:
        raise InputError("roster.error.not_edited", kind=kind, key=key)
    # A person added here whom an edited team still names: refused by the checks.
    return _save(session, ctx, base, kind, key, "reset", None)


def history(session: Session, limit: int = 50, key: str | None = None) -> list[RosterChange]:
    q = select(RosterChange).order_by(RosterChange.id.desc()).limit(limit)
    if key:
        q = q.where(RosterChange.key == key)
    return list(session.scalars(q))


def diff(change: RosterChange) -> list[tuple[str, Any, Any]]:
    """(field, before, after) of what a change altered, rotation fields flattened."""

    def flat(value: dict[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in (value or {}).items():
            if isinstance(v, dict):
                out.update({f"{k}.{k2}": v2 for k2, v2 in v.items()})
            else:
                out[k] = v
        return out

    a, b = flat(change.before), flat(change.after)
    return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if _same(a.get(k)) != _same(b.get(k))]


def _same(value: Any) -> Any:
    """A value as compared: a time written ``08:00`` or ``08:00:00`` (as
    changes recorded before values were made canonical have it) is one instant."""
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and "T" in value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def shown(value: Any) -> str:
    """A value of a change as one short text (lists joined, none as —)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
