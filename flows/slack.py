"""Flow ``slack-sync``: bring every incident's Slack channel in step
(channel, topic, members, the pinned summary, the timeline, archiving) and
retry what failed while Slack was unreachable. Thin: the work is
:func:`incident.slack.sync.sync_all`. Does nothing when no Slack token is
set. Serve it every 20 seconds with::

    python -m incident_flows.slack
"""

from __future__ import annotations

import os
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.types.entrypoint import EntrypointType

from incident.runtime import Runtime
from incident_flows import slots


@task(retries=2, retry_delay_seconds=10)
def sync_once() -> dict[str, int]:
    # Retrying is safe: each step is recorded as soon as Slack confirms it.
    from incident.slack.sync import sync_all  # noqa: PLC0415 — lazy: slack_sdk only in the process that syncs, not the runner

    rt = Runtime.build()
    if rt.slack is None:
        return {"incidents": 0, "calls": 0, "events": 0, "errors": 0}
    report = sync_all(rt.store, rt.ctx, rt.slack)
    for error in report.errors[:20]:
        get_run_logger().warning("slack: %s", error)
    return {
        "incidents": report.incidents,
        "calls": report.calls,
        "events": report.posted_events,
        "errors": len(report.errors),
    }


@flow(name="slack-sync", log_prints=True)
def slack_sync() -> dict[str, int]:
    result = sync_once()
    get_run_logger().info("slack: %s", result)
    return result


def deployments(entrypoint: EntrypointType = EntrypointType.FILE_PATH) -> list[Any]:
    # Without a token there is nothing to sync: the deployment stays, on
    # demand, instead of a flow-run process every 20 s doing nothing.
    rt = Runtime.build()
    configured = bool(os.environ.get(rt.config.slack.token_env, "").strip())
    schedule = slots.every("slack-sync", 20) if configured else None
    return [slack_sync.to_deployment(name="slack-sync", schedule=schedule, entrypoint_type=entrypoint)]


if __name__ == "__main__":
    slack_sync.serve(name="slack-sync", interval=20)
