"""Every user-visible text, in zh-CN (first) and en.

``t(key, lang, **params)`` formats with :class:`_Formatter`, whose format
specs ``role``, ``kind``, ``status`` and ``list`` translate values, so a
message like ``"{role:role} 未确认"`` reads 「事件负责人 未确认」 in zh-CN and
"incident lead not acknowledged" in en from the same stored parameters.
"""

from __future__ import annotations

import string
from typing import Any

LANGS = ("zh-CN", "en")

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "kind": {
        "batch_complaint": ("批量投诉", "batch complaint"),
        "system_outage": ("系统故障", "system outage"),
        "public_opinion": ("舆情", "public opinion"),
        "other": ("其他", "other"),
    },
    "status": {
        "declared": ("已宣布", "declared"),
        "investigating": ("排查中", "investigating"),
        "identified": ("已定位", "identified"),
        "monitoring": ("观察中", "monitoring"),
        "resolved": ("已解决", "resolved"),
        "closed": ("已关闭", "closed"),
    },
    "role": {
        "incident_lead": ("事件负责人", "incident lead"),
        "comms_lead": ("公关负责人", "comms lead"),
        "cs_lead": ("客服负责人", "customer-service lead"),
        "tech_liaison": ("技术对接人", "tech liaison"),
        "business_liaison": ("业务对接人", "business liaison"),
        "legal_liaison": ("法务对接人", "legal liaison"),
        "scribe": ("记录员", "scribe"),
    },
    "severity": {
        "1": (
            "SEV1 特急：核心服务大面积中断，或舆情已在社交媒体/媒体扩散；全员响应，1 小时内对外声明",
            "SEV1 critical: a core service down for most customers, or a public-opinion event spreading on social "
            "media or in the press; all hands, public statement within 1 hour",
        ),
        "2": (
            "SEV2 严重：核心功能中断或严重降级，影响大量客户或一个地区；批量投诉集中出现",
            "SEV2 major: a core function down or badly degraded for many customers or a whole region; "
            "batch complaints arriving",
        ),
        "3": (
            "SEV3 一般：部分功能降级，影响单个网点/产品，有临时解决办法",
            "SEV3 minor: partial degradation limited to one branch or product, with a workaround",
        ),
        "4": ("SEV4 轻微：客户影响很小，持续观察", "SEV4 low: little customer impact; watch and record"),
    },
    "source": {
        "rotation": ("轮值", "rotation"),
        "shift": ("排班", "shift"),
        "manual": ("手动指派", "assigned by hand"),
        "cover": ("代班", "covering"),
    },
}


class Catalogue(dict[str, tuple[str, str]]):
    """Every user-visible text as (zh-CN, en), by key. Modules add theirs at
    import with ``CATALOG.update({...})``; a key some other module already
    gave a different text is refused there, since otherwise whichever module
    was imported last would silently win (the roster table was once headed
    with the feeds' "source"). Item assignment still replaces: the linter
    re-registers the custom rules' messages when its rules are reloaded."""

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, texts in dict(*args, **kwargs).items():
            known = self.get(key)
            if known is not None and known != texts:
                raise ValueError(f"catalogue key {key!r} has two texts: {known!r} and {texts!r}")
            self[key] = texts


_CORE: dict[str, tuple[str, str]] = {
    # ---- errors ---------------------------------------------------------
    "error.bad_zone": ("未知时区「{zone}」（例如 Asia/Shanghai）", "unknown time zone '{zone}' (e.g. Asia/Shanghai)"),
    "error.bad_time": (
        "无法识别的时间「{value}」；请用 2026-11-23 09:30、2026-11-23T09:30+08:00 或 now",
        "cannot read the time '{value}'; use 2026-11-23 09:30, 2026-11-23T09:30+08:00 or now",
    ),
    "error.schema_newer": (
        "数据库结构版本为 {revision}，比本程序认识的最新版本 {head} 更新："
        "请先把 incident-coordinator 升级到迁移过它的版本",
        "the database schema is at revision {revision}, newer than this release knows (its newest is {head}): "
        "install the incident-coordinator release that migrated it",
    ),
    "error.bad_now": (
        "环境变量 {variable}「{value}」不是时刻；请用 ISO 8601，如 2026-11-30T09:00:00+08:00，或不设置",
        "the environment variable {variable} is '{value}', not an instant; use ISO 8601, e.g. "
        "2026-11-30T09:00:00+08:00, or unset it",
    ),
    "error.future_time": ("{field} 不能晚于当前时间", "{field} cannot be in the future"),
    "error.transition_same": ("事件已经是「{status:status}」状态", "the incident is already {status:status}"),
    "error.transition": (
        "不能从「{current:status}」直接变为「{target:status}」；当前可变为：{allowed:statuslist}",
        "cannot go from {current:status} to {target:status}; from {current:status} it can go to: {allowed:statuslist}",
    ),
    "error.transition_closed": (
        "事件已关闭，状态不能再变更",
        "the incident is closed; its status can no longer change",
    ),
    "error.unknown_person": (
        "花名册中没有「{person}」；已知人员：{known}",
        "nobody called '{person}' in the roster; known people: {known}",
    ),
    "error.ambiguous_person": (
        "「{person}」对应多个人：{matches}；请用花名册中的键",
        "'{person}' matches several people: {matches}; use the roster key",
    ),
    "error.bad_id": (
        "无效的事件编号「{value}」（例如 12 或 INC-12）",
        "not an incident id: '{value}' (e.g. 12 or INC-12)",
    ),
    "error.bad_kind": (
        "未知的事件类型「{value}」；可选：{labels}（或 {allowed}）",
        "unknown incident kind '{value}'; choose one of: {allowed}",
    ),
    "error.bad_severity": (
        "未知的级别「{value}」；请用 1–4 或 SEV1–SEV4",
        "unknown severity '{value}'; use 1–4 or SEV1–SEV4",
    ),
    "error.bad_status": (
        "未知的状态「{value}」；可选：{labels}（或 {allowed}）",
        "unknown status '{value}'; choose one of: {allowed}",
    ),
    "error.bad_role": ("未知的角色「{value}」；可选：{allowed}", "unknown role '{value}'; choose one of: {allowed}"),
    "error.bad_field": ("不能修改的字段：{field}", "fields that cannot be changed: {field}"),
    "error.bad_limit": ("--limit 必须是正整数（收到 {value}）", "--limit must be a positive number (got {value})"),
    "error.title_empty": ("标题不能为空", "the title cannot be empty"),
    "error.title_long": (
        "标题最多 {max} 个字符（现有 {length} 个）",
        "the title is at most {max} characters (this one has {length})",
    ),
    "error.note_empty": ("备注内容不能为空", "the note cannot be empty"),
    "error.no_incident": ("没有编号为 {id} 的事件", "there is no incident {id}"),
    "error.incident_closed": (
        "事件 INC-{id} 已关闭，不能再修改",
        "incident INC-{id} is closed and can no longer change",
    ),
    "error.dedup_open": (
        "去重键「{key}」已有未结束的事件 INC-{id}；请查看 `incident show {id}`",
        "open incident INC-{id} already has the dedup key '{key}'; see `incident show {id}`",
    ),
    "error.dedup_race": (
        "去重键「{key}」的事件创建冲突，请重试",
        "kept colliding while opening the incident for '{key}'; try again",
    ),
    "error.already_holds": ("{person} 已经是 INC-{id} 的{role:role}", "{person} already holds {role:role} on INC-{id}"),
    "error.role_vacant": (
        "INC-{id} 的{role:role}尚无人担任；请先 `incident assign {id} {role} 人员`",
        "nobody holds {role:role} on INC-{id}; first `incident assign {id} {role} PERSON`",
    ),
    "error.db_unreachable": ("无法连接数据库 {url}：{reason}", "cannot reach the database {url}: {reason}"),
    "error.db_url": (
        "数据库地址 {url} 无法使用：{reason}（例如 sqlite:///incident.db 或 postgresql+psycopg://用户@主机/库名）",
        "the database URL {url} cannot be used: {reason} "
        "(e.g. sqlite:///incident.db or postgresql+psycopg://user@host/dbname)",
    ),
    "error.db_schema": (
        "数据库结构不是当前版本（{current} ≠ {head}）；请运行 `incident db upgrade`",
        "the database schema is not current ({current} ≠ {head}); run `incident db upgrade`",
    ),
    "error.unexpected": (
        "意外错误：{reason}（设置 INCIDENT_DEBUG=1 可查看详细信息）",
        "unexpected error: {reason} (set INCIDENT_DEBUG=1 for the details)",
    ),
    # ---- configuration --------------------------------------------------
    "config.missing": ("配置文件 {path} 不存在", "configuration file {path} does not exist"),
    "config.unreadable": ("无法读取配置文件 {path}：{reason}", "cannot read configuration file {path}: {reason}"),
    "config.not_utf8": ("配置文件 {path} 不是 UTF-8 编码", "configuration file {path} is not UTF-8"),
    "config.toml_syntax": (
        "配置文件 {path} 不是有效的 TOML：{reason}",
        "configuration file {path} is not valid TOML: {reason}",
    ),
    "config.invalid": (
        "配置文件 {path}：键 `{key}` 有误：{reason}{more:more}",
        "configuration file {path}: key `{key}`: {reason}{more:more}",
    ),
    "config.unknown_person": (
        "配置文件 {path}：键 `{key}` 引用了 [people] 中不存在的人员「{person}」",
        "configuration file {path}: key `{key}` names '{person}', who is not in [people]",
    ),
    "config.uncovered_role": (
        "配置文件 {path}：键 `{key}` 需要{role:role}，但没有任何团队（[teams.*].roles）承担该角色",
        "configuration file {path}: key `{key}` calls in the {role:role}, but no team ([teams.*].roles) covers it",
    ),
    "config.channel_unreachable": (
        "配置文件 {path}：键 `{key}` 列出了 {channel}，但 {needs} 未设置，无法通过它通知此人",
        "configuration file {path}: key `{key}` lists {channel}, "
        "but {needs} is not set, so nobody can be reached by it",
    ),
    "config.more": ("（另有 {n} 处错误）", " (and {n} more problems)"),
    "config.reason.missing": ("缺少必填项", "required key is missing"),
    "config.reason.extra_forbidden": (
        "未知的键（请对照 examples/incident.toml 检查拼写）",
        "unknown key (check the spelling against examples/incident.toml)",
    ),
    "config.reason.phone_unmasked": (
        "电话只能保留后 4 位（如 ****1234），不得保存完整号码",
        "phone must be masked to its last 4 digits (e.g. ****1234); full numbers are never stored",
    ),
    "config.reason.int_parsing": ("应为整数", "must be a whole number"),
    "config.reason.int_type": ("应为整数", "must be a whole number"),
    "config.reason.string_type": ("应为字符串", "must be a string"),
    "config.reason.list_type": ("应为列表", "must be a list"),
    "config.reason.dict_type": ("应为表（table）", "must be a table"),
    "config.reason.model_type": ("应为表（table）", "must be a table"),
    "config.reason.too_short": ("不能为空", "must not be empty"),
    "config.reason.greater_than": ("必须大于 {gt}", "must be greater than {gt}"),
    "config.reason.literal_error": ("取值应为 {expected}", "must be {expected}"),
    "config.reason.enum": ("取值应为 {expected}", "must be {expected}"),
    "config.reason.zone": (
        "未知时区「{value}」（例如 Asia/Shanghai）",
        "unknown time zone '{value}' (e.g. Asia/Shanghai)",
    ),
    "config.reason.lang": ("未知语言「{value}」；请用 zh-CN 或 en", "unknown language '{value}'; use zh-CN or en"),
    "config.reason.severity": (
        "未知级别「{value}」；请用 1–4 或 SEV1–SEV4",
        "unknown severity '{value}'; use 1–4 or SEV1–SEV4",
    ),
    "config.reason.role": ("未知角色「{value}」；可选：{roles}", "unknown role '{value}'; roles are: {roles}"),
    "config.reason.email": ("不是有效的电子邮件地址：{value}", "not an e-mail address: {value}"),
    "config.reason.webhook_url": ("不是可用的 http(s) 地址：{value}", "not a usable http(s) URL: {value}"),
    "config.reason.quiet_time": (
        "不是 时:分 格式的时间（例如 22:00）：{value}",
        "not a time of day as HH:MM (e.g. 22:00): {value}",
    ),
    "config.reason.quiet_empty": ("免打扰时段的开始和结束不能相同", "quiet hours start and end at the same time"),
    "config.reason.pager_id_phone": (
        "pager_id 是服务商通讯录中的联系人编号，不能填手机号：{value}",
        "pager_id is the provider's contact id, not a phone number: {value}",
    ),
    "config.reason.datetime": (
        "不是有效的日期时间：{value}（例如 2026-01-05T09:00）",
        "not a date-time: {value} (e.g. 2026-01-05T09:00)",
    ),
    "config.reason.shift_order": ("班次结束时间早于开始时间", "the shift ends before it starts"),
    "config.reason.feed_url": (
        "订阅源地址必须以 http:// 或 https:// 开头（当前为 {value}）",
        "feed URL must start with http:// or https:// (got {value})",
    ),
    "config.reason.greater_than_equal": ("必须不小于 {ge}", "must be at least {ge}"),
    "config.reason.less_than_equal": ("必须不大于 {le}", "must be at most {le}"),
    "config.reason.float_parsing": ("应为数字", "must be a number"),
    "config.reason.money": (
        '不是精确到分的金额：「{value}」（例如 200 或 "12.50"）',
        "not an amount of money to the cent: '{value}' (e.g. 200 or \"12.50\")",
    ),
    "config.reason.bool_type": ("应为 true 或 false", "must be true or false"),
    "config.reason.bool_parsing": ("应为 true 或 false", "must be true or false"),
    "config.reason.every": ("轮值周期至少 1 天", "a rotation turn lasts at least 1 day"),
    "config.reason.policy_amount": (
        "补偿政策须给出 amount 或 formula 其中之一",
        "give either amount or formula (not both)",
    ),
    "config.reason.policy_formula": ("补偿公式「{value}」有误：{reason}", "bad formula {value!r}: {reason}"),
    "config.reason.string_pattern_mismatch": (
        "格式不符（应匹配 {pattern}）",
        "does not match the expected form ({pattern})",
    ),
    "config.reason.work_hours": ("work_end 必须晚于 work_start", "work_end must be after work_start"),
    "config.reason.time_parsing": ("应为时间，如 09:00", "must be a time such as 09:00"),
    "config.reason.time_type": ("应为时间，如 09:00", "must be a time such as 09:00"),
    # ---- notifications --------------------------------------------------
    "notify.prefix": ("[通知 → {name}]", "[notify → {name}]"),
    "notify.ack_link": ("一键确认：{url}", "acknowledge: {url}"),
    "notify.sep": ("；", "; "),
    "notify.email_subject": ("[事件通知] {text}", "[Incident] {text}"),
    "notify.error.no_provider": (
        "没有配置 {channel} 服务商（[messaging.{channel}]）",
        "no {channel} provider is configured ([messaging.{channel}])",
    ),
    "notify.role_called": (
        "您被召集为 {ref}（{severity}）「{title}」的{role:role}，请尽快确认：incident ack {ref} {role}",
        'you are called in as {role:role} for {ref} ({severity}) "{title}"; '
        "please acknowledge: incident ack {ref} {role}",
    ),
    "notify.role_unfilled": (
        "{ref}「{title}」需要{role:role}，但团队 {team} 当前无人值班，请指派：incident assign {ref} {role} 人员",
        '{ref} "{title}" needs a {role:role} but nobody in team {team} is on call; '
        "please assign: incident assign {ref} {role} PERSON",
    ),
    "notify.escalated": (
        "升级：{person} 担任 {ref}（{severity}）「{title}」的{role:role}，已超时 {minutes} 分钟未确认",
        'escalation: {person}, {role:role} for {ref} ({severity}) "{title}", '
        "has not acknowledged ({minutes} min overdue)",
    ),
    "notify.ack_overdue": (
        "提醒：您在 {ref}「{title}」的{role:role}职责仍未确认，升级已开始，请尽快确认：incident ack {ref} {role}",
        'reminder: you have not acknowledged {role:role} for {ref} "{title}"; '
        "it is being escalated, please acknowledge: incident ack {ref} {role}",
    ),
    # ---- timeline -------------------------------------------------------
    "event.declared": (
        "宣布事件：{kind:kind}，SEV{severity}，「{title}」",
        'declared: {kind:kind}, SEV{severity}, "{title}"',
    ),
    "event.status_changed": (
        "状态：{from:status} → {to:status}{note:note}",
        "status: {from:status} → {to:status}{note:note}",
    ),
    "event.role_assigned": (
        "{role:role}：{person_name}（{source:source}）",
        "{role:role}: {person_name} ({source:source})",
    ),
    "event.role_unfilled": ("{role:role}：无人值班，待指派", "{role:role}: nobody on call, to be assigned"),
    "event.acknowledged": (
        "{person_name} 确认担任{role:role}{late:late}",
        "{person_name} acknowledged {role:role}{late:late}",
    ),
    "event.escalated": (
        "{person_name} 超时未确认{role:role}，已升级至{level} {to_name}（第 {round} 轮，{channel}）",
        "{person_name} did not acknowledge {role:role} in time; "
        "escalated to {level} {to_name} (round {round}, {channel})",
    ),
    "event.escalation_ended": (
        "{person_name} 仍未确认{role:role}，升级链中已无其他人可通知",
        "{person_name} has still not acknowledged {role:role}; nobody else is left in the escalation chain",
    ),
    "event.notice_rerouted": (
        "发给 {person} 的通知经{from}未送达（{reason}），改经{to}发送",
        "the notice to {person} did not get through by {from} ({reason}); sent by {to} instead",
    ),
    "escalation.level.holder": ("本人", "the holder"),
    "escalation.level.deputy": ("副值班", "the deputy"),
    "escalation.level.supervisor": ("主管", "the supervisor"),
    "escalation.level.duty_manager": ("中心值班经理", "the centre's duty manager"),
    "escalation.channel.console": ("控制台", "console"),
    "escalation.channel.inbox": ("站内信", "in-app inbox"),
    "escalation.channel.email": ("邮件", "e-mail"),
    "escalation.channel.slack": ("Slack 私信", "Slack direct message"),
    "escalation.channel.sms": ("短信", "SMS"),
    "escalation.channel.voice": ("电话", "voice call"),
    "event.note": ("备注：{text}", "note: {text}"),
    "event.signal_attached": ("关联信号：{signal}", "signal attached: {signal}"),
    "event.updated": ("更新：{changes}", "updated: {changes}"),
    "event.change": ("{field} {old} → {new}", "{field} {old} → {new}"),
    "event.field.title": ("标题", "title"),
    "event.field.summary": ("概述", "summary"),
    "event.field.impact": ("影响", "impact"),
    "event.field.severity": ("严重度", "severity"),
    "event.field.channels": ("渠道", "channels"),
    "event.field.regions": ("地区/网点", "regions"),
    "event.field.products": ("产品", "products"),
    "event.field.started_at": ("开始时间", "started"),
    "event.field.detected_at": ("发现时间", "detected"),
    "event.deadlines_retimed": (
        "严重度改为 SEV{severity}，{what}已按新级别重新计算",
        "severity is now SEV{severity}: {what} re-timed to match",
    ),
    "event.retimed.roles": ("{roles:rolelist}的确认期限", "the acknowledgement deadline of {roles:rolelist}"),
    "event.retimed.clocks": ("下次对外更新的期限", "the next public update's deadline"),
    "event.late": ("（超时）", " (late)"),
    "event.note_suffix": ("——{note}", " — {note}"),
    "event.recorded_by": ("（由 {who} 代为确认）", " (recorded by {who})"),
    "event.linked": ("与 {other} 关联", "linked with {other}"),
    "event.merged_into": (
        "合并入 {other}（信号 {signals} 条，客户 {customers} 位，重复客户 {customers_merged} 位）",
        "merged into {other} ({signals} signals, {customers} customers, {customers_merged} duplicates)",
    ),
    "event.merged_from": (
        "{other} 合并至此（信号 {signals} 条，客户 {customers} 位，重复客户 {customers_merged} 位）",
        "{other} merged into this incident ({signals} signals, {customers} customers, {customers_merged} duplicates)",
    ),
}
CATALOG = Catalogue(_CORE)


def lang_index(lang: str | None) -> int:
    return 1 if (lang or "").lower().startswith("en") else 0


def from_label(group: str, text: object) -> str:
    """The value for what a user typed: the value itself (any case, - or
    space for _) or its label in either language (排查中, "batch complaint"),
    so a user can type the words the screens show them. Unknown text comes
    back normalised, for the caller to refuse."""
    raw = str(text).strip()
    key = raw.lower().replace("-", "_").replace(" ", "_")
    for value, forms in LABELS.get(group, {}).items():
        if key == value or raw.lower() in (f.lower() for f in forms):
            return value
    return key


def label(group: str, value: Any, lang: str) -> str:
    entry = LABELS.get(group, {}).get(str(value))
    return entry[lang_index(lang)] if entry else str(value)


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in LABELS:
            return label(format_spec, value, self.lang)
        if format_spec == "rolelist":
            sep = "、" if self.lang == "zh-CN" else " and "
            return sep.join(label("role", v.strip(), self.lang) for v in str(value).split(","))
        if format_spec == "list":
            items = value if isinstance(value, (list, tuple)) else [value]
            return ("、" if self.lang == "zh-CN" else ", ").join(str(v) for v in items)
        if format_spec == "statuslist":
            sep = "、" if self.lang == "zh-CN" else ", "
            return sep.join(label("status", v.strip(), self.lang) for v in str(value).split(","))
        if format_spec == "late":
            return t("event.late", self.lang) if value else ""
        if format_spec == "note":
            return t("event.note_suffix", self.lang, note=value) if value else ""
        if format_spec == "more":
            return t("config.more", self.lang, n=value) if value else ""
        if format_spec.endswith("list") and format_spec[:-4] in LABELS:
            # {fields:fact_fieldlist}: each item by its label (what.en: the field, in English)
            items = value if isinstance(value, (list, tuple)) else str(value).split(",")
            return ("、" if self.lang == "zh-CN" else ", ").join(self._item(format_spec[:-4], str(v)) for v in items)
        return super().format_field(value, format_spec)

    def _item(self, group: str, value: str) -> str:
        base, _, variant = value.strip().partition(".")
        text = label(group, base, self.lang)
        return (
            f"{text}（{variant.upper()}）"
            if variant and self.lang == "zh-CN"
            else f"{text} ({variant})"
            if variant
            else text
        )

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        # A message outliving a parameter (older stored rows) shows the
        # placeholder's name rather than failing.
        if isinstance(key, str) and key not in kwargs:
            return f"<{key}>"
        return super().get_value(key, args, kwargs)


def t(key: str, lang: str | None = "zh-CN", /, **params: Any) -> str:
    entry = CATALOG.get(key)
    if entry is None:
        return key
    text = entry[lang_index(lang)]
    return _Formatter("en" if lang_index(lang) else "zh-CN").format(text, **params)
