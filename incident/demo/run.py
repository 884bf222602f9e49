"""Setting the demo up, and the replay that keeps its complaints coming."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import shutil
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from incident.access import tokens, users
from incident.config import WordingConfig, load_config
from incident.context import Context
from incident.db import Store, default_url
from incident.demo import crm, feeds, stream
from incident.errors import InputError
from incident.i18n import CATALOG, t
from incident.timeutil import Clock
from incident.watch import complaints as intake
from incident.watch.jobs import rules_for

log = logging.getLogger("incident.demo")

MARKER = ".incident-demo"
REPLAY_SECONDS = 5.0
CRM_WAIT = dt.timedelta(minutes=30)  # after the surge: no outage incident by then, no CRM import

# (user, roles) — each the roster person of the same key in the example
# configuration, so the response group's names are people who can sign in.
# liuyang supervises the duty leads: a compensation supervisor with an
# account who is not the one who proposes (chenjing, the cs lead, proposes;
# the ledger never lets the proposer approve), so every entry above the
# threshold can be approved in the browser.
USERS = [
    ("zhangwei", ["lead"]),
    ("lina", ["lead"]),
    ("liuyang", ["lead"]),
    ("emily", ["comms"]),
    ("sunli", ["comms", "legal"]),
    ("chenjing", ["cs_lead"]),
    ("wangfang", ["agent"]),
    ("zhoumin", ["agent"]),
    ("admin", ["admin"]),
]

CATALOG.update(
    {
        "demo.error.not_demo": (
            "{path} 已存在且不是演示数据目录，演示不会覆盖它。请换一个 INCIDENT_DATA_DIR。",
            "{path} exists and is not a demo data directory; the demo will not overwrite it. "
            "Choose another INCIDENT_DATA_DIR.",
        ),
        "demo.out.intro": (
            "演示模式：示例配置，示例订阅源（中文微博、英文支付服务商状态页）由本服务提供，"
            "投诉流正在回放：过去一周的日常工单，以及 {minutes} 分钟前开始的一次系统故障投诉激增。"
            "演示数据在 {path}，每次启动都会重置。",
            "Demo: the example configuration, example feeds served by this app (a Chinese Weibo search and an "
            "English payment provider's status page) and a replayed complaint stream: a week of ordinary "
            "tickets, then an outage surge that began {minutes} minutes ago. Demo data lives in {path} and is "
            "reset at each start.",
        ),
        "demo.out.expect": (
            "约一两分钟内，看板上会出现监测自动开启的事件（及其响应小组），声明工作台里有待审批的事实单草稿，"
            "回访已安排给坐席；客户系统随后导入的受影响客户（编号 CRM…）保留了完整号码，"
            "坐席在「我的回访」中可「显示号码」并拨打。",
            "Within a minute or two the board shows the incident detection opened (with its response group), "
            "the desk a draft fact sheet awaiting approval, and callbacks scheduled for the agents; the affected "
            "customers then imported from the CRM (numbers CRM…) keep their full numbers: an agent's 'Show "
            "number' on their calls gives one to dial.",
        ),
        "demo.out.cli": (
            "在另一个终端用命令行操作演示数据：INCIDENT_DATA_DIR={path} INCIDENT_CONFIG={config} "
            "./dev run --as zhangwei list（或 incident …；密码即下方演示用户的密码）",
            "The command line on the demo's data, from another terminal: INCIDENT_DATA_DIR={path} "
            "INCIDENT_CONFIG={config} ./dev run --as zhangwei list (or incident …; the password is the demo "
            "users' one, shown below)",
        ),
        "demo.out.users": (
            "登录：用户名 {users}，密码均为 {password}",
            "Sign in as {users}; the password for all: {password}",
        ),
        "demo.role.zhangwei": ("值班指挥", "lead"),
        "demo.role.lina": ("值班指挥", "lead"),
        "demo.role.liuyang": ("值班主管，审批补偿", "duty supervisor, approves compensation"),
        "demo.role.emily": ("公关，可审批", "comms, approves"),
        "demo.role.sunli": ("公关+法务", "comms + legal"),
        "demo.role.chenjing": ("客服主管", "cs lead"),
        "demo.role.wangfang": ("坐席", "agent"),
        "demo.role.zhoumin": ("坐席", "agent"),
        "demo.role.admin": ("管理员", "admin"),
    }
)


def _feeds_toml(port: int) -> str:
    base = f"http://127.0.0.1:{port}/demo/feeds"
    return f"""

# ---- Added by the demo (incident serve --demo) --------------------------------
[feeds.demo-weibo]
url = "{base}/weibo-zh.xml"
kind = "social"
language = "zh-CN"
poll_minutes = 1
allow_private = true

[feeds.demo-payments]
url = "{base}/payments-status.atom"
kind = "status_page"
language = "en"
severity = 2
poll_minutes = 1
allow_private = true
"""


def _with_public_url(base: str, port: int) -> str:
    """The base configuration with the status page's public URL on the
    demo's port, when it is the built-in one (unset, or set to it as the
    example configuration does): otherwise every statement and Atom entry
    would link to port 8000 whatever port the demo serves on. A URL the
    user chose is left alone."""
    default = WordingConfig.model_fields["public_url"].default
    try:
        current = tomllib.loads(base).get("wording", {}).get("public_url")
    except tomllib.TOMLDecodeError:
        return base  # load_config refuses it next, naming the line
    if current not in (None, default, default + "/"):
        return base
    line = f'public_url = "http://127.0.0.1:{port}"'
    if current is not None:
        changed = re.sub(r"(?m)^[ \t]*public_url[ \t]*=[ \t]*([\"'])[^\"'\n]*\1", line, base, count=1)
    elif re.search(r"(?m)^[ \t]*\[wording\]", base):
        changed = re.sub(r"(?m)^([ \t]*\[wording\][^\n]*)$", lambda m: f"{m.group(1)}\n{line}", base, count=1)
    else:
        changed = f"{base}\n\n[wording]\n{line}\n"
    # Written another way than these cover (a dotted key, an inline table):
    # the demo still runs, its links on the default port.
    try:
        ok = tomllib.loads(changed).get("wording", {}).get("public_url") == f"http://127.0.0.1:{port}"
    except tomllib.TOMLDecodeError:
        ok = False
    return changed if ok else base


@dataclass
class Demo:
    path: Path
    config_path: Path
    database_url: str
    start: dt.datetime
    password: str
    surge: list[dict[str, Any]] = field(default_factory=list)
    # The replay's API token (of the demo's admin): being on this host grants nothing.
    token: str = ""

    def save(self) -> None:
        """For the coordinator process: when the demo began, the password and
        the replay's token (readable by this user only)."""
        path = self.path / "demo.json"
        path.touch(mode=0o600)
        saved = {"start": self.start.isoformat(), "password": self.password, "token": self.token}
        path.write_text(json.dumps(saved), "utf-8")

    def sign_in_text(self, lang: str) -> str:
        users = ", ".join(f"{name} ({t(f'demo.role.{name}', lang)})" for name, _ in USERS)
        return t("demo.out.users", lang, users=users, password=self.password)

    def intro(self, lang: str) -> list[str]:
        minutes = int(stream.SURGE_BEFORE.total_seconds() // 60)
        return [
            t("demo.out.intro", lang, minutes=minutes, path=self.path),
            t("demo.out.expect", lang),
            t("demo.out.cli", lang, path=self.path, config=self.config_path),
        ]


def prepare(data_dir: Path, base_config: Path | None, port: int, clock: Clock | None = None) -> Demo:
    """A fresh demo under ``data_dir``: its configuration (the base one plus
    the example feeds on ``port``), database, users and the stream so far."""
    data_dir = data_dir.resolve()
    if data_dir.exists():
        if not (data_dir / MARKER).exists() and any(data_dir.iterdir()):
            raise InputError("demo.error.not_demo", path=str(data_dir))
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / MARKER).write_text("incident serve --demo\n", "utf-8")
    base = Path(base_config).read_text("utf-8") if base_config else ""
    config_path = data_dir / "incident.toml"
    config_path.write_text(_with_public_url(base, port) + _feeds_toml(port), "utf-8")
    config = load_config(config_path)
    clock = clock or Clock()
    start = clock.now()
    url = default_url(data_dir)
    store = Store(url)
    password = secrets.token_urlsafe(9)
    try:
        with store.transaction() as s:
            for name, roles in USERS:
                users.add(s, config, start, username=name, roles=roles, password=password)
            _row, token = tokens.create(s, "admin", "demo replay", start)
        # What the ticket system had already recorded before the demo began:
        # a week of history and the outage's first minutes.
        rows = stream.history(start)
        surge = stream.surge(start)
        rows += list(stream.due(surge, start))
        ctx = Context(config, "demo-replay", clock)
        with store.transaction() as s:
            intake.ingest(s, ctx, list(enumerate(rows, 1)), rules_for(ctx), "demo-replay")
    finally:
        store.dispose()
    demo = Demo(data_dir, config_path, url, start, password, surge, token)
    demo.save()
    return demo


def load(data_dir: Path) -> Demo:
    """The demo ``prepare`` set up in ``data_dir``."""
    data_dir = data_dir.resolve()
    saved = json.loads((data_dir / "demo.json").read_text("utf-8"))
    start = dt.datetime.fromisoformat(saved["start"])
    return Demo(
        data_dir,
        data_dir / "incident.toml",
        default_url(data_dir),
        start,
        saved["password"],
        stream.surge(start),
        saved.get("token", ""),
    )


class Replay(threading.Thread):
    """Posts the surge's tickets to ``/api/complaints`` as their time comes,
    the way a ticket system's webhook would, with its own API token; and,
    once the detection has opened the outage, its affected customers from
    the CRM (incident/demo/crm.py), as the centre would import them."""

    def __init__(self, demo: Demo, base_url: str, clock: Clock | None = None) -> None:
        super().__init__(daemon=True, name="demo-replay")
        self.demo, self.base_url, self.clock = demo, base_url.rstrip("/"), clock or Clock()
        self.stopped = threading.Event()
        self.posted = sum(1 for _ in stream.due(demo.surge, demo.start))
        self.imported: int | None = None  # the incident the CRM's list went to

    def run(self) -> None:
        auth = {"Authorization": f"Bearer {self.demo.token}"} if self.demo.token else {}
        with httpx.Client(base_url=self.base_url, timeout=10, trust_env=False, headers=auth) as client:
            while not self.stopped.wait(REPLAY_SECONDS):
                if self.imported is None:
                    self.import_customers(client)
                now = self.clock.now()
                batch = list(stream.due(self.demo.surge[self.posted :], now))
                if not batch:
                    # done once the surge is in and the CRM's list too (or no outage came to take it)
                    late = now > self.demo.start + stream.SURGE_AFTER + CRM_WAIT
                    if self.posted >= len(self.demo.surge) and (self.imported is not None or late):
                        return
                    continue
                try:
                    resp = client.post(f"{self.base_url}/api/complaints", json=batch)
                    resp.raise_for_status()
                    self.posted += len(batch)
                except httpx.HTTPError as exc:
                    # the app may be busy or stopping: the same tickets go again next time (idempotent by id)
                    log.warning("demo replay: %s", exc)

    def import_customers(self, client: httpx.Client) -> None:
        """The CRM's list, once the outage incident is there (tried again
        next time until it is: the detection takes a minute or two)."""
        try:
            self.imported = crm.import_customers(client)
        except httpx.HTTPError as exc:
            log.warning("demo CRM import: %s", exc)

    def stop(self) -> None:
        self.stopped.set()


def router(demo: Demo, clock: Clock | None = None) -> Any:
    """``GET /demo/feeds/{name}``: the example feeds, as they stand now."""
    from fastapi import APIRouter, HTTPException  # noqa: PLC0415 — lazy: FastAPI, not in the CLI (incident.cli imports this)
    from fastapi.responses import Response  # noqa: PLC0415 — lazy: as above

    clock = clock or Clock()
    api = APIRouter(include_in_schema=False)

    @api.get("/demo/feeds/{name}")
    def feed(name: str) -> Response:
        if name not in feeds.FEEDS:
            raise HTTPException(404)
        return Response(feeds.render(name, demo.start, clock.now()), media_type=feeds.FEEDS[name])

    return api
