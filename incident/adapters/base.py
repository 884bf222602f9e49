"""What every channel adapter offers the publishing outbox, and the rule
for every adapter with a side effect outside the database (a channel, the
compensation provider in incident/adapters/compensation.py).

Idempotency is recorded where every worker sees it. Workers run on several
machines, each with its own ``INCIDENT_DATA_DIR``, and after a crash the
same key is retried by whichever worker takes it next. So an adapter's
record of "this key was already done" lives either in the remote system
(a gateway or refund API that drops a repeated idempotency key) or in the
database: table ``once_keys``, scope ``provider:<name>``, key = the
idempotency key, ``result`` = what the provider answered (its reference);
the outbox's delivery rows play that part for channel adapters. Never in a worker's own files or
memory: a second worker would not see it and would act again.

The record is committed in a transaction of its own *before* the side
effect, naming where the effect goes, and marked done after it; whoever
retries the key reads it and either returns the recorded answer or checks
the named place before acting (``ExportFileProvider`` shows how, and which
kill -9 windows each step covers). An adapter that cannot check says so
(``idempotent = False`` below; a retryable error for a provider) rather
than act a second time."""

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
