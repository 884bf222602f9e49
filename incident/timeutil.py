"""Time: stored in UTC, shown in the centre's zone (default Asia/Shanghai).

Everything that needs "now" takes a :class:`Clock`, so tests can move time
without sleeping (escalation timing, rotations).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident.errors import InputError

UTC = dt.timezone.utc
DEFAULT_ZONE = "Asia/Shanghai"


class Clock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)

    def wall(self) -> Clock:
        """The clock for checks against the outside world (a Slack request's
        signed timestamp): the real one behind a shifted clock, since a
        drill's "as if it were Monday" must not refuse real requests. A
        FixedClock stays itself, so tests keep control of those checks too."""
        return self


@dataclass
class FixedClock(Clock):
    """A clock that only moves when told to (tests, replays)."""

    current: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 1, 1, tzinfo=UTC))

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> dt.datetime:
        self.current = self.current + dt.timedelta(**delta)
        return self.current


@dataclass
class ShiftedClock(Clock):
    """The wall clock moved by a fixed offset: it reads ``at`` when the real
    clock reads ``anchor`` (a Unix time), and advances with real time.
    ``INCIDENT_NOW`` builds one (rehearsing a drill "as if it were Monday
    09:00", tests that must pass on any date)."""

    at: dt.datetime
    anchor: float

    def now(self) -> dt.datetime:
        return self.at + dt.timedelta(seconds=time.time() - self.anchor)

    def wall(self) -> Clock:
        return Clock()

    def setting(self) -> str:
        """The ``INCIDENT_NOW`` value that gives another process this same
        clock: the instant pinned to its real moment (``INSTANT@UNIXTIME``)."""
        return f"{iso_utc(self.at)}@{self.anchor!r}"


def clock_from_setting(value: str | None, tz: ZoneInfo, variable: str = "INCIDENT_NOW") -> Clock:
    """The clock ``INCIDENT_NOW`` asks for: unset or empty is the wall clock;
    an ISO 8601 instant (without an offset: wall time in ``tz``) is a clock
    that reads it now and advances with real time; ``INSTANT@UNIXTIME``
    reads INSTANT at that real moment (so that several processes share one
    shifted clock)."""
    raw = (value or "").strip()
    if not raw:
        return Clock()
    text, sep, pinned = raw.partition("@")
    try:
        if text.strip().lower() in ("now", "现在"):
            raise ValueError(text)
        at = parse_time(text, tz)
        anchor = float(pinned) if sep else time.time()
        if anchor != anchor or anchor in (float("inf"), float("-inf")):
            raise ValueError(pinned)
    except (InputError, ValueError):
        raise InputError("error.bad_now", variable=variable, value=raw) from None
    return ShiftedClock(at, anchor)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("error.bad_zone", zone=name) from None


def as_utc(value: dt.datetime, tz: ZoneInfo | None = None) -> dt.datetime:
    """Aware → UTC; naive → read as wall time in ``tz`` (the centre's zone)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz or ZoneInfo(DEFAULT_ZONE))
    return value.astimezone(UTC)


def parse_time(text: str, tz: ZoneInfo, clock: Clock | None = None) -> dt.datetime:
    """Parse what an on-call lead types: ISO 8601 with or without offset,
    a space instead of the T, a bare date (midnight), or ``now``.
    Times without an offset are wall time in the centre's zone."""
    raw = text.strip()
    if raw.lower() in ("now", "现在"):
        return (clock or Clock()).now()
    candidate = raw.replace(" ", "T", 1) if len(raw) > 10 else raw
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(candidate)
    except ValueError:
        raise InputError("error.bad_time", value=text) from None
    return as_utc(value, tz)


def local(value: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return as_utc(value).astimezone(tz)


def fmt(value: dt.datetime | None, tz: ZoneInfo, seconds: bool = False) -> str:
    if value is None:
        return "—"
    lv = local(value, tz)
    offset = lv.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return lv.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + f" {offset}"


def iso_utc(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_duration(delta: dt.timedelta, lang: str) -> str:
    """'1h 05m' / '1小时05分' — for clocks like 'ack due in …'."""
    total = int(abs(delta.total_seconds()) // 60)
    hours, minutes = divmod(total, 60)
    days, hours = divmod(hours, 24)
    if lang == "zh-CN":
        parts = (f"{days}天" if days else "") + (f"{hours}小时" if hours or days else "") + f"{minutes}分钟"
    else:
        parts = (f"{days}d " if days else "") + (f"{hours}h " if hours or days else "") + f"{minutes}m"
    return parts


def end_of_local_day(now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Midnight after ``now`` in ``tz`` (the end of "today" where the centre
    is), in UTC."""
    today = now.astimezone(tz).date()
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(dt.timezone.utc)
