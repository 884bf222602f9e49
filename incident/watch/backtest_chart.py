"""The SVG chart of ``incident backtest --plot``: the series, its baseline
and a mark at every alert."""

from __future__ import annotations

from html import escape

from incident.detector import Verdict


def svg_chart(
    stamps: list[str], values: list[float], verdicts: list[Verdict], title: str, width: int = 1200, height: int = 320
) -> str:
    """The series in time order (max per pixel column, so no spike is
    hidden), its baseline, and a red mark at every alert. Measures may be
    negative: the axis then starts below zero."""
    n = len(values)
    left, right, top, bottom = 50, 10, 24, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    cols = min(plot_w, n)
    peak = max(max(values), max(v.baseline for v in verdicts), 1.0)
    floor = min(min(values), min(v.baseline for v in verdicts), 0.0)
    span = peak - floor or 1.0

    def y(value: float) -> float:
        return top + plot_h - ((value - floor) / span) * plot_h

    value_pts, base_pts = [], []
    for c in range(cols):
        lo, hi = c * n // cols, max(c * n // cols + 1, (c + 1) * n // cols)
        x = left + c * plot_w / max(cols - 1, 1)
        value_pts.append(f"{x:.1f},{y(max(values[lo:hi])):.1f}")
        base_pts.append(f"{x:.1f},{y(sum(v.baseline for v in verdicts[lo:hi]) / (hi - lo)):.1f}")
    marks = []
    for i, v in enumerate(verdicts):
        if v.alert:
            x = left + (i * cols // n) * plot_w / max(cols - 1, 1)
            colour = "#d62728" if v.direction >= 0 else "#9467bd"
            marks.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{colour}" stroke-width="1.5">'
                f"<title>{escape(stamps[i])}: {values[i]:g}</title></line>"
            )
    first, last = escape(stamps[0]), escape(stamps[-1])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">\n'
        f'<title>{escape(title)}</title>\n<rect width="100%" height="100%" fill="white"/>\n'
        f'<text x="{left}" y="16" font-weight="bold">{escape(title)}</text>\n'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>\n'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>\n'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak:g}</text>\n'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">{floor:g}</text>\n'
        f'<text x="{left}" y="{height - 8}">{first}</text>\n'
        f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end">{last}</text>\n' + "\n".join(marks) + "\n"
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="1" points="{" ".join(value_pts)}"/>\n'
        '<polyline fill="none" stroke="#ff7f0e" stroke-width="1.5" stroke-dasharray="4 2" '
        f'points="{" ".join(base_pts)}"/>\n'
        f'<g transform="translate({left + plot_w - 230},{top + 4})"><rect width="230" height="18" fill="white" '
        'opacity="0.8"/>'
        f'<line x1="4" y1="9" x2="24" y2="9" stroke="#1f77b4"/><text x="28" y="13">value</text>'
        '<line x1="80" y1="9" x2="100" y2="9" stroke="#ff7f0e" stroke-dasharray="4 2"/><text x="104" '
        'y="13">baseline</text>'
        f'<line x1="170" y1="2" x2="170" y2="16" stroke="#d62728"/><text x="174" y="13">alert</text></g>\n'
        "</svg>\n"
    )
