"""When and by whom callbacks (回访) are made: working hours, the agents of
the customer-service team and their open load (incident/remedy/callbacks.py
schedules and assigns with them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnClause, func, literal_column, select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.enums import Role
from incident.models import Callback

# "status = 'open'" written into the SQL, not bound: the partial indexes on
# open rows then answer the due and overdue queries by themselves (SQLite
# stops re-reading each row to check the status; a generic PostgreSQL plan
# can still use them). 1,000,000 callbacks: overdue count 127 → ~4 ms.
OPEN: ColumnClause[str] = literal_column("'open'")


# ---------------------------------------------------------------- hours --


def _local(config: AppConfig, t: dt.datetime) -> dt.datetime:
    return t.astimezone(config.zone)


def work_moment(config: AppConfig, t: dt.datetime) -> dt.datetime:
    """``t`` if it falls in working hours, else the next start of work."""
    cb = config.callbacks
    local = _local(config, t)
    for _ in range(15):
        if local.isoweekday() in cb.work_days:
            start = local.replace(hour=cb.work_start.hour, minute=cb.work_start.minute, second=0, microsecond=0)
            end = local.replace(hour=cb.work_end.hour, minute=cb.work_end.minute, second=0, microsecond=0)
            if local < start:
                return start.astimezone(dt.timezone.utc)
            if local < end:
                return local.astimezone(dt.timezone.utc)
        local = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return t


def next_work_day(config: AppConfig, t: dt.datetime) -> dt.datetime:
    """The start of work on the next working day after ``t``'s day."""
    local = _local(config, t)
    tomorrow = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return work_moment(config, tomorrow)


# --------------------------------------------------------------- agents --


def team_key(config: AppConfig) -> str | None:
    if config.callbacks.team:
        return config.callbacks.team
    return next((k for k, t in config.teams.items() if Role.CS_LEAD in t.roles), None)


def agents(config: AppConfig) -> list[str]:
    if config.callbacks.agents:
        return list(config.callbacks.agents)
    key = team_key(config)
    team = config.teams.get(key or "")
    if team is None:
        return []
    found = list(team.rotation.members) if team.rotation else []
    found += [s.person for s in team.shifts if s.person not in found]
    return found or [team.supervisor]


def supervisor(config: AppConfig) -> str | None:
    team = config.teams.get(team_key(config) or "")
    return team.supervisor if team else None


def _loads(session: Session, names: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(Callback.assignee, func.count())
        .where(Callback.status == OPEN, Callback.assignee.in_(names))
        .group_by(Callback.assignee)
    )
    load = {n: 0 for n in names}
    load.update({a: n for a, n in rows})
    return load
