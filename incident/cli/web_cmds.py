"""CLI: ``incident web`` — serve the web app (board, statement desk, agent
lookup, remedy pages, status page, the JSON API and Slack's endpoints) with
uvicorn. ``incident serve`` (issue 8) adds the flows to the same process."""

import os
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import func, select

from incident.cli import texts as _cli_texts  # noqa: F401
from incident.i18n import CATALOG, t
from incident.runtime import Runtime

CATALOG.update({
    "help.web": ("启动网页端：事件看板、声明工作台、话术查询、补偿与回访、公开状态页、API 和 Slack 接口。"
                 "\n\n首次使用先创建管理员：incident users add admin --role admin"
                 "\n\n示例：incident web --port 8000",
                 "Serve the web app: incident board, statement desk, reply lookup, remedy pages, the public status page, "
                 "the API and Slack's endpoints.\n\nFirst time: create an admin with incident users add admin --role admin"
                 "\n\nExample: incident web --port 8000"),
    "help.opt.host": ("监听地址（默认仅本机；对外服务请放在 HTTPS 反向代理之后）",
                      "address to listen on (default: this machine only; put it behind an HTTPS reverse proxy to serve others)"),
    "help.opt.port": ("端口", "port"),
    "out.web_at": ("网页端：http://{host}:{port}/   状态页：http://{host}:{port}/status   API 文档：http://{host}:{port}/api/docs",
                   "web app: http://{host}:{port}/   status page: http://{host}:{port}/status   API docs: http://{host}:{port}/api/docs"),
    "out.web_no_users": ("还没有任何用户，无法登录。先创建一个：incident users add admin --role admin",
                         "there are no users yet, so nobody can sign in. Create one first: incident users add admin --role admin"),
    "out.web_users": ("已有 {n} 个用户；登录方式：{auth}", "{n} users; sign-in: {auth}"),
    "out.web_auth.password": ("用户名 + 密码", "user name + password"),
    "out.web_auth.proxy": ("反向代理请求头 {header}", "the reverse proxy's header {header}"),
})


def register(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    @app.command("web", help=h("help.web"))
    def web(
        host: Annotated[str, typer.Option("--host", help=h("help.opt.host"))] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help=h("help.opt.port"))] = 8000,
    ) -> None:
        import uvicorn

        from incident.logs import setup
        from incident.web.app import create_app

        rt = rt_of()
        setup(rt.settings.log_format, rt.settings.log_level)
        hint = _sign_in_hint(rt)
        out.print(t("out.web_at", rt.lang, host=host, port=port), markup=False, highlight=False)
        out.print(hint, markup=False, highlight=False)
        uvicorn.run(create_app(rt), host=host, port=port, log_level="warning", proxy_headers=False)

    _register_serve(app, lang, rt_of, out)


def _sign_in_hint(rt: Runtime) -> str:
    """How people sign in, or that nobody can yet and how to fix that."""
    from incident.models import User

    with rt.store.read() as s:
        count = s.scalar(select(func.count()).select_from(User)) or 0
    web_cfg = rt.config.web
    if count or web_cfg.auth == "proxy":
        return t("out.web_users", rt.lang, n=count,
                 auth=t(f"out.web_auth.{web_cfg.auth}", rt.lang, header=web_cfg.proxy_header))
    return t("out.web_no_users", rt.lang)


CATALOG.update({
    "help.serve": ("启动整个协调系统：网页端（看板、工作台、话术查询、状态页、API、Slack 接口）以及按计划运行的全部流程"
                   "（watch-feeds、watch-volumes、deliver-outbox、escalate-unacknowledged、sweep-callbacks、slack-sync、"
                   "daily-report，issue-compensation 按需），经由 Prefect 的 serve 与本地 Prefect 服务器。"
                   "Ctrl-C 停止。\n\n示例：incident serve",
                   "Start the whole coordinator: the web app (board, desk, lookup, status page, APIs, Slack endpoints) and "
                   "every flow on its schedule (watch-feeds, watch-volumes, deliver-outbox, escalate-unacknowledged, "
                   "sweep-callbacks, slack-sync, daily-report; issue-compensation on demand) through Prefect's serve and a "
                   "local Prefect server. Ctrl-C stops it.\n\nExample: incident serve"),
    "help.opt.prefect_port": ("本地 Prefect 服务器的端口（设置了 PREFECT_API_URL 时不启动本地服务器）",
                              "port of the local Prefect server (none is started when PREFECT_API_URL is set)"),
    "out.serve_prefect": ("正在启动 Prefect 服务器（首次约需半分钟）……", "starting the Prefect server (about half a minute the first time) …"),
    "out.serve_flows": ("流程已按计划运行；日志：{logs}", "flows are running on their schedules; logs: {logs}"),
    "out.serve_stopping": ("正在停止……", "stopping …"),
    "out.serve_stopped": ("已停止。", "stopped."),
    "serve.error": ("无法启动：{reason}", "could not start: {reason}"),
})


def _register_serve(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    @app.command("serve", help=h("help.serve"))
    def serve(
        host: Annotated[str, typer.Option("--host", help=h("help.opt.host"))] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help=h("help.opt.port"))] = 8000,
        prefect_port: Annotated[int, typer.Option("--prefect-port", help=h("help.opt.prefect_port"))] = 4200,
    ) -> None:
        import uvicorn

        from incident.errors import InputError
        from incident.logs import setup
        from incident.serve import Supervisor
        from incident.web.app import create_app

        rt = rt_of()
        setup(rt.settings.log_format, rt.settings.log_level)
        hint = _sign_in_hint(rt)  # also: the database answers, at the current schema

        def say(text: str) -> None:
            out.print(text, markup=False, highlight=False)

        sup = Supervisor(rt, host=host, port=port, prefect_port=prefect_port, say=say)
        try:
            if not os.environ.get("PREFECT_API_URL"):
                say(t("out.serve_prefect", rt.lang))
            sup.start_prefect()
            sup.start_runner()
        except RuntimeError as exc:
            sup.stop()
            raise InputError("serve.error", reason=str(exc)) from None
        say(t("out.serve_flows", rt.lang, logs=sup.logs))
        say(t("out.web_at", rt.lang, host=host, port=port))
        say(hint)
        server = uvicorn.Server(uvicorn.Config(create_app(rt), host=host, port=port, log_level="warning",
                                               proxy_headers=False))
        sup.watch_children(server)
        import signal

        # uvicorn hands the signal that stopped it back to the handler it
        # found (to let the process die the default way): make that ours, so
        # the children are stopped before we go.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda _signum, _frame: None)
        try:
            server.run()  # returns on Ctrl-C / SIGTERM, after in-flight requests finish
        finally:
            say(t("out.serve_stopping", rt.lang))
            sup.stop()
            say(t("out.serve_stopped", rt.lang))
