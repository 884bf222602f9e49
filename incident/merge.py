"""Linking and merging incidents: two incidents about one outage (INC-1
from the status page, INC-2 from the complaint surge) become one.

``link`` records a two-way relation (a row each way) and says so on both
timelines. ``merge`` moves what belongs to the outage — the source's
signals, affected customers with their compensation entries and callbacks —
to the target, closes the source as merged, and lets its dedup key lead to
the target (incidents.find_open_by_dedup follows a "merged_into" link), so
a detector that still raises the old key attaches to the target.

What stays with the source, on purpose: its timeline (append-only), role
assignments, response clocks, fact sheets, statements and deliveries (what
was said publicly is history of that incident), outbox rows and the Slack
channel.

Functions take a session and a context and never commit; both incidents
are locked, the lower id first, so two merges cannot deadlock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incident import merge_texts as _texts  # noqa: F401  (merge.error.*)
from incident.context import Context
from incident.enums import EventType, Status
from incident.errors import ConflictError
from incident.incidents import _lock, record_event
from incident.lifecycle import check_transition
from incident.models import AffectedCustomer, Callback, Compensation, Incident, IncidentLink, ResponseClock, Signal

RELATED = "related"
MERGED_INTO = "merged_into"
MERGED_FROM = "merged_from"


@dataclass
class MergeResult:
    source: int
    target: int
    signals: int = 0
    customers: int = 0
    # customers both incidents had (same customer_ref): the target's row kept
    customers_merged: int = 0
    compensations: int = 0
    # entries of a duplicate customer the target already has in the same
    # form: left with the source (closed), never issued twice
    compensations_kept: int = 0
    callbacks: int = 0
    callbacks_cancelled: int = 0


def _lock_pair(session: Session, a: int, b: int) -> tuple[Incident, Incident]:
    first, second = _lock(session, min(a, b)), _lock(session, max(a, b))
    return (first, second) if a <= b else (second, first)


def _has_link(session: Session, a: int, b: int) -> IncidentLink | None:
    return session.scalars(
        select(IncidentLink).where(IncidentLink.incident_id == a, IncidentLink.other_id == b)
    ).one_or_none()


def _put_link(session: Session, ctx: Context, a: Incident, b: Incident, kind_ab: str, kind_ba: str) -> None:
    now = ctx.clock.now()
    for one, other, kind in ((a, b, kind_ab), (b, a, kind_ba)):
        row = _has_link(session, one.id, other.id)
        if row is None:
            session.add(
                IncidentLink(incident_id=one.id, other_id=other.id, kind=kind, created_at=now, created_by=ctx.actor)
            )
        else:
            row.kind = kind  # a related pair that is then merged says so
    session.flush()


def link(session: Session, ctx: Context, a: int, b: int) -> tuple[Incident, Incident]:
    """Relate two incidents both ways. Linking a pair already linked is
    refused, so the timelines do not say it twice."""
    if a == b:
        raise ConflictError("merge.error.self_link", ref=f"INC-{a}")
    inc_a, inc_b = _lock_pair(session, a, b)
    if _has_link(session, a, b) is not None:
        raise ConflictError("merge.error.already_linked", a=inc_a.ref, b=inc_b.ref)
    _put_link(session, ctx, inc_a, inc_b, RELATED, RELATED)
    record_event(session, ctx, inc_a, EventType.LINKED, other=inc_b.ref)
    record_event(session, ctx, inc_b, EventType.LINKED, other=inc_a.ref)
    return inc_a, inc_b


def linked(session: Session, incident_id: int) -> list[tuple[int, str]]:
    """(other incident id, kind) of every link of one incident, oldest first."""
    rows = session.execute(
        select(IncidentLink.other_id, IncidentLink.kind)
        .where(IncidentLink.incident_id == incident_id)
        .order_by(IncidentLink.id)
    )
    return [(r.other_id, r.kind) for r in rows]


def _check(session: Session, source: Incident, target: Incident, ctx: Context) -> None:
    if target.status_enum == Status.CLOSED:
        raise ConflictError("merge.error.target_closed", target=target.ref)
    if source.status_enum == Status.CLOSED:
        raise ConflictError("merge.error.source_closed", source=source.ref)
    # An issuing run claimed entries (committed before the provider is
    # called): moving them now could record the provider's answer on the
    # wrong incident. Wait for the run to finish.
    claimed = session.scalar(
        select(Compensation.id)
        .where(
            Compensation.incident_id.in_((source.id, target.id)),
            Compensation.status == "approved",
            Compensation.claimed_at.is_not(None),
        )
        .limit(1)
    )
    if claimed is not None:
        raise ConflictError("merge.error.issuing", source=source.ref, target=target.ref)


def merge(session: Session, ctx: Context, source: int, target: int) -> MergeResult:
    """Merge ``source`` into ``target``; see the module's docstring."""
    if source == target:
        raise ConflictError("merge.error.self", ref=f"INC-{source}")
    src, dst = _lock_pair(session, source, target)
    _check(session, src, dst, ctx)
    result = MergeResult(source=src.id, target=dst.id)
    result.signals = _move_signals(session, src, dst)
    _move_customers(session, ctx, src, dst, result)
    _close_as_merged(session, ctx, src)
    _put_link(session, ctx, src, dst, MERGED_INTO, MERGED_FROM)
    counts: dict[str, Any] = {
        "signals": result.signals,
        "customers": result.customers,
        "customers_merged": result.customers_merged,
        "compensations": result.compensations,
        "callbacks": result.callbacks,
    }
    record_event(session, ctx, src, EventType.MERGED_INTO, other=dst.ref, **counts)
    record_event(session, ctx, dst, EventType.MERGED_FROM, other=src.ref, **counts)
    return result


def _move_signals(session: Session, src: Incident, dst: Incident) -> int:
    signals = list(session.scalars(select(Signal).where(Signal.incident_id == src.id)))
    for sig in signals:
        sig.incident_id = dst.id
    return len(signals)


def _move_customers(session: Session, ctx: Context, src: Incident, dst: Incident, result: MergeResult) -> None:
    theirs = {
        c.customer_ref: c
        for c in session.scalars(select(AffectedCustomer).where(AffectedCustomer.incident_id == dst.id))
    }
    for cust in list(session.scalars(select(AffectedCustomer).where(AffectedCustomer.incident_id == src.id))):
        kept = theirs.get(cust.customer_ref)
        if kept is None:
            # The whole customer moves: the row, its entries and its calls.
            cust.incident_id = dst.id
            result.customers += 1
            for comp in session.scalars(select(Compensation).where(Compensation.customer_id == cust.id)):
                comp.incident_id = dst.id
                result.compensations += 1
            for cb in session.scalars(select(Callback).where(Callback.customer_id == cust.id)):
                cb.incident_id = dst.id
                result.callbacks += 1
            continue
        result.customers_merged += 1
        _fold_duplicate(session, ctx, cust, kept, dst, result)
    session.flush()


def _fold_duplicate(
    session: Session, ctx: Context, dup: AffectedCustomer, kept: AffectedCustomer, dst: Incident, result: MergeResult
) -> None:
    """The same customer in both: the target's row stays the one row. The
    source's row stays with the (closed) source as a record, and what hangs
    on it moves over unless the target already has the same: a second
    coupon of the same form, or a second open call of the same kind, would
    be the duplicate the merge is meant to remove."""
    forms = set(session.scalars(select(Compensation.form).where(Compensation.customer_id == kept.id)))
    for comp in session.scalars(select(Compensation).where(Compensation.customer_id == dup.id)):
        if comp.form in forms:
            result.compensations_kept += 1
            continue
        comp.incident_id, comp.customer_id = dst.id, kept.id
        forms.add(comp.form)
        result.compensations += 1
    reasons = set(
        session.scalars(select(Callback.reason).where(Callback.customer_id == kept.id, Callback.status == "open"))
    )
    for cb in session.scalars(select(Callback).where(Callback.customer_id == dup.id)):
        if cb.status == "open" and cb.reason in reasons:
            cb.status, cb.closed_at, cb.note = "cancelled", ctx.clock.now(), f"merged into {dst.ref}"
            result.callbacks_cancelled += 1
            continue
        cb.incident_id, cb.customer_id = dst.id, kept.id
        result.callbacks += 1


def _close_as_merged(session: Session, ctx: Context, src: Incident) -> None:
    """Resolved, then closed: the lifecycle's own steps (closed is final, so
    a merged incident is not reopened with nothing left in it). Set here
    rather than through response.change_status, which on resolution
    schedules "result" callbacks the source no longer owes."""
    now = ctx.clock.now()
    if src.status_enum != Status.RESOLVED:
        check_transition(src.status_enum, Status.RESOLVED)
        src.resolved_at = now
    check_transition(Status.RESOLVED, Status.CLOSED)
    src.status, src.closed_at = Status.CLOSED.value, now
    # Nothing more is owed to the public for the source (as wording.clocks.stop).
    session.execute(
        update(ResponseClock)
        .where(ResponseClock.incident_id == src.id, ResponseClock.met_at.is_(None), ResponseClock.stopped_at.is_(None))
        .values(stopped_at=now)
    )
