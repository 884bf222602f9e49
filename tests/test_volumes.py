"""Volume series end to end: complaints and feed entries counted per
bucket, scored by the detector, alerts turned into incidents with their
reasons, snoozes and maintenance windows, and two scorers at once."""

from __future__ import annotations

import datetime as dt
import math
import random
import threading

import pytest
from sqlalchemy import func, select

from incident import incidents, response
from incident.context import Context
from incident.errors import InputError, NotFoundError
from incident.models import FeedEntry, Incident, Signal, VolumePoint, VolumeSeries
from incident.watch import jobs, signals
from incident.watch.classify import load_rules
from incident.watch.complaints import ingest
from tests.watchutil import make_config

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
BRANCHES = ["杭州", "上海", "南京"]


def rate(when: dt.datetime) -> float:
    """Mean complaints per 5 minutes: quiet at night, busy by day (centre time)."""
    hour = (when.hour + 8) % 24 + when.minute / 60
    return 1.0 + 7.0 * max(0.0, math.sin(math.pi * (hour - 7) / 15)) if 7 <= hour <= 22 else 1.0


def poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def history(
    days: float, end: dt.datetime, seed: int = 1, skip_branch: str | None = None, skip_from: dt.datetime | None = None
):
    rng = random.Random(seed)
    start = end - dt.timedelta(days=days)
    start = start.replace(minute=start.minute - start.minute % 5, second=0, microsecond=0)
    rows, b, n = [], start, 0
    while b < end:
        for _ in range(poisson(rng, rate(b))):
            branch = rng.choice(BRANCHES)
            if skip_branch == branch and skip_from is not None and b >= skip_from:
                continue
            n += 1
            rows.append(
                {
                    "external_id": f"h-{seed}-{n}",
                    "received_at": (b + dt.timedelta(seconds=rng.randint(0, 299))).isoformat(),
                    "channel": rng.choice(["phone", "chat", "app"]),
                    "request_type": "投诉",
                    "category": rng.choice(["物流", "账单", "服务"]),
                    "branch": branch,
                    "text": rng.choice(["快递还没到", "查询订单", "想改地址", "账单有疑问", "咨询积分"]),
                }
            )
        b += dt.timedelta(minutes=5)
    return rows


def surge(at: dt.datetime, n: int, prefix: str = "s") -> list[dict]:
    return [
        {
            "external_id": f"{prefix}-{i}",
            "received_at": (at + dt.timedelta(seconds=3 * i % 290)).isoformat(),
            "channel": "app",
            "request_type": "投诉",
            "category": "系统",
            "branch": BRANCHES[i % 3],
            "text": "APP登录失败，一直提示服务器繁忙",
        }
        for i in range(n)
    ]


def load(store, ctx, rows) -> None:
    with store.transaction() as s:
        ingest(s, ctx, list(enumerate(rows, 1)), load_rules(), "test")


# Days of ordinary history before a surge: enough for a learnt baseline
# (a young series' first week is the cold start, tested on its own).
DAYS = 14


def det_ctx(clock, **detection) -> Context:
    config = make_config(detection={"backfill_days": 21, "dimensions": ["category", "branch", "topic"], **detection})
    return Context(config=config, actor="detector", clock=clock)


@pytest.fixture
def clock():
    from incident.timeutil import FixedClock

    return FixedClock(NOW)


def test_outage_surge_opens_one_incident_that_says_why(store, clock):
    ctx = det_ctx(clock)
    load(store, ctx, history(DAYS, NOW - dt.timedelta(minutes=10)) + surge(NOW - dt.timedelta(minutes=10), 80))
    report = jobs.score_volumes(store, ctx)
    assert len(set(report.opened)) == 1, report
    with store.transaction() as s:
        inc = s.scalars(select(Incident)).one()
        assert inc.kind == "system_outage" and inc.dedup_key == "surge:system_outage"
        assert inc.severity <= 2  # ~80 against a baseline of a few, across every branch
        assert set(inc.scope_regions) == set(BRANCHES) and inc.scope_channels == ["app"]  # where the surge comes from
        sigs = s.scalars(select(Signal).where(Signal.incident_id == inc.id).order_by(Signal.id)).all()
        assert {g.action for g in sigs} == {"opened", "attached"} or [g.action for g in sigs] == ["opened"]
        first = sigs[0]
        assert first.bucket_start == NOW - dt.timedelta(minutes=10)
        assert first.observed >= 40 and first.baseline < 10 and first.score > 0.5
        assert first.detail["samples"] and "登录失败" in first.detail["samples"][0]["text"]
        events = [e for e in incidents.get(s, inc.id).events if e.type == "signal_attached"]
        why = events[0].data["signal"]
        assert why["series"] == first.series_key and why["observed"] == first.observed and why["samples"]
        # every bucket of every series scored exactly once, and points kept for the chart
        total = s.scalars(select(VolumeSeries).where(VolumeSeries.key == "complaints")).one()
        assert total.next_bucket_at == NOW - dt.timedelta(minutes=5)
        pts = s.scalar(select(func.count()).select_from(VolumePoint).where(VolumePoint.series_id == total.id))
        assert pts == DAYS * 288 + 1
    again = jobs.score_volumes(store, ctx)
    assert again.buckets == 0 and again.signals == 0  # nothing closed since: nothing rescored
    clock.advance(minutes=5)
    later = jobs.score_volumes(store, ctx)
    assert later.buckets > 0 and later.opened == []
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 1


def test_no_alert_on_an_ordinary_day(store, clock):
    ctx = det_ctx(clock)
    load(store, ctx, history(6, NOW, seed=3))
    report = jobs.score_volumes(store, ctx)
    assert report.signals == 0 and report.opened == [], report


def test_surge_attaches_to_the_open_incident_and_maintenance_silences(store, clock):
    ctx = det_ctx(clock)
    with store.transaction() as s:
        existing = response.declare(
            s, ctx, kind="system_outage", severity=3, title="APP 登录故障（人工宣布）", dedup_key="surge:system_outage"
        )
    load(store, ctx, history(DAYS, NOW - dt.timedelta(minutes=10)) + surge(NOW - dt.timedelta(minutes=10), 80))
    report = jobs.score_volumes(store, ctx)
    assert report.opened == [] and set(report.attached) == {existing.id}
    with store.transaction() as s:
        inc = incidents.get(s, existing.id)
        assert inc.severity < 3  # the surge is bigger than declared: severity raised
        assert sum(e.type == "signal_attached" for e in inc.events) == report.signals


def test_maintenance_window_and_snooze_record_but_open_nothing(store, clock):
    ctx = det_ctx(clock)
    load(store, ctx, history(DAYS, NOW - dt.timedelta(minutes=10)) + surge(NOW - dt.timedelta(minutes=10), 80))
    with store.transaction() as s:
        signals.add_maintenance(
            s, ctx, "complaints*", NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1), "APP 发版"
        )
    report = jobs.score_volumes(store, ctx)
    assert report.opened == [] and report.silenced == report.signals > 0
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 0
        sig = s.scalars(select(Signal)).first()
        assert sig.action == "silenced" and sig.detail["silenced"]["by"] == "maintenance"
        with pytest.raises(InputError):
            signals.add_maintenance(s, ctx, "x", NOW, NOW - dt.timedelta(hours=1), "bad order")


def test_snooze_silences_one_series(store, clock):
    ctx = det_ctx(clock, dimensions=["topic"])
    # one outage ticket days ago, so that the outage series exists to be snoozed
    load(store, ctx, history(DAYS, NOW - dt.timedelta(minutes=15)) + surge(NOW - dt.timedelta(days=10), 1, "old"))
    clock.advance(minutes=-10)
    jobs.score_volumes(store, ctx)  # creates the series; scores up to the bucket before the surge
    clock.advance(minutes=10)
    with store.transaction() as s:
        signals.snooze(s, ctx, "complaints", NOW + dt.timedelta(hours=2), "已知问题")
        signals.snooze(s, ctx, "complaints/topic=outage", NOW + dt.timedelta(hours=2), "已知问题")
        with pytest.raises(NotFoundError):
            signals.snooze(s, ctx, "no-such-series", NOW + dt.timedelta(hours=2), "")
    load(store, ctx, surge(NOW - dt.timedelta(minutes=10), 80))
    report = jobs.score_volumes(store, ctx)
    assert report.opened == [] and report.silenced >= 1


def test_feed_surge_opens_public_opinion(store, clock):
    ctx = det_ctx(clock)
    rng = random.Random(5)
    rows, b, n = [], NOW - dt.timedelta(days=DAYS), 0
    while b < NOW - dt.timedelta(minutes=20):
        for _ in range(poisson(rng, rate(b) / 2)):
            n += 1
            rows.append(
                dict(
                    entry_key=f"k{n}",
                    source="weibo",
                    source_kind="social",
                    title="顺丰 快递太慢",
                    summary="",
                    published_at=b,
                    content_hash="h",
                    version=1,
                    first_seen_at=b,
                    updated_at=b,
                    topics=["delivery_delay"],
                    negative=True,
                    brand=True,
                )
            )
        b += dt.timedelta(minutes=5)
    burst = NOW - dt.timedelta(minutes=20)
    rows += [
        dict(
            entry_key=f"burst{i}",
            source="weibo",
            source_kind="social",
            title=f"顺丰 APP 崩了 {i}",
            summary="",
            link=f"https://weibo.example/{i}",
            published_at=burst + dt.timedelta(seconds=i),
            content_hash="h",
            version=1,
            first_seen_at=NOW - dt.timedelta(minutes=11),
            updated_at=NOW,
            topics=["outage"],
            negative=True,
            brand=True,
        )
        for i in range(60)
    ]
    with store.transaction() as s:
        s.execute(FeedEntry.__table__.insert(), rows)
    report = jobs.score_volumes(store, ctx, ("feeds",))
    assert len(set(report.opened)) == 1
    with store.transaction() as s:
        inc = s.scalars(select(Incident)).one()
        assert inc.kind == "public_opinion"
        sig = s.scalars(select(Signal).where(Signal.action == "opened")).one()
        assert sig.bucket_start == burst and sig.detail["samples"][0]["type"] == "entry"


def test_a_branch_going_silent_is_reported(store, clock):
    ctx = det_ctx(clock, dimensions=["branch"])
    quiet_from = NOW - dt.timedelta(hours=3)
    load(store, ctx, history(5, NOW, seed=9, skip_branch="杭州", skip_from=quiet_from))
    report = jobs.score_volumes(store, ctx)
    with store.transaction() as s:
        incs = s.scalars(select(Incident)).all()
        assert [(i.kind, i.dedup_key) for i in incs] == [("other", "silence:complaints/branch=杭州")], report
        assert incs[0].scope_regions == ["杭州"]


def test_two_scorers_at_once_open_one_incident(store, clock, db_url):
    ctx = det_ctx(clock)
    load(store, ctx, history(DAYS, NOW - dt.timedelta(minutes=10)) + surge(NOW - dt.timedelta(minutes=10), 80))
    from incident.db import Store

    results, errors = [], []

    def work() -> None:
        other = Store(db_url)
        try:
            results.append(jobs.score_volumes(other, ctx))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            other.dispose()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 1
        keys = s.execute(select(Signal.series_key, Signal.bucket_start)).all()
        assert len(keys) == len(set(keys))
        total = s.scalars(select(VolumeSeries).where(VolumeSeries.key == "complaints")).one()
        pts = s.scalar(select(func.count()).select_from(VolumePoint).where(VolumePoint.series_id == total.id))
        assert pts == DAYS * 288 + 1  # each bucket scored once, by one of them
    assert sum(len(set(r.opened)) for r in results) == 1


def test_a_category_never_seen_before_starts_at_its_first_ticket(store, clock):
    """Issue 19 §3: a new value's series begins with its first ticket (its
    first days teach it); a surge in it is caught by the series that know
    their normal (here the total), named by what the tickets say."""
    ctx = det_ctx(clock)
    load(store, ctx, history(DAYS, NOW - dt.timedelta(minutes=10)))
    clock.advance(minutes=-10)
    jobs.score_volumes(store, ctx)  # the history is scored; no 系统 (system) category exists yet
    clock.advance(minutes=10)
    load(store, ctx, surge(NOW - dt.timedelta(minutes=10), 80))
    report = jobs.score_volumes(store, ctx)
    assert len(set(report.opened)) == 1, report
    with store.transaction() as s:
        new = s.scalars(select(VolumeSeries).where(VolumeSeries.key == "complaints/category=系统")).one()
        # no zeros replayed from when the family began: one bucket, the first with a ticket
        assert s.scalar(select(func.count()).select_from(VolumePoint).where(VolumePoint.series_id == new.id)) == 1
        assert new.detector_state["surge"]["n"] == 1
        assert s.scalars(select(Incident.kind)).one() == "system_outage"  # the tickets are about an outage
        keys = set(s.scalars(select(Signal.series_key)))
        assert "complaints" in keys and "complaints/category=系统" not in keys


def test_a_branch_far_above_its_normal_for_days_is_reported(store, clock):
    """DOMAIN.md §3: inquiries about one branch far above normal for several
    days — a slow rise that no single bucket shows as a surge."""
    ctx = det_ctx(clock, dimensions=["branch"], backfill_days=30)
    rows = history(24, NOW, seed=21)
    rng = random.Random(4)
    extra, b = [], NOW - dt.timedelta(days=4)
    while b < NOW:
        for _ in range(poisson(rng, rate(b) * 2 / 3)):  # 南京 triples its usual third of the volume
            extra.append(
                {
                    "external_id": f"nj-{len(extra)}",
                    "received_at": (b + dt.timedelta(seconds=rng.randint(0, 299))).isoformat(),
                    "channel": "phone",
                    "request_type": "咨询",
                    "category": "物流",
                    "branch": "南京",
                    "text": "网点电话打不通",
                }
            )
        b += dt.timedelta(minutes=5)
    load(store, ctx, rows + extra)
    jobs.score_volumes(store, ctx)
    with store.transaction() as s:
        level = s.scalars(select(Signal).where(Signal.series_key == "complaints/branch=南京#daily")).all()
        assert len(level) == 1 and level[0].action == "opened"
        inc = s.get(Incident, level[0].incident_id)
        assert (
            inc.kind == "batch_complaint"
            and inc.dedup_key == "level:complaints/branch=南京"
            and inc.scope_regions == ["南京"]
        )
        branches = s.scalars(select(Signal.series_key).where(Signal.series_key.like("complaints/branch=%#daily"))).all()
        assert branches == ["complaints/branch=南京#daily"]  # the other branches stayed normal
        # (the total rose by two thirds for four days too, and may say so as well)


def test_a_series_scored_a_bucket_at_a_time_matches_one_detector_that_never_stopped(store, clock):
    """Issue 19 §8: each run loads the series' state from its row and writes
    it back (plain columns, orjson). A series scored over many runs gives
    the same verdicts as one detector fed every bucket without stopping, and
    its stored state is that detector's, float for float."""
    from incident.watch.detectors import SeriesDetectors
    from incident.watch.volumes import params_for, score_family

    ctx = det_ctx(clock, dimensions=["branch"])
    load(store, ctx, history(4, NOW, seed=5) + surge(NOW - dt.timedelta(hours=2), 80))
    clock.current = NOW - dt.timedelta(hours=6)
    runs = 0
    while clock.current <= NOW + dt.timedelta(minutes=1):
        with store.transaction() as s:
            score_family(s, ctx, "complaints")
        clock.advance(minutes=5)
        runs += 1
    assert runs > 70
    det = ctx.config.detection
    with store.transaction() as s:
        for key in ("complaints", "complaints/branch=杭州"):
            series = s.scalars(select(VolumeSeries).where(VolumeSeries.key == key)).one()
            points = s.scalars(
                select(VolumePoint).where(VolumePoint.series_id == series.id).order_by(VolumePoint.bucket_start)
            ).all()
            assert len(points) > 400
            again = SeriesDetectors(
                params_for(ctx), ctx.config.zone, silence=series.dimension in det.silence_dimensions
            )
            for p in points:
                step = again.step(p.bucket_start, p.value, det.min_count)
                assert (p.baseline, p.score, p.alert) == (step.surge.baseline, step.surge.score, step.alert), (
                    key,
                    p.bucket_start,
                )
            assert any(p.alert for p in points) or key != "complaints"  # the surge was seen, not only quiet buckets
            assert (series.detector_state, series.daily_state, series.day_total) == again.dump()


def test_a_story_carried_by_several_sources_counts_once(store, clock):
    """Entries are stored per source (issue 20): the same story in three
    feeds is one item of attention in the feed series, dated by its
    earliest sighting, and one sample."""
    from incident.watch.events import counted_stories, items_between

    at = NOW - dt.timedelta(minutes=30)

    def row(source, key, story, minutes):
        when = at + dt.timedelta(minutes=minutes)
        return dict(
            entry_key=key,
            story_key=story,
            source=source,
            source_kind="news",
            title="顺丰 APP 崩了",
            summary="",
            published_at=when,
            content_hash="h",
            version=1,
            first_seen_at=when,
            updated_at=when,
            topics=["outage"],
            negative=True,
            brand=True,
        )

    with store.transaction() as s:
        s.execute(
            FeedEntry.__table__.insert(),
            [
                row("a", "a1", "story", 3),
                row("b", "b1", "story", 1),
                row("c", "c1", "story", 7),
                row("a", "a2", "other", 2),
            ],
        )
    with store.transaction() as s:
        stories = counted_stories(s, at, NOW)
        assert [(when - at, topics) for when, topics in stories] == [
            (dt.timedelta(minutes=1), ["outage"]),
            (dt.timedelta(minutes=2), ["outage"]),
        ]
        assert len(items_between(s, "feeds", at, NOW)) == 2
