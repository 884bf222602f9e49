"""Flow ``deliver-outbox``: send published statements' deliveries (e-mail
over SMTP, SMS/Weibo/WeChat/X through their adapters) and the queued
notifications, and the status page's notices to its subscribers. Thin: the
work is :func:`incident.wording.outbox.deliver_outbox`.

Retrying is safe: a claimed delivery is committed as "sending" before the
adapter is called, so a retry or a second worker never sends it again;
after a crash only idempotent adapters re-send (same key), the others hold
the row as in_doubt.

Serve it every 30 seconds with::

    python -m incident_flows.outbox
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.types.entrypoint import EntrypointType

from incident.runtime import Runtime
from incident.wording import outbox
from incident_flows import slots


@task(retries=3, retry_delay_seconds=[5, 30, 120])
def deliver_batch(limit: int = 200) -> dict[str, int]:
    rt = Runtime.build()
    logger = get_run_logger()

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            logger.info("delivered %d/%d", done, total)

    report = outbox.deliver_outbox(rt.store, rt.config, rt.settings.data_dir, rt.clock, limit=limit, progress=progress)
    rt.deliver()  # notifications queued by the same changes
    for error in report.errors[:20]:
        logger.warning("delivery failed: %s", error)
    return {
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
        "in_doubt": report.in_doubt,
        "taken_elsewhere": report.taken_elsewhere,
    }


@flow(name="deliver-outbox", log_prints=True)
def deliver_outbox(batches: int = 10, limit: int = 200) -> dict[str, int]:
    total = {"sent": 0, "retrying": 0, "failed": 0, "in_doubt": 0, "taken_elsewhere": 0}
    for _ in range(batches):
        report = deliver_batch(limit)
        for k, v in report.items():
            total[k] += v
        if sum(report.values()) < limit:
            break  # fewer rows due than asked for: the queue is drained
    get_run_logger().info("outbox: %s", total)
    return total


def deployments(entrypoint: EntrypointType = EntrypointType.FILE_PATH) -> list[Any]:
    return [
        deliver_outbox.to_deployment(
            name="deliver-outbox", schedule=slots.every("deliver-outbox", 30), entrypoint_type=entrypoint
        )
    ]


if __name__ == "__main__":
    deliver_outbox.serve(name="deliver-outbox", interval=30)
