"""``incident serve``: the web app, a local Prefect server and the flow
runner from one command; every deployment registered and running; SIGTERM
stops all three cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A clean environment for incident serve in ``tmp_path`` (nothing of
    the caller's INCIDENT_/PREFECT_ settings), and the entry point."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "PREFECT_"))}
    env.update(
        INCIDENT_DATA_DIR=str(tmp_path),
        INCIDENT_CONFIG=str(ROOT / "examples" / "incident.toml"),
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    return env, Path(sys.executable).with_name("incident")


def test_serve_starts_everything_and_stops_cleanly(tmp_path):
    web, prefect = _port(), _port()
    env, exe = serve_env(tmp_path)
    proc = subprocess.Popen(
        [str(exe), "--lang", "en", "serve", "--port", str(web), "--prefect-port", str(prefect)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        names: list[str] = []
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{web}/healthz", timeout=2)
                found = httpx.post(f"http://127.0.0.1:{prefect}/api/deployments/filter", json={}, timeout=5).json()
                names = sorted(d["name"] for d in found)
                if health.status_code == 200 and len(names) == 8:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert names == [
            "daily-report",
            "deliver-outbox",
            "escalate-unacknowledged",
            "issue-compensation",
            "slack-sync",
            "sweep-callbacks",
            "watch-feeds",
            "watch-volumes",
        ]
        from incident.serve import DEPLOYMENTS

        assert sorted(n.split("/")[1] for n in DEPLOYMENTS) == names  # what "ready" waits for: every one
        assert httpx.get(f"http://127.0.0.1:{web}/status").status_code == 200
        # the scheduled flows run: one of the 20–60 s ones completes
        ran = False
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not ran:
            runs = httpx.post(
                f"http://127.0.0.1:{prefect}/api/flow_runs/filter",
                json={"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}},
                timeout=5,
            ).json()
            ran = bool(runs)
            time.sleep(2)
        assert ran, (tmp_path / "logs" / "serve.log").read_text("utf-8", "replace")[-3000:]
        proc.send_signal(signal.SIGTERM)
        asked = time.monotonic()
        output, _ = proc.communicate(timeout=120)
        # Not a speed target: a stop that waits on something gone (the runner's
        # last logs retried against the stopped server took 75 s) is a hang.
        assert time.monotonic() - asked < 45, output
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{web}/" in output and "stopped." in output and "ready in" in output
    assert "there are no users yet" in output  # and how to make one
    # nothing left behind: the runner and the Prefect server are gone
    time.sleep(1)
    left = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"--port {prefect}" not in left and str(tmp_path) not in left


def test_serve_refuses_a_port_in_use_and_a_bad_config_before_starting_anything(tmp_path):
    env, entry = serve_env(tmp_path)
    exe = str(entry)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [exe, "--lang", "en", "serve", "--port", str(port)], env=env, capture_output=True, text=True, timeout=60
        )
    assert run.returncode == 1 and f"port {port} is taken" in run.stdout + run.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[centre]\ntimezone = "Mars/Base"\n', "utf-8")
    run = subprocess.run(
        [exe, "--lang", "en", "-c", str(bad), "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1 and "centre.timezone" in run.stdout + run.stderr
    assert not (tmp_path / "prefect").exists()  # nothing was started


def test_serve_says_so_when_prefects_database_cannot_be_set_up(tmp_path):
    """Prefect's database is created in a process of its own before the
    server starts: when that fails, serve stops at once, saying where to look."""
    env, entry = serve_env(tmp_path)
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the database's directory should be", "utf-8")
    env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{blocked}/prefect.db"
    run = subprocess.run(
        [str(entry), "--lang", "en", "serve", "--port", str(_port()), "--prefect-port", str(_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert (
        "Prefect's database could not be created or upgraded; see" in out
        and str(tmp_path / "logs" / "serve.log") in out
    )
    assert "Traceback" in (tmp_path / "logs" / "serve.log").read_text("utf-8")  # the reason, for whoever looks


def test_the_sqlite_heap_cap_holds_for_every_connection_of_the_process():
    """The coordinator caps SQLite's page caches once, for its own and
    Prefect's connections: the pragma is process-wide."""
    import sqlite3

    from incident_flows.serve import limit_sqlite_heap

    other = sqlite3.connect(":memory:")
    try:
        limit_sqlite_heap(32)
        assert other.execute("PRAGMA soft_heap_limit").fetchone() == (32_000_000,)
    finally:
        other.execute("PRAGMA soft_heap_limit = 0")  # this test process's default again
        other.close()


_SIGN_INS = """
import threading
from incident.access import passwords  # hashes one password as it loads

def anon_kb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("RssAnon"))

before = anon_kb()
for _ in range(3):
    th = threading.Thread(target=passwords.verify_password, args=("x" * 12, passwords.DUMMY))
    th.start()
    th.join()
print(anon_kb() - before)
"""


def test_a_sign_in_leaves_no_scrypt_buffer_resident_in_the_coordinator(tmp_path):
    """glibc returns a freed 16 MiB block to the kernel but then raises its
    mmap threshold, so the next sign-ins' scrypt buffers came from the heap
    and stayed resident. The coordinator's environment fixes the threshold."""
    from incident.serve import coordinator_env

    env = {k: v for k, v in coordinator_env(tmp_path, "sqlite://", None, 4200).items() if k != "PYTHONMALLOC"}
    assert env["MALLOC_MMAP_THRESHOLD_"] == str(1 << 20)

    def growth_kib(environ: dict[str, str]) -> int:
        out = subprocess.run(
            [sys.executable, "-c", _SIGN_INS],
            env=environ,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return int(out.stdout.split()[-1])

    assert growth_kib(env) < 4 * 1024
    # glibc's own dynamic threshold, for contrast: what the setting prevents
    default = {k: v for k, v in env.items() if k != "MALLOC_MMAP_THRESHOLD_"}
    assert growth_kib(default) >= 12 * 1024


@pytest.mark.parametrize("bucket_minutes, grace", [(5, 2), (1, 30), (11, 0)])
def test_no_other_flow_is_due_near_the_detection_slot(tmp_path, monkeypatch, bucket_minutes, grace):
    """incident serve runs one flow at a time, so the detection run
    (watch-volumes, due as each bucket closes) must not be due together with
    another flow, or it waits behind it (flows/slots.py). Every interval
    flow, Slack's included, over an hour of slots."""
    import datetime as dt

    from incident.watch.detectors import EPOCH
    from incident_flows.serve import deployments

    text = (ROOT / "examples" / "incident.toml").read_text("utf-8")
    assert "bucket_minutes = 5" in text and "grace_seconds = 2 " in text
    config = tmp_path / "incident.toml"
    config.write_text(
        text.replace("bucket_minutes = 5", f"bucket_minutes = {bucket_minutes}").replace(
            "grace_seconds = 2 ", f"grace_seconds = {grace} "
        ),
        "utf-8",
    )
    monkeypatch.setenv("INCIDENT_CONFIG", str(config))
    monkeypatch.setenv("INCIDENT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")  # slack-sync scheduled too
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)
    end = start + dt.timedelta(hours=1)
    due: dict[str, list[dt.datetime]] = {}
    for d in deployments():
        for s in d.schedules or []:
            sch = s.schedule
            if getattr(sch, "interval", None) is None:
                continue  # the daily report's cron (08:00 local, once a day)
            anchor = dt.datetime.fromtimestamp(sch.anchor_date.timestamp(), dt.timezone.utc)  # not pendulum's
            t = anchor + ((start - anchor) // sch.interval + 1) * sch.interval
            while t < end:
                due.setdefault(d.name, []).append(t)
                t += sch.interval
    assert set(due) == {
        "watch-feeds",
        "watch-volumes",
        "deliver-outbox",
        "escalate-unacknowledged",
        "sweep-callbacks",
        "slack-sync",
    }
    slots = due.pop("watch-volumes")
    assert len(slots) in (60 // bucket_minutes, 60 // bucket_minutes + 1)
    # as each bucket closes, counted as the detector counts buckets
    assert all(((t - EPOCH).total_seconds() - grace) % (bucket_minutes * 60) == 0 for t in slots)
    clear = dt.timedelta(seconds=8)
    near = [(name, t) for name, times in due.items() for t in times for slot in slots if abs(t - slot) < clear]
    assert near == []
