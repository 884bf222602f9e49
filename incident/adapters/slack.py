"""Slack, behind one module (the only one importing ``slack_sdk``).

:class:`SlackGateway` is the few Web API calls the coordinator makes, on
the real ``slack_sdk.WebClient`` with its RateLimitErrorRetryHandler (a 429
waits for Retry-After, then tries again). Errors come out as
:class:`SlackError`: ``transient`` for "Slack unreachable or still rate
limited" (the caller keeps the work and tries again later), otherwise with
Slack's error code (``name_taken``, ``channel_not_found``, …).

:func:`verify` checks an inbound request's signature (X-Slack-Signature v0,
timestamp within five minutes) with ``slack_sdk``'s verifier; refusing a
replay inside those five minutes is the web route's job (a nonce kept in
the database, incident/slack/nonces.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import Clock as SignatureClock
from slack_sdk.signature import SignatureVerifier

from incident.config import SlackConfig


class SlackError(Exception):
    def __init__(self, error: str, transient: bool = False) -> None:
        super().__init__(error)
        self.error = error
        self.transient = transient


@dataclass
class Channel:
    id: str
    name: str


class SlackGateway:
    def __init__(self, token: str, config: SlackConfig, client: WebClient | None = None) -> None:
        self.config = config
        self.client = client or WebClient(
            token=token,
            base_url=config.base_url,
            timeout=int(max(1, config.timeout_seconds)),
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=config.rate_limit_retries)],
        )

    def _call(self, method: str, **args: Any) -> dict[str, Any]:
        try:
            # The client's own method for each call (conversations_create, …),
            # so arguments go out exactly as slack_sdk encodes them.
            response = getattr(self.client, method.replace(".", "_"))(**args)
            return dict(response.data) if isinstance(response.data, dict) else {}
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown_error")
            raise SlackError(
                error, transient=exc.response.status_code in (429, 500, 502, 503, 504) or error == "ratelimited"
            ) from None
        except (SlackClientError, OSError) as exc:
            # Connection refused, reset, timed out: Slack is unreachable.
            raise SlackError(f"unreachable: {type(exc).__name__}: {exc}"[:300], transient=True) from None

    def create_channel(self, name: str, private: bool) -> Channel:
        data = self._call("conversations.create", name=name, is_private=private)
        channel = data.get("channel") or {}
        return Channel(channel["id"], channel.get("name", name))

    def set_topic(self, channel: str, topic: str) -> None:
        self._call("conversations.setTopic", channel=channel, topic=topic)

    def invite(self, channel: str, users: list[str]) -> list[dict[str, Any]]:
        """Invite; with ``force`` Slack invites the valid users even when
        some id is wrong or already in. Returns the per-user problems."""
        data = self._call("conversations.invite", channel=channel, users=",".join(users), force=True)
        return list(data.get("errors") or [])

    def join(self, channel: str) -> None:
        self._call("conversations.join", channel=channel)

    def lookup_email(self, email: str) -> str | None:
        try:
            data = self._call("users.lookupByEmail", email=email)
        except SlackError as exc:
            if exc.error == "users_not_found":
                return None
            raise
        return (data.get("user") or {}).get("id")

    def direct_message(self, user: str, text: str) -> str:
        """A message to one person, in the bot's direct conversation with them."""
        channel = str(self._call("conversations.open", users=user)["channel"]["id"])
        return self.post(channel, text)

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> str:
        args: dict[str, Any] = {"channel": channel, "text": text}
        if blocks is not None:
            args["blocks"] = blocks
        return str(self._call("chat.postMessage", **args)["ts"])

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        args: dict[str, Any] = {"channel": channel, "ts": ts, "text": text}
        if blocks is not None:
            args["blocks"] = blocks
        self._call("chat.update", **args)

    def pin(self, channel: str, ts: str) -> None:
        try:
            self._call("pins.add", channel=channel, timestamp=ts)
        except SlackError as exc:
            if exc.error != "already_pinned":
                raise

    def archive(self, channel: str) -> None:
        try:
            self._call("conversations.archive", channel=channel)
        except SlackError as exc:
            if exc.error != "already_archived":
                raise


class _Clock(SignatureClock):
    """Slack's verifier on our clock (the application's, settable in tests)."""

    def __init__(self, now: Callable[[], dt.datetime]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now().timestamp()


def verify(
    signing_secret: str, body: bytes, timestamp: str | None, signature: str | None, now: Callable[[], dt.datetime]
) -> bool:
    """X-Slack-Signature v0 over ``v0:{timestamp}:{body}``, and the
    timestamp within five minutes of ``now`` (so a request cannot be
    replayed later). A replay *within* those five minutes passes here: the
    web route refuses it by keeping each served signature
    (incident/slack/nonces.py). Anything malformed (a timestamp ``abc``, a
    body that is not UTF-8, a non-ASCII signature) is False, never an error."""
    if not signing_secret or not timestamp or not signature:
        return False
    if not (timestamp.isascii() and timestamp.isdigit() and signature.isascii()):
        return False
    try:
        return SignatureVerifier(signing_secret, clock=_Clock(now)).is_valid(body, timestamp, signature)
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        return False


def gateway_from_env(config: SlackConfig, environ: dict[str, str]) -> SlackGateway | None:
    token = environ.get(config.token_env, "").strip()
    return SlackGateway(token, config) if token else None
