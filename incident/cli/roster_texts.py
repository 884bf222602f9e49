"""Texts of ``incident roster`` (incident/cli/roster_cmds.py), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "roster.help": (
            "值班表：显示谁在值班；事件负责人或管理员可不改配置文件而修改值班表。"
            "修改保存在数据库中，立即对所有进程生效，并对被修改的团队和人员优先于配置文件；"
            "其余仍以配置文件为准。例如：incident roster add cs lina --at 1；"
            "incident roster set cs --members wangfang,zhoumin --start '2026-12-08 08:00' --every daily；"
            "incident roster person lina --slack-id U0LINA2；incident roster reset team cs；incident roster history",
            "The roster: who is on call; a lead or an admin changes it without editing the configuration file. "
            "Changes are stored in the database, take effect at once in every process and win over the file "
            "for the teams and people they name; the file decides the rest. E.g. incident roster add cs lina "
            "--at 1; incident roster set cs --members wangfang,zhoumin --start '2026-12-08 08:00' --every daily; "
            "incident roster person lina --slack-id U0LINA2; incident roster reset team cs; incident roster history",
        ),
        "roster.help.show": (
            "显示各团队此刻（或 --at 指定时刻）的值班人员（与不带子命令的 incident roster 相同）",
            "Show who is on call in each team now (or at --at); the same as incident roster alone",
        ),
        "roster.help.set": (
            "修改团队：轮换成员及顺序、交接时间、每班时长、主管、副手（未给出的保持不变）",
            "Change a team: rotation members and their order, hand-over, turn length, supervisor, deputy "
            "(what is not given stays)",
        ),
        "roster.help.add": ("把某人加入团队的轮换", "Put someone into a team's rotation"),
        "roster.help.remove": (
            "把某人移出团队的轮换（不能移出最后一人）",
            "Take someone out of a team's rotation (never the last)",
        ),
        "roster.help.person": (
            "修改人员的姓名或联系方式 ID，或新增人员（需 --name）；空值清除该项",
            "Change a person's name or contact ids, or add a person (needs --name); an empty value clears it",
        ),
        "roster.help.reset": (
            "删除数据库中对某团队或人员的修改，回到配置文件的样子",
            "Drop the database's edit of a team or person: back to the configuration file",
        ),
        "roster.help.history": (
            "列出值班表的修改（谁、何时、之前 → 之后）",
            "List the roster's changes (who, when, before → after)",
        ),
        "roster.help.arg.team": ("团队键（例如 cs）", "the team's key (e.g. cs)"),
        "roster.help.arg.person": ("名册键或姓名", "roster key or name"),
        "roster.help.arg.kind": ("team 或 person", "team or person"),
        "roster.help.arg.key": ("团队或人员的名册键", "the team's or person's roster key"),
        "roster.help.opt.members": (
            "轮换成员，按顺序，逗号分隔（名册键或姓名）",
            "rotation members in order, comma-separated (roster keys or names)",
        ),
        "roster.help.opt.start": (
            "交接时间（中心时区），此后每班按 --every 交接",
            "the hand-over time (the centre's zone); turns change every --every from then",
        ),
        "roster.help.opt.every": ("每班时长：daily、weekly 或天数", "turn length: daily, weekly or a number of days"),
        "roster.help.opt.supervisor": ("团队主管（升级找他）", "the team's supervisor (escalations go there)"),
        "roster.help.opt.deputy": ("副手（空值：轮换中的下一人）", "the deputy (empty: the next in the rotation)"),
        "roster.help.opt.at": ("位置，1 = 第一个（默认：最后）", "position, 1 = first (default: last)"),
        "roster.help.opt.field": ("新值（空值清除）", "the new value (empty clears it)"),
        "roster.help.opt.limit": ("最多列出几条", "how many to list at most"),
        "roster.out.saved": ("已保存（修改 {id}）：{kind} {key}", "saved (change {id}): {kind} {key}"),
        "roster.out.team": (
            "{team}：轮换 {members}；交接 {start}，{every}；主管 {supervisor}；副手 {deputy}",
            "{team}: rotation {members}; hand-over {start}, {every}; supervisor {supervisor}; deputy {deputy}",
        ),
        "roster.out.history_none": ("尚无修改：值班表与配置文件一致", "no changes yet: the roster is the file's"),
        "roster.col.id": ("编号", "no."),
        "roster.col.when": ("时间", "when"),
        "roster.col.who": ("修改人", "by"),
        "roster.col.what": ("对象", "what"),
        "roster.col.change": ("之前 → 之后", "before → after"),
        "roster.out.history_title": ("值班表修改记录", "Roster changes"),
        # incident roster show: where each team's roster comes from (the
        # "on call by" column says rotation, shift, by hand or covering)
        "roster.col.from": ("名单来源", "Roster from"),
        "roster.from.file": ("配置文件（TOML）", "the file (TOML)"),
        "roster.from.db": ("数据库修改", "database edit"),
    }
)
