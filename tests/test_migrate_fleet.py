"""A fleet starting at once on an empty database: one process migrates, the
others wait for it and find the schema at head, none fails (issue 18.5).

Four real processes, on SQLite (an empty file) and on PostgreSQL (a fresh,
empty schema, from conftest's ``db_url``): two open a Store, as every worker
and flow run does on first use, and two run ``incident db upgrade``. They
import everything first, say they are ready, and wait for a "go" file, so the
four migrations really start together; nothing asserts on timing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import EXAMPLE, ROOT
from sqlalchemy import create_engine, text

from incident.db import SCHEMA_HEAD, Store, Upgrade, migration_lock_key, normalise_url, upgrade

# Runs in each child. argv: ready-file, go-file, database URL, "store" | "cli".
CHILD = r"""
import sys, time
from pathlib import Path

from incident.cli.app import main

ready, go, url, how = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
ready.touch()
deadline = time.monotonic() + 300
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("never got the go")
    time.sleep(0.005)
if how == "store":
    from incident.db import ensure_migrated, make_engine

    result = ensure_migrated(make_engine(url))
    print("store: upgraded" if result is not None and result.changed else "store: found at head")
else:
    main(["--lang", "en", "--db", url, "db", "upgrade"])
"""

ROLES = ["store", "cli", "store", "cli"]


def _start_fleet(db_url: str, tmp_path: Path) -> list[subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(INCIDENT_CONFIG=str(EXAMPLE), INCIDENT_ACTOR="fleet", INCIDENT_DATA_DIR=str(tmp_path / "data"))
    go = tmp_path / "go"
    readies = [tmp_path / f"ready-{i}" for i in range(len(ROLES))]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(ready), str(go), db_url, how],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for ready, how in zip(readies, ROLES, strict=True)
    ]
    try:
        deadline = time.monotonic() + 240  # four cold imports on a busy 2-core machine
        while not all(r.exists() for r in readies):
            assert time.monotonic() < deadline, "children did not get ready"
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs if p.poll() is not None]
            time.sleep(0.01)
        go.touch()
        results = []
        for p, how in zip(procs, ROLES, strict=True):
            out, err = p.communicate(timeout=300)
            results.append(subprocess.CompletedProcess([how], p.returncode, out, err))
        return results
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def _version_rows(db_url: str) -> list[str]:
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()


def test_four_processes_on_an_empty_database_migrate_once(db_url, tmp_path):
    results = _start_fleet(db_url, tmp_path)

    for r in results:
        assert r.returncode == 0, f"{r.args[0]} failed:\n{r.stderr}{r.stdout}"
        # Waiting for another's migration is silent: no warning, no traceback.
        assert r.stderr.strip() == "", r.stderr
    outputs = [r.stdout for r in results]
    upgraded = [o for o in outputs if "store: upgraded" in o or "Upgraded the database schema" in o]
    at_head = [o for o in outputs if "store: found at head" in o or "already at the latest" in o]
    assert len(upgraded) == 1, outputs
    assert len(at_head) == 3, outputs
    if "Upgraded" in upgraded[0]:
        assert f"from — to {SCHEMA_HEAD}" in upgraded[0]
    assert _version_rows(db_url) == [SCHEMA_HEAD]


def test_the_lock_key_is_stable_and_per_schema():
    # Every process must compute the same key (no per-process hash salt).
    assert migration_lock_key("public") == migration_lock_key("public")
    assert migration_lock_key("public") != migration_lock_key("t_other")
    assert -(2**63) <= migration_lock_key("public") < 2**63


def test_the_lock_is_released_after_an_upgrade(db_url):
    """A session-level lock outlives the transaction: returned to the pool
    still held, it would stall the next deployment's migration forever."""
    store = Store(db_url)
    try:
        # (SQLite's write lock ends with the transaction; nothing to check.)
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect() as conn:
                key = migration_lock_key(conn.execute(text("SELECT current_schema()")).scalar())
            other = create_engine(normalise_url(db_url))
            try:
                with other.connect() as conn:
                    assert conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            finally:
                other.dispose()
        # Taken again, found at head: nothing to do.
        assert upgrade(store.engine) == Upgrade(SCHEMA_HEAD, SCHEMA_HEAD)
    finally:
        store.dispose()
