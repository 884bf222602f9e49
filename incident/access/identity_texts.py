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
        "identity.error.first_account_credential": (
            "这是第一个网页账号：建立后命令行只认令牌或密码，没有密码也没有令牌的账号将使所有人无法使用命令行。"
            "请为它设置密码（去掉 --no-password，在终端上输入两次，或用 --password-stdin 从标准输入读一行），"
            "或加上 --token 标签 同时创建一个 API 令牌（令牌只打印一次，脚本可直接接收：INCIDENT_TOKEN=$(…)）",
            "this is the first web account: once it exists the command line accepts only a token or a password, "
            "and an account with neither would lock everyone out of it. Give it a password (drop --no-password and "
            "type it twice on a terminal, or pass one line on stdin with --password-stdin), or add --token LABEL "
            "to create an API token for it at the same time (printed once, for a script to capture: "
            "INCIDENT_TOKEN=$(…))",
        ),
        "identity.error.first_account_admin": (
            "第一个网页账号必须有 admin 角色（当前：{roles}），否则之后没有人能再建立或管理账号；"
            "请用 --role admin（可同时加其他角色，如 --role admin,lead）",
            "the first web account must have the admin role (given: {roles}), or nobody could make or manage "
            "accounts afterwards; use --role admin (other roles may go beside it: --role admin,lead)",
        ),
        "identity.warn.drill_clock": (
            "注意：正在使用演练时钟 INCIDENT_NOW={value}（当前演练时间 {now}）：本次记录的时间不是真实时间",
            "warning: drill clock INCIDENT_NOW={value} in use (drill time now {now}): "
            "times recorded are not the real time",
        ),
        "identity.prompt.password": ("网页账号 {name} 的密码：", "Password of web account {name}: "),
    }
)
