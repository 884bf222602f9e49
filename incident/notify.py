"""People's notifications through a transactional outbox (table ``outbox``).

Service functions :func:`enqueue` a message in the same transaction as the
change that causes it; :func:`deliver_due` sends after commit, the way
every outbox here is sent (incident/outbox_engine.py: claim with a lease,
commit, send outside any transaction, record, back off by one rule). So a
change that rolls back notifies nobody, a crash between commit and send
loses nothing, and the unique ``dedupe_key`` keeps a retried sweep from
notifying twice.

Each message goes by the first channel of the recipient's plan
(incident/notify_channels.py: their ``notify`` preference, what can reach
them, quiet hours); when that channel fails for good the row moves to the
next one in the plan, with its attempts counted afresh.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import outbox_engine as engine
from incident.config import AppConfig
from incident.db import Store, insert_for
from incident.enums import EventType
from incident.i18n import t
from incident.models import OutboxMessage, TimelineEvent
from incident.notify_channels import plan
from incident.roster import display

log = logging.getLogger("incident.notify")

NEXT = "_next"  # the params entry holding the channels still to try, in order
# Channels where sending the same message twice reaches the person once or
# does no harm: a crashed send is retried on them; on the others (e-mail)
# it is held as in_doubt (outbox_engine).
IDEMPOTENT = frozenset({"console", "inbox", "sms", "voice"})


def enqueue(
    session: Session,
    *,
    recipient: str,
    key: str,
    params: Mapping[str, Any],
    dedupe_key: str,
    now: dt.datetime,
    incident_id: int | None = None,
    config: AppConfig | None = None,
    channel: str | None = None,
) -> str:
    """Queue one message; a second call with the same ``dedupe_key`` is a
    no-op. Returns the channel it goes by first: ``channel`` when given,
    else the first of the recipient's plan (``config`` needed)."""
    channels = [channel] if channel else plan(config, recipient, params.get("severity"), now) if config else ["console"]
    values = dict(
        created_at=now,
        incident_id=incident_id,
        channel=channels[0],
        recipient=recipient,
        message_key=key,
        params={**params, NEXT: channels[1:]},
        dedupe_key=dedupe_key,
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )
    stmt = insert_for(session, OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    session.execute(stmt)
    return channels[0]


@dataclass(frozen=True)
class Delivery:
    recipient_key: str
    recipient_name: str
    lang: str
    text: str
    incident_id: int | None
    channel: str = "console"
    key: str = ""  # the outbox's dedupe key: the idempotency key providers get


class Notifier(Protocol):
    channel: str

    def send(self, delivery: Delivery) -> str | None:
        """Deliver; return the provider's reference if it gives one."""
        ...


# A link to add to a message as it is sent (the acknowledge link,
# incident/acklinks.py), or None: made at send time, never stored in the row.
LinkMaker = Callable[[OutboxMessage], "str | None"]


def render(config: AppConfig, msg: OutboxMessage, link_for: LinkMaker | None = None) -> Delivery:
    person = config.people.get(msg.recipient)
    lang = person.languages[0] if person else config.centre.language
    name = person.name if person else msg.recipient
    params = {k: v for k, v in (msg.params or {}).items() if not k.startswith("_")}
    text = t(msg.message_key, lang, **params)
    url = link_for(msg) if link_for is not None else None
    if url:
        text += t("notify.sep", lang) + t("notify.ack_link", lang, url=url)
    return Delivery(msg.recipient, name, lang, text, msg.incident_id, msg.channel, msg.dedupe_key)


@dataclass(frozen=True)
class InboxItem:
    at: dt.datetime
    text: str
    incident_id: int | None
    channel: str
    status: str


def inbox(session: Session, config: AppConfig, person: str, lang: str, limit: int = 20) -> list[InboxItem]:
    """The in-app inbox: what was sent (or is being sent) to ``person``,
    newest first, in ``lang``; whatever channel it went by."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == person)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    out = []
    for row in rows:
        params = {k: v for k, v in (row.params or {}).items() if not k.startswith("_")}
        out.append(
            InboxItem(row.created_at, t(row.message_key, lang, **params), row.incident_id, row.channel, row.status)
        )
    return out


@dataclass
class NotifyReport(engine.SendReport):
    moved_on: int = 0  # to the next channel of the plan


def deliver_due(
    store: Store,
    config: AppConfig,
    notifiers: Mapping[str, Notifier],
    now: Callable[[], dt.datetime],
    *,
    limit: int = 200,
    links: Callable[[Session], LinkMaker] | None = None,
) -> NotifyReport:
    """Send what is due on the channels this process serves (the others are
    left for a process that does)."""
    report = NotifyReport()
    idempotent = [c for c in notifiers if c in IDEMPOTENT]
    with store.transaction() as session:
        ids, report.in_doubt = engine.due_ids(session, OutboxMessage, list(notifiers), idempotent, now(), limit)
    for row_id in ids:
        with store.transaction() as session:  # committed before the send
            row = engine.claim(session, OutboxMessage, row_id, now())
            if row is None:
                report.taken_elsewhere += 1
                continue
            delivery = render(config, row, links(session) if links else None)
        try:
            ref = notifiers[delivery.channel].send(delivery)
        except Exception as exc:  # noqa: BLE001 — any adapter failure is recorded, never raised
            _failed(store, row_id, exc, now(), report, config)
            continue
        with store.transaction() as session:
            done = session.get(OutboxMessage, row_id)
            assert done is not None
            engine.record_sent(done, now())
            done.provider_ref = ref
        report.sent += 1
    return report


def _failed(
    store: Store, row_id: int, exc: Exception, at: dt.datetime, report: NotifyReport, config: AppConfig
) -> None:
    reason = f"{type(exc).__name__}: {exc}"
    permanent = bool(getattr(exc, "permanent", False))
    with store.transaction() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        if engine.record_failure(row, reason, permanent, at, getattr(exc, "retry_after", None)):
            report.retrying += 1
        elif (row.params or {}).get(NEXT):
            _move_on(session, row, at, config)
            report.moved_on += 1
        else:
            report.failed += 1
    report.errors.append(reason)
    log.warning("notification %s failed: %s", row_id, reason)


# What providers' receipts say, folded into two outcomes.
REACHED = frozenset({"delivered", "read", "answered", "completed"})
MISSED = frozenset({"failed", "undelivered", "rejected", "busy", "no-answer", "no_answer", "expired", "canceled"})


def apply_receipt(
    session: Session,
    channel: str,
    ref: str,
    status: str,
    error: str | None,
    at: dt.datetime,
    config: AppConfig | None = None,
) -> str:
    """A provider's delivery receipt for message ``ref`` on ``channel``:
    "delivered" marks it reached; a miss moves it to the next channel of
    the plan (or marks it failed). Idempotent: a receipt for a message that
    is no longer on that channel, or already settled, changes nothing.
    Returns what happened: reached, moved_on, failed, unchanged or unknown."""
    row = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.provider_ref == ref)
        .with_for_update()
    ).one_or_none()
    if row is None:
        return "unknown"
    if row.status != "sent" or status not in REACHED | MISSED:
        return "unchanged"
    if status in REACHED:
        row.status = "delivered"
        return "reached"
    row.last_error = f"{channel} receipt: {status}" + (f" ({error})" if error else "")
    if (row.params or {}).get(NEXT):
        _move_on(session, row, at, config)
        return "moved_on"
    row.status = "failed"
    return "failed"


def _move_on(session: Session, row: OutboxMessage, at: dt.datetime, config: AppConfig | None = None) -> None:
    """The channel failed for good: the next one in the plan gets the
    message, and the incident's timeline says who was tried on what."""
    rest = list((row.params or {}).get(NEXT) or [])
    tried = list((row.params or {}).get("_tried") or []) + [row.channel]
    if row.incident_id is not None:
        # Inserted here, not through incidents.record_event (which imports
        # this module); the timeline stays append-only either way.
        person = display(config, row.recipient) if config else row.recipient
        data = {"person": person, "from": row.channel, "to": rest[0], "reason": (row.last_error or "")[:200]}
        session.add(
            TimelineEvent(
                incident_id=row.incident_id, at=at, type=EventType.NOTICE_REROUTED.value, actor="system", data=data
            )
        )
    row.channel = rest[0]
    row.params = {**(row.params or {}), NEXT: rest[1:], "_tried": tried}
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = at
