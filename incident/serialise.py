"""Incidents as JSON-ready dicts: what ``incident show --json`` prints and
the incidents API (incident/web/incidents_api.py) answers, one shape for
both."""

from __future__ import annotations

import datetime as dt
from typing import Any

from incident.config import AppConfig
from incident.enums import Status
from incident.events import event_text
from incident.incidents import IncidentRow
from incident.lifecycle import allowed_next
from incident.models import Incident
from incident.timeutil import iso_utc


def incident_json(incident: Incident, config: AppConfig, now: dt.datetime, lang: str | None = None) -> dict[str, Any]:
    """The incident with its group and timeline; with ``lang``, each event
    also as the sentence the screens show."""
    return {
        **row_json_from(incident),
        "summary": incident.summary,
        "impact": incident.impact,
        "scope": {
            "channels": incident.scope_channels,
            "regions": incident.scope_regions,
            "products": incident.scope_products,
        },
        "declared_by": incident.declared_by,
        "started_at": iso_utc(incident.started_at),
        "detected_at": iso_utc(incident.detected_at),
        "closed_at": iso_utc(incident.closed_at),
        "allowed_next": [s.value for s in allowed_next(Status(incident.status))],
        "group": [
            {
                "role": a.role,
                "person": a.person,
                "person_name": a.person_name,
                "team": a.team,
                "assigned_at": iso_utc(a.assigned_at),
                "ack_due_at": iso_utc(a.ack_due_at),
                "acked_at": iso_utc(a.acked_at),
                "acked_by": a.acked_by,
                "escalated_at": iso_utc(a.escalated_at),
                "ended_at": iso_utc(a.ended_at),
                "overdue": a.acked_at is None and incident.status_enum.is_open and now >= a.ack_due_at,
            }
            for a in incident.assignments
        ],
        "timeline": [event_json(ev, lang) for ev in incident.events],
    }


def row_json_from(obj: Incident | IncidentRow) -> dict[str, Any]:
    return {
        "id": obj.id,
        "ref": obj.ref,
        "kind": obj.kind,
        "severity": obj.severity,
        "status": obj.status,
        "title": obj.title,
        "dedup_key": obj.dedup_key,
        "declared_at": iso_utc(obj.declared_at),
        "resolved_at": iso_utc(obj.resolved_at),
    }


def event_json(ev: Any, lang: str | None = None) -> dict[str, Any]:
    out = {"id": ev.id, "at": iso_utc(ev.at), "type": ev.type, "actor": ev.actor, "data": ev.data}
    if lang:
        out["text"] = event_text(ev, lang)
    return out
