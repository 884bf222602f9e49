"""Engine, sessions and migrations.

SQLite (the zero-set-up default, a file under ``INCIDENT_DATA_DIR``) or any
SQLAlchemy URL (PostgreSQL for scale). Migrations are Alembic's, applied on
first use and by ``incident db upgrade``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, Connection, DateTime, Dialect, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from incident.errors import ConflictError
from incident.resources import on_disk

if TYPE_CHECKING:
    from alembic.config import Config

UTC = dt.timezone.utc
# Alembic wants a directory of scripts on disk.
MIGRATIONS = on_disk("incident", "migrations")


# JSON columns: JSONB on PostgreSQL. Here, beside Base, so every models module
# imports it from one place without importing incident.models (a circle).
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no zone-aware type; storing naive UTC and re-attaching the
    zone on read keeps comparisons and ordering right on both backends."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must carry a zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    if TYPE_CHECKING:
        # Every model maps a Table (no joins or subqueries), so that
        # Model.__table__ types as one for Core inserts and updates.
        __table__: ClassVar[Table]


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'incident.db').resolve()}"


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` (what people paste from their
    provider) mean the psycopg 3 driver we ship, not psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _sqlite_pragmas(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN until the first write,
    # so two processes could both read a stale row and then write. We take
    # over: every transaction starts with BEGIN IMMEDIATE, which serialises
    # writers up front (WAL still lets readers run alongside).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Store.read() transactions only read: a deferred BEGIN lets them run
        # alongside each other and alongside the one writer (WAL).
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("incident_readonly") else "BEGIN IMMEDIATE")


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # noqa: PLC0415 — Alembic (~10 MB) only in processes that migrate

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@dataclass(frozen=True)
class Upgrade:
    """What one upgrade did: the revision it found once it held the
    migration lock, and the one it left. A process that waited for another's
    migration finds the schema already at head: ``changed`` is False."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def known_revisions() -> frozenset[str]:
    """Every revision this code's migrations know ("0001" … SCHEMA_HEAD),
    from the file names alone (no Alembic import)."""
    return frozenset(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("0*.py"))


def refuse_newer_schema(revision: str | None) -> None:
    """A database already migrated by a newer release: say so, naming both
    revisions, instead of Alembic's "Can't locate revision" traceback (an old
    worker left running after an upgrade of the fleet)."""
    if revision is not None and revision not in known_revisions():
        raise ConflictError("error.schema_newer", revision=revision, head=SCHEMA_HEAD)


def upgrade(engine: Engine, revision: str = "head") -> Upgrade:
    """Migrate to ``revision``, serialised with every other process doing the
    same on this database (see :func:`migration_lock`; migrations/env.py takes
    it and records the revisions before and after, read under the lock)."""
    from alembic import command  # noqa: PLC0415 — Alembic (~10 MB) only in processes that migrate

    refuse_newer_schema(current_revision(engine))
    cfg = alembic_config(engine)
    command.upgrade(cfg, revision)
    return Upgrade(cfg.attributes.get("revision_before"), cfg.attributes.get("revision_after"))


# Check-and-upgrade must be one critical section across processes: a fleet
# of workers starting together on an empty database would otherwise all see
# "no schema" and all run CREATE TABLE (issue 18.5).
#
# PostgreSQL: a session-level advisory lock on the migrating connection,
# taken before Alembic reads alembic_version and released after the commit.
# Session-level rather than pg_advisory_xact_lock because a migration may
# have to commit part-way (autocommit_block for CREATE INDEX CONCURRENTLY),
# which would drop a transaction-level lock mid-migration; and if the process
# dies, its connection closes and the server frees the lock.
#
# The key is a hash of this namespace plus current_schema(). Alembic
# creates its tables and alembic_version in current_schema(), so two schemas
# are two independent schemas-with-migrations: deployments sharing a database
# under different search_paths, or the tests (conftest gives each its own
# schema), need not queue behind each other. Processes of one deployment
# share the search_path, hence the key. blake2b (not hash(), which is salted
# per process) so that every process computes the same key; 64 bits so that
# a collision with another application's advisory lock is negligible (and a
# collision would only make one wait, never break anything).
#
# SQLite: migrations/env.py runs the whole upgrade as one transaction, and
# every transaction here starts with BEGIN IMMEDIATE (_sqlite_pragmas): the
# first process takes the write lock before it reads alembic_version, the
# others wait on it (busy_timeout, 30 s) and then read the head it committed.
MIGRATION_LOCK_NAMESPACE = "incident-coordinator/schema-migration"


def migration_lock_key(schema: str) -> int:
    """The PostgreSQL advisory-lock key (signed 64-bit) for ``schema``."""
    digest = hashlib.blake2b(f"{MIGRATION_LOCK_NAMESPACE}:{schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextlib.contextmanager
def migration_lock(conn: Connection) -> Iterator[None]:
    """Hold the migration lock on ``conn`` (PostgreSQL; a no-op elsewhere,
    see above). Waiting for it is silent: the holder is migrating, and once
    it commits the waiter finds the schema at head."""
    if conn.dialect.name != "postgresql":
        yield
        return
    key = migration_lock_key(conn.execute(text("SELECT current_schema()")).scalar() or "")
    conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
    conn.commit()  # the lock is the session's; end the transaction that took it
    try:
        yield
    finally:
        try:
            if conn.in_transaction():
                conn.rollback()  # a failed migration leaves its transaction aborted
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            conn.commit()
        except SQLAlchemyError:
            # The connection is unusable (often the very error being raised):
            # drop it rather than return it to the pool; closing the server
            # session frees the lock.
            conn.invalidate()


# The newest migration's revision. tests/test_migrations.py checks it is
# Alembic's own head of incident/migrations, so a new migration without this
# bump fails the tests. Knowing it here lets every process (the web app, each
# flow run) see "up to date" with one query instead of importing Alembic and
# reading every migration script: ~10 MB and 0.1 s per process.
SCHEMA_HEAD = "0019"


def stored_revision(conn: Connection) -> str | None:
    """The revision recorded in the database (None: never migrated)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return stored_revision(conn)


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory  # noqa: PLC0415 — Alembic only where asked for

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


_migrated: set[str] = set()
_migrate_lock = threading.Lock()
log = logging.getLogger(__name__)


def ensure_migrated(engine: Engine) -> Upgrade | None:
    """Apply pending migrations on first use (once per engine URL and process).

    Safe for many processes starting together (see :func:`migration_lock`):
    one migrates and logs it; the others wait, find the schema at head and
    say nothing. Returns the upgrade when one was attempted, else None."""
    key = engine.url.render_as_string(hide_password=False)
    if key in _migrated:
        return None
    with _migrate_lock:
        if key in _migrated:
            return None
        done = None
        # The unlocked read is the fast path of every process on a current
        # schema; only a stale one takes the lock, and re-reads under it.
        found = current_revision(engine)
        refuse_newer_schema(found)
        if found != SCHEMA_HEAD:
            done = upgrade(engine)
            if done.changed:
                log.info("database schema upgraded from %s to %s", done.before or "—", done.after)
        _migrated.add(key)
        return done


class Store:
    """An engine plus its session factory; one per process and database."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            ensure_migrated(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(self.engine.execution_options(incident_readonly=True), expire_on_commit=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads (pages, lookups): on SQLite it does
        not queue behind writers. Writing in it is a bug; on SQLite the
        write would simply take the lock late."""
        with self._readers() as session, session.begin():
            yield session

    def session(self) -> Session:
        return self._sessions()

    def tables(self) -> list[str]:
        return inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()


def insert_for(session: Session, model: Any) -> Any:
    """``INSERT`` with the backend's ``ON CONFLICT`` support (SQLite and
    PostgreSQL spell it the same through SQLAlchemy's dialect inserts)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert  # noqa: PLC0415 — lazy: ~2 MB, on PostgreSQL only

        return pg_insert(model)
    return sqlite_insert(model)


def insert_new(session: Session, table: Any, rows: list[dict[str, Any]], key: str) -> list[Any]:
    """Insert ``rows``, skipping those whose unique ``key`` is already
    stored; return the keys actually inserted. RETURNING is the one count
    both backends get right (psycopg's executemany rowcount is not)."""
    if not rows:
        return []
    stmt = insert_for(session, table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
    return list(session.connection().execute(stmt, rows).scalars())
