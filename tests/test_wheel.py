"""Issue 18 point 2: the package runs once installed, with nothing of the
checkout. The wheel is built from a copy of the sources, installed into a
fresh venv in a temporary directory, and ``incident serve --demo`` runs
from an empty directory until the web app answers.

The fresh venv sees the dev venv's dependencies through a ``.pth`` line
(no index needed), but not its editable install of this project: ``.pth``
files inside a directory named by a ``.pth`` line are not processed, so
the editable finder is never loaded there; the test checks that
``incident`` is imported from the fresh venv."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from incident import __version__
from tests.test_serve import _port

ROOT = Path(__file__).resolve().parents[1]
# What the build reads: anything else of the checkout stays out of reach.
SOURCES = ("pyproject.toml", "README.md", "incident", "flows", "templates")


@dataclass
class Installed:
    wheel: Path
    venv: Path
    site: Path
    empty: Path  # an empty working directory
    tmp: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def env(self) -> dict[str, str]:
        """Nothing of the caller's INCIDENT_/PREFECT_ settings, no PYTHONPATH."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "PREFECT_", "PYTHON"))}
        env.update(
            INCIDENT_DATA_DIR=str(self.tmp / "data"),
            PREFECT_HOME=str(self.tmp / "prefect"),
            PREFECT_LOGGING_LEVEL="WARNING",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
        )
        return env

    def run(self, argv: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, cwd=self.empty, env=self.env(), capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("wheel")
    src, dist, venv, empty = tmp / "src", tmp / "dist", tmp / "venv", tmp / "empty"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=ignore)
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    # No build isolation and no index: setuptools and wheel come from the
    # dev venv (the dev extras), as in ./dev's set-up.
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "-w",
            str(dist),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "SetuptoolsDeprecationWarning" not in built.stdout + built.stderr
    (wheel,) = dist.glob("incident_coordinator-*.whl")

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    # Installed before the .pth below exists, so that pip sees only the fresh
    # venv (with the dev venv on its path it would find the editable install
    # of the same name and try to replace it).
    got = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert got.returncode == 0, got.stdout + got.stderr
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", where], capture_output=True, text=True, check=True, timeout=60
        ).stdout.strip()
    )
    (site / "zz-dev-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", "utf-8")
    empty.mkdir()
    return Installed(wheel=wheel, venv=venv, site=site, empty=empty, tmp=tmp)


def _repo_files(top: str, pattern: str) -> set[str]:
    return {p.relative_to(ROOT / top).as_posix() for p in (ROOT / top).rglob(pattern) if "__pycache__" not in p.parts}


def test_the_wheel_carries_everything_it_runs_on(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as z:
        names = set(z.namelist())
        meta = z.read(f"incident_coordinator-{__version__}.dist-info/METADATA").decode()
        top_level = z.read(f"incident_coordinator-{__version__}.dist-info/top_level.txt").decode().split()
    # Ours, not a bare "flows" (nor "templates") in site-packages.
    assert sorted(top_level) == ["incident", "incident_flows"]
    assert not any(n.startswith(("flows/", "templates/")) for n in names)
    # Every module, template, static file, migration and data file.
    assert {f"incident/{p}" for p in _repo_files("incident", "*.py")} <= names
    assert {f"incident_flows/{p}" for p in _repo_files("flows", "*.py")} <= names
    assert {f"incident/templates/{p}" for p in _repo_files("templates", "*.j2")} <= names
    assert {f"incident/web/static/{p}" for p in _repo_files("incident/web/static", "*")} <= names
    assert {f"incident/data/{p}" for p in _repo_files("incident/data", "*.toml")} <= names
    assert {
        "incident/migrations/env.py",
        "incident/migrations/script.py.mako",
        "incident/py.typed",
        "incident_flows/py.typed",
    } <= names
    assert {f"incident/migrations/versions/{p}" for p in _repo_files("incident/migrations/versions", "*.py")} <= names
    assert f"Version: {__version__}\n" in meta and "License-Expression: LicenseRef-Proprietary\n" in meta


def test_the_installed_package_is_the_one_imported(installed: Installed) -> None:
    probe = installed.run(
        [
            str(installed.python),
            "-c",
            (
                "import importlib.metadata, importlib.util, incident, incident_flows, incident.templates\n"
                "from incident.wording.templates import TEMPLATES_DIR\n"
                "from incident.db import MIGRATIONS\n"
                "print(incident.__file__, incident_flows.__file__, TEMPLATES_DIR, MIGRATIONS, sep='\\n')\n"
                "print(importlib.metadata.version('incident-coordinator'), importlib.util.find_spec('flows'))\n"
            ),
        ]
    )
    assert probe.returncode == 0, probe.stderr
    *paths, last = probe.stdout.splitlines()
    assert all(Path(p).is_relative_to(installed.site) for p in paths), (paths, installed.site)
    assert last == f"{__version__} None"  # the one version; no top-level "flows"


def test_the_installed_command_runs_from_an_empty_directory(installed: Installed) -> None:
    for argv in (
        [str(installed.venv / "bin" / "incident"), "--lang", "en", "--help"],
        [str(installed.python), "-m", "incident", "--lang", "en", "--help"],
    ):
        out = installed.run(argv)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "serve" in out.stdout and "declare" in out.stdout
    version = installed.run([str(installed.venv / "bin" / "incident"), "--version"])
    assert version.returncode == 0 and version.stdout.strip() == f"incident-coordinator {__version__}"
    assert list(installed.empty.iterdir()) == []


def test_installed_serve_demo_answers_from_an_empty_directory(installed: Installed) -> None:
    web, prefect = _port(), _port()
    base = f"http://127.0.0.1:{web}"
    proc = subprocess.Popen(
        [
            str(installed.venv / "bin" / "incident"),
            "--lang",
            "en",
            "serve",
            "--demo",
            "--port",
            str(web),
            "--prefect-port",
            str(prefect),
        ],
        cwd=installed.empty,
        env=installed.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    answered: dict[str, int] = {}
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                answered = {
                    path: httpx.get(base + path, timeout=5).status_code
                    for path in ("/healthz", "/status", "/login", "/static/app.css")
                }
            except httpx.HTTPError:
                answered = {}
            if answered and all(code == 200 for code in answered.values()) and any("ready in" in x for x in lines):
                break
            time.sleep(1)
        log = installed.tmp / "data" / "demo" / "logs" / "serve.log"
        tail = log.read_text("utf-8", "replace")[-3000:] if log.exists() else ""
        assert proc.poll() is None, "".join(lines) + tail
        assert answered == {"/healthz": 200, "/status": 200, "/login": 200, "/static/app.css": 200}, (
            answered,
            "".join(lines),
            tail,
        )
        assert any("ready in" in x for x in lines), "".join(lines) + tail
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
        reader.join(10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == 0, "".join(lines)
    assert "stopped." in "".join(lines)
    assert list(installed.empty.iterdir()) == []  # nothing written where it was started
