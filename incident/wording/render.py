"""Render replies and statements FROM an approved fact sheet, and check
each rendering: the wording linter on its text and the channel's real
limits. The same function feeds the preview, the approval gate and the
publication, so what was checked is what goes out."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from incident import sanitise
from incident.config import AppConfig
from incident.i18n import LANGS, label, t
from incident.models import FactSheet, Incident
from incident.timeutil import local
from incident.wording import channels as ch
from incident.wording import factsheet, public, sentences
from incident.wording import texts as _texts  # noqa: F401
from incident.wording.findings import Finding
from incident.wording.lint import lint, load_rules
from incident.wording.personalise import Customer, greeting, mask_contact, salutation
from incident.wording.templates import CHANNEL_PARTS, TemplateSet

STATEMENT_KINDS = ("holding", "update", "resolution")
_CAUSE_LEADS = (
    "经排查",
    "经核查",
    "经核实",
    "由于",
    "原因是",
    "原因：",
    "原因",
    "the cause is",
    "the cause was",
    "cause:",
    "because of",
    "due to",
)


def fmt_local(value: dt.datetime, config: AppConfig, lang: str) -> str:
    lv = local(value, config.zone)
    if lang == "zh-CN":
        return f"{lv.month}月{lv.day}日 {lv:%H:%M}"
    offset = lv.strftime("%z")
    return f"{lv:%H:%M} on {lv.day} {lv:%b} (UTC{offset[:3]}:{offset[3:]})"


def facts_view(
    content: Mapping[str, Any], lang: str, config: AppConfig, version: int, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The sheet's fields in ``lang``. Given ``now``, an ETA in another year
    says the year (「2027年1月1日 10:00」)."""
    view: dict[str, Any] = {}
    for name in ("what", "scope", "cause", "fix", "workaround", "compensation", "support_channel"):
        view[name] = ((content.get(name) or {}).get(lang) or "").strip()
    for name in ("dos", "donts"):
        view[name] = list((content.get(name) or {}).get(lang) or [])
    eta = content.get("eta")
    if now is not None:
        view["eta"] = factsheet.eta_text(content, lang, now, config.zone)
    else:
        view["eta"] = fmt_local(dt.datetime.fromisoformat(eta), config, lang) if eta else ""
    view["compensation_amount"] = content.get("compensation_amount")
    # Said after 「由于」 / "Because of": the cause without its own lead-in.
    view["reason_short"] = sentences.clause(view["cause"], *_CAUSE_LEADS) or t("wording.reason_default", lang)
    view["version"] = version
    return view


def incident_view(incident: Incident, lang: str, title: str | None = None) -> dict[str, Any]:
    """What templates see of the incident. ``title`` is the public title;
    without one the internal title stays (callback scripts read to the
    customer by an agent, never published)."""
    return {
        "ref": incident.ref,
        "title": incident.title if title is None else title,
        "kind": incident.kind,
        "kind_label": label("kind", incident.kind, lang),
        "severity": f"SEV{incident.severity}",
        "status": incident.status,
        "status_label": label("status", incident.status, lang),
        "public_status": label("public_status", incident.status, lang),
        "resolved": incident.status in ("resolved", "closed"),
    }


def base_context(
    config: AppConfig, incident: Incident, sheet: FactSheet, lang: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Everything a reply or statement may say, in ``lang`` only: the public
    title (never the internal one), the centre's name and the SMS signature
    in that language."""
    title = public.public_title(sheet.content, incident, lang)
    return {
        "centre": {"name": public.centre_name(config, lang)},
        "incident": incident_view(incident, lang, title),
        "facts": facts_view(sheet.content, lang, config, sheet.version, now),
        "status_url": f"{config.wording.public_url.rstrip('/')}/status",
        "signature": public.sms_signature(config, lang),
        # WeChat fields comms set on the sheet, laid over the template's.
        "wechat": factsheet.wechat_fields(sheet.content or {}, lang),
    }


_TAG = re.compile(r"<[^>]+>")


def html_text(markup: str) -> str:
    """What a reader sees of an HTML rendering (for the linter)."""
    return re.sub(r"[ \t]*\n[ \t]*\n+", "\n", htmllib.unescape(_TAG.sub("", markup))).strip()


def lint_text(text: str, lang: str, config: AppConfig) -> list[Finding]:
    return lint(text, lang=lang, caps=config.compensation.caps, rules=load_rules(config.wording.rules_file))


@dataclass
class ChannelRendering:
    channel: str
    lang: str
    parts: dict[str, Any]  # text / html / subject / fields
    counts: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def _wechat_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            fields[name.strip()] = value.strip()
    return fields


def render_channel(
    templates: TemplateSet, config: AppConfig, context: dict[str, Any], channel: str, lang: str
) -> ChannelRendering:
    limits = config.wording.channels
    # HTML parts are autoescaped, then sanitised here, so what is checked,
    # approved and stored is exactly the safe markup that goes out.
    parts = {p: templates.render_any(f"statements/{p}", lang, context) for p in CHANNEL_PARTS[channel]}
    out: dict[str, Any]  # what goes out: texts (subject, text, html), or WeChat's template fields
    if channel == "email":
        html = sanitise.document(parts["email_html"])
        out = {"subject": parts["email_subject"], "text": parts["email_text"], "html": html}
        check = ch.check_email(out["subject"], out["text"], out["html"], limits)
        lint_on = {"subject": out["subject"], "text": out["text"]}
    elif channel == "status_page":
        html = str(sanitise.fragment(parts["status_page"]))
        out = {"html": html, "text": html_text(html)}
        check = ch.check_status_page(out["html"])
        lint_on = {"text": out["text"]}
    elif channel == "wechat":
        fields = {**_wechat_fields(parts["wechat"]), **context.get("wechat", {})}
        out = {"fields": fields}
        check = ch.check_wechat(fields, limits)
        lint_on = {f"fields.{k}": v for k, v in fields.items()}
    else:
        out = {"text": parts[channel]}
        if channel == "sms":
            # The template writes the signature; count it once, as carriers do.
            check = ch.check_sms(out["text"], limits.model_copy(update={"sms_signature": context["signature"]}))
        elif channel == "weibo":
            facts = context["facts"]
            essentials = [e for e in (facts["support_channel"],) if e]
            check = ch.check_weibo(out["text"], limits, essentials)
        else:
            check = ch.check_x(out["text"], limits)
        lint_on = {"text": out["text"]}
    rendering = ChannelRendering(channel, lang, out, dict(check.counts), list(check.findings))
    for part, text in lint_on.items():
        for f in lint_text(text, lang, config):
            rendering.findings.append(f)
            rendering.counts.setdefault("lint_parts", []).append(part)
    return rendering


def render_statement(
    templates: TemplateSet,
    config: AppConfig,
    incident: Incident,
    sheet: FactSheet,
    *,
    kind: str,
    number: int,
    channels: Sequence[str],
    at: dt.datetime,
) -> dict[str, dict[str, ChannelRendering]]:
    """Every channel in both languages: {lang: {channel: rendering}}."""
    out: dict[str, dict[str, ChannelRendering]] = {}
    for lang in LANGS:
        context = base_context(config, incident, sheet, lang, at)
        context["statement"] = {
            "kind": kind,
            "number": number,
            "title": label("statement_kind", kind, lang),
            # What WeChat's keyword2 shows: a resolution says so whatever
            # the incident's own state.
            "status_label": label("public_status", "resolved" if kind == "resolution" else incident.status, lang),
            "time": fmt_local(at, config, lang),
            "time_iso": at.isoformat(),
            # WeChat template fields hold 20 characters: "11-24 10:00".
            "time_short": f"{local(at, config.zone):%m-%d %H:%M}",
        }
        out[lang] = {c: render_channel(templates, config, context, c, lang) for c in channels}
    return out


def finding_dict(f: Finding, channel: str | None, lang: str, part: str | None = None) -> dict[str, Any]:
    d = {
        "rule": f.rule,
        "severity": f.severity,
        "start": f.start,
        "end": f.end,
        "text": f.text,
        "suggestion": f.suggestion,
        "message_key": f.message_key or f"lint.{f.rule}",
        "params": f.params,
        "channel": channel,
        "lang": lang,
    }
    if part:
        d["part"] = part
    return d


def freeze(renderings: dict[str, dict[str, ChannelRendering]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(what is stored in ``statements.rendered``, the findings list)."""
    rendered: dict[str, Any] = {}
    findings: list[dict[str, Any]] = []
    for lang, by_channel in renderings.items():
        rendered[lang] = {}
        for channel, r in by_channel.items():
            counts = {k: v for k, v in r.counts.items() if k != "lint_parts"}
            rendered[lang][channel] = {**r.parts, "counts": counts}
            findings.extend(finding_dict(f, channel, lang) for f in r.findings)
    return rendered, findings


# ------------------------------------------------------------------ replies --


def customer_view(customer: Customer, lang: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    compensation = customer.compensation if customer.compensation is not None else facts.get("compensation", "")
    return {
        "greeting": greeting(customer, lang),
        "salutation": salutation(customer, lang),
        "contact": mask_contact(customer.contact),
        "compensation": compensation or "",
    }


def render_reply(
    templates: TemplateSet,
    config: AppConfig,
    incident: Incident,
    sheet: FactSheet,
    scenario: str,
    lang: str,
    customer: Customer,
    now: dt.datetime | None = None,
) -> tuple[str, list[Finding]]:
    """``now`` (the caller's clock): an ETA in another year says its year."""
    context = base_context(config, incident, sheet, lang, now)
    context["customer"] = customer_view(customer, lang, context["facts"])
    text = templates.render(f"replies/{scenario}", lang, context)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return text, lint_text(text, lang, config)
