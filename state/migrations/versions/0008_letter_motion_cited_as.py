"""A letter's cited motion keeps the id as written when it is a probable typo (cited_as); a
decision read from the Handelingen keeps where it was read (source).

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("letter_motions", sa.Column("cited_as", sa.String(length=40), nullable=True))
    op.add_column("decisions", sa.Column("source", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("letter_motions") as batch:
        batch.drop_column("cited_as")
