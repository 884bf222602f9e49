"""Texts of the incident page's volume chart (hover, band, zoom and overview
notes), zh-CN and en. The legend's own words (observed, baseline, alert) are
the board's ``web.board.chart.*`` keys in incident.web.texts."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "web.board.chart.point": (
            "{at}　{observed} {value}，{baseline} {base}",
            "{at}  {observed} {value}, {baseline} {base}",
        ),
        "web.board.chart.point_alert": ("{point}（{alert}）", "{point} ({alert})"),
        "web.board.chart.band": (
            "基线附近的常见波动（基线 ± 2√基线）",
            "usual range around the baseline (baseline ± 2√baseline)",
        ),
        "web.board.chart.zoomed": (
            "放大显示 {start} 起 · 首次告警 {alert}",
            "zoomed from {start} · first alert {alert}",
        ),
        "web.board.chart.overview": ("全程概览 {start} – {end}", "overview {start} – {end}"),
    }
)
