"""``incident watch replay``: stored complaints (and counted feed entries)
through the live series state, in time order (issue 19 §4).

A new install imports a few weeks of tickets, replays them, and starts
watching with a learnt baseline instead of a cold one. It is the live
scorer (:func:`incident.watch.volumes.score_family`) over a named span, a
day at a time, each day its own transaction: an interrupted replay keeps
what it did, and a series' ``next_bucket_at`` decides what is done, so
running it again, or ``incident watch --once`` after it, scores no bucket
twice. The past opens no incident: by default its alerts only teach the
detectors; ``drill`` lists what would have been opened and when, in one
transaction rolled back at the end (a dry run: the span can then be
replayed for real); ``open`` raises them as if live (a deliberate exercise).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.db import Store
from incident.errors import InputError
from incident.i18n import CATALOG
from incident.models import VolumeSeries
from incident.timeutil import parse_time
from incident.watch.volumes import Mode, ScoreReport, score_family

REPLAY_TEXTS: dict[str, tuple[str, str]] = {
    "watch.error.replay_time": (
        "{option} 的值「{value}」不是时间：请写 2026-11-01、2026-11-01 08:00 或带时区的 ISO 8601 时间",
        '{option} "{value}" is not a time: write 2026-11-01, 2026-11-01 08:00 or ISO 8601 with an offset',
    ),
    "watch.error.replay_order": (
        "--from（{start}）必须早于 --to（{end}）",
        "--from ({start}) must be before --to ({end})",
    ),
    "watch.error.replay_future": (
        "--from（{start}）在现在（{now}）之后：没有可回放的历史",
        "--from ({start}) is after now ({now}): there is no history to replay",
    ),
    "watch.error.replay_modes": (
        "--drill 与 --open 只能选一个",
        "choose --drill or --open, not both",
    ),
}
CATALOG.update(REPLAY_TEXTS)


@dataclass
class DayDone:
    day: dt.date  # the centre's day
    series: int
    buckets: int
    alerts: int


def parse_span(start: str, end: str | None, ctx: Context) -> tuple[dt.datetime, dt.datetime]:
    """``--from``/``--to`` strictly: a time the lead can read back, the span
    in order, not in the future (``--to`` defaults to now)."""
    zone, now = ctx.config.zone, ctx.clock.now()

    def one(option: str, text: str) -> dt.datetime:
        if text.strip().lower() in ("now", "现在"):
            return now
        try:
            return parse_time(text, zone, ctx.clock)
        except InputError:
            raise InputError("watch.error.replay_time", option=option, value=text) from None

    since = one("--from", start)
    until = one("--to", end) if end else now
    if since >= now:
        raise InputError("watch.error.replay_future", start=start, now=now.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
    if since >= until:
        raise InputError("watch.error.replay_order", start=start, end=end or "now")
    return since, min(until, now)


def scored_until(store: Store) -> dt.datetime | None:
    """The earliest ``next_bucket_at`` of any series: before it, every
    series has learnt (nothing earlier can be replayed into it)."""
    with store.transaction() as s:
        return s.scalar(select(func.min(VolumeSeries.next_bucket_at)))


def replay(
    store: Store,
    ctx: Context,
    since: dt.datetime,
    until: dt.datetime,
    *,
    mode: Mode = "quiet",
    families: tuple[str, ...] = ("complaints", "feeds"),
    progress: Callable[[DayDone], None] | None = None,
) -> ScoreReport:
    """Replay ``[since, until)`` a day (of the centre) at a time."""
    if mode != "drill":
        return _days(store.transaction, ctx, since, until, mode, families, progress)
    with store.session() as session:
        tx = session.begin()
        try:

            @contextlib.contextmanager
            def same() -> Iterator[Session]:
                yield session

            return _days(same, ctx, since, until, mode, families, progress)
        finally:
            tx.rollback()  # a dry run: no state advanced, no point stored


def _days(
    transaction: Callable[[], contextlib.AbstractContextManager[Session]],
    ctx: Context,
    since: dt.datetime,
    until: dt.datetime,
    mode: Mode,
    families: tuple[str, ...],
    progress: Callable[[DayDone], None] | None,
) -> ScoreReport:
    report = ScoreReport()
    zone = ctx.config.zone
    at = since
    while at < until:
        day = at.astimezone(zone).date()
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.timezone.utc)
        end = min(midnight, until)
        before = (report.series, report.buckets, report.alerts)
        done_series = 0
        for family in families:
            with transaction() as s:
                n = report.series
                score_family(s, ctx, family, report, since=since, until=end, mode=mode)
                done_series += report.series - n
        if progress is not None and report.buckets > before[1]:
            progress(DayDone(day, done_series, report.buckets - before[1], report.alerts - before[2]))
        at = end
    return report
