"""Texts of the web app's frame (navigation, sign-in, common words),
zh-CN and en. Each page module registers its own in the same way."""

from __future__ import annotations

from incident.i18n import CATALOG, LABELS

CATALOG.update(
    {
        "web.app": ("事件协调", "Incident coordinator"),
        "web.nav.board": ("事件看板", "Board"),
        "web.nav.desk": ("声明工作台", "Statement desk"),
        "web.nav.lookup": ("话术查询", "Reply lookup"),
        "web.nav.remedy": ("补偿与回访", "Remedy"),
        "web.nav.callbacks": ("我的回访", "My callbacks"),
        "web.nav.status": ("公开状态页", "Status page"),
        "web.nav.admin": ("用户管理", "Users"),
        "web.nav.skip": ("跳到正文", "Skip to content"),
        "web.lang.other": ("English", "中文"),
        "web.signed_in_as": ("当前用户：{name}（{roles}）", "Signed in as {name} ({roles})"),
        "web.logout": ("退出登录", "Sign out"),
        "web.login.title": ("登录", "Sign in"),
        "web.login.username": ("用户名", "User name"),
        "web.login.password": ("密码", "Password"),
        "web.login.submit": ("登录", "Sign in"),
        "web.login.proxy": (
            "本系统通过单点登录（反向代理）识别用户；请从公司门户进入。",
            "This system identifies you through single sign-on (the reverse proxy); "
            "come in through the company portal.",
        ),
        "web.login.help": (
            "账号由管理员用 incident users add 创建。",
            "Accounts are created by an admin with incident users add.",
        ),
        "web.time.left": ("剩余 {d}", "{d} left"),
        "web.time.over": ("已超时 {d}", "{d} overdue"),
        "web.error.title": ("出错了", "Something went wrong"),
        "web.error.forbidden_title": ("无权操作", "Not allowed"),
        "web.error.not_found_title": ("未找到", "Not found"),
        "web.error.back": ("返回", "Go back"),
        "web.error.form_too_big": ("表单太大（上限 {max} KB）", "the form is too large (at most {max} KB)"),
        "web.error.missing_field": ("请填写「{field}」", "please fill in '{field}'"),
        "web.common.none": ("无", "none"),
        "web.common.save": ("保存", "Save"),
        "web.common.submit": ("提交", "Submit"),
        "web.common.cancel": ("取消", "Cancel"),
        "web.common.search": ("搜索", "Search"),
        "web.common.more": ("更多", "More"),
        "web.common.showing": ("显示 {shown} / 共 {total}", "showing {shown} of {total}"),
        "web.common.prev": ("上一页", "Previous"),
        "web.common.next": ("下一页", "Next"),
    }
)

CATALOG.update(
    {
        "web.board.open": ("进行中的事件（{n}）", "Open incidents ({n})"),
        "web.board.none_open": ("当前没有进行中的事件。", "No open incidents."),
        "web.board.declare": ("宣布新事件", "Declare an incident"),
        "web.board.declare_button": ("宣布事件并召集专项小组", "Declare and call in the response group"),
        "web.board.kind": ("类型", "Kind"),
        "web.board.severity": ("级别", "Severity"),
        "web.board.title_field": ("标题", "Title"),
        "web.board.summary": ("概述", "Summary"),
        "web.board.impact": ("影响", "Impact"),
        "web.board.pending_acks": ("{n} 个角色待确认", "{n} to acknowledge"),
        "web.board.declared_at": ("{at} 由 {by} 宣布", "declared {at} by {by}"),
        "web.board.status": ("状态", "Status"),
        "web.board.note": ("备注", "Note"),
        "web.board.change_status": ("变更状态", "Change status"),
        "web.board.edit": ("修改标题、概述、影响", "Edit title, summary, impact"),
        "web.board.change_severity": ("调整级别", "Change severity"),
        "web.board.group": ("专项小组", "Response group"),
        "web.board.role": ("角色", "Role"),
        "web.board.person": ("人员", "Person"),
        "web.board.ack": ("确认", "Acknowledged"),
        "web.board.ack_button": ("确认", "Acknowledge"),
        "web.board.escalated": ("已升级", "escalated"),
        # A resolved or closed incident owes no acknowledgement: no clock runs.
        "web.board.ack_not_owed": (
            "未确认（事件已结束，无需再确认）",
            "not acknowledged (the incident is over; none owed)",
        ),
        "web.board.assign": ("指派", "Assign"),
        "web.board.clocks": ("响应时限", "Response clocks"),
        "web.board.clock_met": ("已于 {at} 完成", "met at {at}"),
        "web.board.clock_stopped": ("已停止", "stopped"),
        "web.board.published": ("最新公开声明：第 {n} 号，{at} 发布", "latest public statement: #{n}, published {at}"),
        "web.board.volume": ("量能曲线", "Volume"),
        "web.board.chart.title": ("{series} 的量能、基线与告警", "{series}: volume, baseline and alerts"),
        "web.board.chart.observed": ("实际量", "observed"),
        "web.board.chart.baseline": ("基线", "baseline"),
        "web.board.chart.alert": ("告警", "alert"),
        "web.board.signals": ("信号（{n}）", "Signals ({n})"),
        "web.board.no_signals": ("此事件为人工宣布，没有检测信号。", "Declared by hand: no detection signals."),
        "web.board.choose": ("— 请选择 —", "— choose —"),
        "web.board.regions": ("受影响地区/网点", "Regions / branches"),
        "web.board.products": ("受影响产品", "Products"),
        "web.board.channels": ("受影响渠道", "Channels"),
        "web.board.started_at": ("影响开始时间（中心时间）", "Impact started (centre time)"),
        "web.board.list_hint": ("多个用逗号分隔", "comma-separated"),
        "web.board.observed": ("实际 {observed} / 基线 {baseline}", "observed {observed} / baseline {baseline}"),
        "web.board.timeline": ("时间线（{n}）", "Timeline ({n})"),
        "web.board.add_note": ("添加备注", "Add note"),
        "web.board.done.declared": ("已宣布 {ref}，专项小组已召集", "{ref} declared; the response group is called in"),
        "web.board.done.status": ("状态已变更", "Status changed"),
        "web.board.done.updated": ("已更新", "Updated"),
        "web.board.done.unchanged": ("没有变化", "Nothing changed"),
        "web.board.done.assigned": ("已指派", "Assigned"),
        "web.board.done.acked": ("已确认", "Acknowledged"),
        "web.board.done.noted": ("备注已添加", "Note added"),
    }
)

CATALOG.update(
    {
        "web.admin.username": ("用户名", "User name"),
        "web.admin.display_name": ("显示名", "Display name"),
        "web.admin.roles": ("角色", "Roles"),
        "web.admin.person": ("值班名册人员", "Roster person"),
        "web.admin.last_login": ("上次登录", "Last sign-in"),
        "web.admin.inactive": ("已停用", "inactive"),
        "web.admin.active": ("启用", "active"),
        "web.admin.new_password": ("新密码（留空不改）", "New password (blank: unchanged)"),
        "web.admin.password": ("密码（仅代理登录的用户可留空）", "Password (blank for proxy-only users)"),
        "web.admin.lang": ("界面语言", "Language"),
        "web.admin.add": ("添加用户", "Add a user"),
        "web.admin.add_button": ("添加", "Add"),
        "web.admin.tokens": ("API 令牌", "API tokens"),
        "web.admin.label": ("用途", "Label"),
        "web.admin.last_used": ("上次使用", "Last used"),
        "web.admin.revoked": ("已于 {at} 吊销", "revoked {at}"),
        "web.admin.revoke": ("吊销", "Revoke"),
        "web.admin.create_token": ("创建令牌", "Create token"),
        "web.admin.secret_title": ("{name} 的新令牌", "New token for {name}"),
        "web.admin.secret_once": (
            "请立即复制保存：令牌只显示这一次，系统只保存其摘要。",
            "Copy it now: the token is shown this once; only its digest is stored.",
        ),
        "web.admin.copy": ("复制", "Copy"),
        "web.admin.copied": ("已复制", "Copied"),
        "web.admin.done.added": ("已添加用户 {name}", "User {name} added"),
        "web.admin.done.changed": ("已更新用户 {name}", "User {name} updated"),
        "web.admin.done.revoked": ("令牌已吊销", "Token revoked"),
    }
)

CATALOG.update(
    {
        "web.account.title": ("我的账号", "My account"),
        "web.account.person": ("值班名册：{person}", "roster: {person}"),
        "web.account.lang": ("界面语言", "Language"),
        "web.account.lang_auto": ("跟随浏览器", "as the browser says"),
        "web.account.password": ("修改密码", "Change password"),
        "web.account.current": ("当前密码", "Current password"),
        "web.account.new": ("新密码（至少 8 个字符）", "New password (at least 8 characters)"),
        "web.account.again": ("再次输入新密码", "New password again"),
        "web.account.change": ("修改密码", "Change password"),
        "web.account.others_out": ("修改后，您在其他浏览器上的登录将失效。", "Your other browsers will be signed out."),
        "web.account.proxy": (
            "您通过单点登录进入，密码在公司账号系统中管理。",
            "You came in through single sign-on; your password is managed there.",
        ),
        "web.account.mismatch": ("两次输入的新密码不一致", "the two new passwords differ"),
        "web.account.done.password": ("密码已修改", "Password changed"),
        "web.account.done.lang": ("语言已保存", "Language saved"),
    }
)

# Issue 21: what the door (incident/web/door.py) refuses, by name.
CATALOG.update(
    {
        "web.error.bad_host": (
            "本服务不响应主机名「{host}」（请求头 Host）。如果这是本服务的正式地址，请把它加入 [web] allowed_hosts",
            "this service does not answer to the host name '{host}' (the Host header). If it is this "
            "service's real address, add it to [web] allowed_hosts",
        ),
        "web.error.bad_origin": (
            "来自其他网站（{origin}）的修改请求已拒绝",
            "a change sent from another site ({origin}) was refused",
        ),
        "web.error.body_too_big": (
            "请求内容太大（此地址上限 {max} KB），未读取即拒收",
            "the request body is too large (at most {max} KB here); it was refused unread",
        ),
        "web.error.no_such_id": (
            "没有编号为 {value} 的记录（{name}）",
            "there is no record with id {value} ({name})",
        ),
    }
)

# What a signal did (Signal.action), as the board says it.
LABELS["signal_action"] = {
    "pending": ("处理中", "pending"),
    "recorded": ("已记录", "recorded"),
    "silenced": ("已静默", "silenced"),
    "opened": ("已开事件", "opened an incident"),
    "attached": ("已并入事件", "attached to the incident"),
}
