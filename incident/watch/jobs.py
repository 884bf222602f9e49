"""The watch jobs as plain functions: what the Prefect flows and the CLI
run. They own their transactions (short ones), because a feed fetch must
never hold a database transaction open while it waits on the network: the
feed poller (incident/watch/polling.py) fetches first and stores what has
arrived in batches."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from incident.context import Context
from incident.db import Store
from incident.errors import InputError
from incident.models import FeedSourceState
from incident.watch import complaints as intake
from incident.watch import feeds, polling
from incident.watch.classify import rules_for
from incident.watch.fetch import FetchError
from incident.watch.polling import Progress
from incident.watch.prepare import prepare
from incident.watch.volumes import ScoreReport, score_family

log = logging.getLogger("incident.watch")


def poll_feed(store: Store, ctx: Context, name: str, *, raise_transient: bool = False) -> feeds.PollReport:
    """Fetch, parse and store one source, recording its health either way.
    With ``raise_transient`` a network failure is re-raised after it is
    recorded, so that the caller can retry it."""
    report = poll_all(store, ctx, [name])[0]
    if raise_transient and report.transient and report.error_key:
        raise FetchError(report.error_key, transient=True, **report.error_params)
    return report


def due_sources(store: Store, ctx: Context) -> list[str]:
    """Enabled sources whose poll interval has passed since the last poll
    (a failed poll counts too, so a dead source is not hammered)."""
    now = ctx.clock.now()
    with store.transaction() as s:
        last = {row[0]: row[1] for row in s.execute(select(FeedSourceState.name, FeedSourceState.last_polled_at))}
    due = []
    for name, src in ctx.config.feeds.items():
        polled = last.get(name)
        # a little slack so that a flow running every minute polls a
        # 5-minute source every 5 minutes, not every 6
        if src.enabled and (polled is None or now - polled >= dt.timedelta(minutes=src.poll_minutes, seconds=-20)):
            due.append(name)
    return due


def poll_all(
    store: Store, ctx: Context, names: list[str] | None = None, *, progress: Progress | None = None
) -> list[feeds.PollReport]:
    """Poll every enabled source (or the named ones) concurrently; one bad
    or slow source never stops or delays the others, and every outcome,
    unexpected ones included, is recorded in the source's health.
    ``progress(done, total)`` is called as sources are stored. Reports come
    back in the order of ``names``."""
    names = names or [n for n, src in ctx.config.feeds.items() if src.enabled]
    if not names:
        return []
    reports = polling.run(store, ctx, names, progress)
    opened = [i for rep in reports for i in rep.opened]
    if opened:
        drafted = set(prepare(store, ctx, opened, opened=set(opened)).drafted)
        for rep in reports:
            rep.drafted = [i for i in rep.opened if i in drafted]
    return reports


def poll_chunk(
    store: Store,
    ctx: Context,
    names: list[str],
    *,
    retry_after: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[list[str]], None] | None = None,
) -> list[feeds.PollReport]:
    """One chunk of sources for a flow task: poll them all, then once more
    (after ``retry_after`` seconds) those that failed for a reason worth
    retrying (timeouts, refused connections, 5xx). The second outcome is the
    one reported; both are in the sources' health."""
    reports = poll_all(store, ctx, names)
    again = [rep.source for rep in reports if rep.transient]
    if not again:
        return reports
    log.info("re-polling %d source(s) after a transient failure", len(again))
    if on_retry is not None:
        on_retry(again)
    sleep(retry_after)
    retried = {rep.source: rep for rep in poll_all(store, ctx, again)}
    return [retried.get(rep.source, rep) for rep in reports]


def score_volumes(store: Store, ctx: Context, families: tuple[str, ...] = ("complaints", "feeds")) -> ScoreReport:
    report = ScoreReport()
    for family in families:
        with store.transaction() as s:
            score_family(s, ctx, family, report)
    touched = report.opened + report.attached
    if touched:
        done = prepare(store, ctx, touched, opened=set(report.opened))
        report.drafted, report.customers, report.callbacks = done.drafted, done.customers, done.callbacks
    return report


def import_complaints(
    store: Store,
    ctx: Context,
    path: Path,
    *,
    fmt: str | None = None,
    chunk: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> intake.IntakeReport:
    """Import a CSV or JSONL file in chunks, each its own transaction: an
    interrupted import keeps what it stored, and running it again adds only
    the rest (tickets are unique by their id)."""
    if not path.is_file():
        raise InputError("complaint.error.no_file", path=str(path))
    records = intake.read_records(path, fmt)
    rules = rules_for(ctx)
    report = intake.IntakeReport()
    source = f"file:{path.name}"
    batch: list = []
    with path.open("rb") as fh:
        total_lines = max(1, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")))

    def flush() -> None:
        with store.transaction() as s:
            intake.ingest(s, ctx, batch, rules, source, report)
        if progress:
            progress(min(batch[-1][0], total_lines), total_lines)
        batch.clear()

    for item in records:
        batch.append(item)
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return report
