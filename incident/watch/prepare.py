"""What the coordinator does for an incident that detection has just opened
(or fed again), before anyone has looked at it — each step switched on in
the configuration:

- ``[wording] draft_on_detection``: fact sheet v1, the holding statement's
  facts, drafted from what detection knows (what, where, the dedicated
  support channel; the cause "being investigated", no ETA) and submitted,
  so comms open the desk on a draft awaiting their approval, not a blank
  page. The four-eyes rules are unchanged: the author is the system, and a
  comms lead (plus legal where required) approves.
- ``[callbacks] from_complaints``: for a surge of complaints, the customers
  behind those complaints become the incident's affected customers, and
  their follow-up calls are scheduled and assigned at once (DOMAIN.md §4).
  Run again on every later surge bucket, it adds only newcomers.

Each incident is prepared in its own short transaction, after the
detection's own has committed: a failure here never loses a detection, and
the next run tries again (every step is idempotent)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.db import Store
from incident.i18n import CATALOG, t
from incident.incidents import SYSTEM_ACTOR
from incident.incidents import get as get_incident
from incident.models import Incident, Signal, VolumeSeries
from incident.remedy import callbacks, customers
from incident.watch.volumes import value_label
from incident.wording import factsheet, workflow

log = logging.getLogger("incident.watch")

CATALOG.update(
    {
        "prepare.what.system_outage": (
            "部分客户在使用{where}时遇到异常，无法正常办理业务。",
            "Some customers cannot use {where} normally.",
        ),
        "prepare.what.batch_complaint": (
            "近期较多客户反映{topic}方面的问题。",
            "Many customers have recently reported problems with {topic}.",
        ),
        "prepare.what.public_opinion": (
            "我们关注到网络上有关{topic}的讨论。",
            "We are aware of public discussion about {topic}.",
        ),
        "prepare.what.other": ("部分客户的服务受到影响。", "Some customers' service is affected."),
        "prepare.where.default": ("我们的服务", "our services"),
        "prepare.topic.default": ("我们的服务", "our services"),
        "prepare.scope": ("{parts}的部分客户。", "Some customers of {parts}."),
        "prepare.scope.default": ("部分客户，范围正在核实。", "Some customers; we are confirming the extent."),
        "prepare.fix": ("相关团队已在紧急处理。", "Our teams are working on it now."),
        "prepare.note": (
            "由监测自动起草，待通讯负责人核实并审批。",
            "Drafted by detection; for comms to check and approve.",
        ),
        "prepare.channel.phone": ("客服热线", "our phone line"),
        "prepare.channel.chat": ("在线客服", "online chat"),
        "prepare.channel.email": ("邮件客服", "e-mail support"),
        "prepare.channel.social": ("官方社交账号", "our social media accounts"),
        "prepare.channel.app": ("APP", "our app"),
    }
)


@dataclass
class PrepareReport:
    drafted: list[int] = field(default_factory=list)
    customers: int = 0
    callbacks: int = 0
    failed: list[int] = field(default_factory=list)


def _from_complaints(session: Session, incident_id: int) -> bool:
    keys = session.scalars(select(Signal.series_key).where(Signal.incident_id == incident_id))
    return any(k == "complaints" or k.startswith("complaints/") for k in keys)


def _topic(session: Session, ctx: Context, incident: Incident, lang: str) -> str:
    """The category or topic the surge is about, in words (for "what")."""
    series = session.scalars(
        select(VolumeSeries)
        .join(Signal, Signal.series_key == VolumeSeries.key)
        .where(Signal.incident_id == incident.id, VolumeSeries.dimension.in_(("category", "topic")))
        .order_by(Signal.id)
        .limit(1)
    ).first()
    if series is None or not series.value:
        return t("prepare.topic.default", lang)
    return value_label(ctx, series.dimension, series.value, lang)


def first_draft(session: Session, ctx: Context, incident: Incident) -> dict[str, dict[str, str]]:
    """Fact-sheet fields for both languages from what detection knows."""
    out: dict[str, dict[str, str]] = {"what": {}, "scope": {}, "fix": {}}
    for lang in ("zh-CN", "en"):
        channels = [t(f"prepare.channel.{c}", lang) for c in incident.scope_channels]
        sep = "、" if lang == "zh-CN" else ", "
        where = sep.join(channels) or t("prepare.where.default", lang)
        kind = incident.kind if f"prepare.what.{incident.kind}" in CATALOG else "other"
        out["what"][lang] = t(f"prepare.what.{kind}", lang, where=where, topic=_topic(session, ctx, incident, lang))
        regions = list(incident.scope_regions)
        if lang == "en" and not all(r.isascii() for r in regions):
            # Regions are stored as detection saw them (上海, 南京): an English
            # reader gets no Chinese names, and naming only the Latin ones would
            # narrow the scope, so the extent is said to be being confirmed.
            out["scope"][lang] = t("prepare.scope.default", lang)
        else:
            parts = [*regions, *channels]
            out["scope"][lang] = (
                t("prepare.scope", lang, parts=sep.join(parts)) if parts else t("prepare.scope.default", lang)
            )
        out["fix"][lang] = t("prepare.fix", lang)
    return out


def draft_facts(session: Session, ctx: Context, incident_id: int) -> bool:
    """Fact sheet v1 drafted and submitted, unless the incident has one."""
    if factsheet.latest(session, incident_id) is not None:
        return False
    incident = get_incident(session, incident_id)
    fields = first_draft(session, ctx, incident)
    changes = {f"{name}.{lang}": text for name, by_lang in fields.items() for lang, text in by_lang.items()}
    factsheet.edit(session, ctx, incident_id, changes, note=t("prepare.note", ctx.config.centre.language))
    workflow.submit_sheet(session, ctx, incident_id)
    return True


def link_customers(session: Session, ctx: Context, incident_id: int) -> tuple[int, int]:
    """The surge's complainants as affected customers, their callbacks
    scheduled and assigned: (customers added, callbacks created)."""
    if not _from_complaints(session, incident_id):
        return 0, 0
    incident = get_incident(session, incident_id)
    if not incident.status_enum.is_open:
        return 0, 0
    report = customers.link_complaints(session, ctx, incident_id)
    sweep = callbacks.schedule(session, ctx, incident)
    if sweep.created:
        callbacks.assign(session, ctx)
    return report.added, sweep.created


def prepare(store: Store, ctx: Context, incident_ids: list[int], *, opened: set[int] | None = None) -> PrepareReport:
    """Run the switched-on steps for each incident (``opened``: those just
    opened, which get a first draft; all get their complainants linked)."""
    report = PrepareReport()
    draft = ctx.config.wording.draft_on_detection
    link = ctx.config.callbacks.from_complaints
    if not (draft or link):
        return report
    system = replace(ctx, actor=SYSTEM_ACTOR)
    for iid in dict.fromkeys(incident_ids):
        try:
            with store.transaction() as s:
                if draft and (opened is None or iid in opened) and draft_facts(s, system, iid):
                    report.drafted.append(iid)
                if link:
                    added, created = link_customers(s, system, iid)
                    report.customers += added
                    report.callbacks += created
        except Exception:  # noqa: BLE001 — logged; the detection itself stands, and the next run retries
            log.exception("preparing INC-%s failed", iid)
            report.failed.append(iid)
    return report
