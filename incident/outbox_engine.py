"""One way to send what an outbox holds, for every outbox table (the
statements' ``deliveries``, people's notifications in ``outbox``): claim
with a lease, commit, send outside any transaction, record, back off by
one rule.

A row is claimed by a conditional UPDATE (only one worker can win it) and
that claim is committed BEFORE the adapter is called; the outcome is
recorded in a transaction of its own after. So nothing is sent while a
database lock is held, a crash between send and record leaves the row in
``sending``, and after the lease it goes back in only through an
idempotent channel (same key → the gateway drops the repeat); for the
others it is held as ``in_doubt`` for a person. A table takes part by
having the columns this module names: ``id``, ``channel``, ``status``,
``attempts``, ``next_attempt_at``, ``claimed_at``, ``sent_at``,
``last_error``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(minutes=10)
IN_DOUBT = "interrupted between send and record; check the recipient's mailbox, then resend or mark sent"


@dataclass
class SendReport:
    """What one sending run did, whichever outbox it sent."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    in_doubt: int = 0
    # Rows this call looked at but another worker claimed first. They count
    # towards "was the batch full": a batch that lost every race is not a
    # drained queue (two workers see the same first rows).
    taken_elsewhere: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> dt.timedelta:
    """The wait before try ``attempts + 1``: 30 s, doubling, at most an hour."""
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(attempts - 1, 0)))


def _due(model: Any, now: dt.datetime, lease: dt.timedelta) -> Any:
    return or_(
        (model.status == "pending") & (model.next_attempt_at <= now),
        (model.status == "sending") & (model.claimed_at <= now - lease),
    )


def due_ids(
    session: Session,
    model: Any,
    channels: Collection[str],
    idempotent: Collection[str],
    now: dt.datetime,
    limit: int,
    lease: dt.timedelta = LEASE,
) -> tuple[list[int], int]:
    """Ids worth trying now on ``channels``, and how many were set in doubt:
    a row a crashed sender left in ``sending`` goes back in only through an
    idempotent channel."""
    rows = session.scalars(
        select(model)
        .where(model.channel.in_(list(channels)), _due(model, now, lease))
        .order_by(model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    ids: list[int] = []
    doubtful = 0
    for row in rows:
        if row.status == "sending" and row.channel not in idempotent:
            row.status = "in_doubt"  # we cannot know whether it arrived: never risk a second copy
            row.last_error = IN_DOUBT
            doubtful += 1
            continue
        ids.append(row.id)
    return ids, doubtful


def claim(session: Session, model: Any, row_id: int, now: dt.datetime, lease: dt.timedelta = LEASE) -> Any | None:
    """Take one row for sending (to be committed before the send), or None
    when another worker took it first."""
    stmt = (
        update(model)
        .where(model.id == row_id, _due(model, now, lease))
        .values(status="sending", claimed_at=now, attempts=model.attempts + 1)
    )
    won = cast(CursorResult[Any], session.execute(stmt)).rowcount
    return session.get(model, row_id) if won == 1 else None


def record_sent(row: Any, now: dt.datetime) -> None:
    row.status = "sent"
    row.sent_at = now
    row.last_error = None


def record_failure(row: Any, reason: str, permanent: bool, now: dt.datetime, retry_after: float | None = None) -> bool:
    """Keep the error; retry later unless it is permanent or out of
    attempts — after the back-off, or after the wait the other side asked
    for (a 429's Retry-After) when that is longer. True when the row will
    be tried again."""
    row.last_error = reason[:2000]
    if permanent or row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
        return False
    wait = max(backoff(row.attempts), dt.timedelta(seconds=retry_after or 0))
    row.status = "pending"
    row.next_attempt_at = now + wait
    return True
