"""The command line's own texts (help, labels, messages), zh-CN and en.
Registered into the one catalogue so ``t()`` finds them."""

from __future__ import annotations

from incident.i18n import CATALOG

CLI_TEXTS: dict[str, tuple[str, str]] = {
    # ---- help -------------------------------------------------------------
    "help.app": (
        "事件协调：宣布并处置批量投诉、系统故障与舆情事件。\n\n"
        "示例：\n\n"
        '  incident declare --kind system_outage --severity 2 --title "APP 登录失败"\n\n'
        "  incident show 1          查看专项小组与时间线\n\n"
        "  incident ack 1 lead      确认自己担任的角色\n\n"
        '  incident status 1 investigating --note "技术已介入"\n\n'
        "不带子命令运行时显示当前值班与未结束的事件。",
        "Incident coordination: declare and run batch-complaint, outage and public-opinion incidents.\n\n"
        "Examples:\n\n"
        '  incident declare --kind system_outage --severity 2 --title "APP login fails"\n\n'
        "  incident show 1          the response group and the timeline\n\n"
        "  incident ack 1 lead      acknowledge the role you were called in for\n\n"
        '  incident status 1 investigating --note "tech is on it"\n\n'
        "Run with no command for who is on call and the open incidents.",
    ),
    "help.opt.config": ("TOML 配置文件（也可用 INCIDENT_CONFIG）", "TOML configuration file (or INCIDENT_CONFIG)"),
    "help.opt.lang": (
        "界面语言 zh-CN 或 en（也可用 INCIDENT_LANG）",
        "language of the output, zh-CN or en (or INCIDENT_LANG)",
    ),
    "help.opt.actor": (
        "以谁的身份操作，记入时间线（也可用 INCIDENT_ACTOR；默认为系统用户名）。尚无网页账号时直接生效；"
        "创建第一个账号后，每个命令都需要 INCIDENT_TOKEN（API 令牌）或在终端上输入该账号的密码",
        "who is acting, as recorded on the timeline (or INCIDENT_ACTOR; default: your login name). While no web "
        "account exists it is taken as given; once the first account is created, every command needs "
        "INCIDENT_TOKEN (an API token) or that account's password, typed on a terminal",
    ),
    "help.opt.show_version": ("显示版本号后退出", "show the version and exit"),
    "help.opt.db": (
        "SQLAlchemy 数据库 URL（也可用 INCIDENT_DATABASE_URL；默认 SQLite 位于 INCIDENT_DATA_DIR）",
        "SQLAlchemy database URL (or INCIDENT_DATABASE_URL; default: SQLite under INCIDENT_DATA_DIR)",
    ),
    "help.opt.json": ("以 JSON 输出（供脚本使用）", "print JSON (for scripts)"),
    "help.declare": (
        "宣布一个事件，并按值班表召集专项小组。\n\n"
        "级别：SEV1 特急 / SEV2 严重 / SEV3 一般 / SEV4 轻微（见 README）。\n\n"
        '示例：incident declare -k system_outage -s 2 -t "APP 登录失败" --channel app --region 华东',
        "Declare an incident and call in its response group from the on-call roster.\n\n"
        "Severity: SEV1 critical / SEV2 major / SEV3 minor / SEV4 low (see README).\n\n"
        'Example: incident declare -k system_outage -s 2 -t "APP login fails" --channel app --region east',
    ),
    "help.opt.kind": (
        "事件类型：batch_complaint、system_outage、public_opinion、other",
        "kind: batch_complaint, system_outage, public_opinion, other",
    ),
    "help.opt.severity": ("级别 1–4 或 SEV1–SEV4（1 最严重）", "severity 1–4 or SEV1–SEV4 (1 is the worst)"),
    "help.opt.title": ("标题，≤200 字", "title, at most 200 characters"),
    "help.opt.summary": ("概述：发生了什么", "summary: what is happening"),
    "help.opt.impact": ("影响：谁受影响、影响如何", "impact: who is affected and how"),
    "help.opt.channel": (
        "受影响渠道（可重复或用逗号分隔），如 app、phone、chat",
        "affected channel (repeat or comma-separate), e.g. app, phone, chat",
    ),
    "help.opt.region": ("受影响地区/网点（可重复）", "affected region or branch (repeatable)"),
    "help.opt.product": ("受影响产品（可重复）", "affected product (repeatable)"),
    "help.opt.started": (
        '影响开始时间（默认中心时区，如 "2026-11-23 09:30"）',
        'when the impact began (centre\'s zone unless an offset is given, e.g. "2026-11-23 09:30")',
    ),
    "help.opt.detected": ("发现时间", "when it was detected"),
    "help.opt.dedup": (
        "去重键：同一键只能有一个未结束的事件（监测用它关联新信号）",
        "dedup key: one open incident per key (detection attaches new signals by it)",
    ),
    "help.list": (
        "列出事件（默认只列未结束的）。\n\n"
        "示例：incident list --all --kind system_outage --severity 1 --severity 2 --json",
        "List incidents (open ones unless told otherwise).\n\nExample: "
        "incident list --all --kind system_outage --severity 1 --severity 2 --json",
    ),
    "help.opt.status_filter": ("只列这些状态（可重复）", "only these statuses (repeatable)"),
    "help.opt.kind_filter": ("只列这些类型（可重复）", "only these kinds (repeatable)"),
    "help.opt.sev_filter": ("只列这些级别（可重复）", "only these severities (repeatable)"),
    "help.opt.all": ("包括已解决和已关闭的事件", "include resolved and closed incidents"),
    "help.opt.since": ("宣布时间不早于", "declared at or after"),
    "help.opt.until": ("宣布时间早于", "declared before"),
    "help.opt.search": ("标题或概述包含的文字", "text in the title or summary"),
    "help.opt.limit": ("最多列出多少条（0 = 不限）", "at most this many (0 = no limit)"),
    "help.show": (
        "查看事件详情、专项小组（含确认状态）与时间线。",
        "Show an incident: details, response group with acknowledgements, timeline.",
    ),
    "help.status": (
        "变更事件状态。流程：declared → investigating → identified → monitoring → resolved → closed；"
        "可跳过中间步骤，未解决前可回退，已解决可重开，只有已解决的事件才能关闭。",
        "Change the status. Flow: declared → investigating → identified → monitoring → resolved → closed; "
        "steps may be skipped, work may step back while open, a resolved incident may be reopened, "
        "only a resolved one can be closed.",
    ),
    "help.opt.note": ("随状态变更记入时间线的说明", "a note recorded with the change"),
    "help.assign": (
        "把角色指派给某人（花名册键、姓名、邮箱或 Slack ID）。角色：lead、comms、cs、tech、business、legal、"
        "scribe 或全名。",
        "Give a role to a person (roster key, name, e-mail or Slack id). "
        "Roles: lead, comms, cs, tech, business, legal, scribe, or the full names.",
    ),
    "help.ack": (
        "确认担任某角色（在确认时限内确认，否则升级至主管）。",
        "Acknowledge a role (within its time limit, or it escalates to the supervisor).",
    ),
    "help.note": ("在时间线上记一笔。", "Add a note to the timeline."),
    "help.update": (
        "修改事件字段；提高级别会按规则补充召集所需角色。",
        "Change an incident's fields; raising the severity calls in the roles it adds.",
    ),
    "help.roster": (
        "显示各团队此刻（或 --at 指定时刻）的值班人员。",
        "Show who is on call in each team now (or at --at).",
    ),
    "help.opt.at": (
        '查询时刻，如 "2026-11-24 08:00"（中心时区）',
        'the moment to look at, e.g. "2026-11-24 08:00" (centre\'s zone)',
    ),
    "help.escalate": (
        "立即检查超时未确认的角色并升级至主管（定时运行：python -m incident_flows.escalation）。",
        "Escalate roles not acknowledged in time to their supervisor, now (python -m incident_flows.escalation runs it "
        "on a schedule).",
    ),
    "help.db": ("数据库维护。", "Database maintenance."),
    "help.db.upgrade": (
        "把数据库结构升级到最新版本（首次使用时也会自动执行）。",
        "Upgrade the database schema to the latest version (also done on first use).",
    ),
    "help.db.current": ("显示数据库位置与结构版本。", "Show where the database is and its schema version."),
    "help.config": ("配置文件。", "The configuration file."),
    "help.config.check": ("校验配置文件并概述其内容。", "Validate the configuration file and summarise it."),
    "help.config.keys": (
        "列出配置文件可用的每个键及其类型和默认值（文档见 docs/configuration.md）。例：incident config keys detection",
        "List every key the configuration file takes, with its type and default (described in docs/configuration.md). "
        "Example: incident config keys detection",
    ),
    "help.config.keys.prefix": (
        "只列出此节或键之下的，如 detection、people.<key>",
        "Only keys under this section or key, e.g. detection, people.<key>",
    ),
    "out.config_keys_none": (
        "没有以 {prefix} 开头的配置键；不带参数运行可列出全部",
        "No configuration key starts with {prefix}; run it without one to list them all",
    ),
    "col.config_key": ("键", "key"),
    "col.config_type": ("类型", "type"),
    "col.config_default": ("默认值", "default"),
    "help.arg.id": ("事件编号，如 1 或 INC-1", "incident id, e.g. 1 or INC-1"),
    "help.arg.status": ("目标状态", "the new status"),
    "help.arg.role": ("角色", "the role"),
    "help.arg.person": ("人员", "the person"),
    "help.arg.text": ("备注内容", "the note"),
    # ---- output -----------------------------------------------------------
    "out.declared": ("已宣布 {ref}：{title}", "Declared {ref}: {title}"),
    "out.status_changed": ("{ref} 状态：{from:status} → {to:status}", "{ref} status: {from:status} → {to:status}"),
    "out.assigned": (
        "{ref}：{person} 担任{role:role}，请在 {due} 前确认",
        "{ref}: {person} is {role:role}; acknowledge by {due}",
    ),
    "out.acked": ("{ref}：{person} 已确认担任{role:role}", "{ref}: {person} acknowledged {role:role}"),
    "out.already_acked": (
        "{ref}：{role:role}已于 {at} 确认，无需重复",
        "{ref}: {role:role} was already acknowledged at {at}",
    ),
    "out.noted": ("已记入 {ref} 的时间线", "Noted on {ref}'s timeline"),
    "out.updated": ("{ref} 已更新：{fields}", "{ref} updated: {fields}"),
    "out.nothing_changed": ("{ref} 没有变化", "{ref}: nothing changed"),
    "out.escalated": (
        "升级了 {roles} 个未确认的角色、{clocks} 个超时的声明时钟",
        "Escalated {roles} unacknowledged roles and {clocks} overdue statement clocks",
    ),
    "out.no_escalation": ("现在没有需要升级的角色或声明时钟", "Nothing to escalate now (roles or statement clocks)"),
    "out.db_upgraded": (
        "数据库结构已从 {before} 升级到 {after}（{url}）",
        "Upgraded the database schema from {before} to {after} ({url})",
    ),
    "out.db_at_head": (
        "数据库结构已是最新版本 {rev}，无需升级（{url}）",
        "The database schema is already at the latest version, {rev}; nothing to do ({url})",
    ),
    "out.db_current": (
        "数据库：{url}\n结构版本：{rev}（最新 {head}）",
        "Database: {url}\nSchema version: {rev} (latest {head})",
    ),
    "out.no_incidents": ("没有符合条件的事件", "No incidents match"),
    "out.more": (
        "仅显示前 {shown} 条，共 {total} 条；用 --limit 0 显示全部",
        "Showing {shown} of {total}; --limit 0 shows them all",
    ),
    "out.config_ok": ("配置有效：{path}", "Configuration is valid: {path}"),
    "out.config_default": (
        "未指定配置文件，使用内置默认值（无花名册）。用 --config 或 INCIDENT_CONFIG 指定，例如 examples/incident.toml",
        "No configuration file: built-in defaults (no roster). Name one with --config or INCIDENT_CONFIG, e.g. "
        "examples/incident.toml",
    ),
    "out.config_summary": (
        "中心：{centre}（{zone}，{language}）\n人员 {people} 名，团队 {teams} 个，召集规则 {rules} 条",
        "Centre: {centre} ({zone}, {language})\n{people} people, {teams} teams, {rules} call-in rules",
    ),
    "out.config_env_missing": (
        "环境变量 {variable} 未设置（`{key}` 需要它）：依赖它的渠道无法发送，消息会改走下一个渠道",
        "the environment variable {variable} is not set (`{key}` names it): what depends on it cannot send, "
        "and messages move on to the next channel",
    ),
    "out.covering_for": ("代班（替 {person}）", "covering for {person}"),
    "out.next": ("下一步：{hint}", "Next: {hint}"),  # the colon is the language's own
    "out.hint_declared": (
        "incident show {id}    ·    incident ack {id} lead    ·    incident status {id} investigating",
        "incident show {id}    ·    incident ack {id} lead    ·    incident status {id} investigating",
    ),
    "out.overview_title": ("{centre} · {now}", "{centre} · {now}"),
    "out.open_incidents": ("未结束的事件", "Open incidents"),
    "out.on_call_now": ("此刻值班", "On call now"),
    "out.overview_hint": (
        "宣布事件：incident declare --help    ·    全部命令：incident --help",
        "Declare: incident declare --help    ·    All commands: incident --help",
    ),
    "out.timeline": ("时间线", "Timeline"),
    "out.group": ("专项小组", "Response group"),
    "out.roster_at": ("值班表 · {at}", "On call · {at}"),
    # ---- labels -----------------------------------------------------------
    "col.id": ("编号", "ID"),
    "col.sev": ("级别", "Sev"),
    "col.kind": ("类型", "Kind"),
    "col.status": ("状态", "Status"),
    "col.title": ("标题", "Title"),
    "col.declared": ("宣布时间", "Declared"),
    "col.role": ("角色", "Role"),
    "col.person": ("人员", "Person"),
    "col.team": ("团队", "Team"),
    "col.ack": ("确认", "Acknowledged"),
    "col.time": ("时间", "Time"),
    "col.actor": ("操作人", "By"),
    "col.event": ("事件", "Event"),
    "col.on_call": ("值班人", "On call"),
    "col.until": ("交班时间", "Until"),
    "col.source": ("值班方式", "On call by"),  # rotation, shift, by hand, covering
    "col.supervisor": ("主管", "Supervisor"),
    "col.roles": ("承担角色", "Roles"),
    "col.contact": ("联系方式", "Contact"),
    "field.summary": ("概述", "Summary"),
    "field.impact": ("影响", "Impact"),
    "field.scope": ("范围", "Scope"),
    "field.channels": ("渠道", "channels"),
    "field.regions": ("地区/网点", "regions"),
    "field.products": ("产品", "products"),
    "field.times": ("时间", "Times"),
    "field.started": ("开始", "started"),
    "field.detected": ("发现", "detected"),
    "field.declared": ("宣布", "declared"),
    "field.resolved": ("解决", "resolved"),
    "field.closed": ("关闭", "closed"),
    "field.dedup": ("去重键", "Dedup key"),
    "field.declared_by": ("宣布人", "Declared by"),
    "field.allowed_next": ("可变为", "Can go to"),
    "ack.done": ("已确认 {at}", "yes, {at}"),
    "ack.done_late": ("已确认 {at}（超时）", "yes, {at} (late)"),
    "ack.pending": ("待确认，剩余 {left}", "pending, {left} left"),
    "ack.not_owed": ("未确认（事件已结束，无需再确认）", "not acknowledged (the incident is over; none owed)"),
    "ack.overdue": ("已超时 {over}", "overdue by {over}"),
    "ack.escalated": ("已升级（超时 {over}）", "escalated ({over} late)"),
    "ack.vacant": ("无人值班，待指派", "nobody on call; assign someone"),
    "nobody": ("（无人）", "(nobody)"),
}

CATALOG.update(CLI_TEXTS)
