"""Flows ``watch-feeds`` and ``watch-volumes``. Thin: the work is in
:mod:`incident.watch.jobs`.

- ``watch-feeds`` polls every source that is due, concurrently, one task per
  source. A task is retried for network errors only (timeouts, refused
  connections, 5xx); a source that still fails is recorded in its health
  and logged, and the flow completes.
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
from incident.watch.fetch import FetchError
from incident_flows import slots


def _network_error(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
    except FetchError as exc:
        return exc.transient
    except OperationalError:
        return True  # the database connection dropped: worth another go
    except Exception:
        return False
    return False


@task(retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_network_error)
def poll_source(name: str) -> dict[str, Any]:
    rt = Runtime.build()
    report = jobs.poll_feed(rt.store, rt.ctx, name, raise_transient=True)
    return report.__dict__


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=_network_error)
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
    futures = [(name, poll_source.submit(name)) for name in names]
    reports = []
    for name, future in futures:
        state = future.wait() or future.state
        if state.is_completed():
            rep = future.result()
            reports.append(rep)
            if rep["ok"]:
                log.info(
                    "%s: %d entries, %d new, %d updated, %d signals",
                    name,
                    rep["entries"],
                    rep["new"],
                    rep["updated"],
                    rep["signals"],
                )
            else:
                log.warning("%s failed: %s %s", name, rep["error_key"], rep["error_params"])
        else:
            # Retries exhausted: the failure is already recorded in the
            # source's health; the other sources are unaffected.
            log.warning("%s failed after retries: %s", name, state.message)
            reports.append({"source": name, "ok": False, "error_key": "feed.error.retries", "error_params": {}})
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
