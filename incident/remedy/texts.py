"""The remedy half's texts (affected customers, compensation, callbacks,
reports), zh-CN and en, registered into the one catalogue."""

from __future__ import annotations

from incident.i18n import CATALOG, LABELS

LABELS["request_type"] = {
    "consultation": ("咨询", "consultation"),
    "complaint": ("投诉", "complaint"),
    "suggestion": ("建议", "suggestion"),
    "urgent": ("紧急", "urgent"),
    "other": ("其他", "other"),
}
LABELS["form"] = {
    "coupon": ("优惠券", "coupon"),
    "points": ("积分", "points"),
    "refund": ("退款", "refund"),
    "service_extension": ("服务延期", "service extension"),
    "gift": ("礼品", "gift"),
}
LABELS["customer_source"] = {
    "import": ("文件导入", "a file"),
    "complaint": ("匹配的投诉", "matching complaints"),
    "manual": ("手工添加", "added by hand"),
    "api": ("接口", "the API"),
}
LABELS["unit"] = {"yuan": ("元", "yuan"), "points": ("分", "points"), "days": ("天", "days")}
LABELS["comp_status"] = {
    "proposed": ("待审批", "proposed"),
    "approved": ("已批准", "approved"),
    "issued": ("已发放", "issued"),
    "failed": ("失败", "failed"),
    "reversed": ("已冲回", "reversed"),
}
LABELS["cover"] = {
    "insured_goods": ("保险物品", "insured goods"),
    "insured_documents": ("保险文件", "insured documents"),
    "uninsured": ("未保险", "uninsured"),
    "declared_value": ("保价", "declared value"),
}
LABELS["callback_reason"] = {
    "unfinished": ("未办结回访", "unfinished business"),
    "result": ("结果回访", "result"),
    "follow_up": ("新诉求跟进", "follow-up"),
}
LABELS["callback_status"] = {
    "open": ("待回访", "open"),
    "done": ("已完成", "done"),
    "unreached": ("未联系上", "unreached"),
    "cancelled": ("已取消", "cancelled"),
}
LABELS["callback_result"] = {
    "reached": ("已接通", "reached"),
    "no_answer": ("无人接听", "no answer"),
    "wrong_number": ("号码错误", "wrong number"),
    "refused": ("拒绝回访", "refused"),
}

REPORT_KEYS = (
    "report.problem_types",
    "report.type",
    "report.count",
    "report.total",
    "report.top_categories",
    "report.handling",
    "report.callbacks_due",
    "report.callbacks_handled",
    "report.handling_rate",
    "report.callbacks_on_time",
    "report.overdue_open",
    "report.incidents_opened",
    "report.incidents_resolved",
    "report.satisfaction",
    "report.answers",
    "report.mean",
)

REMEDY_TEXTS: dict[str, tuple[str, str]] = {
    # ---- affected customers ---------------------------------------------
    "customer.error.missing": ("缺少必填项「{field}」", "the required field '{field}' is missing"),
    "customer.error.too_long": ("「{field}」最多 {max} 个字符", "'{field}' is at most {max} characters"),
    "customer.error.number": (
        "「{field}」应为非负数字（收到「{value}」）",
        "'{field}' must be a number ≥ 0 (got '{value}')",
    ),
    "customer.error.lang": ("未知语言「{value}」；请用 zh-CN 或 en", "unknown language '{value}'; use zh-CN or en"),
    "customer.error.insured": (
        "无法识别的保险类型「{value}」；可用：goods/货物、documents/文件、no/否",
        "cannot read insured '{value}'; use goods, documents or no",
    ),
    "customer.error.time": ("无法识别的时间「{value}」", "cannot read the time '{value}'"),
    "customer.error.not_object": (
        "此行不是一个对象（JSON 对象或 CSV 行）",
        "this line is not a record (a JSON object or a CSV row)",
    ),
    "customer.error.unreadable": ("无法读取：{reason}", "cannot read: {reason}"),
    "customer.error.incident_closed": (
        "{ref} 已关闭，不能再添加受影响客户",
        "{ref} is closed; no more affected customers can be added",
    ),
    "customer.error.duplicate": (
        "客户「{ref}」已在 {incident} 的受影响客户中",
        "customer '{ref}' is already affected by {incident}",
    ),
    "customer.error.unknown": ("{incident} 的受影响客户中没有「{ref}」", "{incident} has no affected customer '{ref}'"),
    "customer.error.header": (
        "文件首行没有客户编号列（customer_ref / 客户编号）；现有列：{columns}",
        "the file's first line has no customer_ref column (customer_ref / 客户编号); columns: {columns}",
    ),
    "customer.error.json": ("不是有效的 JSON：{reason}", "not valid JSON: {reason}"),
    "customer.error.csv": ("CSV 格式错误：{reason}", "bad CSV: {reason}"),
    "customer.error.columns": (
        "此行有 {got} 列，表头只有 {expected} 列",
        "this row has {got} cells, the header {expected}",
    ),
    "customer.error.too_few": (
        "此行只有 {got} 列，表头有 {expected} 列：是否少了分隔的逗号？此行未导入",
        "this row has only {got} cells where the header has {expected}: are commas missing? Not imported",
    ),
    "customer.error.ref_shape": (
        "「{field}」的值「{value}」像一句话，不像客户编号：是否少了分隔的逗号？",
        "'{field}' holds '{value}', a sentence rather than a customer number: are commas missing?",
    ),
    "customer.error.contact": (
        "「{field}」的值「{value}」既不是电话号码也不是邮箱",
        "'{field}' holds '{value}', which is neither a phone number nor an e-mail address",
    ),
    "customer.error.format": (
        "不支持的文件格式「{fmt}」；请用 .csv 或 .jsonl",
        "unsupported file format '{fmt}'; use .csv or .jsonl",
    ),
    "customer.error.no_file": ("找不到文件 {path}", "no such file: {path}"),
    "customer.error.encoding": ("文件既不是 UTF-8 也不是 GBK 编码", "the file is neither UTF-8 nor GBK"),
    # ---- compensation ---------------------------------------------------
    "comp.error.bad_form": (
        "未知的补偿方式「{value}」；可选：{allowed}",
        "unknown compensation form '{value}'; choose one of: {allowed}",
    ),
    "comp.error.bad_amount": ("补偿数额必须大于 0（收到 {value}）", "the amount must be greater than 0 (got {value})"),
    "comp.error.not_amount": (
        "「{value}」不是有效的数额（数字，最多两位小数，如 12.50）",
        "'{value}' is not a valid amount (a number with at most two decimals, e.g. 12.50)",
    ),
    "comp.error.over_cap": (
        "客户「{ref}」补偿 {amount} 元超出{cover:cover}每票上限 {cap} 元（004 ch.3 §2，已承诺 {already} 元）；"
        "可改为不超过 {room} 元，或以积分、服务延期等方式补偿",
        "{amount} yuan for customer '{ref}' is over the {cover:cover} cap of {cap} yuan per waybill "
        "(004 ch.3 §2; {already} yuan already committed); "
        "offer at most {room} yuan, or points or a service extension instead",
    ),
    "comp.error.exists": (
        "客户「{ref}」在本事件已有{form:form}补偿（#{id}，{status:comp_status}）",
        "customer '{ref}' already has a {form:form} entry for this incident (#{id}, {status:comp_status})",
    ),
    "comp.error.no_policy": (
        "配置中没有补偿政策（[[compensation.policies]]）；请先配置或逐个提出补偿",
        "no compensation policy is configured ([[compensation.policies]]); add one, or propose entries one by one",
    ),
    "comp.error.formula": ("补偿公式无法计算：{reason}", "the compensation formula failed: {reason}"),
    "comp.error.no_entry": ("没有编号为 {id} 的补偿记录", "there is no compensation entry {id}"),
    "comp.error.not_supervisor": (
        "{person} 不是主管，不能审批补偿；可审批的人：{allowed}",
        "{person} is not a supervisor and cannot approve compensation; who can: {allowed}",
    ),
    "comp.error.own_proposal": (
        "不能审批自己提出的补偿（四眼原则）：#{ids}",
        "you cannot approve your own proposals (four eyes): #{ids}",
    ),
    "comp.error.reason_needed": ("请写明原因", "please give a reason"),
    "comp.error.bad_state": (
        "补偿 #{id} 当前为「{status:comp_status}」，不能执行 {action}",
        "compensation #{id} is {status:comp_status}; cannot {action} it",
    ),
    # ---- callbacks ------------------------------------------------------
    "callback.error.none": ("没有编号为 {id} 的回访", "there is no callback {id}"),
    "callback.error.bad_result": (
        "未知的回访结果「{value}」；可选：{allowed}",
        "unknown call result '{value}'; choose one of: {allowed}",
    ),
    "callback.error.closed": (
        "回访 #{id} 已是「{status:callback_status}」，不能再记录",
        "callback #{id} is {status:callback_status}; nothing more can be recorded",
    ),
    "callback.error.satisfaction": (
        "满意度应为 1–5（5 为非常满意），收到 {value}",
        "satisfaction is 1–5 (5 = very satisfied); got {value}",
    ),
    "callback.error.satisfaction_unreached": (
        "未接通时不能记录满意度",
        "satisfaction can only be recorded when the customer was reached",
    ),
    "callback.error.demand_unreached": (
        "未接通时不能记录新诉求",
        "a new demand can only be recorded when the customer was reached",
    ),
    "callback.comp.coupon": ("{amount} 元优惠券", "a {amount} yuan coupon"),
    "callback.comp.points": ("{amount} 积分", "{amount} points"),
    "callback.comp.refund": ("退款 {amount} 元", "a refund of {amount} yuan"),
    "callback.comp.service_extension": ("服务延期 {amount} 天", "a {amount}-day service extension"),
    "callback.comp.gift": ("价值 {amount} 元的礼品", "a gift worth {amount} yuan"),
    "callback.comp.sentence": ("作为补偿，我们为您提供{items}。", "To make up for it, we are giving you {items}."),
    # ---- notifications --------------------------------------------------
    "notify.budget_passed": (
        "{ref}「{title}」已承诺补偿 {committed} 元，超过预算 {budget} 元",
        '{ref} "{title}": {committed} yuan of compensation committed, over the budget of {budget} yuan',
    ),
    "notify.callbacks_overdue": (
        "{ref}「{title}」有 {count} 个回访已超时（最久 {minutes} 分钟）：incident callbacks due --incident {ref}",
        '{ref} "{title}": {count} callbacks are overdue (the oldest by {minutes} min): '
        "incident callbacks due --incident {ref}",
    ),
    "notify.daily_report": (
        "{day} 日报：投诉 {complaints} 件，回访处理率 {rate}，满意度均分 {mean}；{path}",
        "daily report {day}: {complaints} complaints, callback handling rate {rate}, mean satisfaction {mean}; {path}",
    ),
    # ---- timeline -------------------------------------------------------
    "event.customers_added": (
        "新增受影响客户 {added} 位（来源：{source:customer_source}；重复 {duplicates}，错误 {errors}）",
        "{added} affected customers added (from {source:customer_source}; {duplicates} duplicates, {errors} errors)",
    ),
    "event.compensation_proposed": (
        "提出补偿 {count} 笔（待主管审批 {need_approval}，按政策自动批准 {auto_approved}）",
        "{count} compensation entries proposed "
        "({need_approval} await a supervisor, {auto_approved} approved by policy)",
    ),
    "event.compensation_approved": ("批准补偿 {count} 笔", "{count} compensation entries approved"),
    "event.compensation_rejected": ("驳回补偿 #{id}：{reason}", "compensation #{id} rejected: {reason}"),
    "event.compensation_issued": ("发放补偿 {count} 笔", "{count} compensation entries issued"),
    "event.compensation_failed": ("补偿 #{id} 发放失败：{error}", "compensation #{id} failed: {error}"),
    "event.compensation_reversed": (
        "冲回补偿 #{id}（{amount} {unit:unit}）：{reason}",
        "compensation #{id} reversed ({amount} {unit:unit}): {reason}",
    ),
    "event.budget_passed": (
        "补偿已承诺 {committed} 元，超过预算 {budget} 元",
        "compensation committed ({committed} yuan) is over the budget ({budget} yuan)",
    ),
    "event.callbacks_scheduled": (
        "安排{reason:callback_reason} {count} 个",
        "{count} callbacks scheduled ({reason:callback_reason})",
    ),
    "event.callbacks_overdue": (
        "{count} 个回访超时，已升级至主管 {supervisor}",
        "{count} callbacks overdue; escalated to supervisor {supervisor}",
    ),
    "event.follow_up_opened": (
        "回访 #{callback} 提出新诉求，已转 {assignee} 跟进（#{follow_up}）：{demand}",
        "callback #{callback} raised a new demand, passed to {assignee} (#{follow_up}): {demand}",
    ),
    "event.contact_revealed": (
        "为回访 #{callback} 查看了客户 {customer} 的联系方式",
        "contact of customer {customer} shown for callback #{callback}",
    ),
    # ---- configuration: the ticket system's link ([callbacks].ticket_url) ----
    "config.reason.ticket_url_invalid": (
        "工单链接模板无效：{value}（应为 http:// 或 https:// 地址）",
        "not a valid ticket link template: {value} (an http:// or https:// address)",
    ),
    "config.reason.ticket_url_placeholder": (
        "工单链接模板必须恰好包含一次 {{ticket}}，且不含其他花括号：{value}",
        "a ticket link template must hold {{ticket}} exactly once and no other braces: {value}",
    ),
    # ---- reports --------------------------------------------------------
    "api.error.actor_missing": (
        "请在请求头 X-Incident-Actor 中写明操作人（花名册中的键）",
        "name the person acting in the X-Incident-Actor header (a roster key)",
    ),
    "api.error.customers_body": (
        '请求体应为客户数组，或 {{"customers": [...]}}',
        'the body must be an array of customers, or {{"customers": [...]}}',
    ),
    "api.error.object_body": ("请求体应为 JSON 对象", "the body must be a JSON object"),
    "api.error.ids": ("ids 应为整数数组", "ids must be a list of whole numbers"),
    "api.error.action": ("未知操作「{value}」；可选：{allowed}", "unknown action '{value}'; choose one of: {allowed}"),
    "api.error.format": ("未知格式「{value}」；可选：{allowed}", "unknown format '{value}'; choose one of: {allowed}"),
    "report.daily_title": ("{centre} 日报 {day}", "{centre} daily report {day}"),
    "report.problem_types": ("问题类型", "Problem types"),
    "report.type": ("类型", "Type"),
    "report.count": ("数量", "Count"),
    "report.total": ("合计", "Total"),
    "report.top_categories": ("主要类别", "Top categories"),
    "report.handling": ("处理情况", "Handling"),
    "report.callbacks_due": ("当日应回访", "Callbacks due"),
    "report.callbacks_handled": ("已处理", "Handled"),
    "report.handling_rate": ("处理率", "handling rate"),
    "report.callbacks_on_time": ("按时处理", "Handled on time"),
    "report.overdue_open": ("超时未处理", "Overdue and open"),
    "report.incidents_opened": ("新发事件", "Incidents opened"),
    "report.incidents_resolved": ("已解决事件", "Incidents resolved"),
    "report.satisfaction": ("满意度（1–5，5 为非常满意）", "Satisfaction (1–5, 5 = very satisfied)"),
    "report.answers": ("评价数", "Answers"),
    "report.mean": ("均分", "Mean"),
}

CATALOG.update(REMEDY_TEXTS)

# Issue 21.4: the export provider's idempotency record is in the database.
CATALOG.update(
    {
        "comp.error.export_elsewhere": (
            "该补偿的导出行可能已写入另一台机器上的导出文件（{host}：{file}），本机无法核对；"
            "等待那台机器上的工作进程发放，或由人工核对该文件",
            "this entry's export line may already be in an export file on another machine ({host}: {file}), "
            "which this one cannot check; waiting for a worker on that machine to issue it, or for a person "
            "to check that file",
        ),
    }
)

# Intake review: a complaint time must lie between 2000 and a day after now.
CATALOG.update(
    {
        "customer.error.too_old": (
            "「{field}」的时间 {value} 早于 {earliest}，不是有效的投诉时间",
            "{field} {value} is before {earliest}: not a complaint's time",
        ),
        "customer.error.future": (
            "「{field}」的时间 {value} 晚于当前时间一天以上",
            "{field} {value} is more than a day in the future",
        ),
    }
)
