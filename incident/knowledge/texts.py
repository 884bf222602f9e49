"""Texts of the knowledge base's services (errors, labels), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

KB_TEXTS: dict[str, tuple[str, str]] = {
    "kb.error.bad_ref": (
        "「{value}」不是知识库条目编号（如 KB-12）",
        "“{value}” is not a knowledge-base entry number (e.g. KB-12)",
    ),
    "kb.error.not_found": ("没有知识库条目 {ref}", "there is no knowledge-base entry {ref}"),
    "kb.error.bad_field": (
        "知识库条目没有「{field}」这一项，或格式不对",
        "a knowledge-base entry has no field “{field}”, or it is malformed",
    ),
    "kb.error.too_long": (
        "{field} 太长：最多 {max} 个字符，现有 {got} 个",
        "{field} is too long: at most {max} characters, got {got}",
    ),
    "kb.error.too_many": ("{field} 太多：最多 {max} 条，现有 {got} 条", "too many {field}: at most {max}, got {got}"),
    "kb.error.answer_required": (
        "知识库条目需要至少一种语言的答复（--answer 或 --answer-en）",
        "a knowledge-base entry needs an answer in at least one language (--answer or --answer-en)",
    ),
    "kb.error.question_required": (
        "知识库条目需要标题或至少一个客户问题（--title 或 --question）",
        "a knowledge-base entry needs a title or at least one customer question (--title or --question)",
    ),
    "kb.error.answer_unsafe": (
        "{lang} 答复不能使用：{rule}「{text}」（与口径卡相同的检查）",
        "the {lang} answer cannot be used: {rule} “{text}” (the fact sheet's own checks)",
    ),
    "kb.error.no_change": ("{ref} 没有任何改动", "{ref}: nothing changed"),
    "kb.error.reason_required": ("请写明原因（--reason）", "give the reason (--reason)"),
    "kb.error.open_proposal": (
        "{ref} 已有待批准的修改：请先批准或驳回它",
        "{ref} already has a change waiting for approval: approve or reject it first",
    ),
    "kb.error.not_active": (
        "{ref} 当前状态为 {status}，只有生效中的条目可以修改或停用",
        "{ref} is {status}; only an active entry can be edited or retired",
    ),
    "kb.error.nothing_open": ("{ref} 没有待批准的修改", "{ref} has no change waiting for approval"),
    "kb.error.four_eyes": (
        "四眼原则：{person} 提出了 {ref} 的这次修改，须由另一人批准",
        "four eyes: {person} proposed this change to {ref}; someone else must approve it",
    ),
    "kb.error.bad_status": ("没有「{value}」这种状态；可选：{allowed}", "no status “{value}”; choose from: {allowed}"),
    "kb.error.not_closed": (
        "{ref} 尚未关闭：事件关闭时才收入知识库",
        "{ref} is not closed: an incident enters the knowledge base when it closes",
    ),
    "kb.error.nothing_to_harvest": (
        "{ref} 没有已批准的口径卡，无可收入知识库的答复",
        "{ref} has no approved fact sheet: there is no answer to keep in the knowledge base",
    ),
    "kb.label.from_incident": (
        "知识库 {ref} · 来自已关闭事件 {incident}（{date} 关闭）· 往期答复，不是当前事件的口径",
        "Knowledge base {ref} · from closed incident {incident} (closed {date}) · last time's answer, "
        "not a live incident's wording",
    ),
    "kb.label.manual": (
        "知识库 {ref} · 人工录入（{date} 批准）· 不是当前事件的口径",
        "Knowledge base {ref} · written by hand (approved {date}) · not a live incident's wording",
    ),
    "kb.status.pending": ("待批准", "waiting for approval"),
    "kb.status.active": ("生效中", "active"),
    "kb.status.retired": ("已停用", "retired"),
    "kb.status.rejected": ("已驳回", "rejected"),
    "kb.vstatus.proposed": ("待批准", "proposed"),
    "kb.vstatus.approved": ("已批准", "approved"),
    "kb.vstatus.rejected": ("已驳回", "rejected"),
    "kb.vstatus.superseded": ("已被新版本取代", "superseded"),
    "kb.action.harvest": ("事件关闭时收入", "kept when the incident closed"),
    "kb.action.create": ("新建", "created"),
    "kb.action.edit": ("修改", "edited"),
    "kb.action.retire": ("停用", "retired"),
    # why an answer matched (incident/wording/search.py's describe names the field)
    "wording.search.field.kb_answer": ("知识库答复", "knowledge-base answer"),
    "wording.search.field.kb_scope": ("产品/类别", "product / category"),
}

CATALOG.update(KB_TEXTS)
