"""Alembic environment: the engine comes from the caller (``incident.db``)
or, for ``alembic`` on the command line, from ``INCIDENT_DATABASE_URL``."""

from __future__ import annotations

from alembic import context

import incident.models  # noqa: F401  (registers the tables on Base.metadata)
import incident.models_knowledge  # noqa: F401  (the knowledge base)
import incident.models_people  # noqa: F401  (acknowledge links)
import incident.models_review  # noqa: F401  (reviews and follow-up actions)
import incident.models_status  # noqa: F401  (the status page's tables)
from incident.db import Base, make_engine, migration_lock

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    from incident.config import Settings
    from incident.db import default_url

    settings = Settings()
    engine = make_engine(settings.database_url or default_url(settings.data_dir))

# Many processes may upgrade at once (a fleet starting on an empty
# database): the lock makes check-and-upgrade one critical section, and
# Alembic reads alembic_version only inside it, so the processes that waited
# find the schema at head and do nothing (incident.db.migration_lock).
with engine.connect() as connection, migration_lock(connection):
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        # Alembic would give SQLite one transaction per migration, letting
        # another process in between two of them with a stale idea of the
        # head. One transaction for the lot (SQLite's DDL is transactional)
        # starts with BEGIN IMMEDIATE and holds the write lock throughout.
        transactional_ddl=True if sqlite else None,
        compare_type=True,
    )
    with context.begin_transaction():
        migration = context.get_context()
        config.attributes["revision_before"] = migration.get_current_revision()
        context.run_migrations()
        config.attributes["revision_after"] = migration.get_current_revision()
    # SQLAlchemy 2 connections autobegin; make the migration stick.
    connection.commit()
