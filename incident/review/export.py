"""The review exported as Markdown and as HTML (print CSS: A4, page
breaks kept out of tables; "print to PDF" gives the PDF), in one language,
with the incident's whole timeline attached.

What people wrote is untrusted: the HTML is autoescaped and then passes the
report allow-list (incident/sanitise.py); in the Markdown each line is
escaped for Markdown (reports.md_escape), so a root cause cannot become a
heading, a link or raw HTML. :func:`context` is also what the review page
shows, so the page and the exports read the same."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from incident import sanitise
from incident.context import Context
from incident.i18n import LANGS, label, t
from incident.models import Incident
from incident.models_review import Review
from incident.money import fmt_money
from incident.remedy.reports import report_env
from incident.review import actions, facts, service
from incident.review import view as review_view
from incident.roster import display
from incident.timeutil import fmt, fmt_duration
from incident.wording import channel_texts as _channel_texts  # noqa: F401  (channel.name.*)
from incident.wording import public

EXPORT_TAGS = sanitise.REPORT_TAGS


def duration(seconds: int | None, lang: str) -> str:
    if seconds is None:
        return "—"
    sign = "−" if seconds < 0 else ""
    if abs(seconds) < 60:
        return sign + t("review.dur.seconds", lang, n=abs(seconds))
    return sign + fmt_duration(dt.timedelta(seconds=abs(seconds)), lang)


def _time_rows(f: dict[str, Any], lang: str, when: Any) -> list[dict[str, str]]:
    """The times table: each milestone, acknowledgement and the holding
    statement, with the time since the first sign and a note."""
    rows = [
        {
            "what": t("review.fact.first_sign", lang, source=t(f"review.source.{f['first_sign']['source']}", lang)),
            "at": when(f["first_sign"]["at"]),
            "from_start": "0",
            "note": "",
        }
    ]
    ms = {m["key"]: m for m in f["milestones"]}
    for key in ("detected", "declared"):
        rows.append(_milestone(ms[key], lang, when))
    for a in f["acks"]:
        if a["acked_at"] is None:
            note = t("review.fact.not_acked", lang)
        else:
            note = t(
                "review.fact.ack_note",
                lang,
                took=duration(a["from_assigned"], lang),
                verdict=t("review.fact.late" if a["late"] else "review.fact.on_time", lang),
            )
        rows.append(
            {
                "what": t("review.fact.acked", lang, role=label("role", a["role"], lang), person=a["person_name"]),
                "at": when(a["acked_at"]),
                "from_start": duration(a["from_start"], lang),
                "note": note,
            }
        )
    h = f["holding"]
    if h is not None:
        if h["met_at"] is None:
            note = t("review.fact.holding_never", lang, allowed=duration(h["allowed"], lang))
        else:
            note = t(
                "review.fact.holding_note",
                lang,
                took=duration(h["took"], lang),
                allowed=duration(h["allowed"], lang),
                verdict=t("review.fact.on_time" if h["on_time"] else "review.fact.late", lang),
            )
        rows.append(
            {
                "what": t("review.fact.holding", lang),
                "at": when(h["met_at"]),
                "from_start": duration(h["from_start"], lang),
                "note": note,
            }
        )
    for key in ("resolved", "closed"):
        if ms[key]["at"] is not None:
            rows.append(_milestone(ms[key], lang, when))
    return rows


def _milestone(m: dict[str, Any], lang: str, when: Any) -> dict[str, str]:
    return {
        "what": t(f"review.fact.{m['key']}", lang),
        "at": when(m["at"]),
        "from_start": duration(m["from_start"], lang),
        "note": "",
    }


def _remedy_rows(r: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    comp, cb, sat = r["compensation"], r["callbacks"], r["satisfaction"]
    forms = [
        t(
            "review.fact.form_item",
            lang,
            form=label("form", form, lang),
            n=v["count"],
            amount=fmt_money(v["amount"]),
            unit=label("unit", v["unit"], lang),
        )
        for form, v in sorted(comp["issued_by_form"].items())
    ]
    caps = (
        t("review.fact.caps_ok", lang) if not comp["over_cap"] else t("review.fact.caps_over", lang, n=comp["over_cap"])
    )
    dist = " · ".join(f"{k}: {v}" for k, v in sat["distribution"].items())
    return [
        (t("review.fact.affected", lang), str(r["affected"])),
        (t("review.fact.compensated", lang), str(comp["customers"])),
        (t("review.fact.money_issued", lang), fmt_money(comp["money_issued"])),
        (t("review.fact.forms", lang), ("、" if lang == "zh-CN" else "; ").join(forms) or "—"),
        (t("review.fact.caps", lang), caps),
        (
            t("review.fact.callbacks", lang),
            t(
                "review.fact.callbacks_value",
                lang,
                total=cb["total"],
                done=cb["done"],
                reached=cb["reached"],
                unreached=cb["unreached"],
                open=cb["open"],
                overdue=cb["overdue"],
                cancelled=cb.get("cancelled", 0),
            ),
        ),
        (
            t("review.fact.satisfaction", lang),
            t(
                "review.fact.satisfaction_value",
                lang,
                mean=sat["mean"] if sat["mean"] is not None else "—",
                n=sat["answers"],
                dist=dist,
            ),
        ),
    ]


def context(session: Session, ctx: Context, incident: Incident, review: Review, lang: str) -> dict[str, Any]:
    """Everything the page and the exports show, already in ``lang``."""
    zone = ctx.config.zone

    def when(value: dt.datetime | None) -> str:
        return fmt(value, zone) if value else "—"

    f = facts.build(session, ctx, incident)
    st = service.state(session, ctx.config, review)
    statements = [
        {
            "channel": t(f"channel.name.{ch}", lang),
            "count": v["count"],
            "first": when(v["first_at"]),
            "last": when(v["last_at"]),
        }
        for ch, v in sorted(f["statements"]["by_channel"].items())
    ]
    texts = [
        {
            "field": name,
            "label": t(f"review.field.{name}", lang),
            "langs": [(lg, service.text_of(review, name, lg)) for lg in LANGS],
        }
        for name in service.FIELDS
    ]
    now = ctx.clock.now()
    return {
        "lang": lang,
        "incident": incident,
        "review": review,
        "title": t("review.export.title", lang, ref=incident.ref, title=incident.title),
        "centre": public.centre_name(ctx.config, lang),
        "severity": incident.severity_enum.label,
        "kind": label("kind", incident.kind, lang),
        "status": label("status", incident.status, lang),
        "times": _time_rows(f, lang, when),
        "statements": statements,
        "statements_total": f["statements"]["total"],
        "remedy": _remedy_rows(f["remedy"], lang),
        "texts": texts,
        "state": st,
        "signed": service.active_signoffs(session, review.id),
        "actions": [(a, a.state == "open" and a.due_at <= now) for a in actions.for_incident(session, incident.id)],
        "timeline": review_view.timeline(session, incident.id, lang),
        "when": when,
        "person": lambda key: display(ctx.config, key),
        "role": lambda value: t("review.role.second", lang) if value == service.SECOND else label("role", value, lang),
        "tr": lambda key, **kw: t(key, lang, **kw),
        "generated": when(now),
    }


def lines(text: str) -> list[str]:
    """A written text as its lines (Markdown keeps them as hard breaks)."""
    return [line for line in text.split("\n")]


def markdown(session: Session, ctx: Context, incident: Incident, review: Review, lang: str) -> str:
    values = context(session, ctx, incident, review, lang)
    return report_env(markdown=True).get_template("reviews/review.md.j2").render(values, lines=lines)


def html(session: Session, ctx: Context, incident: Incident, review: Review, lang: str) -> str:
    values = context(session, ctx, incident, review, lang)
    body = report_env(markdown=False).get_template("reviews/review.html.j2").render(values)
    # The template is a trusted file: its stylesheet (the print CSS) stays.
    return sanitise.document(body, EXPORT_TAGS, keep_style=True)
