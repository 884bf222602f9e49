"""Wording benchmarks (issue: wording).

- ``pull``: agents pulling the approved reply over HTTP on loopback, 50
  concurrent clients, against a bare FastAPI JSON endpoint measured the same
  way in the same run (target ratio ≥ 0.5, p99 < 50 ms). Each app runs in its
  own uvicorn process with one worker; the load comes from this process.
- ``render``: one statement rendered for every channel, checks included
  (target < 10 ms).

    python -m benchmarks.wording [pull|render] [--requests N]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

QUERIES = [
    "app 登录不了",
    "快递在杭州一直没派送",
    "短信通知重复收到",
    "退款一直没到账",
    "网点电话打不通",
    "微博上说你们泄露信息",
    "小程序下单失败",
    "运单查询不到",
]
TOPICS = [
    ("system_outage", "APP 登录失败", "APP 登录失败，部分客户无法下单", "The app cannot log in"),
    ("batch_complaint", "杭州网点派送延误", "杭州网点快件派送延误", "Parcels delayed in Hangzhou"),
    ("system_outage", "短信通知重复发送", "部分客户重复收到短信通知", "Some customers got duplicate texts"),
    ("batch_complaint", "退款到账延迟", "部分退款到账延迟", "Some refunds are late"),
    ("batch_complaint", "网点电话无法接通", "部分网点电话无法接通", "Some branch phones cannot be reached"),
    ("public_opinion", "网传信息泄露", "网传客户信息泄露", "Posts claim customer data leaked"),
    ("system_outage", "小程序下单失败", "小程序下单失败", "Ordering in the mini program fails"),
    ("system_outage", "运单查询异常", "运单查询异常", "Waybill tracking is failing"),
]


def seed(url: str, extra_closed: int = 200) -> None:
    """Eight active incidents with approved fact sheets (what a busy day
    looks like) and a history of closed ones the search must skip."""
    import dataclasses

    from incident import response
    from incident.config import load_config
    from incident.context import Context
    from incident.db import Store
    from incident.timeutil import FixedClock
    from incident.wording import factsheet, workflow

    config = load_config(ROOT / "examples" / "incident.toml")
    clock = FixedClock(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2))
    ctx = Context(config, "emily", clock)
    store = Store(url)
    with store.transaction() as s:
        for i in range(extra_closed):
            inc = response.declare(s, ctx, kind="other", severity=4, title=f"历史事件 {i}")
            response.change_status(s, ctx, inc.id, "resolved")
            response.change_status(s, ctx, inc.id, "closed")
    for kind, title, what, what_en in TOPICS:
        with store.transaction() as s:
            # SEV3: a SEV1–2 public-opinion sheet would also need legal's sign-off.
            iid = response.declare(s, ctx, kind=kind, severity=3, title=title).id
            factsheet.edit(
                s,
                ctx,
                iid,
                {
                    "what": what,
                    "what.en": what_en,
                    "scope": "华东地区客户",
                    "scope.en": "customers in East China",
                    "fix": "相关团队正在处理",
                    "fix.en": "The team concerned is on it",
                    "support_channel": "客服热线专席",
                    "support_channel.en": "our dedicated line",
                    "compensation": "受影响客户可领取 50 元优惠券",
                    "compensation.en": "Affected customers can claim a 50 yuan coupon",
                },
            )
            workflow.submit_sheet(s, ctx, iid)
        with store.transaction() as s:
            workflow.approve_sheet(s, dataclasses.replace(ctx, actor="sunli"), iid)
    store.dispose()


BENCH_TOKEN = "bench-machine-token"

SERVER = r"""
import sys, uvicorn
kind, url, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "bare":
    from fastapi import FastAPI
    app = FastAPI()
    @app.get("/api/bare")
    def bare(q: str | None = None) -> dict:
        return {"ok": True, "q": q}
else:
    from incident.runtime import Runtime
    from incident.web.app import create_app
    app = create_app(Runtime.build(config_path=None, database_url=url))
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(kind: str, url: str) -> tuple[subprocess.Popen, int]:
    import httpx

    port = _free_port()
    # The agents' desktop authenticates (being on this host grants nothing): the machine token here.
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "INCIDENT_CONFIG": str(ROOT / "examples" / "incident.toml"),
        "INCIDENT_API_TOKEN": BENCH_TOKEN,
    }
    proc = subprocess.Popen([sys.executable, "-c", SERVER, kind, url, str(port)], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/{'api/bare' if kind == 'bare' else 'healthz'}", timeout=1)
            return proc, port
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


async def drive(
    port: int, request: "Callable[[int], bytes]", n: int, concurrency: int, pause: float = 0.0
) -> tuple[float, list[float], int]:
    """``concurrency`` keep-alive connections, each sending its next request
    (``request(i)``: raw HTTP/1.1 bytes) as soon as the last answer is in
    (after ``pause``). A few lines of asyncio rather than an HTTP client
    library, so that the load generator (sharing the machine's two cores
    with the server) costs as little as possible. Returns (elapsed,
    latencies, non-200 answers)."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(n))

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i in counter:
                data = request(i)
                t = time.perf_counter()
                writer.write(data)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - t)
                if not head.startswith(b"HTTP/1.1 200"):
                    errors += 1
                if pause:
                    await asyncio.sleep(pause)
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t0, latencies, errors


async def _load(
    port: int, path: str, params_list: list[dict], n: int, concurrency: int
) -> tuple[float, list[float], int]:
    from urllib.parse import urlencode

    auth = f"Authorization: Bearer {BENCH_TOKEN}\r\n"
    requests_ = [f"GET {path}?{urlencode(p)} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode() for p in params_list]
    return await drive(port, lambda i: requests_[i % len(requests_)], n, concurrency)


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def bench_pull(requests: int = 6000, concurrency: int = 50) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'pull.db'}"
        seed(url)
        # 400 different customers (nothing per customer can be cached), the
        # eight queries in turn.
        import random

        rng = random.Random(7)
        surnames, given = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高", "伟芳娜敏静丽强磊洋艳勇军杰涛明超秀霞平刚"
        params = [
            {
                "q": QUERIES[i % len(QUERIES)],
                "name": rng.choice(["欧阳", "司马", ""]) + rng.choice(surnames) + rng.choice(given),
                "title": rng.choice(["先生", "女士"]),
                "contact": f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d}",
            }
            for i in range(400)
        ]
        results = {}
        for kind, path, plist in (
            ("bare", "/api/bare", [{"q": q} for q in QUERIES]),
            ("wording", "/api/wording", params),
        ):
            proc, port = _start(kind, url)
            try:
                asyncio.run(_load(port, path, plist, 500, concurrency))  # warm-up
                elapsed, lat, errors = asyncio.run(_load(port, path, plist, requests, concurrency))
            finally:
                proc.terminate()
                proc.wait(10)
            results[kind] = (requests / elapsed, _p(lat, 0.5), _p(lat, 0.99), errors)
        for kind, (rps, p50, p99, errors) in results.items():
            rows.append(
                (
                    f"{kind} endpoint, {concurrency} clients",
                    f"{rps:,.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {errors}",
                )
            )
        ratio = results["wording"][0] / results["bare"][0]
        rows.append(("wording pull / bare FastAPI throughput", f"{ratio:.2f} (target ≥ 0.5)"))
        rows.append(("wording pull p99", f"{results['wording'][2]:.1f} ms (target < 50 ms)"))
    return rows


def bench_render(rounds: int = 200) -> list[tuple[str, str]]:
    """One statement, every channel (checks and lint included)."""
    from types import SimpleNamespace

    from incident.config import load_config
    from incident.wording.render import render_statement
    from incident.wording.templates import CHANNELS, template_set

    config = load_config(ROOT / "examples" / "incident.toml")
    incident = SimpleNamespace(ref="INC-7", title="APP 登录失败", kind="system_outage", severity=2, status="identified")
    content = {
        "what": {
            "zh-CN": "11月23日09:10起，部分客户在 APP 登录时提示“服务器繁忙”，无法查询快件或预约取件",
            "en": "Since 09:10 on 23 Nov some customers cannot log in to the app",
        },
        "scope": {"zh-CN": "华东地区使用 APP 和小程序的客户", "en": "app and mini-program users in East China"},
        "cause": {"zh-CN": "机房核心网络设备故障", "en": "a core network device failed in our data centre"},
        "fix": {
            "zh-CN": "技术人员已切换备用线路，正在逐步恢复服务",
            "en": "engineers have switched to the backup line and are restoring service",
        },
        "workaround": {"zh-CN": "通过微信小程序或拨打客服热线下单", "en": "order through the mini program or by phone"},
        "compensation": {
            "zh-CN": "受影响客户可领取 50 元优惠券",
            "en": "affected customers can claim a 50 yuan coupon",
        },
        "support_channel": {"zh-CN": "客服热线专席 95311 转 8", "en": "our dedicated line 95311, option 8"},
        "dos": {"zh-CN": [], "en": []},
        "donts": {"zh-CN": [], "en": []},
        "eta": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)).isoformat(),
        "compensation_amount": 50,
    }
    sheet = SimpleNamespace(version=3, content=content)
    templates = template_set(None)
    at = dt.datetime.now(dt.timezone.utc)
    render_statement(templates, config, incident, sheet, kind="update", number=2, channels=CHANNELS, at=at)  # warm
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        render_statement(templates, config, incident, sheet, kind="update", number=2, channels=CHANNELS, at=at)
        times.append(time.perf_counter() - t)
    both = statistics.median(times) * 1000
    return [("render one statement, 6 channels × zh-CN+en, lint + limits (median)", f"{both:.2f} ms (target < 10 ms)")]


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", nargs="*", default=["render", "pull"])
    parser.add_argument("--requests", type=int, default=6000)
    args = parser.parse_args(argv)
    for name in args.which:
        rows = bench_render() if name == "render" else bench_pull(args.requests)
        for label, figure in rows:
            print(f"  {label:<62} {figure}")


if __name__ == "__main__":
    main()
