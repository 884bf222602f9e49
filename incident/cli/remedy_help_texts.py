"""The remedy commands' help texts (commands, options, arguments), zh-CN and
en; their output texts are in incident/cli/remedy_texts.py, which imports
this module so that importing it registers both. Every key starts with
``remedy.help.``."""

from incident.i18n import CATALOG

CLI_REMEDY_HELP_TEXTS: dict[str, tuple[str, str]] = {
    # ---- help: customers ----------------------------------------------------
    "remedy.help.customers": (
        "受影响客户：从文件导入、逐个添加、从匹配的投诉关联、查看。加入后立即为他们安排回访。\n\n"
        "  incident customers import 12 affected.csv\n\n"
        "  incident customers add INC-12 --ref C001 --name 张三 --title 先生\n\n"
        "  incident customers link 12 --before-hours 2\n\n"
        "  incident customers list 12",
        "Affected customers: import them from a file, add one, link those of matching complaints, list them. "
        "Their callbacks are scheduled as soon as they are added.\n\n"
        "  incident customers import 12 affected.csv\n\n"
        "  incident customers add INC-12 --ref C001 --name 张三 --title 先生\n\n"
        "  incident customers link 12 --before-hours 2\n\n"
        "  incident customers list 12",
    ),
    "remedy.help.customers.import": (
        "从 CSV 或 JSONL 文件导入事件的受影响客户（显示进度）。\n\n"
        "文件可为 UTF-8 或 GBK 编码。坏行按行号报告，好行照常保存；"
        "同一事件中客户编号唯一，可放心重复运行（中断后再运行只补上余下的）。导入后立即安排并分配回访。"
        "有坏行时退出码为 1。\n\n"
        "列（英文或中文列名均可）：customer_ref/客户编号（必填）、name/姓名、title/称谓（先生/女士）、"
        "contact/电话（只保留后 4 位）、lang/语言、order_ref/运单号、amount_at_stake/涉及金额、"
        "insured/保险（goods 货物、documents 文件、no 否）、declared_value/保价、category/类别、branch/网点、"
        "complex/复杂、complained_at/投诉时间。\n\n"
        "示例：incident customers import 12 affected.csv",
        "Import an incident's affected customers from a CSV or JSONL file, with a progress bar.\n\n"
        "The file may be UTF-8 or GBK. Bad rows are reported by line number and the good ones kept; "
        "a customer appears once per incident, so running it again is safe (after an interruption it adds only "
        "the rest). Their callbacks are scheduled and assigned straight away. Exit code 1 when any row was bad.\n\n"
        "Columns (English or Chinese names): customer_ref/客户编号 (required), name/姓名, title/称谓 (先生/女士), "
        "contact/电话 (only the last 4 digits are kept), lang/语言, order_ref/运单号, amount_at_stake/涉及金额, "
        "insured/保险 (goods, documents, no), declared_value/保价, category/类别, branch/网点, complex/复杂, "
        "complained_at/投诉时间.\n\n"
        "Example: incident customers import 12 affected.csv",
    ),
    "remedy.help.customers.add": (
        "为事件添加一位受影响客户，并立即安排回访。\n\n"
        "示例：incident customers add 12 --ref C001 --name 张三 --title 先生 --contact 13812345678 "
        "--order SF001 --amount 120 --insured no",
        "Add one affected customer to an incident and schedule their callback.\n\n"
        "Example: incident customers add 12 --ref C001 --name 张三 --title 先生 --contact 13812345678 "
        "--order SF001 --amount 120 --insured no",
    ),
    "remedy.help.customers.link": (
        "把与事件匹配的投诉（范围内的网点/渠道/产品，从事件开始前若干小时到解决为止）的客户加为受影响客户，"
        "可重复运行，并立即安排回访。\n\n"
        "示例：incident customers link 12 --before-hours 2",
        "Add the customers of the complaints that match the incident (its branches, channels and products, from "
        "some hours before it started until it was resolved) as affected customers; safe to run again. Their "
        "callbacks are scheduled straight away.\n\n"
        "Example: incident customers link 12 --before-hours 2",
    ),
    "remedy.help.customers.list": (
        "列出事件的受影响客户（联系方式只显示后 4 位）。\n\n示例：incident customers list 12 --limit 0 --json",
        "List an incident's affected customers (contacts show their last 4 digits only).\n\n"
        "Example: incident customers list 12 --limit 0 --json",
    ),
    "remedy.help.arg.file": ("客户名单，CSV 或 JSONL 文件", "the customer list, a CSV or JSONL file"),
    "remedy.help.opt.format": (
        "文件格式 csv 或 jsonl（默认按扩展名）",
        "file format, csv or jsonl (default: from the extension)",
    ),
    "remedy.help.opt.ref": ("客户编号（必填，同一事件中唯一）", "customer reference (required, unique per incident)"),
    "remedy.help.opt.name": ("客户姓名（称呼用姓 + 先生/女士）", "customer's name (addressed by surname + title)"),
    "remedy.help.opt.title": ("称谓：先生 或 女士", "title: 先生 or 女士 (Mr/Ms)"),
    "remedy.help.opt.contact": ("电话（只保存后 4 位）", "phone (only the last 4 digits are stored)"),
    "remedy.help.opt.in": (
        "客户的语言 zh-CN 或 en（默认中心语言），回访话术用它",
        "the customer's language, zh-CN or en (default: the centre's); the callback script uses it",
    ),
    "remedy.help.opt.order": ("运单号/订单号", "waybill or order number"),
    "remedy.help.opt.amount_at_stake": ("涉及金额（元）", "amount at stake (yuan)"),
    "remedy.help.opt.insured": ("保险：goods（货物）、documents（文件）或 no（否）", "insured: goods, documents or no"),
    "remedy.help.opt.declared": ("保价金额（元）", "declared value (yuan)"),
    "remedy.help.opt.category": (
        "问题类别（补偿政策按它匹配）",
        "problem category (compensation policies match on it)",
    ),
    "remedy.help.opt.branch": ("网点", "branch"),
    "remedy.help.opt.complex": ("复杂案件（回访时限 48 小时）", "a complex case (48 hours to call back)"),
    "remedy.help.opt.before_hours": (
        "从事件开始前多少小时起的投诉也算（默认 2）",
        "also take complaints from this many hours before the incident started (default 2)",
    ),
    # ---- help: compensation -------------------------------------------------
    "remedy.help.comp": (
        "补偿台账：提出、审批、发放、驳回、冲回与查看。\n\n"
        "按政策或逐个提出；超过审批门槛的须由另一位主管审批（四眼原则：不能审批自己提出的）；"
        "金额受每票上限约束（004 第三章第 2 节）。\n\n"
        "  INCIDENT_TOKEN=<主管的令牌> incident comp approve --incident 12   脚本中主管审批\n\n"
        "  incident comp propose 12 --policy\n\n"
        "  incident comp propose 12 --customer C001 --form coupon --amount 50\n\n"
        "  incident --as liuyang comp approve --incident 12\n\n"
        "  incident comp issue --incident 12\n\n"
        "  incident comp list --incident 12",
        "The compensation ledger: propose, approve, issue, reject, reverse, list.\n\n"
        "Propose by policy or one by one; above the approval threshold another person, a supervisor, approves "
        "(four eyes: never one's own proposals); money is capped per waybill (004 ch.3 §2).\n\n"
        "  INCIDENT_TOKEN=<the supervisor's token> incident comp approve --incident 12   (a supervisor, in a script)"
        "\n\n"
        "  incident comp propose 12 --policy\n\n"
        "  incident comp propose 12 --customer C001 --form coupon --amount 50\n\n"
        "  incident --as liuyang comp approve --incident 12\n\n"
        "  incident comp issue --incident 12\n\n"
        "  incident comp list --incident 12",
    ),
    "remedy.help.comp.propose": (
        "提出补偿：按政策为全部受影响客户，或为一位客户。\n\n"
        "--policy 按配置的补偿政策为所有符合条件的受影响客户提出（显示进度）；或用 --customer、--form、"
        "--amount 为一位客户提出。超过审批门槛的需主管审批，其余按政策自动批准；超过每票上限的被拒绝并说明原因。\n\n"
        "示例：incident comp propose 12 --policy\n\n"
        '示例：incident comp propose 12 --customer C001 --form coupon --amount 50 --reason "延误致歉"',
        "Propose compensation, by policy for every affected customer or for one customer.\n\n"
        "--policy proposes it for every affected customer the configured policies cover "
        "(with a progress bar); or --customer, --form and --amount propose it for one customer. Entries over the "
        "approval threshold wait for a supervisor, the others are approved by policy; anything over the per-waybill "
        "cap is refused with the reason.\n\n"
        "Example: incident comp propose 12 --policy\n\n"
        'Example: incident comp propose 12 --customer C001 --form coupon --amount 50 --reason "sorry for the delay"',
    ),
    "remedy.help.comp.approve": (
        "主管审批待审批的补偿：给出补偿编号，或用 --incident 审批该事件全部待审批的（本人提出的除外，四眼原则）。\n\n"
        "示例：incident --as liuyang comp approve 3 4 5\n\n"
        "示例：incident --as liuyang comp approve --incident 12\n\n"
        "（--as 在终端上会询问该账号的网页密码；脚本中请改为设置其 API 令牌 INCIDENT_TOKEN，不用 --as）\n\n"
        "示例：INCIDENT_TOKEN=<liuyang 的令牌> incident comp approve --incident 12",
        "Approve compensation awaiting approval, as a supervisor: name the entries, or --incident for all of an "
        "incident's (except your own proposals: four eyes).\n\n"
        "Example: incident --as liuyang comp approve 3 4 5\n\n"
        "Example: incident --as liuyang comp approve --incident 12\n\n"
        "(--as asks for that account's web password on a terminal; in a script, set INCIDENT_TOKEN to their "
        "API token instead)\n\n"
        "Example: INCIDENT_TOKEN=<liuyang's token> incident comp approve --incident 12",
    ),
    "remedy.help.comp.reject": (
        "主管驳回一笔待审批的补偿（原因必填，记入时间线）。\n\n示例：incident --as liuyang comp reject 7 --reason "
        '"不在补偿范围"\n\n'
        "（--as 在终端上会询问该账号的网页密码；脚本中请改为设置其 API 令牌 INCIDENT_TOKEN，不用 --as）",
        "Reject a proposal, as a supervisor (the reason is required and goes on the timeline).\n\n"
        'Example: incident --as liuyang comp reject 7 --reason "not covered"\n\n'
        "(--as asks for that account's web password on a terminal; in a script, set INCIDENT_TOKEN to their "
        "API token instead)",
    ),
    "remedy.help.comp.reverse": (
        "主管冲回一笔已发放的补偿（误发或重复补偿），并通知发放系统。\n\n"
        '示例：incident --as liuyang comp reverse 7 --reason "重复发放"\n\n'
        "（--as 在终端上会询问该账号的网页密码；脚本中请改为设置其 API 令牌 INCIDENT_TOKEN，不用 --as）",
        "Reverse an issued entry, as a supervisor (issued in error or twice); the issuing system is told.\n\n"
        'Example: incident --as liuyang comp reverse 7 --reason "issued twice"\n\n'
        "(--as asks for that account's web password on a terminal; in a script, set INCIDENT_TOKEN to their "
        "API token instead)",
    ),
    "remedy.help.comp.issue": (
        "分批发放已批准的补偿（显示进度）。可中断、可重复运行：每位客户只补偿一次。有发放失败或待重试时退出码为 1。\n\n"
        "示例：incident comp issue --incident 12 --batch 500",
        "Issue approved compensation in batches, with a progress bar. Safe to interrupt and run again: every "
        "customer is compensated exactly once. Exit code 1 when an entry failed or waits for a retry.\n\n"
        "Example: incident comp issue --incident 12 --batch 500",
    ),
    "remedy.help.comp.list": (
        "列出补偿记录；给出 --incident 时同时显示该事件的合计。\n\n示例："
        "incident comp list --incident 12 --status proposed",
        "List compensation entries; with --incident, the incident's totals too.\n\n"
        "Example: incident comp list --incident 12 --status proposed",
    ),
    "remedy.help.opt.policy": (
        "按配置的补偿政策为全部受影响客户提出",
        "propose for every affected customer by the configured policies",
    ),
    "remedy.help.opt.customer": ("客户编号（逐个提出时）", "customer reference (to propose for one customer)"),
    "remedy.help.opt.form": (
        "补偿方式：coupon（优惠券）、points（积分）、refund（退款）、service_extension（服务延期）、gift（礼品）",
        "form: coupon, points, refund, service_extension or gift",
    ),
    "remedy.help.opt.amount": (
        "数额：元、积分或天数（视补偿方式而定），最多两位小数",
        "amount: yuan, points or days, as the form counts; at most two decimals",
    ),
    "remedy.help.opt.reason": ("说明（记入台账）", "why (kept in the ledger)"),
    "remedy.help.opt.reason_req": ("原因（必填，记入时间线）", "reason (required, goes on the timeline)"),
    "remedy.help.arg.entries": ("补偿编号（可多个）", "compensation entry ids (one or more)"),
    "remedy.help.arg.entry": ("补偿编号", "compensation entry id"),
    "remedy.help.opt.incident_approve": (
        "审批该事件全部待审批的补偿",
        "approve all of this incident's entries awaiting approval",
    ),
    "remedy.help.opt.incident_filter": ("只看（或只处理）该事件", "only this incident"),
    "remedy.help.opt.status": (
        "只看此状态：proposed、approved、issued、failed、reversed",
        "only this status: proposed, approved, issued, failed, reversed",
    ),
    "remedy.help.opt.batch": (
        "每批条数（默认取配置 compensation.batch_size）",
        "entries per batch (default: compensation.batch_size)",
    ),
    "remedy.help.opt.lease": (
        "认领租期（秒）：超过后中断的批次会被重新认领（默认 120；0 = 立即重新认领，仅在确知上次运行已中止、"
        "且没有其他发放在运行时使用）",
        "claim lease in seconds: a batch interrupted longer ago is claimed again (default 120; 0 = at once, "
        "only when you know the last run died and no other run is issuing)",
    ),
    # ---- help: callbacks ----------------------------------------------------
    "remedy.help.callbacks": (
        "回访：安排、分配给坐席、超时升级至主管，记录每次拨打的结果。\n\n"
        "  incident callbacks sweep                 立即安排、分配、升级\n\n"
        "  incident --as wangfang callbacks mine    我今天的回访及话术"
        "（脚本中：INCIDENT_TOKEN=<本人令牌>，不用 --as）\n\n"
        "  incident callbacks record 31 reached --satisfaction 5",
        "Callbacks (回访): schedule them, assign them to agents, escalate overdue ones to the supervisor, record "
        "each call's result.\n\n"
        "  incident callbacks sweep                 schedule, assign, escalate now\n\n"
        "  incident --as wangfang callbacks mine    my calls for today, with scripts (in a script: "
        "INCIDENT_TOKEN=<your token>, no --as)\n\n"
        "  incident callbacks record 31 reached --satisfaction 5",
    ),
    "remedy.help.callbacks.sweep": (
        "立即巡检一次：为客户安排应有的回访、分配给坐席（按负载均衡）、把超时的升级至主管。\n\n"
        "示例：incident callbacks sweep",
        "Sweep now: schedule the callbacks customers are owed, assign them to agents (balanced by load), escalate "
        "overdue ones to the supervisor.\n\nExample: incident callbacks sweep",
    ),
    "remedy.help.callbacks.due": (
        "现在该打的回访（按拨打时间排序），可按事件或坐席筛选。\n\n示例："
        "incident callbacks due --incident 12 --agent wangfang",
        "Callbacks to make now (soonest first), for an incident or an agent.\n\n"
        "Example: incident callbacks due --incident 12 --agent wangfang",
    ),
    "remedy.help.callbacks.mine": (
        "以登录者本人（INCIDENT_TOKEN 的用户，或终端上 --as 并输入密码的账号）的身份，"
        "列出今天（中心时区）到期的本人回访，附每通电话的话术。\n\n"
        "示例：incident --as wangfang callbacks mine\n\n"
        "示例（脚本）：INCIDENT_TOKEN=<wangfang 的令牌> incident callbacks mine",
        "The signed-in person's (INCIDENT_TOKEN's user, or --as with the password typed on a terminal) open "
        "callbacks due by the end of today (centre's zone), each with its script.\n\n"
        "Example: incident --as wangfang callbacks mine\n\n"
        "Example (a script): INCIDENT_TOKEN=<wangfang's token> incident callbacks mine",
    ),
    "remedy.help.callbacks.show": (
        "查看一个回访：客户、时限、拨打记录与话术。\n\n示例：incident callbacks show 31",
        "Show one callback: the customer, deadlines, attempts and the script.\n\nExample: incident callbacks show 31",
    ),
    "remedy.help.callbacks.record": (
        "记录一次回访拨打的结果。\n\n"
        "结果：reached（已接通，可记满意度 1–5 与新诉求）、no_answer（无人接听，下个工作日再拨）、"
        "wrong_number（号码错误）、refused（拒绝回访）。新诉求会转给另一位坐席跟进。\n\n"
        '示例：incident --as wangfang callbacks record 31 reached --satisfaction 4 --demand "希望补发快件"\n\n'
        "（--as 在终端上会询问该账号的网页密码；脚本中请改为设置其 API 令牌 INCIDENT_TOKEN，不用 --as）",
        "Record the result of one callback call.\n\n"
        "Results: reached (with satisfaction 1–5 and any new demand), no_answer (tried again the next "
        "working day), wrong_number, refused. A new demand opens a follow-up for another agent.\n\n"
        'Example: incident --as wangfang callbacks record 31 reached --satisfaction 4 --demand "resend the parcel"\n\n'
        "(--as asks for that account's web password on a terminal; in a script, set INCIDENT_TOKEN to their "
        "API token instead)",
    ),
    "remedy.help.arg.callback": ("回访编号", "callback id"),
    "remedy.help.arg.result": (
        "结果：reached、no_answer、wrong_number、refused",
        "result: reached, no_answer, wrong_number, refused",
    ),
    "remedy.help.opt.agent": ("坐席（花名册键或姓名）", "agent (roster key or name)"),
    "remedy.help.opt.satisfaction": (
        "满意度 1–5（5 为非常满意），仅接通时",
        "satisfaction 1–5 (5 = very satisfied), when reached",
    ),
    "remedy.help.opt.note": ("本次通话备注", "a note on this call"),
    "remedy.help.opt.demand": (
        "客户提出的新诉求（转另一位坐席跟进）",
        "a new demand the customer raised (a follow-up for another agent)",
    ),
    # ---- help: reports ------------------------------------------------------
    "remedy.help.report": (
        "报告：单个事件的补救情况，与中心日报（Markdown + HTML）。\n\n"
        "  incident report incident 12\n\n"
        "  incident report daily --date 2026-11-24",
        "Reports: one incident's remedy figures, and the centre's daily report (Markdown + HTML).\n\n"
        "  incident report incident 12\n\n"
        "  incident report daily --date 2026-11-24",
    ),
    "remedy.help.report.incident": (
        "事件的补救报告：受影响客户、已补偿客户与金额、回访完成/超时/未联系上、满意度分布。\n\n"
        "示例：incident report incident 12 --json",
        "An incident's remedy report: affected customers, who was compensated and how much, callbacks done / overdue / "
        "unreached, the satisfaction distribution.\n\nExample: incident report incident 12 --json",
    ),
    "remedy.help.report.daily": (
        "写出某日的日报（问题类型、回访处理率、满意度），Markdown 与 HTML 各一份（语言随 --lang）。\n\n"
        "示例：incident report daily --date 2026-11-24 --out reports/",
        "Write a day's report (problem types, callback handling rate, satisfaction) as Markdown and HTML (in the "
        "language of --lang).\n\nExample: incident report daily --date 2026-11-24 --out reports/",
    ),
    "remedy.help.opt.date": (
        "日期 YYYY-MM-DD（默认中心时区的今天）",
        "the day, YYYY-MM-DD (default: today in the centre's zone)",
    ),
    "remedy.help.opt.out_dir": (
        "输出目录（默认 <数据目录>/reports）",
        "output directory (default: <data dir>/reports)",
    ),
}

CATALOG.update(CLI_REMEDY_HELP_TEXTS)
