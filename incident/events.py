"""A timeline event as one sentence in zh-CN or en (the CLI, the web
pages and Slack all show events the same way)."""

from __future__ import annotations

from incident.enums import EventType
from incident.i18n import t
from incident.models import TimelineEvent


def event_text(ev: TimelineEvent, lang: str) -> str:
    data = dict(ev.data or {})
    if ev.type == EventType.UPDATED.value:
        changes = data.get("changes", {})
        data["changes"] = "; ".join(f"{k}: {old} → {new}" for k, (old, new) in changes.items())
    if ev.type == EventType.SIGNAL_ATTACHED.value:
        sig = data.get("signal") or {}
        if sig.get("key"):
            data["signal"] = t(sig["key"], lang, **(sig.get("params") or {}))
        else:
            data["signal"] = sig.get("summary") or ", ".join(f"{k}={v}" for k, v in sig.items())
    if ev.type == EventType.ESCALATED.value and not data.get("supervisor"):
        data["supervisor"] = "—"
    text = t(f"event.{ev.type}", lang, **data)
    if ev.type == EventType.ACKNOWLEDGED.value and data.get("recorded_by"):
        # Someone else acknowledged for the holder: said, never read as the holder's own.
        text += t("event.recorded_by", lang, who=data.get("recorded_by_name") or data["recorded_by"])
    return text
