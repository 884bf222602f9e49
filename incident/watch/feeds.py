"""Storing a poll of a feed: entries once, updates as updates, source
health, and upstream status-page incidents as outage signals.

The network side is :mod:`incident.watch.fetch` and the parsing side
:mod:`incident.watch.feedparse`; this module only touches the database and
takes a session without committing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incident import incidents
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
    transient: bool = False  # a failure worth retrying soon (timeout, 5xx …)
    warnings: list[str] = field(default_factory=list)


def scoped_key(source: str, story_key: str) -> str:
    """The stored key of a story as carried by one source (migration 0009
    computes the same from stored columns: keep the two in step)."""
    return hashlib.sha256(f"{source}\x1f{story_key}".encode()).hexdigest()


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


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
        state.url, state.etag, state.last_modified, state.body_hash = source.url, None, None, None
    return state


def upstream_state(entry: Entry) -> str:
    """The latest status line of a Statuspage-style entry ("Resolved", …)."""
    m = _STATUS.match(entry.summary)
    return m.group(1).lower() if m else "update"


def record_failure(
    session: Session, ctx: Context, name: str, source: FeedSource, error: FetchError, *, body_sha: str | None = None
) -> PollReport:
    """A failed poll. ``body_sha``: the hash of a body that was fetched but
    refused, so that the same body again is refused without a parse; any
    other failure forgets the last hash (the next body is parsed)."""
    state = source_state(session, name, source)
    state.body_hash = body_sha
    now = ctx.clock.now()
    _count(state, polls=1, consecutive_failures=1)
    state.last_polled_at = now
    state.last_error_key, state.last_error_params, state.last_error_at = error.key, dict(error.params), now
    return PollReport(name, ok=False, error_key=error.key, error_params=dict(error.params), transient=error.transient)


def record_not_modified(
    session: Session,
    ctx: Context,
    name: str,
    source: FeedSource,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> PollReport:
    """A 304, or a 200 whose body is the one stored last time (validators
    sent with it replace the old ones)."""
    state = source_state(session, name, source)
    now = ctx.clock.now()
    _count(state, polls=1)
    state.last_polled_at = state.last_success_at = now
    state.consecutive_failures = 0
    state.last_error_key, state.last_error_params = None, {}
    if etag or last_modified:
        state.etag, state.last_modified = etag, last_modified
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
    body_sha: str | None = None,
) -> PollReport:
    """Store a successful poll. Entries are this source's (keyed by
    :func:`scoped_key`); entries already stored with the same content add
    nothing; changed content bumps the entry's version."""
    config: AppConfig = ctx.config
    now = ctx.clock.now()
    state = source_state(session, name, source)
    first_poll = state.last_success_at is None
    brand_terms = [*config.watch.brand_terms, *source.brand_terms]
    report = PollReport(name, ok=True, entries=len(parsed.entries), warnings=parsed.warnings[:MAX_WARNINGS])

    by_key = {scoped_key(name, e.key): e for e in parsed.entries}
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
    for key, entry in by_key.items():
        known = existing.get(key)
        if known is None:
            fresh.append((key, entry))
        elif known[1] != entry.content_hash:
            changed.append((known, entry))

    def classified(entry: Entry) -> dict[str, Any]:
        c = rules.classify(f"{entry.title}\n{entry.summary}", brand_terms)
        return {"topics": list(c.topics), "negative": c.negative, "brand": c.brand}

    inserted: set[str] = set()
    for i in range(0, len(fresh), 500):
        rows = [
            dict(
                entry_key=key,
                story_key=e.key,
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
            for key, e in fresh[i : i + 500]
        ]
        # Another worker may have stored the same entry since we looked:
        # the unique key decides, and only our inserts count as new.
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
        _upstream_signals(session, ctx, name, source, report, first_poll, [by_key[k] for k in inserted], changed)

    _count(state, polls=1, entries_new=report.new, entries_updated=report.updated)
    state.last_polled_at = state.last_success_at = now
    state.consecutive_failures = 0
    state.last_error_key, state.last_error_params = None, {}
    state.etag, state.last_modified = etag, last_modified
    state.body_hash = body_sha
    state.warnings = list(parsed.warnings[:MAX_WARNINGS])
    return report


def _upstream_signals(
    session: Session,
    ctx: Context,
    name: str,
    source: FeedSource,
    report: PollReport,
    first_poll: bool,
    inserted: list[Entry],
    changed: list[tuple[tuple[int, str, int], Entry]],
) -> None:
    """New and changed upstream entries become signals. An entry new to
    this source whose story another source already carries is no new
    upstream incident: with the same text it says nothing new (no signal),
    with other text it is an update of that story."""
    now = ctx.clock.now()
    horizon = now - dt.timedelta(hours=ctx.config.watch.first_poll_hours)
    elsewhere: dict[str, set[str]] = {}
    stories = [e.key for e in inserted]
    for i in range(0, len(stories), 500):
        for story, content in session.execute(
            select(FeedEntry.story_key, FeedEntry.content_hash).where(
                FeedEntry.story_key.in_(stories[i : i + 500]), FeedEntry.source != name
            )
        ):
            elsewhere.setdefault(story, set()).add(content)
    candidates = [(e, 1, e.key not in elsewhere) for e in inserted if e.content_hash not in elsewhere.get(e.key, ())]
    candidates += [(e, v + 1, False) for (_, _, v), e in changed]
    for entry, version, is_new in candidates:
        status = upstream_state(entry)
        if first_poll and (status == "resolved" or (entry.published_at or now) < horizon):
            continue  # history, not news
        signal = _upstream_signal(session, ctx, name, source, entry, version, status, is_new)
        if signal is not None:
            report.signals += 1
            if signal.action == "opened" and signal.incident_id:
                report.opened.append(signal.incident_id)


def _upstream_dedup_key(session: Session, name: str, entry: Entry) -> str:
    """One incident per upstream incident: keyed by the story, whichever
    source carries it. An incident opened before 0009 under the old
    per-source key keeps receiving its updates."""
    legacy = f"upstream:{name}:{entry.key[:24]}"
    if incidents.find_open_by_dedup(session, legacy) is not None:
        return legacy
    return f"upstream:{entry.key[:24]}"


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
        dedup_key=_upstream_dedup_key(session, name, entry),
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
        extra={"upstream_status": status, "story_key": entry.key, "source": name, "version": version},
        may_open=is_new or not resolved,
    )
    return raise_alert(session, ctx, alert)
