"""``incident backtest``: the live detector over a historical series.

Input: CSV with ``timestamp,value`` (a header; naive timestamps are read as
UTC). Rows may come in any order, with duplicate or irregular timestamps
and gaps. They are sorted (stable) and placed on a grid of buckets: the
bucket length is the median gap between timestamps (or ``--bucket-minutes``)
and a row goes to the nearest grid point counted from the first timestamp,
so a clock that jitters by a minute keeps one row a bucket. Rows sharing a
bucket are merged: summed for counts (they are parts of one bucket's
volume), averaged for measures (two readings of one quantity). What was
repaired is counted in :class:`Repairs` and reported per file.

Kinds: a series of non-negative integers whose noise is about a Poisson's
at its level (or that has empty buckets) is counts and runs the live
system's detectors (:class:`incident.watch.detectors.SeriesDetectors`); a
negative or fractional value, or whole numbers far from Poisson noise (a
road speed, a travel time), make it a measure (CPU %, latency, a price),
which runs the measurement detector (``MeasureDetector``); see
:func:`looks_like_counts`. ``kind`` forces either.

Output: every input row, in input order (so a scorer finds every
timestamp), with ``score`` and ``alert``; ``alert`` is 1 on the first input
row of the bucket where the live system would raise a new alert. Anything
refused (unreadable time, a value that is not a finite number, no rows)
raises :class:`~incident.errors.InputError` naming the file, the line and
the reason; over a directory, a refused file is reported and the others run.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import itertools
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incident.detector import DetectorParams, MeasureDetector, Verdict
from incident.errors import IncidentError, InputError
from incident.i18n import CATALOG
from incident.watch.backtest_chart import svg_chart
from incident.watch.detectors import EPOCH, UTC_ZONE, SeriesDetectors

DETECTORS = ("surge", "silence", "level")
KINDS = ("auto", "counts", "measure")

BACKTEST_TEXTS: dict[str, tuple[str, str]] = {
    "backtest.error.not_finite": (
        "{path} 第 {line} 行：数值「{value}」不是有限数",
        '{path} line {line}: value "{value}" is not a finite number',
    ),
    "backtest.error.negative_count": (
        "{path} 第 {line} 行：计数不能为负（{value}）；用 --kind measure 或 auto 按测量值处理",
        "{path} line {line}: a count cannot be negative ({value}); use --kind measure or auto to read it as a measure",
    ),
    "backtest.error.unreadable": (
        "{path} 第 {line} 行：无法按 UTF-8 CSV 读取（{reason}）",
        "{path} line {line}: cannot be read as a UTF-8 CSV file ({reason})",
    ),
    "backtest.error.kind": (
        "未知的序列类型「{value}」；可选：{allowed}",
        'unknown series kind "{value}"; use {allowed}',
    ),
    "backtest.error.mixed_zone": (
        "{path} 第 {line} 行：时间「{value}」与前面的行不同，一边带时区偏移、一边不带；"
        "不带偏移的时间按 UTC 读，混在一起会错开几个小时：请统一写法",
        '{path} line {line}: "{value}" mixes times with and without an offset (earlier rows differ); times '
        "without one are read as UTC, so a mix would be hours apart: write them one way",
    ),
    "backtest.error.bucket": ("时间桶长度必须为正（{value}）", "the bucket length must be positive (got {value})"),
    "backtest.error.refused": (
        "{path} 第 {line} 行：检测器拒绝该行：{reason}",
        "{path} line {line}: the detector refused the row: {reason}",
    ),
}
CATALOG.update(BACKTEST_TEXTS)


@dataclass
class Series:
    stamps: list[str]  # as written in the input, echoed to the output
    times: list[float]  # epoch seconds
    values: list[float]
    lines: list[int] = field(default_factory=list)  # the row's line in the file, for messages
    source: str = ""  # the file, for messages

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = list(range(2, len(self.stamps) + 2))


@dataclass
class Repairs:
    unordered: int = 0  # rows written after a later timestamp (now sorted)
    merged: int = 0  # rows that shared a bucket with an earlier one (duplicates, close rows)
    gaps: int = 0  # stretches of empty buckets
    missing: int = 0  # empty buckets in all

    def __bool__(self) -> bool:
        return bool(self.unordered or self.merged or self.gaps)


@dataclass
class Grid:
    """The series on its bucket grid, in time order."""

    kind: str  # counts | measure
    bucket: int  # seconds
    times: list[float]  # bucket starts, increasing
    values: list[float]  # merged value of each bucket
    first: list[int]  # each bucket's first input row (in input order)
    of_row: list[int]  # each input row's bucket
    repairs: Repairs


def _epoch(text: str) -> tuple[float, bool]:
    """Epoch seconds, and whether the text gave its offset (naive is UTC)."""
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    aware = value.tzinfo is not None
    if not aware:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp(), aware


def read_series(path: Path) -> Series:
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("backtest.error.no_file", path=str(path)) from None
    with fh:
        reader = csv.DictReader(fh)
        try:
            return _read_rows(path, reader)
        except (UnicodeDecodeError, csv.Error) as exc:  # not a UTF-8 CSV file
            raise InputError(
                "backtest.error.unreadable", path=str(path), line=max(1, reader.line_num), reason=exc
            ) from None


def _read_rows(path: Path, reader: csv.DictReader) -> Series:
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "timestamp" not in fields or "value" not in fields:
        raise InputError("backtest.error.header", path=str(path), columns=", ".join(reader.fieldnames or []))
    reader.fieldnames = fields
    out = Series([], [], [], [], str(path))
    zoned: bool | None = None  # whether the file's times carry an offset
    for row in reader:
        stamp, raw = (row.get("timestamp") or "").strip(), (row.get("value") or "").strip()
        where = {"path": str(path), "line": reader.line_num}
        try:
            when, aware = _epoch(stamp)
        except ValueError:
            raise InputError("backtest.error.time", **where, value=stamp[:40]) from None
        if zoned is None:
            zoned = aware
        elif aware != zoned:
            # naive times are read as UTC: beside times with an offset they are
            # most likely local, and a silent guess would shift them by hours
            # (offsets that differ, as across a DST change, are fine)
            raise InputError("backtest.error.mixed_zone", **where, value=stamp[:40])
        try:
            value = float(raw)
        except ValueError:
            raise InputError("backtest.error.value", **where, value=raw[:40]) from None
        if not math.isfinite(value):
            raise InputError("backtest.error.not_finite", **where, value=raw[:40])
        out.stamps.append(stamp)
        out.times.append(when)
        out.values.append(value)
        out.lines.append(reader.line_num)
    if not out.times:
        raise InputError("backtest.error.empty", path=str(path))
    return out


def infer_bucket(times: list[float]) -> int:
    """The median gap between distinct timestamps (of the first thousand)."""
    distinct = sorted(set(times))[:1001]
    gaps = [b - a for a, b in itertools.pairwise(distinct)]
    return max(1, int(round(statistics.median(gaps)))) if gaps else 300


def series_kind(series: Series, kind: str = "auto") -> str:
    """counts when every value is a non-negative integer (``auto``), else measure."""
    if kind not in KINDS:
        raise InputError("backtest.error.kind", value=kind, allowed=", ".join(KINDS))
    if kind == "counts":
        for value, line in zip(series.values, series.lines, strict=True):
            if value < 0:
                raise InputError("backtest.error.negative_count", path=series.source, line=line, value=f"{value:g}")
        return kind
    if kind == "measure":
        return kind
    return "counts" if looks_like_counts(series.values) else "measure"


def looks_like_counts(values: list[float]) -> bool:
    """Whether a series reads as counts of events, decided from the values alone.

    Whole non-negative numbers are necessary but not enough: a road speed, a
    travel time in seconds or taxi passengers per half hour are whole numbers
    too, and the count detector (multiplicative profile, Poisson-like noise,
    rises only) misses their drops and misjudges their noise. A count of
    independent events varies from bucket to bucket about as a Poisson does at
    its level: the robust dispersion index ``D`` (variance of the row-to-row
    change, from its median absolute value, over twice the median level) is near
    1. A measured quantity sits in a band far from what Poisson says: a speed
    varies less (``D`` < 0.7 on NAB's road speeds), a duration or a demand
    aggregated over many sources varies much more (travel times ~4, request
    counts ~35, taxi passengers ~60). Counts, then, when ``0.75 <= D <= 3``, or when
    at least one row in a thousand is zero: empty buckets are what event counts
    at a low level (or with an outage) show, a measured quantity rarely reads
    exactly zero, and on such discrete series the median change is 0 or 1 and
    ``D`` says nothing. (Mention counts on NAB: ``D`` 1.2-2.8, all with zeros.)
    """
    if not values or not all(v >= 0 and v.is_integer() for v in values):
        return False
    if sum(v == 0 for v in values) * 1000 >= len(values):
        return True
    level = statistics.median(values)
    if len(values) < 3 or level <= 0:
        return True  # too short to judge: whole numbers stay counts
    change = statistics.median(abs(b - a) for a, b in itertools.pairwise(values))
    # D = (1.4826 change)^2 / 2 level, compared through its square root so that
    # values near the float limit (1e300) do not overflow
    root = 1.4826 * change / math.sqrt(2.0 * level)
    return math.sqrt(0.75) <= root <= math.sqrt(3.0)


def prepare(series: Series, bucket_seconds: int | None = None, kind: str = "auto") -> Grid:
    """Sort (stable), place on the bucket grid and merge; count the repairs."""
    kind = series_kind(series, kind)
    if bucket_seconds is not None and bucket_seconds < 1:
        raise InputError("backtest.error.bucket", value=bucket_seconds)
    bucket = bucket_seconds or infer_bucket(series.times)
    times, values = series.times, series.values
    order = sorted(range(len(times)), key=times.__getitem__)
    origin = times[order[0]]
    slots: list[int] = []
    grid = Grid(kind, bucket, [], [], [], [0] * len(times), Repairs())
    rows_in: list[int] = []
    for i in order:
        slot = round((times[i] - origin) / bucket)
        if slots and slot == slots[-1]:
            grid.values[-1] += values[i]
            rows_in[-1] += 1
            grid.first[-1] = min(grid.first[-1], i)
        else:
            slots.append(slot)
            grid.times.append(origin + slot * bucket)
            grid.values.append(values[i])
            grid.first.append(i)
            rows_in.append(1)
        grid.of_row[i] = len(slots) - 1
    if kind == "measure":
        grid.values = [v / k for v, k in zip(grid.values, rows_in, strict=True)]
    latest = -math.inf
    for t in times:
        grid.repairs.unordered += t < latest
        latest = max(latest, t)
    grid.repairs.merged = len(times) - len(slots)
    for a, b in itertools.pairwise(slots):
        if b - a > 1:
            grid.repairs.gaps += 1
            grid.repairs.missing += b - a - 1
    return grid


def score(
    grid: Grid,
    min_count: float = 0.0,
    detect: tuple[str, ...] = ("surge",),
    params: DetectorParams | None = None,
    source: str = "",
    lines: list[int] | None = None,
    measure_params: Any = None,
) -> list[Verdict]:
    """One verdict per bucket. Counts step the live system's detectors (surge,
    silence, daily level); a row's verdict is the surge detector's score and
    baseline, with ``alert`` where the live system would raise a new alert of
    one of the ``detect`` kinds. Measures step the measurement detector (its
    alerts count as ``surge``: it is the surge test of a measure), with its
    own defaults unless ``measure_params`` are given."""
    params = dataclasses.replace(params or DetectorParams(), bucket_seconds=grid.bucket)
    measure = MeasureDetector if grid.kind == "measure" else None
    out: list[Verdict] = []
    try:
        if measure is not None:
            update = (measure(params) if measure_params is None else measure(params, measure_params)).update
            for when, value in zip(grid.times, grid.values, strict=True):
                v = update(when, value)
                out.append(v if "surge" in detect else v._replace(alert=False))
            return out
        detectors = SeriesDetectors(params, UTC_ZONE)
        for when, value in zip(grid.times, grid.values, strict=True):
            step = detectors.step(EPOCH + dt.timedelta(seconds=when), value, min_count)
            alerts = [a for a in step.alerts if a[0] in detect]
            direction = alerts[0][1].direction if alerts else step.surge.direction
            out.append(step.surge._replace(alert=bool(alerts), direction=direction))
    except ValueError as exc:  # the detector's OutOfOrder / BadValue: name the row, never crash
        row = grid.first[len(out)]
        raise InputError(
            "backtest.error.refused", path=source, line=lines[row] if lines else row + 2, reason=exc
        ) from None
    return out


def per_row(grid: Grid, verdicts: list[Verdict]) -> list[Verdict]:
    """The bucket's verdict on each of its input rows, the alert on its first row only."""
    out = []
    for i, b in enumerate(grid.of_row):
        v = verdicts[b]
        out.append(v if not v.alert or grid.first[b] == i else v._replace(alert=False))
    return out


def run(
    series: Series,
    bucket_seconds: int | None = None,
    min_count: float = 0.0,
    detect: tuple[str, ...] = ("surge",),
    kind: str = "auto",
    params: DetectorParams | None = None,
    measure_params: Any = None,
) -> list[Verdict]:
    """The backtest of one series: one verdict per input row, in input order."""
    grid = prepare(series, bucket_seconds, kind)
    return per_row(grid, score(grid, min_count, detect, params, series.source, series.lines, measure_params))


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


@dataclass
class FileResult:
    source: Path
    out: Path
    rows: int = 0
    alerts: int = 0
    plot: Path | None = None
    kind: str = ""
    bucket: int = 0
    repairs: Repairs = field(default_factory=Repairs)
    error: IncidentError | None = None  # the file was refused (the others still ran)


def backtest_file(
    src: Path,
    out: Path,
    plot: Path | None = None,
    bucket_seconds: int | None = None,
    min_count: float = 0.0,
    detect: tuple[str, ...] = ("surge",),
    kind: str = "auto",
) -> FileResult:
    series = read_series(src)
    grid = prepare(series, bucket_seconds, kind)
    by_bucket = score(grid, min_count, detect, None, str(src), series.lines)
    alerts = write_alerts(out, series, per_row(grid, by_bucket))
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        stamps = [series.stamps[i] for i in grid.first]
        plot.write_text(svg_chart(stamps, grid.values, by_bucket, src.name), encoding="utf-8")
    return FileResult(src, out, len(series.values), alerts, plot, grid.kind, grid.bucket, grid.repairs)


def _flat_name(src: Path, f: Path) -> str:
    """``family/x.csv`` -> ``family_x.csv``: one flat output directory, as NAB's
    scorer reads it (it matches a result named ``*_x.csv`` to series ``x.csv``)."""
    return "_".join(f.relative_to(src).parts)


def backtest_paths(
    src: Path,
    out: Path,
    plot: Path | None = None,
    bucket_seconds: int | None = None,
    min_count: float = 0.0,
    detect: tuple[str, ...] = ("surge",),
    kind: str = "auto",
) -> list[FileResult]:
    """A file → a file; a directory → a directory with one output per
    ``*.csv`` found in it or below it (subdirectory names become a prefix),
    and one ``<name>.svg`` per series in ``plot``. Over a directory a refused
    file becomes a result with ``error`` set, and the rest still run."""
    if src.is_dir():
        files = sorted(p for p in src.rglob("*") if p.suffix.lower() == ".csv" and p.is_file())
        if not files:
            raise InputError("backtest.error.no_csv", path=str(src))
        if out.exists() and not out.is_dir():
            raise InputError("backtest.error.out_not_dir", path=str(out))
        results = []
        for f in files:
            name = _flat_name(src, f)
            chart = (plot / (Path(name).stem + ".svg")) if plot else None
            try:
                results.append(backtest_file(f, out / name, chart, bucket_seconds, min_count, detect, kind))
            except IncidentError as exc:
                results.append(FileResult(f, out / name, error=exc))
        return results
    if not src.exists():
        raise InputError("backtest.error.no_file", path=str(src))
    if out.is_dir():
        out = out / src.name
    return [backtest_file(src, out, plot, bucket_seconds, min_count, detect, kind)]
