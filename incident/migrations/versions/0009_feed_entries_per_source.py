"""feed entries per source, linked by story; last body hash per source

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

An entry's key was global (sha256 of its guid, else link, else title and
date), so the same guid in two sources was one row whose text flipped
with every poll of either source. The key is now scoped by source:

    entry_key = sha256(source + "\\x1f" + story_key)   (hex)
    story_key = the old global key (the entry's own identity)

Existing rows keep their data: ``story_key`` takes the old ``entry_key``
and ``entry_key`` is recomputed from the stored ``source`` (in Python:
SQLite has no sha256), so the next poll of each source finds its rows.
``story_key`` is indexed: it links the same story across sources.

``feed_sources.body_hash`` remembers the last body stored, so that a
server without ETag/Last-Modified sending the same bytes is not parsed
and stored again.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 1000

entries = sa.table(
    "feed_entries",
    sa.column("id", sa.Integer()),
    sa.column("entry_key", sa.String()),
    sa.column("story_key", sa.String()),
    sa.column("source", sa.String()),
)


def scoped(source: str, story_key: str) -> str:
    # Same definition as incident.watch.feeds.scoped_key (a migration must
    # not import application code that may change after it).
    return hashlib.sha256(f"{source}\x1f{story_key}".encode()).hexdigest()


def upgrade() -> None:
    op.add_column("feed_sources", sa.Column("body_hash", sa.String(length=64), nullable=True))
    op.add_column("feed_entries", sa.Column("story_key", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(entries.c.id, entries.c.entry_key, entries.c.source)
            .where(entries.c.id > last)
            .order_by(entries.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            entries.update()
            .where(entries.c.id == sa.bindparam("row_id"))
            .values(story_key=sa.bindparam("story"), entry_key=sa.bindparam("scoped")),
            [{"row_id": r.id, "story": r.entry_key, "scoped": scoped(r.source, r.entry_key)} for r in rows],
        )
        last = rows[-1].id
    with op.batch_alter_table("feed_entries", schema=None) as batch_op:
        batch_op.alter_column("story_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index("ix_feed_entries_story_key", ["story_key"], unique=False)


def downgrade() -> None:
    # One row per story again: the first stored row of each story stays.
    conn = op.get_bind()
    keep = sa.select(sa.func.min(entries.c.id)).group_by(entries.c.story_key).scalar_subquery()
    conn.execute(entries.delete().where(entries.c.id.not_in(keep)))
    conn.execute(entries.update().values(entry_key=entries.c.story_key))
    with op.batch_alter_table("feed_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_entries_story_key")
        batch_op.drop_column("story_key")
    op.drop_column("feed_sources", "body_hash")
