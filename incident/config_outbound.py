"""What goes out and through what: SMTP, incident webhooks, the SMS and
voice providers, Slack."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
)
from pydantic_core import PydanticCustomError

from incident.adapters.http_provider import HttpProviderConfig
from incident.config_types import (
    _Strict,
)
from incident.netcheck import BadURL, configured_url


class SmtpConfig(_Strict):
    """The SMTP server statements are e-mailed through (``[smtp]``)."""

    host: str
    port: Annotated[int, Field(gt=0, lt=65536)] = 25
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str | None = None
    # Name of the environment variable that holds the password; the secret
    # itself never goes in this file.
    password_env: str | None = None
    sender: str = "noreply@example.com"
    sender_name: str | None = None
    timeout_seconds: Annotated[float, Field(gt=0)] = 15.0


WebhookEvent = Literal[
    "*", "declared", "status_changed", "resolved", "statement_published", "escalated", "acknowledged"
]
_ALL_EVENTS: tuple[WebhookEvent, ...] = ("*",)


class IncidentWebhook(_Strict):
    """An outgoing webhook on incident events (``[[webhooks]]``): each event
    is POSTed as JSON, signed with HMAC-SHA256, retried through the outbox
    (incident/webhooks.py)."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$")]
    url: str
    events: list[WebhookEvent] = Field(default_factory=lambda: list(_ALL_EVENTS), min_length=1)
    # Name of the environment variable holding the signing secret.
    secret_env: str
    # Only for a receiver on this machine (tests, a local relay): private
    # and loopback addresses are otherwise refused.
    allow_loopback: bool = False
    timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 10

    def wants(self, event: str) -> bool:
        return "*" in self.events or event in self.events

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        try:
            return configured_url(v)
        except BadURL as exc:
            raise PydanticCustomError("webhook_url", "not a usable http(s) URL: {value}", {"value": exc.url}) from None


class MessagingConfig(_Strict):
    """The HTTP providers that page people by SMS and by voice call
    (``[messaging.sms]``, ``[messaging.voice]``; incident/adapters/http_provider.py)."""

    sms: HttpProviderConfig | None = None
    voice: HttpProviderConfig | None = None


class SlackConfig(_Strict):
    """The response group's Slack (optional: without a token nothing is
    sent and everything else works the same)."""

    # Names of the environment variables holding the secrets; the secrets
    # themselves never go in this file.
    token_env: str = "SLACK_BOT_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    base_url: str = "https://slack.com/api/"
    private_channels: bool = True
    channel_prefix: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,20}$")] = "inc"
    # The channel is archived this long after the incident is resolved.
    archive_after_hours: Annotated[float, Field(ge=0)] = 24
    # Where delayed answers to slash commands may be posted (Slack's own host).
    response_url_hosts: list[str] = Field(default_factory=lambda: ["hooks.slack.com"])
    # 429s retried by the client (honouring Retry-After) before a sync run gives up.
    rate_limit_retries: Annotated[int, Field(ge=0, le=10)] = 3
    timeout_seconds: Annotated[float, Field(gt=0)] = 10.0
