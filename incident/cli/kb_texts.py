"""The ``incident kb`` commands' texts (help and output), zh-CN and en.
Keys start with ``kb.help.`` and ``kb.out.``."""

from incident.i18n import CATALOG
from incident.knowledge import texts as _texts  # noqa: F401  (kb.status.*, kb.action.*)

CLI_KB_TEXTS: dict[str, tuple[str, str]] = {
    "kb.help": (
        "知识库：常见问题与已批准的答复（事件关闭时自动收入；修改须四眼批准）",
        "the knowledge base: common questions and approved answers (kept when incidents close; "
        "changes approved by a second person)",
    ),
    "kb.help.list": ("列出知识库条目（默认：生效中的）", "list knowledge-base entries (default: the active ones)"),
    "kb.help.show": (
        "查看一个条目：内容、待批准的修改和版本历史",
        "show one entry: its content, the change waiting and its history",
    ),
    "kb.help.search": (
        "按客户说的话搜索知识库（与话术查询相同的排序）",
        "search the knowledge base by what the customer says (the reply lookup's own ranking)",
    ),
    "kb.help.add": (
        "提出一个新条目（须由另一人批准后才会生效）",
        "propose a new entry (it answers once someone else approves it)",
    ),
    "kb.help.edit": (
        "提出修改：只改给出的项（--question 替换全部问法）；须由另一人批准",
        "propose an edit: only what is given changes (--question replaces every question); someone else approves it",
    ),
    "kb.help.retire": (
        "提出停用：批准后此条目不再出现在查询中",
        "propose retirement: once approved the entry no longer answers",
    ),
    "kb.help.approve": (
        "批准条目的待批准修改（不能批准自己提出的）",
        "approve the change waiting on an entry (never one's own)",
    ),
    "kb.help.reject": ("驳回条目的待批准修改（须写原因）", "reject the change waiting on an entry (with the reason)"),
    "kb.help.harvest": (
        "把一个已关闭事件的已批准答复收入知识库（关闭时会自动收入；重复执行不会重复收入）",
        "keep a closed incident's approved reply in the knowledge base (done when it closes; running it "
        "again adds nothing)",
    ),
    "kb.help.arg.ref": ("条目编号，如 KB-12", "the entry number, e.g. KB-12"),
    "kb.help.arg.text": ("客户说的话，如「登录不了」", "what the customer says, e.g. “cannot log in”"),
    "kb.help.opt.status": (
        "状态：active、proposed（有待批准修改）、pending、retired、rejected 或 all",
        "status: active, proposed (a change waiting), pending, retired, rejected or all",
    ),
    "kb.help.opt.limit": ("最多显示几条（默认 3）", "how many answers at most (default 3)"),
    "kb.help.opt.title": ("中文标题", "the Chinese title"),
    "kb.help.opt.title_en": ("英文标题", "the English title"),
    "kb.help.opt.answer": ("中文答复", "the Chinese answer"),
    "kb.help.opt.answer_en": ("英文答复", "the English answer"),
    "kb.help.opt.question": (
        "客户的问法（可重复；勿含姓名、电话）",
        "a question as customers ask it (repeatable; no names or numbers)",
    ),
    "kb.help.opt.keyword": ("关键词（可重复）", "a keyword (repeatable)"),
    "kb.help.opt.product": ("产品（可重复）", "a product (repeatable)"),
    "kb.help.opt.category": ("类别（可重复）", "a category (repeatable)"),
    "kb.help.opt.note": ("为什么改（给批准人看）", "why (for the approver)"),
    "kb.help.opt.reason": ("原因（必填）", "the reason (required)"),
    "kb.help.opt.comment": ("批准备注", "a comment with the approval"),
    "kb.out.row": (
        "{ref}  {title}  [{status}，第 {version} 版，{source}]",
        "{ref}  {title}  [{status}, version {version}, {source}]",
    ),
    "kb.out.manual": ("人工录入", "written by hand"),
    "kb.out.none": ("没有这样的知识库条目", "no such knowledge-base entries"),
    "kb.out.no_match": ("知识库中没有与「{q}」匹配的条目", "nothing in the knowledge base matches “{q}”"),
    "kb.out.show_head": (
        "{ref}（{status}，第 {version} 版，来源：{source}）",
        "{ref} ({status}, version {version}, from {source})",
    ),
    "kb.out.field_title": ("标题（{lang}）：{text}", "title ({lang}): {text}"),
    "kb.out.field_answer": ("答复（{lang}）：{text}", "answer ({lang}): {text}"),
    "kb.out.field_question": ("  问法：{text}", "  asked: {text}"),
    "kb.out.waiting": (
        "待批准：{action}（第 {version} 版），{who} 提出",
        "waiting: {action} (version {version}), proposed by {who}",
    ),
    "kb.out.history_row": (
        "  v{version} {action} · {status} · 提出：{proposed} · 决定：{decided} {note}",
        "  v{version} {action} · {status} · proposed by {proposed} · decided by {decided} {note}",
    ),
    "kb.out.answer_head": ("{ref} {title}", "{ref} {title}"),
    "kb.out.why": ("匹配依据：{why}", "matched on: {why}"),
    "kb.out.asked": ("当时客户的问法：{questions}", "what customers asked then: {questions}"),
    "kb.out.no_live": (
        "没有与「{q}」匹配、口径已批准的进行中事件；以下是知识库中的往期答复，请确认情况相同后再使用：",
        "No active incident with approved wording matches “{q}”; from the knowledge base, answers from before "
        "(check the situation is the same before using them):",
    ),
    "kb.out.also": ("知识库中也有：{ref} {title}（{label}）", "also in the knowledge base: {ref} {title} ({label})"),
    "kb.out.proposed": ("已提出新条目 {ref}，等待另一人批准", "proposed {ref}: waiting for someone else to approve it"),
    "kb.out.edit_proposed": (
        "已提出 {ref} 的修改（第 {version} 版），等待另一人批准",
        "proposed an edit to {ref} (version {version}): waiting for someone else to approve it",
    ),
    "kb.out.retire_proposed": (
        "已提出停用 {ref}，等待另一人批准",
        "proposed retiring {ref}: waiting for someone else to approve it",
    ),
    "kb.out.approved": (
        "已批准 {ref} 第 {version} 版（{action}），立即生效",
        "approved {ref} version {version} ({action}): in effect now",
    ),
    "kb.out.rejected": ("已驳回 {ref} 的待批准修改", "rejected the change waiting on {ref}"),
    "kb.out.harvested": (
        "{incident}（{closed} 关闭）的答复在知识库条目 {ref} 中",
        "{incident} (closed {closed}): its answer is in knowledge-base entry {ref}",
    ),
}

CATALOG.update(CLI_KB_TEXTS)
