"""The remedy commands' own texts (columns, messages; the help is in
remedy_help_texts.py), zh-CN and en:
``customers``, ``comp``, ``callbacks`` and ``report``. Every key starts
with ``remedy.`` so that none can overwrite another half's text in the one
catalogue."""

from incident.cli import remedy_help_texts as _help  # noqa: F401  (registers the help texts)
from incident.i18n import CATALOG

CLI_REMEDY_TEXTS: dict[str, tuple[str, str]] = {
    # ---- progress -----------------------------------------------------------
    "remedy.out.importing": ("导入客户", "importing customers"),
    "remedy.out.proposing": ("按政策提出补偿", "proposing by policy"),
    "remedy.out.issuing": ("发放补偿", "issuing compensation"),
    # ---- output: customers --------------------------------------------------
    # Read, added, refused always; those already on the list only when there are some.
    "remedy.out.import_done": (
        "读取 {read} 行：新增 {added} 位客户，未导入 {errors} 行",
        "read {read} rows: {added} customers added, {errors} rows refused",
    ),
    "remedy.out.import_done_known": (
        "读取 {read} 行：新增 {added} 位客户，{duplicates} 位已在名单中，未导入 {errors} 行",
        "read {read} rows: {added} customers added, {duplicates} already on the list, {errors} rows refused",
    ),
    "remedy.out.row_error": ("第 {line} 行：{message}", "line {line}: {message}"),
    "remedy.out.more_errors": (
        "……另有 {n} 行错误（--json 查看全部）",
        "… and {n} more bad rows (--json lists them all)",
    ),
    "remedy.out.linked": (
        "匹配的投诉客户 {read} 位：新增 {added}，已在名单中 {duplicates}，错误 {errors}",
        "{read} customers of matching complaints: {added} added, {duplicates} already there, {errors} errors",
    ),
    "remedy.out.link_error": ("工单 #{line}：{message}", "complaint #{line}: {message}"),
    "remedy.out.customer_added": (
        "已将客户 {ref} 加入 {incident}（联系方式 {contact}）",
        "customer {ref} added to {incident} (contact {contact})",
    ),
    "remedy.out.scheduled": (
        "已安排回访 {created} 个，已分配 {assigned} 个",
        "{created} callbacks scheduled, {assigned} assigned",
    ),
    "remedy.out.customers_head": ("{incident} 受影响客户共 {total} 位", "{incident}: {total} affected customers"),
    "remedy.out.more_rows": (
        "仅显示前 {shown} 条，还有更多；用 --limit 0 显示全部",
        "showing the first {shown}; there are more, --limit 0 shows them all",
    ),
    "remedy.out.no_customers": (
        "{incident} 还没有受影响客户（incident customers import / add / link）",
        "{incident} has no affected customers yet (incident customers import / add / link)",
    ),
    # ---- output: compensation -----------------------------------------------
    "remedy.out.proposed_one": (
        "已提出补偿 #{id}：客户 {ref}，{form:form} {amount} {unit:unit}",
        "proposed #{id}: customer {ref}, {form:form} {amount} {unit:unit}",
    ),
    "remedy.out.auto_approved": ("低于审批门槛，已按政策批准", "under the approval threshold: approved by policy"),
    "remedy.out.awaits": (
        "超过审批门槛，需另一位主管审批：incident --as 主管 comp approve {id}（在终端上输入主管的密码）；"
        "脚本中：INCIDENT_TOKEN=<主管的令牌> incident comp approve {id}",
        "over the approval threshold: another person, a supervisor, must approve it: "
        "incident --as SUPERVISOR comp approve {id} (typing the supervisor's password on a terminal); "
        "in a script: INCIDENT_TOKEN=<the supervisor's token> incident comp approve {id}",
    ),
    "remedy.out.policy_done": (
        "新提出 {proposed} 笔（待审批 {need_approval}，按政策批准 {auto_approved}）；已存在 {existing}；"
        "不符合条件 {ineligible}；拒绝 {refused}",
        "{proposed} proposed ({need_approval} awaiting approval, {auto_approved} approved by policy); "
        "{existing} already there; "
        "{ineligible} ineligible; {refused} refused",
    ),
    "remedy.out.refused_row": ("客户 {ref}：{message}", "customer {ref}: {message}"),
    "remedy.out.more_refused": (
        "……另有 {n} 笔被拒绝（--json 查看全部）",
        "… and {n} more refused (--json lists them all)",
    ),
    "remedy.out.approve_hint": (
        "待审批的请由另一位主管审批：incident --as 主管 comp approve --incident {incident}（在终端上输入主管的密码）；"
        "脚本中：INCIDENT_TOKEN=<主管的令牌> incident comp approve --incident {incident}",
        "those awaiting approval go to another person, a supervisor: incident --as SUPERVISOR comp approve --incident "
        "{incident} (typing the supervisor's password on a terminal); in a script: "
        "INCIDENT_TOKEN=<the supervisor's token> incident comp approve --incident {incident}",
    ),
    "remedy.out.approved": ("已批准 {n} 笔补偿", "{n} compensation entries approved"),
    "remedy.out.approved_none": (
        "没有需要批准的补偿（已批准的不会重复批准）",
        "nothing to approve (entries already approved stay as they are)",
    ),
    "remedy.out.own_left": (
        "另有 {n} 笔是您本人提出的，须由另一位主管审批（四眼原则）",
        "{n} more are your own proposals and need another supervisor (four eyes)",
    ),
    "remedy.out.rejected": ("补偿 #{id} 已驳回：{reason}", "compensation #{id} rejected: {reason}"),
    "remedy.out.reversed": (
        "补偿 #{id} 已冲回（{amount} {unit:unit}）：{reason}",
        "compensation #{id} reversed ({amount} {unit:unit}): {reason}",
    ),
    "remedy.out.nothing_to_issue": ("没有待发放的补偿", "nothing approved is waiting to be issued"),
    "remedy.out.issued": (
        "发放成功 {issued}，失败 {failed}，待重试 {retrying}（{batches} 批）",
        "issued {issued}, failed {failed}, retrying {retrying} ({batches} batches)",
    ),
    "remedy.out.issue_error": ("未发放：{error}", "not issued: {error}"),
    "remedy.out.no_entries": ("没有符合条件的补偿记录", "no compensation entries match"),
    "remedy.out.totals_head": ("{incident} 补偿合计", "{incident} compensation totals"),
    "remedy.out.totals_status": (
        "  {status:comp_status}：{count} 笔（{amounts}）",
        "  {status:comp_status}: {count} ({amounts})",
    ),
    "remedy.out.totals_money": (
        "  已承诺 {committed} 元，已发放 {issued} 元，已补偿客户 {customers} 位",
        "  {committed} yuan committed, {issued} yuan issued, {customers} customers compensated",
    ),
    # ---- output: callbacks --------------------------------------------------
    "remedy.out.sweep": (
        "回访巡检：新建 {created}，取消 {cancelled}，分配 {assigned}，升级至主管 {escalated}",
        "callback sweep: {created} created, {cancelled} cancelled, {assigned} assigned, "
        "{escalated} escalated to the supervisor",
    ),
    "remedy.out.sweep_agent": ("  {agent}：分配 {n} 个", "  {agent}: {n} assigned"),
    "remedy.out.no_agents": (
        "没有可分配的坐席：请配置 [callbacks] agents，或承担 cs_lead 的团队的轮值成员",
        "no agent to assign to: set [callbacks] agents, or the rotation of the team covering cs_lead",
    ),
    "remedy.out.no_callbacks": ("没有需要现在拨打的回访", "no callbacks to make now"),
    "remedy.out.mine_head": ("{who} 截至 {until} 的回访：{n} 个", "{who}'s callbacks due by {until}: {n}"),
    "remedy.out.mine_none": ("{who} 今天（截至 {until}）没有待打的回访", "{who} has no callbacks due by {until}"),
    "remedy.out.mine_item": (
        "#{id} · {incident} · {reason:callback_reason} · {customer} {contact} · 拨打 {call_at} · 时限 {due_at}{late}",
        "#{id} · {incident} · {reason:callback_reason} · {customer} {contact} · call at {call_at} · due by "
        "{due_at}{late}",
    ),
    "remedy.out.callback_head": (
        "回访 #{id} · {incident} · {reason:callback_reason} · {status:callback_status}",
        "callback #{id} · {incident} · {reason:callback_reason} · {status:callback_status}",
    ),
    "remedy.out.script": ("话术：", "Script:"),
    "remedy.out.script_finding": ("  提醒 {rule}：「{text}」{message}", '  note {rule}: "{text}" {message}'),
    "remedy.out.attempt": (
        "  {at} {agent}：{result:callback_result}{note}",
        "  {at} {agent}: {result:callback_result}{note}",
    ),
    "remedy.out.recorded": (
        "回访 #{id}：{result:callback_result} → {status:callback_status}",
        "callback #{id}: {result:callback_result} → {status:callback_status}",
    ),
    "remedy.out.next_try": ("下次拨打：{at}（已拨 {attempts} 次）", "next try: {at} ({attempts} attempts so far)"),
    "remedy.out.follow_up": (
        "新诉求已转 {assignee} 跟进：回访 #{id}，须在 {due} 前完成",
        "the new demand goes to {assignee}: callback #{id}, due by {due}",
    ),
    "remedy.field.customer": ("客户", "Customer"),
    "remedy.field.contact": ("联系方式", "Contact"),
    "remedy.field.lang": ("语言", "Language"),
    "remedy.field.agent": ("坐席", "Agent"),
    "remedy.field.call_at": ("拨打时间", "Call at"),
    "remedy.field.due_at": ("时限", "Due by"),
    "remedy.field.attempts": ("已拨次数", "Attempts"),
    "remedy.field.outcome": ("最近结果", "Last result"),
    "remedy.field.satisfaction": ("满意度", "Satisfaction"),
    "remedy.field.note": ("备注/诉求", "Note / demand"),
    "remedy.field.escalated": ("已升级", "Escalated"),
    "remedy.field.parent": ("源自回访", "Follows callback"),
    "remedy.field.complex": ("复杂案件", "Complex case"),
    "remedy.field.attempt_log": ("拨打记录：", "Attempts:"),
    "remedy.yes": ("是", "yes"),
    "remedy.overdue": ("（已超时）", " (overdue)"),
    # ---- output: reports ----------------------------------------------------
    "remedy.out.report_head": (
        "{ref}「{title}」· {kind:kind} · SEV{severity} · {status:status}",
        '{ref} "{title}" · {kind:kind} · SEV{severity} · {status:status}',
    ),
    "remedy.out.report_affected": ("受影响客户：{n} 位（{sources}）", "Affected customers: {n} ({sources})"),
    "remedy.out.report_comp": (
        "补偿：已补偿客户 {customers} 位；已承诺 {committed} 元，已发放 {issued} 元",
        "Compensation: {customers} customers compensated; {committed} yuan committed, {issued} yuan issued",
    ),
    "remedy.out.report_form": (
        "  已发放{form:form}：{count} 笔，{amount} {unit:unit}",
        "  issued as {form:form}: {count}, {amount} {unit:unit}",
    ),
    "remedy.out.report_callbacks": (
        "回访：共 {total} 个；完成 {done}，待回访 {open}（超时 {overdue}），未联系上 {unreached}",
        "Callbacks: {total}; {done} done, {open} open ({overdue} overdue), {unreached} unreached",
    ),
    "remedy.out.report_satisfaction": (
        "满意度：{dist}；评价 {answers} 个，均分 {mean}，满意（4–5）占 {share}",
        "Satisfaction: {dist}; {answers} answers, mean {mean}, satisfied (4–5) {share}",
    ),
    "remedy.out.daily_written": ("{day} 日报已写入：", "Daily report for {day} written:"),
    "remedy.out.daily_complaints": ("投诉工单 {total} 件", "{total} complaint tickets"),
    "remedy.out.daily_callbacks": (
        "当日应回访 {due}，已处理 {handled}（处理率 {rate}），按时 {on_time}（{on_time_rate}），超时未处理 {overdue}",
        "callbacks due {due}, handled {handled} (handling rate {rate}), on time {on_time} ({on_time_rate}), "
        "overdue and open {overdue}",
    ),
    "remedy.out.daily_satisfaction": (
        "满意度：评价 {answers} 个，均分 {mean}",
        "satisfaction: {answers} answers, mean {mean}",
    ),
    "remedy.out.daily_incidents": (
        "事件：新发 {opened}，已解决 {resolved}",
        "incidents: {opened} opened, {resolved} resolved",
    ),
    # ---- columns ------------------------------------------------------------
    "remedy.col.id": ("编号", "ID"),
    "remedy.col.incident": ("事件", "Incident"),
    "remedy.col.ref": ("客户编号", "Customer"),
    "remedy.col.name": ("称呼", "Name"),
    "remedy.col.contact": ("联系方式", "Contact"),
    "remedy.col.lang": ("语言", "Lang"),
    "remedy.col.order": ("运单号", "Order"),
    "remedy.col.amount_at_stake": ("涉及金额", "At stake"),
    "remedy.col.cover": ("保险/保价", "Insured / declared"),
    "remedy.col.category": ("类别", "Category"),
    "remedy.col.branch": ("网点", "Branch"),
    "remedy.col.source": ("来源", "Source"),
    "remedy.col.form": ("方式", "Form"),
    "remedy.col.amount": ("数额", "Amount"),
    "remedy.col.status": ("状态", "Status"),
    "remedy.col.proposed_by": ("提出人", "Proposed by"),
    "remedy.col.approved_by": ("审批人", "Approved by"),
    "remedy.col.when": ("最近变更", "Last change"),
    "remedy.col.reason": ("类型", "Reason"),
    "remedy.col.agent": ("坐席", "Agent"),
    "remedy.col.call_at": ("拨打时间", "Call at"),
    "remedy.col.due_at": ("时限", "Due by"),
    "remedy.col.attempts": ("已拨", "Tries"),
    # ---- errors -------------------------------------------------------------
    "remedy.error.no_file": ("找不到文件 {path}", "no such file: {path}"),
    "remedy.error.propose_args": (
        "请用 --policy，或同时给出 --customer、--form 和 --amount（两种方式不能混用）",
        "use --policy, or give --customer, --form and --amount together (not both ways at once)",
    ),
    "remedy.error.approve_args": (
        "请给出补偿编号，或用 --incident（两者选一）",
        "name the entries, or use --incident (one or the other)",
    ),
    "remedy.error.bad_entry": ("无效的编号「{value}」（例如 7 或 #7）", "not an id: '{value}' (e.g. 7 or #7)"),
    "remedy.error.two_incidents": (
        "给了两个不同的事件：{first} 和 --incident {second}；只给一个",
        "two different incidents given: {first} and --incident {second}; give one",
    ),
    "remedy.error.bad_status": (
        "未知的补偿状态「{value}」；可选：{allowed}",
        "unknown compensation status '{value}'; choose one of: {allowed}",
    ),
    "remedy.error.positive": ("{option} 必须大于 0（收到 {value}）", "{option} must be greater than 0 (got {value})"),
    "remedy.error.not_negative": ("{option} 不能为负数（收到 {value}）", "{option} cannot be negative (got {value})"),
    "remedy.error.bad_date": (
        "无法识别的日期「{value}」；请用 YYYY-MM-DD，如 2026-11-24",
        "cannot read the date '{value}'; use YYYY-MM-DD, e.g. 2026-11-24",
    ),
}

CATALOG.update(CLI_REMEDY_TEXTS)
