"""Flows ``watch-feeds`` and ``watch-volumes``. Thin: the work is in
:mod:`incident.watch.jobs`.

- ``watch-feeds`` polls every source that is due, one task per chunk of
  ``CHUNK`` sources (a task polls its chunk concurrently: thousands of
  one-source tasks would cost more than the polling). Within a task the
  sources that failed for a network reason (timeouts, refused connections,
  5xx) are polled once more; a source that still fails is recorded in its
  health and logged, and the flow completes. The task itself is retried
  only when the database connection dropped.
- ``watch-volumes`` scores every closed bucket of every series and opens or
  attaches incidents.

Once::

    python -m incident_flows.watch --once

On a schedule (feeds every minute — each source keeps its own poll
interval — and volumes once per bucket, the moment it has closed)::

    python -m incident_flows.watch
"""

from __future__ import annotations

import sys
from typing import Any

from prefect import flow, get_run_logger, serve, task
from prefect.types.entrypoint import EntrypointType
from sqlalchemy.exc import OperationalError

from incident.runtime import Runtime
from incident.watch import jobs
from incident_flows import slots

CHUNK = 100  # sources per task


def _database_dropped(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
    except OperationalError:
        return True  # the database connection dropped: worth another go
    except Exception:
        return False
    return False


@task(retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_database_dropped)
def poll_chunk(names: list[str]) -> list[dict[str, Any]]:
    """A chunk of sources polled concurrently; those that failed for a
    transient reason are polled once more inside the task (retrying the
    whole chunk would re-fetch the healthy ones)."""
    rt = Runtime.build()
    log = get_run_logger()

    def retrying(again: list[str]) -> None:
        log.info("retrying %d source(s) after a transient failure: %s", len(again), ", ".join(again[:20]))

    return [report.__dict__ for report in jobs.poll_chunk(rt.store, rt.ctx, names, on_retry=retrying)]


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=_database_dropped)
def score(families: tuple[str, ...]) -> dict[str, Any]:
    rt = Runtime.build()
    report = jobs.score_volumes(rt.store, rt.ctx, families)
    return report.__dict__


@task
def deliver() -> None:
    Runtime.build().deliver()


@flow(name="watch-feeds", log_prints=True)
def watch_feeds(names: list[str] | None = None) -> list[dict[str, Any]]:
    log = get_run_logger()
    rt = Runtime.build()
    names = names or jobs.due_sources(rt.store, rt.ctx)
    chunks = [names[i : i + CHUNK] for i in range(0, len(names), CHUNK)]
    futures = [(chunk, poll_chunk.submit(chunk)) for chunk in chunks]
    reports: list[dict[str, Any]] = []
    for chunk, future in futures:
        state = future.wait() or future.state
        if not state.is_completed():
            # The task itself failed (the database went away): the sources'
            # health says what was recorded; the other chunks are unaffected.
            log.warning("%d sources not polled: %s", len(chunk), state.message)
            reports += [
                {"source": n, "ok": False, "error_key": "feed.error.retries", "error_params": {}} for n in chunk
            ]
            continue
        for rep in future.result():
            reports.append(rep)
            if rep["ok"]:
                log.info(
                    "%s: %d entries, %d new, %d updated, %d signals",
                    rep["source"],
                    rep["entries"],
                    rep["new"],
                    rep["updated"],
                    rep["signals"],
                )
            else:
                log.warning("%s failed: %s %s", rep["source"], rep["error_key"], rep["error_params"])
    deliver()
    return reports


@flow(name="watch-volumes", log_prints=True)
def watch_volumes(families: tuple[str, ...] = ("complaints", "feeds")) -> dict[str, Any]:
    report = score(families)
    get_run_logger().info(
        "scored %d series, %d buckets: %d alerts, opened %s, attached %s",
        report["series"],
        report["buckets"],
        report["alerts"],
        report["opened"],
        report["attached"],
    )
    deliver()
    return report


def deployments(entrypoint: EntrypointType = EntrypointType.FILE_PATH) -> list[Any]:
    det = Runtime.build().config.detection
    return [
        watch_feeds.to_deployment(
            name="watch-feeds", schedule=slots.every("watch-feeds", 60, det.grace_seconds), entrypoint_type=entrypoint
        ),
        watch_volumes.to_deployment(
            name="watch-volumes",
            schedule=slots.detection(det.bucket_minutes * 60, det.grace_seconds),
            entrypoint_type=entrypoint,
        ),
    ]


def main(argv: list[str]) -> None:
    if "--once" in argv:
        print("watch-feeds:", watch_feeds())
        print("watch-volumes:", watch_volumes())
        return
    # The runner looks for due runs every second (Prefect's default is 10 s,
    # which would add up to 10 s to every detection).
    serve(*deployments(), query_seconds=1)


if __name__ == "__main__":
    main(sys.argv[1:])
