"""The statement desk's editor (incident/web/desk.py): the fact sheet's
fields as the form carries them and back, and the live preview of the
statements an unsaved sheet would render (per channel, with counts and
findings; nothing stored). The same rendering and checks drafting and
approving use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.context import Context
from incident.errors import IncidentError, NotFoundError
from incident.i18n import CATALOG, LANGS, label, t
from incident.models import FactSheet, Incident, Statement
from incident.timeutil import Clock, local, parse_time
from incident.web import desk_texts as _desk_texts  # noqa: F401
from incident.wording import factsheet, workflow
from incident.wording.lint import load_rules
from incident.wording.lint_lang import suggestion_for
from incident.wording.render import STATEMENT_KINDS, freeze, render_statement
from incident.wording.templates import CHANNELS, template_set


def finding_view(f: Mapping[str, Any], lang: str, rules: Any = None) -> dict[str, Any]:
    """A stored or fresh finding as the page shows it (as the CLI's
    ``show_findings`` does): severity, message in the reader's language,
    the offending text and the suggestion (its instructions in the
    reader's language too; ``rules`` give a replacement's English sense)."""
    key = f.get("message_key") or f"lint.{f.get('rule')}"
    try:
        message = t(key, lang, **(f.get("params") or {})) if key in CATALOG else str(f.get("rule"))
    except (KeyError, IndexError, ValueError):
        message = str(f.get("rule"))
    where = ""
    if f.get("field"):
        where = f"{label('fact_field', f['field'], lang)} · {f.get('lang') or ''}".rstrip(" ·")
    return {
        "severity": "error" if f.get("severity") == "error" else "warning",
        "rule": str(f.get("rule") or ""),
        "text": str(f.get("text") or ""),
        "suggestion": suggestion_for(f, lang, rules),
        "message": message,
        "where": where,
        "field": f.get("field"),
        "lang": f.get("lang"),
        "channel": f.get("channel"),
    }


# The figures a reader looks for first: characters, then SMS segments.
_COUNT_ORDER = (
    "chars",
    "segments",
    "length",
    "weight",
    "subject_chars",
    "text_chars",
    "encoding",
    "units",
    "per_segment",
    "max_segments",
    "max",
    "fold",
    "fold_index",
    "subject_max",
    "html_chars",
)


def _count_items(channel: str, counts: Mapping[str, Any], text: str, lang: str) -> list[tuple[str, str]]:
    figures = {k: v for k, v in counts.items() if not isinstance(v, (dict, list))}
    if channel == "status_page" and "chars" in figures:
        figures["html_chars"] = figures.pop("chars")  # the check counts the page's HTML
    if channel not in ("wechat", "email") and "chars" not in figures:
        figures["chars"] = len(text)
    ordered = sorted(figures, key=lambda k: _COUNT_ORDER.index(k) if k in _COUNT_ORDER else -1)
    items: list[tuple[str, str]] = []
    for key in ordered:
        ckey = f"web.desk.count.{key}"
        if channel == "wechat" and key != "max":
            name = t("web.desk.count.field_chars", lang, field=key)
        else:
            name = t(ckey, lang) if ckey in CATALOG else key
        items.append((name, str(figures[key])))
    return items


def channel_views(
    rendered: Mapping[str, Any],
    findings: Sequence[Mapping[str, Any]],
    channels: list[str] | tuple[str, ...],
    lang: str,
) -> list[tuple[str, list[dict[str, Any]]]]:
    """[(language, [one view per channel])] of a rendered statement: the
    text as it goes out, its counts (characters, SMS segments, Weibo length,
    X weight, WeChat field lengths) and the findings of that channel."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for lg in LANGS:
        by_channel = rendered.get(lg) or {}
        views = []
        for channel in channels:
            parts = by_channel.get(channel)
            if parts is None:
                continue
            if "fields" in parts:
                text = "\n".join(f"{k}: {v}" for k, v in (parts.get("fields") or {}).items())
            else:
                text = str(parts.get("text") or "")
            mine = [finding_view(f, lang) for f in findings if f.get("lang") == lg and f.get("channel") == channel]
            views.append(
                {
                    "channel": channel,
                    "lang": lg,
                    "name": t(f"channel.name.{channel}", lang),
                    "subject": parts.get("subject"),
                    "text": text,
                    "counts": _count_items(channel, parts.get("counts") or {}, text, lang),
                    "findings": mine,
                    "errors": sum(1 for f in mine if f["severity"] == "error"),
                }
            )
        out.append((lg, views))
    return out


def sheet_changes(form: Mapping[str, str], config: AppConfig, clock: Clock) -> dict[str, Any]:
    """The editor's fields as :func:`factsheet.apply_changes` takes them:
    ``what.zh-CN`` / ``what.en`` …, lists one item per line, the ETA in the
    centre's time (blank = unknown), the amount (blank = none)."""
    changes: dict[str, Any] = {}
    for name in factsheet.TEXT_FIELDS:
        for lg in LANGS:
            key = f"{name}.{lg}"
            if key in form:
                changes[key] = form[key].replace("\r\n", "\n").replace("\r", "\n")
    for name in factsheet.LIST_FIELDS:
        for lg in LANGS:
            key = f"{name}.{lg}"
            if key in form:
                changes[key] = [line.strip() for line in form[key].splitlines() if line.strip()]
    if "eta" in form:
        raw = form["eta"].strip()
        changes["eta"] = None if raw.lower() in ("", "none", "unknown", "未知") else parse_time(raw, config.zone, clock)
    if "compensation_amount" in form:
        changes["compensation_amount"] = form["compensation_amount"].strip() or None
    return changes


def editor_values(content: Mapping[str, Any], config: AppConfig) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in factsheet.TEXT_FIELDS:
        for lg in LANGS:
            values[f"{name}.{lg}"] = str((content.get(name) or {}).get(lg) or "")
    for name in factsheet.LIST_FIELDS:
        for lg in LANGS:
            values[f"{name}.{lg}"] = "\n".join(str(x) for x in (content.get(name) or {}).get(lg) or [])
    eta = factsheet.eta(content)
    values["eta"] = local(eta, config.zone).strftime("%Y-%m-%dT%H:%M") if eta else ""
    amount = content.get("compensation_amount")
    values["compensation_amount"] = "" if amount is None else str(amount)
    return values


def probe(incident: Incident, content: dict[str, Any], version: int, actor: str) -> FactSheet:
    """An unsaved fact sheet to lint and render (never added to a session)."""
    return FactSheet(incident_id=incident.id, version=version, status="draft", content=content, author=actor)


def build_preview(
    session: Session,
    ctx: Context,
    incident: Incident,
    content: dict[str, Any],
    version: int,
    kind: str,
    number: int,
    lang: str,
) -> dict[str, Any]:
    """What the (unsaved) sheet would give: its findings and a statement of
    ``kind`` on every channel in both languages — the same rendering and
    checks that drafting and approving use. Nothing is stored."""
    sheet = probe(incident, content, version, ctx.actor)
    rules = load_rules(ctx.config.wording.rules_file)
    sheet_findings = [finding_view(f, lang, rules) for f in workflow.lint_sheet(ctx, sheet, session)]
    renderings = render_statement(
        template_set(session),
        ctx.config,
        incident,
        sheet,
        kind=kind,
        number=number,
        channels=CHANNELS,
        at=ctx.clock.now(),
    )
    rendered, findings = freeze(renderings)
    return {
        "error": None,
        "kind": kind,
        "number": number,
        "missing": missing_fields(content, lang),
        "sheet_findings": sheet_findings,
        "langs": channel_views(rendered, findings, CHANNELS, lang),
        "errors": sum(1 for f in sheet_findings if f["severity"] == "error")
        + sum(1 for f in findings if f.get("severity") == "error"),
    }


def next_number(session: Session, incident_id: int) -> int:
    return (session.scalar(select(func.max(Statement.number)).where(Statement.incident_id == incident_id)) or 0) + 1


def incident_of(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError("error.no_incident", id=incident_id)
    return incident


def missing_fields(content: Mapping[str, Any], lang: str) -> list[str]:
    """The required fields still empty, as the page names them."""
    return [
        f"{label('fact_field', m.split('.', 1)[0], lang)} · {m.split('.', 1)[1]}"
        for m in factsheet.missing_required(content)
    ]


def typed_preview(
    session: Session, ctx: Context, incident_id: int, form: Mapping[str, str], lang: str
) -> dict[str, Any]:
    """The preview of the editor's fields as typed (the live preview's POST,
    and a refused save shown again): the latest sheet with the form's
    changes; a field the sheet cannot take (a malformed ETA) is said in the
    preview instead."""
    incident = incident_of(session, incident_id)
    chosen = form.get("preview_kind")
    kind = chosen if chosen is not None and chosen in STATEMENT_KINDS else workflow.default_kind(session, incident)
    latest = factsheet.latest(session, incident_id)
    base = latest.content if latest is not None else factsheet.initial_content(ctx, incident)
    version = 1 if latest is None else latest.version if latest.status == "draft" else latest.version + 1
    try:
        content = factsheet.apply_changes(base, sheet_changes(form, ctx.config, ctx.clock))
        number = next_number(session, incident_id)
        return build_preview(session, ctx, incident, content, version, kind, number, lang)
    except NotFoundError:
        raise
    except IncidentError as exc:
        return {"error": exc.message(lang), "kind": kind}
