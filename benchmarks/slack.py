"""Slash-command acknowledgement latency (issue: Slack): how fast the app
answers Slack's POST /slack/commands while the work behind each command
takes 10 s (target p99 < 300 ms; Slack gives up after 3 s).

The app runs under uvicorn in its own process; each command is signed as
Slack signs it; the "work" is the real command plus posting the answer to
the request's response_url — a local server that takes 10 s to reply, so
every command keeps a worker busy for 10 s while the next ones arrive.

    python -m benchmarks.slack [--requests N] [--clients N]
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.wording import ROOT, _free_port, _p, drive

SECRET = "bench-signing-secret"
WORK_SECONDS = 10.0

SERVER = r"""
import sys, uvicorn
from incident.runtime import Runtime
from incident.web.app import create_app
uvicorn.run(create_app(Runtime.build()), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


class _SlowSink(BaseHTTPRequestHandler):
    """A response_url that takes WORK_SECONDS to answer."""

    received = 0
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length") or 0))
        time.sleep(WORK_SECONDS)
        with _SlowSink.lock:
            _SlowSink.received += 1
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def _config(tmp: Path) -> Path:
    text = (ROOT / "examples" / "incident.toml").read_text(encoding="utf-8")
    text = text.replace(
        '# response_url_hosts = ["hooks.slack.com"]', 'response_url_hosts = ["127.0.0.1"]\ntimeout_seconds = 30'
    )
    path = tmp / "incident.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _signed(body: bytes) -> bytes:
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return (
        f"POST /slack/commands HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"X-Slack-Request-Timestamp: {ts}\r\nX-Slack-Signature: {sig}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _load(port: int, bodies: list[bytes], n: int, clients: int) -> tuple[float, list[float], int]:
    # Signed when sent (the timestamp is checked); a pause between commands:
    # people typing, not a flood, and the run outlasts the 10 s of work.
    return await drive(port, lambda i: _signed(bodies[i % len(bodies)]), n, clients, pause=0.2)


def bench_ack(requests: int = 1000, clients: int = 20) -> list[tuple[str, str]]:
    from incident import response
    from incident.config import load_config
    from incident.context import Context
    from incident.db import Store

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = f"sqlite:///{tmp / 'slack.db'}"
        config_path = _config(tmp)
        store = Store(url)
        with store.transaction() as s:
            response.declare(
                s,
                Context(load_config(config_path), "zhangwei"),
                kind="system_outage",
                severity=2,
                title="Payment page down",
            )
        store.dispose()
        sink = ThreadingHTTPServer(("127.0.0.1", 0), _SlowSink)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        response_url = f"http://127.0.0.1:{sink.server_address[1]}/response"
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "SLACK_"))}
        env.update(
            PYTHONPATH=str(ROOT),
            INCIDENT_CONFIG=str(config_path),
            INCIDENT_DATABASE_URL=url,
            INCIDENT_DATA_DIR=str(tmp),
            SLACK_SIGNING_SECRET=SECRET,
        )
        # The app's console notifications are not the benchmark's output.
        proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env, stderr=subprocess.DEVNULL)
        try:
            import httpx

            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("app did not start") from None
                    time.sleep(0.1)
            texts = ["status INC-1", "status 1", 'note INC-1 "bench note"', "wording 支付"]
            bodies = [
                urlencode(
                    {
                        "command": "/incident",
                        "text": t,
                        "user_id": "U0ZHANGWEI",
                        "team_id": "T1",
                        "channel_id": "C1",
                        "response_url": response_url,
                    }
                ).encode()
                for t in texts
            ]
            asyncio.run(_load(port, bodies, 40, 4))  # warm-up
            elapsed, lat, errors = asyncio.run(_load(port, bodies, requests, clients))
            pending = requests + 40 - _SlowSink.received
        finally:
            proc.terminate()
            proc.wait(15)
            sink.shutdown()
    return [
        (
            f"slash-command acks, {clients} clients, {requests} commands, work {WORK_SECONDS:.0f} s each",
            f"p50 {_p(lat, 0.5):.1f} ms, p99 {_p(lat, 0.99):.1f} ms, max {max(lat) * 1000:.1f} ms, errors {errors}",
        ),
        ("ack p99", f"{_p(lat, 0.99):.1f} ms (target < 300 ms: {'met' if _p(lat, 0.99) < 300 else 'NOT met'})"),
        (
            "background answers delivered / still in flight when the run ended",
            f"{requests + 40 - pending} / {pending} (each takes {WORK_SECONDS:.0f} s; 16 at a time)",
        ),
        ("run time", f"{elapsed:.1f} s"),
    ]


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args(argv)
    for label, figure in bench_ack(args.requests, args.clients):
        print(f"  {label:<70} {figure}")


if __name__ == "__main__":
    main()
