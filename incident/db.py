"""Engine, sessions and migrations.

SQLite (the zero-set-up default, a file under ``INCIDENT_DATA_DIR``) or any
SQLAlchemy URL (PostgreSQL for scale). Migrations are Alembic's, applied on
first use and by ``incident db upgrade``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

UTC = dt.timezone.utc
MIGRATIONS = Path(__file__).with_name("migrations")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no zone-aware type; storing naive UTC and re-attaching the
    zone on read keeps comparisons and ordering right on both backends."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must carry a zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


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
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # Store.read() transactions only read: a deferred BEGIN lets them run
        # alongside each other and alongside the one writer (WAL).
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("incident_readonly") else "BEGIN IMMEDIATE")


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


# The newest migration's revision. tests/test_migrations.py checks it is
# Alembic's own head of incident/migrations, so a new migration without this
# bump fails the tests. Knowing it here lets every process (the web app, each
# flow run) see "up to date" with one query instead of importing Alembic and
# reading every migration script: ~10 MB and 0.1 s per process.
SCHEMA_HEAD = "0006"


def stored_revision(conn: Connection) -> str | None:
    """The revision recorded in the database (None: never migrated)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return stored_revision(conn)


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def ensure_migrated(engine: Engine) -> None:
    """Apply pending migrations on first use (once per engine URL and process)."""
    key = engine.url.render_as_string(hide_password=False)
    if key in _migrated:
        return
    with _migrate_lock:
        if key in _migrated:
            return
        if current_revision(engine) != SCHEMA_HEAD:
            upgrade(engine)
        _migrated.add(key)


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
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    if session.get_bind().dialect.name == "postgresql":
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
