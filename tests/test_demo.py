"""The newcomer's first run: ``incident serve --demo`` (what ``./dev run``
starts). Within two minutes the web app shows an incident opened by
detection, its response group, a draft awaiting approval and callbacks
scheduled; the terminal says where to look and how to sign in."""

from __future__ import annotations

import datetime as dt
import json
import re
import signal
import subprocess
import time
from pathlib import Path

from conftest import NOW, incident_now
from sqlalchemy import create_engine, text

from incident.demo import feeds, stream
from tests.test_serve import _port, serve_env
from tests.webutil import login

ROOT = Path(__file__).resolve().parents[1]


def test_the_stream_tells_the_same_story_every_time():
    start = NOW
    assert stream.history(start) == stream.history(start) and stream.surge(start) == stream.surge(start)
    surge = stream.surge(start)
    before = list(stream.due(surge, start))
    # the outage began before the start: a closed 5-minute bucket is all surge, and it goes on afterwards
    assert 100 <= len(before) < len(surge)
    assert len({r["customer_ref"] for r in surge}) == len(surge)
    assert all(r["received_at"] < (start - stream.SURGE_BEFORE).isoformat() for r in stream.history(start))


def test_the_example_feeds_move_on_with_time():
    from incident.watch.feedparse import parse
    from incident.watch.feeds import upstream_state

    start = NOW
    weibo_now = parse(feeds.render("weibo-zh.xml", start, start).encode(), {})
    weibo_later = parse(feeds.render("weibo-zh.xml", start, start + dt.timedelta(minutes=30)).encode(), {})
    assert 0 < len(weibo_now.entries) < len(weibo_later.entries) == len(feeds.WEIBO)
    status = [
        parse(feeds.render("payments-status.atom", start, start + dt.timedelta(minutes=m)).encode(), {})
        for m in (0, 5, 15)
    ]
    assert [upstream_state(p.entries[0]) for p in status] == ["investigating", "identified", "monitoring"]
    assert len({p.entries[0].key for p in status}) == 1  # one upstream incident, updated


def test_first_run_shows_a_detected_incident_within_two_minutes(tmp_path):
    web, prefect = _port(), _port()
    env, exe = serve_env(tmp_path)
    env["INCIDENT_NOW"] = incident_now()  # a Tuesday morning in Shanghai, whatever the date and hour
    began = time.monotonic()
    proc = subprocess.Popen(
        [str(exe), "--lang", "en", "serve", "--demo", "--port", str(web), "--prefect-port", str(prefect)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{web}"
    db = create_engine(f"sqlite:///{tmp_path / 'demo' / 'incident.db'}")
    lines: list[str] = []
    try:
        # the terminal: where to look and how to sign in
        while proc.stdout is not None and time.monotonic() - began < 120:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "password for all" in line:
                break
        out = "".join(lines)
        assert f"{base}/" in out and "ready in" in out, out
        password = re.search(r"the password for all: (\S+)", out).group(1)  # type: ignore[union-attr]
        assert "zhangwei" in out and "emily" in out and "wangfang" in out

        # within two minutes of the start: detected, a group, a draft awaiting approval, callbacks
        found = None
        while time.monotonic() - began < 120 and proc.poll() is None:
            with db.connect() as c:
                found = c.execute(
                    text(
                        "select i.id from incidents i join signals s on s.incident_id = i.id "
                        "join fact_sheets f on f.incident_id = i.id and f.status = 'in_review' "
                        "where s.series_key like 'complaints%' and s.action = 'opened' "
                        "and exists (select 1 from callbacks b where b.incident_id = i.id and b.assignee is not null)"
                    )
                ).scalar()
            if found:
                break
            time.sleep(2)
        assert found, (tmp_path / "demo" / "logs" / "serve.log").read_text("utf-8", "replace")[-3000:]
        elapsed = time.monotonic() - began
        assert elapsed < 120
        with db.connect() as c:
            group = [
                r[0]
                for r in c.execute(
                    text("select person_name from role_assignments where incident_id = :i and ended_at is null"),
                    {"i": found},
                )
            ]
            what = c.execute(text("select content from fact_sheets where incident_id = :i"), {"i": found}).scalar()
            n_callbacks = c.execute(
                text("select count(*) from callbacks where incident_id = :i"), {"i": found}
            ).scalar()
            upstream = c.execute(
                text("select count(*) from signals where series_key like 'upstream:demo-payments%'")
            ).scalar()
            weibo = c.execute(text("select count(*) from feed_entries where source = 'demo-weibo'")).scalar()
        assert len(group) >= 4 and n_callbacks >= 100
        assert upstream >= 1 and weibo >= 1  # both example feeds were polled from this app

        # what the newcomer sees, signed in through the login form
        lead, _ = login(base, "zhangwei", password)
        board = lead.get("/").text
        assert f"INC-{found}" in board
        page = lead.get(f"/incidents/{found}").text
        assert all(name in page for name in group)  # the response group
        comms, _ = login(base, "emily", password)
        desk = comms.get(f"/desk/{found}").text
        content = json.loads(what) if isinstance(what, str) else what
        assert "doc-in_review" in desk and content["what"]["zh-CN"] in desk
        cs, _ = login(base, "chenjing", password)
        remedy = cs.get(f"/remedy/{found}").text
        assert "DEMO1" in remedy  # the complainants, as affected customers
        # the replay keeps posting: more complaints arrive while it runs
        with db.connect() as c:
            before = c.execute(text("select count(*) from complaints where external_id like 'demo-s%'")).scalar()
        after, waited = before, time.monotonic()
        while after == before and time.monotonic() - waited < 45:  # one ticket every 6 s, posted every 5 s
            time.sleep(3)
            with db.connect() as c:
                after = c.execute(text("select count(*) from complaints where external_id like 'demo-s%'")).scalar()
        assert after > before, (tmp_path / "demo" / "logs" / "serve.log").read_text("utf-8", "replace")[-3000:]
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        db.dispose()
    assert proc.returncode == 0, rest
    assert "stopped." in rest
