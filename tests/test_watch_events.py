"""One incident per real event, new values onboarding, silence where it
means something (issue 19 §3c, §6, §7), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from incident.models import Incident, Signal
from incident.watch import jobs
from tests.test_volumes import DAYS, NOW, history, load, poisson, rate
from tests.test_volumes import det_ctx as _det_ctx

AIRLINES = ["东方航空", "南方航空", "国际航空"]


def tickets(days: float, end: dt.datetime, products: list[str], seed: int = 1, scale: float = 1.0):
    """Social complaints about airlines (channel social for all: that
    series is identical to the total)."""
    rng = random.Random(seed)
    b = (end - dt.timedelta(days=days)).replace(second=0, microsecond=0)
    b -= dt.timedelta(minutes=b.minute % 5)
    rows = []
    while b < end:
        for _ in range(poisson(rng, rate(b) * scale)):
            product = rng.choice(products)
            rows.append(
                {
                    "external_id": f"t-{seed}-{len(rows)}",
                    "received_at": (b + dt.timedelta(seconds=rng.randint(0, 299))).isoformat(),
                    "channel": "social",
                    "request_type": "投诉",
                    "category": rng.choice(["延误", "行李", "服务"]),
                    "product": product,
                    "text": "航班体验差",
                }
            )
        b += dt.timedelta(minutes=5)
    return rows


def storm(at: dt.datetime, product: str, n: int) -> list[dict]:
    return [
        {
            "external_id": f"storm-{product}-{i}",
            "received_at": (at + dt.timedelta(seconds=7 * i % 290)).isoformat(),
            "channel": "social",
            "request_type": "投诉",
            "category": "延误",
            "product": product,
            "text": "暴风雪航班取消，一直没人处理",
        }
        for i in range(n)
    ]


def det_ctx(clock, **detection):
    return _det_ctx(clock, **{"dimensions": ["product", "channel"], **detection})


def test_two_airlines_surging_open_two_incidents_and_social_adds_no_breadth(store, clock):
    ctx = det_ctx(clock)
    at = NOW - dt.timedelta(minutes=10)
    load(store, ctx, tickets(DAYS, at, AIRLINES) + storm(at, "东方航空", 60) + storm(at, "南方航空", 45))
    report = jobs.score_volumes(store, ctx)
    with store.transaction() as s:
        incs = {i.dedup_key: i for i in s.scalars(select(Incident))}
        assert set(incs) == {"surge:batch_complaint:product=东方航空", "surge:batch_complaint:product=南方航空"}, report
        assert incs["surge:batch_complaint:product=东方航空"].scope_products == ["东方航空"]
        sigs = {g.series_key: g for g in s.scalars(select(Signal))}
        # the total and its identical twin (every ticket is social) join the bigger airline's incident
        east = incs["surge:batch_complaint:product=东方航空"].id
        assert sigs["complaints"].incident_id == east
        assert (
            sigs["complaints/channel=social"].incident_id == east and sigs["complaints/channel=social"].detail["echo"]
        )
        assert {g.detail["breadth"] for g in sigs.values()} == {1}  # one airline each; social counts for nothing


def test_a_total_and_its_product_gather_on_one_incident(store, clock):
    ctx = det_ctx(clock)
    at = NOW - dt.timedelta(minutes=10)
    load(store, ctx, tickets(DAYS, at, AIRLINES) + storm(at, "东方航空", 80))
    jobs.score_volumes(store, ctx)
    with store.transaction() as s:
        inc = s.scalars(select(Incident)).one()
        assert inc.dedup_key == "surge:batch_complaint:product=东方航空"
        keys = set(s.scalars(select(Signal.series_key).where(Signal.incident_id == inc.id)))
        assert {"complaints", "complaints/product=东方航空"} <= keys


def test_a_new_airline_with_steady_tickets_opens_no_incident(store, clock):
    """Issue 19 §3: its first tickets are onboarding, not a surge (they were
    once scored after zeros replayed from the family's start)."""
    ctx = det_ctx(clock)
    begins = NOW - dt.timedelta(days=1)
    load(store, ctx, tickets(DAYS, begins, AIRLINES))
    clock.advance(days=-1)
    jobs.score_volumes(store, ctx)  # two weeks watched; no 新航空 yet
    clock.advance(days=1)
    # an airline joins with a third as many tickets as the others together, steadily
    load(store, ctx, tickets(1, NOW, AIRLINES, seed=2) + tickets(1, NOW, ["新航空"], seed=3, scale=1 / 3))
    report = jobs.score_volumes(store, ctx)
    assert report.opened == [], report
    with store.transaction() as s:
        assert s.scalars(select(Incident)).all() == []
        assert not s.scalars(select(Signal).where(Signal.series_key == "complaints/product=新航空")).all()


def test_a_quiet_category_is_no_incident_but_a_dead_branch_is(store, clock):
    """Issue 19 §7: silence alerts where configured (branches, channels,
    the total), not for categories by default."""
    ctx = _det_ctx(clock, dimensions=["branch", "category"])
    quiet_from = NOW - dt.timedelta(hours=3)
    rows = [
        r
        for r in history(5, NOW, seed=9, skip_branch="杭州", skip_from=quiet_from)
        if not (r["category"] == "服务" and dt.datetime.fromisoformat(r["received_at"]) >= quiet_from)
    ]
    load(store, ctx, rows)
    jobs.score_volumes(store, ctx)
    with store.transaction() as s:
        assert [i.dedup_key for i in s.scalars(select(Incident))] == ["silence:complaints/branch=杭州"]


def test_a_channel_carrying_every_ticket_falls_silent_with_the_total_as_one_incident(store, clock):
    """Every ticket comes through channel=social: when intake stops, the
    total and that channel fall silent together: one incident, not two."""
    ctx = _det_ctx(clock, dimensions=["channel"])
    rows = [
        r
        for r in tickets(DAYS, NOW, AIRLINES, seed=4)
        if dt.datetime.fromisoformat(r["received_at"]) < NOW - dt.timedelta(hours=2)
    ]
    load(store, ctx, rows)
    jobs.score_volumes(store, ctx)
    with store.transaction() as s:
        incidents = list(s.scalars(select(Incident)))
        keys = sorted(g.series_key for g in s.scalars(select(Signal)))
        assert [i.dedup_key for i in incidents] == ["silence:complaints"]
        assert keys == ["complaints#silence", "complaints/channel=social#silence"]


def test_a_total_alerting_after_its_airline_joins_the_airline_s_open_incident(store, clock):
    """The airline's series alerted in an earlier run (its incident is open,
    the series now in cooldown); the total crosses its bar a bucket later,
    alone: it joins that incident (the airline carries most of the total's
    complaints) instead of opening a generic one. A total whose complaints
    no open incident's value carries stays generic."""
    from types import SimpleNamespace

    from incident import response
    from incident.detector import Verdict
    from incident.enums import Kind
    from incident.models import VolumeSeries
    from incident.watch import events

    ctx = _det_ctx(clock, dimensions=["product"])
    with store.transaction() as s:
        response.open_or_attach(
            s,
            ctx,
            dedup_key="surge:batch_complaint:product=东方航空",
            signal={"summary": "x"},
            kind="batch_complaint",
            severity=3,
            title="东方航空",
        )
        total = VolumeSeries(key="complaints", family="complaints", dimension="total", value=None, bucket_seconds=300)
        hit = events.SeriesHit(total, NOW, 30.0, Verdict(0.9, 8.0, True, 1))
        ev = events.Event(hits=[hit], kind=Kind.BATCH_COMPLAINT)

        def rows(products: list[str]) -> list[SimpleNamespace]:
            return [
                SimpleNamespace(at=NOW + dt.timedelta(seconds=i), product=p, topics=[]) for i, p in enumerate(products)
            ]

        east = rows(["东方航空"] * 20 + ["南方航空"] * 10)
        assert events.dedup_key(s, ev, east) == "surge:batch_complaint:product=东方航空"
        south = rows(["南方航空"] * 27 + ["东方航空"] * 3)
        assert events.dedup_key(s, ev, south) == "surge:batch_complaint"
