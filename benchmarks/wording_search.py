"""Wording search: does what an agent types find the right approved reply?

A labelled set of agent queries in Chinese and English
(``data/wording_queries.json``) for the demo's two incidents (the complaint
surge's outage and the payment provider's fault) and two more scenarios (a
parcel-delay batch complaint, an SMS verification-code outage), searched
with 50 approved sheets in the database (``data/wording_sheets.json``: the
four and 46 realistic distractors, each with its signals' sample
complaints). Reports top-1 accuracy (all, and each set of queries:
design, held-out 1, held-out 2, dev 3: 70 queries over 30 of the sheets)
and the lookup function's latency (``pull.get_reply`` on a warm
cache, reply rendered). Targets: ≥ 95 % top-1, p99 ≤ 50 ms.

    python -m benchmarks wording-search
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
ROUNDS = 20
# The query sets, in the order they were written (data/wording_queries.json
# says what each one has and has not been used for).
SETS = ("design", "held-out 1", "held-out 2", "dev 3", "held-out 3")
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.timezone.utc)


def _load(name: str, key: str) -> list[Any]:
    return json.loads((DATA / name).read_text("utf-8"))[key]


def seed(url: str) -> dict[str, int]:
    """The 50 approved sheets with their sample complaints; key → incident id."""
    from incident import response
    from incident.config import load_config
    from incident.context import Context
    from incident.db import Store
    from incident.models import Signal
    from incident.timeutil import FixedClock
    from incident.wording import factsheet, workflow

    config = load_config(ROOT / "examples" / "incident.toml")
    ctx = Context(config=config, actor="tester", clock=FixedClock(NOW))
    store = Store(url)
    ids: dict[str, int] = {}
    try:
        for key, kind, sev, title, what, what_en, scope, scope_en, fix, fix_en, samples in _load(
            "wording_sheets.json", "sheets"
        ):
            with store.transaction() as s:
                iid = response.declare(s, ctx, kind=kind, severity=sev, title=title).id
                factsheet.edit(
                    s,
                    ctx,
                    iid,
                    {
                        **{"what": what, "what.en": what_en, "scope": scope, "scope.en": scope_en},
                        **{"fix": fix, "fix.en": fix_en},
                        **{"support_channel": "客服热线 95311", "support_channel.en": "our hotline 95311"},
                    },
                )
                workflow.submit_sheet(s, ctx, iid)
                for i, text in enumerate(samples):
                    s.add(
                        Signal(
                            series_key=f"complaints/bench={key}#{i}",
                            bucket_start=NOW,
                            created_at=NOW,
                            kind=kind,
                            severity=sev,
                            action="attached",
                            incident_id=iid,
                            detail={"title": title, "samples": [{"type": "complaint", "text": text}]},
                        )
                    )
            for approver in ("emily", "sunli"):  # comms; legal too where the rules ask for it
                with store.transaction() as s:
                    if factsheet.approved(s, iid) is None:
                        workflow.approve_sheet(s, dataclasses.replace(ctx, actor=approver), iid)
            ids[key] = iid
    finally:
        store.dispose()
    return ids


def _lang(query: dict[str, Any]) -> str:
    """The reply's language: the query's own where it says, else guessed."""
    given = query.get("lang")
    if given:
        return "en" if given == "en" else "zh-CN"
    return "en" if query["q"].isascii() else "zh-CN"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run() -> list[tuple[str, str]]:
    from incident.config import load_config
    from incident.db import Store
    from incident.errors import NotFoundError
    from incident.wording import pull

    queries = _load("wording_queries.json", "queries")
    config = load_config(ROOT / "examples" / "incident.toml")
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        ids = seed(url)
        store = Store(url)
        try:
            names = {v: k for k, v in ids.items()}
            got: list[tuple[dict[str, Any], str]] = []
            for q in queries:
                lang = _lang(q)
                try:
                    found = names[pull.get_reply(store, config, q=q["q"], lang=lang).incident.id]
                except NotFoundError:
                    found = "(none)"
                got.append((q, found))
            times: list[float] = []
            for _ in range(ROUNDS):
                for q in queries:
                    lang = _lang(q)
                    start = time.perf_counter()
                    try:
                        pull.get_reply(store, config, q=q["q"], lang=lang)
                    except NotFoundError:
                        pass
                    times.append((time.perf_counter() - start) * 1000)
        finally:
            store.dispose()
    sets = [("all", got)] + [(name, [g for g in got if g[0]["set"] == name]) for name in SETS]
    for label, subset in sets:
        right = sum(1 for q, found in subset if found == q["target"])
        rows.append((f"top-1 accuracy, {label} ({len(subset)} queries)", f"{right / len(subset):.1%} ({right})"))
    rows.append((f"get_reply latency p50 ({len(times)} calls, 50 sheets)", f"{statistics.median(times):.2f} ms"))
    rows.append(("get_reply latency p99", f"{_pct(times, 99):.2f} ms"))
    for q, found in got:
        if found != q["target"]:
            rows.append((f"  miss ({q['set']}): {q['q']}", f"{found} (want {q['target']})"))
    return rows


if __name__ == "__main__":
    for label, figure in run():
        print(f"  {label:<66} {figure}")
