"""Storing a poll of a feed: entries once, updates as updates, source
health, and upstream status-page incidents as outage signals.

The network side is :mod:`incident.watch.fetch` and the parsing side
:mod:`incident.watch.feedparse`; this module only touches the database and
takes a session without committing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incident.config import AppConfig, FeedSource
from incident.context import Context
from incident.db import insert_for, insert_new
from incident.enums import Kind, Severity
from incident.i18n import t
from incident.models import FeedEntry, FeedSourceState, Signal
from incident.watch.classify import Rules
from incident.watch.feedparse import Entry, Parsed
from incident.watch.fetch import FetchError
from incident.watch.signals import Alert, raise_alert

MAX_WARNINGS = 10
_STATUS = re.compile(
    r"^(?:[A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d{2}(?: UTC)?\s*)?"
    r"(Resolved|Update|Investigating|Identified|Monitoring|Postmortem|Scheduled|In progress|Verifying|Completed)\b"
)


@dataclass
class PollReport:
    source: str
    ok: bool
    not_modified: bool = False
    entries: int = 0
    new: int = 0
    updated: int = 0
    signals: int = 0
    opened: list[int] = field(default_factory=list)
    drafted: list[int] = field(default_factory=list)  # by incident.watch.prepare, when switched on
    error_key: str | None = None
    error_params: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def source_state(session: Session, name: str, source: FeedSource) -> FeedSourceState:
    state = session.scalars(select(FeedSourceState).where(FeedSourceState.name == name)).one_or_none()
    if state is None:
        session.execute(
            insert_for(session, FeedSourceState)
            .values(
                name=name,
                url=source.url,
                polls=0,
                consecutive_failures=0,
                warnings=[],
                last_error_params={},
                entries_new=0,
                entries_updated=0,
            )
            .on_conflict_do_nothing(index_elements=["name"])
        )
        state = session.scalars(select(FeedSourceState).where(FeedSourceState.name == name)).one()
    if state.url != source.url:
        # A new address is a new conversation: old validators do not apply.
        state.url, state.etag, state.last_modified = source.url, None, None
    return state


def upstream_state(entry: Entry) -> str:
    """The latest status line of a Statuspage-style entry ("Resolved", …)."""
    m = _STATUS.match(entry.summary)
    return m.group(1).lower() if m else "update"


def record_failure(session: Session, ctx: Context, name: str, source: FeedSource, error: FetchError) -> PollReport:
    state = source_state(session, name, source)
    now = ctx.clock.now()
    _count(state, polls=1, consecutive_failures=1)
    state.last_polled_at = now
    state.last_error_key, state.last_error_params, state.last_error_at = error.key, dict(error.params), now
    return PollReport(name, ok=False, error_key=error.key, error_params=dict(error.params))


def record_not_modified(session: Session, ctx: Context, name: str, source: FeedSource) -> PollReport:
    state = source_state(session, name, source)
    now = ctx.clock.now()
    _count(state, polls=1)
    state.last_polled_at = state.last_success_at = now
    state.consecutive_failures = 0
    return PollReport(name, ok=True, not_modified=True)


def _count(state: FeedSourceState, **by: int) -> None:
    """Add to the source's counters in the database (``SET n = n + k``), not
    from the value this session read: two workers polling at once would
    otherwise both write the same total and lose a count (PostgreSQL's
    read committed; SQLite serialises writers anyway)."""
    for name, k in by.items():
        setattr(state, name, getattr(FeedSourceState, name) + k)


def record_poll(
    session: Session,
    ctx: Context,
    name: str,
    source: FeedSource,
    parsed: Parsed,
    rules: Rules,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> PollReport:
    """Store a successful poll. Entries already stored with the same content
    add nothing; changed content bumps the entry's version."""
    config: AppConfig = ctx.config
    now = ctx.clock.now()
    state = source_state(session, name, source)
    first_poll = state.last_success_at is None
    brand_terms = [*config.watch.brand_terms, *source.brand_terms]
    report = PollReport(name, ok=True, entries=len(parsed.entries), warnings=parsed.warnings[:MAX_WARNINGS])

    by_key = {e.key: e for e in parsed.entries}
    existing: dict[str, tuple[int, str, int]] = {}
    keys = list(by_key)
    for i in range(0, len(keys), 500):
        for row in session.execute(
            select(FeedEntry.entry_key, FeedEntry.id, FeedEntry.content_hash, FeedEntry.version).where(
                FeedEntry.entry_key.in_(keys[i : i + 500])
            )
        ):
            existing[row[0]] = (row[1], row[2], row[3])

    fresh, changed = [], []
    for entry in parsed.entries:
        known = existing.get(entry.key)
        if known is None:
            fresh.append(entry)
        elif known[1] != entry.content_hash:
            changed.append((known, entry))

    def classified(entry: Entry) -> dict[str, Any]:
        c = rules.classify(f"{entry.title}\n{entry.summary}", brand_terms)
        return {"topics": list(c.topics), "negative": c.negative, "brand": c.brand}

    inserted: set[str] = set()
    for i in range(0, len(fresh), 500):
        rows = [
            dict(
                entry_key=e.key,
                source=name,
                source_kind=source.kind,
                guid=e.guid,
                link=e.link,
                title=e.title,
                summary=e.summary,
                author=e.author,
                language=source.language,
                published_at=e.published_at,
                content_hash=e.content_hash,
                version=1,
                first_seen_at=now,
                updated_at=now,
                **classified(e),
            )
            for e in fresh[i : i + 500]
        ]
        # Another source (or worker) may have stored the same entry since we
        # looked: the unique key decides, and only our inserts count as new.
        inserted.update(insert_new(session, FeedEntry.__table__, rows, "entry_key"))
    for (entry_id, _, version), e in changed:
        session.execute(
            update(FeedEntry)
            .where(FeedEntry.id == entry_id)
            .values(
                title=e.title,
                summary=e.summary,
                link=e.link,
                author=e.author,
                published_at=e.published_at,
                content_hash=e.content_hash,
                version=version + 1,
                updated_at=now,
                **classified(e),
            )
        )
    report.new = len(inserted)
    report.updated = len(changed)

    if source.kind == "status_page":
        horizon = now - dt.timedelta(hours=config.watch.first_poll_hours)
        candidates = [(by_key[k], 1, True) for k in inserted] + [(e, v + 1, False) for (_, _, v), e in changed]
        for entry, version, is_new in candidates:
            status = upstream_state(entry)
            if first_poll and (status == "resolved" or (entry.published_at or now) < horizon):
                continue  # history, not news
            signal = _upstream_signal(session, ctx, name, source, entry, version, status, is_new)
            if signal is not None:
                report.signals += 1
                if signal.action == "opened" and signal.incident_id:
                    report.opened.append(signal.incident_id)

    _count(state, polls=1, entries_new=report.new, entries_updated=report.updated)
    state.last_polled_at = state.last_success_at = now
    state.consecutive_failures = 0
    state.last_error_key, state.last_error_params = None, {}
    state.etag, state.last_modified = etag, last_modified
    state.warnings = list(parsed.warnings[:MAX_WARNINGS])
    return report


def _upstream_signal(
    session: Session, ctx: Context, name: str, source: FeedSource, entry: Entry, version: int, status: str, is_new: bool
) -> Signal | None:
    """An upstream provider's incident, new or updated, is an outage signal
    for us: it opens (or feeds) one incident per upstream incident. An
    update to one that is already resolved only attaches; it opens nothing."""
    lang = ctx.config.centre.language
    resolved = status == "resolved"
    severity = Severity.SEV4 if resolved else source.severity
    alert = Alert(
        series_key=f"upstream:{name}:{entry.key[:24]}:v{version}",
        bucket_start=entry.published_at or ctx.clock.now(),
        kind=Kind.SYSTEM_OUTAGE,
        severity=severity,
        dedup_key=f"upstream:{name}:{entry.key[:24]}",
        title=t("watch.title.upstream", lang, source=name, title=entry.title),
        reason_key="watch.reason.upstream",
        reason_params={"source": name, "title": entry.title, "status": status, "new": is_new},
        samples=[
            {
                "title": entry.title,
                "link": entry.link,
                "summary": entry.summary[:300],
                "published": entry.published_at.isoformat() if entry.published_at else None,
            }
        ],
        extra={"upstream_status": status, "entry_key": entry.key, "version": version},
        may_open=is_new or not resolved,
    )
    return raise_alert(session, ctx, alert)
