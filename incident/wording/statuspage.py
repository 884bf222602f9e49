"""The public status page and its Atom feed, built from published
statements only (never a draft): the overall banner, the components, the
unresolved and recently resolved incidents with every update (newest
first), scheduled maintenance and the last days' history. What each part
means is worked out in :mod:`incident.wording.status_state`.

Statement HTML is sanitised again when shown, not only when rendered: a
row stored before the allow-list existed must not publish a live tag. Every
string written to the feed loses the characters XML 1.0 forbids, so one
control character cannot make the whole feed unreadable."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from sqlalchemy.orm import Session

from incident import sanitise
from incident.config import AppConfig, StatusMaintenance
from incident.i18n import t
from incident.web import status_texts as _texts  # noqa: F401  (registers the page's texts)
from incident.wording import public
from incident.wording import status_state as state
from incident.wording.render import fmt_local
from incident.wording.templates import template_set

RECENT = dt.timedelta(days=7)  # resolved incidents stay on the front of the page this long
ATOM = "http://www.w3.org/2005/Atom"


def page(session: Session, config: AppConfig, lang: str, now: dt.datetime) -> str:
    incidents = state.load(session, config, now)
    active, upcoming = state.maintenance(config, now)
    levels = state.component_levels(config, incidents, active)
    level = state.banner(incidents, active)
    names = {c.key: (c.name if lang == "zh-CN" else c.name_en) for c in config.status.components}
    shown = [i for i in incidents if not i.resolved or (i.resolved_at and i.resolved_at >= now - RECENT)]
    base = config.wording.public_url.rstrip("/")
    context = {
        "centre": {"name": public.centre_name(config, lang)},
        "banner": {"level": level, "text": t(f"status.banner.{level}", lang)},
        "components": [
            {"key": k, "name": names[k], "level": v, "label": t(f"status.level.{v}", lang)} for k, v in levels.items()
        ],
        "maintenance_now": [_window(w, config, lang, names) for w in active],
        "maintenance_next": [_window(w, config, lang, names) for w in upcoming],
        "incidents": [_incident(i, config, lang, names) for i in shown],
        "history": [
            {
                "date": _day(day, lang),
                "iso": day.isoformat(),
                "incidents": [
                    {"ref": i.ref, "title": i.title(lang), "label": t(f"status.state.{i.state}", lang)}
                    for i in day_list
                ],
            }
            for day, day_list in state.history(incidents, config, now)
        ],
        "no_incidents": t("status.no_incidents", lang),
        "history_days": config.status.history_days,
        "feed_url": f"{base}/status/feed.atom" + ("?lang=en" if lang == "en" else ""),
        "lang": lang,
    }
    return template_set(None).render_html("status/page", lang, context)


def _incident(i: state.PublicIncident, config: AppConfig, lang: str, names: dict[str, str]) -> dict[str, Any]:
    latest = i.latest
    due = latest.next_update_due_at if latest.current and not i.resolved else None
    return {
        "ref": i.ref,
        "title": i.title(lang),
        "state": i.state,
        "label": t(f"status.state.{i.state}", lang),
        "impact": i.impact,
        "components": [names[k] for k in i.components if k in names],
        "latest_html": latest.html(lang),
        "resolved": t("status.resolved_at", lang, at=fmt_local(latest.published_at, config, lang))
        if i.resolved
        else "",
        "next_update": fmt_local(due, config, lang) if due else "",
        "history": [u.html(lang) for u in i.updates[1:]],  # newest first
    }


def _window(w: StatusMaintenance, config: AppConfig, lang: str, names: dict[str, str]) -> dict[str, Any]:
    starts, ends = state.window_bounds(w, config)
    zh = lang == "zh-CN"
    return {
        "title": w.title if zh else w.title_en,
        "note": w.note if zh else w.note_en,
        "starts": fmt_local(starts, config, lang),
        "ends": fmt_local(ends, config, lang),
        "components": [names[k] for k in w.components if k in names],
    }


def _day(day: dt.date, lang: str) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh-CN" else f"{day.day} {day:%b} {day.year}"


def atom(session: Session, config: AppConfig, lang: str, now: dt.datetime) -> bytes:
    base = config.wording.public_url.rstrip("/")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    since = now - RECENT * 4
    rows = [(u, i) for i in state.load(session, config, now) for u in i.updates if u.published_at >= since]
    rows.sort(key=lambda r: (r[0].published_at, r[0].number), reverse=True)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: sanitise.xml_text(v) for k, v in attrs.items()})
        if text is not None:
            el.text = sanitise.xml_text(text)
        return el

    centre = public.centre_name(config, lang)
    title = f"{centre} · " + ("服务状态" if lang == "zh-CN" else "Service status")
    sub(feed, "id", f"{base}/status/feed.atom?lang={lang}")
    sub(feed, "title", title)
    updated = max((u.published_at for u, _ in rows), default=now)
    sub(feed, "updated", _rfc3339(updated))
    sub(feed, "link", rel="self", href=f"{base}/status/feed.atom" + ("?lang=en" if lang == "en" else ""))
    sub(feed, "link", rel="alternate", href=f"{base}/status" + ("?lang=en" if lang == "en" else ""))
    author = sub(feed, "author")
    sub(author, "name", centre)
    for update, incident in rows:
        entry = sub(feed, "entry")
        # Stable forever: the same update never shows up as a new entry.
        sub(entry, "id", f"{base}/status/{incident.ref}/statements/{update.number}")
        badge = t("status.state." + state.STATE.get(update.kind, "update"), lang)
        sub(entry, "title", f"{incident.title(lang)} · {badge}")
        sub(entry, "updated", _rfc3339(update.published_at))
        sub(entry, "published", _rfc3339(update.published_at))
        sub(entry, "link", rel="alternate", href=f"{base}/status#{incident.ref}")
        sub(entry, "content", update.html(lang), type="html")
        sub(entry, "summary", update.text(lang))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _rfc3339(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
