"""Texts of the roster page (/roster, incident/web/roster_page.py), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

ROSTER_TEXTS = {
    "web.roster.title": ("值班表", "Roster"),
    "web.roster.now": ("当前值班", "on call now"),
    "web.roster.next": ("下一班", "next"),
    "web.roster.until": ("至 {at}", "until {at}"),
    "web.roster.nobody": ("无人值班", "nobody on call"),
    "web.roster.covering": ("（代 {person}）", "(covering for {person})"),
    "web.roster.roles": ("承担角色", "roles"),
    "web.roster.supervisor": ("主管", "supervisor"),
    "web.roster.deputy": ("副手", "deputy"),
    # zh with the full-width colon, en with the ASCII one
    "web.roster.supervisor_is": ("主管：{person}", "supervisor: {person}"),
    "web.roster.deputy_is": ("副手：{person}", "deputy: {person}"),
    "web.roster.sep": ("：", ": "),
    "web.roster.members": ("轮换成员（按顺序）", "rotation members (in order)"),
    "web.roster.members_hint": (
        "名册键或姓名，用逗号分隔，按轮换顺序",
        "roster keys or names, comma-separated, in rotation order",
    ),
    "web.roster.start": ("交接时间（中心时区）", "hand-over (the centre's time)"),
    "web.roster.every": ("每班时长（daily、weekly 或天数）", "turn length (daily, weekly or days)"),
    "web.roster.save": ("保存团队", "Save team"),
    "web.roster.add": ("加入轮换", "Add to the rotation"),
    "web.roster.position": ("位置（1 = 第一个；空 = 最后）", "position (1 = first; empty = last)"),
    "web.roster.remove": ("移出 {person}", "Remove {person}"),
    "web.roster.reset": ("还原为配置文件", "Reset to the file"),
    "web.roster.source_file": ("来源：配置文件", "source: the file"),
    "web.roster.source_db": (
        "来源：数据库（{who} 于 {at} 修改，优先于配置文件）",
        "source: the database (edited by {who} at {at}; wins over the file)",
    ),
    "web.roster.skipped": (
        "数据库中对 {kind} {key} 的修改不再符合配置文件，未生效：{reason}",
        "the database's edit of {kind} {key} no longer fits the file and is not in effect: {reason}",
    ),
    "web.roster.people": ("人员", "People"),
    "web.roster.key": ("名册键", "roster key"),
    "web.roster.name": ("姓名", "name"),
    "web.roster.email": ("电子邮件", "e-mail"),
    "web.roster.slack_id": ("Slack ID", "Slack id"),
    "web.roster.pager_id": ("寻呼 ID（服务商联系人 ID）", "pager id (the provider's contact id)"),
    "web.roster.phone": ("电话（仅后四位）", "phone (last four digits only)"),
    "web.roster.phone_now": ("现为 {phone}", "now {phone}"),
    "web.roster.phone_hint": (
        "电话：留空则保持现有的后四位；输入新的后四位（如 ****1234）则替换；勾选「清除电话」则删除。",
        "Phone: left empty, the last four digits kept stay; new ones (e.g. ****1234) replace them; "
        "'clear the phone' removes them.",
    ),
    "web.roster.phone_clear": ("清除电话", "clear the phone"),
    "web.roster.no_change": ("没有字段改变", "no field changed"),
    "web.roster.save_person": ("保存人员", "Save person"),
    "web.roster.new_person": ("新增人员", "Add a person"),
    "web.roster.history": ("修改记录", "Changes"),
    "web.roster.history_none": ("尚无修改：值班表与配置文件一致", "no changes yet: the roster is the file's"),
    "web.roster.col.when": ("时间", "when"),
    "web.roster.col.who": ("修改人", "by"),
    "web.roster.col.what": ("对象", "what"),
    "web.roster.col.change": ("修改（之前 → 之后）", "change (before → after)"),
    "web.roster.done": ("已保存：{kind} {key}", "saved: {kind} {key}"),
    "web.roster.view_only": (
        "只有事件负责人或管理员可以修改值班表",
        "only a lead or an admin edits the roster",
    ),
}

CATALOG.update(ROSTER_TEXTS)
