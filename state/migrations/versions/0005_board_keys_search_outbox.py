"""Board keys and full-text search on motions; outbox indexes for retention and health checks.

Motions get the derived columns the board filters, sorts and pages on in the database
(``sort_key``, ``execution_status``, ``execution_date``, ``board_date``) and ``search_text``
(folded words and their Dutch stems), filled here for the existing rows. The full-text index is
an FTS5 table kept in step by triggers on SQLite, a GIN index on
``to_tsvector('dutch', search_text)`` on PostgreSQL. The outbox gets partial indexes on sent
rows (by send time) and on failed/skipped rows, so that pruning and the health checks never
scan the whole table.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SENT = "status = 'sent'"
SETTLED = "status IN ('failed', 'skipped')"

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE motion_fts USING fts5(search_text, content='motions',"
    " content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER motion_fts_insert AFTER INSERT ON motions BEGIN"
    " INSERT INTO motion_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER motion_fts_delete AFTER DELETE ON motions BEGIN"
    " INSERT INTO motion_fts(motion_fts, rowid, search_text)"
    " VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER motion_fts_update AFTER UPDATE OF search_text ON motions"
    " WHEN old.search_text IS NOT new.search_text BEGIN"
    " INSERT INTO motion_fts(motion_fts, rowid, search_text)"
    " VALUES ('delete', old.rowid, old.search_text);"
    " INSERT INTO motion_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END",
]
PG_SEARCH = (
    "CREATE INDEX ix_motions_search ON motions"
    " USING gin (to_tsvector('dutch'::regconfig, coalesce(search_text, '')))"
)


def upgrade() -> None:
    from state.repository import refresh_board_keys

    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("motions", sa.Column("sort_key", sa.String(80)))
    op.add_column("motions", sa.Column("execution_status", sa.String(24)))
    op.add_column("motions", sa.Column("execution_date", sa.Date()))
    op.add_column("motions", sa.Column("board_date", sa.Date()))
    op.add_column("motions", sa.Column("search_text", sa.Text()))
    if sqlite:  # before the backfill: the update trigger indexes the rows it fills
        for statement in SQLITE_FTS:
            op.execute(statement)
        op.execute("INSERT INTO motion_fts(motion_fts) VALUES ('rebuild')")
    refresh_board_keys(op.get_bind(), None)
    if not sqlite:
        op.execute(PG_SEARCH)
    op.create_index("ix_motions_sort_key", "motions", ["sort_key"])
    op.create_index("ix_motions_board_date", "motions", ["board_date", "sort_key"])
    op.create_index(
        "ix_motions_parliamentary_status", "motions", ["parliamentary_status", "sort_key"]
    )
    op.create_index("ix_motions_execution_status", "motions", ["execution_status", "sort_key"])
    op.create_index("ix_motions_updated", "motions", ["updated"])
    op.create_index(
        "ix_deliveries_sent",
        "deliveries",
        ["sent_at"],
        sqlite_where=sa.text(SENT),
        postgresql_where=sa.text(SENT),
    )
    op.create_index(
        "ix_deliveries_settled",
        "deliveries",
        ["status", "change_id"],
        sqlite_where=sa.text(SETTLED),
        postgresql_where=sa.text(SETTLED),
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_index("ix_deliveries_settled", "deliveries")
    op.drop_index("ix_deliveries_sent", "deliveries")
    for name in (
        "ix_motions_updated",
        "ix_motions_execution_status",
        "ix_motions_parliamentary_status",
        "ix_motions_board_date",
        "ix_motions_sort_key",
    ):
        op.drop_index(name, "motions")
    if sqlite:
        for trigger in ("motion_fts_update", "motion_fts_delete", "motion_fts_insert"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE motion_fts")
    else:
        op.execute("DROP INDEX ix_motions_search")
    with op.batch_alter_table("motions") as batch:
        for column in ("search_text", "board_date", "execution_date", "execution_status"):
            batch.drop_column(column)
        batch.drop_column("sort_key")
