"""Texts of the command line's sign-in (incident.access.identity), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "identity.error.need_credentials": (
            "已有网页账号，命令行须证明您是谁：设置 INCIDENT_TOKEN 为您的 API 令牌"
            "（由管理员创建：incident users token create 用户名 --label cli；或您本人在终端上用 "
            "incident --as 用户名 users token create 用户名 --label cli 创建），"
            "或在终端上运行并用 --as 用户名 输入该账号的密码（当前身份：{name}）",
            "web accounts exist, so the command line must know who you are: set INCIDENT_TOKEN to your API token "
            "(an admin creates it: incident users token create NAME --label cli; or you, on a terminal: "
            "incident --as NAME users token create NAME --label cli), "
            "or run the command on a terminal with --as NAME to type that account's password (acting as: {name})",
        ),
        "identity.error.bad_token": (
            "INCIDENT_TOKEN 不是有效的 API 令牌（未知、已吊销或其用户已停用）；"
            "请管理员重新创建：incident users token create 用户名 --label cli",
            "INCIDENT_TOKEN is not a valid API token (unknown, revoked, or its user is inactive); "
            "ask an admin for a new one: incident users token create NAME --label cli",
        ),
        "identity.error.as_mismatch": (
            "--as {asked}（或 INCIDENT_ACTOR）与 INCIDENT_TOKEN 不符：该令牌属于 {user}；"
            "请去掉 --as / INCIDENT_ACTOR，或使用 {asked} 本人的令牌",
            "--as {asked} (or INCIDENT_ACTOR) does not match INCIDENT_TOKEN, which is {user}'s; "
            "drop --as / INCIDENT_ACTOR or use {asked}'s own token",
        ),
        "identity.prompt.password": ("网页账号 {name} 的密码：", "Password of web account {name}: "),
    }
)
