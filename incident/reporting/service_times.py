"""The tickets of a period against their deadlines (DOMAIN.md §4):
first response by channel (chat 30 s, e-mail 4 h; 001 §2.1), resolution
ordinary 24 h / complex 48 h (003 §2.3, the ``[callbacks]`` hours),
resolution rate and satisfaction.

Everything is aggregated in SQL over the integer durations stored at
intake (incident/watch/servicetimes.py), reading only the covering index
``ix_complaints_service_times``. Medians and the 90th percentile come
from a histogram (also built in SQL): one bucket per second under ten
minutes, per minute under ten hours, per ten minutes beyond; a percentile
is the start of its bucket, so exact under ten minutes and within a
minute (ten beyond ten hours) above. A percentile interpolates between
the two ranks around (n - 1)·p, as spreadsheets do: the median of two
incidents of 1 h and 2 h 20 min is 1 h 40 min, not the shorter one."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.models import Complaint
from incident.watch.complaints import CHANNELS, REQUEST_TYPES

# 001 §2.1: chat acknowledged within 30 s, e-mail within 4 h. The other
# channels have no first-response deadline in the handbooks.
RESPONSE_DEADLINES = {"chat": 30, "email": 4 * 3600}
SCORES = ("1", "2", "3", "4", "5")


def resolution_deadlines(ctx: Context) -> dict[str, int]:
    """Seconds allowed to resolve an ordinary and a complex ticket."""
    cb = ctx.config.callbacks
    return {"ordinary": cb.ordinary_hours * 3600, "complex": cb.complex_hours * 3600}


def _bucket(seconds: Any) -> ColumnElement[Any]:
    """The histogram bucket: the second under 10 min, the minute under
    10 h, ten minutes beyond (``//``: integer division on both backends)."""
    return case(
        (seconds < 600, seconds),
        (seconds < 36000, (seconds // 60) * 60),
        else_=(seconds // 600) * 600,
    )


def _count_if(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def percentile(hist: dict[int, int], p: float) -> int | None:
    """The p-quantile over a histogram {value: count}, interpolated between
    the values at ranks floor and ceil of (n - 1)·p (0-based)."""
    n = sum(hist.values())
    if not n:
        return None
    h = (n - 1) * p
    lo, hi = math.floor(h), math.ceil(h)
    x_lo = x_hi = None
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if x_lo is None and seen > lo:
            x_lo = value
        if seen > hi:
            x_hi = value
            break
    assert x_lo is not None and x_hi is not None  # the ranks add up to n
    return round(x_lo + (h - lo) * (x_hi - x_lo))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _group_totals() -> dict[str, Any]:
    return {
        "received": 0,
        "responded": 0,
        "response_due": 0,  # responded on a channel that has a deadline
        "response_within": 0,
        "resolved": 0,
        "resolution_within": 0,
        "satisfaction": dict.fromkeys(SCORES, 0),
    }


Key = tuple[str, str, bool]  # channel, request type, complex
_SPAN = 10**10  # above any bucket: seconds are 32-bit integers


def _code(column: Any, values: tuple[str, ...]) -> ColumnElement[Any]:
    return case(*((column == v, i + 1) for i, v in enumerate(values)), else_=0)


def _grouped(
    session: Session, ctx: Context, column: Any, where: tuple[Any, ...], *, sums: bool
) -> list[tuple[Key, int | None, list[int]]]:
    """(group, bucket of ``column`` or None, [count, the summary's sums…]).

    Why one integer key: SQLite groups by sorting, and a million rows
    sort about twice as fast on one integer as on (channel, type,
    complex, bucket); the group is coded 1..5 by the known values, 0 for
    any other stored value (refused at intake, but a store may hold one),
    which is then read again by name."""
    c = Complaint
    group = (_code(c.channel, CHANNELS) * 10 + _code(c.request_type, REQUEST_TYPES)) * 2 + cast(c.complex, Integer)
    key = (group * literal(_SPAN, BigInteger) + func.coalesce(_bucket(column), -1) + 1).label("k")
    extra: list[Any] = []
    if sums:
        deadline = case(*((c.channel == ch, literal(s)) for ch, s in RESPONSE_DEADLINES.items()), else_=None)
        res = resolution_deadlines(ctx)
        res_deadline = case((c.complex, literal(res["complex"])), else_=literal(res["ordinary"]))
        extra = [
            func.count(c.first_response_seconds),
            _count_if(and_(c.first_response_seconds.is_not(None), c.channel.in_(list(RESPONSE_DEADLINES)))),
            _count_if(c.first_response_seconds <= deadline),
            func.count(c.resolution_seconds),
            _count_if(c.resolution_seconds <= res_deadline),
            *(_count_if(c.satisfaction == int(k)) for k in SCORES),
        ]
    out: list[tuple[Key, int | None, list[int]]] = []
    unknown = False
    # Without the sums only the measured rows matter: the others are not sorted.
    measured = () if sums else (column.is_not(None),)
    for k, *n in session.execute(select(key, func.count(), *extra).where(*where, *measured).group_by(key)):
        code, bucket = divmod(int(k), _SPAN)
        ch, rt, cx = code // 20, code % 20 // 2, bool(code % 2)
        if not ch or not rt:
            unknown = True
            continue
        out.append(((CHANNELS[ch - 1], REQUEST_TYPES[rt - 1], cx), bucket - 1 if bucket else None, [int(x) for x in n]))
    if unknown:
        out += _unknown(session, column, where, extra)
    return out


def _unknown(
    session: Session, column: Any, where: tuple[Any, ...], extra: list[Any]
) -> list[tuple[Key, int | None, list[int]]]:
    """The rows whose channel or type is none of the known ones, by name."""
    c = Complaint
    odd = or_(c.channel.not_in(CHANNELS), c.request_type.not_in(REQUEST_TYPES))
    bucket = _bucket(column)
    rows = session.execute(
        select(c.channel, c.request_type, c.complex, bucket, func.count(), *extra)
        .where(*where, odd, *(() if extra else (column.is_not(None),)))
        .group_by(c.channel, c.request_type, c.complex, bucket)
    )
    return [((ch, rt, bool(cx)), None if b is None else int(b), [int(x) for x in n]) for ch, rt, cx, b, *n in rows]


def _merge(hists: Iterable[dict[int, int]]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for h in hists:
        for k, v in h.items():
            out[k] += v
    return out


def _finish(totals: dict[str, Any], fr: dict[int, int], res: dict[int, int], deadline: int | None) -> dict[str, Any]:
    sat = totals["satisfaction"]
    answers = sum(sat.values())
    return {
        "received": totals["received"],
        "first_response": {
            "count": totals["responded"],
            "deadline_s": deadline,
            "median_s": percentile(fr, 0.5),
            "p90_s": percentile(fr, 0.9),
            "with_deadline": totals["response_due"],  # the share's base: chat and e-mail only
            "within": totals["response_within"],
            "within_share": _share(totals["response_within"], totals["response_due"]),
        },
        "resolution": {
            "count": totals["resolved"],
            "median_s": percentile(res, 0.5),
            "p90_s": percentile(res, 0.9),
            "within": totals["resolution_within"],
            "within_share": _share(totals["resolution_within"], totals["resolved"]),
            "rate": _share(totals["resolved"], totals["received"]),
        },
        "satisfaction": {
            "distribution": dict(sat),
            "answers": answers,
            "mean": round(sum(int(k) * v for k, v in sat.items()) / answers, 2) if answers else None,
            "satisfied_share": _share(sat["4"] + sat["5"], answers),
        },
    }


def service_times(session: Session, ctx: Context, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Tickets received in [start, end): overall, by channel, by request type."""
    where = (Complaint.received_at >= start, Complaint.received_at < end)
    groups: dict[Key, dict[str, Any]] = {}
    fr: dict[Key, dict[int, int]] = defaultdict(dict)
    res: dict[Key, dict[int, int]] = defaultdict(dict)
    # The first query also carries the summary's sums (one sort, not two).
    names = ("received", "responded", "response_due", "response_within", "resolved", "resolution_within")
    for key, bucket, n in _grouped(session, ctx, Complaint.first_response_seconds, where, sums=True):
        g = groups.setdefault(key, _group_totals())
        for name, v in zip(names, n[:6], strict=True):
            g[name] += v
        for score, v in zip(SCORES, n[6:], strict=True):
            g["satisfaction"][score] += v
        if bucket is not None:
            fr[key][bucket] = fr[key].get(bucket, 0) + n[0]
    for key, bucket, n in _grouped(session, ctx, Complaint.resolution_seconds, where, sums=False):
        if bucket is not None:
            res[key][bucket] = res[key].get(bucket, 0) + n[0]

    def combine(keys: list[Key], deadline: int | None) -> dict[str, Any]:
        t = _group_totals()
        for k in keys:
            g = groups[k]
            for name in ("received", "responded", "response_due", "response_within", "resolved", "resolution_within"):
                t[name] += g[name]
            for s in SCORES:
                t["satisfaction"][s] += g["satisfaction"][s]
        return _finish(t, _merge(fr.get(k, {}) for k in keys), _merge(res.get(k, {}) for k in keys), deadline)

    def known(values: tuple[str, ...], seen: Iterable[str]) -> list[str]:
        # The known values in their order, then any other stored value.
        return [v for v in values if v in seen] + sorted(set(seen) - set(values))

    channels = known(CHANNELS, {k[0] for k in groups})
    types = known(REQUEST_TYPES, {k[1] for k in groups})
    res_deadlines = resolution_deadlines(ctx)
    return {
        "deadlines": {"first_response_s": dict(RESPONSE_DEADLINES), "resolution_s": res_deadlines},
        "overall": combine(list(groups), None),
        "by_channel": {ch: combine([k for k in groups if k[0] == ch], RESPONSE_DEADLINES.get(ch)) for ch in channels},
        "by_type": {rt: combine([k for k in groups if k[1] == rt], None) for rt in types},
        "by_complexity": {
            name: combine([k for k in groups if k[2] == (name == "complex")], None) for name in ("ordinary", "complex")
        },
    }
