"""On-call resolution across rotation hand-overs and the Shanghai day boundary."""

import datetime as dt

import pytest

from incident.config import AppConfig
from incident.enums import Role
from incident.roster import on_call, on_call_for_role

UTC = dt.timezone.utc


def cfg(**teams) -> AppConfig:
    people = {k: {"name": k.upper()} for k in ("a", "b", "c", "boss", "night")}
    roles = sorted({r for team in teams.values() for r in team["roles"]})
    return AppConfig.model_validate({"people": people, "teams": teams, "response": {"rules": [{"roles": roles}]}})


WEEKLY = {
    "roles": ["incident_lead"],
    "supervisor": "boss",
    # Monday 2026-01-05 09:00 Shanghai = 01:00 UTC
    "rotation": {"members": ["a", "b", "c"], "start": "2026-01-05T09:00", "every": "weekly"},
}


def who(config, team, at):
    found = on_call(config, team, at)
    return found.person_key if found else None


def test_weekly_handover_at_0900_shanghai():
    config = cfg(ops=WEEKLY)
    # 2026-11-23 is a Monday; 46 weeks after the start → 46 % 3 = 1 → "b" starts then.
    before = dt.datetime(2026, 11, 23, 0, 59, 59, tzinfo=UTC)  # 08:59:59 local
    at = dt.datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 local
    assert who(config, "ops", before) == "a"
    assert who(config, "ops", at) == "b"
    found = on_call(config, "ops", at)
    assert found.until == dt.datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert found.source == "rotation"


def test_daily_rotation_turns_at_shanghai_midnight_not_utc():
    config = cfg(
        cs={
            "roles": ["cs_lead"],
            "supervisor": "boss",
            "rotation": {"members": ["a", "b"], "start": "2026-01-01T00:00", "every": "daily"},
        }
    )
    # 16:00 UTC is midnight in Shanghai: the UTC date has not changed, Shanghai's has.
    late = dt.datetime(2026, 11, 23, 15, 59, tzinfo=UTC)
    midnight = dt.datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    assert who(config, "cs", late) != who(config, "cs", midnight)
    # and nothing changes at UTC midnight (08:00 in Shanghai)
    assert who(config, "cs", dt.datetime(2026, 11, 23, 23, 59, tzinfo=UTC)) == who(
        config, "cs", dt.datetime(2026, 11, 24, 0, 1, tzinfo=UTC)
    )


def test_explicit_shift_over_midnight_overrides_rotation():
    team = dict(WEEKLY, shifts=[{"person": "night", "start": "2026-11-23T22:00", "end": "2026-11-24T06:00"}])
    config = cfg(ops=team)
    assert who(config, "ops", dt.datetime(2026, 11, 23, 13, 59, tzinfo=UTC)) == "b"  # 21:59 local
    assert who(config, "ops", dt.datetime(2026, 11, 23, 14, 0, tzinfo=UTC)) == "night"  # 22:00
    assert who(config, "ops", dt.datetime(2026, 11, 23, 16, 30, tzinfo=UTC)) == "night"  # 00:30 next day
    shift = on_call(config, "ops", dt.datetime(2026, 11, 23, 16, 30, tzinfo=UTC))
    assert shift.source == "shift" and shift.until == dt.datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    assert who(config, "ops", dt.datetime(2026, 11, 23, 22, 0, tzinfo=UTC)) == "b"  # 06:00 back to rotation


def test_before_rotation_starts_nobody_and_next_team_covers():
    config = cfg(
        first={"roles": ["scribe"], "supervisor": "boss", "rotation": {"members": ["a"], "start": "2030-01-01T00:00"}},
        second={"roles": ["scribe"], "supervisor": "boss", "rotation": {"members": ["c"], "start": "2026-01-01T00:00"}},
    )
    at = dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert who(config, "first", at) is None
    team, found = on_call_for_role(config, Role.SCRIBE, at)
    assert team == "second" and found.person_key == "c"


def test_example_roster_resolves_everyone(config):
    at = dt.datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    for key in config.teams:
        assert on_call(config, key, at) is not None, key


@pytest.mark.parametrize("every,days", [("daily", 1), ("weekly", 7), (3, 3)])
def test_rotation_period(every, days):
    config = cfg(
        t={
            "roles": ["scribe"],
            "supervisor": "boss",
            "rotation": {"members": ["a", "b"], "start": "2026-01-01T08:00", "every": every},
        }
    )
    start = dt.datetime(2026, 1, 1, 0, 0, tzinfo=UTC)  # 08:00 local
    assert who(config, "t", start) == "a"
    assert who(config, "t", start + dt.timedelta(days=days) - dt.timedelta(seconds=1)) == "a"
    assert who(config, "t", start + dt.timedelta(days=days)) == "b"
