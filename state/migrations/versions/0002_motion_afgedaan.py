"""Motions carry Zaak.Afgedaan (the House considers the motion dealt with).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("motions", sa.Column("afgedaan", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("motions") as batch:
        batch.drop_column("afgedaan")
