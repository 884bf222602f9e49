"""Subscriptions to the status page's notices: e-mail (double opt-in) and
webhooks, beside the Atom feed.

* E-mail: :func:`subscribe` stores the address with the SHA-256 of a
  random single-use token and returns the token; the caller commits, THEN
  sends the confirmation (:func:`send_confirmation`, through the SMTP
  adapter) — never inside the transaction. :func:`confirm` activates it
  once; the hash is cleared, so the link never works twice.
* Webhook: the URL must be http(s), at most 200 characters, and resolve
  only to public addresses (``incident.netguard.is_forbidden``; the
  check is made again before each send). ``[status].allow_loopback_webhooks``
  lets tests use 127.0.0.1, nothing else.
* Notices go through the publishing outbox (``deliveries``), channels
  ``status_email`` and ``status_webhook``: :func:`enqueue_notices` writes
  one row per (statement, subscription), keyed so a repeat writes nothing,
  for every status-page statement published after the subscription became
  active; :func:`deliver` then sends them with
  :func:`incident.wording.deliver.deliver_due`. Every notice carries its
  subscription's unsubscribe link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as htmllib
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpcore
from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import netguard as guard
from incident import pinned_post, sanitise
from incident.adapters.base import ChannelAdapter, DeliveryError, OutgoingMessage
from incident.adapters.deliverylog import DeliveryLogAdapter
from incident.adapters.smtp import SmtpAdapter
from incident.config import LANGS, AppConfig
from incident.db import Store, insert_new
from incident.errors import InputError
from incident.i18n import t
from incident.models import Delivery, FactSheet, Incident, Statement
from incident.models_status import StatusSubscription
from incident.pinned_post import post_pinned
from incident.timeutil import Clock
from incident.web import status_texts as _texts  # noqa: F401  (registers the texts used here)
from incident.wording import status_state
from incident.wording.deliver import DeliveryReport, deliver_due

KINDS = ("email", "webhook")
CHANNEL = {"email": "status_email", "webhook": "status_webhook"}
MAX_ADDRESS = 200
# Statements published this long ago are still fanned out by a late sweep.
FAN_OUT_WINDOW = dt.timedelta(days=1)
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
Resolver = Callable[[str, int], list[str]]


@dataclass
class Subscribed:
    subscription: StatusSubscription
    token: str | None  # the confirmation token to e-mail (None: nothing to send)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _resolve(host: str, port: int) -> list[str]:
    try:
        return pinned_post.resolve(host, port)
    except pinned_post.Refused:
        raise InputError("status.sub.error.url_unresolved", host=host) from None


def check_webhook(url: str, config: AppConfig, resolve: Resolver = _resolve) -> str:
    """The URL if a notice may be posted to it, else :class:`InputError`."""
    return vet_webhook(url, config, resolve)[0]


def vet_webhook(url: str, config: AppConfig, resolve: Resolver = _resolve) -> tuple[str, list[str]]:
    """The URL and the addresses vetted for its host; the post connects to
    those and no others, so a name that resolves elsewhere a moment later
    (DNS rebinding) cannot reach a private address."""
    url = url.strip()
    if len(url) > MAX_ADDRESS:
        raise InputError("status.sub.error.url", value=guard.shown(url[:60]) + "…")
    try:
        return pinned_post.vet(url, config.status.allow_loopback_webhooks, resolve)
    except pinned_post.Refused as exc:
        if exc.problem == "private":
            raise InputError("status.sub.error.url_private", address=exc.detail) from None
        raise InputError("status.sub.error.url", value=exc.detail) from None


def subscribe(
    session: Session,
    config: AppConfig,
    kind: str,
    address: str,
    lang: str,
    now: dt.datetime,
    resolve: Resolver = _resolve,
) -> Subscribed:
    if kind not in KINDS:
        raise InputError("status.sub.error.kind")
    lang = lang if lang in LANGS else config.centre.language
    if kind == "email":
        address = address.strip().lower()
        if len(address) > MAX_ADDRESS or not _EMAIL.match(address):
            raise InputError("status.sub.error.email", value=guard.shown(address[:80]))
    else:
        address = check_webhook(address, config, resolve)
    sub = session.scalars(
        select(StatusSubscription)
        .where(StatusSubscription.kind == kind, StatusSubscription.address == address)
        .with_for_update()
    ).one_or_none()
    if sub is None:
        sub = StatusSubscription(
            kind=kind, address=address, lang=lang, unsubscribe_token=secrets.token_urlsafe(24), created_at=now
        )
        session.add(sub)
    elif sub.confirmed_at is not None and sub.unsubscribed_at is None:
        # Already active: nothing changes and nothing is sent; the answer is
        # the same as for a new address (no way to probe who subscribed).
        return Subscribed(sub, None)
    sub.lang = lang
    sub.unsubscribed_at = None
    token = None
    if kind == "webhook":
        sub.confirmed_at = now
    else:
        sub.confirmed_at = None
        token = secrets.token_urlsafe(32)
        sub.confirm_hash = _digest(token)
        sub.confirm_expires_at = now + dt.timedelta(hours=config.status.confirm_hours)
    session.flush()
    return Subscribed(sub, token)


def _by_confirm_token(session: Session, token: str, now: dt.datetime, lock: bool) -> StatusSubscription:
    query = select(StatusSubscription).where(StatusSubscription.confirm_hash == _digest(token or ""))
    sub = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if sub is None or sub.confirm_expires_at is None or sub.confirm_expires_at <= now:
        raise InputError("status.sub.error.link")
    return sub


def pending_address(session: Session, token: str, now: dt.datetime) -> str:
    """What the confirmation page asks about (a GET changes nothing: mail
    scanners open links)."""
    return _by_confirm_token(session, token, now, lock=False).address


def confirm(session: Session, token: str, now: dt.datetime) -> StatusSubscription:
    sub = _by_confirm_token(session, token, now, lock=True)
    sub.confirmed_at = now
    sub.confirm_hash = None  # single use
    sub.confirm_expires_at = None
    return sub


def _by_unsubscribe_token(session: Session, token: str) -> StatusSubscription:
    sub = session.scalars(
        select(StatusSubscription).where(StatusSubscription.unsubscribe_token == (token or ""))
    ).one_or_none()
    if sub is None:
        raise InputError("status.sub.error.link")
    return sub


def subscription_address(session: Session, token: str) -> str:
    return _by_unsubscribe_token(session, token).address


def unsubscribe(session: Session, token: str, now: dt.datetime) -> StatusSubscription:
    sub = _by_unsubscribe_token(session, token)
    if sub.unsubscribed_at is None:
        sub.unsubscribed_at = now
    return sub


# ---- sending -------------------------------------------------------------


def _base(config: AppConfig) -> str:
    return config.wording.public_url.rstrip("/")


def confirmation_message(config: AppConfig, result: Subscribed) -> OutgoingMessage:
    sub, token = result.subscription, result.token
    assert token is not None
    link = f"{_base(config)}/status/subscribe/confirm?token={token}"
    centre = config.centre.name
    text = t("status.mail.confirm_text", sub.lang, centre=centre, link=link, hours=config.status.confirm_hours)
    html = "".join(f"<p>{sanitise_text(p)}</p>" for p in text.split("\n\n"))
    return OutgoingMessage(
        f"status-confirm/{sub.id}/{_digest(token)[:16]}",
        "email",
        sub.address,
        sub.lang,
        {"subject": t("status.mail.confirm_subject", sub.lang, centre=centre), "text": text, "html": html},
    )


def sanitise_text(value: str) -> str:
    return htmllib.escape(value).replace("\n", "<br>")


def confirmation_adapter(config: AppConfig, data_dir: Path, clock: Clock | None = None) -> ChannelAdapter:
    if config.smtp is not None:
        return SmtpAdapter(config.smtp)
    return DeliveryLogAdapter("email", Path(data_dir) / "deliveries", clock)


def send_confirmation(config: AppConfig, adapter: ChannelAdapter, result: Subscribed) -> None:
    """After the subscription is committed: e-mail the single-use link.
    Raises :class:`DeliveryError` when the server refuses it."""
    if result.token is not None:
        adapter.send(confirmation_message(config, result))


class StatusEmailAdapter(SmtpAdapter):
    """A notice e-mail: the SMTP adapter plus the List-Unsubscribe header."""

    channel = "status_email"

    def build(self, message: OutgoingMessage) -> EmailMessage:
        msg = super().build(message)
        if message.payload.get("unsubscribe"):
            msg["List-Unsubscribe"] = f"<{message.payload['unsubscribe']}>"
        return msg


class WebhookAdapter:
    """POSTs the notice as JSON. The delivery key goes in ``Idempotency-Key``
    so a receiver drops a repeat: safe to retry after a crash."""

    channel = "status_webhook"
    idempotent = True

    def __init__(self, config: AppConfig, resolve: Resolver = _resolve) -> None:
        self.config = config
        self.resolve = resolve

    def send(self, message: OutgoingMessage) -> str | None:
        try:
            url, addrs = vet_webhook(message.recipient, self.config, self.resolve)
        except InputError as exc:
            raise DeliveryError(str(exc), permanent=True) from None
        body = json.dumps(message.payload["body"], ensure_ascii=False).encode()
        headers: dict[str | bytes, str | bytes] = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.key,
            "User-Agent": "incident-coordinator status notices",
        }
        try:
            status = post_pinned(url, addrs, body, headers, self.config.status.webhook_timeout_seconds)
        except (httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        if status >= 300:
            # 5xx and 429 are "try later"; any other answer will not change.
            # A redirect is not followed: it could lead anywhere, past the address check.
            transient = status >= 500 or status == 429
            raise DeliveryError(f"HTTP {status}", permanent=not transient)
        return f"HTTP {status}"


def adapters(config: AppConfig, data_dir: Path, clock: Clock | None = None) -> dict[str, ChannelAdapter]:
    email: ChannelAdapter = (
        StatusEmailAdapter(config.smtp)
        if config.smtp is not None
        else DeliveryLogAdapter("status_email", Path(data_dir) / "deliveries", clock)
    )
    return {"status_email": email, "status_webhook": WebhookAdapter(config)}


def enqueue_notices(
    session: Session, config: AppConfig, now: dt.datetime, window: dt.timedelta = FAN_OUT_WINDOW
) -> int:
    """Queue a notice per (recent status-page statement, active subscription
    that was active when it was published); a repeat writes nothing.
    Only writes rows: sending happens after commit (:func:`deliver`)."""
    subs = list(
        session.scalars(
            select(StatusSubscription)
            .where(StatusSubscription.confirmed_at.is_not(None), StatusSubscription.unsubscribed_at.is_(None))
            .order_by(StatusSubscription.id)
        )
    )
    if not subs:
        return 0
    rows: list[dict[str, Any]] = []
    found = session.execute(
        select(Statement, Incident.id, FactSheet.content)
        .join(Incident, Incident.id == Statement.incident_id)
        .join(FactSheet, FactSheet.id == Statement.fact_sheet_id)
        .where(
            Statement.status.in_(status_state.SHOWN),
            Statement.published_at >= now - window,
        )
        .order_by(Statement.published_at, Statement.id)
    ).tuples()
    for st, incident_id, content in found:
        if "status_page" not in st.channels or st.published_at is None:
            continue
        titles = status_state.public_titles(content)
        for sub in subs:
            assert sub.confirmed_at is not None
            if sub.confirmed_at <= st.published_at:
                rows.append(_notice_row(config, st, incident_id, titles, sub, now))
    return len(insert_new(session, Delivery.__table__, rows, "idempotency_key"))


def _notice_row(
    config: AppConfig,
    st: Statement,
    incident_id: int,
    titles: Mapping[str, str],
    sub: StatusSubscription,
    now: dt.datetime,
) -> dict[str, Any]:
    lang = sub.lang if sub.lang in LANGS else "zh-CN"
    part = st.rendered.get(lang, {}).get("status_page", {})
    html, text = str(sanitise.fragment(part.get("html", ""))), str(part.get("text", ""))
    state = status_state.STATE.get(st.kind, "update")
    label, title = t(f"status.state.{state}", lang), titles.get(lang) or ""
    ref = f"INC-{incident_id}"
    details = f"{_base(config)}/status" + ("?lang=en" if lang == "en" else "") + f"#{ref}"
    unsubscribe = f"{_base(config)}/status/unsubscribe?token={sub.unsubscribe_token}"
    channel = CHANNEL[sub.kind]
    if sub.kind == "email":
        links = [t("status.mail.details", lang, link=details), t("status.mail.unsubscribe", lang, link=unsubscribe)]
        payload: dict[str, Any] = {
            "subject": t("status.mail.notice_subject", lang, centre=config.centre.name, state=label, title=title),
            "text": "\n\n".join([text, *links]),
            "html": html + "".join(f"<p>{sanitise_text(line)}</p>" for line in links),
            "unsubscribe": unsubscribe,
        }
    else:
        payload = {
            "body": {
                "incident": ref,
                "statement": st.number,
                "state": state,
                "label": label,
                "title": title,
                "published_at": st.published_at.isoformat() if st.published_at else None,
                "lang": lang,
                "text": text,
                "html": html,
                "url": details,
                "unsubscribe": unsubscribe,
            }
        }
    return dict(
        statement_id=st.id,
        incident_id=incident_id,
        channel=channel,
        recipient=sub.address,
        lang=lang,
        idempotency_key=f"INC-{incident_id}/S{st.number}/{channel}/{sub.id}",
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def deliver(
    store: Store, config: AppConfig, channel_adapters: Mapping[str, ChannelAdapter], now: Callable[[], dt.datetime]
) -> DeliveryReport:
    """Queue what is new (one short transaction), then send after commit."""
    with store.transaction() as session:
        enqueue_notices(session, config, now())
    return deliver_due(store, channel_adapters, now)
