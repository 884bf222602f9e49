"""Issue approved compensation through the provider, in batches, resumable
(what the ``issue-compensation`` flow and ``incident comp issue`` run).

Each batch is claimed in its own transaction — rows locked with SKIP
LOCKED on PostgreSQL (BEGIN IMMEDIATE serialises SQLite), marked with the
claim time — and committed BEFORE the provider is called; the results are
recorded in a second transaction. Killed between the two, the batch stays
claimed; once the lease runs out the next run claims it again and the
provider, idempotent by key, hands back the same references: every
customer is compensated exactly once. Two workers never take the same row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, or_, select, update

from incident import outbox_engine
from incident.adapters.compensation import CompensationProvider, IssueItem
from incident.context import Context
from incident.db import Store
from incident.enums import EventType
from incident.incidents import SYSTEM_ACTOR, record_event
from incident.models import AffectedCustomer, Compensation, Incident

log = logging.getLogger("incident.issuing")

MAX_ATTEMPTS = 5
LEASE = dt.timedelta(minutes=2)


@dataclass
class IssueReport:
    issued: int = 0
    failed: int = 0
    retrying: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)


def pending(store: Store, incident_id: int | None = None) -> int:
    with store.read() as s:
        q = select(func.count()).select_from(Compensation).where(Compensation.status == "approved")
        if incident_id is not None:
            q = q.where(Compensation.incident_id == incident_id)
        return s.scalar(q) or 0


def _claim(store: Store, now: dt.datetime, limit: int, lease: dt.timedelta, incident_id: int | None) -> list[IssueItem]:
    with store.transaction() as s:
        q = (
            select(Compensation.id)
            .where(
                Compensation.status == "approved",
                or_(Compensation.claimed_at.is_(None), Compensation.claimed_at <= now - lease),
                or_(Compensation.next_attempt_at.is_(None), Compensation.next_attempt_at <= now),
            )
            .order_by(Compensation.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if incident_id is not None:
            q = q.where(Compensation.incident_id == incident_id)
        ids = list(s.scalars(q))
        if not ids:
            return []
        s.execute(
            update(Compensation)
            .where(Compensation.id.in_(ids))
            .values(claimed_at=now, attempts=Compensation.attempts + 1),
            execution_options={"synchronize_session": False},
        )
        rows = s.execute(
            select(
                Compensation.idempotency_key,
                Compensation.incident_id,
                AffectedCustomer.customer_ref,
                Compensation.form,
                Compensation.amount,
                Compensation.unit,
                AffectedCustomer.order_ref,
            )
            .join(AffectedCustomer, AffectedCustomer.id == Compensation.customer_id)
            .where(Compensation.id.in_(ids))
            .order_by(Compensation.id)
        ).all()
    return [
        IssueItem(
            key=r[0], incident=f"INC-{r[1]}", customer_ref=r[2], form=r[3], amount=r[4], unit=r[5], order_ref=r[6]
        )
        for r in rows
    ]


def _record(
    store: Store, ctx: Context, items: list[IssueItem], results: dict, now: dt.datetime, report: IssueReport
) -> None:
    ok = [(k, r.ref) for k, r in results.items() if r.ok]
    with store.transaction() as s:
        if ok:
            s.connection().execute(
                update(Compensation.__table__)
                .where(
                    Compensation.__table__.c.idempotency_key == bindparam("k"),
                    Compensation.__table__.c.status == "approved",
                )
                .values(
                    status="issued", issued_at=now, provider_ref=bindparam("ref"), claimed_at=None, last_error=None
                ),
                [{"k": k, "ref": ref} for k, ref in ok],
            )
            report.issued += len(ok)
        for item in items:
            r = results.get(item.key)
            if r is None or r.ok:
                continue
            entry = s.scalar(select(Compensation).where(Compensation.idempotency_key == item.key))
            if entry is None or entry.status != "approved":
                continue
            entry.last_error, entry.claimed_at = (r.error or "?")[:500], None
            if r.permanent or entry.attempts >= MAX_ATTEMPTS:
                entry.status = "failed"
                report.failed += 1
                record_event(
                    s,
                    ctx,
                    s.get_one(Incident, entry.incident_id),
                    EventType.COMPENSATION_FAILED,
                    actor=SYSTEM_ACTOR,
                    id=entry.id,
                    error=entry.last_error,
                )
            else:
                entry.next_attempt_at = now + outbox_engine.backoff(entry.attempts)  # the one rule
                report.retrying += 1
            report.errors.append(f"{item.key}: {r.error}")
        by_incident: dict[str, int] = {}
        for k, _ in ok:
            inc = k.split("/", 1)[0]
            by_incident[inc] = by_incident.get(inc, 0) + 1
        for inc, n in by_incident.items():
            incident = s.get(Incident, int(inc.removeprefix("INC-")))
            if incident is not None:
                record_event(s, ctx, incident, EventType.COMPENSATION_ISSUED, actor=SYSTEM_ACTOR, count=n)


def issue_due(
    store: Store,
    ctx: Context,
    provider: CompensationProvider,
    *,
    incident_id: int | None = None,
    batch: int | None = None,
    lease: dt.timedelta = LEASE,
    max_batches: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IssueReport:
    """Issue until nothing approved is left (or ``max_batches``). Owns its
    transactions (two per batch): it is a runner, not a service function."""
    size = batch or ctx.config.compensation.batch_size
    report = IssueReport()
    total = pending(store, incident_id)
    while max_batches is None or report.batches < max_batches:
        now = ctx.clock.now()
        items = _claim(store, now, size, lease, incident_id)
        if not items:
            break
        try:
            results = {r.key: r for r in provider.issue(items)}
        except Exception as exc:  # noqa: BLE001 — the provider is down: the claim lapses, retried after the lease
            log.warning("provider failed for a batch of %d: %s", len(items), exc)
            report.errors.append(str(exc))
            report.retrying += len(items)
            break
        _record(store, ctx, items, results, now, report)
        report.batches += 1
        if progress:
            progress(report.issued + report.failed, max(total, report.issued + report.failed))
    return report
