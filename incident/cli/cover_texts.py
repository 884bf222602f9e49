"""Texts of ``incident cover`` (incident/cli/cover_cmds.py), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "cover.help": (
            "代班：在一段时间内由某人替另一人值班（新召集和升级都找代班的人）",
            "Covers: someone stands in for someone else for a while (new call-ins and escalations reach them)",
        ),
        "cover.help.add": (
            "安排代班，例如今晚替李娜：incident cover add --for lina --until '2026-12-08 08:00'",
            "Arrange a cover, e.g. for lina tonight: incident cover add --for lina --until '2026-12-08 08:00'",
        ),
        "cover.help.list": ("列出进行中和将开始的代班", "List covers in progress and to come"),
        "cover.help.cancel": ("取消一个代班（提前结束）", "Cancel a cover (end it now)"),
        "cover.help.opt.for": (
            "被代班的人（名册键、姓名或邮箱）",
            "whom the cover is for (roster key, name or e-mail)",
        ),
        "cover.help.opt.until": ("代班结束时间", "when the cover ends"),
        "cover.help.opt.from": ("代班开始时间（默认：现在）", "when the cover starts (default: now)"),
        "cover.help.opt.by": (
            "谁来代班（默认：您自己；替他人安排需事件负责人或管理员）",
            "who covers (default: you; arranging it for others needs a lead or an admin)",
        ),
        "cover.help.opt.team": ("只在该团队代班（默认：所有团队）", "only in this team (default: every team)"),
        "cover.help.opt.note": ("备注，例如原因", "a note, e.g. why"),
        "cover.help.arg.id": ("代班编号（incident cover list）", "the cover's number (incident cover list)"),
        "cover.out.added": (
            "代班 {id}：{person} 替 {covers} 值班，{start} 至 {end}（{team}）",
            "cover {id}: {person} covers for {covers}, {start} to {end} ({team})",
        ),
        "cover.out.every_team": ("所有团队", "every team"),
        "cover.out.none": ("没有进行中或将开始的代班", "no covers in progress or to come"),
        "cover.out.title": ("代班", "Covers"),
        "cover.out.cancelled": ("代班 {id}（{person}）已取消", "cover {id} ({person}) cancelled"),
        "cover.col.id": ("编号", "no."),
        "cover.col.person": ("代班人", "covering"),
        "cover.col.covers": ("被代班人", "for"),
        "cover.col.team": ("团队", "team"),
        "cover.col.from": ("开始", "from"),
        "cover.col.until": ("结束", "until"),
    }
)
