"""The incident page's volume chart (issue 23 point 7): one y-axis of round
counts, a legend in the page's language, the baseline as a dashed line in a
band, the surge zoomed with the whole day as an overview, counts on hover,
times in the centre's zone, every text escaped."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from incident.i18n import t
from incident.web import texts as _board_texts  # noqa: F401  (the legend words: web.board.chart.*)
from incident.web.boardview import PointRow
from incident.web.charts import LEAD_POINTS, volume_svg, y_ticks

NS = {"s": "http://www.w3.org/2000/svg"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
CSS = Path(__file__).resolve().parents[1] / "incident" / "web" / "static" / "app.css"


def _labels(lang: str) -> tuple[str, str, str]:
    return tuple(t(f"web.board.chart.{k}", lang) for k in ("observed", "baseline", "alert"))  # type: ignore[return-value]


def _day(now: dt.datetime, surge_from: int = 276, step_minutes: int = 5, n: int = 288) -> list[PointRow]:
    """A calm day ending at ``now`` (3 ± 1 a bucket against a baseline of 3)
    with a surge of 40 from bucket ``surge_from`` on."""
    start = now - dt.timedelta(minutes=step_minutes * (n - 1))
    return [
        PointRow(
            start + dt.timedelta(minutes=step_minutes * k),
            40.0 if k >= surge_from else float(2 + k % 3),
            3.0,
            k >= surge_from,
        )
        for k in range(n)
    ]


def _svg(points, alerts, lang="zh-CN", title="登录投诉", labels=None, zone=SHANGHAI) -> ET.Element:
    markup = volume_svg(points, alerts, zone, title, labels or _labels(lang), lang)
    return ET.fromstring(str(markup))


def _by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{{{NS['s']}}}{tag}") if e.get("class") == cls]


def _hit_titles(root: ET.Element) -> list[str]:
    return [r.find("s:title", NS).text or "" for r in _by_class(root, "rect", "hit")]  # type: ignore[union-attr]


def test_one_y_axis_of_round_distinct_counts(clock):
    points = _day(clock.now())
    root = _svg(points, [points[276].bucket_start])
    labels = [e.text for e in _by_class(root, "text", "ytick")]
    assert labels == ["0", "10", "20", "30", "40"]  # the surge's 40 is the top: round, once each
    # no other text sits on the y-axis' label column (the old chart had a second, unrounded one)
    column = [e for e in root.iter(f"{{{NS['s']}}}text") if e.get("text-anchor") == "end" and e.get("x") == "36"]
    assert len(column) == len(labels)
    # one grid line per label, the zero one being the axis
    assert len(_by_class(root, "line", "grid")) == len(labels) - 1


@pytest.mark.parametrize("peak", [0.0, 0.4, 3, 4.7, 9, 12, 40, 91, 101, 1234])
def test_y_ticks_are_few_round_and_reach_the_peak(peak):
    ticks = y_ticks(peak)
    assert ticks[0] == 0 and ticks[-1] >= peak and 2 <= len(ticks) <= 6
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1 and all(float(s).is_integer() and s >= 1 for s in steps)


@pytest.mark.parametrize(
    ("lang", "words"),
    [("zh-CN", ["实际量", "基线", "告警"]), ("en", ["observed", "baseline", "alert"])],
)
def test_legend_names_the_three_marks_in_the_page_language(clock, lang, words):
    points = _day(clock.now())
    root = _svg(points, [points[276].bucket_start], lang=lang)
    legend = _by_class(root, "g", "legend")
    assert len(legend) == 1
    assert [e.text for e in legend[0].iter(f"{{{NS['s']}}}text")] == words
    # the baseline's entry shows the band and the dashed line, and says what the band is
    hint = [e.text for e in legend[0].iter(f"{{{NS['s']}}}title")]
    assert hint == [t("web.board.chart.band", lang)]
    assert _by_class(legend[0], "rect", "band") and _by_class(legend[0], "line", "baseline")
    assert _by_class(legend[0], "circle", "key-alert")


def test_the_baseline_is_a_dashed_line_inside_a_shaded_band(clock):
    points = _day(clock.now())
    root = _svg(points, [points[276].bucket_start])
    (band,) = _by_class(root, "polygon", "band")
    (line,) = _by_class(root, "polyline", "baseline")
    shown = len(_by_class(root, "rect", "hit"))
    corners = [tuple(map(float, xy.split(","))) for xy in band.get("points", "").split()]
    base = [tuple(map(float, xy.split(","))) for xy in line.get("points", "").split()]
    assert len(corners) == 2 * shown and len(base) == shown
    upper, lower = corners[:shown], corners[shown:][::-1]
    # the band's edges straddle the line at every bucket (y grows downwards)
    assert all(u[1] < b[1] < lo[1] for u, b, lo in zip(upper, base, lower, strict=True))
    css = CSS.read_text(encoding="utf-8")
    assert ".chart .baseline {" in css and "stroke-dasharray" in css.split(".chart .baseline {", 1)[1].split("}")[0]
    assert ".chart .band {" in css and "fill: #" in css.split(".chart .band {", 1)[1].split("}")[0]


def test_the_window_starts_three_hours_before_the_first_alert(clock):
    now = clock.now()  # 2026-11-24 10:00 in Shanghai
    points = _day(now)
    first = points[276].bucket_start  # 09:05 Shanghai
    root = _svg(points, [first, points[280].bucket_start])
    titles = _hit_titles(root)
    assert titles[0].startswith("11-24 06:05　")  # 3 h before the first alert, not 24 h before the end
    assert titles[-1].startswith("11-24 10:00　")  # …to the last bucket
    assert len(titles) == 288 - 276 + 36
    (note,) = [e for e in _by_class(root, "text", "note") if "放大" in (e.text or "")]
    assert note.text == "放大显示 11-24 06:05 起 · 首次告警 11-24 09:05"
    # the whole day is still there, small, with the zoomed window outlined
    (overview,) = _by_class(root, "g", "overview")
    assert overview.find("s:title", NS).text == "全程概览 11-23 10:05 – 11-24 10:00"  # type: ignore[union-attr]
    (window,) = _by_class(overview, "rect", "window")
    assert 400 < float(window.get("x", "0")) < 590
    assert len(_by_class(overview, "line", "ov-alert")) == 12
    # the x labels are round hours of the centre's clock, the date on the first
    assert [e.text for e in _by_class(root, "text", "xtick")] == ["11-24 07:00", "08:00", "09:00", "10:00"]


def test_large_buckets_still_show_some_calm_before_the_alert(clock):
    points = _day(clock.now(), surge_from=280, step_minutes=60, n=300)
    root = _svg(points, [points[280].bucket_start])
    assert len(_hit_titles(root)) == LEAD_POINTS + 300 - 280  # 3 h would be 3 hourly buckets only


def test_without_an_alert_or_when_the_data_starts_late_the_whole_range_is_shown(clock):
    points = _day(clock.now(), surge_from=999)
    root = _svg(points, [])
    assert len(_hit_titles(root)) == 288 and not _by_class(root, "g", "overview")
    short = _day(clock.now(), surge_from=20, n=30)
    root = _svg(short, [short[20].bucket_start])
    assert len(_hit_titles(root)) == 30 and not _by_class(root, "g", "overview")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh-CN", "11-24 09:05　实际量 40，基线 3.0（告警）"),
        ("en", "11-24 09:05  observed 40, baseline 3.0 (alert)"),
    ],
)
def test_every_bucket_has_its_time_and_counts_on_hover(clock, lang, expected):
    points = _day(clock.now())
    root = _svg(points, [points[276].bucket_start], lang=lang)
    titles = _hit_titles(root)
    assert expected in titles
    calm = "11-24 09:00　实际量 4，基线 3.0" if lang == "zh-CN" else "11-24 09:00  observed 4, baseline 3.0"
    assert calm in titles  # a calm bucket: no alert mark
    # one red dot per alerting bucket shown, and only those carry class "alert"
    assert len(_by_class(root, "circle", "alert")) == 12


def test_times_follow_the_centre_zone(clock):
    points = _day(clock.now())
    root = _svg(points, [points[276].bucket_start], zone=ZoneInfo("UTC"))
    assert _hit_titles(root)[0].startswith("11-23 22:05　")
    assert [e.text for e in _by_class(root, "text", "xtick")] == ["11-23 23:00", "11-24 00:00", "01:00", "02:00"]


def test_every_text_is_escaped(clock):
    points = _day(clock.now())
    evil = "<script>alert(1)</script>"
    markup = str(
        volume_svg(
            points,
            [points[276].bucket_start],
            SHANGHAI,
            f'登录投诉 {evil} "x"',
            (f"实际量{evil}", f"基线{evil}", f"告警{evil}"),
            "zh-CN",
        )
    )
    assert "<script" not in markup and "&lt;script&gt;" in markup
    root = ET.fromstring(markup)  # still one well-formed SVG, the texts inert inside it
    assert not list(root.iter(f"{{{NS['s']}}}script")) and not list(root.iter("script"))
    assert root.get("aria-label") == f'登录投诉 {evil} "x"'
    assert root.find("s:title", NS).text == f'登录投诉 {evil} "x"'  # type: ignore[union-attr]
    assert f"11-24 09:05　实际量{evil} 40，基线{evil} 3.0（告警{evil}）" in _hit_titles(root)


def test_no_points_no_chart():
    assert str(volume_svg([], [], SHANGHAI, "x", ("a", "b", "c"), "en")) == ""
