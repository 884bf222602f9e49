"""Memory and start-up of ``incident serve`` (issue 8): ``python -m benchmarks serve``.

Target: the resident memory of the whole ``incident serve`` process tree
below 400 MB, idle and under the other benchmarks' loads; and how long it
takes from start to ready.

``incident serve`` is a process tree: its own process (``main``: the web
app under uvicorn; since the coordinator became one process, also Prefect's
server and the flow runner, in threads), in the earlier design a child
``prefect server start`` (``prefect-server``) and a child ``python -m
flows.serve`` (``runner``), and one short-lived process per flow run
(``flow-run``: ``python -m prefect.engine``). The benchmark runs the real
command (the .venv's ``incident`` entry point, ``examples/incident.toml``,
a fresh ``INCIDENT_DATA_DIR`` in a temp dir, SQLite, free ports) and:

1. Start to ready, cold (an empty data dir: both databases are created)
   and warm (the same data dir again, after seeding it): seconds from the
   process's start until Prefect's API answers ``/api/health``, the web
   app's ``/healthz`` answers 200, Prefect lists every deployment of
   ``flows/serve.py`` (``POST /api/deployments/filter``) and a flow run has
   completed (after this start).
2. Memory: every ``--interval`` seconds (0.5) the whole tree is walked
   through /proc, each process's VmRSS (/proc/PID/status) and Pss
   (/proc/PID/smaps_rollup: shared pages divided among the processes
   sharing them, so the PSS sum counts the shared libraries once) read and
   summed per role (main, prefect-server, runner, flow-run; ``other`` for
   anything unexpected) and for the tree; and the tree's CPU time.
   Reported per phase, max and median: **idle** (``--idle`` seconds after the warm start is ready, the
   scheduled flows running on a database seeded like the board and wording
   benchmarks') and **load** (``--load`` seconds while this process drives
   the web app with the wording pull's load (``--clients`` keep-alive
   clients flat out against ``/api/wording``), a signed-in lead loading
   the board pages one after the other, and a ``--import-rows`` complaint
   import into the same database, as the complaints benchmark does).
   Flow runs of each phase (from Prefect's API): completed, failed, and
   how late they started.
3. Variants by environment only (``incident serve`` passes its environment
   on to the coordinator and the flow runs; Prefect reads its settings
   from it): ``--env KEY=VALUE`` (repeatable) for the whole run;
   ``--compare`` measures the default and the built-in variants (or those
   given with ``--variant NAME:KEY=VALUE,KEY=VALUE``) one after the
   other, each from a copy of the same seeded database with a fresh
   Prefect database, and prints them side by side. Another version of the
   code runs as a variant too: ``git archive COMMIT incident flows templates
   | tar -x -C DIR`` and ``--variant old:PYTHONPATH=DIR`` (the session then
   starts in DIR: ``python -m`` puts the working directory ahead of
   PYTHONPATH). A tree from issue 18 on imports ``incident_flows`` and
   ``incident.templates``, which the editable install maps to this
   checkout: give DIR ``ln -s flows DIR/incident_flows`` and
   ``ln -s ../templates DIR/incident/templates`` so it runs its own.

Sizes are MB = 10^6 bytes (the kernel's kB are KiB: × 1.024). Writes
nothing outside its temp dir; every process it starts is stopped
(SIGTERM to ``incident serve``, which stops its children; then SIGKILL to
the process groups of anything left).

    python -m benchmarks serve [--idle S] [--load S] [--env KEY=VALUE …]
    python -m benchmarks serve --compare [--variant NAME:KEY=VALUE,… …] [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "incident.toml"
TARGET_MB = 400.0
KB = 1024 / 1e6  # a kernel kB (KiB) in MB
READY_TIMEOUT = 300.0
# The deployments of flows/serve.py (tests/test_serve.py checks the same list).
DEPLOYMENTS = {
    "daily-report",
    "deliver-outbox",
    "escalate-unacknowledged",
    "issue-compensation",
    "slack-sync",
    "sweep-callbacks",
    "watch-feeds",
    "watch-volumes",
}
# main: incident serve's own process (the web app; since the coordinator is
# one process, Prefect's server and the runner too, in threads).
# prefect-db: the short-lived process that creates or upgrades Prefect's
# database before its server starts (flows.serve --prefect-db).
ROLES = ("main", "prefect-server", "runner", "prefect-db", "flow-run", "other")

# The Prefect server services incident serve switches off (incident/serve.py:
# serving deployments with interval and cron schedules needs the scheduler;
# "Late" marks, work pools, automations, pauses, concurrency leases and the
# stored event history are not used), and its allocator settings (two
# malloc arenas; malloc_trim every 10 s): the "prefect-defaults" variant
# puts Prefect's and glibc's defaults back, to show what they save.
# MALLOC_ARENA_MAX=16 is glibc's default on 2 cores (8 per core).
SERVICES_OFF = (
    "LATE_RUNS",
    "FOREMAN",
    "CANCELLATION_CLEANUP",
    "PAUSE_EXPIRATIONS",
    "REPOSSESSOR",
    "TRIGGERS",
    "EVENT_PERSISTER",
)
BUILTIN_VARIANTS: dict[str, dict[str, str]] = {
    "prefect-defaults": {
        **{f"PREFECT_SERVER_SERVICES_{s}_ENABLED": "true" for s in SERVICES_OFF},
        "MALLOC_ARENA_MAX": str(8 * (os.cpu_count() or 1)),
        "INCIDENT_MALLOC_TRIM": "0",
    },
    "no-trim": {"INCIDENT_MALLOC_TRIM": "0"},  # flows/serve.py's malloc_trim every 10 s off
    "no-heap-cap": {"INCIDENT_SQLITE_HEAP_MB": "0"},  # SQLite's page caches as they come (2 MB/80 MB per connection)
    # Prefect's database created or upgraded and its blocks registered by the
    # server in the coordinator too, as Prefect does (flows.serve --prefect-db still runs first)
    "prefect-db-in-process": {
        "PREFECT_SERVER_DATABASE_MIGRATE_ON_START": "true",
        "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "true",
    },
    "no-ui": {"PREFECT_SERVER_UI_ENABLED": "false"},
    "no-task-runs": {"PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false"},
    "no-api-logs": {"PREFECT_LOGGING_TO_API_ENABLED": "false"},
    "lean": {
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
    },
}


# ------------------------------------------------------------ the tree --


def _stat(pid: int) -> tuple[int, int, int, int] | None:
    """(ppid, process group, start time, CPU time with its reaped children's)
    of a process; times in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[2]), int(fields[19]), sum(int(f) for f in fields[11:15])


def _all_processes() -> dict[int, tuple[int, int, int, int]]:
    out = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st is not None:
                out[int(entry.name)] = st
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _memory(pid: int) -> tuple[int, int] | None:
    """(VmRSS, Pss) in kB, or None if the process is gone."""
    try:
        rss = next(
            int(line.split()[1])
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("VmRSS:")
        )
        pss = next(
            int(line.split()[1])
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            if line.startswith("Pss:")
        )
    except (OSError, StopIteration, ValueError):
        return None
    return rss, pss


def _child_role(parent_role: str, cmd: str) -> str:
    # A flow run: `python -m prefect.engine`, or multiprocessing's spawn (a
    # flow the runner holds in memory).
    if "prefect.engine" in cmd or "spawn_main" in cmd:
        return "flow-run"
    if parent_role == "main":
        if "prefect" in cmd and "server" in cmd and "start" in cmd:
            return "prefect-server"
        if "flows.serve" in cmd and "--prefect-db" in cmd:
            return "prefect-db"
        if "flows.serve" in cmd:
            return "runner"
        return "other"
    return parent_role  # e.g. multiprocessing's resource tracker under the runner


def _short(cmd: str) -> str:
    """A command line without the venv's path and temp-file arguments."""
    words = [w.replace(str(Path(sys.executable).parent) + "/", "") for w in cmd.split()]
    return " ".join(w if len(w) < 40 else w[:37] + "…" for w in words[:6])


@dataclasses.dataclass
class Sample:
    t: float
    phase: str
    roles: dict[str, tuple[int, int, int]]  # role -> (rss kB, pss kB, processes)
    load: float  # the machine's 1-minute load average
    cpu: float  # CPU seconds of the tree so far (the live processes' own and their reaped children's)

    def total(self, i: int) -> int:
        return sum(v[i] for v in self.roles.values())


class Sampler(threading.Thread):
    """Walks the tree under ``root`` every ``interval`` seconds."""

    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True, name="serve-sampler")
        self.root, self.interval = root, interval
        self.phase = "start"
        self.samples: list[Sample] = []
        self.seen: dict[tuple[int, int], str] = {}  # (pid, start) -> role
        self.groups: set[int] = set()
        self._stop_event = threading.Event()
        self._cmds: dict[tuple[int, int], str] = {}
        self.commands: dict[str, set[str]] = {}  # role -> the command lines seen (shortened)
        self.peaks: dict[
            tuple[int, int], list[Any]
        ] = {}  # (pid, start) -> [role, peak rss kB, peak pss kB, last phase]

    def tree(self) -> dict[int, tuple[str, int, int, int]]:
        """pid -> (role, pgid, start, CPU ticks) for the root and all its descendants."""
        procs = _all_processes()
        if self.root not in procs:
            return {}
        children: dict[int, list[int]] = {}
        for pid, (ppid, _, _, _) in procs.items():
            children.setdefault(ppid, []).append(pid)
        out = {self.root: ("main", *procs[self.root][1:])}
        # read every time: incident serve may exec the coordinator (the same pid, another command)
        self.commands.setdefault("main", set()).add(_short(_cmdline(self.root)))
        todo = [self.root]
        while todo:
            parent = todo.pop()
            for pid in children.get(parent, []):
                _, pgid, start, cpu = procs[pid]
                key = (pid, start)
                if key not in self._cmds:
                    self._cmds[key] = _cmdline(pid)
                role = _child_role(out[parent][0], self._cmds[key])
                self.commands.setdefault(role, set()).add(_short(self._cmds[key]))
                out[pid] = (role, pgid, start, cpu)
                todo.append(pid)
        return out

    def sample(self) -> Sample:
        roles: dict[str, list[int]] = {}
        ticks = 0
        for pid, (role, pgid, start, cpu) in self.tree().items():
            ticks += cpu
            self.seen[(pid, start)] = role
            self.groups.add(pgid)
            mem = _memory(pid)
            if mem is None:
                continue
            peak = self.peaks.setdefault((pid, start), [role, 0, 0, ""])
            peak[1], peak[2], peak[3] = max(peak[1], mem[0]), max(peak[2], mem[1]), self.phase
            acc = roles.setdefault(role, [0, 0, 0])
            acc[0] += mem[0]
            acc[1] += mem[1]
            acc[2] += 1
        try:
            load = float(Path("/proc/loadavg").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            load = float("nan")
        return Sample(
            time.monotonic(),
            self.phase,
            {k: (v[0], v[1], v[2]) for k, v in roles.items()},
            load,
            ticks / os.sysconf("SC_CLK_TCK"),
        )

    def run(self) -> None:
        next_at = time.monotonic()
        while not self._stop_event.is_set():
            s = self.sample()
            if s.roles:
                self.samples.append(s)
            next_at += self.interval
            self._stop_event.wait(max(0.0, next_at - time.monotonic()))

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)


# ------------------------------------------------------------ the serve --


class Serve:
    """One ``incident serve`` on free ports, sampled from its start."""

    def __init__(self, data_dir: Path, extra_env: dict[str, str], log: Path, interval: float) -> None:
        from benchmarks.wording import BENCH_TOKEN, _free_port

        self.data_dir, self.log_path, self.interval = data_dir, log, interval
        self.port, self.prefect_port = _free_port(), _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "PREFECT_", "SLACK_"))}
        # The agents' desktop authenticates (being on this host grants nothing): the machine token.
        env.update(INCIDENT_CONFIG=str(EXAMPLE), INCIDENT_DATA_DIR=str(data_dir), INCIDENT_API_TOKEN=BENCH_TOKEN)
        env.update(extra_env)
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.sampler: Sampler | None = None
        self.t0 = 0.0
        self.started_at = ""

    def _cwd(self) -> str:
        # `python -m flows.serve` puts its working directory first on
        # sys.path, ahead of PYTHONPATH: a variant that runs another tree of
        # the code (PYTHONPATH=DIR) must also start there, or its coordinator
        # and flow runs would import this checkout's code.
        other = self.env.get("PYTHONPATH", "").split(os.pathsep)[0]
        return other if other and Path(other, "flows").is_dir() else str(ROOT)

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.prefect_port}/api"

    def start(self) -> None:
        exe = Path(sys.executable).with_name("incident")
        self._log = self.log_path.open("ab")
        self.started_at = dt.datetime.now(dt.timezone.utc).isoformat()
        self.t0 = time.monotonic()
        # its own session: Ctrl-C at the terminal reaches only us, and we stop it
        self.proc = subprocess.Popen(
            [str(exe), "--lang", "en", "serve", "--port", str(self.port), "--prefect-port", str(self.prefect_port)],
            env=self.env,
            cwd=self._cwd(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.sampler = Sampler(self.proc.pid, self.interval)
        self.sampler.start()

    def tail(self, n: int = 3000) -> str:
        parts = [f"--- {self.log_path.name}", self.log_path.read_text("utf-8", "replace")[-n:]]
        for log in sorted((self.data_dir / "logs").glob("*.log")):
            parts += [f"--- {log}", log.read_text("utf-8", "replace")[-n:]]
        return "\n".join(parts)

    def wait_ready(self, first_run: bool = True, timeout: float = READY_TIMEOUT) -> dict[str, float]:
        """Seconds from the start to each milestone."""
        assert self.proc is not None
        got: dict[str, float] = {}
        wanted = ["prefect API", "web /healthz", "deployments", "first run done"][: 4 if first_run else 3]

        def check(name: str, probe: Any) -> None:
            if name not in got:
                try:
                    if probe():
                        got[name] = time.monotonic() - self.t0
                except httpx.HTTPError:
                    pass

        def deployments_listed() -> bool:
            r = client.post(f"{self.api}/deployments/filter", json={})
            return r.status_code == 200 and DEPLOYMENTS <= {d["name"] for d in r.json()}

        def a_run_done() -> bool:
            r = client.post(
                f"{self.api}/flow_runs/filter",
                json={
                    "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}, "end_time": {"after_": self.started_at}},
                    "limit": 1,
                },
            )
            return r.status_code == 200 and bool(r.json())

        with httpx.Client(timeout=5, trust_env=False) as client:
            while len(got) < len(wanted):
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"incident serve exited ({self.proc.returncode}) before it was ready:\n{self.tail()}"
                    )
                if time.monotonic() - self.t0 > timeout:
                    raise RuntimeError(f"not ready after {timeout:.0f} s (got {got}):\n{self.tail()}")
                check("prefect API", lambda: client.get(f"{self.api}/health").status_code == 200)
                check("web /healthz", lambda: client.get(f"{self.web}/healthz").status_code == 200)
                if "prefect API" in got:
                    check("deployments", deployments_listed)
                if first_run and "deployments" in got:
                    check("first run done", a_run_done)
                time.sleep(0.2)
        return {name: got[name] for name in wanted}

    def runs(self, since: str, until: str) -> dict[str, Any]:
        """The flow runs expected to start in [since, until): how they ended
        and how late they started."""
        found: list[dict[str, Any]] = []
        with httpx.Client(timeout=30, trust_env=False) as client:
            while True:
                r = client.post(
                    f"{self.api}/flow_runs/filter",
                    json={
                        "flow_runs": {"expected_start_time": {"after_": since, "before_": until}},
                        "sort": "EXPECTED_START_TIME_ASC",
                        "limit": 200,
                        "offset": len(found),
                    },
                )
                r.raise_for_status()
                page = r.json()
                found += page
                if len(page) < 200:
                    break
            names = {d["id"]: d["name"] for d in client.post(f"{self.api}/deployments/filter", json={}).json()}
        states: dict[str, int] = {}
        late: list[float] = []
        took: list[tuple[float, str]] = []
        for run in found:
            state = (run.get("state") or {}).get("type", "?")
            states[state] = states.get(state, 0) + 1
            if run.get("start_time") and run.get("expected_start_time"):
                late.append(
                    (
                        dt.datetime.fromisoformat(run["start_time"])
                        - dt.datetime.fromisoformat(run["expected_start_time"])
                    ).total_seconds()
                )
            if state == "COMPLETED" and run.get("start_time") and run.get("end_time"):
                took.append(
                    (
                        (
                            dt.datetime.fromisoformat(run["end_time"]) - dt.datetime.fromisoformat(run["start_time"])
                        ).total_seconds(),
                        names.get(run.get("deployment_id"), "?"),
                    )
                )
        return {
            "total": len(found),
            "states": states,
            "late_p50": statistics.median(late) if late else None,
            "late_max": max(late) if late else None,
            "took_p50": statistics.median(t for t, _ in took) if took else None,
            "slowest": max(took) if took else None,
            "completed": states.get("COMPLETED", 0),
            "failed": states.get("FAILED", 0) + states.get("CRASHED", 0),
        }

    def stop(self) -> dict[str, Any]:
        """SIGTERM (what Ctrl-C does): the web app, then the runner, then the
        server stop. Returns the seconds it took and what had to be killed."""
        out: dict[str, Any] = {"stop_s": None, "killed": 0, "returncode": None}
        if self.proc is None:
            return out
        t = time.monotonic()
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(90)
                    out["stop_s"] = time.monotonic() - t
                except subprocess.TimeoutExpired:
                    pass
            out["returncode"] = self.proc.returncode
        finally:
            if self.sampler is not None:
                self.sampler.stop()
            out["killed"] = self.kill_leftovers()
            self._log.close()
        return out

    def kill_leftovers(self) -> int:
        """SIGKILL whatever of the tree is still alive (by process group:
        the groups the tree's processes were in, checked to be ours)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)
        seen = dict(self.sampler.seen) if self.sampler else {}
        killed = 0
        for _ in range(3):
            alive = {pid: st for pid, st in _all_processes().items() if (pid, st[2]) in seen}
            if not alive:
                break
            for pgid in {st[1] for st in alive.values()}:  # groups with a process of ours alive in them
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            killed += len(alive)
            time.sleep(0.5)
        return killed


# ------------------------------------------------------------ seeding and load --


@dataclasses.dataclass
class Seeded:
    url: str
    board: Any  # benchmarks.board.SeedInfo
    open_count: int
    incidents: int
    csv: Path
    import_rows: int
    seconds: float


def seed(data_dir: Path, tmp: Path, args: argparse.Namespace) -> Seeded:
    """What the board and wording benchmarks store, into the serve's own
    database (its SQLite file under the data dir), through their seeding
    functions; and the complaints benchmark's CSV file for the import."""
    from benchmarks import board, watch, wording
    from incident.db import default_url

    t = time.perf_counter()
    url = default_url(data_dir)
    info = board.seed(url, "serve", 1000, 150, args.stored_complaints, 30)
    wording.seed(url, extra_closed=200)
    csv = tmp / "complaints.csv"
    watch.make_complaints_csv(csv, args.import_rows)
    return Seeded(
        url,
        info,
        info.open_count + len(wording.TOPICS),
        info.counts["incidents"] + 200 + len(wording.TOPICS),
        csv,
        args.import_rows,
        time.perf_counter() - t,
    )


def _wording_params(n: int = 400) -> list[dict[str, str]]:
    """Customers for the wording pull, as benchmarks.wording.bench_pull makes
    them. Less its first query ("app 登录不了"): next to the board's data —
    whose ~70 active incidents with approved sheets all carry one sheet's
    text, "APP 登录失败…" — none of its words is distinctive (in at most half
    of the sheets, incident/wording/pull.py), so it is answered 404 by design."""
    from benchmarks.wording import QUERIES

    queries = QUERIES[1:]
    rng = random.Random(7)
    surnames, given = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高", "伟芳娜敏静丽强磊洋艳勇军杰涛明超秀霞平刚"
    return [
        {
            "q": queries[i % len(queries)],
            "name": rng.choice(["欧阳", "司马", ""]) + rng.choice(surnames) + rng.choice(given),
            "title": rng.choice(["先生", "女士"]),
            "contact": f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d}",
        }
        for i in range(n)
    ]


def drive_load(serve: Serve, seeded: Seeded, seconds: float, clients: int) -> dict[str, Any]:
    """The other benchmarks' loads at once, for ``seconds``: the wording
    pull (``clients`` connections flat out), a signed-in lead loading the
    two board pages in turn, and one complaint import."""
    from urllib.parse import urlencode

    from benchmarks import board, watch
    from benchmarks.wording import _p, drive

    deadline = time.monotonic() + seconds
    out: dict[str, Any] = {}

    def pull() -> None:
        raw = [
            f"GET /api/wording?{urlencode(p)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {serve.env['INCIDENT_API_TOKEN']}\r\n\r\n".encode()
            for p in _wording_params()
        ]
        lat: list[float] = []
        errors = n = 0

        async def go() -> None:
            nonlocal errors, n
            while time.monotonic() < deadline:
                _, l_, e = await drive(serve.port, lambda i: raw[i % len(raw)], 20 * clients, clients)
                lat.extend(l_)
                errors += e
                n += len(l_)

        t = time.monotonic()
        asyncio.run(go())
        out["wording"] = {
            "requests": n,
            "rps": n / (time.monotonic() - t),
            "p50": _p(lat, 0.5) if lat else 0,
            "p99": _p(lat, 0.99) if lat else 0,
            "errors": errors,
        }

    def pages() -> None:
        info = dataclasses.replace(seeded.board, open_count=seeded.open_count)
        paths = [
            ("/", board.checker(info, info.default_id, detail=False)),
            (f"/incidents/{info.detail_id}", board.checker(info, info.detail_id, detail=True)),
        ]
        lat: list[float] = []
        errors = changed = 0
        first_change = None
        with httpx.Client(base_url=serve.web, timeout=60, follow_redirects=False, trust_env=False) as client:
            board.sign_in(client)
            i = 0
            while time.monotonic() < deadline:
                path, check = paths[i % 2]
                i += 1
                t = time.perf_counter()
                r = client.get(path)
                lat.append(time.perf_counter() - t)
                if r.status_code != 200 or not r.headers.get("content-type", "").startswith("text/html"):
                    errors += 1
                elif (wrong := check(r)) is not None:
                    # e.g. the watch opened an incident meanwhile: a right page, another board
                    changed += 1
                    first_change = first_change or wrong
        out["board"] = {
            "requests": len(lat),
            "p50": _p(lat, 0.5) if lat else 0,
            "p95": _p(lat, 0.95) if lat else 0,
            "errors": errors,
            "changed": changed,
            "first_change": first_change,
        }

    def import_() -> None:
        r = watch.bench_complaints(seeded.url, seeded.import_rows, seeded.csv)
        out["import"] = r

    threads = {
        name: threading.Thread(target=_catching(fn, out, name), name=f"load-{name}", daemon=True)
        for name, fn in (("wording", pull), ("board", pages), ("import", import_))
    }
    for th in threads.values():
        th.start()
    for th in threads.values():
        th.join(max(1.0, deadline - time.monotonic()) + 300)
    return out


def _catching(fn: Any, out: dict[str, Any], name: str) -> Any:
    def wrapped() -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - reported with the figures
            out[f"{name}_error"] = f"{type(exc).__name__}: {exc}"[:300]

    return wrapped


# ------------------------------------------------------------ figures --


def _mb(kb: float) -> float:
    return kb * KB


def phase_stats(samples: list[Sample], phase: str) -> dict[str, Any] | None:
    ss = [s for s in samples if s.phase == phase]
    if not ss:
        return None
    out: dict[str, Any] = {
        "n": len(ss),
        "seconds": ss[-1].t - ss[0].t,
        "roles": {},
        "load": (min(s.load for s in ss), max(s.load for s in ss)),
        "cores": (ss[-1].cpu - ss[0].cpu) / max(ss[-1].t - ss[0].t, 1e-9),
    }
    for role in ROLES:
        rss = [s.roles.get(role, (0, 0, 0))[0] for s in ss]
        pss = [s.roles.get(role, (0, 0, 0))[1] for s in ss]
        cnt = [s.roles.get(role, (0, 0, 0))[2] for s in ss]
        if max(cnt) == 0:
            continue
        out["roles"][role] = {
            "rss_max": _mb(max(rss)),
            "rss_med": _mb(statistics.median(rss)),
            "pss_max": _mb(max(pss)),
            "pss_med": _mb(statistics.median(pss)),
            "count_max": max(cnt),
            "present": sum(1 for c in cnt if c) / len(cnt),
        }
    rss = [s.total(0) for s in ss]
    pss = [s.total(1) for s in ss]
    out["tree"] = {
        "rss_max": _mb(max(rss)),
        "rss_med": _mb(statistics.median(rss)),
        "pss_max": _mb(max(pss)),
        "pss_med": _mb(statistics.median(pss)),
        "count_max": max(sum(v[2] for v in s.roles.values()) for s in ss),
    }
    return out


def print_phase(name: str, st: dict[str, Any] | None) -> None:
    if st is None:
        print(f"  {name}: no samples")
        return
    print(
        f"  {name} ({st['seconds']:.0f} s, {st['n']} samples; the machine's load average "
        f"{st['load'][0]:.1f}–{st['load'][1]:.1f} "
        f"on {os.cpu_count()} cores)"
    )
    print(f"    {'':<16} {'RSS max':>8} {'RSS med':>8} {'PSS max':>8} {'PSS med':>8}   processes")
    for role, r in st["roles"].items():
        extra = (
            f"max {r['count_max']} at once, present in {r['present']:.0%} of samples"
            if role == "flow-run"
            else f"{r['count_max']}"
        )
        print(
            f"    {role:<16} {r['rss_max']:>8.0f} {r['rss_med']:>8.0f} {r['pss_max']:>8.0f} "
            f"{r['pss_med']:>8.0f}   {extra}"
        )
    t = st["tree"]
    print(
        f"    {'tree (sum)':<16} {t['rss_max']:>8.0f} {t['rss_med']:>8.0f} {t['pss_max']:>8.0f} {t['pss_med']:>8.0f}   "
        f"max {t['count_max']} processes; CPU {st['cores']:.2f} cores on average"
    )


def verdict(st: dict[str, Any] | None) -> str:
    if st is None:
        return "n/a"
    t = st["tree"]
    return (
        f"RSS max {t['rss_max']:.0f} MB: {'met' if t['rss_max'] < TARGET_MB else 'NOT met'}"
        f" (median {t['rss_med']:.0f}: {'met' if t['rss_med'] < TARGET_MB else 'NOT met'}); "
        f"PSS max {t['pss_max']:.0f} MB: {'met' if t['pss_max'] < TARGET_MB else 'NOT met'}"
        f" (median {t['pss_med']:.0f}: {'met' if t['pss_med'] < TARGET_MB else 'NOT met'})"
    )


def _fmt_ready(r: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.1f} s" for k, v in r.items())


def _fmt_runs(r: dict[str, Any] | None) -> str:
    if not r:
        return "n/a"
    states = ", ".join(f"{k.lower()} {v}" for k, v in sorted(r["states"].items()))
    late = (
        f"; started late by p50 {r['late_p50']:.1f} s, max {r['late_max']:.1f} s" if r["late_p50"] is not None else ""
    )
    took = (
        f"; completed runs took p50 {r['took_p50']:.1f} s, the slowest {r['slowest'][0]:.1f} s ({r['slowest'][1]})"
        if r.get("took_p50") is not None
        else ""
    )
    return f"{r['total']} runs due ({states}){late}{took}"


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat()


# ------------------------------------------------------------ one session --


def session(
    data_dir: Path,
    tmp: Path,
    env: dict[str, str],
    args: argparse.Namespace,
    seeded: Seeded | None,
    label: str,
    idle: float,
    load: float,
) -> dict[str, Any]:
    """Start, ready, idle, load, stop; the figures of each."""
    serve = Serve(data_dir, env, tmp / f"serve-{label}.log", args.interval)
    res: dict[str, Any] = {"label": label, "env": env}
    try:
        serve.start()
        assert serve.sampler is not None
        print(
            f"  [{label}] incident serve started (web :{serve.port}, prefect :{serve.prefect_port}) …",
            file=sys.stderr,
            flush=True,
        )
        res["ready"] = serve.wait_ready()
        serve.sampler.phase = "ready"
        print(f"  [{label}] ready: {_fmt_ready(res['ready'])}", file=sys.stderr, flush=True)
        if idle:
            serve.sampler.phase = "idle"
            a = time.time()
            print(f"  [{label}] idle for {idle:.0f} s …", file=sys.stderr, flush=True)
            time.sleep(idle)
            res["idle_runs"] = serve.runs(_iso(a), _iso(time.time()))
        if load and seeded is not None:
            serve.sampler.phase = "load"
            a = time.time()
            print(f"  [{label}] load for {load:.0f} s …", file=sys.stderr, flush=True)
            res["load_drivers"] = drive_load(serve, seeded, load, args.clients)
            serve.sampler.phase = "after load"
            res["load_runs"] = serve.runs(_iso(a), _iso(time.time()))
    finally:
        if serve.sampler is not None:
            serve.sampler.phase = "stopping"
        res["stop"] = serve.stop()
    samples = serve.sampler.samples if serve.sampler else []
    res["phases"] = {p: phase_stats(samples, p) for p in ("start", "idle", "load")}
    res["commands"] = serve.sampler.commands if serve.sampler else {}
    for name in ("idle", "load"):
        st = res["phases"][name]
        if st:
            t = st["tree"]
            print(
                f"  [{label}] {name}: tree RSS max {t['rss_max']:.0f} median {t['rss_med']:.0f}, PSS max "
                f"{t['pss_max']:.0f} "
                f"median {t['pss_med']:.0f} MB; runs: {_fmt_runs(res.get(name + '_runs'))}",
                file=sys.stderr,
                flush=True,
            )
    # the flow-run processes that ended on their own (not those cut short by the stop)
    runs = [
        (rss, pss)
        for role, rss, pss, last in (serve.sampler.peaks.values() if serve.sampler else [])
        if role == "flow-run" and last != "stopping"
    ]
    res["flow_run_peak"] = (
        (_mb(statistics.median(r for r, _ in runs)), _mb(statistics.median(p for _, p in runs)), len(runs))
        if runs
        else None
    )
    return res


def _parse_env(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"--env wants KEY=VALUE, got {item!r}")
        out[key.strip()] = value
    return out


def _parse_variant(item: str) -> tuple[str, dict[str, str]]:
    name, sep, rest = item.partition(":")
    if not sep:
        if name in BUILTIN_VARIANTS:
            return name, BUILTIN_VARIANTS[name]
        raise SystemExit(
            f"--variant wants NAME:KEY=VALUE[,KEY=VALUE…] or one of {', '.join(BUILTIN_VARIANTS)}; got {item!r}"
        )
    return name, _parse_env([p for p in rest.split(",") if p.strip()])


def code_version() -> str:
    """The commit and a digest of the files that make up incident serve (the
    working tree may differ from the commit, and change during a run)."""
    import hashlib

    try:
        head = (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
            ).stdout.strip()
            or "?"
        )
    except (OSError, subprocess.SubprocessError):
        head = "?"
    digest = hashlib.sha1()
    for path in sorted(
        [*ROOT.glob("incident/serve.py"), *ROOT.glob("incident/cli/web_cmds.py"), *ROOT.glob("flows/*.py")]
    ):
        digest.update(path.name.encode() + path.read_bytes())
    return f"commit {head}, serve files {digest.hexdigest()[:10]}"


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so that every finally: stops what it started


def run(args: argparse.Namespace) -> bool:
    base_env = _parse_env(args.env or [])
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
    started = time.perf_counter()
    version = code_version()
    try:
        if args.compare or args.variant:
            return run_compare(args, base_env, started, version)
        return run_default(args, base_env, started, version)
    finally:
        if code_version() != version:
            print(
                f"  NOTE: incident serve's files changed during the run ({version} → {code_version()}): "
                "the sessions may have run different code"
            )


def run_default(args: argparse.Namespace, base_env: dict[str, str], started: float, version: str) -> bool:
    load = 90.0 if args.load is None else args.load
    print(
        f"\nserve: incident serve's start-up and memory (SQLite, examples/incident.toml; {version})"
        + (f"; environment: {' '.join(f'{k}={v}' for k, v in base_env.items())}" if base_env else "")
    )
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data"
        data.mkdir()
        cold = None
        if not args.no_cold:
            cold = session(data, tmp, base_env, args, None, "cold", 0, 0)
        print("  seeding the serve's database (board + wording benchmarks' data) …", file=sys.stderr, flush=True)
        seeded = seed(data, tmp, args)
        warm = session(data, tmp, base_env, args, seeded, "warm" if cold else "start", args.idle, load)
    print(
        f"  seeded {'between the two starts' if cold else 'before the start'} in {seeded.seconds:.0f} s: "
        f"{seeded.incidents:,} incidents "
        f"({seeded.open_count} open), {seeded.board.counts['complaints']:,} complaints, a lead who signs in"
    )
    print("  start to ready (seconds from the process's start):")
    if cold:
        print(f"    cold (empty data dir)        {_fmt_ready(cold['ready'])}; stop (SIGTERM) {_stop(cold)}")
    print(
        f"    {'warm (same data dir, seeded)' if cold else 'start':<28} {_fmt_ready(warm['ready'])}; stop "
        f"(SIGTERM) {_stop(warm)}"
    )
    print("  memory, MB (RSS: resident; PSS: shared pages divided among their sharers — the sums count them once):")
    for name, res in (("cold start", cold), ("warm start", warm)):
        if res and res["phases"]["start"]:
            t = res["phases"]["start"]["tree"]
            print(f"  {name}: tree RSS max {t['rss_max']:.0f}, PSS max {t['pss_max']:.0f} until ready")
    print_phase("idle", warm["phases"]["idle"])
    print(f"    flow runs: {_fmt_runs(warm.get('idle_runs'))}")
    if load:
        print_phase("under load", warm["phases"]["load"])
        print(f"    flow runs: {_fmt_runs(warm.get('load_runs'))}")
        print(f"    load: {_fmt_load(warm.get('load_drivers') or {}, args)}")
    print(
        "  processes seen, by role: "
        + "; ".join(f"{role}: {', '.join(sorted(cmds))}" for role, cmds in sorted(warm["commands"].items()))
    )
    print(f"  target: tree < {TARGET_MB:.0f} MB")
    print(f"    idle:       {verdict(warm['phases']['idle'])}")
    if load:
        print(f"    under load: {verdict(warm['phases']['load'])}")
    print(
        f"  (whole serve benchmark: {time.perf_counter() - started:.0f} s; two cores shared with other work: "
        "times and flow-run overlaps are noisy)"
    )
    checked = [warm["phases"]["idle"]] + ([warm["phases"]["load"]] if load else [])
    return all(st is not None and st["tree"]["rss_max"] < TARGET_MB for st in checked)


def _stop(res: dict[str, Any]) -> str:
    s = res["stop"]
    text = f"{s['stop_s']:.1f} s" if s["stop_s"] is not None else "did not stop within 90 s"
    if s["returncode"] not in (0, None):
        text += f", exit code {s['returncode']}"
    if s["killed"]:
        text += f", {s['killed']} processes left behind (killed)"
    return text


def _fmt_load(d: dict[str, Any], args: argparse.Namespace) -> str:
    parts = []
    if "wording" in d:
        w = d["wording"]
        parts.append(
            f"wording pull {w['requests']:,} requests ({w['rps']:,.0f}/s, {args.clients} clients, p50 "
            f"{w['p50']:.0f} ms, "
            f"p99 {w['p99']:.0f} ms, non-200 {w['errors']})"
        )
    if "board" in d:
        b = d["board"]
        parts.append(
            f"board pages {b['requests']:,} (p50 {b['p50']:.0f} ms, p95 {b['p95']:.0f} ms, errors {b['errors']}"
            + (f", {b['changed']} showed another board: {b['first_change']}" if b["changed"] else "")
            + ")"
        )
    if "import" in d:
        i = d["import"]
        parts.append(
            f"complaint import {i['rows']:,} rows in {i['seconds']:.1f} s ({i['rows_per_s']:,.0f} rows/s) and again "
            f"(all duplicates) {i['rerun_s']:.1f} s"
        )
    parts += [f"{k}: {v}" for k, v in d.items() if k.endswith("_error")]
    return ";\n          ".join(parts)


def run_compare(args: argparse.Namespace, base_env: dict[str, str], started: float, version: str) -> bool:
    variants = [("default", {})]
    if args.variant:
        variants += [_parse_variant(v) for v in args.variant]
    else:
        variants += list(BUILTIN_VARIANTS.items())
    load = 0.0 if args.load is None else args.load
    print(
        f"\nserve: variants side by side (each: a copy of one seeded database, a fresh Prefect database, "
        f"start, {args.idle:.0f} s idle{f', {load:.0f} s load' if load else ''}; {args.repeat} round(s); {version})"
    )
    for name, env in variants:
        print(
            f"  {name:<16} "
            f"{' '.join(f'{k}={v}' for k, v in {**base_env, **env}.items()) or '(incident serve as it is)'}"
        )
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp_name:
        tmp = Path(tmp_name)
        template = tmp / "template"
        template.mkdir()
        print("  seeding the template database …", file=sys.stderr, flush=True)
        seeded = seed(template, tmp, args)
        for round_ in range(args.repeat):
            for name, env in variants:
                data = tmp / f"data-{name}-{round_}"
                shutil.copytree(template, data)
                own = dataclasses.replace(seeded, url=seeded.url.replace(str(template.resolve()), str(data.resolve())))
                try:
                    res = session(data, tmp, {**base_env, **env}, args, own, f"{name}#{round_ + 1}", args.idle, load)
                except RuntimeError as exc:  # a variant that breaks the start is a result too
                    res = {"label": f"{name}#{round_ + 1}", "error": str(exc).splitlines()[0][:200]}
                    print(f"  [{res['label']}] FAILED: {exc}"[:3000], file=sys.stderr, flush=True)
                results.append(res)
                shutil.rmtree(data, ignore_errors=True)
    print_comparison(results, load)
    print(
        f"  target: tree < {TARGET_MB:.0f} MB; whole comparison {time.perf_counter() - started:.0f} s "
        "(two cores shared with other work: the flow-run overlaps, hence the tree's max, are the noisiest figures)"
    )
    return True


def print_comparison(results: list[dict[str, Any]], load: float) -> None:
    def role(st: dict[str, Any] | None, name: str, key: str) -> float:
        return (st or {"roles": {}})["roles"].get(name, {}).get(key, 0.0)

    print(
        f"  {'':<20} {'ready':>11} {'idle tree, MB':>25} {'base, MB':>9} {'1 run, MB':>9} {'runs':>5} "
        f"{'flow runs':>10} {'late, s':>11} {'CPU':>5} {'load':>9}"
        + (f"  {'load tree, MB':>17} {'runs':>5} {'flow runs':>9}" if load else "")
    )
    print(
        f"  {'variant':<20} {'deps/1st s':>11} {'RSS max/med':>12} {'PSS max/med':>12} {'RSS/PSS':>9} {'RSS/PSS':>9} "
        f"{'max':>5} {'ok/bad/due':>10} {'p50/max':>11} {'cores':>5} {'avg':>9}"
        + (f"  {'RSS max':>8} {'PSS max':>8} {'max':>5} {'ok/bad/due':>9}" if load else "")
    )
    for r in results:
        if "error" in r:
            print(f"  {r['label']:<20} FAILED: {r['error']}")
            continue
        idle = r["phases"]["idle"]
        if idle is None:
            print(f"  {r['label']:<20} no idle samples")
            continue
        t, runs = idle["tree"], r.get("idle_runs") or {}
        base_rss = sum(role(idle, n, "rss_med") for n in ("main", "prefect-server", "runner"))
        base_pss = sum(role(idle, n, "pss_med") for n in ("main", "prefect-server", "runner"))
        one = r.get("flow_run_peak") or (0.0, 0.0, 0)
        ready = f"{r['ready'].get('deployments', 0):.0f}/{r['ready'].get('first run done', 0):.0f}"
        line = (
            f"  {r['label']:<20} {ready:>11} {t['rss_max']:>6.0f}/{t['rss_med']:<5.0f} "
            f"{t['pss_max']:>6.0f}/{t['pss_med']:<5.0f} "
            f"{base_rss:>4.0f}/{base_pss:<4.0f} {one[0]:>4.0f}/{one[1]:<4.0f} "
            f"{role(idle, 'flow-run', 'count_max'):>5.0f} "
            f"{runs.get('completed', 0):>4}/{runs.get('failed', 0)}/{runs.get('total', 0):<3} {_late(runs):>11} "
            f"{idle['cores']:>5.2f} {idle['load'][0]:>4.1f}–{idle['load'][1]:<4.1f}"
        )
        if load and r["phases"].get("load"):
            ld, lr = r["phases"]["load"], r.get("load_runs") or {}
            line += (
                f"  {ld['tree']['rss_max']:>8.0f} {ld['tree']['pss_max']:>8.0f} "
                f"{role(ld, 'flow-run', 'count_max'):>5.0f} "
                f"{lr.get('completed', 0):>3}/{lr.get('failed', 0)}/{lr.get('total', 0):<3}"
            )
        print(line)
    print("  per role, idle, median RSS/PSS MB (flow-run: the median process's peak):")
    for r in results:
        idle = r.get("phases", {}).get("idle")
        if idle is None:
            continue
        one = r.get("flow_run_peak") or (0.0, 0.0, 0)
        print(
            f"    {r['label']:<20} "
            + "  ".join(
                f"{n} {role(idle, n, 'rss_med'):.0f}/{role(idle, n, 'pss_med'):.0f}"
                for n in ("main", "prefect-server", "runner")
                if role(idle, n, "rss_med")
            )
            + f"  flow-run {one[0]:.0f}/{one[1]:.0f} (of {one[2]} processes)"
        )
    print(
        "  (ready: seconds from the start until Prefect lists the deployments / the first flow run "
        "completed; base: main +"
        " prefect-server + runner (those there are), medians, i.e. the tree with no flow run; 1 run: one "
        "flow-run process's peak, median"
        " over the session's; runs max: flow-run processes at once; ok/bad/due: flow runs due in the phase that"
        " completed / failed or crashed / all; late: start time − scheduled time; CPU: the tree's, cores on average;"
        " load avg: the machine's 1-minute load average, min–max)"
    )


def _late(r: dict[str, Any]) -> str:
    if not r or r.get("late_p50") is None:
        return "n/a"
    return f"{r['late_p50']:.1f}/{r['late_max']:.1f}"


def add_arguments(parser: Any, standalone: bool) -> None:
    parser.add_argument(
        "--idle",
        type=float,
        default=120.0,
        help="serve: seconds idle after ready (default 120: at least two minute boundaries)",
    )
    parser.add_argument(
        "--load",
        type=float,
        default=None,
        help="serve: seconds under load (default 90; 0 skips it; with --compare default 0)",
    )
    parser.add_argument(
        "--env",
        action="append",
        metavar="KEY=VALUE",
        help="serve: an environment variable for incident serve and its children (repeatable)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help=f"serve: the default and each variant side by side (built-in: {', '.join(BUILTIN_VARIANTS)})",
    )
    parser.add_argument(
        "--variant",
        action="append",
        metavar="NAME:KEY=VALUE,…",
        help="serve: a variant to compare instead of the built-in ones (repeatable; a built-in name alone works)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="serve --compare: rounds over the variants (default 1)")
    parser.add_argument("--clients", type=int, default=50, help="serve: wording pull clients under load (default 50)")
    parser.add_argument(
        "--import-rows", type=int, default=100_000, help="serve: complaints imported under load (default 100000)"
    )
    parser.add_argument(
        "--stored-complaints", type=int, default=50_000, help="serve: complaints in the seeded database (default 50000)"
    )
    parser.add_argument("--no-cold", action="store_true", help="serve: skip the cold start (empty data dir)")
    parser.add_argument(
        "--interval", type=float, default=0.5, help="serve: seconds between memory samples (default 0.5)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.serve", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser, standalone=True)
    args = parser.parse_args(argv)
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
