"""Texts of the reply-lookup page, zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

LOOKUP_TEXTS: dict[str, tuple[str, str]] = {
    "web.lookup.title": ("话术查询", "Reply lookup"),
    "web.lookup.intro": (
        "输入客户说的话（如「登录不了」）或事件编号（如 INC-12），得到已批准的统一答复。",
        "Type what the customer says (e.g. “cannot log in”) or an incident number (e.g. INC-12) "
        "to get the approved reply.",
    ),
    "web.lookup.q": ("关键词或事件编号", "Keywords or incident number"),
    "web.lookup.q_placeholder": ("登录不了 / 快递延误 / INC-12", "cannot log in / parcel late / INC-12"),
    "web.lookup.customer": ("客户（可选）", "The customer (optional)"),
    "web.lookup.name": ("客户姓名", "Customer's name"),
    "web.lookup.title_field": ("称谓", "Title"),
    "web.lookup.title_none": ("不确定", "not sure"),
    "web.lookup.contact": ("电话尾号（4 位）", "Phone: last 4 digits"),
    "web.lookup.contact_hint": (
        "只输入电话尾号 4 位：完整号码不应出现在网址和浏览记录里，答复中也只会出现尾号。",
        "Type only the phone's last four digits: a full number must not end up in addresses "
        "and browser history, and replies only ever show the last four.",
    ),
    "web.lookup.compensation": (
        "应得补偿（可选，默认按口径卡）",
        "Compensation due (optional; default: the fact sheet's)",
    ),
    "web.lookup.reply_lang": ("答复语言", "Reply language"),
    "web.lookup.scenario": ("场景", "Scenario"),
    "web.lookup.scenario_default": ("按事件类型（默认）", "by incident kind (default)"),
    "web.lookup.submit": ("查询话术", "Find the reply"),
    "web.lookup.lang.zh-CN": ("中文", "Chinese"),
    "web.lookup.lang.en": ("英文", "English"),
    "web.lookup.result": ("答复", "Reply"),
    "web.lookup.source": (
        "来源：{ref}「{title}」· 口径卡第 {version} 版（已批准）· 场景：{scenario}",
        "From {ref} “{title}” · fact sheet version {version} (approved) · scenario: {scenario}",
    ),
    "web.lookup.incident_status": ("事件状态：{status}", "incident status: {status}"),
    "web.lookup.copy": ("复制答复", "Copy reply"),
    "web.lookup.copied": ("已复制 ✓", "Copied ✓"),
    "web.lookup.copy_failed": ("已选中，请按 Ctrl+C 复制", "Selected: press Ctrl+C to copy"),
    "web.lookup.dos": ("应当", "Do"),
    "web.lookup.donts": ("不要", "Don't"),
    "web.lookup.warnings": ("措辞提示", "Wording notes"),
    "web.lookup.alternatives": ("也可能是以下事件：", "It may also be one of these:"),
    "web.lookup.why": ("匹配依据：{why}", "Matched on: {why}"),
    "web.lookup.no_such_incident": (
        "没有 {ref} 这个事件。",
        "There is no incident {ref}.",
    ),
    "web.lookup.check_number": (
        "请核对事件编号，或输入客户说的话来查找；下面列出了全部已批准的口径。",
        "Check the number, or type what the customer says; every approved wording is listed below.",
    ),
    "web.lookup.browse": ("全部已批准口径", "Every approved wording"),
    "web.lookup.browse_version": ("口径卡第 {version} 版", "fact sheet version {version}"),
    "web.lookup.browse_none": (
        "目前没有已批准的口径：遇到客户询问时，先记录诉求，告知客服负责人。",
        "There is no approved wording at the moment: record the customer's demand and tell your customer-service lead.",
    ),
    "web.lookup.none_heading": ("没有可用的已批准口径", "No approved wording"),
    "web.lookup.none_for_incident": ("{ref} 还没有已批准的口径。", "{ref} has no approved wording yet."),
    "web.lookup.none_for_query": (
        "没有找到与「{q}」相关、口径已批准的进行中事件。",
        "No active incident with approved wording matches “{q}”.",
    ),
    "web.lookup.none_what_to_do": (
        "请不要自行解释原因或作出承诺。可以先对客户说：「我帮您查询后再回复，好吗？」，记录客户的诉求和联系方式，"
        "并告知客服负责人；口径经公关负责人批准后会立即出现在这里，届时再回复客户。",
        "Do not explain causes or make promises of your own. Tell the customer “Let me look into this and get back "
        "to you — is that all right?”, record their demand and contact, and tell your customer-service lead; as soon "
        "as the comms lead approves the wording it appears here, and you can call the customer back with it.",
    ),
    "web.lookup.try_other": (
        "也可以换个说法，或直接输入事件编号（如 INC-12）。",
        "You can also try other words, or the incident number (e.g. INC-12).",
    ),
    "web.lookup.problem": ("无法查询", "Cannot look this up"),
    # Short names of the reply scenarios (004 ch.2 §4 and one per incident kind).
    "web.lookup.scenario.upset": ("客户着急、情绪激动", "customer anxious or angry"),
    "web.lookup.scenario.transfer": ("属于其他部门", "belongs to another department"),
    "web.lookup.scenario.out_of_scope": ("非我司业务", "not our business"),
    "web.lookup.scenario.criticism": ("客户提出批评", "customer criticises"),
    "web.lookup.scenario.praise": ("客户提出表扬", "customer praises"),
    "web.lookup.scenario.suggestion": ("客户提出建议", "customer suggests"),
    "web.lookup.scenario.partly_satisfied": ("不太满意但不再追究", "not quite satisfied, lets it go"),
    "web.lookup.scenario.escalate_reasonable": ("合理要求，短时间可答复", "reasonable demand, answer soon"),
    "web.lookup.scenario.escalate_delayed": ("合理要求，短时间无法答复", "reasonable demand, cannot answer soon"),
    "web.lookup.scenario.cannot_answer_now": ("不能立即答复", "cannot answer at once"),
    "web.lookup.scenario.system_outage": ("系统故障标准答复", "standard reply: system outage"),
    "web.lookup.scenario.batch_complaint": ("批量投诉标准答复", "standard reply: batch complaint"),
    "web.lookup.scenario.public_opinion": ("舆情事件标准答复", "standard reply: public opinion"),
    "web.lookup.scenario.other": ("其他事件标准答复", "standard reply: other incident"),
}

CATALOG.update(LOOKUP_TEXTS)
