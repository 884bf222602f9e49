"""Shared fixtures: a fresh, migrated database per test on SQLite always and
on PostgreSQL when INCIDENT_TEST_DATABASE_URL is set (each test gets its own
schema there, so runs never see each other's rows)."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from incident.config import load_config
from incident.context import Context
from incident.db import Store, normalise_url
from incident.timeutil import FixedClock

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "incident.toml"
PG_URL = os.environ.get("INCIDENT_TEST_DATABASE_URL")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

# The tests' "now": Tuesday 2026-11-24 10:00 in Shanghai, a week in which the
# example rotation (examples/incident.toml) has zhangwei on call. Nothing a
# test checks may depend on the real date, hour or the machine's time zone
# (.ci/run runs the date-sensitive tests again with the clock shifted).
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.timezone.utc)


def incident_now(at: dt.datetime = NOW) -> str:
    """``INCIDENT_NOW`` for processes a test starts: ``at`` now, pinned to
    this real moment, so that every process started with it shares one
    clock that advances with real time."""
    return f"{at.astimezone(dt.timezone.utc).isoformat()}@{time.time()!r}"


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'incident.db'}"
        return
    base = normalise_url(PG_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def store(db_url):
    s = Store(db_url)
    yield s
    s.dispose()


@pytest.fixture
def config():
    return load_config(EXAMPLE)


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def ctx(config, clock):
    return Context(config=config, actor="tester", clock=clock)


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium for the browser tests (skips, saying why, without it)."""
    from tests.browser import launch

    yield from launch()


# -- markers ------------------------------------------------------------------
# Given from what a test uses, so a new test is marked without anyone
# remembering to: ``./dev test -m "not slow"`` is the quick run while working,
# ``-m browser`` / ``-m server`` / ``-m postgres`` pick those kinds alone.
SERVER_HELPERS = ("LiveServer", "FeedServer", "ProviderServer", "SlackServer", "subprocess", "smtp_server")
# Modules whose tests take tens of seconds each: the wheel built and installed,
# `incident serve` and the demo started, Prefect flows and workers run, kill -9
# runs, the detection corpora scored (measured with --durations on the full suite).
SLOW_MODULES = {
    "test_wheel",
    "test_demo",
    "test_demo_lock",
    "test_serve",
    "test_scaleout",
    "test_flows",
    "test_watch_flows",
    "test_remedy_runs",
    "test_migrate_fleet",
    "test_browser",
    "test_backtest",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("db_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        if item.module is not None and any(name in vars(item.module) for name in SERVER_HELPERS):
            item.add_marker(pytest.mark.server)
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
