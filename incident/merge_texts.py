"""The texts of linking and merging incidents (incident/merge.py and its
CLI and web entry points), zh-CN and en. The timeline lines themselves
(event.linked, event.merged_into, event.merged_from) are in incident/i18n.py
with the other event texts, so that every reader of a timeline has them."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "merge.error.self": ("不能把 {ref} 合并到它自己", "{ref} cannot be merged into itself"),
        "merge.error.self_link": ("不能把 {ref} 关联到它自己", "{ref} cannot be linked to itself"),
        "merge.error.already_linked": ("{a} 与 {b} 已经关联", "{a} and {b} are already linked"),
        "merge.error.target_closed": (
            "{target} 已关闭，不能合并到已关闭的事件",
            "{target} is closed; an incident cannot be merged into a closed one",
        ),
        "merge.error.source_closed": (
            "{source} 已关闭，已关闭的事件不能再合并",
            "{source} is closed; a closed incident cannot be merged",
        ),
        "merge.error.issuing": (
            "{source} 或 {target} 的补偿正在发放中，请等本轮发放结束后再合并",
            "compensation of {source} or {target} is being issued right now; merge once the run has finished",
        ),
        "merge.out.linked": ("已关联 {a} 与 {b}", "linked {a} and {b}"),
        "merge.out.merged": (
            "{source} 已合并入 {target}：信号 {signals} 条，客户 {customers} 位（重复客户合并 {customers_merged} 位），"
            "补偿 {compensations} 笔，回访 {callbacks} 个",
            "{source} merged into {target}: {signals} signals, {customers} customers ({customers_merged} duplicates "
            "merged), {compensations} compensation entries, {callbacks} callbacks",
        ),
        "merge.out.kept": (
            "重复客户的 {compensations_kept} 笔同类补偿留在 {source}（不重复发放），"
            "{callbacks_cancelled} 个重复回访已取消",
            "{compensations_kept} same-form entries of duplicate customers stay with {source} (never issued twice); "
            "{callbacks_cancelled} duplicate callbacks cancelled",
        ),
        "merge.help.link": (
            "关联两个事件（双向，记入两边的时间线）。",
            "Link two incidents (both ways, on both timelines).",
        ),
        "merge.help.merge": (
            "把 SOURCE 合并入 INTO：信号、受影响客户及其补偿和回访移到 INTO，SOURCE 关闭为已合并。",
            "Merge SOURCE into INTO: signals, affected customers with their compensation and callbacks move to INTO; "
            "SOURCE is closed as merged.",
        ),
        "merge.help.arg.a": ("事件编号，如 INC-1", "an incident id, e.g. INC-1"),
        "merge.help.arg.b": ("另一个事件编号，如 INC-2", "the other incident id, e.g. INC-2"),
        "merge.help.arg.source": ("被合并的事件", "the incident merged away"),
        "merge.help.arg.into": ("合并到的事件", "the incident it is merged into"),
        "merge.web.links": ("关联事件", "Linked incidents"),
        "merge.web.kind.related": ("相关", "related"),
        "merge.web.kind.merged_into": ("已合并入", "merged into"),
        "merge.web.kind.merged_from": ("由其合并而来", "merged from"),
        "merge.web.link_to": ("关联 INC-…", "Link INC-…"),
        "merge.web.merge_into": ("合并到 INC-…", "Merge into INC-…"),
        "merge.web.link_button": ("关联", "Link"),
        "merge.web.merge_button": ("合并", "Merge"),
        "merge.web.done.linked": ("已关联", "Linked"),
        "merge.web.done.merged": ("已合并", "Merged"),
    }
)
