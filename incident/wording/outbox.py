"""What the outbox sends, in one call for the ``deliver-outbox`` flow and
``incident outbox deliver``: the statements' channel deliveries, and the
status page's notices to its subscribers (queued here in one short
transaction, since publishing a statement on the status page is what makes
them due; a repeat queues nothing). Sending happens after commit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from incident.adapters.base import ChannelAdapter
from incident.config import AppConfig
from incident.db import Store
from incident.timeutil import Clock
from incident.wording import status_subscriptions
from incident.wording.deliver import DeliveryReport, default_adapters, deliver_due


def adapters(config: AppConfig, data_dir: Path, clock: Clock) -> dict[str, ChannelAdapter]:
    """Every channel's adapter: statements' and status-page subscribers'."""
    return {**default_adapters(config, data_dir, clock), **status_subscriptions.adapters(config, data_dir, clock)}


def deliver_outbox(
    store: Store,
    config: AppConfig,
    data_dir: Path,
    clock: Clock,
    *,
    limit: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> DeliveryReport:
    with store.transaction() as session:
        status_subscriptions.enqueue_notices(session, config, clock.now())
    return deliver_due(store, adapters(config, data_dir, clock), clock.now, limit=limit, progress=progress)
