"""``./dev run`` twice, and on another port (issue 23 point 10): one demo
per data directory, the second start refused with the running one's
address and its data left alone; the lock gone with its holder; links in
statements and the Atom feed on the port the demo serves on; the ``dev``
script's ``run`` passing serve's options to the demo."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import NOW, incident_now
from sqlalchemy import select

from incident import response
from incident.config import load_config
from incident.context import Context
from incident.demo import lock
from incident.demo import run as demo_run
from incident.errors import InputError
from incident.models import Statement
from incident.timeutil import FixedClock
from incident.wording import statuspage, workflow
from tests.factories import approved_sheet, as_
from tests.test_serve import _port, serve_env

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "incident.toml"
ATOM = "{http://www.w3.org/2005/Atom}"

# Takes the demo lock, then becomes another program (as incident serve
# becomes the coordinator) that says so and waits for its stdin to close.
HOLDER = """
import os, sys
from pathlib import Path
from incident.demo import lock
lock.hold(Path(sys.argv[1]), "127.0.0.1", int(sys.argv[2]))
os.execv(sys.executable, [sys.executable, "-c", "import sys; print('held', flush=True); sys.stdin.read()"])
"""


def _holder(data_dir: Path, port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir), str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_a_second_demo_on_the_same_data_dir_is_refused_and_leaves_the_first_alone(tmp_path):
    first_port = _port()
    the_demo = demo_run.prepare(tmp_path / "demo", EXAMPLE, first_port, FixedClock(NOW))
    before = _snapshot(the_demo.path)
    holder = _holder(tmp_path, first_port)  # the running demo, past its hand-over to the coordinator
    env, exe = serve_env(tmp_path)
    env["INCIDENT_NOW"] = incident_now()
    try:
        for lang, said in (
            ("en", f"a demo is already running: http://127.0.0.1:{first_port} (data directory {tmp_path})"),
            ("zh-CN", f"演示已在运行：http://127.0.0.1:{first_port}（数据目录 {tmp_path}）"),
        ):
            run = subprocess.run(
                [str(exe), "--lang", lang, "serve", "--demo", "--port", str(_port()), "--prefect-port", str(_port())],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                cwd=tmp_path,
            )
            out = run.stdout + run.stderr
            assert run.returncode == 1 and said in out, out
            assert "INCIDENT_DATA_DIR" in out and "Traceback" not in out
        assert _snapshot(the_demo.path) == before  # not reset, not touched
        assert not (tmp_path / "prefect").exists() and not (tmp_path / "logs").exists()  # nothing was started
    finally:
        holder.kill()
        holder.wait(10)


def test_the_lock_goes_with_the_process_holding_it(tmp_path):
    holder = _holder(tmp_path, 8110)
    try:
        with pytest.raises(InputError) as err:
            lock.hold(tmp_path, "127.0.0.1", 8111)
        assert err.value.key == "demo.error.running" and err.value.params["url"] == "http://127.0.0.1:8110"
    finally:
        holder.kill()  # no clean-up of its own: the kernel releases the lock
        holder.wait(10)
    fd = lock.hold(tmp_path, "127.0.0.1", 8111)
    try:
        assert (tmp_path / lock.LOCK_NAME).read_text("utf-8") == "http://127.0.0.1:8111\n"
    finally:
        os.close(fd)


def test_statements_and_the_atom_feed_link_to_the_port_the_demo_serves_on(tmp_path, store):
    the_demo = demo_run.prepare(tmp_path / "demo", EXAMPLE, 8110, FixedClock(NOW))
    config = load_config(the_demo.config_path)
    assert config.wording.public_url == "http://127.0.0.1:8110"
    # A statement published under the demo's configuration (on both back-ends through ``store``).
    ctx = Context(config=config, actor="tester", clock=FixedClock(NOW))
    with store.transaction() as s:
        iid = response.declare(s, ctx, kind="system_outage", severity=2, title="APP 登录失败", products=["app"]).id
    approved_sheet(store, ctx, iid)
    with store.transaction() as s:
        n = workflow.draft_statement(s, ctx, iid, kind="holding", channels="sms,status_page").number
        workflow.submit_statement(s, ctx, iid, n)
    with store.transaction() as s:
        workflow.approve_statement(s, as_(ctx, "emily"), iid, n, publish_now=True)
    with store.read() as s:
        rendered = str(s.scalars(select(Statement.rendered)).one())
        feed = ET.fromstring(statuspage.atom(s, config, "en", NOW))
    assert "http://127.0.0.1:8110/status" in rendered and ":8000" not in rendered
    links = [el.get("href") or "" for el in feed.iter(f"{ATOM}link")]
    ids = [el.text or "" for el in feed.iter(f"{ATOM}id")]
    assert len(feed.findall(f"{ATOM}entry")) == 1
    assert links and all(x.startswith("http://127.0.0.1:8110/status") for x in links + ids), links + ids


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ('[wording]\npublic_url = "https://status.example.com"\n', "https://status.example.com"),  # chosen: kept
        ("[wording]\nholding_minutes = 30\n", "http://127.0.0.1:8110"),
        ('[centre]\nname = "x"\n', "http://127.0.0.1:8110"),
        ("", "http://127.0.0.1:8110"),
    ],
)
def test_the_demo_moves_only_the_built_in_public_url_to_its_port(base, expected):
    import tomllib

    changed = tomllib.loads(demo_run._with_public_url(base, 8110))
    assert changed["wording"]["public_url"] == expected


def test_the_start_text_says_how_to_point_the_command_line_at_the_demo(tmp_path):
    the_demo = demo_run.prepare(tmp_path / "demo", EXAMPLE, 8110, FixedClock(NOW))
    where = f"INCIDENT_DATA_DIR={the_demo.path} INCIDENT_CONFIG={the_demo.path / 'incident.toml'}"
    en, zh = "\n".join(the_demo.intro("en")), "\n".join(the_demo.intro("zh-CN"))
    assert f"The command line on the demo's data, from another terminal: {where} ./dev run --as" in en
    assert f"在另一个终端用命令行操作演示数据：{where} ./dev run --as" in zh


def _fake_checkout(tmp_path: Path) -> Path:
    """The ``dev`` script in a checkout whose set-up is done and whose
    ``incident`` prints the arguments it was given, one a line."""
    shutil.copy(ROOT / "dev", tmp_path / "dev")
    (tmp_path / "pyproject.toml").write_text("[project]\n", "utf-8")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, body in (("python", "exit 0"), ("incident", "printf '%s\\n' \"$@\"")):
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n", "utf-8")
        (bin_dir / name).chmod(0o755)
    digest = hashlib.sha1((tmp_path / "pyproject.toml").read_bytes()).hexdigest()[:12]
    (tmp_path / ".venv" / f".installed-{digest}").touch()
    return tmp_path / "dev"


@pytest.mark.parametrize(
    ("args", "incident_args"),
    [
        ([], ["serve", "--demo"]),
        (["--port", "8110"], ["serve", "--demo", "--port", "8110"]),
        (
            ["--lang", "en", "--port=8110", "--prefect-port", "4300"],
            ["--lang", "en", "serve", "--demo", "--port=8110", "--prefect-port", "4300"],
        ),
        (["--lang", "en", "--help"], ["--lang", "en", "--help"]),
        (["show", "1"], ["show", "1"]),
        (["--version"], ["--version"]),
        (["serve", "--port", "8110"], ["serve", "--port", "8110"]),
    ],
)
def test_dev_run_passes_serves_options_to_the_demo_and_the_rest_to_the_cli(tmp_path, args, incident_args):
    dev = _fake_checkout(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    run = subprocess.run(["bash", str(dev), "run", *args], env=env, capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == incident_args
