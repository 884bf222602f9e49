"""The monthly report as Markdown, HTML (with inline-SVG bar charts and a
print stylesheet) and CSV, in zh-CN or en.

The report's tables are laid out here once, as rows of display strings,
and the two templates (templates/reports/monthly.*.j2) only print them:
the Markdown environment escapes every value for Markdown, the HTML one
autoescapes (the daily report's environments, incident/remedy/reports.py).
Group names can come from the ticket system (a channel or a request type
stored before intake knew it), so nothing here is trusted as markup: the
charts escape their labels themselves. The CSV is formula-safe: a cell
that a spreadsheet would run ("=", "+", "-", "@", tab, CR first) gets a
leading apostrophe, as the incident history export does."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from incident.context import Context
from incident.i18n import label, t
from incident.money import fmt_money
from incident.remedy import texts as _remedy_texts  # noqa: F401  (labels: request_type, form, unit)
from incident.remedy.reports import report_env
from incident.reporting import texts as _texts  # noqa: F401
from incident.reporting.monthly import HEADLINES, monthly_report
from incident.wording import public

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TIMES = ("detect", "acknowledge", "first_statement", "resolve")


def duration(seconds: int | None, lang: str) -> str:
    if seconds is None:
        return "—"
    s = int(seconds)
    if s < 60:
        return t("monthly.dur.s", lang, s=s)
    if s < 3600:
        return t("monthly.dur.m", lang, m=s // 60, s=s % 60)
    if s < 4 * 86400:  # "47 h 30 min" reads better against a 48 h deadline than "1 d 23 h"
        return t("monthly.dur.h", lang, h=s // 3600, m=s % 3600 // 60)
    return t("monthly.dur.d", lang, d=s // 86400, h=s % 86400 // 3600)


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _figure(name: str, value: Any, lang: str, *, change: bool = False) -> str:
    if value is None:
        return "—"
    if name.endswith("_share") or name == "resolution_rate":
        return f"{value * 100:+.1f} pt" if change else pct(value)
    if name.endswith("_s"):
        sign = "-" if value < 0 else ("+" if change else "")
        return sign + duration(abs(value), lang)
    if isinstance(value, Decimal):
        return f"{value:+,.2f}" if change else fmt_money(value)
    if isinstance(value, float):
        return f"{value:+.2f}" if change else f"{value:.2f}"
    return f"{value:+,}" if change else f"{value:,}"


def bar_chart(title: str, bars: list[tuple[str, float, str]]) -> Markup:
    """Horizontal bars, ``(label, fraction 0–1, text shown)``; every text escaped."""
    row_h, label_w, bar_w = 22, 150, 260
    height = row_h * max(1, len(bars)) + 30
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 90}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (name, fraction, shown) in enumerate(bars):
        y = 28 + i * row_h
        width = max(0.0, min(1.0, fraction)) * bar_w
        parts.append(
            f'<text x="0" y="{y + 14}">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="14" fill="#3b6ea5"/>'
            f'<text x="{label_w + width + 6:.1f}" y="{y + 14}">{escape(shown)}</text>'
        )
    return Markup("".join(parts) + "</svg>")  # noqa: S704 — every text above went through escape()


def _service_table(groups: dict[str, Any], names: dict[str, str], lang: str) -> dict[str, Any]:
    L = lambda key: t(f"monthly.{key}", lang)  # noqa: E731
    headers = [L("group"), L("received"), L("responded"), L("response_median"), L("response_p90")]
    headers += [L("response_within"), L("resolved"), L("resolution_median"), L("resolution_p90")]
    headers += [L("resolution_within"), L("resolution_rate")]
    rows = []
    for key, g in groups.items():
        fr, res = g["first_response"], g["resolution"]
        within = pct(fr["within_share"]) if fr["within_share"] is not None else L("no_deadline")
        rows.append(
            [names.get(key, key), f"{g['received']:,}", f"{fr['count']:,}", duration(fr["median_s"], lang)]
            + [duration(fr["p90_s"], lang), within, f"{res['count']:,}", duration(res["median_s"], lang)]
            + [duration(res["p90_s"], lang), pct(res["within_share"]), pct(res["rate"])]
        )
    return {"headers": headers, "rows": rows}


def _incident_table(groups: dict[str, Any], names: dict[str, str], lang: str) -> dict[str, Any]:
    L = lambda key: t(f"monthly.{key}", lang)  # noqa: E731
    headers = [L("group"), L("count"), L("resolved_count"), *(L(x) for x in _TIMES), L("statement_on_time")]
    rows = []
    for key, g in groups.items():
        times = [f"{duration(g[x]['median_s'], lang)} ({duration(g[x]['p90_s'], lang)})" for x in _TIMES]
        rows.append([names.get(key, key), str(g["count"]), str(g["resolved"]), *times, str(g["statement_on_time"])])
    return {"headers": headers, "rows": rows}


def sections(report: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The report laid out for people: titles, notes, tables, charts."""
    L = lambda key, **kw: t(f"monthly.{key}", lang, **kw)  # noqa: E731
    tk, inc, comp, cb = report["tickets"], report["incidents"], report["compensation"], report["callbacks"]
    res_dl = tk["deadlines"]["resolution_s"]
    heads = [L("figure"), L("value"), L("previous", month=report["previous_month"]), L("change")]
    trend_rows = [
        [label("monthly_figure", name, lang)]
        + [
            _figure(name, report["trends"][name][k], lang, change=k == "change")
            for k in ("value", "previous", "change")
        ]
        for name, _ in HEADLINES
    ]
    channels = {c: label("ticket_channel", c, lang) for c in tk["by_channel"]}
    types = {r: label("request_type", r, lang) for r in tk["by_type"]}
    sat_rows = []
    for name, s in (
        (L("from_tickets"), tk["overall"]["satisfaction"]),
        (L("from_callbacks"), report["callback_satisfaction"]),
    ):
        dist = [str(s["distribution"][k]) for k in ("1", "2", "3", "4", "5")]
        sat_rows.append([name, *dist, str(s["answers"]), "—" if s["mean"] is None else f"{s['mean']:.2f}"])
    response_bars = [
        (channels[c], g["first_response"]["within_share"] or 0.0, pct(g["first_response"]["within_share"]))
        for c, g in tk["by_channel"].items()
        if g["first_response"]["deadline_s"] is not None
    ]
    resolution_bars = [
        (types[r], g["resolution"]["rate"] or 0.0, pct(g["resolution"]["rate"])) for r, g in tk["by_type"].items()
    ]
    most = max([g["count"] for g in inc["by_kind"].values()] or [1])
    incident_bars = [(label("kind", k, lang), g["count"] / most, str(g["count"])) for k, g in inc["by_kind"].items()]
    forms = [
        [label("form", f, lang), str(x["count"]), f"{fmt_money(x['amount'])} {label('unit', x['unit'], lang)}"]
        for f, x in comp["by_form"].items()
    ]
    laid_out: list[dict[str, Any]] = [
        {"title": L("headlines"), "tables": [{"headers": heads, "rows": trend_rows}]},
        {
            "title": L("tickets"),
            "notes": [
                L("deadlines", ordinary=duration(res_dl["ordinary"], lang), complex=duration(res_dl["complex"], lang))
            ],
            "tables": [
                {"caption": L("by_channel"), **_service_table(tk["by_channel"], channels, lang)},
                {"caption": L("by_type"), **_service_table(tk["by_type"], types, lang)},
                {
                    "caption": L("by_complexity"),
                    **_service_table(
                        tk["by_complexity"],
                        {k: label("ticket_complexity", k, lang) for k in ("ordinary", "complex")},
                        lang,
                    ),
                },
            ],
            "charts": [
                bar_chart(L("chart_response"), response_bars),
                bar_chart(L("chart_resolution"), resolution_bars),
            ],
        },
        {
            "title": L("satisfaction"),
            "tables": [{"headers": [L("group"), "1", "2", "3", "4", "5", L("answers"), L("mean")], "rows": sat_rows}],
        },
        {
            "title": L("incidents"),
            "notes": [L("times_note"), L("resolved_in_month", n=inc["resolved_in_month"])],
            "tables": [
                {
                    "caption": L("by_kind"),
                    **_incident_table(inc["by_kind"], {k: label("kind", k, lang) for k in inc["by_kind"]}, lang),
                },
                {
                    "caption": L("by_severity"),
                    **_incident_table(inc["by_severity"], {k: f"SEV{k}" for k in inc["by_severity"]}, lang),
                },
            ],
            "charts": [bar_chart(L("chart_incidents"), incident_bars)],
        },
        {
            "title": L("compensation"),
            "notes": [
                L(
                    "comp_summary",
                    count=comp["count"],
                    customers=comp["customers"],
                    amount=fmt_money(comp["money_issued"]),
                )
            ],
            "tables": [{"headers": [L("form"), L("count"), L("amount")], "rows": forms}] if forms else [],
        },
        {
            "title": L("callbacks"),
            "tables": [
                {
                    "headers": [L(f"cb_{k}") for k in ("due", "done", "reached", "unreached", "open", "overdue")],
                    "rows": [[str(cb[k]) for k in ("due", "done", "reached", "unreached", "open", "overdue")]],
                }
            ],
        },
    ]
    # Every key present (the templates are strict about undefined names).
    return [
        {"notes": [], "charts": [], **sec, "tables": [{"caption": None, **tb} for tb in sec["tables"]]}
        for sec in laid_out
    ]


def _cell(value: Any) -> Any:
    """A number as it is (-0.5 stays a number); text that a spreadsheet
    would run as a formula with an apostrophe first."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flatten(f"{prefix}.{k}" if prefix else str(k), v)]
    return [(prefix, value)]


def render_csv(report: dict[str, Any], lang: str) -> str:
    """One figure a row: section, group, metric, value (raw numbers:
    seconds, shares 0–1, yuan), with a BOM so Excel reads the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(f"monthly.csv.{k}", lang) for k in ("section", "group", "metric", "value")])
    writer.writerow(["report", "", "month", report["month"]])
    for name, trend in report["trends"].items():
        for key in ("value", "previous", "change"):
            writer.writerow([_cell(x) for x in ("trends", name, key, trend[key])])
    tk = report["tickets"]
    for section in ("overall", "by_channel", "by_type", "by_complexity"):
        groups = {"": tk["overall"]} if section == "overall" else tk[section]
        for group, figures in groups.items():
            for metric, value in _flatten("", figures):
                writer.writerow([_cell(x) for x in (f"tickets.{section}", group, metric, value)])
    for section in ("overall", "by_kind", "by_severity"):
        groups = {"": report["incidents"]["overall"]} if section == "overall" else report["incidents"][section]
        for group, figures in groups.items():
            for metric, value in _flatten("", figures):
                writer.writerow([_cell(x) for x in (f"incidents.{section}", group, metric, value)])
    for section in ("compensation", "callbacks", "callback_satisfaction"):
        for metric, value in _flatten("", report[section]):
            writer.writerow([_cell(x) for x in (section, "", metric, value)])
    return "\ufeff" + out.getvalue()


def render_monthly(report: dict[str, Any], lang: str, centre: str) -> tuple[str, str, str]:
    """(Markdown, HTML, CSV) in ``lang``."""
    title = t("monthly.title", lang, centre=centre, month=report["month"])
    note = None if report["complete"] else t("monthly.incomplete", lang, now=report["generated_at"])
    ctx = {"title": title, "note": note, "sections": sections(report, lang), "lang": lang}
    md = report_env(markdown=True).get_template("reports/monthly.md.j2").render(ctx)
    html = report_env(markdown=False).get_template("reports/monthly.html.j2").render(ctx)
    return md, html, render_csv(report, lang)


def write_monthly(
    session: Session, ctx: Context, month: tuple[int, int], directory: Path, lang: str | None = None
) -> tuple[dict[str, Any], list[Path]]:
    report = monthly_report(session, ctx, month)
    lang = lang or ctx.config.centre.language
    bodies = render_monthly(report, lang, public.centre_name(ctx.config, lang))
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"monthly-{report['month']}.{ext}" for ext in ("md", "html", "csv")]
    for path, body in zip(paths, bodies, strict=True):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(path)  # readers never see half a report
    return report, paths
