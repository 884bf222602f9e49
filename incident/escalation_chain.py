"""Who is tried next when a called-in role is not acknowledged.

The chain is the configured levels (config.EscalationConfig), repeated
round after round. A step's position counts every level passed, skipped or
not, so a chain is resumed where it stopped whatever the roster says now.
A level is skipped when it names nobody, when it names the holder
themself (孙丽 is her own team's supervisor: she is not told about
herself), or when it names the person tried at the step before; only a
chain with a single person in it pages that person again, round after
round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from incident.config import AppConfig, Team
from incident.roster import Cover, covering, on_call


@dataclass(frozen=True)
class Step:
    position: int  # 1-based, over the repeated levels
    level: str  # "holder" / "deputy" / "supervisor" / "duty_manager"
    person: str


def _deputy(
    config: AppConfig, team_key: str | None, team: Team | None, holder: str, at: dt.datetime, covers: Sequence[Cover]
) -> str | None:
    """The team's named deputy, else the rotation member after the holder
    (or after whoever is on call, when the holder is not in the rotation);
    someone covering for the deputy is tried in their place."""
    if team is None:
        return None
    if team.deputy:
        return team.deputy
    if team.rotation is None or len(team.rotation.members) < 2:
        return None
    members = team.rotation.members
    anchor = holder
    if anchor not in members and team_key:
        current = on_call(config, team_key, at, covers)
        anchor = current.person_key if current else members[0]
    i = members.index(anchor) if anchor in members else -1
    return members[(i + 1) % len(members)]


def person_at(
    config: AppConfig, level: str, team_key: str | None, holder: str, at: dt.datetime, covers: Sequence[Cover] = ()
) -> str | None:
    team = config.teams.get(team_key or "")
    if level == "holder":
        return holder
    if level == "deputy":
        deputy = _deputy(config, team_key, team, holder, at, covers)
        cover = covering(covers, team_key, deputy, at) if deputy and team_key else None
        return cover.person if cover else deputy
    if level == "supervisor":
        return team.supervisor if team else None
    return config.response.escalation.duty_manager


def next_step(
    config: AppConfig, team_key: str | None, holder: str, done: int, at: dt.datetime, covers: Sequence[Cover] = ()
) -> Step | None:
    """The step after position ``done`` (0: none yet), or None when the
    chain has run out (its rounds are over, or nobody is left to try)."""
    policy = config.response.escalation
    levels, size = policy.levels, len(policy.levels)
    previous = person_at(config, levels[(done - 1) % size], team_key, holder, at, covers) if done else holder
    last_round = (done - 1) // size if done else -1
    again: Step | None = None
    # Through the end of the next round: everyone in the chain is met within one round.
    for position in range(done + 1, done + 2 * size + 1):
        this_round = (position - 1) // size
        if policy.rounds and this_round >= policy.rounds:
            break
        level = levels[(position - 1) % size]
        person = person_at(config, level, team_key, holder, at, covers)
        if person is None or (person == holder and level != "holder"):
            continue
        if person != previous:
            return Step(position, level, person)
        if again is None and done and this_round > last_round:
            again = Step(position, level, person)
    # Nobody else in the chain: its one person is paged again in the next
    # round (never twice within one round, never right after the holder's
    # own call-in).
    return again
