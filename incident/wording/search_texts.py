"""Texts of the wording search (why a reply matched, the browse list, the
"no such incident" answer), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

SEARCH_TEXTS: dict[str, tuple[str, str]] = {
    "wording.error.no_such_incident": (
        "没有 {ref} 这个事件，请核对事件编号",
        "there is no incident {ref}; check the number",
    ),
    "wording.search.field.public_title": ("对外标题", "public title"),
    "wording.search.field.title": ("事件标题", "incident title"),
    "wording.search.field.sheet": ("口径卡", "fact sheet"),
    "wording.search.field.sheet_extra": ("口径卡（补偿、要点）", "fact sheet (compensation, dos and don'ts)"),
    "wording.search.field.samples": ("客户投诉原话", "customers' own words"),
    "wording.search.field.topics": ("话题关键词", "topic keywords"),
    "wording.search.field.kind": ("事件类型", "incident kind"),
    "wording.search.why.word": ("「{word}」", "“{word}”"),
    "wording.search.why.concept": ("{label}（近义说法）", "{label} (similar wording)"),
    "wording.search.why.part": ("{field}：{items}", "{field}: {items}"),
    "wording.search.why.sep_items": ("、", ", "),
    "wording.search.why.sep_parts": ("；", "; "),
    # the CLI's browse list and alternatives
    "help.wording.list": (
        "列出全部已批准口径（进行中和已解决的事件；不给 -q / -i 时也是如此）",
        "list every approved wording (active and resolved incidents; also when neither -q nor -i is given)",
    ),
    "help.opt.alternatives": ("最多列出几个备选事件（默认 3）", "how many alternative incidents to list (default 3)"),
    "out.wording_list_head": ("已批准口径 {n} 条", "{n} approved wording(s)"),
    "out.wording_list_none": ("目前没有已批准的口径", "there is no approved wording at the moment"),
    "out.wording_list_row": (
        "{ref}「{title}」· SEV{severity} · {status} · 口径卡 v{version}：{what}",
        '{ref} "{title}" · SEV{severity} · {status} · fact sheet v{version}: {what}',
    ),
    "out.reply_why": ("匹配依据：{why}", "matched on: {why}"),
    "out.alternative_why": ("也可能是：{ref}「{title}」— {why}", 'or perhaps: {ref} "{title}" — {why}'),
}

CATALOG.update(SEARCH_TEXTS)
# The concepts' labels are data, kept with their variants in
# data/search_lexicon.toml: incident/wording/search.py registers them.
