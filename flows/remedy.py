"""Flows of the remedy half. Thin: the work is in :mod:`incident.remedy`.

- ``issue-compensation`` (on demand, e.g. ``incident comp issue`` or a
  deployment run): issues approved entries in batches through the provider.
  Resumable: a batch is claimed and committed before the provider is
  called, the provider is idempotent by key, so a run killed at any point
  and started again compensates every customer exactly once.
- ``sweep-callbacks`` (every 5 minutes): schedules the callbacks customers
  are owed, assigns them to agents, escalates overdue ones; opens the
  review of each resolved incident and escalates overdue follow-up actions
  (incident/review/actions.py).
- ``daily-report`` (every morning): the day's report of 003 §2.4 as
  Markdown and HTML, handed to the notifier; then the day's clean-up
  (expired web sessions).

Serve all three with::

    python -m incident_flows.remedy
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger, serve, task
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from incident.access import sessions
from incident.adapters.compensation import default_provider
from incident.notify import enqueue
from incident.remedy import callbacks, issuing, reports
from incident.review import actions as review_actions
from incident.runtime import Runtime
from incident_flows import slots


@task(retries=3, retry_delay_seconds=[10, 60, 300])
def issue_batches(
    incident_id: int | None, batch: int | None, max_batches: int | None, lease_seconds: float | None
) -> dict[str, int]:
    rt = Runtime.build()
    logger = get_run_logger()

    def progress(done: int, total: int) -> None:
        logger.info("issued %d/%d", done, total)

    report = issuing.issue_due(
        rt.store,
        rt.ctx,
        default_provider(rt.settings.data_dir, rt.clock, store=rt.store),
        incident_id=incident_id,
        batch=batch,
        max_batches=max_batches,
        progress=progress,
        lease=issuing.LEASE if lease_seconds is None else dt.timedelta(seconds=lease_seconds),
    )
    for error in report.errors[:20]:
        logger.warning("issue failed: %s", error)
    if report.retrying and not report.issued:
        # The provider is down: let Prefect retry the task later.
        raise RuntimeError(f"provider unavailable; {report.retrying} entries wait for the next try")
    return {"issued": report.issued, "failed": report.failed, "retrying": report.retrying, "batches": report.batches}


@flow(name="issue-compensation", log_prints=True)
def issue_compensation(
    incident_id: int | None = None,
    batch: int | None = None,
    max_batches: int | None = None,
    lease_seconds: float | None = None,
) -> dict[str, int]:
    """``lease_seconds``: how old a claim left by a killed run must be before
    it is taken again (default 2 minutes; 0 right after a known crash)."""
    result = issue_batches(incident_id, batch, max_batches, lease_seconds)
    get_run_logger().info("compensation: %s", result)
    return result


@task(retries=2, retry_delay_seconds=10)
def sweep_once() -> dict[str, int]:
    # Retrying is safe: creation is keyed, assignment and escalation claim
    # rows (SKIP LOCKED) and change each once.
    rt = Runtime.build()
    with rt.store.transaction() as session:
        report = callbacks.sweep(session, rt.ctx)
        # The reviews' follow-up actions are tracked like callbacks (and each
        # resolved incident's review opened): claimed the same way, once each.
        followed = review_actions.sweep(session, rt.ctx)
    rt.deliver()
    return {
        "created": report.created,
        "cancelled": report.cancelled,
        "assigned": report.assigned,
        "escalated": report.escalated,
        "reviews_opened": followed.opened,
        "actions_escalated": followed.escalated,
    }


@flow(name="sweep-callbacks", log_prints=True)
def sweep_callbacks() -> dict[str, int]:
    result = sweep_once()
    get_run_logger().info("callbacks: %s", result)
    return result


@task(retries=2, retry_delay_seconds=30)
def write_report(day: str | None) -> str:
    rt = Runtime.build()
    now = rt.clock.now()
    chosen = dt.date.fromisoformat(day) if day else (now.astimezone(rt.config.zone) - dt.timedelta(days=1)).date()
    with rt.store.transaction() as session:
        data, md, html = reports.write_daily(session, rt.ctx, chosen, rt.settings.data_dir / "reports")
        who = callbacks.supervisor(rt.config)
        if who:
            rate = data["callbacks"]["handling_rate"]
            enqueue(
                session,
                recipient=who,
                key="notify.daily_report",
                params={
                    "day": data["day"],
                    "complaints": data["complaints"]["total"],
                    "rate": "—" if rate is None else f"{rate * 100:.1f}%",
                    "mean": data["satisfaction"]["mean"] or "—",
                    "path": str(html),
                },
                dedupe_key=f"daily-report:{data['day']}",
                now=now,
                config=rt.config,
            )
    rt.deliver()
    return str(md)


@task(retries=2, retry_delay_seconds=30)
def prune_sessions() -> int:
    # Idempotent: a second run finds nothing expired left to delete.
    rt = Runtime.build()
    with rt.store.transaction() as session:
        return sessions.prune(session, rt.clock.now())


@flow(name="daily-report", log_prints=True)
def daily_report(day: str | None = None) -> str:
    """``day``: YYYY-MM-DD; default yesterday in the centre's zone."""
    path = write_report(day)
    get_run_logger().info("daily report: %s", path)
    get_run_logger().info("expired web sessions removed: %d", prune_sessions())
    return path


def deployments(entrypoint: EntrypointType = EntrypointType.FILE_PATH) -> list[Any]:
    """``issue-compensation`` has no schedule: it runs on demand (the CLI's
    ``comp issue``, the API, or ``prefect deployment run``)."""
    return [
        sweep_callbacks.to_deployment(
            name="sweep-callbacks", schedule=slots.every("sweep-callbacks", 300), entrypoint_type=entrypoint
        ),
        # 08:00 in the centre's own zone (a bare cron would be UTC).
        daily_report.to_deployment(
            name="daily-report",
            schedule=Cron("0 8 * * *", timezone=Runtime.build().config.centre.timezone),
            entrypoint_type=entrypoint,
        ),
        issue_compensation.to_deployment(name="issue-compensation", entrypoint_type=entrypoint),
    ]


if __name__ == "__main__":
    serve(*deployments())
