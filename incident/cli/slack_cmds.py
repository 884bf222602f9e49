"""CLI: ``incident slack sync|status`` — bring the incidents' Slack
channels in step now (what the ``slack-sync`` flow does every 20 s) and see
where each stands."""

from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from incident.cli import texts as _cli_texts  # noqa: F401
from incident.cli.render import print_json
from incident.i18n import CATALOG, t
from incident.models import SlackChannel
from incident.runtime import Runtime
from incident.timeutil import fmt

CATALOG.update(
    {
        "help.slack": (
            "Slack：每个事件一个频道（话题、成员、置顶摘要、时间线），/incident 命令与按钮。"
            "未设置令牌（默认环境变量 SLACK_BOT_TOKEN）时不发送任何内容。",
            "Slack: a channel per incident (topic, members, pinned summary, timeline), the /incident command and "
            "buttons. Nothing is sent while no token is set (environment variable SLACK_BOT_TOKEN by default).",
        ),
        "help.slack.sync": (
            "立即同步各事件的 Slack 频道（slack-sync 流程每 20 秒执行一次），并重试失败的部分。\n\n"
            "示例：incident slack sync --force",
            "Bring the incidents' Slack channels in step now (the slack-sync flow does it every 20 s), retrying "
            "what failed.\n\nExample: incident slack sync --force",
        ),
        "help.slack.status": (
            "各事件 Slack 频道的同步状态。\n\n示例：incident slack status",
            "Where each incident's Slack channel stands.\n\nExample: incident slack status",
        ),
        "help.opt.force": ("不等待退避时间，立即重试出错的频道", "retry channels backing off after an error now"),
        "out.slack_off": (
            "未设置 Slack 令牌（环境变量 {env}），Slack 未启用；通知照常写入时间线和控制台",
            "no Slack token (environment variable {env}): Slack is off; "
            "notifications go to the timeline and the console",
        ),
        "out.slack_synced": (
            "已同步 {incidents} 个事件：调用 {calls} 次，发布事件 {events} 条，错误 {errors} 个",
            "synced {incidents} incidents: {calls} calls, {events} events posted, {errors} errors",
        ),
        "out.slack_none": ("还没有事件频道", "no incident channels yet"),
        "col.channel": ("频道", "channel"),
        "col.events": ("已发事件至", "events up to"),
        "col.error": ("最近错误", "last error"),
        "col.archived": ("归档", "archived"),
    }
)


def register(app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    slack_app = typer.Typer(help=h("help.slack"), no_args_is_help=True)
    app.add_typer(slack_app, name="slack")

    @slack_app.command("sync", help=h("help.slack.sync"))
    def sync(force: Annotated[bool, typer.Option("--force", help=h("help.opt.force"))] = False) -> None:
        from incident.slack.sync import sync_all  # noqa: PLC0415 — lazy: slack_sdk, only for this command

        r = rt()
        if r.slack is None:
            out.print(t("out.slack_off", r.lang, env=r.config.slack.token_env), markup=False)
            return
        report = sync_all(r.store, r.ctx, r.slack, force=force)
        out.print(
            t(
                "out.slack_synced",
                r.lang,
                incidents=report.incidents,
                calls=report.calls,
                events=report.posted_events,
                errors=len(report.errors),
            ),
            markup=False,
        )
        for error in report.errors[:20]:
            out.print(error, style="red", markup=False)
        if report.errors:
            raise typer.Exit(1)

    @slack_app.command("status", help=h("help.slack.status"))
    def status(as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False) -> None:
        r = rt()
        with r.store.read() as s:
            rows = list(s.scalars(select(SlackChannel).order_by(SlackChannel.incident_id)))
        if as_json:
            print_json(
                out,
                [
                    {
                        "incident": f"INC-{c.incident_id}",
                        "channel_id": c.channel_id,
                        "name": c.name,
                        "last_event_id": c.last_event_id,
                        "last_error": c.last_error,
                        "archived_at": c.archived_at.isoformat() if c.archived_at else None,
                    }
                    for c in rows
                ],
            )
            return
        if r.slack is None:
            out.print(t("out.slack_off", r.lang, env=r.config.slack.token_env), style="yellow", markup=False)
        if not rows:
            out.print(t("out.slack_none", r.lang), markup=False)
            return
        table = Table()
        for col in ("col.channel", "col.events", "col.error", "col.archived"):
            table.add_column(t(col, r.lang))
        for c in rows:
            table.add_row(
                f"INC-{c.incident_id} #{c.name or '—'}",
                str(c.last_event_id),
                c.last_error or "—",
                fmt(c.archived_at, r.config.zone) if c.archived_at else "—",
            )
        out.print(table)
