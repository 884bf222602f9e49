"""CLI: ``incident web`` — serve the web app (board, statement desk, agent
lookup, remedy pages, status page, the JSON API and Slack's endpoints) with
uvicorn. ``incident serve`` (issue 8) adds the flows to the same process."""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from incident.cli import texts as _cli_texts  # noqa: F401
from incident.demo import lock as demo_lock
from incident.demo import run as demo_run
from incident.errors import InputError
from incident.i18n import CATALOG, t
from incident.logs import setup
from incident.runtime import Runtime
from incident.serve import coordinator_env, logs_dir, port_free, sign_in_hint

CATALOG.update(
    {
        "help.web": (
            "启动网页端：事件看板、声明工作台、话术查询、补偿与回访、公开状态页、API 和 Slack 接口。"
            "\n\n首次使用先创建管理员：incident users add admin --role admin"
            "\n\n示例：incident web --port 8000",
            "Serve the web app: incident board, statement desk, reply lookup, remedy pages, the public status page, "
            "the API and Slack's endpoints.\n\nFirst time: create an admin with incident users add admin --role admin"
            "\n\nExample: incident web --port 8000",
        ),
        "help.opt.host": (
            "监听地址（默认仅本机；对外服务请放在 HTTPS 反向代理之后）",
            "address to listen on (default: this machine only; put it behind an HTTPS reverse proxy to serve others)",
        ),
        "help.opt.port": ("端口", "port"),
    }
)


def register(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    @app.command("web", help=h("help.web"))
    def web(
        host: Annotated[str, typer.Option("--host", help=h("help.opt.host"))] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help=h("help.opt.port"))] = 8000,
    ) -> None:
        import uvicorn  # noqa: PLC0415 — lazy: uvicorn and the web app (FastAPI) only for `incident web`

        from incident.web.app import create_app  # noqa: PLC0415 — lazy: FastAPI and every route, ~0.4 s

        rt = rt_of()
        setup(rt.settings.log_format, rt.settings.log_level)
        hint = sign_in_hint(rt)
        out.print(t("out.web_at", rt.lang, host=host, port=port), markup=False, highlight=False)
        out.print(hint, markup=False, highlight=False)
        uvicorn.run(create_app(rt), host=host, port=port, log_level="warning", proxy_headers=False)

    _register_serve(app, lang, rt_of, out)


CATALOG.update(
    {
        "help.serve": (
            "启动整个协调系统：网页端（看板、工作台、话术查询、状态页、API、Slack 接口）以及按计划运行的全部流程"
            "（watch-feeds、watch-volumes、deliver-outbox、escalate-unacknowledged、sweep-callbacks、slack-sync、"
            "daily-report，issue-compensation 按需），经由 Prefect 的 runner 与本地 Prefect 服务器，全部在一个进程中。"
            "Ctrl-C 停止。\n\n示例：incident serve",
            "Start the whole coordinator: the web app (board, desk, lookup, status page, APIs, Slack endpoints) and "
            "every flow on its schedule (watch-feeds, watch-volumes, deliver-outbox, escalate-unacknowledged, "
            "sweep-callbacks, slack-sync, daily-report; issue-compensation on demand) through Prefect's runner and a "
            "local Prefect server, all in one process. Ctrl-C stops it.\n\nExample: incident serve",
        ),
        "help.opt.prefect_port": (
            "本地 Prefect 服务器的端口（设置了 PREFECT_API_URL 时不启动本地服务器）",
            "port of the local Prefect server (none is started when PREFECT_API_URL is set)",
        ),
        "help.opt.demo": (
            "演示：示例配置、本地示例订阅源（中英文）和回放的投诉流（含一次系统故障激增），演示用户；"
            "数据在 $INCIDENT_DATA_DIR/demo，每次启动重置；每个数据目录同时只运行一个演示。./dev run 即以此启动。",
            "demo: the example configuration, example feeds served locally (zh and en) and a replayed complaint "
            "stream with an outage surge, demo users; data in $INCIDENT_DATA_DIR/demo, reset at each start; one "
            "demo at a time per data directory. ./dev run starts this.",
        ),
    }
)


def _register_serve(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    @app.command("serve", help=h("help.serve"))
    def serve(
        host: Annotated[str, typer.Option("--host", help=h("help.opt.host"))] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help=h("help.opt.port"))] = 8000,
        prefect_port: Annotated[int, typer.Option("--prefect-port", help=h("help.opt.prefect_port"))] = 4200,
        demo: Annotated[bool, typer.Option("--demo", help=h("help.opt.demo"))] = False,
    ) -> None:
        began = time.time()
        rt = rt_of()  # the configuration is checked here, before anything starts

        def say(text: str) -> None:
            out.print(text, markup=False, highlight=False)

        if demo:
            # Before anything else (the port checks, the reset): a demo already
            # running on this data directory is named, and left alone. Held by
            # this process and, after exec, by the coordinator until it ends.
            demo_lock.hold(rt.settings.data_dir, host, port)
        if not port_free(host, port):
            raise InputError("serve.error.port", port=port, option="--port")
        if not os.environ.get("PREFECT_API_URL") and not port_free("127.0.0.1", prefect_port):
            raise InputError("serve.error.port", port=prefect_port, option="--prefect-port")
        data_dir, config_path, database_url = rt.settings.data_dir, rt.config_path, rt.database_url
        env_extra: dict[str, str] = {}
        if demo:
            # Prefect's own database stays outside the demo's (reset) directory:
            # a warm Prefect server starts in seconds.
            env_extra["PREFECT_HOME"] = os.environ.get("PREFECT_HOME") or str(data_dir.resolve() / "prefect")
            the_demo = demo_run.prepare(data_dir / "demo", config_path, port, rt.clock)
            data_dir, config_path, database_url = the_demo.path, the_demo.config_path, the_demo.database_url
            for line in the_demo.intro(rt.lang):
                say(line)
        else:
            sign_in_hint(rt)  # the database answers, at the current schema
        env = coordinator_env(Path(data_dir), database_url, config_path, prefect_port)
        env.update(env_extra)
        env["INCIDENT_LANG"] = rt.lang
        env["INCIDENT_SERVE_STARTED"] = repr(began)
        say(t("out.serve_prefect", rt.lang))
        say(t("out.serve_flows", rt.lang, logs=logs_dir(Path(data_dir))))
        out.file.flush()
        argv = [
            sys.executable,
            "-m",
            "incident_flows.serve",
            "--coordinator",
            "--host",
            host,
            "--port",
            str(port),
            "--prefect-port",
            str(prefect_port),
        ] + (["--demo"] if demo else [])
        # The coordinator is this process from here on (same pid: a service
        # manager's SIGTERM reaches it).
        os.execve(sys.executable, argv, env)
