"""``incident backtest``: the live detector over a historical series.

Input: CSV with ``timestamp,value`` (a header, one row per bucket; naive
timestamps are read as UTC). Output: the same rows with ``score`` and
``alert`` (1 exactly where the live system would raise a new alert). The
detector is the very one the watch flow runs (:mod:`incident.detector`),
fed one bucket at a time with no look-ahead.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import statistics
from dataclasses import dataclass
from html import escape
from pathlib import Path

from incident.detector import DetectorParams, Verdict
from incident.errors import InputError
from incident.watch.detectors import EPOCH, UTC_ZONE, SeriesDetectors


@dataclass
class Series:
    stamps: list[str]  # as written in the input, echoed to the output
    times: list[float]  # epoch seconds
    values: list[float]


def _epoch(text: str) -> float:
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


def read_series(path: Path) -> Series:
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("backtest.error.no_file", path=str(path)) from None
    with fh:
        reader = csv.DictReader(fh)
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "timestamp" not in fields or "value" not in fields:
            raise InputError("backtest.error.header", path=str(path), columns=", ".join(reader.fieldnames or []))
        reader.fieldnames = fields
        out = Series([], [], [])
        for row in reader:
            stamp, raw = (row.get("timestamp") or "").strip(), (row.get("value") or "").strip()
            try:
                when = _epoch(stamp)
            except ValueError:
                raise InputError(
                    "backtest.error.time", path=str(path), line=reader.line_num, value=stamp[:40]
                ) from None
            try:
                value = float(raw)
            except ValueError:
                raise InputError("backtest.error.value", path=str(path), line=reader.line_num, value=raw[:40]) from None
            if out.times and when <= out.times[-1]:
                raise InputError("backtest.error.order", path=str(path), line=reader.line_num)
            out.stamps.append(stamp)
            out.times.append(when)
            out.values.append(value)
    if not out.times:
        raise InputError("backtest.error.empty", path=str(path))
    return out


def infer_bucket(series: Series) -> int:
    if len(series.times) < 2:
        return 300
    gaps = [b - a for a, b in itertools.pairwise(series.times[:1001])]
    return max(1, int(round(statistics.median(gaps))))


DETECTORS = ("surge", "silence", "level")


def run(
    series: Series, bucket_seconds: int | None = None, min_count: float = 0.0, detect: tuple[str, ...] = ("surge",)
) -> list[Verdict]:
    """Step the live system's detectors (surge, silence, daily level; see
    :mod:`incident.watch.detectors`) over the series. A row's verdict is
    the surge detector's score and baseline, with ``alert`` set where the
    live system would raise a new alert of one of the ``detect`` kinds
    (by default surges, what the volume-surge bar is judged on)."""
    params = DetectorParams(bucket_seconds=bucket_seconds or infer_bucket(series))
    detectors = SeriesDetectors(params, UTC_ZONE)
    out = []
    for when, value in zip(series.times, series.values, strict=True):
        step = detectors.step(EPOCH + dt.timedelta(seconds=when), value, min_count)
        alerts = [a for a in step.alerts if a[0] in detect]
        direction = alerts[0][1].direction if alerts else step.surge.direction
        out.append(step.surge._replace(alert=bool(alerts), direction=direction))
    return out


def write_alerts(path: Path, series: Series, verdicts: list[Verdict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    alerts = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "value", "score", "alert"])
        for stamp, value, v in zip(series.stamps, series.values, verdicts, strict=True):
            alerts += int(v.alert)
            w.writerow([stamp, f"{value:g}", f"{v.score:.4f}", 1 if v.alert else 0])
    return alerts


def svg_chart(series: Series, verdicts: list[Verdict], title: str, width: int = 1200, height: int = 320) -> str:
    """The series (max per pixel column, so no spike is hidden), its
    baseline, and a red mark at every alert."""
    n = len(series.values)
    left, right, top, bottom = 50, 10, 24, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    cols = min(plot_w, n)
    peak = max(max(series.values), max(v.baseline for v in verdicts), 1.0)

    def y(value: float) -> float:
        return top + plot_h - (value / peak) * plot_h

    value_pts, base_pts = [], []
    for c in range(cols):
        lo, hi = c * n // cols, max(c * n // cols + 1, (c + 1) * n // cols)
        x = left + c * plot_w / max(cols - 1, 1)
        value_pts.append(f"{x:.1f},{y(max(series.values[lo:hi])):.1f}")
        base_pts.append(f"{x:.1f},{y(sum(v.baseline for v in verdicts[lo:hi]) / (hi - lo)):.1f}")
    marks = []
    for i, v in enumerate(verdicts):
        if v.alert:
            x = left + (i * cols // n) * plot_w / max(cols - 1, 1)
            colour = "#d62728" if v.direction >= 0 else "#9467bd"
            marks.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{colour}" stroke-width="1.5">'
                f"<title>{escape(series.stamps[i])}: {series.values[i]:g}</title></line>"
            )
    first, last = escape(series.stamps[0]), escape(series.stamps[-1])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">\n'
        f'<title>{escape(title)}</title>\n<rect width="100%" height="100%" fill="white"/>\n'
        f'<text x="{left}" y="16" font-weight="bold">{escape(title)}</text>\n'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>\n'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>\n'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak:g}</text>\n'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>\n'
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


@dataclass
class FileResult:
    source: Path
    out: Path
    rows: int
    alerts: int
    plot: Path | None = None


def backtest_file(
    src: Path,
    out: Path,
    plot: Path | None = None,
    bucket_seconds: int | None = None,
    min_count: float = 0.0,
    detect: tuple[str, ...] = ("surge",),
) -> FileResult:
    series = read_series(src)
    verdicts = run(series, bucket_seconds, min_count, detect)
    alerts = write_alerts(out, series, verdicts)
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        plot.write_text(svg_chart(series, verdicts, src.name), encoding="utf-8")
    return FileResult(src, out, len(series.values), alerts, plot)


def backtest_paths(
    src: Path,
    out: Path,
    plot: Path | None = None,
    bucket_seconds: int | None = None,
    min_count: float = 0.0,
    detect: tuple[str, ...] = ("surge",),
) -> list[FileResult]:
    """A file → a file; a directory → a directory with one output per
    ``*.csv`` (same name), and one ``<name>.svg`` per series in ``plot``."""
    if src.is_dir():
        files = sorted(p for p in src.iterdir() if p.suffix.lower() == ".csv")
        if not files:
            raise InputError("backtest.error.no_csv", path=str(src))
        if out.exists() and not out.is_dir():
            raise InputError("backtest.error.out_not_dir", path=str(out))
        return [
            backtest_file(
                f, out / f.name, (plot / (f.stem + ".svg")) if plot else None, bucket_seconds, min_count, detect
            )
            for f in files
        ]
    if not src.exists():
        raise InputError("backtest.error.no_file", path=str(src))
    if out.is_dir():
        out = out / src.name
    return [backtest_file(src, out, plot, bucket_seconds, min_count, detect)]
