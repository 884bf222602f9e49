"""The migrations build exactly the schema the models describe."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from incident import db
from incident.db import (
    SCHEMA_HEAD,
    Base,
    Store,
    alembic_config,
    current_revision,
    ensure_migrated,
    head_revision,
    known_revisions,
    make_engine,
    upgrade,
)
from incident.errors import ConflictError
from incident.models import AffectedCustomer, Compensation
from incident.remedy import ledger


def downgrade(engine, revision):
    command.downgrade(alembic_config(engine), revision)


def test_a_schema_newer_than_the_code_is_refused_by_name(store, db_url, monkeypatch):
    """An old worker left running after the fleet was upgraded: a clear
    refusal naming both revisions, not Alembic's "Can't locate revision"."""
    assert known_revisions() >= {"0001", SCHEMA_HEAD}
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    monkeypatch.setattr(db, "_migrated", set())  # as in a new process: nothing remembered as migrated
    engine = make_engine(db_url)
    try:
        for attempt in (lambda: ensure_migrated(engine), lambda: upgrade(engine)):
            with pytest.raises(ConflictError) as err:
                attempt()
            assert "0099" in err.value.message("en") and SCHEMA_HEAD in err.value.message("en")
            assert "0099" in err.value.message("zh-CN")
    finally:
        engine.dispose()
    assert current_revision(store.engine) == "0099"  # nothing was touched


def test_models_match_migrations(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert current_revision(store.engine) == head_revision(store.engine)


def test_the_schema_head_named_in_code_is_alembics_head(store):
    """Processes check "migrated?" against db.SCHEMA_HEAD without loading
    Alembic: a new migration must move it too."""
    assert SCHEMA_HEAD == head_revision(store.engine)


def _incident_at_0006(engine, ctx):
    """An incident row as the 0006 schema holds it, written without the
    ORM (whose models are the head's, with columns 0006 does not have)."""
    now = ctx.clock.now()
    incidents_t = sa.table(
        "incidents",
        *(sa.column(c) for c in ("id", "kind", "severity", "status", "title", "declared_by")),
        *(sa.column(c, sa.JSON()) for c in ("scope_channels", "scope_regions", "scope_products")),
        *(sa.column(c, sa.DateTime()) for c in ("declared_at", "updated_at")),
    )
    with engine.begin() as conn:
        return conn.execute(
            incidents_t.insert()
            .values(
                kind="system_outage",
                severity=2,
                status="investigating",
                title="APP 登录失败",
                declared_by="tester",
                scope_channels=[],
                scope_regions=[],
                scope_products=[],
                declared_at=now,
                updated_at=now,
            )
            .returning(incidents_t.c.id)
        ).scalar_one()


def test_0007_converts_float_money_to_exact_cents(db_url, ctx):
    """Rows written as binary floats under 0006 come out of 0007 as the
    cents they were meant to be: 0.1 + 0.2 (0.30000000000000004) → 0.30,
    a stored 1.005 (1.00499999999999989…) → 1.01 half up, 2.675 → 2.68."""
    store = Store(db_url, migrate=False)
    try:
        upgrade(store.engine, "0006")
        iid = _incident_at_0006(store.engine, ctx)
        customers_t = sa.table(
            "affected_customers",
            sa.column("id", sa.Integer()),
            sa.column("incident_id", sa.Integer()),
            sa.column("customer_ref", sa.String()),
            sa.column("lang", sa.String()),
            sa.column("complex", sa.Boolean()),
            sa.column("source", sa.String()),
            sa.column("added_by", sa.String()),
            sa.column("added_at", sa.DateTime(timezone=True)),
            sa.column("amount_at_stake", sa.Float()),
            sa.column("declared_value", sa.Float()),
        )
        comp_t = sa.table(
            "compensations",
            sa.column("incident_id", sa.Integer()),
            sa.column("customer_id", sa.Integer()),
            sa.column("form", sa.String()),
            sa.column("amount", sa.Float()),
            sa.column("unit", sa.String()),
            sa.column("status", sa.String()),
            sa.column("needs_approval", sa.Boolean()),
            sa.column("idempotency_key", sa.String()),
            sa.column("proposed_by", sa.String()),
            sa.column("proposed_at", sa.DateTime(timezone=True)),
            sa.column("attempts", sa.Integer()),
        )
        at = ctx.clock.now()
        stake = {"A": 0.1 + 0.2, "B": 1.005, "C": 2.675, "D": None, "E": 1234.5}
        declared = {"A": None, "B": 19.99 * 3, "C": None, "D": 10000.0, "E": 0.07 * 3}
        amounts = {"A": 0.7 + 0.1, "B": 1.005, "C": 100.0, "D": 0.1 * 3, "E": 5000.0}
        assert stake["A"] != 0.3 and amounts["A"] != 0.8  # the float rows really are off
        with store.engine.begin() as conn:
            ids = {}
            for ref in stake:
                ids[ref] = conn.execute(
                    customers_t.insert()
                    .values(
                        incident_id=iid,
                        customer_ref=ref,
                        lang="zh-CN",
                        complex=False,
                        source="manual",
                        added_by="tester",
                        added_at=at,
                        amount_at_stake=stake[ref],
                        declared_value=declared[ref],
                    )
                    .returning(customers_t.c.id)
                ).scalar_one()
                conn.execute(
                    comp_t.insert().values(
                        incident_id=iid,
                        customer_id=ids[ref],
                        form="coupon",
                        amount=amounts[ref],
                        unit="yuan",
                        status="approved",
                        needs_approval=False,
                        idempotency_key=f"INC-{iid}/{ref}/coupon",
                        proposed_by="tester",
                        proposed_at=at,
                        attempts=0,
                    )
                )
        upgrade(store.engine, "0007")  # 0007 itself: later migrations have their own tests
        assert current_revision(store.engine) == "0007"
        with store.read() as s:
            got = {
                c.customer_ref: (c.amount_at_stake, c.declared_value, e.amount)
                for e, c in s.execute(
                    sa.select(Compensation, AffectedCustomer).join(
                        AffectedCustomer, AffectedCustomer.id == Compensation.customer_id
                    )
                ).tuples()
            }
            total = ledger.totals(s, iid)["money_committed"]
        D = Decimal
        assert got == {
            "A": (D("0.30"), None, D("0.80")),
            "B": (D("1.01"), D("59.97"), D("1.01")),
            "C": (D("2.68"), None, D("100.00")),
            "D": (None, D("10000.00"), D("0.30")),
            "E": (D("1234.50"), D("0.21"), D("5000.00")),
        }
        assert all(
            isinstance(v, Decimal) and str(v) == f"{v:.2f}" for row in got.values() for v in row if v is not None
        )
        assert total == D("5102.11")
        # What is stored is the exact amount (PostgreSQL: numeric; SQLite: the double nearest the cents).
        with store.engine.connect() as conn:
            raw = conn.execute(sa.text("SELECT amount FROM compensations ORDER BY id")).scalars().all()
        if store.engine.dialect.name == "postgresql":
            assert raw == [D("0.80"), D("1.01"), D("100.00"), D("0.30"), D("5000.00")]
        else:
            assert [float(v) for v in raw] == [0.8, 1.01, 100.0, 0.3, 5000.0]
        # And back: 0006's floats, then 0007 again, leaves the same cents.
        downgrade(store.engine, "0006")
        upgrade(store.engine)
        with store.read() as s:
            assert ledger.totals(s, iid)["money_committed"] == D("5102.11")
    finally:
        store.dispose()
