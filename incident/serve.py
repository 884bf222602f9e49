"""``incident serve``: the whole coordinator from one command.

Three parts, each the existing engine rather than a home-made one:
- Prefect's server (``prefect server start``, its own SQLite under
  ``$INCIDENT_DATA_DIR/prefect``), unless ``PREFECT_API_URL`` names one
  already running (the scale-out set-up);
- the flow runner (``python -m flows.serve``: every flow on its schedule
  through Prefect's ``serve``);
- the web app (uvicorn, in this process).
This module starts and stops the first two as child processes, so nothing
here imports Prefect. Ctrl-C / SIGTERM stops the web app gracefully, then
the runner, then the server; work cut short is picked up by the next run
(every flow's work is claimed with a lease and is idempotent).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from incident.runtime import Runtime

READY_TIMEOUT = 180.0


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path


@dataclass
class Supervisor:
    rt: Runtime
    host: str = "127.0.0.1"
    port: int = 8000
    prefect_port: int = 4200
    say: Callable[[str], None] = print
    children: list[Child] = field(default_factory=list)
    api_url: str | None = None

    @property
    def logs(self) -> Path:
        path = self.rt.settings.data_dir.resolve() / "logs"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def env(self) -> dict[str, str]:
        """What the children see: the same configuration and database as
        this process, and the Prefect API to talk to."""
        env = dict(os.environ)
        env["INCIDENT_DATABASE_URL"] = self.rt.database_url
        env["INCIDENT_DATA_DIR"] = str(self.rt.settings.data_dir.resolve())
        if self.rt.config_path is not None:
            env["INCIDENT_CONFIG"] = str(Path(self.rt.config_path).resolve())
        env.setdefault("PREFECT_HOME", str(self.rt.settings.data_dir.resolve() / "prefect"))
        env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        # Interval schedules become runs through the server's scheduler loop.
        env.setdefault("PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS", "5")
        if self.api_url:
            env["PREFECT_API_URL"] = self.api_url
        return env

    def _spawn(self, name: str, argv: list[str]) -> Child:
        log = self.logs / f"{name}.log"
        handle = open(log, "ab")
        # Its own process group: Ctrl-C in the terminal reaches us, and we
        # stop the children in order instead of all at once.
        proc = subprocess.Popen(argv, env=self.env(), stdout=handle, stderr=subprocess.STDOUT,
                                cwd=str(Path(__file__).resolve().parents[1]), start_new_session=True)
        child = Child(name, proc, log)
        self.children.append(child)
        return child

    def start_prefect(self) -> None:
        external = os.environ.get("PREFECT_API_URL")
        if external:
            self.api_url = external
            self.say(f"prefect: {external} (PREFECT_API_URL)")
            return
        if not _free(self.host, self.prefect_port):
            raise RuntimeError(f"port {self.prefect_port} is taken: stop what uses it, or set --prefect-port")
        self.api_url = f"http://127.0.0.1:{self.prefect_port}/api"
        child = self._spawn("prefect-server", [str(Path(sys.executable).with_name("prefect")), "server", "start",
                                                "--host", "127.0.0.1", "--port", str(self.prefect_port)])
        self._wait(child, f"{self.api_url}/health")

    def start_runner(self) -> None:
        self._spawn("flows", [sys.executable, "-m", "flows.serve"])

    def _wait(self, child: Child, url: str) -> None:
        import httpx

        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if child.proc.poll() is not None:
                raise RuntimeError(f"{child.name} exited ({child.proc.returncode}); see {child.log}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{child.name} was not ready after {READY_TIMEOUT:.0f} s; see {child.log}")

    def watch_children(self, server: object) -> None:
        """A child that dies takes the whole coordinator down with a clear
        message, rather than leaving a web app whose flows silently stopped."""

        def loop() -> None:
            while not getattr(server, "should_exit", False):
                for c in self.children:
                    if c.proc.poll() is not None:
                        self.say(f"{c.name} exited ({c.proc.returncode}); see {c.log} — stopping")
                        server.should_exit = True  # type: ignore[attr-defined]
                        return
                time.sleep(1)

        threading.Thread(target=loop, daemon=True, name="watch-children").start()

    def stop(self) -> None:
        # The runner first (no new flow runs), then the server.
        for c in reversed(self.children):
            if c.proc.poll() is None:
                try:
                    os.killpg(c.proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for c in reversed(self.children):
            try:
                c.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(c.proc.pid, signal.SIGKILL)
                c.proc.wait(10)


def _free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True
