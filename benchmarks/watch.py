"""Watch benchmarks: feed ingestion vs bare feedparser, complaint import,
and surge-to-incident latency with the watch flow running."""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import feedparser
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident.config import AppConfig  # noqa: E402
from incident.context import Context  # noqa: E402
from incident.db import Store  # noqa: E402
from incident.timeutil import FixedClock  # noqa: E402
from incident.watch import jobs  # noqa: E402

ZH = [
    "快递延误三天还没到",
    "APP登录失败，提示服务器繁忙",
    "客服态度差还挂电话",
    "重复扣费，要求退款",
    "包裹破损，要求赔偿",
    "新品上市活动很划算",
    "物流很快，点赞",
    "网点电话一直打不通",
    "个人信息疑似泄露",
    "配送员很热情",
]
EN = [
    "parcel delayed again",
    "the app is down, cannot log in",
    "charged twice for one order",
    "great service today",
    "courier was rude",
    "tracking not updating for days",
    "refund not received",
    "new store opening downtown",
]


def _real_items() -> list[tuple[str, str, str]]:
    """(title, html description, author) of the real sample feeds in
    ../shared/data/feeds, so the benchmark parses and classifies text of
    realistic length and density, not keyword soup."""
    import re
    from html import unescape

    items = []
    for name in ("rsshub-3dm-news-zh.xml", "weibo-rss-zh.trimmed.xml"):
        from benchmarks.shared import shared_dir

        raw = (shared_dir() / "data" / "feeds" / name).read_text("utf-8")
        for item in re.findall(r"<item>(.*?)</item>", raw, re.S):

            def field(tag: str, item: str = item) -> str:
                m = re.search(rf"<{tag}>(.*?)</{tag}>", item, re.S)
                text = (m.group(1) if m else "").strip()
                if text.startswith("<![CDATA["):
                    text = text[9:-3]
                else:
                    text = unescape(text)
                return text

            items.append((field("title"), field("description"), field("author")))
    return items


def make_feed(i: int, n: int) -> bytes:
    """Feed ``i`` with ``n`` entries: real titles and bodies, unique ids, and
    one entry in four about the brand with a complaint phrase."""
    from xml.sax.saxutils import escape

    rng = random.Random(i)
    real = _real_items()
    out = []
    base = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
    for j in range(n):
        title, body, author = real[(i * 7 + j) % len(real)]
        if j % 4 == 0:
            title = f"顺丰 {rng.choice(ZH if (i + j) % 3 else EN)} {title}"
        when = (base + dt.timedelta(minutes=j)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        out.append(
            f"<item><title>{escape(title)}</title><link>https://example.org/{i}/{j}</link>"
            f"<guid>https://example.org/{i}/{j}</guid><pubDate>{when}</pubDate>"
            f"<description><![CDATA[{body}]]></description><author>{escape(author or 'someone')}</author></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench</title>'
        + "".join(out)
        + "</channel></rss>"
    ).encode("utf-8")


def bench_feeds(url: str | None = None, feeds: int = 20, entries: int = 500, repeats: int = 3) -> dict[str, float]:
    """End-to-end ingestion (fetch, parse, dedupe, classify, store) of
    feeds × entries from a local HTTP server, against bare
    feedparser.parse of the same bytes, side by side, best of ``repeats``."""
    import socket
    import subprocess

    bodies = [make_feed(i, entries) for i in range(feeds)]
    bare, e2e = [], []
    with tempfile.TemporaryDirectory() as tmp:
        www = Path(tmp) / "www"
        www.mkdir()
        for i, body in enumerate(bodies):
            (www / f"f{i}.xml").write_bytes(body)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        # The server runs in its own process so that it does not compete
        # with the code being measured for the GIL.
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(www)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/f0.xml", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            for r in range(repeats):
                t0 = time.perf_counter()
                for body in bodies:
                    feedparser.parse(body)
                bare.append(time.perf_counter() - t0)

                config = AppConfig.model_validate(
                    {
                        "watch": {"brand_terms": ["顺丰"]},
                        "feeds": {
                            f"f{i}": {"url": f"http://127.0.0.1:{port}/f{i}.xml", "allow_private": True}
                            for i in range(feeds)
                        },
                    }
                )
                ctx = Context(config, "bench", FixedClock(dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc)))
                store = Store(url or f"sqlite:///{tmp}/feeds{r}.db")
                t0 = time.perf_counter()
                reports = jobs.poll_all(store, ctx)
                e2e.append(time.perf_counter() - t0)
                assert sum(rep.new for rep in reports) == feeds * entries, [
                    (x.source, x.error_key) for x in reports if not x.ok
                ]
                store.dispose()
        finally:
            server.terminate()
            server.wait()
    n = feeds * entries
    return {
        "entries": n,
        "bare_s": min(bare),
        "e2e_s": min(e2e),
        "ratio": min(bare) / min(e2e),
        "bare_per_s": n / min(bare),
        "e2e_per_s": n / min(e2e),
    }


def make_complaints_csv(path: Path, n: int) -> None:
    rng = random.Random(7)
    branches = ["杭州", "上海", "南京", "苏州", "宁波", "合肥", "无锡", "温州"]
    cats = ["物流", "账单", "系统", "服务", "售后"]
    channels = ["phone", "chat", "email", "social", "app"]
    types = ["投诉", "咨询", "建议", "紧急", "其他"]
    start = dt.datetime(2026, 11, 1)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            "external_id,received_at,channel,request_type,category,branch,product,text,customer_ref,customer_name,contact\n"
        )
        for i in range(n):
            when = start + dt.timedelta(seconds=i * 7)
            fh.write(
                f"B-{i},{when:%Y-%m-%d %H:%M:%S},{rng.choice(channels)},{rng.choice(types)},{rng.choice(cats)},"
                f"{rng.choice(branches)},快递,{rng.choice(ZH)} "
                f"订单{rng.randint(10000, 99999)},C-{i % 5000},王先生,"
                f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}\n"
            )


def bench_complaints(url: str, n: int, path: Path) -> dict[str, float]:
    config = AppConfig()
    ctx = Context(config, "bench", FixedClock(dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc)))
    store = Store(url)
    t0 = time.perf_counter()
    report = jobs.import_complaints(store, ctx, path)
    elapsed = time.perf_counter() - t0
    assert report.added == n and not report.errors, (report.added, report.errors[:3])
    t0 = time.perf_counter()
    again = jobs.import_complaints(store, ctx, path)
    rerun = time.perf_counter() - t0
    assert again.duplicates == n
    store.dispose()
    return {"rows": n, "seconds": elapsed, "rows_per_s": n / elapsed, "rerun_s": rerun}


def bench_surge(
    bucket_minutes: int = 1, timeout: float = 400.0, coordinator: bool = False, watch_buckets: int = 4
) -> dict[str, Any]:
    """Surge to open incident with the watch flows being served by Prefect
    (SQLite): three days of ordinary history are loaded and scored first,
    the flows are started, and then a surge of tickets arrives a third of
    the way into a bucket. Measured: from the surge's first ticket, and from
    the close of its bucket, to the incident being open.

    ``coordinator=False``: a ``prefect server start`` and ``python -m
    incident_flows.watch`` (the two watch flows alone). ``coordinator=True``: the
    whole ``incident serve`` (every flow on its schedule, one flow run at a
    time), which watches ``watch_buckets`` bucket closes before the surge;
    then also how late each ``watch-volumes`` run started against its slot,
    read back from Prefect's API, and which runs it queued behind."""
    import os
    import socket
    import subprocess

    from sqlalchemy import select

    from incident.models import Incident
    from incident.timeutil import Clock
    from incident.watch.classify import load_rules
    from incident.watch.complaints import ingest

    bucket = bucket_minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "incident.toml"
        cfg.write_text(
            (ROOT / "examples" / "incident.toml")
            .read_text("utf-8")
            .replace("bucket_minutes = 5", f"bucket_minutes = {bucket_minutes}")
            .replace('dimensions = ["category", "branch", "channel", "topic"]', 'dimensions = ["category", "topic"]'),
            "utf-8",
        )
        from incident.config import load_config

        config = load_config(cfg)
        url = f"sqlite:///{tmp}/bench.db"
        clock = Clock()
        ctx = Context(config, "bench", clock)
        store = Store(url)
        rng = random.Random(11)
        now = clock.now()
        start = now - dt.timedelta(days=3)
        rows, t, n = [], start, 0
        while t < now - dt.timedelta(seconds=bucket):
            for _ in range(rng.choice([1, 2, 2, 3, 3, 4])):
                n += 1
                rows.append(
                    {
                        "external_id": f"h{n}",
                        "received_at": (t + dt.timedelta(seconds=rng.randint(0, bucket - 1))).isoformat(),
                        "channel": "phone",
                        "category": rng.choice(["物流", "账单", "服务"]),
                        "text": rng.choice(ZH[2:]),
                    }
                )
            t += dt.timedelta(seconds=bucket)
        with store.transaction() as s:
            ingest(s, ctx, list(enumerate(rows, 1)), load_rules(), "bench")
        jobs.score_volumes(store, ctx, ("complaints",))  # the history is scored before the clock starts
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "PREFECT_"))}
        env.update(
            INCIDENT_DATABASE_URL=url,
            INCIDENT_CONFIG=str(cfg),
            PREFECT_HOME=f"{tmp}/prefect",
            PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
            PREFECT_LOGGING_LEVEL="WARNING",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_UI_ENABLED="false",
            # the scheduler service creates the runs of interval schedules
            PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",
        )
        log = open(f"{tmp}/serve.log", "w")
        server = proc = None
        api = f"http://127.0.0.1:{port}/api"
        watched_from = ""
        try:
            if coordinator:
                env = {k: v for k, v in env.items() if not k.startswith("PREFECT_")}
                env.update(INCIDENT_DATA_DIR=tmp, PREFECT_LOGGING_LEVEL="WARNING")
                web_sock = socket.socket()
                web_sock.bind(("127.0.0.1", 0))
                web_port = web_sock.getsockname()[1]
                web_sock.close()
                proc = subprocess.Popen(
                    [
                        str(Path(sys.executable).with_name("incident")),
                        "--lang",
                        "en",
                        "serve",
                        "--port",
                        str(web_port),
                        "--prefect-port",
                        str(port),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                from incident.serve import DEPLOYMENTS, wait_deployments

                wait_deployments(api, lambda: proc.poll() is None, DEPLOYMENTS, timeout=300)
                watched_from = dt.datetime.now(dt.timezone.utc).isoformat()
                # the runs at start go by, then watch_buckets bucket closes
                time.sleep(20)
                epoch = time.time()
                time.sleep(max(0.0, epoch - epoch % bucket + bucket * (watch_buckets - 1) - time.time()))
            else:
                # Schedules need Prefect's scheduler service, i.e. a real server
                # (the ephemeral API runs no services).
                server = subprocess.Popen(
                    [
                        str(Path(sys.executable).with_name("prefect")),
                        "server",
                        "start",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                    ],
                    cwd=tmp,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
                for _ in range(240):
                    try:
                        if httpx.get(f"{api}/health", timeout=1).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    time.sleep(0.5)
                proc = subprocess.Popen(
                    [sys.executable, "-m", "incident_flows.watch"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
                # let the deployments register and the first scheduled run go by
                time.sleep(20)
            # the surge starts a third of the way into the next bucket
            now = clock.now()
            epoch = now.timestamp()
            bucket_start = epoch - epoch % bucket + bucket
            time.sleep(bucket_start + bucket / 3 - time.time())
            first = time.time()
            surge_rows = [
                {
                    "external_id": f"surge{i}",
                    "received_at": dt.datetime.fromtimestamp(first + i * 0.1, dt.timezone.utc).isoformat(),
                    "channel": "app",
                    "category": "系统",
                    "text": "APP登录失败，服务器繁忙",
                }
                for i in range(60)
            ]
            with store.transaction() as s:
                ingest(s, Context(config, "bench", Clock()), list(enumerate(surge_rows, 1)), load_rules(), "bench")
            opened = None
            while time.time() - first < timeout:
                with store.transaction() as s:
                    inc = s.scalars(select(Incident).where(Incident.dedup_key.like("surge:%"))).first()
                    if inc is not None:
                        opened = inc.declared_at.timestamp()
                        break
                time.sleep(0.2)
            slots = _volume_slots(api, watched_from, time.time()) if coordinator else []
        finally:
            for p in (proc, server):
                if p is None:
                    continue
                p.terminate()
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
            log.close()
            store.dispose()
        if opened is None:
            kept = Path(tempfile.gettempdir()) / "incident-surge-bench.log"
            kept.write_text(Path(f"{tmp}/serve.log").read_text())
            raise RuntimeError(f"no incident opened within {timeout:.0f} s; the Prefect log is in {kept}")
        close = bucket_start + bucket
        return {
            "bucket_s": bucket,
            "from_first_ticket_s": opened - first,
            "after_bucket_close_s": opened - close,
            "target_s": bucket + 5,
            "worst_case_s": bucket + (opened - close),
            "slots": slots,
        }


def _volume_slots(api: str, since: str, until: float) -> list[dict[str, Any]]:
    """Each ``watch-volumes`` run expected since ``since``: how late it
    started against its slot, and the other flows' runs that started in
    the 15 s before it (what it may have queued behind)."""
    until_iso = dt.datetime.fromtimestamp(until, dt.timezone.utc).isoformat()
    with httpx.Client(base_url=api, timeout=30, trust_env=False) as client:
        names = {d["id"]: d["name"] for d in client.post("/deployments/filter", json={}).json()}
        runs = client.post(
            "/flow_runs/filter",
            json={
                "flow_runs": {"expected_start_time": {"after_": since, "before_": until_iso}},
                "sort": "EXPECTED_START_TIME_ASC",
                "limit": 200,
            },
        ).json()
    started = [
        (dt.datetime.fromisoformat(r["start_time"]).timestamp(), names.get(r.get("deployment_id"), "?"), r)
        for r in runs
        if r.get("start_time")
    ]
    out = []
    for at, name, r in started:
        if name != "watch-volumes" or r.get("auto_scheduled") is False:
            continue
        due = dt.datetime.fromisoformat(r["expected_start_time"]).timestamp()
        ahead = sorted(n for t, n, _ in started if n != "watch-volumes" and due - 15 <= t <= at)
        out.append(
            {
                "due": dt.datetime.fromtimestamp(due, dt.timezone.utc).strftime("%H:%M:%S"),
                "late_s": at - due,
                "ahead": ahead,
            }
        )
    return out
