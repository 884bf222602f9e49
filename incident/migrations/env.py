"""Alembic environment: the engine comes from the caller (``incident.db``)
or, for ``alembic`` on the command line, from ``INCIDENT_DATABASE_URL``."""

from __future__ import annotations

from alembic import context

import incident.models  # noqa: F401  (registers the tables on Base.metadata)
from incident.db import Base, make_engine

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    from incident.config import Settings
    from incident.db import default_url

    settings = Settings()
    engine = make_engine(settings.database_url or default_url(settings.data_dir))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    # SQLAlchemy 2 connections autobegin; make the migration stick.
    connection.commit()
