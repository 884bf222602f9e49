"""``incident backtest`` on the inputs real series bring (issue 19, point 2):
rows out of order, duplicate and irregular timestamps, gaps, negative or
fractional values, and files it must refuse — real files in tmp_path."""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.shared import shared_dir
from incident.detector import MeasureDetector
from incident.errors import InputError
from incident.watch.backtest import backtest_file, backtest_paths, read_series, run

T0 = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)  # a Monday
SCRIPT = Path(sys.executable).with_name("incident")
SHARED = shared_dir()


def counts(days: int = 12, surge_day: float = 10.0, seed: int = 7) -> list[tuple[str, float]]:
    """5-minute counts with a daily rhythm and an 8x surge for two hours."""
    rnd = random.Random(seed)
    rows = []
    for i in range(days * 288):
        hour = (i % 288) / 12
        mean = 6 + 4 * math.sin((hour - 6) / 24 * 2 * math.pi)
        if surge_day * 288 <= i < surge_day * 288 + 24:
            mean *= 8
        # Poisson by inversion: deterministic and dependency free
        k, p, u = 0, math.exp(-mean), rnd.random()
        cdf = p
        while u > cdf:
            k += 1
            p *= mean / k
            cdf += p
        rows.append(((T0 + dt.timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S"), float(k)))
    return rows


def measures(days: int = 6, shift_at: int = 1200, seed: int = 3) -> list[tuple[str, float]]:
    """A fractional measurement around 0 (negative half the time) that shifts up by 5 sd."""
    rnd = random.Random(seed)
    return [
        (
            (T0 + dt.timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S"),
            round(rnd.gauss(5.0 if i >= shift_at else 0.0, 1.0), 3),
        )
        for i in range(days * 288)
    ]


def write(path: Path, rows, header: str = "timestamp,value") -> Path:
    path.write_text(header + "\n" + "".join(f"{a},{b}\n" for a, b in rows), encoding="utf-8")
    return path


def read_out(path: Path) -> list[dict]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def by_stamp(rows: list[dict]) -> dict[str, tuple[str, str]]:
    return {r["timestamp"]: (r["score"], r["alert"]) for r in rows}


def test_rows_out_of_order_are_sorted_and_every_row_kept_in_input_order(tmp_path):
    rows = counts()
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    plain = backtest_file(write(tmp_path / "a.csv", rows), tmp_path / "a.out.csv")
    mixed = backtest_file(write(tmp_path / "b.csv", shuffled), tmp_path / "b.out.csv")
    out = read_out(tmp_path / "b.out.csv")
    assert [r["timestamp"] for r in out] == [s for s, _ in shuffled]
    assert by_stamp(out) == by_stamp(read_out(tmp_path / "a.out.csv"))
    assert plain.alerts >= 1 and mixed.alerts == plain.alerts
    assert mixed.repairs.unordered > 1000 and mixed.repairs.merged == 0 and not plain.repairs


def test_duplicate_timestamps_make_one_bucket_summed_for_counts(tmp_path):
    rows = counts()
    plain = run(read_series(write(tmp_path / "a.csv", rows)))
    surge = next(i for i, v in enumerate(plain) if v.alert)
    split = []
    for i, (stamp, value) in enumerate(rows):
        if i % 50 == 0 or i == surge:  # this bucket's volume arrives as two rows
            split += [(stamp, value - value // 2), (stamp, value // 2)]
        else:
            split.append((stamp, value))
    result = backtest_file(write(tmp_path / "b.csv", split), tmp_path / "b.out.csv")
    out = read_out(tmp_path / "b.out.csv")
    assert len(out) == len(split) and result.repairs.merged == len(split) - len(rows)
    alerted = [i for i, r in enumerate(out) if r["alert"] == "1"]
    assert len(alerted) == sum(v.alert for v in plain)
    first = next(i for i, r in enumerate(out) if r["timestamp"] == rows[surge][0])
    assert first in alerted and out[first + 1]["alert"] == "0"  # the bucket's first row only
    assert out[first]["score"] == out[first + 1]["score"] == f"{plain[surge].score:.4f}"


def test_duplicate_measures_are_averaged(tmp_path):
    rows = measures()
    doubled = []
    for stamp, value in rows:
        doubled += [(stamp, round(value - 0.25, 3)), (stamp, round(value + 0.25, 3))]
    plain = run(read_series(write(tmp_path / "a.csv", rows)))
    twice = run(read_series(write(tmp_path / "b.csv", doubled)))
    assert [v.score for v in twice[::2]] == pytest.approx([v.score for v in plain], abs=1e-9)
    assert [v.alert for v in twice[::2]] == [v.alert for v in plain] and not any(v.alert for v in twice[1::2])


def test_irregular_timestamps_go_to_the_nearest_bucket(tmp_path):
    rows = counts()
    jitter = random.Random(5)
    moved = [rows[0]]
    for stamp, value in rows[1:]:
        when = dt.datetime.fromisoformat(stamp) + dt.timedelta(seconds=jitter.choice((-60, -30, 0, 45, 60)))
        moved.append((when.strftime("%Y-%m-%d %H:%M:%S"), value))
    # and one bucket's volume reported as two rows two minutes apart
    extra = (dt.datetime.fromisoformat(moved[500][0]) + dt.timedelta(seconds=120)).strftime("%Y-%m-%d %H:%M:%S")
    moved.insert(501, (extra, 0.0))
    result = backtest_file(write(tmp_path / "b.csv", moved), tmp_path / "b.out.csv", bucket_seconds=300)
    backtest_file(write(tmp_path / "a.csv", rows), tmp_path / "a.out.csv")
    regular = [r["alert"] for r in read_out(tmp_path / "a.out.csv")]
    irregular = [r["alert"] for r in read_out(tmp_path / "b.out.csv")]
    assert irregular[:501] + irregular[502:] == regular and irregular[501] == "0"
    assert result.repairs.merged == 1 and result.repairs.gaps == 0 and result.rows == len(moved)


def test_gaps_are_reported_per_file_in_both_languages(tmp_path):
    rows = counts()
    holed = rows[:1000] + rows[1072:]  # six hours with no row
    src = write(tmp_path / "holed.csv", holed)
    result = backtest_file(src, tmp_path / "o.csv")
    assert (result.repairs.gaps, result.repairs.missing) == (1, 72) and result.rows == len(holed)
    env = {"PATH": "/usr/bin:/bin", "INCIDENT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    for lang, line in (("en", "1 gaps with 72 empty buckets"), ("zh-CN", "1 处空缺共 72 个时间桶")):
        proc = subprocess.run(
            [str(SCRIPT), "--lang", lang, "backtest", str(src), "--out", str(tmp_path / "o.csv")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert line in proc.stdout, proc.stdout


def test_negative_or_fractional_values_run_the_measure_detector(tmp_path):
    rows = measures()
    src = write(tmp_path / "m.csv", rows)
    result = backtest_file(src, tmp_path / "m.out.csv")
    assert result.kind == "measure"
    det = MeasureDetector()
    direct = [det.update(dt.datetime.fromisoformat(s).replace(tzinfo=dt.timezone.utc).timestamp(), v) for s, v in rows]
    out = read_out(tmp_path / "m.out.csv")
    assert [r["alert"] == "1" for r in out] == [v.alert for v in direct]
    alerts = [i for i, r in enumerate(out) if r["alert"] == "1"]
    assert alerts and 1200 <= alerts[0] <= 1210  # the shift, found within a few rows
    assert backtest_file(write(tmp_path / "c.csv", counts()), tmp_path / "c.out.csv").kind == "counts"
    # a whole-number series may be read as a measure on request, and fractional counts as counts
    assert backtest_file(tmp_path / "c.csv", tmp_path / "c2.out.csv", kind="measure").kind == "measure"
    with pytest.raises(InputError) as refused:
        backtest_file(src, tmp_path / "x.csv", kind="counts")
    first_negative = next(i for i, (_, v) in enumerate(rows) if v < 0)
    assert refused.value.key == "backtest.error.negative_count"
    assert f"line {first_negative + 2}:" in refused.value.message("en")
    assert f"第 {first_negative + 2} 行" in refused.value.message("zh-CN")


def test_whole_numbers_near_the_float_limit_are_judged_without_overflow(tmp_path):
    """Deciding counts from measures squares the typical change: with values
    of 1e300 that overflowed (an internal error) under --kind auto."""
    rnd = random.Random(5)
    rows = [
        ((T0 + dt.timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S"), f"{rnd.randint(4, 6)}e300")
        for i in range(600)
    ]
    result = backtest_file(write(tmp_path / "huge.csv", rows), tmp_path / "huge.out.csv")
    assert result.kind == "measure" and len(read_out(tmp_path / "huge.out.csv")) == 600


@pytest.mark.parametrize(
    ("body", "key", "line", "reason_en", "reason_zh"),
    [
        (
            "2026-03-02 00:00:00,1\nyesterday,2\n",
            "backtest.error.time",
            3,
            'unreadable timestamp "yesterday"',
            "无法识别",
        ),
        ("2026-03-02 00:00:00,1\n2026-03-02 00:05:00,lots\n", "backtest.error.value", 3, "is not a number", "不是数字"),
        ("2026-03-02 00:00:00,NaN\n", "backtest.error.not_finite", 2, "not a finite number", "不是有限数"),
        ("2026-03-02 00:00:00,1\n2026-03-02 00:05:00,inf\n", "backtest.error.not_finite", 3, "finite", "有限数"),
        ("2026-03-02 00:00:00,\n", "backtest.error.value", 2, "is not a number", "不是数字"),
        (
            "2026-03-02T00:00:00Z,1\n2026-03-02T08:05:00+08:00,1\n2026-03-02 00:10:00,2\n",
            "backtest.error.mixed_zone",
            4,
            "mixes times with and without an offset",
            "一边带时区偏移、一边不带",
        ),
    ],
)
def test_refused_rows_name_the_file_line_and_reason(tmp_path, body, key, line, reason_en, reason_zh):
    src = tmp_path / "bad.csv"
    src.write_text("timestamp,value\n" + body, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        backtest_file(src, tmp_path / "o.csv")
    assert refused.value.key == key
    en, zh = refused.value.message("en"), refused.value.message("zh-CN")
    assert f"{src} line {line}:" in en and reason_en in en
    assert f"{src} 第 {line} 行" in zh and reason_zh in zh


def test_an_empty_file_is_refused(tmp_path):
    src = tmp_path / "empty.csv"
    src.write_text("timestamp,value\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        backtest_file(src, tmp_path / "o.csv")
    assert refused.value.message("en") == f"{src} has no data rows"


def test_a_file_that_is_not_utf8_text_is_refused(tmp_path):
    src = tmp_path / "binary.csv"
    src.write_bytes(b"timestamp,value\n2026-03-02 00:00:00,1\n\xff\xfe\x00\x01,2\n")
    with pytest.raises(InputError) as refused:
        backtest_file(src, tmp_path / "o.csv")
    assert refused.value.key == "backtest.error.unreadable"
    assert f"{src} line" in refused.value.message("en") and "UTF-8" in refused.value.message("zh-CN")


def test_a_directory_reports_a_bad_file_and_runs_the_others(tmp_path):
    src = tmp_path / "in"
    (src / "family").mkdir(parents=True)
    write(src / "good.csv", counts(days=3))
    write(src / "family" / "other.csv", measures(days=2))
    write(src / "bad.csv", [("2026-03-02 00:00:00", "1"), ("2026-03-02 00:05:00", "inf")])
    env = {"PATH": "/usr/bin:/bin", "INCIDENT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    for lang, refused, summary in (
        ("en", 'bad.csv line 3: value "inf" is not a finite number', "1 files refused (see above), the other 2 done"),
        ("zh-CN", "bad.csv 第 3 行：数值「inf」不是有限数", "1 个文件被拒（见上），其余 2 个已完成"),
    ):
        proc = subprocess.run(
            [str(SCRIPT), "--lang", lang, "backtest", str(src), "--out", str(tmp_path / "out")],
            env={**env, **{k: v for k, v in os.environ.items() if k == "HOME"}},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert refused in proc.stderr and summary in proc.stderr and "Traceback" not in proc.stderr
        assert "good.csv" in proc.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["family_other.csv", "good.csv"]


def test_every_nab_dev_series_runs_and_keeps_every_row(tmp_path):
    src = SHARED / "data" / "nab-dev"
    results = backtest_paths(src, tmp_path, min_count=5)
    assert len(results) == 53 and [r.source.name for r in results if r.error] == []
    for r in results:
        with r.source.open(newline="") as fh:
            stamps = [row["timestamp"] for row in csv.DictReader(fh)]
        assert [row["timestamp"] for row in read_out(r.out)] == stamps, r.source
    kinds = {r.source.name: r.kind for r in results}
    # whole numbers are counts when zeros occur or the noise is Poisson-like
    # (backtest.looks_like_counts): mention counts are, road speeds and the taxi
    # totals (far more dispersed than a count of independent events) are measures
    assert kinds["Twitter_volume_KO.csv"] == "counts"
    assert kinds["nyc_taxi.csv"] == kinds["speed_6005.csv"] == "measure"
    assert kinds["art_daily_flatmiddle.csv"] == kinds["ec2_cpu_utilization_24ae8d.csv"] == "measure"
