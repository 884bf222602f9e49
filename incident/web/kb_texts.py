"""Texts of the knowledge-base pages and of the knowledge base on the
reply-lookup page, zh-CN and en. Every key starts with ``web.kb.``."""

from __future__ import annotations

from incident.i18n import CATALOG
from incident.knowledge import texts as _texts  # noqa: F401  (kb.label.*, kb.status.*)

WEB_KB_TEXTS: dict[str, tuple[str, str]] = {
    # on the lookup page
    "web.kb.browse_link": ("浏览知识库", "Browse the knowledge base"),
    "web.kb.lookup_heading": ("知识库：往期答复", "Knowledge base: answers from before"),
    "web.kb.lookup_intro": (
        "没有进行中的事件与此匹配。以下是知识库中以往事件或人工录入的答复：请先确认情况与当时相同，再使用。",
        "No live incident matches. These answers are from the knowledge base (past incidents or written by hand): "
        "check that the situation is the same as then before you use them.",
    ),
    "web.kb.other_lang": (
        "此条目没有所选语言的答复，显示的是另一种语言。",
        "This entry has no answer in the chosen language; the other language is shown.",
    ),
    "web.kb.copy": ("复制知识库答复", "Copy the knowledge-base answer"),
    "web.kb.asked": ("当时客户的问法：{questions}", "What customers asked then: {questions}"),
    "web.kb.also_heading": ("知识库中也有", "Also in the knowledge base"),
    # the /kb pages
    "web.kb.title": ("知识库", "Knowledge base"),
    "web.kb.intro": (
        "常见问题与已批准的答复：事件关闭时自动收入其已批准的答复和客户问法；新建、修改和停用须由另一人批准。",
        "Common questions and approved answers: a closed incident's approved reply and its customers' questions "
        "are kept automatically; new entries, edits and retirements are approved by a second person.",
    ),
    "web.kb.q": ("搜索知识库", "Search the knowledge base"),
    "web.kb.search": ("搜索", "Search"),
    "web.kb.filter": ("显示", "Show"),
    "web.kb.filter.active": ("生效中", "active"),
    "web.kb.filter.proposed": ("有待批准修改", "with a change waiting"),
    "web.kb.filter.pending": ("新建待批准", "new, waiting"),
    "web.kb.filter.retired": ("已停用", "retired"),
    "web.kb.filter.rejected": ("已驳回", "rejected"),
    "web.kb.filter.all": ("全部", "all"),
    "web.kb.results": ("搜索结果", "Results"),
    "web.kb.none_found": ("知识库中没有与「{q}」匹配的条目。", "Nothing in the knowledge base matches “{q}”."),
    "web.kb.entries": ("条目", "Entries"),
    "web.kb.none": ("没有条目。", "No entries."),
    "web.kb.waiting": ("待批准的修改", "Changes waiting for approval"),
    "web.kb.waiting_row": ("{action} · {who} 提出", "{action} · proposed by {who}"),
    "web.kb.new": ("新建条目（须另一人批准）", "New entry (someone else approves it)"),
    "web.kb.field.title": ("标题（{lang}）", "Title ({lang})"),
    "web.kb.field.answer": ("答复（{lang}）", "Answer ({lang})"),
    "web.kb.field.questions": (
        "客户问法（每行一个；勿填姓名、电话）",
        "Customers' questions (one a line; no names or numbers)",
    ),
    "web.kb.field.keywords": ("关键词（逗号分隔）", "Keywords (comma-separated)"),
    "web.kb.field.products": ("产品", "Products"),
    "web.kb.field.categories": ("类别", "Categories"),
    "web.kb.field.note": ("说明（为什么）", "Note (why)"),
    "web.kb.propose": ("提交，等待批准", "Propose for approval"),
    "web.kb.proposed": ("已提交，等待另一人批准", "Proposed: waiting for someone else to approve it"),
    "web.kb.retire_proposed": (
        "停用已提交，等待另一人批准",
        "Retirement proposed: waiting for someone else to approve it",
    ),
    "web.kb.approved": ("已批准，立即生效", "Approved: in effect now"),
    "web.kb.rejected": ("已驳回", "Rejected"),
    "web.kb.status": ("状态：{status}", "Status: {status}"),
    "web.kb.version": ("第 {version} 版", "version {version}"),
    "web.kb.source_incident": ("来源事件：{ref}（{date} 关闭）", "Source incident: {ref} (closed {date})"),
    "web.kb.source_manual": ("人工录入", "Written by hand"),
    "web.kb.questions": ("客户问法", "Customers' questions"),
    "web.kb.answer": ("答复", "Answer"),
    "web.kb.keywords": ("关键词", "Keywords"),
    "web.kb.lang.zh-CN": ("中文", "Chinese"),
    "web.kb.lang.en": ("英文", "English"),
    "web.kb.no_answer": ("（无）", "(none)"),
    "web.kb.proposal": (
        "待批准：{action}（第 {version} 版），{who} 于 {at} 提出",
        "Waiting: {action} (version {version}), proposed by {who} at {at}",
    ),
    "web.kb.proposal_note": ("说明：{note}", "Note: {note}"),
    "web.kb.own_proposal": (
        "这是您提出的修改：须由另一人批准。",
        "You proposed this change: someone else must approve it.",
    ),
    "web.kb.comment": ("备注", "Comment"),
    "web.kb.reason": ("原因", "Reason"),
    "web.kb.approve": ("批准", "Approve"),
    "web.kb.reject": ("驳回", "Reject"),
    "web.kb.edit": ("提出修改", "Propose an edit"),
    "web.kb.retire": ("提出停用", "Propose retirement"),
    "web.kb.retire_hint": (
        "停用后，此条目不再出现在话术查询中。",
        "Once retired, the entry no longer answers in the reply lookup.",
    ),
    "web.kb.history": ("版本历史", "History"),
    "web.kb.col.version": ("版本", "Version"),
    "web.kb.col.action": ("变更", "Change"),
    "web.kb.col.status": ("状态", "Status"),
    "web.kb.col.proposed": ("提出", "Proposed"),
    "web.kb.col.decided": ("决定", "Decided"),
    "web.kb.col.note": ("说明", "Note"),
    "web.kb.back": ("返回知识库", "Back to the knowledge base"),
}

CATALOG.update(WEB_KB_TEXTS)
