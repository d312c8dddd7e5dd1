"""The Tweede Kamer mirror: the tracked motions' entities for either path (OData, SyncFeed).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tk_mirror",
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("zaak_id", sa.String(64), nullable=True),
        sa.Column("parent_id", sa.String(64), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity", "id"),
    )
    op.create_index("ix_tk_mirror_zaak", "tk_mirror", ["zaak_id"])
    op.create_index("ix_tk_mirror_parent", "tk_mirror", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_tk_mirror_parent", table_name="tk_mirror")
    op.drop_index("ix_tk_mirror_zaak", table_name="tk_mirror")
    op.drop_table("tk_mirror")
