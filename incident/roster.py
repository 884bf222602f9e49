"""Who is on call: rotations and explicit shifts from the config's roster.

Rotations are computed in the centre's wall-clock time, so a weekly
hand-over "Monday 09:00" stays at 09:00 local even in zones with daylight
saving, and day boundaries are the centre's, not UTC's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from incident.config import AppConfig, Person, Rotation, Shift, Team
from incident.enums import Role
from incident.errors import InputError
from incident.timeutil import as_utc


@dataclass(frozen=True)
class OnCall:
    team_key: str
    team: Team
    person_key: str
    person: Person
    source: str  # "shift", "rotation" or "cover"
    until: dt.datetime | None  # UTC end of the current turn, if known
    covering_for: str | None = None  # with source "cover": whose turn it is


@dataclass(frozen=True)
class Cover:
    """Someone covering for someone else for a while (stored and arranged
    by incident/roster_overrides.py; applied here)."""

    id: int
    person: str
    covers: str
    team: str | None
    start_at: dt.datetime
    end_at: dt.datetime

    def applies(self, team_key: str, who: str, at: dt.datetime) -> bool:
        return who == self.covers and (self.team is None or self.team == team_key) and self.start_at <= at < self.end_at


def covering(covers: Sequence[Cover], team_key: str, who: str, at: dt.datetime) -> Cover | None:
    """The cover that replaces ``who`` in ``team_key`` at ``at``: the one
    arranged last wins when two overlap."""
    found = [c for c in covers if c.applies(team_key, who, at)]
    return max(found, key=lambda c: c.id) if found else None


def _aware(value: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return as_utc(value, tz)


def _from_shifts(shifts: list[Shift], at: dt.datetime, tz: ZoneInfo) -> tuple[str, dt.datetime] | None:
    for shift in shifts:
        start, end = _aware(shift.start, tz), _aware(shift.end, tz)
        if start <= at < end:
            return shift.person, end
    return None


def _from_rotation(rotation: Rotation, at: dt.datetime, tz: ZoneInfo) -> tuple[str, dt.datetime] | None:
    start = rotation.start
    if start.tzinfo is not None:
        start = start.astimezone(tz).replace(tzinfo=None)
    wall = at.astimezone(tz).replace(tzinfo=None)
    if wall < start:
        return None  # the rotation has not begun
    turns = (wall - start) // rotation.period
    member = rotation.members[turns % len(rotation.members)]
    turn_end = start + (turns + 1) * rotation.period
    return member, as_utc(turn_end, tz)


def on_call(config: AppConfig, team_key: str, at: dt.datetime, covers: Sequence[Cover] = ()) -> OnCall | None:
    """The person on call for ``team_key`` at ``at`` (aware), or None;
    a cover (incident/roster_overrides.py) replaces the one it covers for."""
    team = config.teams[team_key]
    tz = config.zone
    at = as_utc(at)
    found = _from_shifts(team.shifts, at, tz)
    source = "shift"
    if found is None and team.rotation is not None:
        found, source = _from_rotation(team.rotation, at, tz), "rotation"
    if found is None:
        return None
    person_key, until = found
    cover = covering(covers, team_key, person_key, at)
    if cover is None:
        return OnCall(team_key, team, person_key, config.people[person_key], source, until)
    until = min(until, cover.end_at) if until else cover.end_at
    return OnCall(team_key, team, cover.person, config.people[cover.person], "cover", until, person_key)


def on_call_for_role(
    config: AppConfig, role: Role, at: dt.datetime, covers: Sequence[Cover] = ()
) -> tuple[str | None, OnCall | None]:
    """(team that covers ``role``, who is on call there). Teams are tried in
    config order; the first with someone on call wins."""
    first_team: str | None = None
    for key, team in config.teams.items():
        if role in team.roles:
            first_team = first_team or key
            found = on_call(config, key, at, covers)
            if found is not None:
                return key, found
    return first_team, None


def find_person(config: AppConfig, text: str) -> tuple[str, Person]:
    """Look a person up by roster key, Slack id, e-mail or exact name."""
    needle = text.strip()
    if needle in config.people:
        return needle, config.people[needle]
    low = needle.lower()
    matches = [
        (key, p)
        for key, p in config.people.items()
        if low in {key.lower(), (p.email or "").lower(), (p.slack_id or "").lower(), p.name.lower()}
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        known = ", ".join(sorted(config.people)) or "—"
        raise InputError("error.unknown_person", person=text, known=known)
    raise InputError("error.ambiguous_person", person=text, matches=", ".join(k for k, _ in matches))


def members(team: Team) -> set[str]:
    """Everyone the roster can put on call in ``team``."""
    return {*(team.rotation.members if team.rotation else ()), *(s.person for s in team.shifts)}


def display(config: AppConfig, key: str | None) -> str:
    """「孙丽 (sunli)」 for a roster key; the key itself when it is not in
    the roster; — for nobody."""
    if not key:
        return "—"
    person = config.people.get(key)
    return f"{person.name} ({key})" if person and person.name != key else key
