"""Rich renderings of incidents, lists and the roster (and their JSON)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from incident.cli import roster_texts as _roster_texts  # noqa: F401  (roster.col.from, roster.from.*)
from incident.cli import texts as _texts  # noqa: F401  (the ack.*, col.* keys used here)
from incident.config import AppConfig
from incident.enums import EventType, Role, Status
from incident.events import event_text
from incident.i18n import label, t
from incident.incidents import IncidentRow
from incident.lifecycle import allowed_next
from incident.models import Incident, RoleAssignment
from incident.roster import Cover, display, on_call
from incident.timeutil import fmt, fmt_duration, iso_utc

SEV_STYLE = {1: "bold white on red", 2: "bold red", 3: "yellow", 4: "cyan"}
STATUS_STYLE = {
    "declared": "bold red",
    "investigating": "red",
    "identified": "yellow",
    "monitoring": "cyan",
    "resolved": "green",
    "closed": "dim",
}


def sev(value: int) -> Text:
    return Text(f"SEV{value}", style=SEV_STYLE.get(value, ""))


def status_text(value: str, lang: str) -> Text:
    return Text(label("status", value, lang), style=STATUS_STYLE.get(value, ""))


def ack_state(a: RoleAssignment, now: dt.datetime, tz: ZoneInfo, lang: str, owed: bool = True) -> Text:
    """``owed`` is false once the incident is resolved or closed: an
    acknowledgement still missing then has no clock running."""
    if a.acked_at is not None:
        key = "ack.done_late" if a.acked_at > a.ack_due_at else "ack.done"
        return Text(t(key, lang, at=fmt(a.acked_at, tz)), style="green")
    if not owed:
        return Text(t("ack.not_owed", lang), style="dim")
    if a.escalated_at is not None:
        return Text(t("ack.escalated", lang, over=fmt_duration(now - a.ack_due_at, lang)), style="bold red")
    if now >= a.ack_due_at:
        return Text(t("ack.overdue", lang, over=fmt_duration(now - a.ack_due_at, lang)), style="red")
    return Text(t("ack.pending", lang, left=fmt_duration(a.ack_due_at - now, lang)), style="yellow")


def incident_panel(incident: Incident, config: AppConfig, now: dt.datetime, lang: str) -> Group:
    tz = config.zone
    head = Text.assemble(
        (f"{incident.ref}  ", "bold"),
        sev(incident.severity),
        "  ",
        (label("kind", incident.kind, lang), "bold"),
        "  ",
        status_text(incident.status, lang),
    )
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    if incident.summary:
        facts.add_row(t("field.summary", lang), incident.summary)
    if incident.impact:
        facts.add_row(t("field.impact", lang), incident.impact)
    scope = []
    for key, values in (
        ("field.channels", incident.scope_channels),
        ("field.regions", incident.scope_regions),
        ("field.products", incident.scope_products),
    ):
        if values:
            scope.append(f"{t(key, lang)}: {', '.join(values)}")
    if scope:
        facts.add_row(t("field.scope", lang), "  ·  ".join(scope))
    times = [
        f"{t('field.' + name, lang)} {fmt(getattr(incident, name + '_at'), tz)}"
        for name in ("started", "detected", "declared", "resolved", "closed")
        if getattr(incident, name + "_at") is not None
    ]
    facts.add_row(t("field.times", lang), "  ·  ".join(times))
    facts.add_row(t("field.declared_by", lang), incident.declared_by)
    if incident.dedup_key:
        facts.add_row(t("field.dedup", lang), incident.dedup_key)
    nxt = allowed_next(Status(incident.status))
    if nxt:
        facts.add_row(t("field.allowed_next", lang), ", ".join(s.value for s in nxt))

    group = Table(title=t("out.group", lang), title_justify="left", expand=False)
    for col in ("col.role", "col.person", "col.team", "col.ack"):
        group.add_column(t(col, lang))
    active = {a.role: a for a in incident.assignments if a.ended_at is None}
    unfilled = {ev.data.get("role") for ev in incident.events if ev.type == EventType.ROLE_UNFILLED.value}
    for role in Role:
        a = active.get(role.value)
        if a is not None:
            person = config.people.get(a.person)
            contact = " ".join(x for x in (person.phone if person else None, person.email if person else None) if x)
            group.add_row(
                label("role", role.value, lang),
                f"{a.person_name} ({a.person})" + (f"  {contact}" if contact else ""),
                a.team or "—",
                ack_state(a, now, tz, lang, owed=incident.status_enum.is_open),
            )
        elif role.value in unfilled:
            group.add_row(
                label("role", role.value, lang), t("nobody", lang), "—", Text(t("ack.vacant", lang), style="bold red")
            )

    timeline = Table(title=t("out.timeline", lang), title_justify="left")
    for col in ("col.time", "col.actor", "col.event"):
        timeline.add_column(t(col, lang), overflow="fold")
    for ev in incident.events:
        timeline.add_row(fmt(ev.at, tz, seconds=True), ev.actor, event_text(ev, lang))
    return Group(Panel(Group(head, Text(incident.title, style="bold"), facts), expand=False), group, timeline)


def incident_table(rows: list[IncidentRow], tz: ZoneInfo, lang: str, title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("col.id", "col.sev", "col.kind", "col.status", "col.title", "col.declared"):
        table.add_column(t(col, lang), overflow="fold")
    for r in rows:
        table.add_row(
            r.ref,
            sev(r.severity),
            label("kind", r.kind, lang),
            status_text(r.status, lang),
            r.title,
            fmt(r.declared_at, tz),
        )
    return table


def roster_rows(config: AppConfig, at: dt.datetime, covers: Sequence[Cover] = ()) -> list[dict[str, Any]]:
    out = []
    for key, team in config.teams.items():
        found = on_call(config, key, at, covers)
        out.append(
            {
                "team": key,
                "team_name": team.name or key,
                "team_name_en": team.name_en,
                "roles": [r.value for r in team.roles],
                "supervisor": team.supervisor,
                "supervisor_name": config.people[team.supervisor].name,
                "on_call": found.person_key if found else None,
                "on_call_name": found.person.name if found else None,
                "phone": found.person.phone if found else None,
                "email": found.person.email if found else None,
                "source": found.source if found else None,
                "covering_for": found.covering_for if found else None,
                "until": iso_utc(found.until) if found and found.until else None,
                "_until": found.until if found else None,
            }
        )
    return out


def _source(config: AppConfig, row: dict[str, Any], lang: str) -> str:
    if not row["source"]:
        return "—"
    if row["covering_for"]:
        return t("out.covering_for", lang, person=display(config, row["covering_for"]))
    return label("source", row["source"], lang)


def roster_table(
    config: AppConfig,
    at: dt.datetime,
    lang: str,
    title: str,
    covers: Sequence[Cover] = (),
    edited: Collection[str] | None = None,
) -> Table:
    """Who is on call per team; with ``edited`` (the teams the database's
    edits decide), a column saying where each team's roster comes from."""
    tz = config.zone
    table = Table(title=title, title_justify="left")
    cols = ["col.team", "col.roles", "col.on_call", "col.contact", "col.until", "col.source", "col.supervisor"]
    for col in cols + (["roster.col.from"] if edited is not None else []):
        table.add_column(t(col, lang), overflow="fold")
    for row in roster_rows(config, at, covers):
        team_name = row["team_name_en"] if lang == "en" and row["team_name_en"] else row["team_name"]
        who = (
            f"{row['on_call_name']} ({row['on_call']})" if row["on_call"] else Text(t("nobody", lang), style="bold red")
        )
        contact = " ".join(x for x in (row["phone"], row["email"]) if x)
        table.add_row(
            f"{team_name} ({row['team']})",
            ", ".join(label("role", r, lang) for r in row["roles"]),
            who,
            contact,
            fmt(row["_until"], tz) if row["_until"] else "—",
            _source(config, row, lang),
            f"{row['supervisor_name']} ({row['supervisor']})",
            *([] if edited is None else [t("roster.from.db" if row["team"] in edited else "roster.from.file", lang)]),
        )
    return table


def print_json(console: Console, data: Any) -> None:
    console.file.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
