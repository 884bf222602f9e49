"""The public status page and its Atom feed, built from published
statements only (never a draft). The page shows each active or recently
resolved incident with its latest statement, the "next update by" time and
the earlier updates; the feed carries one entry per published update
(RFC 4287).

Statement HTML is sanitised again when shown, not only when rendered: a
row stored before the allow-list existed must not publish a live tag. Every
string written to the feed loses the characters XML 1.0 forbids, so one
control character cannot make the whole feed unreadable."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from incident import sanitise
from incident.config import AppConfig
from incident.i18n import label
from incident.models import Incident, Statement
from incident.wording.render import fmt_local
from incident.wording.templates import template_set

RECENT = dt.timedelta(days=7)
ATOM = "http://www.w3.org/2005/Atom"


def _published(session: Session, since: dt.datetime) -> list[tuple[Statement, Incident]]:
    return list(
        session.execute(
            select(Statement, Incident)
            .join(Incident, Incident.id == Statement.incident_id)
            .where(
                Statement.published_at.is_not(None),
                Statement.status.in_(("published", "superseded")),
                or_(Incident.status.not_in(("resolved", "closed")), Incident.resolved_at >= since),
            )
            .order_by(Statement.published_at.desc(), Statement.id.desc())
        ).tuples()
    )


def page(session: Session, config: AppConfig, lang: str, now: dt.datetime) -> str:
    by_incident: dict[int, dict[str, Any]] = {}
    for st, incident in _published(session, now - RECENT):
        if "status_page" not in st.channels:
            continue
        entry = by_incident.get(incident.id)
        html = sanitise.fragment(st.rendered.get(lang, {}).get("status_page", {}).get("html", ""))
        if entry is None:
            by_incident[incident.id] = {
                "ref": incident.ref,
                "title": incident.title,
                "severity": incident.severity,
                "status_label": label("status", incident.status, lang),
                "latest_html": html,
                "next_update": fmt_local(st.next_update_due_at, config, lang)
                if st.next_update_due_at and st.status == "published" and incident.status_enum.is_open
                else "",
                "history": [],
            }
        else:
            entry["history"].append(html)
    base = config.wording.public_url.rstrip("/")
    context = {
        "centre": {"name": config.centre.name},
        "incidents": list(by_incident.values()),
        "feed_url": f"{base}/status/feed.atom" + ("?lang=en" if lang == "en" else ""),
    }
    return template_set(None).render_html("status/page", lang, context)


def atom(session: Session, config: AppConfig, lang: str, now: dt.datetime) -> bytes:
    base = config.wording.public_url.rstrip("/")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    rows = [(st, i) for st, i in _published(session, now - RECENT * 4) if "status_page" in st.channels]

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: sanitise.xml_text(v) for k, v in attrs.items()})
        if text is not None:
            el.text = sanitise.xml_text(text)
        return el

    title = f"{config.centre.name} · " + ("服务状态" if lang == "zh-CN" else "Service status")
    sub(feed, "id", f"{base}/status/feed.atom?lang={lang}")
    sub(feed, "title", title)
    updated = max((st.published_at for st, _ in rows if st.published_at is not None), default=now)
    sub(feed, "updated", _rfc3339(updated))
    sub(feed, "link", rel="self", href=f"{base}/status/feed.atom" + ("?lang=en" if lang == "en" else ""))
    sub(feed, "link", rel="alternate", href=f"{base}/status" + ("?lang=en" if lang == "en" else ""))
    author = sub(feed, "author")
    sub(author, "name", config.centre.name)
    for st, incident in rows:
        entry = sub(feed, "entry")
        # Stable forever: the same update never shows up as a new entry.
        sub(entry, "id", f"{base}/status/{incident.ref}/statements/{st.number}")
        kind = label("statement_kind", st.kind, lang)
        sub(entry, "title", f"{incident.title} · {kind}")
        sub(entry, "updated", _rfc3339(st.published_at))
        sub(entry, "published", _rfc3339(st.published_at))
        sub(entry, "link", rel="alternate", href=f"{base}/status#{incident.ref}")
        content = st.rendered.get(lang, {}).get("status_page", {})
        sub(entry, "content", str(sanitise.fragment(content.get("html", ""))), type="html")
        sub(entry, "summary", content.get("text", ""))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _rfc3339(value: dt.datetime | None) -> str:
    assert value is not None
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
