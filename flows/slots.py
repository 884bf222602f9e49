"""When each periodic flow is due, within the minute.

``incident serve`` runs one flow run at a time (``incident.serve.RUN_LIMIT``),
each in a fresh interpreter, so runs due together queue one behind another.
Prefect anchors an interval schedule at the moment it is registered, which
put every interval flow on the same second — and, after some starts, just
before the detection run, which then waited behind them. The detection run
(``watch-volumes``) is due ``grace`` seconds after each bucket closes; every
other interval flow is anchored at its own offset after that slot, at least
10 s from it. Runs of 1–2 s (what they take in the benchmarks) are done
long before the slot; one that takes longer (a feed that times out, a slow
mail server) can still delay it (benchmarks/README.md, surge under
``incident serve``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect.schedules import Interval

from incident.runtime import Runtime

# Bucket boundaries are counted from the detector's epoch (the Unix epoch),
# so the slot follows each bucket's close whatever the bucket's length.
from incident.watch.detectors import EPOCH

# Seconds after the detection slot at which each interval flow is due
# (then every interval). 20-, 30- and 60-second intervals at these offsets
# leave the slot 10 s clear on either side and keep the flows 5 s apart.
OFFSETS = {
    "slack-sync": 10,  # every 20 s: +10, +30, +50 (= 10 s before the next slot)
    "deliver-outbox": 15,  # every 30 s: +15, +45
    "watch-feeds": 20,
    "escalate-unacknowledged": 25,
    "sweep-callbacks": 35,
}


def detection(bucket_seconds: int, grace_seconds: int) -> Any:
    """``watch-volumes``: due the moment each bucket has closed, plus the
    grace period, so a surge is scored within seconds of its bucket closing."""
    return Interval(dt.timedelta(seconds=bucket_seconds), anchor_date=EPOCH + dt.timedelta(seconds=grace_seconds))


def every(name: str, seconds: int, grace_seconds: int | None = None) -> Any:
    """An interval schedule for ``name``, at its offset from the detection slot."""
    if grace_seconds is None:
        grace_seconds = Runtime.build().config.detection.grace_seconds
    return Interval(
        dt.timedelta(seconds=seconds), anchor_date=EPOCH + dt.timedelta(seconds=grace_seconds + OFFSETS[name])
    )
