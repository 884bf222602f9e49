"""Keep each incident's Slack channel in step with the incident.

A reconciliation, not a stream of calls: each run compares what Slack was
last given (``slack_channels``) with the incident now and makes only the
calls that close the gap — create the channel (a taken name gets ``-2``,
``-3`` …), set the topic, invite the response group (by Slack id, or looked
up by e-mail), post and pin the summary or update it in place, post the
timeline events after the cursor, the final summary, the archive once due.
Each step is committed as soon as Slack confirms it, so a run cut short
(Slack down, 429s beyond the retries, a crash) resumes where it stopped
and loses nothing: the timeline is the queue. Slack's failures are
recorded on the row, never raised into the incident's own work.

A runner (owns its transactions), like the outbox senders.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from incident import outbox_engine
from incident.adapters.slack import SlackError, SlackGateway
from incident.context import Context
from incident.db import Store
from incident.enums import Status
from incident.models import Incident, ResponseClock, RoleAssignment, SlackChannel, Statement, TimelineEvent
from incident.slack import summary as view

log = logging.getLogger("incident.slack")

MAX_NAME_TRIES = 10
EVENTS_PER_RUN = 200


@dataclass
class SyncReport:
    incidents: int = 0
    calls: int = 0
    posted_events: int = 0
    errors: list[str] = field(default_factory=list)


def _row(store: Store, ctx: Context, incident_id: int) -> SlackChannel:
    with store.transaction() as s:
        row = s.scalar(select(SlackChannel).where(SlackChannel.incident_id == incident_id))
        if row is None:
            now = ctx.clock.now()
            row = SlackChannel(
                incident_id=incident_id,
                invited=[],
                last_event_id=0,
                final_posted=False,
                attempts=0,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
        return row


def _save(store: Store, ctx: Context, incident_id: int, **values: Any) -> None:
    with store.transaction() as s:
        row = s.scalar(select(SlackChannel).where(SlackChannel.incident_id == incident_id).with_for_update())
        assert row is not None
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = ctx.clock.now()


def _members(ctx: Context, gateway: SlackGateway, people: list[str]) -> dict[str, str]:
    """Roster key → Slack user id: the configured slack_id, else looked up
    by e-mail (people found in neither are left out)."""
    found: dict[str, str] = {}
    for key in people:
        person = ctx.config.people.get(key)
        if person is None:
            continue
        uid = person.slack_id or (gateway.lookup_email(person.email) if person.email else None)
        if uid:
            found[key] = uid
    return found


def sync_incident(
    store: Store, ctx: Context, gateway: SlackGateway, incident_id: int, report: SyncReport | None = None
) -> SyncReport:
    report = report or SyncReport()
    cfg, lang, now = ctx.config.slack, ctx.config.centre.language, ctx.clock.now()
    row = _row(store, ctx, incident_id)
    if row.archived_at is not None:
        return report
    with store.read() as s:
        incident = s.get(Incident, incident_id)
        assert incident is not None
        assignments = list(
            s.scalars(
                select(RoleAssignment)
                .where(RoleAssignment.incident_id == incident_id, RoleAssignment.ended_at.is_(None))
                .order_by(RoleAssignment.id)
            )
        )
        clocks = list(
            s.scalars(select(ResponseClock).where(ResponseClock.incident_id == incident_id).order_by(ResponseClock.id))
        )
        statements = list(
            s.scalars(select(Statement).where(Statement.incident_id == incident_id).order_by(Statement.number))
        )
        events = list(
            s.scalars(
                select(TimelineEvent)
                .where(TimelineEvent.incident_id == incident_id, TimelineEvent.id > row.last_event_id)
                .order_by(TimelineEvent.id)
                .limit(EVENTS_PER_RUN)
            )
        )
    report.incidents += 1
    closed = incident.status in (Status.RESOLVED.value, Status.CLOSED.value)
    latest = next((st for st in reversed(statements) if st.status in ("published", "approved")), None)
    in_review = [st for st in statements if st.status == "in_review"]
    channel = row.channel_id

    def call(fn: Any, *args: Any) -> Any:
        """One Web API call; a channel the bot was removed from is joined
        again and the call repeated once."""
        report.calls += 1
        try:
            return fn(*args)
        except SlackError as exc:
            if exc.error != "not_in_channel" or channel is None:
                raise
            gateway.join(channel)
            report.calls += 1
            return fn(*args)

    try:
        if channel is None:
            for attempt in range(MAX_NAME_TRIES):
                name = view.channel_name(cfg.channel_prefix, incident, attempt)
                try:
                    report.calls += 1
                    created = gateway.create_channel(name, cfg.private_channels)
                    break
                except SlackError as exc:
                    if exc.error != "name_taken" or attempt == MAX_NAME_TRIES - 1:
                        raise
            channel = created.id
            _save(store, ctx, incident_id, channel_id=created.id, name=created.name)
        topic = view.topic(incident, lang)
        if topic != row.topic:
            call(gateway.set_topic, channel, topic)
            _save(store, ctx, incident_id, topic=topic)
        # ``invited`` holds roster keys: each person is looked up and asked once.
        invited = list(row.invited or [])
        new_people = [a.person for a in assignments if a.person not in invited]
        ids = _members(ctx, gateway, list(dict.fromkeys(new_people)))
        wanted = list(dict.fromkeys(ids.values()))
        if wanted:
            try:
                problems = call(gateway.invite, channel, wanted)
            except SlackError as exc:
                # Every one of them failed: in already, or an id Slack does not know.
                if exc.error not in ("already_in_channel", "cant_invite_self", "user_not_found"):
                    raise
                problems = [{"user": u, "error": exc.error} for u in wanted]
            for p in problems:
                if p.get("error") == "user_not_found":
                    log.warning(
                        "slack: user %s (INC-%s response group) does not exist; check slack_id in [people]",
                        p.get("user"),
                        incident_id,
                    )
        if new_people:
            # Not asked again either way: a wrong id is fixed in the roster.
            _save(store, ctx, incident_id, invited=invited + list(dict.fromkeys(new_people)))
        text, blocks = view.summary_blocks(ctx.config, incident, assignments, clocks, latest, in_review, now, lang)
        digest = view.digest(blocks)
        if row.summary_ts is None:
            ts = call(gateway.post, channel, text, blocks)
            _save(store, ctx, incident_id, summary_ts=ts, summary_hash=digest)
            call(gateway.pin, channel, ts)
        elif digest != row.summary_hash:
            call(gateway.update, channel, row.summary_ts, text, blocks)
            _save(store, ctx, incident_id, summary_hash=digest)
        for ev in events:
            call(gateway.post, channel, view.event_line(ctx.config, ev, lang))
            # Committed after each post: a run cut short reposts nothing.
            _save(store, ctx, incident_id, last_event_id=ev.id)
            report.posted_events += 1
        if closed and not row.final_posted:
            text, blocks = view.summary_blocks(
                ctx.config, incident, assignments, clocks, latest, [], now, lang, final=True
            )
            call(gateway.post, channel, text, blocks)
            ended = incident.resolved_at or incident.closed_at or now
            _save(
                store,
                ctx,
                incident_id,
                final_posted=True,
                archive_due_at=ended + dt.timedelta(hours=cfg.archive_after_hours),
            )
            row.archive_due_at = ended + dt.timedelta(hours=cfg.archive_after_hours)
        if closed and row.archive_due_at is not None and now >= row.archive_due_at:
            call(gateway.archive, channel)
            _save(store, ctx, incident_id, archived_at=now)
        if row.attempts or row.last_error:
            _save(store, ctx, incident_id, attempts=0, last_error=None, next_attempt_at=None)
    except SlackError as exc:
        attempts = row.attempts + 1
        values: dict[str, Any] = {
            "attempts": attempts,
            "last_error": exc.error[:500],
            "next_attempt_at": now + outbox_engine.backoff(attempts),  # the one rule every sender backs off by
        }
        if exc.error == "channel_not_found":
            # Deleted in Slack (or never ours): start a new channel and give
            # it the whole story again.
            values.update(
                channel_id=None,
                name=None,
                topic=None,
                summary_ts=None,
                summary_hash=None,
                invited=[],
                last_event_id=0,
                final_posted=False,
            )
        _save(store, ctx, incident_id, **values)
        report.errors.append(f"INC-{incident_id}: {exc.error}")
        log.warning("slack sync of INC-%s stopped: %s", incident_id, exc.error)
    return report


def sync_all(store: Store, ctx: Context, gateway: SlackGateway, *, force: bool = False) -> SyncReport:
    """Every incident with something for Slack: open ones, and closed ones
    until their channel is archived; those backing off after an error wait
    for their time unless ``force``."""
    now = ctx.clock.now()
    with store.read() as s:
        q = (
            select(Incident.id)
            .outerjoin(SlackChannel, SlackChannel.incident_id == Incident.id)
            .where(
                or_(
                    Incident.status.notin_((Status.RESOLVED.value, Status.CLOSED.value)),
                    (SlackChannel.id.is_not(None)) & SlackChannel.archived_at.is_(None),
                )
            )
            .order_by(Incident.id)
        )
        if not force:
            q = q.where(or_(SlackChannel.next_attempt_at.is_(None), SlackChannel.next_attempt_at <= now))
        ids = list(s.scalars(q))
    report = SyncReport()
    for incident_id in ids:
        sync_incident(store, ctx, gateway, incident_id, report)
    return report
