"""Every flow of the coordinator on its schedule, in one runner:
``watch-feeds`` (every minute; each source keeps its own interval),
``watch-volumes`` (once per bucket, as it closes), ``deliver-outbox`` (30 s),
``escalate-unacknowledged`` (1 min), ``sweep-callbacks`` (5 min),
``slack-sync`` (20 s), ``daily-report`` (08:00 in the centre's zone) and
``issue-compensation`` (on demand).

Against a Prefect server (``PREFECT_API_URL``), the runner alone::

    python -m incident_flows.serve

``incident serve`` becomes ``python -m incident_flows.serve --coordinator``: the
same runner, Prefect's server (unless ``PREFECT_API_URL`` named one) and
the web app in one process (see :mod:`incident.serve` for why).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from prefect.types.entrypoint import EntrypointType

from incident import serve as helpers
from incident.config import Settings
from incident.i18n import t
from incident.logs import setup
from incident.runtime import Runtime
from incident.serve import RUN_LIMIT


def deployments(entrypoint: EntrypointType = EntrypointType.FILE_PATH) -> list[Any]:
    """Every deployment. ``entrypoint``: how a flow-run process finds the
    flow — by its file (the default; ``python -m incident_flows.watch`` and
    the like serve flows defined in ``__main__``, which have no module path)
    or by module path in the installed package (``incident_flows.deploy``:
    a worker machine has the wheel, not a checkout)."""
    from incident_flows import escalation, outbox, remedy, slack, watch  # noqa: PLC0415 — lazy: the flows (~0.5 s, ~11 MB) not in --prefect-db's process

    return [
        *watch.deployments(entrypoint),
        *outbox.deployments(entrypoint),
        *escalation.deployments(entrypoint),
        *remedy.deployments(entrypoint),
        *slack.deployments(entrypoint),
    ]


def main() -> None:
    from prefect import serve  # noqa: PLC0415 — lazy: Prefect's flow machinery, only for the runner alone

    settings = Settings()
    setup(settings.log_format, settings.log_level)
    # The runner looks for due runs every second (Prefect's default, 10 s,
    # would add up to 10 s to every detection).
    serve(*deployments(), query_seconds=1, limit=RUN_LIMIT)


class _Thread(threading.Thread):
    """A daemon thread that remembers whether it ended on its own."""

    def __init__(self, name: str, target: Callable[[], object]) -> None:
        super().__init__(name=name, daemon=True)
        self._work = target
        self.failed: BaseException | None = None

    def run(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # noqa: BLE001 — reported by the watcher
            self.failed = exc
            raise


def prefect_db() -> None:
    """Create or upgrade Prefect's database and register its block types:
    what its server does when it starts, done here in a process of its own
    so that the coordinator never holds the migration scripts (see
    ``incident.serve.coordinator_env``)."""
    from prefect.server.database import provide_database_interface  # noqa: PLC0415 — lazy: Prefect's server and migrations (~40 MB) only here
    from prefect.server.models.block_registration import run_block_auto_registration  # noqa: PLC0415 — lazy: as above

    async def run() -> None:
        db = provide_database_interface()
        await db.create_db()
        session = await db.session()
        async with session:
            await run_block_auto_registration(session=session)
        await (await db.engine()).dispose()

    asyncio.run(run())


def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


def coordinator(host: str, port: int, prefect_port: int, demo: bool) -> int:
    """Prefect's server, the runner and the web app in this process (what
    ``incident serve`` becomes). Returns the exit status."""
    import uvicorn  # noqa: PLC0415 — lazy: only the coordinator serves HTTP (not the runner alone, not --prefect-db)

    # From the moment incident serve was started (it hands over to us).
    began = float(os.environ.pop("INCIDENT_SERVE_STARTED", "") or time.time())
    rt = Runtime.build()
    lang = rt.lang
    logs = helpers.logs_dir(rt.settings.data_dir)
    # The terminal is for people; everything else (Prefect's, uvicorn's and
    # the app's logs, the flow runs' output) goes to logs/serve.log.
    terminal = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    log_file = open(logs / "serve.log", "ab")
    os.dup2(log_file.fileno(), 1)
    os.dup2(log_file.fileno(), 2)
    setup(rt.settings.log_format, rt.settings.log_level)
    heap_mb = int(os.environ.get("INCIDENT_SQLITE_HEAP_MB", helpers.SQLITE_HEAP_MB))
    if heap_mb > 0:
        limit_sqlite_heap(heap_mb)
    in_process = bool(os.environ.get("INCIDENT_PREFECT_IN_PROCESS"))
    # Started first, so that it works while this process loads the rest.
    db_setup = subprocess.Popen([sys.executable, "-m", "incident_flows.serve", "--prefect-db"]) if in_process else None

    def say(text: str) -> None:
        terminal.write(text + "\n")

    from incident.web.app import create_app  # noqa: PLC0415 — lazy: the web app (~0.8 s, ~28 MB) loads while --prefect-db runs

    api_url = os.environ["PREFECT_API_URL"].rstrip("/")
    web_app = create_app(rt)
    the_demo = replay = None
    if demo:
        from incident.demo import run as demo_run  # noqa: PLC0415 — lazy: only with --demo

        the_demo = demo_run.load(rt.settings.data_dir)
        web_app.include_router(demo_run.router(the_demo, rt.clock))
        replay = demo_run.Replay(the_demo, f"http://127.0.0.1:{port}", rt.clock)
    hint = the_demo.sign_in_text(lang) if the_demo else helpers.sign_in_hint(rt)
    # What the flows do on their own (open incidents, draft, schedule) is
    # done by the system: the flow runs' processes inherit this.
    os.environ["INCIDENT_ACTOR"] = "system"

    web = uvicorn.Server(uvicorn.Config(web_app, host=host, port=port, log_level="warning", proxy_headers=False))
    prefect_server = None
    threads: list[_Thread] = []
    if db_setup is not None:
        try:
            code = db_setup.wait()
        except KeyboardInterrupt:  # Ctrl-C this early: the child got it too
            db_setup.wait()
            say(t("out.serve_stopped", lang))
            return 0
        if code != 0:
            say(t("serve.error", lang, reason=t("serve.error.prefect_db", lang, log=logs / "serve.log")))
            return 1
        from prefect.server.api.server import create_app as prefect_app  # noqa: PLC0415 — lazy: only when Prefect's server runs here

        prefect_server = uvicorn.Server(
            uvicorn.Config(prefect_app(), host="127.0.0.1", port=prefect_port, log_level="warning")
        )
        threads.append(_Thread("prefect-server", prefect_server.run))
        threads[-1].start()

    from prefect.runner import Runner  # noqa: PLC0415 — lazy: Prefect's runner (~3 MB), not in --prefect-db's process

    runner_loop = asyncio.new_event_loop()
    # pause_on_shutdown=False: the schedules stay on while the coordinator
    # restarts; runs due meanwhile are picked up when it is back.
    runner = Runner(name="incident-coordinator", query_seconds=1, limit=RUN_LIMIT, pause_on_shutdown=False)

    def run_runner() -> None:
        helpers.wait_healthy(api_url, lambda: all(x.is_alive() for x in threads if x.name == "prefect-server"))
        for deployment in deployments():
            runner.add_deployment(deployment)
        runner_loop.run_until_complete(runner.start())

    threads.append(_Thread("flow-runner", run_runner))
    threads[-1].start()
    stopping, failed = threading.Event(), threading.Event()

    def alive() -> bool:
        return all(x.is_alive() for x in threads)

    def when_ready() -> None:
        try:
            ids = helpers.wait_deployments(api_url, alive)
            while not web.started and not web.should_exit:
                time.sleep(0.1)
            if web.should_exit:
                return
            if replay is not None:
                replay.start()
            helpers.run_now(api_url, {name: ids[name] for name in helpers.RUN_AT_START})
            say(
                t(
                    "out.serve_ready",
                    lang,
                    seconds=f"{time.time() - began:.1f}",
                    n=len(ids),
                    flows=", ".join(n.split("/")[0] for n in helpers.RUN_AT_START),
                )
            )
            say(t("out.web_at", lang, host=host, port=port))
            say(hint)
        except Exception as exc:  # noqa: BLE001 — half a start is no start: say why and stop
            say(t("serve.error", lang, reason=f"{exc}; see {logs / 'serve.log'}"))
            failed.set()
            web.should_exit = True

    trim = _malloc_trim() if os.environ.get("INCIDENT_MALLOC_TRIM", "1") != "0" else None

    def watch() -> None:
        # A part that dies takes the whole down with a clear message, rather
        # than leaving a web app whose flows silently stopped.
        beat = 0
        while not stopping.wait(1):
            beat += 1
            if trim is not None and beat % 10 == 0:
                # glibc keeps what a burst (a big import, a busy minute)
                # freed; hand it back so the resident size follows the load.
                trim(0)
            for x in threads:
                if not x.is_alive():
                    say(t("serve.error.died", lang, what=x.name, log=logs / "serve.log"))
                    failed.set()
                    web.should_exit = True
                    return

    threading.Thread(target=when_ready, daemon=True, name="when-ready").start()
    threading.Thread(target=watch, daemon=True, name="watch").start()
    # uvicorn hands the signal that stopped it back to the handler it found
    # (to let the process die the default way): make that a no-op, so the
    # runner and the server are stopped before we go.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: None)
    try:
        web.run()  # returns on Ctrl-C / SIGTERM, after in-flight requests finish
    finally:
        stopping.set()
        say(t("out.serve_stopping", lang))
        if replay is not None:
            replay.stop()
        # The runner first (no new flow runs; runs in flight are cancelled
        # and picked up again next time), then the server.
        if runner.started:
            try:
                asyncio.run_coroutine_threadsafe(runner.astop(), runner_loop).result(30)
            except Exception:  # noqa: BLE001 — stopping anyway
                pass
        _drain_prefect_queues()
        if prefect_server is not None:
            prefect_server.should_exit = True
        for x in threads:
            x.join(30)
        say(t("out.serve_stopped", lang))
    return 1 if failed.is_set() else 0


def _drain_prefect_queues(timeout: float = 10.0) -> None:
    """Hand the runner's last log lines and events to the server while it
    is still up. Left to Prefect's exit hook they would be sent after the
    server has stopped, and retried against it for over a minute before
    the process could exit."""
    from prefect.events.worker import EventsWorker  # noqa: PLC0415 — lazy: the runner's by now; not in --prefect-db's process
    from prefect.logging.handlers import APILogWorker  # noqa: PLC0415 — lazy: as above

    for service in (APILogWorker, EventsWorker):
        try:
            service.drain_all(timeout=timeout)
        except Exception:  # noqa: BLE001 — stopping anyway
            pass


def limit_sqlite_heap(mb: int) -> None:
    """Cap SQLite's heap (its page caches above all) for this whole
    process: the pragma is process-wide, so one connection sets it for the
    app's and Prefect's connections alike."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"PRAGMA soft_heap_limit = {mb * 1_000_000}")
    finally:
        conn.close()


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m incident_flows.serve", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--coordinator", action="store_true", help="the whole coordinator (what incident serve runs)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--prefect-port", type=int, default=4200)
    parser.add_argument("--demo", action="store_true")
    parser.add_argument(
        "--prefect-db",
        action="store_true",
        help="create or upgrade Prefect's database, register its block types, and exit (what --coordinator runs first)",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _args(sys.argv[1:])
    if args.prefect_db:
        prefect_db()
    elif args.coordinator:
        sys.exit(coordinator(args.host, args.port, args.prefect_port, args.demo))
    else:
        main()
