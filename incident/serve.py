"""``incident serve``: the whole coordinator from one command — what needs
no Prefect import (the environment, readiness over HTTP, the texts).

The coordinator is one process (``python -m incident_flows.serve --coordinator``,
which ``incident serve`` becomes once it has checked the configuration):
- Prefect's own server (its API and services, the existing engine, on
  SQLite under ``$INCIDENT_DATA_DIR/prefect``) in a thread, unless
  ``PREFECT_API_URL`` names one already running (the scale-out set-up);
- Prefect's Runner with every deployment (``serve``'s engine) in a thread;
  each flow run is its own short-lived process, as Prefect runs them;
- the web app (uvicorn) in the main thread.
One interpreter instead of three keeps the resident memory down (the
three share FastAPI, SQLAlchemy and pydantic; ``benchmarks/serve.py``
measures it). Ctrl-C / SIGTERM stops the web app gracefully, then the
runner, then the server; work cut short is picked up by the next run
(every flow's work is claimed with a lease and is idempotent).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import func, select

from incident.i18n import CATALOG, t
from incident.models import User

if TYPE_CHECKING:
    from incident.runtime import Runtime

READY_TIMEOUT = 180.0
# Run at once when the runner is ready, instead of waiting for their next
# slot: what happened while the coordinator was down is caught up now.
RUN_AT_START = ("watch-feeds/watch-feeds", "watch-volumes/watch-volumes")
# Every deployment of flows/serve.py ("flow/deployment"; tests/test_serve.py
# checks the two lists agree): ready means all of them are registered.
DEPLOYMENTS = (
    *RUN_AT_START,
    "deliver-outbox/deliver-outbox",
    "escalate-unacknowledged/escalate-unacknowledged",
    "sweep-callbacks/sweep-callbacks",
    "daily-report/daily-report",
    "issue-compensation/issue-compensation",
    "slack-sync/slack-sync",
)
# Flow runs at once, each its own process (~100 MB while it lasts): one at
# a time keeps up with every schedule (benchmarks/serve.py) without the
# memory of several coinciding; a run due meanwhile waits its turn.
RUN_LIMIT = 1
# SQLite's page caches, for the whole coordinator process (PRAGMA
# soft_heap_limit is process-wide): each connection may otherwise cache 2 MB
# of the app's database and each of Prefect's 80 MB (it asks for 20,000
# pages), and both pools open up to 15 connections under load. Past the cap
# SQLite reuses its cache pages; the files stay in the kernel's page cache.
SQLITE_HEAP_MB = 32

CATALOG.update(
    {
        "out.web_at": (
            "网页端：http://{host}:{port}/   状态页：http://{host}:{port}/status   API 文档：http://{host}:{port}/api/docs",
            "web app: http://{host}:{port}/   status page: http://{host}:{port}/status   API docs: http://{host}:{port}/api/docs",
        ),
        "out.web_no_users": (
            "还没有任何用户，无法登录。先创建一个：incident users add admin --role admin",
            "there are no users yet, so nobody can sign in. Create one first: incident users add admin --role admin",
        ),
        "out.web_users": ("已有 {n} 个用户；登录方式：{auth}", "{n} users; sign-in: {auth}"),
        "out.web_auth.password": ("用户名 + 密码", "user name + password"),
        "out.web_auth.proxy": ("反向代理请求头 {header}", "the reverse proxy's header {header}"),
        "out.serve_prefect": ("正在启动 Prefect 服务器与流程……", "starting the Prefect server and the flows …"),
        "out.serve_flows": ("流程按计划运行；日志：{logs}", "flows run on their schedules; logs: {logs}"),
        "out.serve_ready": (
            "已就绪（{seconds} 秒）：{n} 个流程部署已注册，{flows} 立即运行一次。",
            "ready in {seconds} s: {n} deployments registered; {flows} running now.",
        ),
        "out.serve_stopping": ("正在停止……", "stopping …"),
        "out.serve_stopped": ("已停止。", "stopped."),
        "serve.error": ("无法启动：{reason}", "could not start: {reason}"),
        "serve.error.port": (
            "端口 {port} 已被占用：请停止占用它的程序，或换一个端口（{option}）",
            "port {port} is taken: stop what uses it, or choose another ({option})",
        ),
        "serve.error.prefect_db": (
            "无法创建或升级 Prefect 的数据库；详见 {log}",
            "Prefect's database could not be created or upgraded; see {log}",
        ),
        "serve.error.died": (
            "{what} 意外停止；详见 {log}。正在停止。",
            "{what} stopped unexpectedly; see {log}. Stopping.",
        ),
    }
)


def logs_dir(data_dir: Path) -> Path:
    path = data_dir.resolve() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def coordinator_env(data_dir: Path, database_url: str, config_path: Path | None, prefect_port: int) -> dict[str, str]:
    """The environment the coordinator process starts with: the same
    configuration and database, and Prefect's settings (read when Prefect
    is first imported, so they must be in place before)."""
    env = dict(os.environ)
    env["INCIDENT_DATABASE_URL"] = database_url
    env["INCIDENT_DATA_DIR"] = str(data_dir.resolve())
    if config_path is not None:
        env["INCIDENT_CONFIG"] = str(Path(config_path).resolve())
    env.setdefault("PREFECT_HOME", str(data_dir.resolve() / "prefect"))
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Interval schedules become runs through the server's scheduler loop.
    env.setdefault("PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS", "5")
    # glibc's default of 8 malloc arenas per core mostly holds freed memory
    # for the process's many threads (two servers, the runner, thread pools).
    env.setdefault("MALLOC_ARENA_MAX", "2")
    # glibc hands a large block (a sign-in's 16 MiB scrypt buffer) back to
    # the kernel when it is freed, but then raises its threshold so that the
    # next ones come from the heap, and stay there: one sign-in under load
    # kept 16 MB resident for good. A fixed threshold keeps blocks of 1 MiB
    # and more out of the heap (benchmarks/README.md, serve).
    env.setdefault("MALLOC_MMAP_THRESHOLD_", str(1 << 20))
    if not env.get("PREFECT_API_URL"):
        env["PREFECT_API_URL"] = f"http://127.0.0.1:{prefect_port}/api"
        env["INCIDENT_PREFECT_IN_PROCESS"] = "1"
        # The in-process server runs only the services that serving
        # deployments needs (the scheduler above all); work pools, automations,
        # pauses, global concurrency leases and the stored event history are
        # not used here. Each can be switched back on by its variable.
        # Prefect keeps every flow run and its logs (thousands a day here):
        # its own vacuum deletes those older than a week, so its database
        # (and the memory its SQLite cache takes) does not grow for ever.
        env.setdefault("PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED", "flow_runs")
        env.setdefault("PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD", "604800")
        for service in (
            "LATE_RUNS",
            "FOREMAN",
            "CANCELLATION_CLEANUP",
            "PAUSE_EXPIRATIONS",
            "REPOSSESSOR",
            "TRIGGERS",
            "EVENT_PERSISTER",
        ):
            env.setdefault(f"PREFECT_SERVER_SERVICES_{service}_ENABLED", "false")
        # Creating or upgrading Prefect's database and registering its block
        # types load Alembic's 100-odd migration scripts and every block
        # class: on a first start (every demo) ~28 MB of that stayed in the
        # process for its life (benchmarks/README.md). The coordinator does
        # both in a short-lived process of its own first (incident_flows.serve
        # --prefect-db), so its server skips them.
        env.setdefault("PREFECT_SERVER_DATABASE_MIGRATE_ON_START", "false")
        env.setdefault("PREFECT_SERVER_REGISTER_BLOCKS_ON_START", "false")
    return env


def port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        # as the servers themselves do: a port in TIME_WAIT from a previous run is free
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_healthy(api_url: str, alive: Callable[[], bool], timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("the Prefect server stopped while starting")
        try:
            if httpx.get(f"{api_url}/health", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the Prefect server was not ready after {timeout:.0f} s")


def wait_deployments(
    api_url: str, alive: Callable[[], bool], names: tuple[str, ...] = DEPLOYMENTS, timeout: float = READY_TIMEOUT
) -> dict[str, str]:
    """Wait until ``names`` ("flow/deployment") are registered: their ids."""
    deadline = time.monotonic() + timeout
    found: dict[str, str] = {}
    with httpx.Client(base_url=api_url, timeout=5, trust_env=False) as client:
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError("the flow runner stopped while registering the deployments")
            for name in names:
                if name not in found:
                    try:
                        resp = client.get(f"/deployments/name/{name}")
                    except httpx.HTTPError:
                        continue
                    if resp.status_code == 200:
                        found[name] = resp.json()["id"]
            if len(found) == len(names):
                return found
            time.sleep(0.5)
    raise RuntimeError(
        f"deployments not registered after {timeout:.0f} s: {', '.join(n for n in names if n not in found)}"
    )


def run_now(api_url: str, ids: dict[str, str]) -> None:
    """One run of each deployment, due now (through the Prefect API)."""
    with httpx.Client(base_url=api_url, timeout=10, trust_env=False) as client:
        for deployment_id in ids.values():
            # A busy local server (its SQLite locked while the runner
            # registers) answers 503 for a moment: try again.
            for attempt in range(20):
                try:
                    resp = client.post(f"/deployments/{deployment_id}/create_flow_run", json={})
                except httpx.TransportError:
                    if attempt == 19:
                        raise
                else:
                    if resp.status_code < 500 or attempt == 19:
                        resp.raise_for_status()
                        break
                time.sleep(1)


def sign_in_hint(rt: "Runtime") -> str:
    """How people sign in, or that nobody can yet and how to fix that."""
    with rt.store.read() as s:
        count = s.scalar(select(func.count()).select_from(User)) or 0
    web_cfg = rt.config.web
    if count or web_cfg.auth == "proxy":
        return t(
            "out.web_users",
            rt.lang,
            n=count,
            auth=t(f"out.web_auth.{web_cfg.auth}", rt.lang, header=web_cfg.proxy_header),
        )
    return t("out.web_no_users", rt.lang)
