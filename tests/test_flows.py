"""The escalation flow, run by Prefect's real engine (ephemeral local API)."""

import datetime as dt
import os

import pytest

from incident import incidents
from incident.context import Context
from incident.db import Store


@pytest.fixture(autouse=True)
def prefect_home(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.setenv("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true")
    # A fresh Prefect home migrates its own database on start; on a 2-core
    # machine that takes longer than the 20 s default.
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)


def test_flow_escalates_overdue_roles(db_url, config, monkeypatch, capfd):
    from conftest import EXAMPLE

    monkeypatch.setenv("INCIDENT_DATABASE_URL", db_url)
    monkeypatch.setenv("INCIDENT_CONFIG", str(EXAMPLE))
    store = Store(db_url)
    # Declared 20 minutes ago (SEV2: 10 minutes to acknowledge).
    from incident.timeutil import FixedClock

    past = FixedClock(dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=20))
    with store.transaction() as s:
        iid = incidents.declare(s, Context(config, "tester", past), kind="system_outage", severity=2, title="x").id

    from flows.escalation import escalate_unacknowledged

    assert escalate_unacknowledged() == 5
    assert escalate_unacknowledged() == 0  # idempotent
    with store.transaction() as s:
        assert sum(e.type == "escalated" for e in incidents.get(s, iid).events) == 5
    assert "升级" in capfd.readouterr().err  # supervisors notified on the console
    store.dispose()
