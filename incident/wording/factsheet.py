"""The fact sheet (口径卡): ONE external wording per incident (000 §6.2).

Each version holds the same bilingual fields; every reply and statement is
rendered from the approved version, so the answers cannot contradict each
other. Drafts are edited in place; editing an approved (or in-review) sheet
starts the next version from it. A version's life:
draft → in_review → approved → superseded | retracted (approval.py).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.enums import EventType
from incident.errors import ConflictError, InputError, NotFoundError
from incident.i18n import CATALOG, LANGS, t
from incident.incidents import _lock, record_event
from incident.models import FactSheet, Incident
from incident.money import MoneyError, money_str, to_money
from incident.timeutil import local
from incident.wording import approval
from incident.wording import sheet_texts as _sheet_texts  # noqa: F401
from incident.wording import texts as _texts  # noqa: F401

# WeChat template fields comms may word themselves (first, keyword1 …);
# empty = the template's own. keyword1 is the title a follower sees.
WECHAT_KEYS = ("first", "keyword1", "keyword2", "remark")
WECHAT_FIELDS = tuple(f"wechat_{k}" for k in WECHAT_KEYS)
# Bilingual free-text fields, in the order a fact sheet is read. The public
# title is what customers see as the heading on every channel: never the
# incident's internal detection title (issue 22).
TEXT_FIELDS = (
    "public_title",
    "what",
    "scope",
    "cause",
    "fix",
    "workaround",
    "compensation",
    "support_channel",
    *WECHAT_FIELDS,
)
LIST_FIELDS = ("dos", "donts")
FIELDS = TEXT_FIELDS + ("eta", "compensation_amount") + LIST_FIELDS
# A sheet cannot be approved without these in both languages. The cause may
# stay open ("under investigation") and the ETA unknown (DOMAIN.md §2).
REQUIRED = ("public_title", "what", "scope", "fix", "support_channel")

OPEN_STATES = ("draft", "in_review")


def empty_content() -> dict[str, Any]:
    out: dict[str, Any] = {f: {lang: "" for lang in LANGS} for f in TEXT_FIELDS}
    out.update({f: {lang: [] for lang in LANGS} for f in LIST_FIELDS})
    out["eta"] = None
    out["compensation_amount"] = None
    return out


def initial_content(ctx: Context, incident: Incident) -> dict[str, Any]:
    """A first draft from what the incident already says; comms staff edit it."""
    content = empty_content()
    what = incident.summary or incident.title
    content["what"]["zh-CN"] = what
    scope_parts = [*incident.scope_regions, *incident.scope_channels, *incident.scope_products]
    if incident.impact:
        content["scope"]["zh-CN"] = incident.impact
    elif scope_parts:
        content["scope"]["zh-CN"] = "、".join(scope_parts)
    content["support_channel"]["zh-CN"] = ctx.config.wording.support_channel
    content["support_channel"]["en"] = ctx.config.wording.support_channel_en
    # A proposal to check (sheet_checks warns while it is unchanged), from
    # the kind and scope only: the detection title's numbers stay internal.
    content["public_title"] = {lang: proposed_title(incident, lang) for lang in LANGS}
    # WeChat's fields hold 20 characters: a short title the English one fits.
    short = f"wording.title_short.{incident.kind}"
    short = short if short in CATALOG else "wording.title_short.other"
    content["wechat_keyword1"] = {lang: t(short, lang) for lang in LANGS}
    return content


def proposed_title(incident: Incident, lang: str) -> str:
    parts = [*incident.scope_channels, *incident.scope_products]
    key = f"wording.title.{incident.kind}" if f"wording.title.{incident.kind}" in CATALOG else "wording.title.other"
    if lang == "zh-CN":
        where = "、".join(parts[:2])
        # 「部分客户 APP 服务异常」: a space only beside Latin words.
        where = f"{' ' if where[:1].isascii() else ''}{where}{' ' if where[-1:].isascii() else ''}" if where else ""
        return t(key, lang, where=where).strip()
    # English never carries a Chinese scope name (issue 22: "Some customers of 上海").
    where = "".join(f"{p} " for p in parts[:2] if p.isascii())
    return t(key, lang, where=where).strip()


def public_title(content: Mapping[str, Any], lang: str) -> str | None:
    """THE public title of the sheet in ``lang`` (None when not written).
    No fallback to the other language nor to the incident's title: an
    English page never shows Chinese, no page shows the internal title."""
    value = (content.get("public_title") or {}).get(lang)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def wechat_fields(content: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The WeChat template fields comms set on the sheet, to lay over the
    template's: ``{"keyword1": …, "remark": …}``. keyword1 is the public
    title unless comms wrote their own."""
    out = {k: str((content.get(f"wechat_{k}") or {}).get(lang) or "").strip() for k in WECHAT_KEYS}
    title = public_title(content, lang)
    if not out["keyword1"] and title:
        out["keyword1"] = title
    return {k: v for k, v in out.items() if v}


def eta_text(content: Mapping[str, Any], lang: str, now: dt.datetime, zone: ZoneInfo) -> str:
    """The ETA as statements and replies say it, in the centre's time; with
    the year when it is not this year (「2027年1月1日 10:00」), "" if unknown."""
    value = eta(content)
    return format_time(value, lang, now, zone) if value is not None else ""


def format_time(value: dt.datetime, lang: str, now: dt.datetime, zone: ZoneInfo) -> str:
    lv = local(value, zone)
    other_year = lv.year != local(now, zone).year
    if lang == "zh-CN":
        return f"{f'{lv.year}年' if other_year else ''}{lv.month}月{lv.day}日 {lv:%H:%M}"
    offset = lv.strftime("%z")
    year = f" {lv.year}" if other_year else ""
    return f"{lv:%H:%M} on {lv.day} {lv:%b}{year} (UTC{offset[:3]}:{offset[3:]})"


def _field_key(name: str) -> tuple[str, str | None]:
    """ "what", "what.en", "what_en", "dos.zh-CN" → (field, lang|None)."""
    raw = name.strip().replace("_en", ".en") if name.endswith("_en") else name.strip()
    field, _, lang = raw.partition(".")
    field = field.replace("-", "_")
    if field not in FIELDS:
        raise InputError("wording.error.bad_field", field=name, allowed=", ".join(FIELDS))
    if lang:
        if lang.lower().startswith("zh"):
            lang = "zh-CN"
        elif lang.lower().startswith("en"):
            lang = "en"
        else:
            raise InputError("wording.error.bad_lang", value=lang)
    return field, lang or None


def apply_changes(content: dict[str, Any], changes: Mapping[str, Any], default_lang: str = "zh-CN") -> dict[str, Any]:
    """Apply ``{"what": "…", "what.en": "…", "eta": dt, "dos": [...]}``;
    a text field without a language sets ``default_lang``."""
    out = copy.deepcopy(content)
    for name, value in changes.items():
        field, lang = _field_key(name)
        if field == "eta":
            if value in (None, ""):
                out["eta"] = None
            elif isinstance(value, dt.datetime):
                if value.tzinfo is None:
                    raise InputError("wording.error.bad_eta", value=str(value))
                out["eta"] = value.astimezone(dt.timezone.utc).isoformat()
            else:
                raise InputError("wording.error.bad_eta", value=str(value))
            continue
        if field == "compensation_amount":
            if value in (None, ""):
                out[field] = None
                continue
            try:
                # exact: an amount finer than a cent is refused, not rounded
                # (float's round(1.005, 2) is 1.0: a cent off).
                amount = to_money(value, exact=True)
            except MoneyError:
                raise InputError("wording.error.bad_amount", value=str(value)) from None
            if amount < 0:
                raise InputError("wording.error.bad_amount", value=str(value))
            # JSON has no decimal: a whole amount stays a number (as stored
            # before), one with cents is kept as its exact text ("12.50").
            out[field] = int(amount) if amount == amount.to_integral_value() else money_str(amount)
            continue
        target_lang = lang or default_lang
        if field in LIST_FIELDS:
            items = [value] if isinstance(value, str) else list(value or [])
            out[field][target_lang] = [str(i).strip() for i in items if str(i).strip()]
        else:
            out[field][target_lang] = (str(value) if value is not None else "").strip()
    return out


def eta(content: Mapping[str, Any]) -> dt.datetime | None:
    raw = content.get("eta")
    return dt.datetime.fromisoformat(raw) if raw else None


def missing_required(content: Mapping[str, Any]) -> list[str]:
    return [f"{f}.{lang}" for f in REQUIRED for lang in LANGS if not (content.get(f) or {}).get(lang)]


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What changed, field by field and language by language."""
    old = old or empty_content()
    out: list[dict[str, Any]] = []
    for field in FIELDS:
        a, b = old.get(field), new.get(field)
        if isinstance(b, dict) or isinstance(a, dict):
            a, b = a or {}, b or {}
            for lang in LANGS:
                if a.get(lang) != b.get(lang):
                    out.append({"field": field, "lang": lang, "old": a.get(lang), "new": b.get(lang)})
        elif a != b:
            out.append({"field": field, "lang": None, "old": a, "new": b})
    return out


# ------------------------------------------------------------------ reads --


def versions(session: Session, incident_id: int) -> list[FactSheet]:
    return list(
        session.scalars(select(FactSheet).where(FactSheet.incident_id == incident_id).order_by(FactSheet.version))
    )


def latest(session: Session, incident_id: int) -> FactSheet | None:
    return session.scalars(
        select(FactSheet).where(FactSheet.incident_id == incident_id).order_by(FactSheet.version.desc()).limit(1)
    ).one_or_none()


def approved(session: Session, incident_id: int) -> FactSheet | None:
    return session.scalars(
        select(FactSheet).where(FactSheet.incident_id == incident_id, FactSheet.status == "approved")
    ).one_or_none()


def get_version(session: Session, incident_id: int, version: int | None = None) -> FactSheet:
    if version is None:
        sheet = latest(session, incident_id)
    else:
        sheet = session.scalars(
            select(FactSheet).where(FactSheet.incident_id == incident_id, FactSheet.version == version)
        ).one_or_none()
    if sheet is None:
        if session.get(Incident, incident_id) is None:
            _no_incident(incident_id)
        if version is None:
            raise NotFoundError("wording.error.no_facts", ref=f"INC-{incident_id}")
        raise NotFoundError("wording.error.no_facts_version", ref=f"INC-{incident_id}", version=version)
    return sheet


def _no_incident(incident_id: int) -> NoReturn:
    raise NotFoundError("error.no_incident", id=incident_id)


# ----------------------------------------------------------------- writes --


def edit(
    session: Session,
    ctx: Context,
    incident_id: int,
    changes: Mapping[str, Any],
    *,
    note: str | None = None,
    lang: str = "zh-CN",
) -> FactSheet:
    """Change the fact sheet. The open draft is edited in place; otherwise a
    new draft version starts from the latest version (approved or not)."""
    incident = _lock(session, incident_id)
    if not incident.status_enum.is_open and incident.status != "resolved":
        raise ConflictError("wording.error.incident_closed", ref=incident.ref)
    current = latest(session, incident_id)
    now = ctx.clock.now()
    if current is not None and current.status == "draft":
        before = current.content
        current.content = apply_changes(before, changes, lang)
        if note:
            current.change_note = note
        changed = diff(before, current.content)
        if changed:
            record_event(
                session,
                ctx,
                incident,
                EventType.FACTS_DRAFTED,
                version=current.version,
                fields=sorted({c["field"] for c in changed}),
            )
        return current
    if current is not None and current.status == "in_review":
        # Editing under review withdraws it: what was reviewed is not what
        # would be approved any more.
        current.status = "draft"
        current.submitted_at = None
        approval.clear(session, "fact_sheet", current.id)
        before = current.content
        current.content = apply_changes(before, changes, lang)
        if note:
            current.change_note = note
        record_event(
            session,
            ctx,
            incident,
            EventType.FACTS_DRAFTED,
            version=current.version,
            fields=sorted({c["field"] for c in diff(before, current.content)}),
            withdrawn=True,
        )
        return current
    base = current.content if current is not None else initial_content(ctx, incident)
    version = (current.version + 1) if current is not None else 1
    sheet = FactSheet(
        incident_id=incident_id,
        version=version,
        status="draft",
        content=apply_changes(base, changes, lang),
        change_note=(note or "").strip() or None,
        author=ctx.actor,
        created_at=now,
    )
    session.add(sheet)
    session.flush()
    record_event(
        session,
        ctx,
        incident,
        EventType.FACTS_DRAFTED,
        version=version,
        fields=sorted({c["field"] for c in diff(base, sheet.content)}),
    )
    return sheet
