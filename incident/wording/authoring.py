"""Templates comms staff write in the app, and the subscribers statements
go to.

A template is checked when it is added (it must parse in the sandbox and
render a full sample without an undefined variable) and needs a second
person with a comms sign-off role to approve it; the approved version then
overrides the file template of the same name.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from incident.context import Context
from incident.enums import Role
from incident.errors import ConflictError, InputError, NotFoundError
from incident.i18n import LANGS
from incident.models import Subscriber, WordingTemplate
from incident.wording import approval, pull
from incident.wording.templates import check_source


def sample_context(lang: str) -> dict[str, Any]:
    zh = lang == "zh-CN"
    facts = {
        "what": "APP 登录失败" if zh else "The app cannot log in",
        "scope": "华东地区 APP 用户" if zh else "app users in East China",
        "cause": "认证服务故障" if zh else "a fault in the sign-in service",
        "fix": "技术人员已完成修复" if zh else "engineers have fixed it",
        "eta": "11月24日 15:00" if zh else "15:00 on 24 Nov (UTC+08:00)",
        "workaround": "通过微信小程序下单" if zh else "order through our mini program",
        "compensation": "受影响客户可领取 50 元优惠券" if zh else "affected customers can claim a 50 yuan coupon",
        "compensation_amount": 50,
        "support_channel": "客服热线专席" if zh else "our dedicated support line",
        "dos": ["先致歉"] if zh else ["apologise first"],
        "donts": ["不要猜测原因"] if zh else ["do not guess the cause"],
        "reason_short": "系统原因" if zh else "a system problem",
        "version": 1,
    }
    return {
        "centre": {"name": "客服中心"},
        "incident": {
            "ref": "INC-1",
            "title": facts["what"],
            "kind": "system_outage",
            "kind_label": "系统故障",
            "severity": "SEV2",
            "status": "investigating",
            "status_label": "排查中" if zh else "Investigating",
            "public_status": "处理中" if zh else "Investigating",
            "resolved": False,
        },
        "facts": facts,
        "statement": {
            "kind": "update",
            "number": 1,
            "title": "最新进展" if zh else "Update",
            "status_label": "处理中" if zh else "Investigating",
            "time": facts["eta"],
            "time_iso": "2026-11-24T07:00:00+00:00",
            "time_short": "11-24 15:00",
        },
        "status_url": "http://127.0.0.1:8000/status",
        "signature": "【客服中心】" if zh else "[Customer Service]",
        # The WeChat fields comms set on the sheet (only those they wrote).
        "wechat": {"keyword1": "APP 登录异常" if zh else "App sign-in problem"},
        "customer": {
            "greeting": "张先生，您好！" if zh else "Hello Mr Zhang. ",
            "salutation": "张先生" if zh else "Mr Zhang",
            "contact": "1234",
            "compensation": facts["compensation"],
        },
        "callback": {
            "reason": "result",
            "demand": "希望尽快收到快件" if zh else "would like the parcel soon",
            "attempt": 1,
        },
    }


def add_template(session: Session, ctx: Context, name: str, lang: str, body: str) -> WordingTemplate:
    if lang not in LANGS:
        raise InputError("wording.error.bad_lang", value=lang)
    if not body.strip():
        raise InputError("wording.error.template_empty")
    check_source(name, lang, body, sample_context(lang))
    version = (
        session.scalar(
            select(func.max(WordingTemplate.version)).where(WordingTemplate.name == name, WordingTemplate.lang == lang)
        )
        or 0
    ) + 1
    row = WordingTemplate(
        name=name, lang=lang, version=version, body=body, status="draft", author=ctx.actor, created_at=ctx.clock.now()
    )
    session.add(row)
    session.flush()
    return row


def approve_template(session: Session, ctx: Context, template_id: int) -> WordingTemplate:
    row = session.get(WordingTemplate, template_id, with_for_update=True)
    if row is None:
        raise NotFoundError("wording.error.no_template", id=template_id)
    if row.status != "draft":
        raise ConflictError("wording.error.not_draft", what=f"{row.name}.{row.lang} v{row.version}", status=row.status)
    approval.sign(
        session,
        ctx,
        subject_type="template",
        subject_id=row.id,
        incident=None,
        authors=[row.author],
        required=[Role.COMMS_LEAD],
    )
    session.execute(
        update(WordingTemplate)
        .where(WordingTemplate.name == row.name, WordingTemplate.lang == row.lang, WordingTemplate.status == "approved")
        .values(status="retired")
    )
    row.status = "approved"
    row.approved_by = approval.actor_key(ctx.config, ctx.actor)
    row.approved_at = ctx.clock.now()
    pull.changed()
    return row


def list_templates(session: Session) -> list[WordingTemplate]:
    return list(
        session.scalars(
            select(WordingTemplate).order_by(WordingTemplate.name, WordingTemplate.lang, WordingTemplate.version)
        )
    )


# ---------------------------------------------------------------- subscribers --

RECIPIENT_CHANNELS = ("email", "sms", "wechat")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_FULL_NUMBER = re.compile(r"\+?\d[\d\s-]{6,}\d")


def add_subscriber(
    session: Session, ctx: Context, channel: str, address: str, lang: str = "zh-CN"
) -> tuple[Subscriber, bool]:
    channel = channel.strip().lower()
    address = address.strip()
    if channel not in RECIPIENT_CHANNELS:
        raise InputError("wording.error.bad_channel", value=channel, allowed=", ".join(RECIPIENT_CHANNELS))
    if lang not in LANGS:
        raise InputError("wording.error.bad_lang", value=lang)
    if channel == "email" and not _EMAIL.fullmatch(address):
        raise InputError("wording.error.bad_subscriber", channel=channel, address=address)
    # SMS goes to a customer reference the gateway resolves: full phone
    # numbers are never stored (DOMAIN.md §6).
    if channel == "sms" and (not address or _FULL_NUMBER.fullmatch(address)):
        raise InputError("wording.error.sms_ref", address=address)
    if not address or len(address) > 200:
        raise InputError("wording.error.bad_subscriber", channel=channel, address=address)
    found = session.scalars(
        select(Subscriber).where(Subscriber.channel == channel, Subscriber.address == address)
    ).one_or_none()
    if found is not None:
        changed = not found.active or found.lang != lang
        found.active, found.lang = True, lang
        return found, changed
    row = Subscriber(channel=channel, address=address, lang=lang, active=True, created_at=ctx.clock.now())
    session.add(row)
    session.flush()
    return row, True


def remove_subscriber(session: Session, channel: str, address: str) -> bool:
    found = session.scalars(
        select(Subscriber).where(Subscriber.channel == channel, Subscriber.address == address.strip())
    ).one_or_none()
    if found is None or not found.active:
        return False
    found.active = False
    return True


def list_subscribers(session: Session) -> list[Subscriber]:
    return list(
        session.scalars(
            select(Subscriber).where(Subscriber.active.is_(True)).order_by(Subscriber.channel, Subscriber.id)
        )
    )
