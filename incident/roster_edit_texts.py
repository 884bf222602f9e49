"""Texts of the roster edited outside the TOML (incident/roster_edit.py), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "roster.error.no_team": (
            "没有团队「{team}」（新团队请在配置文件中添加）；已有：{known}",
            "there is no team '{team}' (new teams are added in the configuration file); teams: {known}",
        ),
        "roster.error.unknown_person": (
            "`{where}` 引用了名册中不存在的人员「{person}」",
            "`{where}` names '{person}', who is not in the roster",
        ),
        "roster.error.unreachable": (
            "`{where}` 列出了 {channel}，但 {needs} 未设置，无法通过它通知此人",
            "`{where}` lists {channel}, but {needs} is not set: this person cannot be reached by it",
        ),
        "roster.error.uncovered": (
            "修改后没有任何团队承担{role:role}，但响应规则需要它",
            "after this change no team covers the {role:role}, which the response rules call in",
        ),
        "roster.error.email": ("「{value}」不是电子邮件地址", "'{value}' is not an e-mail address"),
        "roster.error.pager_id": (
            "寻呼 ID 是短信/语音服务商的联系人 ID，不是电话号码：「{value}」",
            "the pager id is the SMS/voice provider's contact id, not a phone number: '{value}'",
        ),
        "roster.error.phone": (
            "电话只保存后四位（例如 ****1234），完整号码从不保存",
            "the phone is kept as its last four digits only (e.g. ****1234); full numbers are never stored",
        ),
        "roster.error.empty_team": (
            "团队「{team}」不能没有值班成员：至少留一人在轮换中",
            "team '{team_en}' cannot be left without anyone on call: keep at least one member in the rotation",
        ),
        "roster.error.every": (
            "轮换周期须为 daily、weekly 或天数（至少 1）：「{value}」",
            "the turn lasts daily, weekly or a number of days (at least 1): '{value}'",
        ),
        "roster.error.start": (
            "「{value}」不是交接时间（例如 2026-12-07 09:00）",
            "'{value}' is not a hand-over time (e.g. 2026-12-07 09:00)",
        ),
        "roster.error.invalid": ("`{field}` 有误：「{value}」", "`{field}` is not valid: '{value}'"),
        "roster.error.no_rotation": (
            "团队「{team}」没有轮换：请同时给出成员和交接时间（--members、--start）",
            "team '{team}' has no rotation: give its members and hand-over time together (--members, --start)",
        ),
        "roster.error.already_member": (
            "{person} 已在团队「{team}」的轮换中",
            "{person} is already in team '{team}''s rotation",
        ),
        "roster.error.not_member": (
            "{person} 不在团队「{team}」的轮换中",
            "{person} is not in team '{team}''s rotation",
        ),
        "roster.error.last_member": (
            "{person} 是团队「{team}」唯一的成员，不能移出（先加入另一人）",
            "{person} is the only member of team '{team}' and cannot be removed (add someone else first)",
        ),
        "roster.error.bad_key": (
            "「{key}」不能作为名册键：只用小写字母、数字、-、_、.",
            "'{key}' cannot be a roster key: lower-case letters, digits, -, _ and . only",
        ),
        "roster.error.name_needed": (
            "新人员 {key} 需要姓名（--name）",
            "the new person {key} needs a name (--name)",
        ),
        "roster.error.kind": (
            "「{kind}」不是 team 或 person",
            "'{kind}' is neither team nor person",
        ),
        "roster.error.not_edited": (
            "{kind} {key} 没有在数据库中修改过，已是配置文件中的样子",
            "{kind} {key} has no edit in the database: it is as the configuration file has it",
        ),
        "roster.check.edited": (
            "数据库中有 {n} 处值班表修改优先于配置文件：{names}",
            "{n} roster edit(s) in the database win over the file: {names}",
        ),
        "roster.check.skipped": (
            "数据库中对 {kind} {key} 的修改不再符合配置文件，未生效：{reason}",
            "the database's edit of {kind} {key} no longer fits the file and is not in effect: {reason}",
        ),
        "roster.wins": (
            "值班表来自配置文件（TOML）；在网页或 incident roster 中修改的团队和人员保存在数据库中，"
            "对这些团队和人员以数据库为准（立即对所有进程生效），其余仍以配置文件为准；"
            "「还原」删除数据库中的修改，回到配置文件。",
            "The roster comes from the configuration file (TOML); teams and people edited on the web or "
            "with incident roster are stored in the database, which wins for them (at once, in every "
            "process) while the file still decides the rest; 'reset' drops the database's edit and goes "
            "back to the file.",
        ),
    }
)

# What a change did, for the history (web and CLI).
CATALOG.update(
    {
        "roster.action.team": ("修改团队", "team changed"),
        "roster.action.add_member": ("加入成员", "member added"),
        "roster.action.remove_member": ("移出成员", "member removed"),
        "roster.action.person": ("修改人员", "person changed"),
        "roster.action.new_person": ("新增人员", "person added"),
        "roster.action.reset": ("还原为配置文件", "reset to the file"),
        "roster.kind.team": ("团队", "team"),
        "roster.kind.person": ("人员", "person"),
    }
)
