"""Slack texts, zh-CN and en, registered into the one catalogue."""

from __future__ import annotations

from incident.i18n import CATALOG

SLACK_TEXTS: dict[str, tuple[str, str]] = {
    "slack.topic": ("{status:status} · SEV{severity} · {title}", "{status:status} · SEV{severity} · {title}"),
    "slack.summary.header": ("{ref} {title}", "{ref} {title}"),
    "slack.summary.status": (
        "*状态* {status:status}　*级别* SEV{severity}　*类型* {kind:kind}",
        "*Status* {status:status}   *Severity* SEV{severity}   *Kind* {kind:kind}",
    ),
    "slack.summary.roles": ("*响应小组*", "*Response group*"),
    "slack.summary.role_acked": ("✅ {role:role}：{person}（已确认）", "✅ {role:role}: {person} (acknowledged)"),
    "slack.summary.role_pending": (
        "⏳ {role:role}：{person}（未确认，{due} 前）",
        "⏳ {role:role}: {person} (not acknowledged; due {due})",
    ),
    "slack.summary.role_overdue": (
        "🔴 {role:role}：{person}（超时未确认）",
        "🔴 {role:role}: {person} (acknowledgement overdue)",
    ),
    "slack.summary.clocks": ("*对外声明时限*", "*Statement clocks*"),
    "slack.summary.clock": ("{clock:clock}：{due} 前", "{clock:clock}: by {due}"),
    "slack.summary.clock_overdue": ("{clock:clock}：已超时（应于 {due}）", "{clock:clock}: overdue (was due {due})"),
    "slack.summary.no_clock": ("无进行中的时限", "no clock running"),
    "slack.summary.statement": (
        "*最新声明* #{number}（{kind:statement_kind}，{status:doc_status}）：{text}",
        "*Latest statement* #{number} ({kind:statement_kind}, {status:doc_status}): {text}",
    ),
    "slack.summary.no_statement": ("*最新声明* 尚无", "*Latest statement* none yet"),
    "slack.summary.review": (
        "声明 #{number} 待审批（作者 {author}）",
        "Statement #{number} awaits approval (by {author})",
    ),
    "slack.summary.updated": ("更新于 {at}", "updated {at}"),
    "slack.summary.final": ("事件已{status:status}：最终总结", "Incident {status:status}: final summary"),
    "slack.button.ack": ("确认 {role:role}", "Acknowledge {role:role}"),
    "slack.button.approve": ("批准 #{number}", "Approve #{number}"),
    "slack.button.reject": ("驳回 #{number}", "Reject #{number}"),
    "slack.event": ("{at} {actor}：{text}", "{at} {actor}: {text}"),
    # ---- the /incident command ------------------------------------------
    "slack.cmd.working": ("⏳ 正在处理：/incident {text}", "⏳ Working on it: /incident {text}"),
    "slack.cmd.help": (
        "用法：/incident declare 类型 级别 标题 · status INC-7 [新状态] · assign INC-7 角色 人员 · ack INC-7 角色 · "
        "note INC-7 内容 · wording 关键词",
        "Usage: /incident declare KIND SEVERITY TITLE · status INC-7 [NEW-STATUS] · assign INC-7 ROLE PERSON · "
        "ack INC-7 ROLE · note INC-7 TEXT · wording KEYWORDS",
    ),
    "slack.cmd.unknown_user": (
        "您的 Slack 账号（{user}）不在花名册中；请让管理员在 [people] 中配置 slack_id",
        "your Slack user ({user}) is not in the roster; ask an admin to set slack_id under [people]",
    ),
    "slack.cmd.unknown": ("未知子命令「{sub}」。", "unknown subcommand '{sub}'. "),
    "slack.cmd.declared": (
        "已宣布 {ref}（{kind:kind}，SEV{severity}）「{title}」",
        'declared {ref} ({kind:kind}, SEV{severity}) "{title}"',
    ),
    "slack.cmd.status": (
        "{ref}「{title}」：{status:status}，SEV{severity}",
        '{ref} "{title}": {status:status}, SEV{severity}',
    ),
    "slack.cmd.status_changed": ("{ref} 状态已改为{status:status}", "{ref} is now {status:status}"),
    "slack.cmd.assigned": ("{ref} 的{role:role}：{person}", "{ref}: {role:role} is now {person}"),
    "slack.cmd.acked": ("已确认 {ref} 的{role:role}", "acknowledged {role:role} on {ref}"),
    "slack.cmd.ack_again": ("{ref} 的{role:role}此前已确认", "{role:role} on {ref} was already acknowledged"),
    "slack.cmd.noted": ("已在 {ref} 记录备注", "note added to {ref}"),
    "slack.cmd.wording": (
        "{ref}「{title}」（口径 v{version}）：\n{text}",
        '{ref} "{title}" (wording v{version}):\n{text}',
    ),
    "slack.cmd.approved": (
        "已批准声明 #{number}（{ref}），状态：{status:doc_status}",
        "statement #{number} on {ref} approved: {status:doc_status}",
    ),
    "slack.cmd.signed": (
        "已签批声明 #{number}（{ref}），仍需：{missing}",
        "signed statement #{number} on {ref}; still needed: {missing}",
    ),
    "slack.cmd.rejected": ("已驳回声明 #{number}（{ref}）", "statement #{number} on {ref} rejected"),
    "slack.cmd.reject_reason": ("{person} 在 Slack 中驳回", "rejected in Slack by {person}"),
    "slack.cmd.failed": ("❌ {message}", "❌ {message}"),
    "slack.cmd.bad_usage": ("用法：{usage}", "usage: {usage}"),
    "slack.error.signature": ("Slack 请求签名无效或已过期", "the Slack request signature is invalid or too old"),
    "slack.error.not_holder": (
        "只有{role:role}本人（{holder}）可以确认",
        "only the {role:role} ({holder}) can acknowledge",
    ),
    "slack.error.bad_action": ("无法识别的按钮「{value}」", "unknown button '{value}'"),
    "slack.error.unsigned": (
        "请求缺少 Slack 签名头（X-Slack-Signature、X-Slack-Request-Timestamp）",
        "the request lacks Slack's signature headers (X-Slack-Signature, X-Slack-Request-Timestamp)",
    ),
    "slack.error.bad_timestamp": (
        "X-Slack-Request-Timestamp 不是 Unix 时间（秒）：{value}",
        "X-Slack-Request-Timestamp is not a Unix time in seconds: {value}",
    ),
    "slack.error.stale": (
        "Slack 请求的时间戳与当前时间相差超过 {seconds} 秒",
        "the Slack request's timestamp is more than {seconds} s away from now",
    ),
    "slack.error.too_large": (
        "Slack 请求过大（上限 {limit} 字节）",
        "the Slack request is too large (the limit is {limit} bytes)",
    ),
    "slack.error.replay": (
        "此 Slack 请求已处理过，不再重复执行",
        "this Slack request was already handled; it is not run again",
    ),
    "slack.error.no_account": (
        "您在花名册中是「{person}」，但没有关联该人员的有效网页账号；请管理员创建："
        "incident users add 用户名 --role 角色 --person {person}",
        "you are '{person}' in the roster but no active web account is linked to that person; ask an admin: "
        "incident users add USERNAME --role ROLE --person {person}",
    ),
    "slack.error.forbidden": (
        "您的网页账号（{accounts}，角色：{roles}）无权执行「{action}」；需要以下角色之一：{needed}",
        "your web account ({accounts}, roles: {roles}) may not do '{action}'; it needs one of: {needed}",
    ),
    "slack.error.not_configured": (
        "未配置 Slack 签名密钥（{env}）",
        "the Slack signing secret is not configured ({env})",
    ),
}

CATALOG.update(SLACK_TEXTS)
