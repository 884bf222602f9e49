"""The watch jobs as plain functions: what the Prefect flows and the CLI
run. They own their transactions (a short one per step), because a feed
fetch must never hold a database transaction open while it waits on the
network."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import select

from incident.context import Context
from incident.db import Store
from incident.errors import InputError
from incident.models import FeedSourceState
from incident.watch import complaints as intake
from incident.watch import feeds
from incident.watch.classify import rules_for
from incident.watch.feedparse import parse
from incident.watch.fetch import FetchError, fetch
from incident.watch.prepare import prepare
from incident.watch.volumes import ScoreReport, score_family

log = logging.getLogger("incident.watch")


def poll_feed(
    store: Store, ctx: Context, name: str, *, client: httpx.Client | None = None, raise_transient: bool = False
) -> feeds.PollReport:
    """Fetch, parse and store one source, recording its health either way.
    With ``raise_transient`` a network failure is re-raised after it is
    recorded, so that the caller (a Prefect task) can retry it."""
    source = ctx.config.feeds[name]
    with store.transaction() as s:
        state = feeds.source_state(s, name, source)
        etag, last_modified = state.etag, state.last_modified
    try:
        result = fetch(source, ctx.config.watch, etag=etag, last_modified=last_modified, client=client)
        if result.status == 304:
            with store.transaction() as s:
                return feeds.record_not_modified(s, ctx, name, source)
        parsed = parse(result.body, result.headers)
    except FetchError as error:
        with store.transaction() as s:
            report = feeds.record_failure(s, ctx, name, source, error)
        # the failure is in the source's health and the caller's report;
        # a log line at info level is enough here
        log.info("feed %s failed: %s", name, error)
        if raise_transient and error.transient:
            raise
        return report
    with store.transaction() as s:
        report = feeds.record_poll(
            s, ctx, name, source, parsed, rules_for(ctx), etag=result.etag, last_modified=result.last_modified
        )
    if report.opened:
        report.drafted = prepare(store, ctx, report.opened, opened=set(report.opened)).drafted
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


def poll_all(store: Store, ctx: Context, names: list[str] | None = None) -> list[feeds.PollReport]:
    """Poll every enabled source (or the named ones); one bad source never
    stops the others."""
    names = names or [n for n, src in ctx.config.feeds.items() if src.enabled]
    reports = []
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        for name in names:
            try:
                reports.append(poll_feed(store, ctx, name, client=client))
            except Exception as exc:  # a bug on one source must not stop the rest
                log.exception("feed %s: unexpected failure", name)
                reports.append(
                    feeds.PollReport(
                        name,
                        ok=False,
                        error_key="feed.error.internal",
                        error_params={"reason": f"{type(exc).__name__}: {exc}"[:300]},
                    )
                )
    return reports


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
