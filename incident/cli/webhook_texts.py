"""Texts of ``incident webhooks`` (incident/cli/webhook_cmds.py), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "webhooks.help": (
            "事件 Webhook：向外部系统推送事件动态（[[webhooks]]，HMAC 签名，失败重试）",
            "Incident webhooks: events pushed to other systems ([[webhooks]], HMAC-signed, retried)",
        ),
        "webhooks.help.log": (
            "投递记录：最近的 Webhook 推送及其结果",
            "The delivery log: recent webhook posts and how they went",
        ),
        "webhooks.help.send": ("立即发送到期的 Webhook 推送", "Send the webhook posts that are due, now"),
        "webhooks.help.opt.limit": ("最多显示几条", "how many to show at most"),
        "webhooks.out.none": ("还没有 Webhook 推送", "no webhook posts yet"),
        "webhooks.out.title": ("Webhook 投递记录", "Webhook deliveries"),
        "webhooks.out.sent": (
            "已发送 {sent} 条，稍后重试 {retrying} 条，失败 {failed} 条",
            "{sent} sent, {retrying} to retry later, {failed} failed",
        ),
        "webhooks.col.id": ("编号", "no."),
        "webhooks.col.webhook": ("Webhook", "webhook"),
        "webhooks.col.event": ("事件类型", "event"),
        "webhooks.col.incident": ("事件", "incident"),
        "webhooks.col.status": ("状态", "status"),
        "webhooks.col.attempts": ("尝试次数", "attempts"),
        "webhooks.col.response": ("回应或错误", "response or error"),
        "webhooks.col.at": ("时间", "at"),
    }
)
