"""The watch flows under Prefect's real engine, in their own process, and
the `incident watch --once` / `backtest` commands through the console
script."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from incident.db import Store
from incident.models import FeedEntry, FeedSourceState, Incident
from incident.watch.feedwarn import warning
from tests.feedserver import FeedServer, Route
from tests.watchutil import ROOT, SHARED, feed_file

SCRIPT = """
from incident_flows.watch import watch_feeds, watch_volumes
reports = watch_feeds()
print("FEEDS", sorted((r["source"], r["ok"], r.get("error_key")) for r in reports))
print("VOLUMES", watch_volumes()["buckets"] >= 0)
"""


def write_config(tmp_path: Path, server: FeedServer) -> Path:
    base = (ROOT / "examples" / "incident.toml").read_text("utf-8")
    extra = f"""
[feeds.status]
url = "{server.url("/status.atom")}"
kind = "status_page"
language = "en"
allow_private = true

[feeds.weibo]
url = "{server.url("/weibo.xml")}"
kind = "social"
allow_private = true

[feeds.gone]
url = "{server.url("/gone.xml")}"
allow_private = true

[feeds.refused]
url = "http://127.0.0.1:9/feed.xml"
allow_private = true
"""
    path = tmp_path / "incident.toml"
    path.write_text(base + extra, encoding="utf-8")
    return path


def env_for(db_url: str, config: Path, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "PREFECT_"))}
    env.update(
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_CONFIG=str(config),
        INCIDENT_LANG="en",
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_ALLOW_EPHEMERAL_MODE="true",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
    )
    return env


def test_watch_flows_complete_despite_failing_sources(db_url, tmp_path):
    with FeedServer() as server:
        status = Route(feed_file("githubstatus-history.prev-2026-08-20.atom"), content_type="application/atom+xml")
        server.routes["/status.atom"] = status
        server.routes["/weibo.xml"] = Route(feed_file("weibo-rss-zh.trimmed.xml"))
        config = write_config(tmp_path, server)
        env = env_for(db_url, config, tmp_path)
        proc = subprocess.run(
            [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        line = next(out for out in proc.stdout.splitlines() if out.startswith("FEEDS"))
        assert "('gone', False, 'feed.error.http_status')" in line
        assert "('refused', False" in line and "('status', True, None)" in line and "('weibo', True, None)" in line
        assert "VOLUMES True" in proc.stdout
        # the refused source was retried (network error), the 404 was not
        assert "retrying 1 source(s) after a transient failure: refused" in proc.stderr

        # the next poll of the status page brings a new upstream incident
        status.body = feed_file("githubstatus-history.prev-2026-08-21.atom")
        exe = Path(sys.executable).with_name("incident")
        run = subprocess.run([str(exe), "watch", "--once"], env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        assert "status: 26 entries" not in run.stdout  # 25 entries in the feed, 1 new
        assert "status: 25 entries, 1 new, 0 updated, 1 signals" in run.stdout
        # the title is stored in the centre's language (zh-CN), the rest speaks the reader's
        assert "opened INC-1: 上游服务故障（status）：Intermittent failures creating agent tasks" in run.stdout
        assert "gone: failed — the server answered HTTP 404" in run.stdout

    store = Store(db_url)
    with store.transaction() as s:
        assert s.scalar(select(Incident.kind)) == "system_outage"
        health = {h.name: h for h in s.scalars(select(FeedSourceState))}
        assert health["gone"].consecutive_failures == 2 and health["status"].consecutive_failures == 0
        # refused: polled twice by the flow's task (a transient failure is
        # polled once more), once by the command; the 404 once by each
        assert (health["refused"].polls, health["gone"].polls) == (3, 2)
        assert len(s.scalars(select(FeedEntry.id)).all()) == 28
        # a warning is stored as a key and shown in the reader's language
        health["weibo"].warnings = [warning("feed.warning.bytes_replaced", count=1, encoding="utf-8")]
    store.dispose()
    out = subprocess.run([str(exe), "feeds", "--json"], env=env, capture_output=True, text=True, timeout=120)
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows["weibo"]["warnings"] == ["1 invalid utf-8 byte sequence(s) were replaced with �"]
    assert rows["refused"]["last_error"].startswith("cannot connect to http://127.0.0.1:9/feed.xml")
    assert rows["weibo"]["last_error"] is None and rows["weibo"]["entries_new"] == 2


def test_backtest_file_and_directory(tmp_path):
    exe = Path(sys.executable).with_name("incident")
    env = {"PATH": "/usr/bin:/bin", "INCIDENT_LANG": "en", "INCIDENT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    src = SHARED / "data" / "volumes-dev"
    one = src / "Twitter_volume_KO.csv"
    run = subprocess.run(
        [str(exe), "backtest", str(one), "--out", str(tmp_path / "ko.csv"), "--plot", str(tmp_path / "ko.svg")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    with (tmp_path / "ko.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    with one.open() as fh:
        original = list(csv.DictReader(fh))
    assert [r["timestamp"] for r in rows] == [r["timestamp"] for r in original]
    assert list(rows[0]) == ["timestamp", "value", "score", "alert"]
    assert {r["alert"] for r in rows} <= {"0", "1"} and 0 < sum(r["alert"] == "1" for r in rows) < 50
    svg = (tmp_path / "ko.svg").read_text()
    assert svg.startswith("<svg") and "baseline" in svg and svg.count("<line") > 3

    out_dir = tmp_path / "alerts"
    run = subprocess.run(
        [str(exe), "backtest", str(src), "--out", str(out_dir), "--plot", str(tmp_path / "charts")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in src.glob("*.csv"))
    assert sorted(p.name for p in out_dir.iterdir()) == names
    assert (out_dir / "Twitter_volume_KO.csv").read_text() == (
        tmp_path / "ko.csv"
    ).read_text()  # same detector, same result
    assert len(list((tmp_path / "charts").glob("*.svg"))) == 5

    bad = tmp_path / "bad.csv"
    bad.write_text("time,count\n1,2\n")
    run = subprocess.run(
        [str(exe), "backtest", str(bad), "--out", str(tmp_path / "o.csv")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1 and "needs the columns timestamp and value" in run.stderr
