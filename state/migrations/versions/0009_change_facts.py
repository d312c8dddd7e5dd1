"""A change keeps its facts (JSON: title, submitter, tally, cited ids, …) instead of a sentence.

Rows written before keep their Dutch ``summary`` line and no facts; they are told from their
codes, and the JSON outputs pass their old line on. New rows write an empty ``summary``.

Revision ID: 0009
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("changes", sa.Column("facts", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.drop_column("facts")
