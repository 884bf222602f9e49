"""What every channel adapter offers the publishing outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    key: str  # idempotency key: statement, channel, recipient
    channel: str
    recipient: str
    lang: str
    payload: dict[str, Any]  # text / subject+text+html / fields


class DeliveryError(Exception):
    """A send that failed. ``permanent`` ones (a refused address) are not
    retried; the others are, with back-off."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class ChannelAdapter(Protocol):
    channel: str
    # True when sending the same key twice delivers once (the gateway or
    # the adapter drops the repeat). Only such adapters are retried after a
    # crash left a send unrecorded; the others are held for a person.
    idempotent: bool

    def send(self, message: OutgoingMessage) -> str | None:
        """Deliver; return the provider's reference if it gives one."""
        ...
