"""Texts of the acknowledge links (incident/acklinks.py), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "acklink.error.unknown": (
            "这个确认链接无效，请核对链接是否完整，或登录后确认",
            "this acknowledge link is not valid; check that it is complete, or sign in to acknowledge",
        ),
        "acklink.error.used": (
            "这个确认链接已经用过了（{ref}），无需再次确认",
            "this acknowledge link has already been used ({ref}); nothing more to do",
        ),
        "acklink.error.expired": (
            "这个确认链接已过期（{ref}），请登录后确认：incident ack {ref} {role}",
            "this acknowledge link has expired ({ref}); sign in to acknowledge: incident ack {ref} {role}",
        ),
        "acklink.error.not_yours": (
            "{ref} 的{role:role}已不由您担任，这个链接不再有效",
            "you no longer hold {role:role} for {ref}; this link no longer works",
        ),
        "acklink.error.closed": ("{ref} 已结束，无需确认", "{ref} is over; there is nothing to acknowledge"),
        "acklink.title": ("确认职责", "Acknowledge"),
        "acklink.ask": (
            "{person_name}，确认您担任 {ref}「{title}」的{role:role}？",
            '{person_name}, acknowledge that you are {role:role} for {ref} "{title}"?',
        ),
        "acklink.button": ("确认，我来处理", "Acknowledge: I am on it"),
        "acklink.done": (
            "已确认：{person_name} 担任 {ref} 的{role:role}。时间线已记录。",
            "Acknowledged: {person_name} is {role:role} for {ref}. The timeline has it.",
        ),
        "acklink.already": (
            "{person_name} 已确认担任 {ref} 的{role:role}，无需再次确认。",
            "{person_name} has already acknowledged {role:role} for {ref}.",
        ),
    }
)
