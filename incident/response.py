"""Use cases: the whole of an action on an incident, across the packages.

The core (incident/incidents.py) does the incident's own part; the domain
packages built on it do theirs — wording's response clocks, the remedy's
callbacks, the review, the knowledge base. This layer runs them in order, in
the caller's transaction, so that entry points (CLI, web, Slack, flows) call
one function and the core never imports the packages above it.

Like every service here: a session and a :class:`Context` in, no commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from incident import incidents
from incident.context import Context
from incident.enums import Kind, Severity, Status
from incident.errors import ConflictError
from incident.knowledge import harvest
from incident.models import Incident
from incident.remedy import callbacks
from incident.review import service as review
from incident.wording import clocks, pull


def declare(
    session: Session,
    ctx: Context,
    *,
    kind: Kind | str,
    severity: Severity | int | str,
    title: str,
    summary: str | None = None,
    impact: str | None = None,
    channels: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    products: Iterable[str] | None = None,
    started_at: dt.datetime | None = None,
    detected_at: dt.datetime | None = None,
    dedup_key: str | None = None,
) -> Incident:
    """Open an incident, start the clock for its first holding statement,
    and call in its response group from the roster."""
    incident = incidents.open_incident(
        session,
        ctx,
        kind=kind,
        severity=severity,
        title=title,
        summary=summary,
        impact=impact,
        channels=channels,
        regions=regions,
        products=products,
        started_at=started_at,
        detected_at=detected_at,
        dedup_key=dedup_key,
    )
    clocks.start_holding(session, ctx, incident)
    incidents.call_in_group(session, ctx, incident)
    return incident


def open_or_attach(
    session: Session, ctx: Context, *, dedup_key: str, signal: dict[str, Any], **declare_args: Any
) -> tuple[Incident, bool]:
    """After detection: attach ``signal`` to the open incident with
    ``dedup_key``, or declare one. Safe against a concurrent detector doing
    the same: the unique index decides, and the loser attaches.
    Returns (incident, created)."""
    for _ in range(3):
        existing = incidents.find_open_by_dedup(session, dedup_key)
        if existing is not None:
            incidents.attach_signal(session, ctx, existing.id, signal)
            return existing, False
        try:
            with session.begin_nested():
                incident = declare(session, ctx, dedup_key=dedup_key, **declare_args)
                incidents.attach_signal(session, ctx, incident.id, signal)
            return incident, True
        except (IntegrityError, ConflictError):
            continue  # someone else opened it between our check and insert
    raise ConflictError("error.dedup_race", key=dedup_key)


def change_status(
    session: Session, ctx: Context, incident_id: int, target: Status | str, note: str | None = None
) -> Incident:
    """Move an incident along its lifecycle, with what each move brings:
    closing passes the review's gate; leaving the open states stops the
    response clocks; reopening voids the review's sign-offs; resolving
    schedules the customer callbacks and opens the review; closing keeps
    what it taught in the knowledge base. The timeline's order is that of
    these steps (the status event after the clocks and the review's, before
    the callbacks')."""
    change = incidents.begin_status_change(session, incident_id, target)
    incident, current, target = change
    if target == Status.CLOSED:  # the review's gate: signed off, or the lead said why not ([review])
        review.check_close(session, ctx, incident)
    incidents.apply_status(ctx, change)
    if not target.is_open:
        clocks.stop(session, ctx, incident.id)
        pull.changed()
    elif current == Status.RESOLVED:  # reopened
        # what was signed off looked back on an incident that was not over
        review.reopened(session, ctx, incident)
    incidents.record_status_change(session, ctx, change, note)
    if target == Status.RESOLVED:
        # Every affected customer hears the result within the hour (003 §2.4):
        # the calls exist from the moment of resolution, not the next sweep.
        if callbacks.schedule(session, ctx, incident).created:
            callbacks.assign(session, ctx)
        # The review (复盘) opens with the resolution, and tells the lead
        # (issue 24 point 1); a reopened and re-resolved incident keeps its own
        # text, its sign-offs voided at the reopening.
        review.open_review(session, ctx, incident.id)
    elif target == Status.CLOSED:
        # What it taught stays: its approved reply and its customers'
        # questions become a knowledge-base entry (once; issue 24 point 2).
        harvest.harvest(session, ctx, incident)
    return incident
