"""Flow ``escalate-unacknowledged``: escalate roles not acknowledged in time
and deliver the notifications that queues. Thin: the work is
:func:`incident.escalation.sweep` and :func:`incident.notify.deliver_pending`.

Run it on a schedule (every minute) with Prefect's ``serve``::

    python -m incident_flows.escalation
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.types.entrypoint import EntrypointType

from incident import escalation
from incident.runtime import Runtime
from incident_flows import slots


@task(retries=2, retry_delay_seconds=5)
def sweep_and_notify() -> int:
    # Retrying is safe: an assignment escalates once and each notification
    # has a dedupe key.
    rt = Runtime.build()
    with rt.store.transaction() as session:
        done = escalation.sweep(session, rt.ctx)
    rt.deliver()
    return len(done)


@flow(name="escalate-unacknowledged", log_prints=True)
def escalate_unacknowledged() -> int:
    count = sweep_and_notify()
    get_run_logger().info("escalated %d unacknowledged role(s)", count)
    return count


def deployments(entrypoint: EntrypointType = EntrypointType.FILE_PATH) -> list[Any]:
    return [
        escalate_unacknowledged.to_deployment(
            name="escalate-unacknowledged",
            schedule=slots.every("escalate-unacknowledged", 60),
            entrypoint_type=entrypoint,
        )
    ]


if __name__ == "__main__":
    escalate_unacknowledged.serve(name="escalate-unacknowledged", interval=60)
