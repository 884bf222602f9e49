"""What Slack shows of an incident: the channel name, the topic, the
pinned Block Kit summary (status, severity, roles and acks, clocks, the
latest statement; buttons to acknowledge and to approve or reject) and one
line per timeline event. Pure functions over rows already loaded."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from typing import Any

from incident.config import AppConfig
from incident.events import event_text
from incident.i18n import t
from incident.models import Incident, ResponseClock, RoleAssignment, Statement, TimelineEvent
from incident.slack import texts as _texts  # noqa: F401
from incident.timeutil import fmt

MAX_NAME = 80


def mrkdwn_escape(text: str) -> str:
    """Text people wrote (a note, a statement), shown as Slack mrkdwn: the
    three characters Slack asks to escape, so that a note holding
    ``<!channel>`` or ``<https://evil|the status page>`` is shown, not
    obeyed (no channel-wide ping, no disguised link)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slug(title: str) -> str:
    """Lowercase ASCII letters, digits and '-' (Slack's channel-name rules);
    CJK titles have no ASCII to keep, so they give ''."""
    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")


def channel_name(prefix: str, incident: Incident, attempt: int = 0) -> str:
    """``inc-12-app-login-fails``; the kind when the title has no ASCII
    (``inc-12-system-outage``); ``-2``, ``-3`` … when a name is taken."""
    suffix = f"-{attempt + 1}" if attempt else ""
    head = f"{prefix}-{incident.id}"
    body = slug(incident.title) or incident.kind.replace("_", "-")
    room = MAX_NAME - len(head) - len(suffix) - 1
    body = body[:room].rstrip("-")
    return f"{head}-{body}{suffix}" if body else f"{head}{suffix}"


def topic(incident: Incident, lang: str) -> str:
    return t("slack.topic", lang, status=incident.status, severity=incident.severity, title=incident.title)[:250]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def summary_blocks(
    config: AppConfig,
    incident: Incident,
    assignments: list[RoleAssignment],
    clocks: list[ResponseClock],
    latest: Statement | None,
    in_review: list[Statement],
    now: dt.datetime,
    lang: str,
    final: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks)."""
    tz = config.zone
    head = t("slack.summary.header", lang, ref=incident.ref, title=incident.title)
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": head[:150]}}]
    if final:
        blocks.append(_section(t("slack.summary.final", lang, status=incident.status)))
    blocks.append(
        _section(
            t("slack.summary.status", lang, status=incident.status, severity=incident.severity, kind=incident.kind)
        )
    )
    lines, buttons = [t("slack.summary.roles", lang)], []
    for a in assignments:
        if a.acked_at is not None:
            lines.append(t("slack.summary.role_acked", lang, role=a.role, person=a.person_name))
        elif now >= a.ack_due_at:
            lines.append(t("slack.summary.role_overdue", lang, role=a.role, person=a.person_name))
        else:
            lines.append(
                t("slack.summary.role_pending", lang, role=a.role, person=a.person_name, due=fmt(a.ack_due_at, tz))
            )
        if a.acked_at is None and not final:
            buttons.append(
                {
                    "type": "button",
                    "action_id": f"ack:{a.role}",
                    "value": f"{incident.id}:{a.role}",
                    "text": {"type": "plain_text", "text": t("slack.button.ack", lang, role=a.role)[:75]},
                }
            )
    blocks.append(_section("\n".join(lines)))
    clock_lines = [t("slack.summary.clocks", lang)]
    running = [c for c in clocks if c.met_at is None and c.stopped_at is None]
    for c in running:
        key = "slack.summary.clock_overdue" if now >= c.due_at else "slack.summary.clock"
        clock_lines.append(t(key, lang, clock=c.kind, due=fmt(c.due_at, tz)))
    if not running:
        clock_lines.append(t("slack.summary.no_clock", lang))
    blocks.append(_section("\n".join(clock_lines)))
    if latest is not None:
        text = (((latest.rendered or {}).get(lang) or {}).get("status_page") or {}).get("text") or ""
        blocks.append(
            _section(
                t(
                    "slack.summary.statement",
                    lang,
                    number=latest.number,
                    kind=latest.kind,
                    status=latest.status,
                    text=mrkdwn_escape(text[:1500]),
                )
            )
        )
    else:
        blocks.append(_section(t("slack.summary.no_statement", lang)))
    for st in in_review:
        blocks.append(_section(t("slack.summary.review", lang, number=st.number, author=st.author)))
        if not final:
            value = f"{incident.id}:{st.number}"
            buttons.append(
                {
                    "type": "button",
                    "style": "primary",
                    "action_id": f"approve:{st.number}",
                    "value": value,
                    "text": {"type": "plain_text", "text": t("slack.button.approve", lang, number=st.number)},
                }
            )
            buttons.append(
                {
                    "type": "button",
                    "style": "danger",
                    "action_id": f"reject:{st.number}",
                    "value": value,
                    "text": {"type": "plain_text", "text": t("slack.button.reject", lang, number=st.number)},
                }
            )
    if buttons:
        blocks.append({"type": "actions", "block_id": f"incident-{incident.id}", "elements": buttons[:25]})
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": t("slack.summary.updated", lang, at=fmt(now, tz))}]}
    )
    return mrkdwn_escape(head), blocks


def digest(blocks: list[dict[str, Any]]) -> str:
    """What decides whether the pinned summary needs an update (the
    "updated at" footer aside, or every sync would edit it)."""
    core = [b for b in blocks if b.get("type") != "context"]
    return hashlib.sha256(json.dumps(core, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def event_line(config: AppConfig, ev: TimelineEvent, lang: str) -> str:
    line = t("slack.event", lang, at=fmt(ev.at, config.zone), actor=ev.actor, text=event_text(ev, lang))
    return mrkdwn_escape(line)[:3900]
