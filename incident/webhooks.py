"""Outgoing webhooks on incident events (``[[webhooks]]``).

Each timeline event a webhook asks for (declared, status_changed,
resolved, statement_published, escalated, acknowledged) is queued in the
people's outbox table (channel ``webhook``, recipient ``webhook:<name>``)
in the same transaction as the event, and sent after commit the way every
outbox is sent (incident/outbox_engine.py: claim with a lease, commit,
POST outside any transaction, record, back off by one rule). The rows are
the delivery log (``incident webhooks log``).

A POST carries the event as JSON with ``Idempotency-Key`` (the receiver
drops a repeat, so a send cut short is retried safely) and a signature:
``X-Incident-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">``
with the secret in ``secret_env`` and ``X-Incident-Timestamp``. The URL's
host is resolved once, every address checked (private and loopback
refused unless ``allow_loopback``), and the connection pinned to them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Mapping
from typing import Any

import httpcore
from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import outbox_engine as engine
from incident import pinned_post
from incident.config import AppConfig, IncidentWebhook
from incident.db import Store, insert_for
from incident.models import Incident, OutboxMessage, TimelineEvent
from incident.pinned_post import post_pinned
from incident.timeutil import iso_utc

CHANNEL = "webhook"
# Events a webhook may ask for, and the timeline types that stand for them.
_TYPES = {"declared", "status_changed", "statement_published", "escalated", "acknowledged"}


class WebhookError(Exception):
    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


def _names(event: TimelineEvent) -> list[str]:
    names = [event.type] if event.type in _TYPES else []
    if event.type == "status_changed" and (event.data or {}).get("to") == "resolved":
        names.append("resolved")
    return names


def enqueue_event(session: Session, config: AppConfig, incident: Incident, event: TimelineEvent) -> int:
    """Queue ``event`` for every webhook that asks for it; how many."""
    wanted = [(h, n) for h in config.webhooks for n in _names(event) if h.wants(n)]
    if not wanted:
        return 0
    session.flush()  # the event's id: the idempotency key
    for hook, name in wanted:
        payload = {
            "event": name,
            "event_id": event.id,
            "at": iso_utc(event.at),
            "actor": event.actor,
            "incident": {
                "id": incident.id,
                "ref": incident.ref,
                "kind": incident.kind,
                "severity": incident.severity,
                "status": incident.status,
                "title": incident.title,
            },
            "data": event.data or {},
        }
        values = dict(
            created_at=event.at,
            incident_id=incident.id,
            channel=CHANNEL,
            recipient=f"webhook:{hook.name}",
            message_key=f"webhook.{name}",
            params={"_payload": payload},
            dedupe_key=f"webhook:{hook.name}:{event.id}:{name}",
            status="pending",
            attempts=0,
            next_attempt_at=event.at,
        )
        stmt = insert_for(session, OutboxMessage).values(**values)
        session.execute(stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]))
    return len(wanted)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def _vet(hook: IncidentWebhook) -> tuple[str, list[str]]:
    try:
        return pinned_post.vet(hook.url, hook.allow_loopback)
    except pinned_post.Refused as exc:
        # A name that does not resolve may resolve later; the others will not change.
        raise WebhookError(f"refused ({exc.problem}): {exc.detail}", permanent=exc.problem != "unresolved") from None


def post(hook: IncidentWebhook, key: str, payload: dict[str, Any], env: Mapping[str, str], now: dt.datetime) -> str:
    """One signed POST; the HTTP status as the delivery's reference."""
    secret = env.get(hook.secret_env) or ""
    if not secret:
        raise WebhookError(f"the secret variable {hook.secret_env} is not set", permanent=False)
    url, addrs = _vet(hook)
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    stamp = int(now.timestamp())
    headers: dict[str | bytes, str | bytes] = {
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        "X-Incident-Timestamp": str(stamp),
        "X-Incident-Signature": sign(secret, stamp, body),
        "User-Agent": "incident-coordinator webhooks",
    }
    try:
        status = post_pinned(url, addrs, body, headers, hook.timeout_seconds)
    except (httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError, OSError) as exc:
        raise WebhookError(f"{type(exc).__name__}: {exc}", permanent=False) from None
    if status >= 300:
        # 5xx and 429 are "try later"; other answers will not change (redirects are not followed).
        raise WebhookError(f"HTTP {status}", permanent=not (status >= 500 or status == 429))
    return f"HTTP {status}"


def deliver_due(
    store: Store,
    config: AppConfig,
    now: Callable[[], dt.datetime],
    env: Mapping[str, str] | None = None,
    limit: int = 200,
) -> engine.SendReport:
    report = engine.SendReport()
    if not config.webhooks:
        return report
    hooks = {f"webhook:{h.name}": h for h in config.webhooks}
    env = os.environ if env is None else env
    with store.transaction() as session:
        ids, _ = engine.due_ids(session, OutboxMessage, [CHANNEL], [CHANNEL], now(), limit)
    for row_id in ids:
        with store.transaction() as session:
            row = engine.claim(session, OutboxMessage, row_id, now())
            if row is None:
                continue
            hook, key, payload = hooks.get(row.recipient), row.dedupe_key, (row.params or {}).get("_payload", {})
        try:
            if hook is None:
                raise WebhookError("this webhook is no longer configured", permanent=True)
            ref: str | None = post(hook, key, payload, env, now())
        except WebhookError as exc:
            with store.transaction() as session:
                failed = session.get_one(OutboxMessage, row_id)
                if engine.record_failure(failed, str(exc), exc.permanent, now()):
                    report.retrying += 1
                else:
                    report.failed += 1
            report.errors.append(str(exc))
            continue
        with store.transaction() as session:
            done = session.get_one(OutboxMessage, row_id)
            engine.record_sent(done, now())
            done.provider_ref = ref
        report.sent += 1
    return report


def log(session: Session, limit: int = 50) -> list[OutboxMessage]:
    """The delivery log: the newest webhook deliveries first."""
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.channel == CHANNEL).order_by(OutboxMessage.id.desc()).limit(limit)
        )
    )
