"""Texts of the fact sheet's own checks (public title, ETA, compensation,
promises) and of the statement gate, zh-CN and en (issue 22)."""

from __future__ import annotations

from incident.i18n import CATALOG
from incident.remedy import texts as _remedy_texts  # noqa: F401  (LABELS "unit", "form")

SHEET_TEXTS: dict[str, tuple[str, str]] = {
    # The proposed public title of an auto-drafted sheet ({where}: the scope's
    # channels/products, with the spacing they need, or "").
    "wording.title.system_outage": (
        "部分客户{where}服务异常",
        "Some customers cannot use our {where}services normally",
    ),
    "wording.title.batch_complaint": ("部分客户{where}业务受影响", "Some customers' {where}orders are affected"),
    "wording.title.public_opinion": (
        "关于近期客户反映{where}问题的说明",
        "About the {where}problem customers reported",
    ),
    "wording.title.other": ("部分客户{where}服务受影响", "Some customers' {where}service is affected"),
    # Its short form for WeChat's 20-character keyword1.
    "wording.title_short.system_outage": ("服务异常", "Service disruption"),
    "wording.title_short.batch_complaint": ("业务受影响", "Orders affected"),
    "wording.title_short.public_opinion": ("情况说明", "Notice"),
    "wording.title_short.other": ("服务受影响", "Service affected"),
    "sheet.public_title_draft": (
        "对外标题仍是系统自动拟的草稿「{title}」，请核对后再提交",
        'the public title is still the automatic draft "{title}": check it before submitting',
    ),
    "sheet.public_title_internal": (
        "对外标题与内部事件标题相同，内部标题（含检测数字）不得对外；请写客户能看懂的标题",
        "the public title is the incident's internal title (with detection figures), which must never go "
        "out: write a title customers understand",
    ),
    "sheet.public_title_same": (
        "对外标题与内部事件标题相同；请确认客户能看懂、不含内部用语",
        "the public title is the incident's internal title: make sure customers understand it and it has no "
        "internal terms",
    ),
    "sheet.public_title_not_english": (
        "英文对外标题含有中文「{text}」，英文读者看不懂；请写英文标题",
        'the English public title contains Chinese "{text}": write it in English',
    ),
    "sheet.wechat_title_long": (
        "微信模板字段最多 {limit} 个字，对外标题放不下；请在「微信模板 keyword1」写一个简短标题",
        "WeChat template fields hold {limit} characters and the public title is longer: write a short title "
        'in "WeChat field keyword1"',
    ),
    "sheet.eta_past": (
        "预计恢复时间 {eta} 已经过去（现在 {now}）；请更新时间，或清空表示暂无法预计",
        "the ETA {eta} is in the past (now {now}): set a new one, or clear it if unknown",
    ),
    "sheet.comp_over_cap": (
        "补偿金额 {amount} 元超过每票上限 {cap} 元（004 第三章第二节）；超出政策的要求应礼貌拒绝并提供其他补救",
        "a compensation of {amount} yuan exceeds the {cap}-yuan cap per waybill (004 ch.3 §2): offer another remedy",
    ),
    "sheet.comp_policy": (
        "口径卡写的是 {stated} {unit:unit}，但补偿台账按政策「{policy}」发放的是 {issued} {unit:unit}"
        "（{form:form}）；请改为 {issued} {unit:unit}，或先修改补偿政策",
        'the sheet says {stated} {unit:unit} but the ledger\'s policy "{policy}" issues {issued} '
        "{unit:unit} ({form:form}): say {issued} {unit:unit}, or change the policy first",
    ),
    "sheet.comp_no_policy": (
        "口径卡承诺 {stated} {unit:unit}，但没有适用于此类事件的补偿政策，台账不会自动发放；请手工登记补偿或删去承诺",
        "the sheet promises {stated} {unit:unit} but no compensation policy covers this kind of incident, so "
        "the ledger will not issue it: propose the entries by hand or remove the promise",
    ),
    "sheet.promise_sms": (
        "承诺了「{text}」，但系统在恢复时不会给客户发短信（没有任何短信订阅）；请删去这句承诺",
        'promises "{text}" but nothing sends customers an SMS on recovery (no SMS subscription at all): '
        "remove the promise",
    ),
    "sheet.promise_sms_subscribers": (
        "承诺了「{text}」，但恢复短信只发给已订阅短信公告的客户（{count} 位）；请先为客户登记短信订阅，或删去承诺",
        'promises "{text}" but the recovery SMS only reaches customers subscribed to SMS statements ({count}): '
        "subscribe the customer first, or remove the promise",
    ),
    "sheet.where_reply": ("客服答复（{scenario}）", "agent reply ({scenario})"),
    "wording.error.public_title_missing": (
        "{ref} 的口径卡 v{version} 缺少对外标题（{fields}）；请在口径卡上填写中英文对外标题并批准后再起草声明",
        "{ref} fact sheet v{version} has no public title ({fields}): write it in both languages on the sheet "
        "and have it approved before drafting a statement",
    ),
    "wording.error.statement_errors": (
        "{what} 有 {count} 个错误，不能提交审批：{errors}；请修改口径卡或模板后重新起草",
        "{what} has {count} error(s) and cannot be submitted: {errors}; fix the sheet or template and draft again",
    ),
    "help.opt.f.public_title": (
        "对外标题（客户在各渠道看到的标题，不是内部事件标题）",
        "public title (the heading customers see on every channel, not the internal incident title)",
    ),
    "help.opt.f.wechat": (
        "微信模板字段，如 keyword1=APP 登录异常（可重复）",
        "a WeChat template field, e.g. keyword1=App login problem (repeatable)",
    ),
}

CATALOG.update(SHEET_TEXTS)
