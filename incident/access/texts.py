"""Texts of users, sign-in and permissions, zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG, LABELS

LABELS["web_role"] = {
    "lead": ("事件负责人", "lead"),
    "comms": ("公关", "comms"),
    "legal": ("法务", "legal"),
    "cs_lead": ("客服主管", "cs lead"),
    "agent": ("坐席", "agent"),
    "viewer": ("只读", "viewer"),
    "admin": ("管理员", "admin"),
}

CATALOG.update(
    {
        "access.error.bad_role": (
            "未知角色「{value}」；可用角色：{allowed}",
            "unknown role '{value}'; roles are: {allowed}",
        ),
        "access.error.no_role": ("至少需要一个角色（{allowed}）", "at least one role is needed ({allowed})"),
        "access.error.short_password": ("密码至少 {min} 个字符", "the password needs at least {min} characters"),
        "access.error.no_user": ("没有用户「{name}」", "no user '{name}'"),
        "access.error.user_exists": ("用户「{name}」已存在", "user '{name}' already exists"),
        "access.error.bad_username": (
            "用户名「{value}」无效：字母、数字和 . _ @ -，最长 64 个字符",
            "bad user name '{value}': letters, digits and . _ @ -, at most 64 characters",
        ),
        "access.error.unknown_person": (
            "值班名册中没有「{value}」（名册：{known}）",
            "'{value}' is not in the roster (roster: {known})",
        ),
        "access.error.wrong_current": ("当前密码不正确", "the current password is wrong"),
        "access.error.token_name": ("请为令牌起个名字（例如 工单系统）", "give the token a name (e.g. ticket-system)"),
        "access.error.no_token": ("没有编号为 {id} 的令牌", "no token with id {id}"),
        "access.error.signin": ("请先登录", "please sign in"),
        "access.error.bad_token": ("API 令牌无效或已吊销", "the API token is invalid or revoked"),
        "access.error.forbidden": (
            "您的角色（{roles}）无权执行「{action}」；需要：{needed}",
            "your roles ({roles}) may not do '{action}'; it needs: {needed}",
        ),
        "access.error.csrf": (
            "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试",
            "the form expired or came from elsewhere (CSRF check failed); reload the page and try again",
        ),
        "access.error.proxy_unknown": (
            "代理传来的用户「{name}」未在本系统登记，请联系管理员",
            "the proxy's user '{name}' is not registered here; ask an admin",
        ),
        "access.error.not_holder": (
            "只有当前担任 {role:role} 的人（{holder}）可以确认",
            "only the person holding {role:role} ({holder}) can acknowledge it",
        ),
        "access.error.not_yours": (
            "这通回访不是分配给您的（负责人：{agent}）",
            "this callback is not yours (it is {agent}'s)",
        ),
        "access.error.no_person": (
            "您的账号未关联值班名册，无法执行此操作；请管理员设置（incident users set NAME --person KEY）",
            "your account is not linked to the roster, so you cannot do this; "
            "ask an admin (incident users set NAME --person KEY)",
        ),
    }
)

# Issue 21: one answer for every refused sign-in (unknown name, wrong
# password, locked account), so that it tells nothing about the account;
# it says the lockout rule instead, for the user who was locked out.
CATALOG.update(
    {
        "access.error.sign_in_failed": (
            "用户名或密码错误。同一账号连续输错 {max} 次密码后，需等待 {minutes} 分钟才能再次登录。",
            "wrong user name or password. After {max} wrong passwords in a row, an account waits "
            "{minutes} min before it can sign in again.",
        ),
        "access.error.machine_host": (
            "机器令牌（INCIDENT_API_TOKEN）不接受来自 {host} 的请求；请把该地址加入 [web] machine_hosts，"
            "或改用该系统自己用户的 API 令牌（incident users token create）",
            "the machine token (INCIDENT_API_TOKEN) is not accepted from {host}; add that address to "
            "[web] machine_hosts, or give that system a user with its own API token (incident users token create)",
        ),
    }
)

# What each action of incident.access.permissions.PERMISSIONS lets one do.
LABELS["web_action"] = {
    "incident.view": ("查看事件看板", "view the incident board"),
    "incident.declare": ("宣布事件", "declare incidents"),
    "incident.update": (
        "变更事件（状态、级别、字段、指派）",
        "change incidents (status, severity, fields, assignments)",
    ),
    "incident.note": ("在时间线上添加备注", "add notes to the timeline"),
    "incident.ack": ("确认自己担任的角色", "acknowledge the role they hold"),
    "roster.cover": (
        "替人代班，或把自己的班交给别人（替他人安排需事件负责人）",
        "cover for someone, or hand their own turn over (for others: a lead)",
    ),
    "roster.edit": (
        "修改值班表（团队成员、轮换顺序与交接、人员姓名与联系方式 ID），修改保存在数据库中并优先于配置文件",
        "edit the roster (team members, rotation order and hand-over, people's names and contact ids), "
        "stored in the database over the configuration file",
    ),
    "wording.view": ("查看口径卡与声明", "view the fact sheet and statements"),
    "wording.edit": ("编辑口径卡、起草并提交声明", "edit the fact sheet, draft and submit statements"),
    "wording.approve": (
        "审批口径卡与声明（四眼原则，名册决定哪些角色算数）",
        "approve or reject fact sheets and statements (four eyes; the roster decides whose sign-off counts)",
    ),
    "wording.publish": ("发布声明", "publish statements"),
    "wording.lookup": ("查询答复客户的话术", "look up what to say to a customer"),
    "remedy.view": ("查看受影响客户与补偿台账", "view affected customers and the compensation ledger"),
    "remedy.manage": ("管理受影响客户、提出补偿", "manage affected customers, propose compensation"),
    "remedy.approve": (
        "审批补偿（仅主管，由台账核对）",
        "approve compensation (supervisors only, checked by the ledger)",
    ),
    "callbacks.own": ("查看并记录分配给自己的回访", "see and record their own callbacks"),
    "callbacks.all": ("查看并记录所有人的回访", "see and record anyone's callbacks"),
    "review.view": ("查看复盘与改进项", "view reviews and their follow-up actions"),
    "review.edit": (
        "撰写复盘、添加改进项（不签署；免签只限该事件的负责人或值班经理）",
        "write reviews and add follow-up actions (not signing; waiving only the incident's lead or duty manager)",
    ),
    "review.sign": (
        "以事件中担任过的对接人身份签署复盘",
        "sign a review as a liaison they were on the incident",
    ),
    "review.act": ("完成或放弃自己负责的改进项", "complete or drop their own follow-up actions"),
    "kb.edit": (
        "提出知识库条目的新建、修改或停用（须另一人批准）",
        "propose knowledge-base entries, edits and retirements (someone else approves)",
    ),
    "kb.approve": (
        "批准或驳回知识库的修改（四眼原则：不能批准自己提出的）",
        "approve or reject knowledge-base changes (four eyes: never one's own)",
    ),
    "complaints.post": (
        "通过 API 提交投诉工单（供工单系统等机器使用）",
        "post complaints through the API (for machines such as the ticket system)",
    ),
    "users.manage": ("管理用户", "manage users"),
}
