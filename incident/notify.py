"""Notifications through a transactional outbox.

Service functions :func:`enqueue` a message in the same transaction as the
change that causes it; :func:`deliver_pending` sends after commit. So a
change that rolls back notifies nobody, a crash between commit and send
loses nothing (the row is still pending), and the unique ``dedupe_key``
keeps a retried sweep from notifying twice. Channels are adapters behind
:class:`Notifier`; console/log is the one built in (Slack comes later).
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.db import insert_for
from incident.i18n import t
from incident.models import OutboxMessage

log = logging.getLogger("incident.notify")

MAX_ATTEMPTS = 8


def enqueue(
    session: Session,
    *,
    recipient: str,
    key: str,
    params: Mapping[str, Any],
    dedupe_key: str,
    now: dt.datetime,
    incident_id: int | None = None,
    channel: str = "console",
) -> None:
    """Queue one message; a second call with the same ``dedupe_key`` is a no-op."""
    values = dict(
        created_at=now,
        incident_id=incident_id,
        channel=channel,
        recipient=recipient,
        message_key=key,
        params=dict(params),
        dedupe_key=dedupe_key,
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )
    stmt = insert_for(session, OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    session.execute(stmt)


@dataclass(frozen=True)
class Delivery:
    recipient_key: str
    recipient_name: str
    lang: str
    text: str
    incident_id: int | None


class Notifier(Protocol):
    channel: str

    def send(self, delivery: Delivery) -> None: ...


class ConsoleNotifier:
    """Writes each notification as one line to a stream and to the log."""

    channel = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr

    def send(self, delivery: Delivery) -> None:
        label = t("notify.prefix", delivery.lang, name=delivery.recipient_name, key=delivery.recipient_key)
        print(f"{label} {delivery.text}", file=self.stream, flush=True)
        log.info("notify %s: %s", delivery.recipient_key, delivery.text)


# A link to add to a message as it is sent (the acknowledge link,
# incident/acklinks.py), or None: made at send time, never stored in the row.
LinkMaker = Callable[[OutboxMessage], "str | None"]


def render(config: AppConfig, msg: OutboxMessage, link_for: LinkMaker | None = None) -> Delivery:
    person = config.people.get(msg.recipient)
    lang = person.languages[0] if person else config.centre.language
    name = person.name if person else msg.recipient
    text = t(msg.message_key, lang, **msg.params)
    url = link_for(msg) if link_for is not None else None
    if url:
        text += t("notify.sep", lang) + t("notify.ack_link", lang, url=url)
    return Delivery(msg.recipient, name, lang, text, msg.incident_id)


def deliver_pending(
    session: Session,
    config: AppConfig,
    notifiers: Mapping[str, Notifier],
    now: dt.datetime,
    limit: int = 200,
    link_for: LinkMaker | None = None,
) -> int:
    """Send what is due; returns how many were sent. Failures are kept with
    their error and retried later with back-off; rows are claimed with
    SKIP LOCKED so two deliverers never send the same message."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for msg in rows:
        notifier = notifiers.get(msg.channel)
        if notifier is None:
            continue  # a channel this process does not serve; another will
        msg.attempts += 1
        try:
            notifier.send(render(config, msg, link_for))
        except Exception as exc:  # any adapter failure is recorded, not raised
            msg.last_error = f"{type(exc).__name__}: {exc}"
            if msg.attempts >= MAX_ATTEMPTS:
                msg.status = "failed"
            else:
                msg.next_attempt_at = now + dt.timedelta(seconds=min(3600, 15 * 2 ** (msg.attempts - 1)))
            log.warning("notification %s to %s failed: %s", msg.id, msg.recipient, msg.last_error)
            continue
        msg.status = "sent"
        msg.sent_at = now
        msg.last_error = None
        sent += 1
    return sent
