"""Paging at scale: 1,000 people called in across 200 incidents at once.

Four workers play four leads declaring at the same moment: each declares
an incident and calls five people in (``incidents.assign``, each one a
different person from a roster of 1,000), commits, and then delivers what
it queued, as the CLI and the web do after every change
(``Runtime.deliver`` → ``notify.deliver_due``). The figure is, for each of
the 1,000 called-in people, the time from the commit that called them in
to their first notification being handed to its adapter (a recording
console adapter: the time measured is the outbox's, not a network's),
with the acknowledge link made for each as it is sent.
Target: every one within 5 s, on SQLite and on PostgreSQL.

    python -m benchmarks paging
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
INCIDENTS, PER_INCIDENT, WORKERS = 200, 5, 4
ROLES = ("incident_lead", "comms_lead", "cs_lead", "scribe", "tech_liaison")
TARGET_S = 5.0


def _config() -> Any:
    from incident.config import Person, load_config

    config = load_config(ROOT / "examples" / "incident.toml")
    extra = {f"p{i:04d}": Person(name=f"值班员{i:04d}") for i in range(INCIDENTS * PER_INCIDENT)}
    return config.model_copy(update={"people": {**config.people, **extra}})


def bench(url: str) -> dict[str, float]:
    from incident import acklinks, incidents, response
    from incident.context import Context
    from incident.db import Store
    from incident.notify import deliver_due
    from incident.timeutil import Clock

    config = _config()
    store = Store(url)
    ctx = Context(config=config, actor="bench", clock=Clock())
    handed: dict[str, float] = {}
    called: dict[str, float] = {}
    lock = threading.Lock()

    class Recorder:
        channel = "console"

        def send(self, delivery: Any) -> None:
            with lock:
                handed.setdefault(delivery.key, time.perf_counter())

    notifiers = {"console": Recorder()}

    def lead(worker: int) -> None:
        for n in range(worker, INCIDENTS, WORKERS):
            with store.transaction() as s:
                iid = response.declare(s, ctx, kind="system_outage", severity=2, title=f"压测事件 {n}").id
                keys = []
                for j, role in enumerate(ROLES):
                    person = f"p{n * PER_INCIDENT + j:04d}"
                    keys.append(f"called:{incidents.assign(s, ctx, iid, role, person).id}")
            committed = time.perf_counter()
            with lock:
                called.update(dict.fromkeys(keys, committed))
            deliver_due(store, config, notifiers, ctx.clock.now, links=links)

    def links(session: Any) -> Any:  # the acknowledge link each call-in carries, as Runtime.deliver adds it
        return acklinks.link_maker(session, config, ctx.clock.now())

    started = time.perf_counter()
    threads = [threading.Thread(target=lead, args=(w,)) for w in range(WORKERS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    # what a worker's own delivery left (another worker's claim, a race): the flow's next run
    deliver_due(store, config, notifiers, ctx.clock.now, limit=5000, links=links)
    wall = time.perf_counter() - started
    store.dispose()
    waits = sorted(handed[k] - t0 for k, t0 in called.items() if k in handed)
    return {
        "people": len(called),
        "handed": len(waits),
        "p50": statistics.median(waits),
        "p99": waits[int(0.99 * (len(waits) - 1))],
        "max": waits[-1],
        "within": sum(1 for w in waits if w <= TARGET_S),
        "wall": wall,
    }


def run(pg: str | None, pg_schema: Callable[[str], AbstractContextManager[str]]) -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = bench(f"sqlite:///{tmp}/paging.db")
    if pg:
        with pg_schema(pg) as url:
            results["postgresql"] = bench(url)
    print(
        f"\npaging: {INCIDENTS * PER_INCIDENT} people called in across {INCIDENTS} incidents by {WORKERS} "
        "concurrent leads; commit → first notification handed to its adapter"
    )
    print(f"{'backend':<11} {'handed':>8} {'p50':>9} {'p99':>9} {'max':>9} {'within 5 s':>11} {'wall':>8}")
    for name, r in results.items():
        print(
            f"{name:<11} {r['handed']:>4}/{r['people']:<4} {r['p50'] * 1000:>6.0f} ms {r['p99'] * 1000:>6.0f} ms "
            f"{r['max'] * 1000:>6.0f} ms {r['within']:>6}/{r['people']:<4} {r['wall']:>6.1f} s"
        )
        met = r["within"] == r["people"] == r["handed"]
        print(f"  target: every first notification within {TARGET_S:.0f} s on {name}: {'met' if met else 'NOT met'}")
