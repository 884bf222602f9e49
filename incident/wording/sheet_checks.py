"""The fact sheet checks what it says (issue 22, DOMAIN.md §1, §5, §6).

Besides the wording linter on every field: the public title is not the
internal detection title (nor Chinese in English); the ETA is not in the
past; compensation amounts are within the caps and equal to what the
ledger's policy will issue; a promise to text the customer on recovery is
backed by something that sends such an SMS. Errors block approval (and so
every statement drawn from the sheet); warnings are shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.config import FORM_UNITS, AppConfig, CompensationPolicy
from incident.context import Context
from incident.errors import IncidentError
from incident.i18n import LANGS
from incident.models import FactSheet, Incident, Subscriber
from incident.wording import factsheet
from incident.wording import sheet_texts as _sheet_texts  # noqa: F401
from incident.wording.personalise import Customer
from incident.wording.render import finding_dict, lint_text, render_reply
from incident.wording.templates import SCENARIOS, template_set

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# An amount said in the sheet: 「10元」「¥10」「10 yuan」「RMB 10」「500 积分」「500 points」.
_STATED = re.compile(
    r"(?i)(?:(?P<pre>[¥￥]|RMB|CNY|人民币)\s*)?(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s*(?P<unit>元|块钱|块|yuan|RMB|CNY|积分|points?)?(?![A-Za-z\d])"
)
# A promise to text the customer when service is back: 「恢复后短信通知您」,
# 「会发短信告诉您」, "will text you", "notify you by SMS".
_SMS_PROMISE = re.compile(
    r"(?i)短信(?:通知|告知|提醒|联系)|发(?:送)?短信(?:给|通知|告诉)|"
    r"\b(?:will|we'll|shall)\s+(?:text|sms)\s+you\b|\bnotify you by (?:sms|text)\b|\bsend you an? (?:sms|text)\b"
)
# Fields whose words are the sheet's own promises (the don'ts quote what
# must NOT be said).
_PROMISE_FIELDS = tuple(f for f in factsheet.TEXT_FIELDS if f != "public_title") + ("dos",)


def _finding(
    rule: str, severity: str, field: str, lang: str | None, quoted: str = "", start: int = 0, **params: Any
) -> dict[str, Any]:
    return {
        "rule": rule,
        "severity": severity,
        "start": start,
        "end": start + len(quoted),
        "text": quoted,
        "suggestion": "",
        "message_key": f"sheet.{rule}",
        "params": params,
        "channel": None,
        "lang": lang,
        "field": field,
    }


def _values(content: Mapping[str, Any], field: str, lang: str) -> list[str]:
    value = (content.get(field) or {}).get(lang)
    items = value if isinstance(value, list) else [value]
    return [str(i) for i in items if i]


def lint_sheet(ctx: Context, sheet: FactSheet, session: Session | None = None) -> list[dict[str, Any]]:
    """Every finding of a sheet: the linter on each field and, given a
    session (the incident, its policy, subscriptions, the reply template),
    the sheet's own checks."""
    out: list[dict[str, Any]] = []
    for fieldname in factsheet.TEXT_FIELDS + factsheet.LIST_FIELDS:
        if fieldname == "donts":  # quotes what must NOT be said: not linted
            continue
        for lang in LANGS:
            for item in _values(sheet.content, fieldname, lang):
                for f in lint_text(item, lang, ctx.config):
                    d = finding_dict(f, None, lang)
                    d["field"] = fieldname
                    out.append(d)
    out.extend(check_eta(ctx, sheet.content))
    incident = session.get(Incident, sheet.incident_id) if session is not None else None
    if incident is not None and session is not None:
        out.extend(check_title(incident, sheet.content, ctx.config.wording.channels.wechat_field_chars))
        out.extend(check_compensation(ctx.config, incident, sheet.content, out))
        out.extend(check_promises(session, ctx, incident, sheet))
    return out


def check_title(incident: Incident, content: Mapping[str, Any], wechat_chars: int) -> Iterator[dict[str, Any]]:
    for lang in LANGS:
        title = factsheet.public_title(content, lang)
        if title is None:
            continue  # missing_required says so
        if len(factsheet.wechat_fields(content, lang).get("keyword1", "")) > wechat_chars:
            # Said now, on the field to change, not only when a statement is drafted.
            yield _finding("wechat_title_long", "warning", "wechat_keyword1", lang, title, limit=wechat_chars)
        if title == incident.title.strip():
            # Detection writes its figures into the title (「…激增（50 件/桶，基线 0.5）」): never
            # public. A lead's own plain title (「杭州网点派送延误」) may do; the approver is told.
            internal = incident.dedup_key is not None
            rule, severity = ("public_title_internal", "error") if internal else ("public_title_same", "warning")
            yield _finding(rule, severity, "public_title", lang, title)
        elif title == factsheet.proposed_title(incident, lang):
            yield _finding("public_title_draft", "warning", "public_title", lang, title, title=title)
        if lang == "en" and (m := _HAN.search(title)):
            yield _finding(
                "public_title_not_english", "error", "public_title", lang, m.group(), m.start(), text=m.group()
            )


def check_eta(ctx: Context, content: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    eta = factsheet.eta(content)
    now = ctx.clock.now()
    if eta is not None and eta <= now:
        for lang in LANGS:
            said = factsheet.format_time(eta, lang, now, ctx.config.zone)
            yield _finding(
                "eta_past",
                "error",
                "eta",
                lang,
                said,
                eta=said,
                now=factsheet.format_time(now, lang, now, ctx.config.zone),
            )


def _money(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def stated_amounts(content: Mapping[str, Any]) -> Iterator[tuple[str, str | None, str, Decimal, int, str]]:
    """(field, lang, unit, amount, start, text) for every amount the sheet
    states: the amount field (in 元) and amounts with a unit in the
    compensation texts."""
    raw = content.get("compensation_amount")
    if raw not in (None, ""):
        yield "compensation_amount", None, "yuan", Decimal(str(raw)), 0, str(raw)
    for lang in LANGS:
        for text in _values(content, "compensation", lang):
            for m in _STATED.finditer(text):
                unit = (m.group("unit") or "").lower()
                if not (m.group("pre") or unit):
                    continue  # a bare number (a date, a count) is no amount
                kind = "points" if unit in ("积分", "point", "points") else "yuan"
                amount = Decimal(m.group("num").replace(",", ""))
                yield "compensation", lang, kind, amount, m.start(), m.group().strip()


def policies_for(config: AppConfig, incident: Incident) -> list[CompensationPolicy]:
    """The policies the ledger may apply to this incident's customers, as
    ledger._policy_for picks them: in order, up to the first that takes
    every category (later ones are never reached)."""
    out: list[CompensationPolicy] = []
    for policy in config.compensation.policies:
        if "*" not in policy.kinds and incident.kind not in policy.kinds:
            continue
        out.append(policy)
        if "*" in policy.categories:
            break
    return out


def check_compensation(
    config: AppConfig, incident: Incident, content: Mapping[str, Any], found: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    cap = config.compensation.caps.insured_goods
    policies = policies_for(config, incident)
    linted = {(f["field"], f["lang"]) for f in found if f["rule"] == "over_cap"}
    for field, lang, unit, amount, start, text in stated_amounts(content):
        if unit == "yuan" and amount > cap and (field, lang) not in linted:
            yield _finding("comp_over_cap", "error", field, lang, text, start, amount=_money(amount), cap=_money(cap))
        mine = [p for p in policies if FORM_UNITS[p.form] == unit]
        if not mine:
            yield _finding("comp_no_policy", "warning", field, lang, text, start, stated=_money(amount), unit=unit)
            continue
        if any(p.formula for p in mine):
            continue  # the amount depends on each customer's order
        if any(p.amount == amount for p in mine):
            continue
        policy = mine[0]
        assert policy.amount is not None  # no formula → an amount (config validates)
        yield _finding(
            "comp_policy",
            "error",
            field,
            lang,
            text,
            start,
            stated=_money(amount),
            issued=_money(policy.amount),
            unit=unit,
            policy=policy.name,
            form=policy.form,
        )


def _reply_texts(session: Session, ctx: Context, incident: Incident, sheet: FactSheet) -> Iterator[tuple[str, str]]:
    """The agent reply this sheet gives (the incident's scenario), per language."""
    scenario = incident.kind if incident.kind in SCENARIOS else "other"
    templates = template_set(session)
    for lang in LANGS:
        try:
            text, _ = render_reply(templates, ctx.config, incident, sheet, scenario, lang, Customer())
        except IncidentError:
            continue  # a broken template is reported where templates are checked
        yield lang, text


def check_promises(session: Session, ctx: Context, incident: Incident, sheet: FactSheet) -> list[dict[str, Any]]:
    """A promise to text the customer on recovery needs something that
    sends it: the only SMS the system sends is a published statement to the
    customers subscribed to SMS (issue 22 §7)."""
    said: list[tuple[str, str, int, str]] = []
    for field in _PROMISE_FIELDS:
        for lang in LANGS:
            for text in _values(sheet.content, field, lang):
                said.extend((field, lang, m.start(), m.group()) for m in _SMS_PROMISE.finditer(text))
    in_sheet = {lang for _, lang, _, _ in said}
    for lang, text in _reply_texts(session, ctx, incident, sheet):
        if lang not in in_sheet:  # the reply quotes the sheet: said once, on the field to change
            said.extend(("reply", lang, m.start(), m.group()) for m in _SMS_PROMISE.finditer(text))
    if not said:
        return []
    count = session.scalar(
        select(func.count()).select_from(Subscriber).where(Subscriber.channel == "sms", Subscriber.active.is_(True))
    )
    out = []
    for field, lang, start, text in said:
        if count:
            out.append(_finding("promise_sms_subscribers", "warning", field, lang, text, start, text=text, count=count))
        else:
            out.append(_finding("promise_sms", "error", field, lang, text, start, text=text))
    return out
