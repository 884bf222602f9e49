"""Every flow of the coordinator on its schedule, in one runner:
``watch-feeds`` (every minute; each source keeps its own interval),
``watch-volumes`` (once per bucket, as it closes), ``deliver-outbox`` (30 s),
``escalate-unacknowledged`` (1 min), ``sweep-callbacks`` (5 min),
``slack-sync`` (20 s), ``daily-report`` (08:00 in the centre's zone) and
``issue-compensation`` (on demand).

``incident serve`` runs this next to the web app. On its own, against a
Prefect server (``PREFECT_API_URL``)::

    python -m flows.serve
"""

from __future__ import annotations

from typing import Any

from prefect import serve


def deployments() -> list[Any]:
    from flows import escalation, outbox, remedy, slack, watch

    return [*watch.deployments(), *outbox.deployments(), *escalation.deployments(), *remedy.deployments(),
            *slack.deployments()]


def main() -> None:
    from incident.config import Settings
    from incident.logs import setup

    settings = Settings()
    setup(settings.log_format, settings.log_level)
    # The runner looks for due runs every second (Prefect's default, 10 s,
    # would add up to 10 s to every detection).
    serve(*deployments(), query_seconds=1)


if __name__ == "__main__":
    main()
