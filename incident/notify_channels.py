"""How each person is reached: their plan of channels, and one notifier
per channel (each an adapter: the console, the in-app inbox, e-mail through
the SMTP adapter, a Slack direct message through the Slack adapter, SMS and
voice through the HTTP provider adapter).

A person's plan is their ``notify`` list, in order, less what cannot reach
them now: during their quiet hours the loud channels (SMS, voice) are left
out unless the incident's severity is one of ``quiet_hours.loud_for``.
When nothing is left, the in-app inbox (``/me``) still holds the message.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO

from incident.adapters.base import ChannelAdapter, DeliveryError, OutgoingMessage
from incident.adapters.http_provider import HttpProviderAdapter
from incident.adapters.smtp import SmtpAdapter
from incident.config import AppConfig
from incident.enums import Severity
from incident.errors import ConfigError
from incident.i18n import t

if TYPE_CHECKING:  # the notifiers' argument; notify imports this module
    from incident.notify import Delivery

LOUD = frozenset({"sms", "voice"})
log = logging.getLogger("incident.notify")


def _severity(value: Any) -> Severity | None:
    try:
        return Severity.parse(value) if value is not None else None
    except ValueError:
        return None


def plan(config: AppConfig | None, recipient: str, severity: Any, now: dt.datetime) -> list[str]:
    """The channels to try for ``recipient``, in order (never empty)."""
    person = config.people.get(recipient) if config else None
    if config is None or person is None:
        return ["console"]
    channels: list[str] = list(dict.fromkeys(person.notify))
    quiet = person.quiet_hours
    if quiet is not None and quiet.covers(now.astimezone(config.zone).time().replace(tzinfo=None)):
        sev = _severity(severity)
        if sev is None or sev not in quiet.loud_for:
            channels = [c for c in channels if c not in LOUD]
    # The in-app inbox is the last resort: when every channel failed for
    # good, the message is still where the person will look (/me).
    return [*channels, "inbox"] if "inbox" not in channels else channels


class ConsoleNotifier:
    """Writes each notification as one line to a stream."""

    channel = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr

    def send(self, delivery: Delivery) -> str | None:
        label = t("notify.prefix", delivery.lang, name=delivery.recipient_name, key=delivery.recipient_key)
        print(f"{label} {delivery.text}", file=self.stream, flush=True)
        return None


class InboxNotifier:
    """The in-app inbox: the outbox row is the inbox entry (``/me`` lists a
    person's notifications), so there is nothing to send."""

    channel = "inbox"

    def send(self, delivery: Delivery) -> str | None:
        return None


class EmailNotifier:
    """E-mail through the SMTP adapter, to the person's ``email``."""

    channel = "email"

    def __init__(self, config: AppConfig, adapter: ChannelAdapter) -> None:
        self.config, self.adapter = config, adapter

    def send(self, delivery: Delivery) -> str | None:
        person = self.config.people.get(delivery.recipient_key)
        if person is None or not person.email:
            raise DeliveryError(f"{delivery.recipient_key} has no e-mail address", permanent=True)
        first = delivery.text.split("\n", 1)[0]
        subject = t("notify.email_subject", delivery.lang, text=first if len(first) <= 80 else first[:79] + "…")
        body = f"<p>{html.escape(delivery.text).replace(chr(10), '<br>')}</p>"
        payload = {"subject": subject, "text": delivery.text, "html": body}
        message = OutgoingMessage(delivery.key, "email", person.email, delivery.lang, payload)
        return self.adapter.send(message)


class SlackNotifier:
    """A Slack direct message to the person's ``slack_id``, where Slack is
    set up; where it is not, a failure for good, so the message moves on to
    the person's next channel instead of waiting for ever."""

    channel = "slack"

    def __init__(self, config: AppConfig, gateway: Any | None) -> None:
        self.config, self.gateway = config, gateway

    def send(self, delivery: Delivery) -> str | None:
        person = self.config.people.get(delivery.recipient_key)
        if person is None or not person.slack_id:
            raise DeliveryError(f"{delivery.recipient_key} has no slack_id", permanent=True)
        if self.gateway is None:
            raise DeliveryError("Slack is not set up here (no bot token)", permanent=True)
        try:
            return str(self.gateway.direct_message(person.slack_id, delivery.text))
        except Exception as exc:  # SlackError: transient ones are tried again
            raise DeliveryError(str(exc), permanent=not getattr(exc, "transient", False)) from None


class ProviderNotifier:
    """SMS or a voice call through the HTTP provider adapter, to the
    person's ``pager_id`` (a contact in the provider's directory)."""

    def __init__(self, config: AppConfig, adapter: ChannelAdapter) -> None:
        self.config, self.adapter = config, adapter
        self.channel = adapter.channel

    def send(self, delivery: Delivery) -> str | None:
        person = self.config.people.get(delivery.recipient_key)
        if person is None or not person.pager_id:
            raise DeliveryError(f"{delivery.recipient_key} has no pager_id", permanent=True)
        message = OutgoingMessage(
            delivery.key, self.channel, f"id:{person.pager_id}", delivery.lang, {"text": delivery.text}
        )
        return self.adapter.send(message)


def notifiers(
    config: AppConfig, env: Mapping[str, str], clock: Any, stream: TextIO | None = None, slack: Any | None = None
) -> dict[str, Any]:
    """Every channel this configuration can send on, each behind its adapter
    (``slack``: the Slack gateway, where Slack is set up)."""
    found: dict[str, Any] = {
        "console": ConsoleNotifier(stream),
        "inbox": InboxNotifier(),
        "slack": SlackNotifier(config, slack),
    }
    if config.smtp is not None:
        found["email"] = EmailNotifier(config, SmtpAdapter(config.smtp))
    for channel in ("sms", "voice"):
        provider = getattr(config.messaging, channel)
        if provider is None:
            continue
        try:
            found[channel] = ProviderNotifier(config, HttpProviderAdapter(provider, channel, env, clock))
        except ConfigError as exc:  # a missing secret: said, and this channel's messages move on
            reason = exc.message(config.centre.language)
            log.error("%s: %s", channel, reason)
            found[channel] = Unavailable(channel, reason)
    return found


class Unavailable:
    """A channel that cannot send here (its secret is not set): every
    message on it fails for good at once and moves on to the next channel."""

    def __init__(self, channel: str, reason: str) -> None:
        self.channel, self.reason = channel, reason

    def send(self, delivery: Delivery) -> str | None:
        raise DeliveryError(f"{self.channel}: {self.reason}", permanent=True)


def env_problems(config: AppConfig, env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(configuration key, variable) for each secret the configuration
    names but the environment does not hold: said by ``config check``."""
    found: list[tuple[str, str]] = []
    for channel in ("sms", "voice"):
        provider = getattr(config.messaging, channel)
        if provider is None:
            continue
        names = {"signing_secret_env": provider.signing_secret_env, "receipt_secret_env": provider.receipt_secret_env}
        names |= {f"headers_from_env.{h}": v for h, v in provider.headers_from_env.items()}
        found += [(f"messaging.{channel}.{k}", v) for k, v in names.items() if v and not env.get(v)]
    found += [(f"webhooks.{h.name}.secret_env", h.secret_env) for h in config.webhooks if not env.get(h.secret_env)]
    if any("slack" in p.notify for p in config.people.values()) and not env.get(config.slack.token_env):
        found.append(("people.*.notify = slack", config.slack.token_env))
    return found
