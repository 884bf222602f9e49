"""A complaint storm through the live scorer (issue 19): nine days of
synthetic social-media complaints about airlines, imported as tickets
(channel social, category = complaint reason, product = airline) into a
fresh SQLite database, then scored through time by
:func:`incident.watch.volumes.score_family` with a stepping injected clock
(every ``--storm-step-minutes`` of simulated time, as the live job scores
each closed bucket). Days are counted from 0: day 0 is Monday 2027-02-08
in the centre's zone (America/New_York); days 0-4 are history.

What the data holds (seed fixed, so every run is the same):

- six airlines, a few to tens of tickets per hour each, a day/night rhythm
  and a weekday effect; seven complaint reasons;
- a winter storm on days 5-7: eight series (five airlines, three reasons)
  rise 2-5x, each ramping up over 2-5 hours from its own onset, staying up
  20-40 hours, and easing off over 3 hours; the extra tickets of an
  airline are mostly cancellations and delays, those of a reason come from
  every airline;
- a new airline whose tickets begin on day 3 at 09:00 (onboarding: not an
  incident);
- a reason label that the day shift alone uses (07:00-22:00 on weekdays,
  09:00-20:00 at weekends), so it is quiet every night (not a silence worth
  an incident).

Reported: which of the eight surging series alerted and how long after
their onset (the clock when the alert was raised), their highest score in
the surge, the storm's side effects (alerts on series the storm raised
1.5x or more, during the storm: not counted), every other alert, what the
new airline and the quiet label raised, and the incidents opened; and, to
show the surges can be seen in these counts, what a naive reference
raises on the same tickets (issue 19's rolling z-score: each series'
hourly count against its trailing 24 hours).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import re
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from benchmarks.detection_scale import poisson
from benchmarks.shared import example_config
from incident.context import Context
from incident.db import Store
from incident.models import Incident, Signal, VolumePoint, VolumeSeries
from incident.timeutil import FixedClock
from incident.watch import jobs
from incident.watch.classify import rules_for
from incident.watch.volumes import ScoreReport, score_family, series_key

ZONE = ZoneInfo("America/New_York")
DAY0 = dt.datetime(2027, 2, 8, tzinfo=ZONE)  # a Monday; no daylight-saving change within the nine days
DAYS = 9
HISTORY_DAYS = 5
UTC = dt.timezone.utc
# peak tickets per hour (times the day/night rhythm, about 0.12 at night)
AIRLINES = {"United": 24, "US Airways": 20, "American": 16, "Southwest": 12, "Delta": 7, "Virgin America": 4}
NEW_AIRLINE, NEW_RATE, NEW_FROM = "JetBlue", 20, DAY0 + dt.timedelta(days=3, hours=9)
QUIET = "Flight Attendant Complaints"  # the day shift's label: none at night
QUIET_HOURS = ((7, 22), (9, 20))  # when the day shift works: weekdays, weekends
REASONS = {
    "Customer Service Issue": 0.30,
    "Late Flight": 0.18,
    "Cancelled Flight": 0.10,
    "Lost Luggage": 0.10,
    "Bad Flight": 0.12,
    "Flight Booking Problems": 0.10,
    QUIET: 0.10,
}
_TEXTS = {  # a ticket's text: one of these, after the airline's handle
    "Customer Service Issue": "on hold for two hours and nobody answers / your agent was rude to me at the desk / "
    "still waiting for a reply to my DM / worst customer service, no help at all",
    "Late Flight": "flight delayed again, missed my connection / three hour delay at the gate and no updates / "
    "late departure and no explanation from the crew",
    "Cancelled Flight": "flight cancelled, rebooked for tomorrow night / cancelled again and no hotel voucher / "
    "my flight got cancelled, no rebooking options online",
    "Lost Luggage": "my bag never arrived at baggage claim / lost my luggage and no update for two days / "
    "where is my suitcase? the tracker shows nothing",
    "Bad Flight": "seat was broken and the wifi never worked / cabin was freezing the whole flight / "
    "cramped seats and no snacks on a five hour flight",
    "Flight Booking Problems": "website will not let me change my booking / charged twice for one ticket / "
    "cannot select seats online, the page keeps looping",
    QUIET: "the flight attendant was dismissive / crew ignored the call button for an hour",
}
TEXTS = {reason: texts.split(" / ") for reason, texts in _TEXTS.items()}
WEEKDAY = [1.1, 1.0, 1.0, 1.0, 1.05, 0.8, 0.85]


@dataclass(frozen=True)
class Surge:
    dimension: str  # product | category
    value: str
    factor: float
    day: int
    hour: int
    ramp_h: float
    plateau_h: float
    ease_h: float = 3.0

    @property
    def key(self) -> str:
        return series_key("complaints", self.dimension, self.value)

    @property
    def onset(self) -> dt.datetime:
        return DAY0 + dt.timedelta(days=self.day, hours=self.hour)

    @property
    def peak_from(self) -> dt.datetime:
        return self.onset + dt.timedelta(hours=self.ramp_h)

    @property
    def peak_to(self) -> dt.datetime:
        return self.peak_from + dt.timedelta(hours=self.plateau_h)

    @property
    def end(self) -> dt.datetime:
        return self.peak_to + dt.timedelta(hours=self.ease_h)

    def shape(self, when: dt.datetime) -> float:
        """0 before the onset, rising to 1 over the ramp, 1 on the plateau,
        back to 0 over the easing."""
        if when < self.onset or when >= self.end:
            return 0.0
        if when < self.peak_from:
            return (when - self.onset) / (self.peak_from - self.onset)
        if when < self.peak_to:
            return 1.0
        return (self.end - when) / (self.end - self.peak_to)


SURGES = [  # factors of each component; where they overlap the series rise more (the "real" column)
    Surge("product", "United", 2.5, 5, 6, 3, 30),
    Surge("product", "American", 2.0, 5, 9, 4, 24),
    Surge("product", "Delta", 3.0, 5, 14, 2, 20),
    Surge("product", "Southwest", 2.0, 6, 5, 3, 36),
    Surge("product", "Virgin America", 4.0, 6, 8, 2, 24),
    Surge("category", "Cancelled Flight", 2.5, 5, 7, 3, 40),
    Surge("category", "Late Flight", 2.0, 5, 10, 4, 30),
    Surge("category", "Lost Luggage", 2.5, 6, 12, 5, 24),
]
CAUGHT_WITHIN = dt.timedelta(hours=3)
REF_Z = 3.0


def _rhythm(local: dt.datetime) -> float:
    hour = local.hour + local.minute / 60
    day = max(0.0, math.sin(math.pi * (hour - 5) / 19)) if hour >= 5 else 0.0
    return (0.12 + 0.88 * day) * WEEKDAY[local.weekday()]


def _airlines(when: dt.datetime) -> dict[str, float]:
    rates: dict[str, float] = dict(AIRLINES)
    if when >= NEW_FROM:
        rates[NEW_AIRLINE] = NEW_RATE
    return rates


def _reasons(local: dt.datetime) -> dict[str, float]:
    start, end = QUIET_HOURS[local.weekday() >= 5]
    day_shift = start <= local.hour < end
    return {r: w for r, w in REASONS.items() if day_shift or r != QUIET}


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def generate(seed: int = 2015) -> list[dict[str, Any]]:
    """Every ticket of the nine days, in time order, with a ``storm`` mark
    on those the storm added."""
    rng = random.Random(seed)
    step = dt.timedelta(minutes=5)
    out: list[dict[str, Any]] = []
    b = DAY0
    while b < DAY0 + dt.timedelta(days=DAYS):
        local = b.astimezone(ZONE)
        rates, reasons = _airlines(b), _reasons(local)
        base = _rhythm(local) / 12  # per 5 minutes
        norm = sum(reasons.values())
        drawn: list[tuple[str, str, bool]] = []
        for airline, rate in rates.items():
            drawn += [(airline, _pick(rng, reasons), False) for _ in range(poisson(rng, rate * base))]
        for s in SURGES:
            shape = s.shape(b)
            if not shape:
                continue
            if s.dimension == "product":
                expected = rates[s.value] * base
                for _ in range(poisson(rng, (s.factor - 1) * shape * expected)):
                    u = rng.random()
                    reason = "Cancelled Flight" if u < 0.4 else "Late Flight" if u < 0.6 else _pick(rng, reasons)
                    drawn.append((s.value, reason, True))
            else:
                expected = sum(rates.values()) * base * reasons[s.value] / norm
                drawn += [
                    (_pick(rng, AIRLINES), s.value, True)
                    for _ in range(poisson(rng, (s.factor - 1) * shape * expected))
                ]
        for airline, reason, storm in drawn:
            out.append(
                {
                    "received_at": b + dt.timedelta(seconds=rng.randrange(300)),
                    "product": airline,
                    "category": reason,
                    "text": f"@{airline.replace(' ', '')} {rng.choice(TEXTS[reason])}",
                    "storm": storm,
                }
            )
        b += step
    out.sort(key=lambda r: r["received_at"])
    for i, row in enumerate(out):
        row["external_id"] = f"tw-{i:06d}"
    return out


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["external_id", "received_at", "channel", "request_type", "category", "product", "text"])
        for r in rows:
            when = r["received_at"].astimezone(UTC).isoformat()
            w.writerow([r["external_id"], when, "social", "complaint", r["category"], r["product"], r["text"]])


def _keys(ctx: Context, row: dict[str, Any]) -> list[str]:
    """The series a ticket counts in (the configured dimensions), topics
    as the product's own rules classify them."""
    topics = rules_for(ctx).classify(f"{row['category']} {row['text']}").topics
    keys = [
        "complaints",
        series_key("complaints", "category", row["category"]),
        series_key("complaints", "channel", "social"),
        series_key("complaints", "product", row["product"]),
    ]
    return keys + [series_key("complaints", "topic", t) for t in topics]


def realised(rows: list[dict[str, Any]], start: dt.datetime, end: dt.datetime) -> dict[str, float]:
    """(all tickets) / (tickets without the storm) per series over [start, end)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if start <= r["received_at"] < end:
            for k in r["keys"]:
                counts[k][0] += 1
                counts[k][1] += not r["storm"]
    return {k: total / max(normal, 1) for k, (total, normal) in counts.items()}


def base_key(signal_key: str) -> tuple[str, str]:
    """("complaints/product=X", "silence") from "complaints/product=X#silence";
    any suffix after '#' or '@' names what kind of alert it was."""
    parts = re.split(r"[#@]", signal_key, maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "surge")


def _local(when: dt.datetime) -> str:
    local = when.astimezone(ZONE)
    return f"d{(local.date() - DAY0.date()).days} {local:%a %H:%M}"


def _median(delays: list[dt.timedelta]) -> str:
    return _delay(dt.timedelta(seconds=statistics.median(d.total_seconds() for d in delays)))


def _delay(d: dt.timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}"


def simulate(step_minutes: int, seed: int) -> dict[str, Any]:
    config = example_config(
        centre={"timezone": "America/New_York", "language": "en"},
        detection={"dimensions": ["category", "branch", "channel", "topic", "product"]},
    )
    end = DAY0 + dt.timedelta(days=DAYS)
    clock = FixedClock(end.astimezone(UTC))
    ctx = Context(config, "bench", clock)
    rows = generate(seed)
    out: dict[str, Any] = {"rows": rows, "ctx": ctx}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "storm.csv"
        write_csv(path, rows)
        store = Store(f"sqlite:///{tmp}/storm.db")
        imported = jobs.import_complaints(store, ctx, path)
        assert imported.added == len(rows) and not imported.errors, (imported.added, imported.errors[:3])
        grace = dt.timedelta(seconds=config.detection.grace_seconds + 1)
        t0, runs, report = time.perf_counter(), 0, ScoreReport()
        at = DAY0.astimezone(UTC)
        while at < end:
            at += dt.timedelta(minutes=step_minutes)
            clock.current = at + grace
            with store.transaction() as s:
                score_family(s, ctx, "complaints", report)
            runs += 1
        out.update(runs=runs, seconds=time.perf_counter() - t0, buckets=report.buckets)
        with store.read() as s:
            out["signals"] = list(s.scalars(select(Signal).order_by(Signal.created_at, Signal.id)))
            out["incidents"] = list(s.scalars(select(Incident).order_by(Incident.id)))
            attached = s.execute(select(Signal.incident_id, func.count()).group_by(Signal.incident_id))
            out["per_incident"] = {i: n for i, n in attached if i is not None}
            ids = {k: i for k, i in s.execute(select(VolumeSeries.key, VolumeSeries.id))}
            out["max_score"] = {}
            for sg in SURGES:
                q = select(func.max(VolumePoint.score)).where(
                    VolumePoint.series_id == ids.get(sg.key, -1),
                    VolumePoint.bucket_start >= sg.onset,
                    VolumePoint.bucket_start < sg.end,
                )
                out["max_score"][sg.key] = s.scalar(q)
        store.dispose()
    return out


def _alert_line(sig: Signal) -> str:
    key, what = base_key(sig.series_key)
    title = (sig.detail or {}).get("title", "")
    return (
        f"    {_local(sig.bucket_start)} raised {_local(sig.created_at)}  {what:<7} {key}: "
        f"{sig.observed:.0f} vs {sig.baseline:.1f} expected, score {sig.score:.3f}, {sig.action}"
        + (f" INC-{sig.incident_id}" if sig.incident_id else "")
        + (f"  [{title}]" if title else "")
    )


class Hit(NamedTuple):
    """An alert, the product's (``signal`` set) or the reference's."""

    key: str  # the series
    what: str  # surge | silence | daily | ...
    bucket: dt.datetime
    raised: dt.datetime  # the clock when it was raised
    up: bool
    signal: Signal | None = None


def judge(hits: list[Hit], affected: set[str]) -> tuple[dict[str, Hit | None], list[Hit], list[Hit]]:
    """The first alert on each surging series within its surge (from its
    onset to its end), the storm's side effects (upward alerts, during the
    storm, on other series it raised 1.5x or more) and the rest."""
    storm_from, storm_to = min(s.onset for s in SURGES), max(s.end for s in SURGES)
    first: dict[str, Hit | None] = {}
    used: set[int] = set()
    for sg in SURGES:
        mine = [i for i, h in enumerate(hits) if h.key == sg.key and h.up and sg.onset <= h.bucket < sg.end]
        used.update(mine)
        first[sg.key] = min((hits[i] for i in mine), key=lambda h: h.raised, default=None)
    side = [
        i
        for i, h in enumerate(hits)
        if i not in used and h.up and h.key in affected and storm_from <= h.bucket < storm_to
    ]
    used.update(side)
    return first, [hits[i] for i in side], [h for i, h in enumerate(hits) if i not in used]


def reference(rows: list[dict[str, Any]]) -> list[Hit]:
    """A naive reference, as in issue 19: each series' hourly count against
    the mean and standard deviation of its trailing 24 hours; an alert when
    z >= REF_Z, then none on that series for 6 hours."""
    hours = DAYS * 24
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * hours)
    for r in rows:
        h = int((r["received_at"] - DAY0).total_seconds() // 3600)
        for k in r["keys"]:
            counts[k][h] += 1
    out = []
    for key, xs in counts.items():
        quiet_until = 0
        for h in range(24, hours):
            window = xs[h - 24 : h]
            mean, sd = statistics.fmean(window), statistics.pstdev(window)
            if h >= quiet_until and (xs[h] - mean) / max(sd, 1.0) >= REF_Z:
                at = DAY0 + dt.timedelta(hours=h)
                out.append(Hit(key, "surge", at, at + dt.timedelta(hours=1), True))
                quiet_until = h + 6
    return out


def _caught(first: dict[str, Hit | None]) -> tuple[int, list[dt.timedelta]]:
    delays = [h.raised - sg.onset for sg in SURGES if (h := first[sg.key]) is not None]
    return sum(d <= CAUGHT_WITHIN for d in delays), delays


def report(r: dict[str, Any], step_minutes: int) -> None:
    rows, ctx, signals = r["rows"], r["ctx"], r["signals"]
    for row in rows:
        row["keys"] = _keys(ctx, row)
    storm_from, storm_to = min(s.onset for s in SURGES), max(s.end for s in SURGES)
    affected = {k for k, f in realised(rows, storm_from, storm_to).items() if f >= 1.5}
    print(
        f"\nstorm: {len(rows):,} tickets over {DAYS} days (day 0 = Mon {DAY0:%Y-%m-%d}, America/New_York; days 0-"
        f"{HISTORY_DAYS - 1} history), {len(AIRLINES) + 1} airlines, {len(REASONS)} reasons, "
        f"{sum(r_['storm'] for r_ in rows):,} of them from the storm"
    )
    print(
        f"  scored every {step_minutes} min of simulated time: {r['runs']:,} score_family runs, "
        f"{r['buckets']:,} series-buckets, {r['seconds']:.1f} s"
    )
    hits = []
    for x in signals:
        key, what = base_key(x.series_key)
        hits.append(Hit(key, what, x.bucket_start, x.created_at, x.direction > 0, x))
    first, side, elsewhere = judge(hits, affected)
    print(
        f"  {'surging series':<38} {'factor':>6} {'real':>5}  {'onset':<12} {'first alert':<12} {'delay':>6}  max score"
    )
    for sg in SURGES:
        real = realised(rows, sg.peak_from, sg.peak_to).get(sg.key, 0.0)
        hit, best = first[sg.key], r["max_score"].get(sg.key)
        print(
            f"  {sg.key:<38} {sg.factor:>5.1f}x {real:>4.1f}x  {_local(sg.onset):<12} "
            f"{_local(hit.raised) if hit else 'none':<12} {_delay(hit.raised - sg.onset) if hit else '-':>6}  "
            f"{best if best is None else round(best, 3)}"
        )
    within, delays = _caught(first)
    median = _median(delays) if delays else "-"
    print(
        f"  caught within 3 h of onset: {within} of {len(SURGES)} "
        f"(target >= 6: {'met' if within >= 6 else 'NOT met'}); "
        f"caught at all: {len(delays)}; median delay {median}"
    )
    print(
        f"  storm side effects (alerts on series the storm raised >= 1.5x, during the storm; not counted): "
        f"{len(side)}: " + ", ".join(sorted({h.key for h in side}))
    )
    print(f"  alerts elsewhere: {len(elsewhere)} (target <= 5: {'met' if len(elsewhere) <= 5 else 'NOT met'})")
    for h in elsewhere[:25]:
        assert h.signal is not None
        print(_alert_line(h.signal))
    if len(elsewhere) > 25:
        print(f"    … and {len(elsewhere) - 25} more")
    ref_first, ref_side, ref_else = judge(reference(rows), affected)
    ref_within, ref_delays = _caught(ref_first)
    print(
        f"  reference (hourly count vs its trailing 24 h, z >= {REF_Z:g}, 6 h quiet after an alert): caught within "
        f"3 h {ref_within} of {len(SURGES)}, at all {len(ref_delays)}, median delay "
        f"{_median(ref_delays) if ref_delays else '-'}; side effects {len(ref_side)}; "
        f"alerts elsewhere {len(ref_else)}"
    )
    new_key = series_key("complaints", "product", NEW_AIRLINE)
    new = [h.signal for h in hits if h.key == new_key and h.signal is not None]
    new_inc = sorted({x.incident_id for x in new if x.incident_id})
    print(
        f"  new airline {NEW_AIRLINE} (tickets from {_local(NEW_FROM)}): {len(new)} alerts on its series"
        + (f" (incidents {', '.join(f'INC-{i}' for i in new_inc)})" if new_inc else "")
    )
    quiet_key = series_key("complaints", "category", QUIET)
    quiet = [h.signal for h in hits if h.key == quiet_key and h.signal is not None]
    kinds = ", ".join(sorted({base_key(x.series_key)[1] for x in quiet}))
    quiet_inc = sorted({x.incident_id for x in quiet if x.incident_id})
    print(
        f"  quiet label '{QUIET}' (day shift only): {len(quiet)} alerts"
        + (f" ({kinds}; incidents {', '.join(f'INC-{i}' for i in quiet_inc) or 'none'})" if quiet else "")
    )
    incidents = r["incidents"]
    print(f"  incidents opened: {len(incidents)}")
    for i in incidents:
        print(
            f"    INC-{i.id} {_local(i.declared_at)} sev{i.severity} {i.kind} dedup {i.dedup_key!r}, "
            f"{r['per_incident'].get(i.id, 0)} signals: {i.title}"
        )


def run(args: argparse.Namespace) -> None:
    step = args.storm_step_minutes
    report(simulate(step, args.storm_seed), step)


def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--storm-step-minutes",
        type=int,
        default=5,
        help="storm: simulated minutes between two scoring runs (default 5: every bucket as it closes)",
    )
    parser.add_argument("--storm-seed", type=int, default=2015, help="storm: the data's random seed (default 2015)")
