"""Texts of the remedy pages (affected customers, the compensation ledger,
"my callbacks today"), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

REMEDY_TEXTS: dict[str, tuple[str, str]] = {
    # ---- the overview ------------------------------------------------------
    "web.remedy.index.title": ("补偿与回访", "Remedy: customers, compensation, callbacks"),
    "web.remedy.index.intro": (
        "进行中的事件，以及已登记受影响客户的事件：客户数、补偿台账与回访情况。",
        "Open incidents, and those with affected customers: customers, the compensation ledger and callbacks.",
    ),
    "web.remedy.index.overdue_all": ("共有 {n} 通回访已超时", "{n} callbacks overdue in all"),
    "web.remedy.index.no_overdue": ("没有超时的回访", "No callback is overdue"),
    "web.remedy.index.all_callbacks": ("今天所有坐席的回访", "Everyone's callbacks today"),
    "web.remedy.index.money": (
        "已承诺 {committed} 元 / 已发放 {issued} 元",
        "{committed} yuan committed / {issued} issued",
    ),
    "web.remedy.index.callbacks": ("待回访 {open}", "{open} open"),
    "web.remedy.index.callbacks_overdue": ("{n} 通超时", "{n} overdue"),
    "web.remedy.index.none": (
        "没有进行中的事件，也没有登记受影响客户的事件。",
        "No open incidents, and no incident has affected customers.",
    ),
    # ---- columns -----------------------------------------------------------
    "web.remedy.col.incident": ("事件", "Incident"),
    "web.remedy.col.status": ("状态", "Status"),
    "web.remedy.col.customers": ("受影响客户", "Customers"),
    "web.remedy.col.awaiting": ("待审批", "Awaiting approval"),
    "web.remedy.col.to_issue": ("待发放", "To issue"),
    "web.remedy.col.money": ("补偿金额", "Money"),
    "web.remedy.col.callbacks": ("回访", "Callbacks"),
    "web.remedy.col.ref": ("客户编号", "Customer ref"),
    "web.remedy.col.name": ("称呼", "Name"),
    "web.remedy.col.contact": ("联系方式", "Contact"),
    "web.remedy.col.lang": ("语言", "Language"),
    "web.remedy.col.order": ("运单号", "Waybill"),
    "web.remedy.col.at_stake": ("涉及金额（元）", "At stake (yuan)"),
    "web.remedy.col.cover": ("保障", "Cover"),
    "web.remedy.col.category": ("类别", "Category"),
    "web.remedy.col.branch": ("网点", "Branch"),
    "web.remedy.col.source": ("来源", "Source"),
    "web.remedy.col.count": ("笔数", "Entries"),
    "web.remedy.col.amount": ("数额", "Amount"),
    "web.remedy.col.form": ("补偿方式", "Form"),
    "web.remedy.col.basis": ("依据", "Basis"),
    "web.remedy.col.proposed_by": ("提出人", "Proposed by"),
    "web.remedy.col.approved_by": ("批准人", "Approved by"),
    "web.remedy.col.when": ("时间", "When"),
    "web.remedy.col.actions": ("操作", "Actions"),
    # ---- one incident: affected customers -----------------------------------
    "web.remedy.inc.summary": (
        "受影响客户 {customers} 位 · 待回访 {open} 通",
        "{customers} affected customers · {open} callbacks open",
    ),
    "web.remedy.customers.title": ("受影响客户（{n}）", "Affected customers ({n})"),
    "web.remedy.customers.none": ("还没有登记受影响客户。", "No affected customers yet."),
    "web.remedy.complex": ("复杂", "complex"),
    "web.remedy.customers.add": ("添加一位客户", "Add one customer"),
    "web.remedy.customers.add_button": ("添加客户", "Add customer"),
    "web.remedy.customers.masked": (
        "电话只保存尾号 4 位；添加后会立即安排回访。",
        "Only the phone's last four digits are stored; the callback is scheduled at once.",
    ),
    "web.remedy.f.name": ("姓名", "Name"),
    "web.remedy.f.title": ("称谓", "Title"),
    "web.remedy.f.contact": ("电话", "Phone"),
    "web.remedy.f.at_stake": ("涉及金额（元）", "Amount at stake (yuan)"),
    "web.remedy.f.insured": ("保险", "Insurance"),
    "web.remedy.f.declared": ("保价（元）", "Declared value (yuan)"),
    "web.remedy.f.complex": ("复杂案件（48 小时内回访）", "complex case (callback within 48 h)"),
    "web.remedy.f.reason": ("原因", "Reason"),
    "web.remedy.lang.default": ("默认", "default"),
    "web.remedy.lang.zh-CN": ("中文", "Chinese"),
    "web.remedy.lang.en": ("英文", "English"),
    "web.remedy.customers.import": ("粘贴客户清单（CSV 或 JSONL）", "Paste a customer list (CSV or JSONL)"),
    "web.remedy.customers.import_help": (
        "第一行为表头，中英文列名均可：customer_ref/客户编号（必填）、name/姓名、title/称谓、contact/电话、lang、"
        "order_ref/运单号、amount/涉及金额、insured/保险（goods/货物、documents/文件、no/否）、declared_value/保价、"
        "category、branch、complained_at。有问题的行按行号列出，其余照常导入；同一客户不会重复添加。",
        "The first line is the header, in English or Chinese: customer_ref/客户编号 (required), name/姓名, title/称谓, "
        "contact/电话, lang, order_ref/运单号, amount/涉及金额, insured/保险 (goods, documents, no), "
        "declared_value/保价, category, branch, complained_at. Bad rows are listed by line number and the good ones "
        "kept; nobody is added twice.",
    ),
    "web.remedy.customers.rows": ("客户清单", "Customer list"),
    "web.remedy.customers.format": ("格式", "Format"),
    "web.remedy.customers.import_button": ("导入", "Import"),
    "web.remedy.customers.before_hours": ("事件开始前（小时）", "Hours before the start"),
    "web.remedy.customers.link_button": ("从匹配的投诉添加客户", "Add the customers of matching complaints"),
    "web.remedy.customers.link_help": (
        "按事件的网点、渠道、产品与信号类别，从开始前若干小时到解决为止。",
        "By the incident's branches, channels, products and signal categories, from "
        "that many hours before it started until it was resolved.",
    ),
    # ---- one incident: the ledger -------------------------------------------
    "web.remedy.ledger.title": ("补偿台账", "Compensation ledger"),
    "web.remedy.ledger.empty": ("还没有补偿记录", "no entries yet"),
    "web.remedy.ledger.money": (
        "已承诺 {committed} 元，已发放 {issued} 元，已补偿客户 {customers} 位。",
        "{committed} yuan committed, {issued} yuan issued, {customers} customers compensated.",
    ),
    "web.remedy.ledger.budget": ("预算 {budget} 元，已用 {share}%。", "Budget {budget} yuan, {share}% committed."),
    "web.remedy.ledger.over_budget": ("已超出预算，主管已收到通知。", "Over budget: the supervisors have been told."),
    "web.remedy.ledger.rules": (
        "超过 {yuan} 元、{points} 积分或 {days} 天的补偿须由主管审批（不能审批自己提出的）；主管：{supervisors}。"
        "每票上限：保险物品按实际损失最多 {goods} 元，文件 {documents} 元，未保险 {uninsured} 元，"
        "保价最多 {declared} 元。",
        "Above {yuan} yuan, {points} points or {days} days an entry needs a supervisor's approval "
        "(never the proposer's own); supervisors: {supervisors}. Caps per waybill: insured goods "
        "the actual loss up to {goods} yuan, documents {documents}, uninsured {uninsured}, "
        "declared value up to {declared}.",
    ),
    # ---- confirmation before a bulk money action ----------------------------
    "web.remedy.confirm.title_policy": ("确认：按补偿政策提出补偿", "Confirm: propose compensation by policy"),
    "web.remedy.confirm.title_issue": ("确认：发放已批准的补偿", "Confirm: issue the approved compensation"),
    "web.remedy.confirm.summary_policy": (
        "将按补偿政策为 {n} 位客户提出补偿，共 {amounts}。",
        "This proposes compensation for {n} customers by policy, {amounts} in all.",
    ),
    "web.remedy.confirm.summary_issue": (
        "将把 {n} 笔已批准的补偿交给发放渠道，共 {amounts}；发出后只能冲正，不能撤回。",
        "This sends {n} approved entries to the provider, {amounts} in all; once sent they can only be reversed.",
    ),
    "web.remedy.confirm.policy_detail": (
        "其中 {need} 笔需主管批准，{auto} 笔在自动批准额度内；已有补偿 {existing} 位，不符合政策 {ineligible} 位，"
        "无法计算 {refused} 位。",
        "Of these {need} need a supervisor's approval and {auto} are within the automatic limit; {existing} "
        "customers already have an entry, {ineligible} are not covered, {refused} could not be computed.",
    ),
    "web.remedy.confirm.go_policy": ("确认提出 {n} 笔（{amounts}）", "Propose {n} entries ({amounts})"),
    "web.remedy.confirm.go_issue": ("确认发放 {n} 笔（{amounts}）", "Issue {n} entries ({amounts})"),
    "web.remedy.confirm.none_policy": (
        "按当前政策没有需要新提出的补偿。",
        "The policy has no new compensation to propose.",
    ),
    "web.remedy.confirm.none_issue": ("没有已批准待发放的补偿。", "There is no approved compensation to issue."),
    "web.remedy.confirm.cancel": ("取消", "Cancel"),
    "web.remedy.confirm.back": ("返回台账", "Back to the ledger"),
    "web.remedy.confirm.changed": (
        "台账在您确认后有变化：确认时是 {expected} 笔，现在是 {now} 笔。什么都没有做；请重新确认。",
        "The ledger changed after you confirmed: {expected} entries then, {now} now. Nothing was done; "
        "please confirm again.",
    ),
    "web.remedy.ledger.propose_policy": ("按补偿政策为所有客户提出补偿", "Propose for every customer by policy"),
    "web.remedy.ledger.approve_all": (
        "批准全部待审批（{n}，本人提出的除外）",
        "Approve all awaiting ({n}, except your own)",
    ),
    "web.remedy.ledger.issue": ("立即发放已批准的补偿（{n}）", "Issue approved entries now ({n})"),
    "web.remedy.ledger.not_supervisor_hint": (
        "您不是主管：审批会被台账拒绝，请联系主管。",
        "You are not a supervisor: the ledger will refuse your approval; ask a supervisor.",
    ),
    "web.remedy.ledger.propose_one": ("为一位客户提出补偿", "Propose for one customer"),
    "web.remedy.ledger.propose_button": ("提出补偿", "Propose"),
    "web.remedy.ledger.all": ("全部", "All"),
    "web.remedy.ledger.no_entries": ("没有符合条件的补偿记录。", "No entries."),
    "web.remedy.ledger.needs_supervisor": ("需主管审批", "needs a supervisor"),
    "web.remedy.ledger.yours": ("您提出的：由另一位主管审批", "yours: another supervisor approves"),
    "web.remedy.ledger.by_policy": ("按政策自动批准", "by policy"),
    "web.remedy.ledger.approve": ("批准", "Approve"),
    "web.remedy.ledger.reject": ("驳回", "Reject"),
    "web.remedy.ledger.reverse": ("冲回", "Reverse"),
    # ---- results of the forms -----------------------------------------------
    "web.remedy.done.scheduled": (
        "已安排回访 {created} 通，分配 {assigned} 通。",
        "{created} callbacks scheduled, {assigned} assigned.",
    ),
    "web.remedy.done.no_agents": (
        "没有可分配的坐席（[callbacks] 或客服团队），回访暂未分配。",
        "No agents to assign them to ([callbacks] or the customer-service team): not assigned yet.",
    ),
    "web.remedy.done.more": ("……另有 {n} 条", "… and {n} more"),
    "web.remedy.done.customer_added": (
        "已将客户「{ref}」加入 {incident}（联系方式 {contact}）。",
        "Customer '{ref}' added to {incident} (contact {contact}).",
    ),
    # Read, added, refused always; those already on the list only when there are some.
    "web.remedy.done.imported": (
        "读取 {read} 行：新增 {added} 位客户，未导入 {errors} 行。",
        "{read} rows read: {added} customers added, {errors} rows refused.",
    ),
    "web.remedy.done.imported_known": (
        "读取 {read} 行：新增 {added} 位客户，{duplicates} 位已在名单中，未导入 {errors} 行。",
        "{read} rows read: {added} customers added, {duplicates} already on the list, {errors} rows refused.",
    ),
    "web.remedy.done.row_error": ("第 {line} 行：{message}", "line {line}: {message}"),
    "web.remedy.done.linked": (
        "匹配到 {read} 位投诉客户：新增 {added}，已在清单 {duplicates}，有问题 {errors}。",
        "{read} complaint customers matched: {added} added, {duplicates} already there, {errors} bad.",
    ),
    "web.remedy.done.link_error": ("投诉 #{line}：{message}", "complaint #{line}: {message}"),
    "web.remedy.done.proposed_one": (
        "已提出补偿 #{id}：客户「{ref}」{form} {amount} {unit}。",
        "Entry #{id} proposed: customer '{ref}', {form} {amount} {unit}.",
    ),
    "web.remedy.done.awaits": ("超过审批额度，等待主管审批。", "It is above the threshold and awaits a supervisor."),
    "web.remedy.done.auto_approved": ("在额度内，已按政策批准。", "Within the threshold: approved by policy."),
    "web.remedy.done.policy": (
        "按政策提出 {proposed} 笔（待主管审批 {need_approval}，自动批准 {auto_approved}）；已有 {existing}，"
        "不在政策范围 {ineligible}，被拒 {refused}。",
        "{proposed} proposed by policy ({need_approval} await a supervisor, {auto_approved} approved "
        "by policy); {existing} already there, {ineligible} not covered, {refused} refused.",
    ),
    "web.remedy.done.refused_row": ("「{ref}」：{message}", "'{ref}': {message}"),
    "web.remedy.done.approved": ("已批准 {n} 笔补偿。", "{n} entries approved."),
    "web.remedy.done.approved_none": ("没有需要批准的补偿。", "Nothing to approve."),
    "web.remedy.done.own_left": (
        "您提出的 {n} 笔需由另一位主管审批。",
        "{n} of your own proposals need another supervisor.",
    ),
    "web.remedy.done.rejected": ("补偿 #{id} 已驳回：{reason}", "Entry #{id} rejected: {reason}"),
    "web.remedy.done.reversed": (
        "补偿 #{id}（{amount} {unit}）已冲回：{reason}",
        "Entry #{id} ({amount} {unit}) reversed: {reason}",
    ),
    "web.remedy.done.nothing_to_issue": ("没有待发放的补偿。", "Nothing to issue."),
    "web.remedy.done.issued": (
        "已发放 {issued} 笔，失败 {failed}，稍后重试 {retrying}；仍待发放 {pending}。",
        "{issued} issued, {failed} failed, {retrying} to retry; {pending} still to issue.",
    ),
    # Said to a web user in words (the admin page), not as a CLI command.
    "web.remedy.ledger.unreachable": (
        "主管 {names} 没有可审批补偿的账号（角色「事件负责人」或「客服主管」），无法审批。"
        "请管理员在「用户管理」页（/admin/users）处理：{first} 已有账号的，为其加上其中一个角色；"
        "还没有的，添加一个账号，「值班名册人员」选 {first}。",
        "Supervisor(s) {names} have no account that may approve compensation (role lead or cs lead), "
        "so cannot approve. An administrator sees to it on the Users page (/admin/users): gives {first}'s "
        "account one of those roles or, if there is none yet, adds an account with {first} as its roster person.",
    ),
    "web.remedy.error.paste_empty": ("请粘贴客户清单", "paste the customer list first"),
    "web.remedy.error.before_hours": (
        "「事件开始前（小时）」应为 0–720 的数字（收到「{value}」）",
        "'hours before the start' must be a number from 0 to 720 (got '{value}')",
    ),
    "web.remedy.error.bad_entry": ("无效的补偿编号「{value}」", "not an entry number: '{value}'"),
    # ---- my callbacks today ---------------------------------------------------
    "web.remedy.cb.title_for": ("{who} 今天的回访（截至 {until}）", "{who}'s callbacks today (until {until})"),
    "web.remedy.cb.title_all": ("今天所有坐席的回访（截至 {until}）", "Everyone's callbacks today (until {until})"),
    "web.remedy.cb.agent": ("坐席", "Agent"),
    "web.remedy.cb.all_agents": ("全部坐席", "all agents"),
    "web.remedy.cb.show": ("查看", "Show"),
    "web.remedy.cb.count": ("今天需回访 {n} 通", "{n} calls to make today"),
    "web.remedy.cb.late_count": ("其中 {n} 通已超时，排在最前", "{n} overdue, listed first"),
    "web.remedy.cb.more": (
        "只显示前 {n} 通；完成后刷新页面查看其余的。",
        "Only the first {n} are shown; reload when they are done.",
    ),
    "web.remedy.cb.none": ("今天没有需要回访的客户。", "No callbacks to make today."),
    "web.remedy.cb.overdue": ("已超时", "overdue"),
    "web.remedy.cb.contact": ("电话 {contact}", "phone {contact}"),
    "web.remedy.cb.call_at": ("拨打时间 {at}", "call from {at}"),
    "web.remedy.cb.due_at": ("期限 {at}", "due {at}"),
    "web.remedy.cb.attempts": ("已拨打 {n} 次", "{n} attempts so far"),
    "web.remedy.cb.order": ("运单号 {order}", "waybill {order}"),
    "web.remedy.cb.demand_was": ("客户的新诉求：{demand}", "The customer's new demand: {demand}"),
    "web.remedy.cb.assignee": ("负责：{who}", "agent: {who}"),
    "web.remedy.cb.script": ("回访话术", "Script"),
    "web.remedy.cb.copy": ("复制话术", "Copy script"),
    "web.remedy.cb.copied": ("已复制 ✓", "Copied ✓"),
    "web.remedy.cb.copy_failed": ("已选中，请按 Ctrl+C 复制", "Selected: press Ctrl+C to copy"),
    "web.remedy.cb.result": ("结果", "Result"),
    "web.remedy.cb.satisfaction": ("满意度（接通时询问）", "Satisfaction (when reached)"),
    "web.remedy.cb.stars.5": ("5 非常满意", "5 very satisfied"),
    "web.remedy.cb.stars.4": ("4 满意", "4 satisfied"),
    "web.remedy.cb.stars.3": ("3 一般", "3 neutral"),
    "web.remedy.cb.stars.2": ("2 不满意", "2 dissatisfied"),
    "web.remedy.cb.stars.1": ("1 非常不满意", "1 very dissatisfied"),
    "web.remedy.cb.note": ("备注", "Note"),
    "web.remedy.cb.demand": ("新诉求（将转给另一位坐席跟进）", "New demand (goes to another agent as a follow-up)"),
    "web.remedy.cb.record_help": (
        "无人接听：下一个工作日再拨；号码错误：标记为未联系上。",
        "No answer: called again the next working day; wrong number: marked unreached.",
    ),
    "web.remedy.cb.record": ("记录结果", "Record outcome"),
    "web.remedy.cb.done.recorded": (
        "回访 #{id} 已记录：{result}，现为「{status}」。",
        "Callback #{id} recorded: {result}; now {status}.",
    ),
    "web.remedy.cb.done.next_try": (
        "将于 {at} 再次拨打（已拨 {attempts} 次）。",
        "Next try {at} ({attempts} attempts so far).",
    ),
    "web.remedy.cb.done.follow_up": (
        "新诉求已转给 {assignee}（跟进 #{id}，期限 {due}）。",
        "The new demand went to {assignee} (follow-up #{id}, due {due}).",
    ),
}

CATALOG.update(REMEDY_TEXTS)
