"""``incident watch replay`` (issue 19 §4): imported history through the
live series state, idempotent, opening nothing for the past unless asked;
and ``incident watch --once`` saying how many tickets were too old to score."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, incident_now
from sqlalchemy import func, select

from incident.errors import InputError
from incident.models import Incident, Signal, VolumePoint, VolumeSeries
from incident.watch import jobs, replay
from tests.test_volumes import NOW, history, load, surge
from tests.test_volumes import det_ctx as _det_ctx

PAST_SURGE = NOW - dt.timedelta(days=2)
SINCE = NOW - dt.timedelta(days=15)


def det_ctx(clock):
    return _det_ctx(clock, backfill_days=7)


def weeks_of_tickets(store, ctx) -> list[dict]:
    rows = history(14, NOW - dt.timedelta(minutes=10)) + surge(PAST_SURGE, 80, "past")
    load(store, ctx, rows)
    return rows


def counts(store) -> tuple[int, int, int]:
    with store.transaction() as s:
        return (
            s.scalar(select(func.count()).select_from(Incident)),
            s.scalar(select(func.count()).select_from(Signal)),
            s.scalar(select(func.count()).select_from(VolumePoint)),
        )


def test_replay_learns_the_past_opens_nothing_and_runs_once(store, clock):
    ctx = det_ctx(clock)
    weeks_of_tickets(store, ctx)
    days = []
    rep = replay.replay(store, ctx, SINCE, NOW, progress=days.append)
    assert rep.alerts >= 1 and rep.opened == [] and rep.drill == []  # the past surge: learnt, not opened
    assert len(days) == 15 and all(d.buckets for d in days)  # a line per day of history
    incidents_, signals_, points = counts(store)
    assert (incidents_, signals_) == (0, 0) and points > 0
    with store.transaction() as s:
        total = s.scalars(select(VolumeSeries).where(VolumeSeries.key == "complaints")).one()
        assert total.next_bucket_at == NOW - dt.timedelta(minutes=5)
        state = dict(total.detector_state)
    # idempotent: again, then the live run, score nothing and change nothing
    again = replay.replay(store, ctx, SINCE, NOW)
    live = jobs.score_volumes(store, ctx)
    assert again.buckets == 0 and live.buckets == 0 and live.too_old == 0
    assert counts(store) == (0, 0, points)
    with store.transaction() as s:
        assert s.scalars(select(VolumeSeries).where(VolumeSeries.key == "complaints")).one().detector_state == state
    # and the live run goes on from where the replay stopped: the next two buckets of every series
    clock.advance(minutes=10)
    later = jobs.score_volumes(store, ctx)
    assert later.series > 0 and later.buckets == 2 * later.series


def test_drill_lists_what_would_have_been_opened_and_opens_nothing(store, clock):
    ctx = det_ctx(clock)
    weeks_of_tickets(store, ctx)
    rep = replay.replay(store, ctx, SINCE, NOW, mode="drill")
    assert counts(store)[:2] == (0, 0)
    first = rep.drill[0]
    assert first["at"] == PAST_SURGE.isoformat() and first["kind"] == "system_outage"
    assert first["series"] == "complaints" and first["observed"] >= 80 and first["baseline"] < 20
    assert first["dedup_key"] == "surge:system_outage"
    # a dry run: nothing advanced, so the span can be replayed for real afterwards
    again = replay.replay(store, ctx, SINCE, NOW)
    assert again.buckets == rep.buckets > 0 and counts(store)[:2] == (0, 0)


def test_open_raises_the_past_as_if_live(store, clock):
    ctx = det_ctx(clock)
    weeks_of_tickets(store, ctx)
    rep = replay.replay(store, ctx, SINCE, NOW, mode="open")
    assert len(set(rep.opened)) == 1
    with store.transaction() as s:
        sig = s.scalars(select(Signal).where(Signal.action == "opened")).one()
        assert sig.bucket_start == PAST_SURGE


def test_watch_once_counts_the_tickets_older_than_the_backfill_window(store, clock):
    ctx = det_ctx(clock)
    rows = weeks_of_tickets(store, ctx)
    rep = jobs.score_volumes(store, ctx)
    window = NOW - dt.timedelta(minutes=5) - dt.timedelta(days=7)
    older = sum(dt.datetime.fromisoformat(r["received_at"]) < window for r in rows)
    assert older > 1000 and rep.too_old == older


def test_replay_times_are_parsed_strictly(ctx):
    since, until = replay.parse_span("2026-11-01", "2026-11-20 08:00", ctx)
    assert since == dt.datetime(2026, 10, 31, 16, 0, tzinfo=dt.timezone.utc)  # centre time
    assert until == dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.timezone.utc)
    cases = [
        (("yesterday", None), "watch.error.replay_time", {"option": "--from"}),
        (("2026-11-01", "2026-13-01"), "watch.error.replay_time", {"option": "--to"}),
        (("2026-11-20", "2026-11-01"), "watch.error.replay_order", {}),
        (("2027-01-01", None), "watch.error.replay_future", {}),
    ]
    for (a, b), key, params in cases:
        with pytest.raises(InputError) as err:
            replay.parse_span(a, b, ctx)
        assert err.value.key == key and params.items() <= err.value.params.items()


SCRIPT = Path(sys.executable).with_name("incident")


def test_replay_command(db_url, tmp_path, store, clock):
    ctx = det_ctx(clock)
    weeks_of_tickets(store, ctx)
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(INCIDENT_CONFIG=str(EXAMPLE), INCIDENT_DATABASE_URL=db_url, INCIDENT_NOW=incident_now(NOW))

    def cli(*args: str, lang: str = "en") -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(SCRIPT), "--lang", lang, "watch", "replay", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    help_ = cli("--help").stdout
    assert "--open" in help_ and "deliberate" in help_ and "--drill" in help_
    bad = cli("--from", "last week")
    assert bad.returncode != 0 and '--from "last week" is not a time' in bad.stderr
    bad_zh = cli("--from", "2026-11-20", "--to", "2026-11-01", lang="zh-CN")
    assert bad_zh.returncode != 0 and "--from（2026-11-20）必须早于 --to（2026-11-01）" in bad_zh.stderr
    run = cli("--from", "2026-11-09", "--drill")
    assert run.returncode == 0, run.stderr
    assert "2026-11-10: " in run.stdout and "replay done:" in run.stdout and "surge:system_outage" in run.stdout
    assert counts(store)[:2] == (0, 0)
    # the drill was a dry run: the real replay still has every bucket to learn, then none
    real = cli("--from", "2026-11-09", "--json")
    assert real.returncode == 0, real.stderr
    assert json.loads(real.stdout)["buckets"] > 0 and counts(store)[:2] == (0, 0)
    again = cli("--from", "2026-11-09", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["buckets"] == 0
