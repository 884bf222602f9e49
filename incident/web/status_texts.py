"""Texts of the public status page, its subscriptions and notices (zh-CN, en)."""

from __future__ import annotations

from incident.i18n import CATALOG

STATUS_TEXTS: dict[str, tuple[str, str]] = {
    # The overall banner and each component's state (worst first).
    "status.level.major_outage": ("重大故障", "Major outage"),
    "status.level.partial_outage": ("部分服务中断", "Partial outage"),
    "status.level.degraded": ("服务性能下降", "Degraded performance"),
    "status.level.maintenance": ("维护中", "Under maintenance"),
    "status.level.operational": ("运行正常", "Operational"),
    "status.banner.major_outage": ("部分核心服务出现重大故障", "Major outage of core services"),
    "status.banner.partial_outage": ("部分服务中断", "Some services are partly unavailable"),
    "status.banner.degraded": ("部分服务性能下降", "Some services are degraded"),
    "status.banner.maintenance": ("正在进行计划维护", "Scheduled maintenance in progress"),
    "status.banner.operational": ("所有服务运行正常", "All services are operational"),
    # An incident's badge: what its latest published statement says, never
    # the internal status (a resolved incident whose last public word is
    # "we are working on it" still reads "working on it").
    "status.state.holding": ("正在排查", "Investigating"),
    "status.state.update": ("处理中", "Update"),
    "status.state.resolution": ("已恢复", "Resolved"),
    "status.no_incidents": ("当日无事件", "No incidents reported"),
    "status.resolved_at": ("{at} 已恢复", "Resolved at {at}"),
    # Subscriptions.
    "status.sub.error.kind": ("请选择订阅方式：邮件或 Webhook", "Choose how to subscribe: e-mail or webhook"),
    "status.sub.error.email": ("这不是有效的邮箱地址：{value}", "This is not a valid e-mail address: {value}"),
    "status.sub.error.url": (
        "Webhook 地址无效：须为 http(s) 开头、200 字符以内的公网地址：{value}",
        "Not a usable webhook address: it must be an http(s) URL of at most 200 characters on the public "
        "internet: {value}",
    ),
    "status.sub.error.url_private": (
        "Webhook 地址指向内网或本机（{address}），不能使用",
        "The webhook address points to a private or local address ({address}) and cannot be used",
    ),
    "status.sub.error.url_unresolved": (
        "无法解析 Webhook 地址的主机名：{host}",
        "The webhook's host name could not be resolved: {host}",
    ),
    "status.sub.error.link": (
        "链接无效、已过期或已使用过。",
        "This link is not valid, has expired or has already been used.",
    ),
    "status.sub.check_inbox": (
        "请查收发往 {address} 的确认邮件，点击其中的链接后订阅生效。",
        "Check the inbox of {address}: the subscription starts once you follow the link in our e-mail.",
    ),
    "status.sub.webhook_added": (
        "Webhook 已订阅：之后发布的每条状态更新都会发送到 {address}。",
        "Webhook subscribed: every status update published from now on goes to {address}.",
    ),
    "status.sub.confirm_title": ("确认订阅", "Confirm your subscription"),
    "status.sub.confirm_ask": ("确认用 {address} 订阅服务状态通知？", "Subscribe {address} to service status notices?"),
    "status.sub.confirm_button": ("确认订阅", "Confirm"),
    "status.sub.confirmed": (
        "订阅已确认：之后发布的每条状态更新都会发到 {address}。",
        "Subscription confirmed: every status update published from now on goes to {address}.",
    ),
    "status.sub.unsubscribe_title": ("退订", "Unsubscribe"),
    "status.sub.unsubscribe_ask": ("不再给 {address} 发送服务状态通知？", "Stop sending status notices to {address}?"),
    "status.sub.unsubscribe_button": ("退订", "Unsubscribe"),
    "status.sub.unsubscribed": ("已退订：{address} 不会再收到通知。", "Unsubscribed: {address} gets no more notices."),
    "status.sub.done_title": ("服务状态订阅", "Status notices"),
    "status.sub.error.send": (
        "确认邮件未能发出，请稍后再试（{reason}）",
        "The confirmation e-mail could not be sent; please try again later ({reason})",
    ),
    "status.sub.problem": ("无法完成", "Could not do that"),
    "status.sub.back": ("返回服务状态页", "Back to the status page"),
    # The confirmation e-mail.
    "status.mail.confirm_subject": ("[{centre}] 请确认订阅服务状态通知", "[{centre}] Confirm your status notices"),
    "status.mail.confirm_text": (
        "您好：\n\n有人（希望是您）在{centre}服务状态页用此邮箱订阅了状态通知。确认订阅请打开：\n{link}\n\n"
        "链接 {hours} 小时内有效，只能使用一次。如非本人操作，请忽略本邮件，您不会收到任何通知。",
        "Hello,\n\nSomeone (we hope you) subscribed this address to {centre}'s status notices. To confirm, open:\n"
        "{link}\n\nThe link works once, within {hours} hours. If this was not you, ignore this e-mail: "
        "you will get no notices.",
    ),
    # Each notice.
    "status.mail.notice_subject": ("[{centre}] {state}：{title}", "[{centre}] {state}: {title}"),
    "status.mail.unsubscribe": ("退订：{link}", "Unsubscribe: {link}"),
    "status.mail.details": ("详情：{link}", "Details: {link}"),
}

CATALOG.update(STATUS_TEXTS)
