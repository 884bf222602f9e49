"""The volume chart as inline SVG: the observed count per bucket (line), the
learnt baseline (shaded), and the buckets that alerted (red dots). Drawn on
the server, so the board needs no charting script; every text is escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

W, H = 600, 170
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 22


def volume_svg(
    points: Sequence[Any], alerts: list[dt.datetime], zone: ZoneInfo, title: str, labels: tuple[str, str, str]
) -> Markup:
    """``points``: rows with bucket_start, value, baseline, alert (oldest
    first); ``labels``: (observed, baseline, alert) in the page's language."""
    if not points:
        return Markup("")
    top = max(max(p.value for p in points), max(p.baseline for p in points), 1.0) * 1.1
    n = len(points)
    span = W - LEFT - RIGHT
    height = H - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (span * i / (n - 1) if n > 1 else span / 2)

    def y(v: float) -> float:
        return TOP + height * (1 - v / top)

    base = " ".join(f"{x(i):.1f},{y(p.baseline):.1f}" for i, p in enumerate(points))
    area = f"{x(0):.1f},{y(0):.1f} {base} {x(n - 1):.1f},{y(0):.1f}"
    line = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
    alerted = set(alerts)
    dots = "".join(
        f'<circle class="alert" cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="3"><title>{escape(labels[2])} '
        f"{escape(_t(p.bucket_start, zone))}: {p.value:g} / {p.baseline:.1f}</title></circle>"
        for i, p in enumerate(points)
        if p.alert or p.bucket_start in alerted
    )
    first, last = _t(points[0].bucket_start, zone), _t(points[-1].bucket_start, zone)
    svg = (
        f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<line class="axis" x1="{LEFT}" y1="{y(0):.1f}" x2="{W - RIGHT}" y2="{y(0):.1f}"/>'
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{y(0):.1f}"/>'
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{top / 1.1:.0f}</text>'
        f'<text x="{LEFT - 4}" y="{y(0):.1f}" text-anchor="end">0</text>'
        f'<polygon class="base" points="{area}"><title>{escape(labels[1])}</title></polygon>'
        f'<polyline class="line" points="{line}"><title>{escape(labels[0])}</title></polyline>'
        f"{dots}"
        f'<text x="{LEFT}" y="{H - 6}">{escape(first)}</text>'
        f'<text x="{W - RIGHT}" y="{H - 6}" text-anchor="end">{escape(last)}</text>'
        "</svg>"
    )
    return Markup(svg)


def _t(value: dt.datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%m-%d %H:%M")
