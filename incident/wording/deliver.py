"""Send the publishing outbox (``deliveries``), what the ``deliver-outbox``
flow and ``incident outbox deliver`` run.

Each row is claimed in its own short transaction (status ``sending``, a
conditional update only one worker can win) and committed BEFORE the
adapter is called, then recorded after — incident/outbox_engine.py, the
same for people's notifications (incident/notify.py). So a crash between send and record leaves the row in
``sending``: after the lease it is re-sent only through an idempotent
adapter (same key → the gateway or log drops the repeat); for the others
(SMTP) it is held as ``in_doubt`` for a person. No recipient ever gets a
statement twice, and nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy.orm import Session

from incident import outbox_engine as engine
from incident.adapters.base import ChannelAdapter, DeliveryError, OutgoingMessage
from incident.adapters.deliverylog import DeliveryLogAdapter
from incident.adapters.smtp import SmtpAdapter
from incident.config import AppConfig
from incident.db import Store
from incident.errors import ConflictError, NotFoundError
from incident.models import Delivery
from incident.timeutil import Clock

log = logging.getLogger("incident.deliver")

LEASE = engine.LEASE


def default_adapters(config: AppConfig, data_dir: Path, clock: Clock | None = None) -> dict[str, ChannelAdapter]:
    directory = Path(data_dir) / "deliveries"
    adapters: dict[str, ChannelAdapter] = {
        c: DeliveryLogAdapter(c, directory, clock) for c in ("sms", "weibo", "wechat", "x", "email")
    }
    if config.smtp is not None:
        adapters["email"] = SmtpAdapter(config.smtp)
    return adapters


DeliveryReport = engine.SendReport  # the name its callers know


def deliver_due(
    store: Store,
    adapters: Mapping[str, ChannelAdapter],
    now: Callable[[], dt.datetime],
    *,
    limit: int = 200,
    lease: dt.timedelta = LEASE,
    progress: Callable[[int, int], None] | None = None,
) -> DeliveryReport:
    report = DeliveryReport()
    idempotent = [c for c, a in adapters.items() if a.idempotent]
    with store.transaction() as session:
        ids, report.in_doubt = engine.due_ids(session, Delivery, list(adapters), idempotent, now(), limit, lease)
    for i, delivery_id in enumerate(ids, 1):
        with store.transaction() as session:
            row = engine.claim(session, Delivery, delivery_id, now(), lease)
            if row is None:
                report.taken_elsewhere += 1
                continue
            message = OutgoingMessage(row.idempotency_key, row.channel, row.recipient, row.lang, dict(row.payload))
        adapter = adapters[message.channel]
        try:
            ref = adapter.send(message)
        except DeliveryError as exc:
            _record_failure(store, delivery_id, str(exc), exc.permanent, now(), report)
        except Exception as exc:  # noqa: BLE001 — an adapter bug must not stop the batch
            _record_failure(store, delivery_id, f"{type(exc).__name__}: {exc}", False, now(), report)
        else:
            with store.transaction() as session:
                row = session.get(Delivery, delivery_id)
                assert row is not None
                engine.record_sent(row, now())
                row.provider_ref = ref
            report.sent += 1
        if progress:
            progress(i, len(ids))
    return report


def _record_failure(
    store: Store, delivery_id: int, reason: str, permanent: bool, at: dt.datetime, report: DeliveryReport
) -> None:
    with store.transaction() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        if engine.record_failure(row, reason, permanent, at):
            report.retrying += 1
        else:
            report.failed += 1
    report.errors.append(reason)
    log.warning("delivery %s failed: %s", delivery_id, reason)


def resend(session: Session, delivery_id: int, now: dt.datetime) -> Delivery:
    """A person checked an in-doubt or failed delivery and wants it sent."""
    row = session.get(Delivery, delivery_id, with_for_update=True)
    if row is None:
        raise NotFoundError("outbox.error.no_delivery", id=delivery_id)
    if row.status not in ("in_doubt", "failed"):
        raise ConflictError("outbox.error.not_resendable", id=delivery_id, status=row.status)
    row.status = "pending"
    row.next_attempt_at = now
    return row


def mark_sent(session: Session, delivery_id: int, now: dt.datetime) -> Delivery:
    row = session.get(Delivery, delivery_id, with_for_update=True)
    if row is None:
        raise NotFoundError("outbox.error.no_delivery", id=delivery_id)
    if row.status != "in_doubt":
        raise ConflictError("outbox.error.not_resendable", id=delivery_id, status=row.status)
    row.status = "sent"
    row.sent_at = now
    row.last_error = "marked sent by hand after checking"
    return row
