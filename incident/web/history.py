"""The incident history (/incidents): every incident, open or over, found
by words or id and filtered by kind, severity, status, declared time,
region and product; 50 a page, and the whole filtered list as CSV or JSON.
The filters are a GET form, so a URL names a view; a bad value is said on
the page, by the field's name, in the page's language. Whoever may see the
board may see its history (incident.view)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from incident.enums import Kind, Severity, Status
from incident.errors import InputError
from incident.i18n import label, t
from incident.incidents import MAX_ID, parse_kind, parse_severity, parse_status
from incident.textin import clean
from incident.timeutil import fmt, iso_utc, local
from incident.web import history_texts as _texts  # noqa: F401
from incident.web import historyview
from incident.web.historyview import ALL, OPEN, Filters, HistoryRow
from incident.web.pages import Pages

TEXT_MAX = 200
# The board used to ignore these; on / they now lead here (board.py).
FILTER_PARAMS = ("q", "kind", "severity", "status", "all", "since", "until", "region", "product")
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@dataclass
class Form:
    """The filters as checked, what the user typed (to fill the form and
    the links again) and what was wrong with it, in the page's language."""

    filters: Filters
    page: int
    typed: list[tuple[str, str]]
    problems: list[str] = field(default_factory=list)

    def link(self, path: str = "/incidents", page: int | None = None) -> str:
        pairs = [(k, v) for k, v in self.typed if k != "page"]
        if page and page > 1:
            pairs.append(("page", str(page)))
        return path + ("?" + urllib.parse.urlencode(pairs) if pairs else "")

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.typed if k == name]


def read_form(request: Request, lang: str) -> Form:
    typed = [(k, clean(v).strip()) for k, v in request.query_params.multi_items() if k in FILTER_PARAMS + ("page",)]
    typed = [(k, v) for k, v in typed if v]
    problems: list[str] = []

    def name(key: str) -> str:
        return t(f"web.history.{key}", lang)

    def bad_choice(key: str, value: str, allowed: str) -> None:
        problems.append(t("web.history.bad_choice", lang, field=name(key), value=value[:40], allowed=allowed))

    def text(key: str) -> str:
        value = next((v for k, v in typed if k == key), "")
        if len(value) > TEXT_MAX:
            problems.append(t("web.history.bad_text", lang, field=name(key), max=TEXT_MAX))
        return value[:TEXT_MAX]

    kinds: list[str] = []
    for value in (v for k, v in typed if k == "kind"):
        try:
            kinds.append(parse_kind(value).value)
        except InputError:
            bad_choice("kind", value, ", ".join(f"{k.value} ({label('kind', k.value, lang)})" for k in Kind))
    severities: list[int] = []
    for value in (v for k, v in typed if k == "severity"):
        try:
            severities.append(parse_severity(value).value)
        except InputError:
            bad_choice("severity", value, ", ".join(str(s.value) for s in Severity) + " (SEV1–SEV4)")
    status = _status(typed, lang, bad_choice)
    since, until = _day(typed, "since", lang, problems), _day(typed, "until", lang, problems)
    if since and until and since > until:
        problems.append(
            t(
                "web.history.bad_range",
                lang,
                since_field=name("since"),
                since=since.isoformat(),
                until_field=name("until"),
                until=until.isoformat(),
            )
        )
    page = _page(typed, lang, problems)
    filters = Filters(
        q=text("q"),
        kinds=tuple(dict.fromkeys(kinds)),
        severities=tuple(dict.fromkeys(severities)),
        status=status,
        since=since,
        until=until,
        region=text("region"),
        product=text("product"),
    )
    return Form(filters, page, typed, problems)


def _status(typed: list[tuple[str, str]], lang: str, bad_choice: Callable[[str, str, str], None]) -> str:
    value = next((v for k, v in typed if k == "status"), "")
    if not value:
        # ?all=1 (what users tried first) means every status
        return ALL if next((v for k, v in typed if k == "all"), "") not in ("", "0", "false") else OPEN
    if value.lower() in (OPEN, ALL):
        return value.lower()
    try:
        return parse_status(value).value
    except InputError:
        named = [f"{s.value} ({label('status', s.value, lang)})" for s in Status]
        bad_choice("status", value, ", ".join([OPEN, ALL, *named]))
        return OPEN


def _day(typed: list[tuple[str, str]], key: str, lang: str, problems: list[str]) -> dt.date | None:
    value = next((v for k, v in typed if k == key), "")
    if not value:
        return None
    try:
        if not _DATE.fullmatch(value):  # fromisoformat takes 20261124 and week dates too
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(t("web.history.bad_date", lang, field=t(f"web.history.{key}", lang), value=value[:40]))
        return None


def _page(typed: list[tuple[str, str]], lang: str, problems: list[str]) -> int:
    value = next((v for k, v in typed if k == "page"), "1")
    if value.isascii() and value.isdigit() and len(value) < 12 and 1 <= int(value):
        return min(int(value), MAX_ID)  # far past the last page: simply empty
    problems.append(t("web.history.bad_page", lang, value=value[:40]))
    return 1


# ---- exports ---------------------------------------------------------------


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: list[HistoryRow], lang: str, zone: Any) -> bytes:
    """UTF-8 with a BOM: Excel then reads the Chinese as Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    keys = ["col.ref", "severity", "status", "kind", "col.title", "col.summary", "col.regions", "col.products"]
    keys += ["col.declared", "col.resolved", "col.closed"]
    writer.writerow([t(f"web.history.{key}", lang) for key in keys])
    sep = "、" if lang == "zh-CN" else ", "
    for r in rows:
        when = [fmt(v, zone) if v else "" for v in (r.declared_at, r.resolved_at, r.closed_at)]
        cells: list[str | None] = [
            r.ref,
            f"SEV{r.severity}",
            label("status", r.status, lang),
            label("kind", r.kind, lang),
            r.title,
        ]
        cells += [r.summary, sep.join(r.scope_regions or []), sep.join(r.scope_products or []), *when]
        writer.writerow([_cell(c) for c in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(rows: list[HistoryRow], f: Filters, now: dt.datetime) -> dict[str, Any]:
    return {
        "generated_at": iso_utc(now),
        "filters": {
            "q": f.q,
            "kind": list(f.kinds),
            "severity": list(f.severities),
            "status": f.status,
            "since": f.since.isoformat() if f.since else None,
            "until": f.until.isoformat() if f.until else None,
            "region": f.region,
            "product": f.product,
        },
        "total": len(rows),
        "incidents": [
            {
                "id": r.id,
                "ref": r.ref,
                "kind": r.kind,
                "severity": r.severity,
                "status": r.status,
                "title": r.title,
                "summary": r.summary,
                "regions": list(r.scope_regions or []),
                "products": list(r.scope_products or []),
                "declared_at": iso_utc(r.declared_at),
                "resolved_at": iso_utc(r.resolved_at),
                "closed_at": iso_utc(r.closed_at),
            }
            for r in rows
        ],
    }


# ---- routes ----------------------------------------------------------------


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt
    zone = rt.config.zone

    def checked(request: Request) -> tuple[Any, str, Form]:
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require("incident.view", lang)
        return principal, lang, read_form(request, lang)

    @api.get("/incidents")
    def history(request: Request) -> Response:
        principal, lang, form = checked(request)
        found = historyview.HistoryPage([], 0, form.page)
        if not form.problems:
            found = pages.read(lambda s: historyview.page_of(s, form.filters, zone, form.page))
        return pages.render(
            request,
            "history.html.j2",
            principal,
            status=400 if form.problems else 200,
            form=form,
            found=found,
            kinds=[k.value for k in Kind],
            severities=[s.value for s in Severity],
            statuses=[s.value for s in Status],
        )

    def rows_for(request: Request) -> tuple[str, Form, list[HistoryRow]]:
        _, lang, form = checked(request)
        if form.problems:  # an export is a file: the error page says what was wrong
            raise InputError("web.error.bad_params", problems="; ".join(form.problems))
        return lang, form, pages.read(lambda s: historyview.export(s, form.filters, zone))

    def attachment(ext: str) -> dict[str, str]:
        stamp = local(rt.clock.now(), zone).strftime("%Y%m%d-%H%M")
        return {"Content-Disposition": f'attachment; filename="incidents-{stamp}.{ext}"', "Cache-Control": "no-store"}

    @api.get("/incidents.csv")
    def export_csv(request: Request) -> Response:
        lang, _, rows = rows_for(request)
        return Response(to_csv(rows, lang, zone), media_type="text/csv; charset=utf-8", headers=attachment("csv"))

    @api.get("/incidents.json")
    def export_json(request: Request) -> Response:
        _, form, rows = rows_for(request)
        return JSONResponse(to_json(rows, form.filters, rt.clock.now()), headers=attachment("json"))

    return api
