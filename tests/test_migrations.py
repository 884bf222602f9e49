"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from incident.db import SCHEMA_HEAD, Base, current_revision, head_revision


def test_models_match_migrations(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert current_revision(store.engine) == head_revision(store.engine)


def test_the_schema_head_named_in_code_is_alembics_head(store):
    """Processes check "migrated?" against db.SCHEMA_HEAD without loading
    Alembic: a new migration must move it too."""
    assert SCHEMA_HEAD == head_revision(store.engine)
