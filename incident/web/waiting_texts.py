"""Texts of the "waiting for me" page, its badge in the navigation, and the
ledger's note on which supervisors can approve, zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "web.waiting.nav": ("待我处理", "Waiting for me"),
        "web.waiting.badge": ("{n} 项待处理", "{n} waiting"),
        "web.waiting.title": ("待我处理", "Waiting for me"),
        "web.waiting.inbox": ("我的通知", "My notifications"),
        "web.waiting.inbox_intro": (
            "发给您的最近 {n} 条通知（无论经哪个渠道送达）",
            "The last {n} notifications sent to you, by whichever channel",
        ),
        "web.waiting.inbox_via": ("经{channel}", "by {channel}"),
        "web.waiting.inbox_pending": ("发送中", "being sent"),
        "web.waiting.inbox_failed": ("未送达", "not delivered"),
        "web.waiting.inbox_go": ("查看事件", "Open the incident"),
        "web.cover.title": ("代班", "Covers"),
        "web.cover.intro": (
            "替同事值一段时间班：这期间新召集和升级都会找您而不是他/她",
            "Stand in for a colleague for a while: new call-ins and escalations reach you instead",
        ),
        "web.cover.for": ("替谁", "For whom"),
        "web.cover.from": ("开始（留空为现在）", "From (empty: now)"),
        "web.cover.until": ("结束", "Until"),
        "web.cover.team": ("团队", "Team"),
        "web.cover.every_team": ("所有团队", "every team"),
        "web.cover.note": ("备注", "Note"),
        "web.cover.submit": ("我来代班", "I will cover"),
        "web.cover.item": (
            "{person} 替 {covers} 值班，{start} 至 {end}（{team}）",
            "{person} covers for {covers}, {start} to {end} ({team})",
        ),
        "web.cover.cancel": ("取消", "Cancel"),
        "web.cover.done": (
            "已安排：您替 {covers} 值班，{start} 至 {end}",
            "Arranged: you cover for {covers}, {start} to {end}",
        ),
        "web.cover.cancelled": ("代班已取消", "Cover cancelled"),
        "web.cover.error.until": ("请填写代班的结束时间", "say when the cover ends"),
        "web.waiting.intro": (
            "只列出您本人可以完成的事项；每项都链接到办理的页面。",
            "Only what you yourself can do; each item links to where it is done.",
        ),
        "web.waiting.nothing": (
            "目前没有等您处理的事项。",
            "Nothing is waiting for you right now.",
        ),
        "web.waiting.acks": ("待确认的响应角色（{n}）", "Roles to acknowledge ({n})"),
        "web.waiting.ack_item": (
            "{ref} {title}：{role}，确认期限 {due}",
            "{ref} {title}: {role}, acknowledge by {due}",
        ),
        "web.waiting.ack_overdue": ("已超时", "overdue"),
        "web.waiting.ack_elsewhere": (
            "您的网页角色不能在此确认：请在 Slack 确认，或请值班指挥代为登记。",
            "Your web role cannot acknowledge here: acknowledge in Slack or ask the lead to record it.",
        ),
        "web.waiting.ack_go": ("去确认", "Acknowledge"),
        "web.waiting.sheets": ("待您审批的事实单（{n}）", "Fact sheets for you to approve ({n})"),
        "web.waiting.sheet_item": (
            "{ref} {title}：事实单 v{version}，{author} 于 {at} 提交",
            "{ref} {title}: fact sheet v{version}, submitted by {author} at {at}",
        ),
        "web.waiting.statements": ("待您审批的对外声明（{n}）", "Statements for you to approve ({n})"),
        "web.waiting.statement_item": (
            "{ref} {title}：声明 #{number}（{kind}），{author} 于 {at} 提交",
            "{ref} {title}: statement #{number} ({kind}), submitted by {author} at {at}",
        ),
        "web.waiting.review_go": ("去审批", "Review"),
        "web.waiting.comp": ("待您审批的补偿（{n}）", "Compensation for you to approve ({n})"),
        "web.waiting.comp_item": (
            "{ref} {title}：{n} 条待审批，其中现金 {yuan} 元",
            "{ref} {title}: {n} entries awaiting approval, {yuan} yuan in cash",
        ),
        "web.waiting.comp_go": ("去审批", "Approve"),
        "web.waiting.callbacks": ("今天的回访（{n}）", "Callbacks due today ({n})"),
        "web.waiting.callbacks_summary": (
            "今天还有 {n} 通回访要打，其中 {late} 通已超时。",
            "{n} callbacks to make today, {late} of them overdue.",
        ),
        "web.waiting.callback_item": (
            "{ref} {customer}：{reason}，应于 {due} 前完成",
            "{ref} {customer}: {reason}, due by {due}",
        ),
        "web.waiting.callbacks_go": ("打开我的回访", "Open my callbacks"),
        "web.waiting.callbacks_more": ("还有 {n} 通，见回访页。", "{n} more on the callbacks page."),
        # The remedy ledger: who can act on an entry awaiting approval.
        "web.waiting.ledger.unreachable": (
            "主管 {names} 没有可审批补偿的账号（角色 lead 或 cs_lead），无法审批；"
            "请管理员添加：incident users add {first} --role lead。",
            "Supervisor(s) {names} have no account that may approve compensation (role lead or cs_lead), "
            "so cannot approve; an admin adds one: incident users add {first} --role lead.",
        ),
        "web.waiting.ledger.nobody": (
            "目前没有任何人能审批超过额度的补偿：主管都没有可审批补偿的账号（角色 lead 或 cs_lead）。"
            "请为团队主管添加账号，或在 [compensation] approvers 中列出有账号的人。",
            "Nobody can approve entries above the threshold now: no supervisor has an account that may approve "
            "compensation (role lead or cs_lead). Add an account for a team supervisor, or list people who have "
            "one in [compensation] approvers.",
        ),
        "web.waiting.ledger.entry_who": ("需主管审批：{names}", "needs a supervisor: {names}"),
        "web.waiting.ledger.entry_nobody": (
            "需主管审批，但没有其他可审批的主管",
            "needs a supervisor, but no other supervisor can approve it",
        ),
    }
)
