"""The escalation flow, run by Prefect's real engine (ephemeral local API)
in its own process, as a worker would run it."""

import datetime as dt
import os
import subprocess
import sys

from conftest import EXAMPLE, NOW, ROOT, incident_now

from incident import incidents, response
from incident.context import Context
from incident.db import Store
from incident.timeutil import FixedClock

SCRIPT = """
from incident_flows.escalation import escalate_unacknowledged
print("RESULT", escalate_unacknowledged(), escalate_unacknowledged())
"""


def test_flow_escalates_overdue_roles_once(db_url, config, tmp_path):
    store = Store(db_url)
    # Declared 20 minutes ago (SEV2: 10 minutes to acknowledge).
    past = FixedClock(NOW - dt.timedelta(minutes=20))
    with store.transaction() as s:
        iid = response.declare(s, Context(config, "tester", past), kind="system_outage", severity=2, title="x").id

    env = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "PREFECT_"))}
    env.update(
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_NOW=incident_now(),  # the flow's "now": NOW, then real time passing
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_ALLOW_EPHEMERAL_MODE="true",
        # A fresh Prefect home migrates its own database on start; on a
        # 2-core machine that can take longer than the 20 s default.
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
    )
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = [line for line in proc.stdout.splitlines() if line.startswith("RESULT")]
    assert result == ["RESULT 5 0"], proc.stdout[-2000:]  # five roles escalated, then none: idempotent
    assert "升级" in proc.stderr  # supervisors notified on the console
    with store.transaction() as s:
        assert sum(e.type == "escalated" for e in incidents.get(s, iid).events) == 5
    store.dispose()
