"""The volume chart as inline SVG, drawn on the server so the board needs no
charting script (the pages' CSP allows no inline style either: the look is
in static/app.css, the SVG carries classes only).

What a lead reads at a glance (issue 23): one y-axis with a few round
counts; a legend; the baseline as a dashed line inside a shaded band of its
usual noise; the surge zoomed — the main panel starts a few hours before the
incident's first alert — with the whole fetched day as a small overview
strip underneath that marks the zoomed window; and every bucket's counts on
hover (an SVG <title> per bucket). Times are the centre's. Every text put
in is escaped: the result is marked safe in the template."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from incident.i18n import t
from incident.web import chart_texts as _texts  # noqa: F401

W = 600
LEFT, RIGHT = 40, 10
TOP, PLOT_H = 26, 120  # the main panel, under the legend row
OV_TOP, OV_H = 172, 26  # the overview strip, under the time labels
H_ZOOMED, H_WHOLE = 214, 166  # with and without the overview strip
LEAD = dt.timedelta(hours=3)  # how much calm before the first alert the panel shows
LEAD_POINTS = 12  # …and at least this many buckets of it, whatever their size
FONT = 9


class _Frame:
    """Maps a bucket's time and a count onto one panel's box."""

    def __init__(self, t0: dt.datetime, t1: dt.datetime, top: float, box: tuple[float, float, float, float]) -> None:
        self.t0, self.t1, self.top = t0, t1, top
        self.left, self.right, self.upper, self.lower = box

    def x(self, at: dt.datetime) -> float:
        span = (self.t1 - self.t0).total_seconds()
        if span <= 0:
            return (self.left + self.right) / 2
        return self.left + (self.right - self.left) * (at - self.t0).total_seconds() / span

    def y(self, value: float) -> float:
        return self.lower - (self.lower - self.upper) * min(max(value, 0.0), self.top) / self.top


def volume_svg(
    points: Sequence[Any],
    alerts: list[dt.datetime],
    zone: ZoneInfo,
    title: str,
    labels: tuple[str, str, str],
    lang: str = "zh-CN",
) -> Markup:
    """``points``: rows with bucket_start, value, baseline, alert (oldest
    first); ``alerts``: the incident's signal buckets in this series;
    ``labels``: (observed, baseline, alert) in the page's language."""
    if not points:
        return Markup("")
    first_alert = _first_alert(points, alerts)
    start = zoom_start(points, first_alert)
    shown = points[start:]
    ticks = y_ticks(max(max(p.value for p in shown), max(_band(p.baseline)[1] for p in shown)))
    frame = _Frame(shown[0].bucket_start, shown[-1].bucket_start, ticks[-1], (LEFT, W - RIGHT, TOP, TOP + PLOT_H))
    parts = [
        f"<title>{escape(title)}</title>",
        _legend(labels, lang),
        _y_axis(frame, ticks),
        _series(shown, frame, "band", "baseline", "line"),
        _dots(shown, frame, set(alerts)),
        _x_axis(frame, zone),
        _hits(shown, frame, set(alerts), zone, labels, lang),
    ]
    height = H_WHOLE
    if start > 0 and first_alert is not None:
        note = t("web.board.chart.zoomed", lang, start=_t(shown[0].bucket_start, zone), alert=_t(first_alert, zone))
        parts.append(f'<text class="note" x="{W - RIGHT}" y="{FONT + 3}" text-anchor="end">{escape(note)}</text>')
        parts.append(_overview(points, start, zone, lang))
        height = H_ZOOMED
    head = (
        f'<svg class="volume" viewBox="0 0 {W} {height}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">'
    )
    return Markup(head + "".join(parts) + "</svg>")


def _first_alert(points: Sequence[Any], alerts: list[dt.datetime]) -> dt.datetime | None:
    """The incident's first signal; without one, the first alerting bucket."""
    if alerts:
        return min(alerts)
    return next((p.bucket_start for p in points if p.alert), None)


def zoom_start(points: Sequence[Any], first_alert: dt.datetime | None) -> int:
    """Index of the first bucket the main panel shows: LEAD before the
    first alert, but never fewer than LEAD_POINTS buckets before it; 0 (the
    whole day, no overview) when that is where the data starts anyway."""
    if first_alert is None:
        return 0
    times = [p.bucket_start for p in points]
    by_time = bisect.bisect_left(times, first_alert - LEAD)
    by_count = bisect.bisect_left(times, first_alert) - LEAD_POINTS
    return max(0, min(by_time, by_count, len(points) - LEAD_POINTS))


def y_ticks(peak: float, most: int = 5) -> list[float]:
    """0 and a few round counts (1, 2, 2.5 or 5 × 10ⁿ apart, a whole number
    at least, so no two labels read the same) up to at least ``peak``."""
    peak = max(peak, 1.0)
    raw = peak / (most - 1)
    power = 10 ** math.floor(math.log10(raw))
    steps = (m * power for m in (1, 2, 2.5, 5, 10))
    step = max(next(s for s in steps if s >= raw and float(s).is_integer()), 1.0)
    count = math.ceil(peak / step - 1e-9)
    return [step * i for i in range(count + 1)]


def time_ticks(t0: dt.datetime, t1: dt.datetime, zone: ZoneInfo, most: int = 6) -> list[dt.datetime]:
    """Round hours of the centre's clock between t0 and t1 (every 1, 2, 3,
    6 or 12 hours, whichever gives at most ``most``), local midnights for a
    longer span; t0 and t1 themselves when no round time falls between."""
    if t1 - t0 > dt.timedelta(hours=48):
        days = [
            dt.datetime.combine(t0.astimezone(zone).date() + dt.timedelta(days=d), dt.time(0), tzinfo=zone)
            for d in range((t1 - t0).days + 2)
        ]
        found = [d for d in days if t0 <= d <= t1]
        return found[:: math.ceil(len(found) / most)] if found else [t0, t1]
    # scan quarter hours, so zones half an hour off UTC get their round hours too
    at = t0.astimezone(dt.UTC)
    at = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
    hours = []
    while at <= t1:
        local = at.astimezone(zone)
        if at >= t0 and local.minute == 0:
            hours.append((at, local.hour))
        at += dt.timedelta(minutes=15)
    for step in (1, 2, 3, 6, 12):
        picked = [at for at, hour in hours if hour % step == 0]
        if 2 <= len(picked) <= most:
            return picked
    return [t0, t1]


def _band(baseline: float) -> tuple[float, float]:
    """The baseline's usual range: two Poisson standard deviations each side
    (an approximation of the detector's own noise model, for the eye only)."""
    spread = 2 * math.sqrt(max(baseline, 0.0))
    return max(baseline - spread, 0.0), baseline + spread


def _legend(labels: tuple[str, str, str], lang: str) -> str:
    """Observed (a line), baseline (band and dashed line), alert (a dot);
    hovering the baseline's entry says what the band is."""
    y = FONT + 3
    x = float(LEFT)
    out = ['<g class="legend">']
    swatches = (
        f'<line class="line" x1="{{x}}" y1="{y - 3}" x2="{{x2}}" y2="{y - 3}"/>',
        f'<rect class="band" x="{{x}}" y="{y - 8}" width="16" height="10"/>'
        f'<line class="baseline" x1="{{x}}" y1="{y - 3}" x2="{{x2}}" y2="{y - 3}"/>',
        f'<circle class="key-alert" cx="{{xc}}" cy="{y - 3}" r="3"/>',
    )
    hints = ("", f"<title>{escape(t('web.board.chart.band', lang))}</title>", "")
    for label, swatch, hint in zip(labels, swatches, hints, strict=True):
        out.append(f"<g>{hint}" + swatch.format(x=f"{x:.1f}", x2=f"{x + 16:.1f}", xc=f"{x + 8:.1f}"))
        out.append(f'<text x="{x + 20:.1f}" y="{y}">{escape(label)}</text></g>')
        x += 20 + _width(label) + 14
    out.append("</g>")
    return "".join(out)


def _y_axis(frame: _Frame, ticks: list[float]) -> str:
    """The one y-axis: a label and a faint grid line per round count."""
    out = [f'<line class="axis" x1="{LEFT}" y1="{frame.upper}" x2="{LEFT}" y2="{frame.lower}"/>']
    for v in ticks:
        y = frame.y(v)
        cls = "axis" if v == 0 else "grid"
        out.append(f'<line class="{cls}" x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}"/>')
        out.append(f'<text class="ytick" x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">{_num(v)}</text>')
    return "".join(out)


def _series(points: Sequence[Any], frame: _Frame, band: str, base: str, line: str) -> str:
    """The band, the dashed baseline and the observed line, with the given
    classes (the overview draws the same, thinner)."""
    xs = [frame.x(p.bucket_start) for p in points]
    bands = [_band(p.baseline) for p in points]
    upper = " ".join(f"{x:.1f},{frame.y(hi):.1f}" for x, (_, hi) in zip(xs, bands, strict=True))
    lower = " ".join(f"{x:.1f},{frame.y(lo):.1f}" for x, (lo, _) in reversed(list(zip(xs, bands, strict=True))))
    baseline = " ".join(f"{x:.1f},{frame.y(p.baseline):.1f}" for x, p in zip(xs, points, strict=True))
    observed = " ".join(f"{x:.1f},{frame.y(p.value):.1f}" for x, p in zip(xs, points, strict=True))
    return (
        f'<polygon class="{band}" points="{upper} {lower}"/>'
        f'<polyline class="{base}" points="{baseline}"/>'
        f'<polyline class="{line}" points="{observed}"/>'
    )


def _dots(points: Sequence[Any], frame: _Frame, alerted: set[dt.datetime]) -> str:
    """A red dot on every bucket that alerted (class "alert": one per bucket)."""
    return "".join(
        f'<circle class="alert" cx="{frame.x(p.bucket_start):.1f}" cy="{frame.y(p.value):.1f}" r="3"/>'
        for p in points
        if p.alert or p.bucket_start in alerted
    )


def _x_axis(frame: _Frame, zone: ZoneInfo) -> str:
    """Round times of the centre's clock under the panel; the date is shown
    on the first label and wherever the day changes."""
    out = []
    day = None
    y = frame.lower + FONT + 4
    for at in time_ticks(frame.t0, frame.t1, zone):
        local = at.astimezone(zone)
        text = local.strftime("%H:%M") if local.date() == day else local.strftime("%m-%d %H:%M")
        day = local.date()
        x = frame.x(at)
        anchor = "middle"
        if x - _width(text) / 2 < 2:
            anchor = "start"
        elif x + _width(text) / 2 > W - 2:
            anchor = "end"
        out.append(f'<line class="axis" x1="{x:.1f}" y1="{frame.lower}" x2="{x:.1f}" y2="{frame.lower + 3}"/>')
        out.append(f'<text class="xtick" x="{x:.1f}" y="{y}" text-anchor="{anchor}">{escape(text)}</text>')
    return "".join(out)


def _hits(
    points: Sequence[Any],
    frame: _Frame,
    alerted: set[dt.datetime],
    zone: ZoneInfo,
    labels: tuple[str, str, str],
    lang: str,
) -> str:
    """A transparent column per bucket, drawn last so it gets the pointer:
    its <title> is the tooltip with the bucket's time and counts."""
    xs = [frame.x(p.bucket_start) for p in points]
    edges = [frame.left] + [(a + b) / 2 for a, b in zip(xs, xs[1:], strict=False)] + [frame.right]
    out = ['<g class="hits">']
    for i, p in enumerate(points):
        text = t(
            "web.board.chart.point",
            lang,
            at=_t(p.bucket_start, zone),
            observed=labels[0],
            value=_num(p.value),
            baseline=labels[1],
            base=f"{p.baseline:.1f}",
        )
        if p.alert or p.bucket_start in alerted:
            text = t("web.board.chart.point_alert", lang, point=text, alert=labels[2])
        width = max(edges[i + 1] - edges[i], 0.5)
        out.append(
            f'<rect class="hit" x="{edges[i]:.1f}" y="{frame.upper}" width="{width:.1f}" height="{PLOT_H}">'
            f"<title>{escape(text)}</title></rect>"
        )
    out.append("</g>")
    return "".join(out)


def _overview(points: Sequence[Any], start: int, zone: ZoneInfo, lang: str) -> str:
    """The whole fetched range, small, with the zoomed window outlined, so
    the surge is seen against the day it happened in."""
    top = y_ticks(max(max(p.value for p in points), max(p.baseline for p in points)))[-1]
    frame = _Frame(points[0].bucket_start, points[-1].bucket_start, top, (LEFT, W - RIGHT, OV_TOP, OV_TOP + OV_H))
    label = t(
        "web.board.chart.overview", lang, start=_t(points[0].bucket_start, zone), end=_t(points[-1].bucket_start, zone)
    )
    x0 = frame.x(points[start].bucket_start)
    marks = "".join(
        f'<line class="ov-alert" x1="{frame.x(p.bucket_start):.1f}" y1="{OV_TOP + OV_H - 4}" '
        f'x2="{frame.x(p.bucket_start):.1f}" y2="{OV_TOP + OV_H}"/>'
        for p in points
        if p.alert
    )
    return (
        f'<g class="overview"><title>{escape(label)}</title>'
        f'<rect class="ov-frame" x="{LEFT}" y="{OV_TOP}" width="{W - RIGHT - LEFT}" height="{OV_H}"/>'
        f'<rect class="window" x="{x0:.1f}" y="{OV_TOP}" width="{W - RIGHT - x0:.1f}" height="{OV_H}"/>'
        + _series(points, frame, "ov-band", "ov-base", "ov-line")
        + marks
        + f'<text class="note" x="{LEFT}" y="{OV_TOP + OV_H + FONT + 3}">{escape(label)}</text></g>'
    )


def _width(text: str) -> float:
    """A rough rendered width: CJK glyphs are square, Latin ones narrower
    (SVG text cannot be measured on the server)."""
    return sum(FONT if ord(c) > 0x2E80 else FONT * 0.58 for c in text)


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _t(value: dt.datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%m-%d %H:%M")
