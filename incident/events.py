"""A timeline event as one sentence in zh-CN or en (the CLI, the web
pages and Slack all show events the same way)."""

from __future__ import annotations

from incident.enums import EventType
from incident.i18n import CATALOG, lang_index, t
from incident.models import TimelineEvent


def event_text(ev: TimelineEvent, lang: str) -> str:
    data = dict(ev.data or {})
    if ev.type == EventType.UPDATED.value:
        changes = data.get("changes", {})
        sep = "；" if lang_index(lang) == 0 else "; "
        data["changes"] = sep.join(_change(k, old, new, lang) for k, (old, new) in changes.items())
    if ev.type == EventType.DEADLINES_RETIMED.value:
        parts = []
        if data.get("roles"):
            parts.append(t("event.retimed.roles", lang, roles=",".join(data["roles"])))
        if data.get("clocks"):
            parts.append(t("event.retimed.clocks", lang))
        data["what"] = ("、" if lang_index(lang) == 0 else " and ").join(parts)
    if ev.type == EventType.SIGNAL_ATTACHED.value:
        sig = data.get("signal") or {}
        if sig.get("key"):
            data["signal"] = t(sig["key"], lang, **(sig.get("params") or {}))
        else:
            data["signal"] = sig.get("summary") or ", ".join(f"{k}={v}" for k, v in sig.items())
    if ev.type == EventType.ESCALATED.value:
        _escalated(data, lang)
    if ev.type == EventType.NOTICE_REROUTED.value:
        for side in ("from", "to"):
            data[side] = t(f"escalation.channel.{data.get(side) or 'console'}", lang)
        data["reason"] = data.get("reason") or "—"
    if ev.type == EventType.CLOCK_OVERDUE.value:  # recorded before names were: the key
        data.setdefault("supervisor_name", data.get("supervisor") or "—")
    text = t(f"event.{ev.type}", lang, **data)
    if ev.type == EventType.ACKNOWLEDGED.value and data.get("recorded_by"):
        # Someone else acknowledged for the holder: said, never read as the holder's own.
        text += t("event.recorded_by", lang, who=data.get("recorded_by_name") or data["recorded_by"])
    return text


def _escalated(data: dict[str, object], lang: str) -> None:
    """An escalation step in words; a step recorded before escalation
    chains (to the supervisor, once) reads as round 1 to the supervisor."""
    level = str(data.get("level") or "supervisor")
    data["level"] = t(f"escalation.level.{level}", lang)
    data["to_name"] = data.get("to_name") or data.get("supervisor") or "—"
    data["round"] = data.get("round") or 1
    data["channel"] = t(f"escalation.channel.{data.get('channel') or 'console'}", lang)


def _change(field: str, old: object, new: object, lang: str) -> str:
    """One changed field in the reader's words: 「严重度：SEV3 → SEV1」, not
    the column name and the raw number."""
    key = f"event.field.{field}"
    name = t(key, lang) if key in CATALOG else field
    return t("event.change", lang, field=name, old=_value(field, old, lang), new=_value(field, new, lang))


def _value(field: str, value: object, lang: str) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field == "severity":
        return f"SEV{value}"
    if isinstance(value, (list, tuple)):
        return ("、" if lang_index(lang) == 0 else ", ").join(str(v) for v in value)
    return str(value)
