"""Texts of the callbacks queue (``/callbacks``), zh-CN and en. The words
the page shares with the remedy pages (results, stars, the script) stay
under ``web.remedy.cb.*`` in remedy_texts."""

from __future__ import annotations

from incident.i18n import CATALOG

CALLBACKS_TEXTS: dict[str, tuple[str, str]] = {
    "web.cbq.queue": ("待回访队列", "Queue"),
    "web.cbq.queue_help": (
        "已超时的排在最前，其余按期限先后；点一行即可处理那一通。",
        "Overdue first, then by due time; pick a line to take that call.",
    ),
    "web.cbq.col.customer": ("客户", "Customer"),
    "web.cbq.col.due": ("期限", "Due"),
    "web.cbq.col.incident": ("事件", "Incident"),
    "web.cbq.col.attempts": ("已拨", "Attempts"),
    "web.cbq.col.agent": ("坐席", "Agent"),
    "web.cbq.in_focus": ("当前", "now"),
    "web.cbq.more": ("队列只列出前 {n} 通。", "The queue lists the first {n} calls."),
    "web.cbq.position": ("第 {pos} 通，共 {n} 通", "Call {pos} of {n}"),
    "web.cbq.not_today": (
        "这通回访不在今天的队列里（拨打时间 {at}）。",
        "This call is not in today's queue (call from {at}).",
    ),
    "web.cbq.closed": (
        "回访 #{id} 已处理（{status}），下面是下一通。",
        "Callback #{id} is already handled ({status}); here is the next one.",
    ),
    "web.cbq.contact": ("联系方式 {contact}", "contact {contact}"),
    "web.cbq.reveal": ("显示号码", "Show number"),
    "web.cbq.reveal_help": (
        "只有负责这通回访的坐席（或客服主管）可以查看；每次查看都会记在事件时间线上。",
        "Only the call's agent (or a cs lead) may see it; each showing is recorded on the incident's timeline.",
    ),
    "web.cbq.revealed": ("联系方式（已记录查看）：{contact}", "Contact (showing recorded): {contact}"),
    "web.cbq.stored": ("联系方式（仅存脱敏形式）：{contact}", "Contact (only the masked form is stored): {contact}"),
    "web.cbq.call": ("拨打 {number}", "Call {number}"),
    "web.cbq.masked_only": (
        "系统只保存了登记时脱敏的联系方式，没有完整号码；请在工单或客户系统中查看完整号码。",
        "Only the contact masked on intake is stored, not the full number: "
        "look the number up in the ticket or the customer system.",
    ),
    "web.cbq.ticket": ("工单 {ticket}", "ticket {ticket}"),
}

CATALOG.update(CALLBACKS_TEXTS)
