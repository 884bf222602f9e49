"""The monthly report's texts, zh-CN and en, in the one catalogue
(prefix ``monthly.``)."""

from __future__ import annotations

from incident.i18n import CATALOG, LABELS

LABELS["ticket_complexity"] = {"ordinary": ("普通", "ordinary"), "complex": ("复杂", "complex")}
LABELS["ticket_channel"] = {
    "phone": ("电话", "phone"),
    "chat": ("在线客服", "chat"),
    "email": ("邮件", "e-mail"),
    "social": ("社交媒体", "social media"),
    "app": ("应用", "app"),
}
LABELS["monthly_figure"] = {
    "complaints_received": ("受理工单", "tickets received"),
    "first_response_within_share": (
        "首次响应达标率（有时限的渠道：在线 30 秒、邮件 4 小时）",
        "first responses within deadline (channels with one: chat 30 s, e-mail 4 h)",
    ),
    "first_response_median_s": ("首次响应中位时长", "median first response"),
    "resolution_rate": ("解决率", "resolution rate"),
    "resolution_within_share": ("按时解决率", "resolved within deadline"),
    "resolution_median_s": ("解决中位时长", "median resolution"),
    "complaint_satisfaction_mean": ("工单满意度均分", "ticket satisfaction (mean)"),
    "callback_satisfaction_mean": ("回访满意度均分", "callback satisfaction (mean)"),
    "incidents_declared": ("宣布的事件", "incidents declared"),
    "incident_resolve_median_s": ("事件解决中位时长", "median time to resolve an incident"),
    "compensation_issued_yuan": ("已发放补偿金额（元）", "compensation issued (yuan)"),
    "compensation_issued_count": ("已发放补偿笔数", "compensation entries issued"),
    "callbacks_done": ("已完成回访", "callbacks done"),
    "callbacks_overdue": ("超时回访", "callbacks overdue"),
}

MONTHLY_TEXTS: dict[str, tuple[str, str]] = {
    "monthly.title": ("{centre} 月度报告 · {month}", "{centre} monthly report · {month}"),
    "monthly.incomplete": ("本月尚未结束：数据截至 {now}", "the month is not over: figures as of {now}"),
    "monthly.headlines": ("要点与环比", "Headlines against the previous month"),
    "monthly.figure": ("指标", "figure"),
    "monthly.value": ("本月", "this month"),
    "monthly.previous": ("上月（{month}）", "previous ({month})"),
    "monthly.change": ("变化", "change"),
    "monthly.tickets": ("工单服务时效", "Ticket service times"),
    "monthly.deadlines": (
        "时限：在线客服 30 秒、邮件 4 小时内首次响应；普通工单 {ordinary}、复杂工单 {complex} 内解决",
        "deadlines: first response within 30 s on chat and 4 h by e-mail; resolution within {ordinary} "
        "(ordinary) or {complex} (complex)",
    ),
    "monthly.by_channel": ("按渠道", "By channel"),
    "monthly.by_type": ("按诉求类型", "By request type"),
    "monthly.by_complexity": ("按复杂程度", "By complexity"),
    "monthly.group": ("分组", "group"),
    "monthly.received": ("受理", "received"),
    "monthly.responded": ("已响应", "responded"),
    "monthly.response_median": ("首响中位", "median response"),
    "monthly.response_p90": ("首响 P90", "response p90"),
    "monthly.response_within": ("首响达标（有时限的）", "response in time (of those with a deadline)"),
    "monthly.resolved": ("已解决", "resolved"),
    "monthly.resolution_median": ("解决中位", "median resolution"),
    "monthly.resolution_p90": ("解决 P90", "resolution p90"),
    "monthly.resolution_within": ("按时解决", "resolved in time"),
    "monthly.resolution_rate": ("解决率", "resolution rate"),
    "monthly.no_deadline": ("无时限", "no deadline"),
    "monthly.satisfaction": ("满意度（1–5）", "Satisfaction (1–5)"),
    "monthly.from_tickets": ("工单", "tickets"),
    "monthly.from_callbacks": ("回访", "callbacks"),
    "monthly.answers": ("评价数", "answers"),
    "monthly.mean": ("均分", "mean"),
    "monthly.incidents": ("事件", "Incidents"),
    "monthly.by_kind": ("按类型", "By kind"),
    "monthly.by_severity": ("按级别", "By severity"),
    "monthly.count": ("数量", "count"),
    "monthly.resolved_count": ("已解决", "resolved"),
    "monthly.detect": ("发现用时", "time to detect"),
    "monthly.acknowledge": ("确认用时", "time to acknowledge"),
    "monthly.first_statement": ("首份声明用时", "time to first statement"),
    "monthly.statement_on_time": ("声明按时", "statement in time"),
    "monthly.resolve": ("解决用时", "time to resolve"),
    "monthly.resolved_in_month": ("本月解决的事件：{n}", "incidents resolved this month: {n}"),
    "monthly.times_note": (
        "中位数（P90）；发现用时从首个信号或投诉起算，其余从宣布起算",
        "median (p90); detection counts from the first signal or complaint, the others from declaration",
    ),
    "monthly.compensation": ("补偿", "Compensation"),
    "monthly.comp_summary": (
        "本月发放 {count} 笔，{customers} 位客户，金额 {amount} 元",
        "{count} entries issued to {customers} customers, {amount} yuan",
    ),
    "monthly.form": ("形式", "form"),
    "monthly.amount": ("数额", "amount"),
    "monthly.callbacks": ("回访", "Callbacks"),
    "monthly.cb_due": ("本月到期", "due this month"),
    "monthly.cb_done": ("已完成", "done"),
    "monthly.cb_reached": ("已接通", "reached"),
    "monthly.cb_unreached": ("未联系上", "unreached"),
    "monthly.cb_open": ("待回访", "open"),
    "monthly.cb_overdue": ("超时", "overdue"),
    "monthly.chart_response": ("首次响应达标率（按渠道）", "First responses within deadline, by channel"),
    "monthly.chart_resolution": ("解决率（按诉求类型）", "Resolution rate, by request type"),
    "monthly.chart_incidents": ("事件数（按类型）", "Incidents, by kind"),
    "monthly.csv.section": ("部分", "section"),
    "monthly.csv.group": ("分组", "group"),
    "monthly.csv.metric": ("指标", "metric"),
    "monthly.csv.value": ("数值", "value"),
    "monthly.dur.s": ("{s} 秒", "{s} s"),
    "monthly.dur.m": ("{m} 分 {s} 秒", "{m} min {s} s"),
    "monthly.dur.h": ("{h} 小时 {m} 分", "{h} h {m} min"),
    "monthly.dur.d": ("{d} 天 {h} 小时", "{d} d {h} h"),
    "monthly.error.bad_month": (
        "无法识别的月份「{value}」；请用 YYYY-MM，例如 2026-11",
        "cannot read the month '{value}'; use YYYY-MM, e.g. 2026-11",
    ),
    # ---- the CLI ---------------------------------------------------------
    "monthly.help.command": (
        "写出月度报告（001 §4.2）：工单首次响应与解决时效、解决率、满意度、事件、补偿、回访及与上月的对比；"
        "Markdown、HTML 与 CSV 各一份（语言随 --lang）。\n\n"
        "示例：incident report monthly --month 2026-11 --dir reports/",
        "Write the monthly report (001 §4.2): ticket first-response and resolution times, resolution rate, "
        "satisfaction, incidents, compensation, callbacks and the change from the previous month, as Markdown, "
        "HTML and CSV (in the language of --lang).\n\nExample: incident report monthly --month 2026-11 --dir reports/",
    ),
    "monthly.help.opt.month": (
        "月份 YYYY-MM（默认：上一个完整月份）",
        "the month, YYYY-MM (default: the last complete month)",
    ),
    "monthly.help.opt.dir": (
        "报告写入的目录（默认：数据目录下的 reports）",
        "where to write (default: reports in the data directory)",
    ),
    "monthly.out.written": ("{month} 月度报告已写出：", "monthly report for {month} written:"),
    "monthly.out.tickets": (
        "工单 {received} 张：首响达标 {response}，解决率 {rate}，按时解决 {within}，满意度均分 {mean}",
        "{received} tickets: first responses in time {response}, resolution rate {rate}, resolved in time "
        "{within}, satisfaction {mean}",
    ),
    "monthly.out.incidents": (
        "事件 {count} 起（已解决 {resolved}），解决用时中位 {resolve}",
        "{count} incidents ({resolved} resolved), median time to resolve {resolve}",
    ),
    "monthly.out.remedy": (
        "补偿发放 {count} 笔 {amount} 元；回访到期 {due}，完成 {done}，超时 {overdue}",
        "compensation: {count} entries, {amount} yuan; callbacks due {due}, done {done}, overdue {overdue}",
    ),
}

CATALOG.update(MONTHLY_TEXTS)
