"""Texts of covers (incident/roster_overrides.py), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "cover.error.self": ("不能替自己值班（{person}）", "nobody covers for themself ({person})"),
        "cover.error.team": ("没有团队「{team}」；已有：{known}", "there is no team '{team}'; teams: {known}"),
        "cover.error.order": ("结束时间须晚于开始时间", "the cover must end after it starts"),
        "cover.error.past": ("结束时间已过，无需代班", "that cover would already be over"),
        "cover.error.too_long": (
            "代班最长 {days} 天；更长的请修改值班表",
            "a cover lasts {days} days at most; for longer, change the roster",
        ),
        "cover.error.no_such": ("没有编号为 {id} 的代班", "there is no cover {id}"),
        "cover.error.not_yours": (
            "代班 {id} 与您无关；只有事件负责人或管理员可以替他人安排",
            "cover {id} is not yours; only a lead or an admin arranges covers for others",
        ),
        "cover.error.over": ("代班 {id} 已结束或已取消", "cover {id} is already over or cancelled"),
        "cover.source": ("代班", "cover"),
        "cover.error.bad_id": (
            "「{value}」不是代班编号（incident cover list 里的数字）",
            "'{value}' is not a cover number (the number in incident cover list)",
        ),
        "cover.error.who": (
            "{actor} 不在值班名册上：请用 --by 指明谁来代班",
            "{actor} is not in the roster: say who covers with --by PERSON",
        ),
        "cover.error.backdated": (
            "代班不能从过去开始（那会改写当时谁在值班）；从现在开始即可",
            "a cover cannot start in the past (that would rewrite who was on call); start it now",
        ),
        "cover.error.not_on_roster": (
            "{person} 不在值班表上（团队：{team}），无需代班",
            "{person} is not on the roster (team: {team}): there is no turn to cover",
        ),
        "cover.error.overlap": (
            "这段时间已有代班 {id}（{person}）；请先取消它",
            "cover {id} ({person}) already covers that time; cancel it first",
        ),
        "cover.error.circular": (
            "代班 {id} 正好相反（对方替您值班），两人不能互相代班",
            "cover {id} is the other way round (they cover for you); two people cannot cover for each other",
        ),
    }
)
