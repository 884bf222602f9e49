"""The wording half's texts (fact sheets, statements, approvals, clocks,
publishing), zh-CN and en, registered into the one catalogue."""

from __future__ import annotations

from incident.i18n import CATALOG, LABELS

LABELS["statement_kind"] = {
    "holding": ("情况说明", "Notice"),
    "update": ("最新进展", "Update"),
    "resolution": ("恢复公告", "Resolved"),
}
LABELS["clock"] = {
    "holding": ("首次声明", "first holding statement"),
    "update": ("进展更新", "next update"),
}
LABELS["doc_status"] = {
    "draft": ("草稿", "draft"),
    "in_review": ("待审批", "in review"),
    "approved": ("已批准", "approved"),
    "published": ("已发布", "published"),
    "superseded": ("已被取代", "superseded"),
    "retracted": ("已撤回", "retracted"),
}
LABELS["fact_field"] = {
    "public_title": ("对外标题", "public title"),
    "wechat_first": ("微信模板 first", "WeChat field first"),
    "wechat_keyword1": ("微信模板 keyword1（标题）", "WeChat field keyword1 (title)"),
    "wechat_keyword2": ("微信模板 keyword2（状态）", "WeChat field keyword2 (status)"),
    "wechat_remark": ("微信模板备注", "WeChat field remark"),
    "reply": ("客服答复", "agent reply"),
    "what": ("发生了什么", "what happened"),
    "scope": ("影响范围", "who is affected"),
    "cause": ("原因", "cause"),
    "fix": ("处理措施", "fix"),
    "eta": ("预计恢复时间", "ETA"),
    "workaround": ("临时办法", "workaround"),
    "compensation": ("补偿", "compensation"),
    "compensation_amount": ("补偿金额", "compensation amount"),
    "support_channel": ("专属客服通道", "dedicated support channel"),
    "dos": ("应当", "do"),
    "donts": ("不要", "don't"),
    "retracted": ("口径已撤回", "wording retracted"),
}

WORDING_TEXTS: dict[str, tuple[str, str]] = {
    "wording.reason_default": ("系统原因", "a system problem"),
    "wording.error.bad_field": (
        "口径卡没有字段「{field}」；可用：{allowed}（英文版加 .en，如 what.en）",
        "the fact sheet has no field '{field}'; fields: {allowed} (add .en for English, e.g. what.en)",
    ),
    "wording.error.bad_lang": ("未知语言「{value}」；请用 zh-CN 或 en", "unknown language '{value}'; use zh-CN or en"),
    "wording.error.bad_eta": ("无法识别的预计恢复时间「{value}」", "cannot read the ETA '{value}'"),
    "wording.error.bad_amount": (
        "补偿金额必须是非负数字（收到「{value}」）",
        "the compensation amount must be a number ≥ 0 (got '{value}')",
    ),
    "wording.error.no_facts": ("{ref} 还没有口径卡", "{ref} has no fact sheet yet"),
    "wording.error.no_facts_version": ("{ref} 没有第 {version} 版口径卡", "{ref} has no fact sheet version {version}"),
    "wording.error.no_approved_facts": (
        "{ref} 还没有已批准的口径卡；先编辑并送审（incident facts edit / submit）",
        "{ref} has no approved fact sheet yet; edit and submit one first (incident facts edit / submit)",
    ),
    "wording.error.incident_closed": (
        "{ref} 已关闭，口径不能再修改",
        "{ref} is closed; its wording can no longer change",
    ),
    "wording.error.actor_unknown": (
        "「{actor}」不在花名册中，不能审批或发布（用 --as 指定本人）",
        "'{actor}' is not in the roster and cannot approve or publish (say who you are with --as)",
    ),
    "wording.error.four_eyes": (
        "{person} 是作者或编辑者，不能审批自己写的内容（四眼原则）",
        "{person} wrote or edited it and cannot approve it (four eyes: a second person approves)",
    ),
    "wording.error.already_signed": ("{person} 已经签批过", "{person} has already signed it"),
    "wording.error.not_approver": (
        "{person} 无审批权限；需要{roles:rolelist}签批，可由：{who}",
        "{person} may not approve this; it needs the sign-off of {roles:rolelist}, e.g. {who}",
    ),
    "wording.error.not_publisher": (
        "{person} 无权发布或撤回；可由：{who}",
        "{person} may not publish or retract this; ask: {who}",
    ),
    "wording.error.reason_required": ("请填写原因", "a reason is required"),
    "wording.error.not_draft": (
        "{what} 当前是「{status:doc_status}」，只有草稿可以这样操作",
        "{what} is {status:doc_status}; only a draft can do that",
    ),
    "wording.error.not_in_review": (
        "{what} 当前是「{status:doc_status}」，不在待审批状态",
        "{what} is {status:doc_status}, not in review",
    ),
    "wording.error.not_approved": (
        "{what} 当前是「{status:doc_status}」，批准后才能发布",
        "{what} is {status:doc_status}; it must be approved before it is published",
    ),
    "wording.error.not_retractable": (
        "{what} 当前是「{status:doc_status}」，无法撤回",
        "{what} is {status:doc_status} and cannot be retracted",
    ),
    "wording.error.facts_missing": (
        "口径卡缺少必填内容（中英文都需要）：{fields}",
        "the fact sheet lacks required fields (both languages): {fields}",
    ),
    "wording.error.lint_blocks": (
        # Said on the desk and in the terminal alike: where the findings are, not a command to type.
        "措辞检查发现 {count} 个错误，不能批准；第一个：{first}。全部问题列在声明预览和口径卡的检查结果里。",
        "the wording check found {count} error(s), so it cannot be approved; "
        "first: {first}. All of them are listed in the statement preview and the fact sheet's checks.",
    ),
    "wording.error.bad_channel": (
        "未知渠道「{value}」；可选：{allowed}",
        "unknown channel '{value}'; choose from: {allowed}",
    ),
    "wording.error.no_statement": ("{ref} 没有第 {number} 号声明", "{ref} has no statement #{number}"),
    "wording.error.bad_statement_kind": (
        "未知声明类型「{value}」；可选：{allowed}",
        "unknown statement kind '{value}'; choose from: {allowed}",
    ),
    "wording.error.stale": (
        "{what} 依据的口径卡已更新（变化：{fields}），请重新生成声明",
        "{what} was rendered from an older fact sheet (changed: {fields}); draft it again",
    ),
    "wording.error.template_missing": ("找不到模板 {name}", "no template {name}"),
    "wording.error.template_undefined": (
        "模板 {name} 用了未定义的变量：{detail}",
        "template {name} uses an undefined variable: {detail}",
    ),
    "wording.error.template_unsafe": (
        "模板 {name} 试图访问不允许的内容：{detail}",
        "template {name} tried to reach something it may not: {detail}",
    ),
    "wording.error.template_broken": ("模板 {name} 渲染失败：{detail}", "template {name} failed to render: {detail}"),
    "wording.error.template_name": (
        "未知模板名「{name}」；可用：{allowed}",
        "unknown template name '{name}'; names: {allowed}",
    ),
    "wording.error.template_syntax": (
        "模板 {name} 第 {line} 行语法错误：{detail}",
        "template {name}, line {line}: syntax error: {detail}",
    ),
    "wording.error.no_template": ("没有编号为 {id} 的模板", "there is no template {id}"),
    "wording.error.bad_title": (
        "称呼「{value}」无法识别；请用 先生 或 女士（m/f）",
        "cannot read the title '{value}'; use 先生 or 女士 (m/f, Mr/Ms)",
    ),
    "wording.error.bad_scenario": (
        "未知场景「{value}」；可选：{allowed}",
        "unknown scenario '{value}'; choose from: {allowed}",
    ),
    "wording.error.no_match": (
        "没有找到与「{q}」相关、且口径已批准的进行中事件",
        "no active incident with approved wording matches '{q}'",
    ),
    "wording.error.two_queries": (
        "给了两处要查的话：「{first}」和 -q「{second}」；只给一处",
        "two queries given: '{first}' and -q '{second}'; give one",
    ),
    "wording.error.need_query": (
        "请给出关键词（q）或事件编号（incident）",
        "give keywords (q) or an incident id (incident)",
    ),
    "wording.error.reply_unsafe": (
        "生成的答复未通过检查（{rule}「{text}」），已拦截；请联系公关负责人",
        "the generated reply failed its check ({rule} '{text}') and was withheld; tell the comms lead",
    ),
    "wording.error.bad_subscriber": (
        "{channel} 订阅地址无效：「{address}」",
        "not a valid {channel} address: '{address}'",
    ),
    "wording.error.template_empty": ("模板内容不能为空", "the template is empty"),
    "wording.error.sms_ref": (
        "短信订阅请填写客户编号（由短信网关解析），不保存完整手机号：「{address}」",
        "an SMS subscriber is a customer reference the gateway resolves; "
        "full phone numbers are never stored: '{address}'",
    ),
    "outbox.error.no_delivery": ("没有编号为 {id} 的投递", "there is no delivery {id}"),
    "outbox.error.not_resendable": (
        "投递 {id} 当前是「{status}」，只有存疑或失败的投递可以这样处理",
        "delivery {id} is {status}; only in-doubt or failed deliveries can be handled so",
    ),
    # ---- timeline -----------------------------------------------------------
    "event.facts_drafted": (
        "口径卡 v{version} 草稿修改：{fields:fact_fieldlist}",
        "fact sheet v{version} draft edited: {fields:fact_fieldlist}",
    ),
    "event.facts_submitted": (
        "口径卡 v{version} 送审（错误 {errors}，提醒 {warnings}）",
        "fact sheet v{version} submitted for review ({errors} errors, {warnings} warnings)",
    ),
    "event.facts_signed": (
        "口径卡 v{version} 已由{role:role}签批，等待其他签批",
        "fact sheet v{version} signed by the {role:role}; awaiting the other sign-off",
    ),
    "event.facts_approved": (
        "口径卡 v{version} 已批准，成为唯一对外口径",
        "fact sheet v{version} approved: it is now the one external wording",
    ),
    "event.facts_rejected": ("口径卡 v{version} 被退回：{reason}", "fact sheet v{version} sent back: {reason}"),
    "event.facts_retracted": ("口径卡 v{version} 已撤回：{reason}", "fact sheet v{version} retracted: {reason}"),
    "event.statement_drafted": (
        "声明 #{number}（{kind:statement_kind}，依据口径卡 v{version}）已生成，渠道：{channels:list}",
        "statement #{number} ({kind:statement_kind}, from fact sheet v{version}) drafted for {channels:list}",
    ),
    "event.statement_submitted": ("声明 #{number} 送审", "statement #{number} submitted for review"),
    "event.statement_signed": (
        "声明 #{number} 已由{role:role}签批，等待其他签批",
        "statement #{number} signed by the {role:role}; awaiting the other sign-off",
    ),
    "event.statement_approved": ("声明 #{number} 已批准", "statement #{number} approved"),
    "event.statement_rejected": ("声明 #{number} 被退回：{reason}", "statement #{number} sent back: {reason}"),
    "event.statement_published": (
        "声明 #{number}（{kind:statement_kind}）已发布，{deliveries} 条待投递",
        "statement #{number} ({kind:statement_kind}) published; {deliveries} deliveries queued",
    ),
    "event.statement_retracted": ("声明 #{number} 已撤回：{reason}", "statement #{number} retracted: {reason}"),
    "event.statements_stale": (
        "口径卡 v{version} 生效，旧声明 #{statements:list} 已过期（变化：{fields:list}）",
        "fact sheet v{version} in force: older statements #{statements:list} are stale (changed: {fields:list})",
    ),
    "event.clock_overdue": (
        "{clock:clock}已超时 {minutes} 分钟，已升级至主管 {supervisor_name}",
        "the {clock:clock} is {minutes} min overdue; escalated to supervisor {supervisor_name}",
    ),
    "notify.clock_overdue": (
        "{ref}「{title}」的{clock:clock}已超时 {minutes} 分钟，请尽快发布",
        '{ref} "{title}": the {clock:clock} is {minutes} min overdue; please publish',
    ),
}

CATALOG.update(WORDING_TEXTS)
