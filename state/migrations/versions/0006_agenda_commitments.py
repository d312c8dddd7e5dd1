"""The agenda (Zaken on planned vote lists and debates) and the cabinet's commitments (issue 17).

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agenda_items",
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("zaak_id", sa.String(64), nullable=False),
        sa.Column("activity_nummer", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(200), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("status_raw", sa.String(200)),
        sa.Column("day", sa.Date()),
        sa.Column("start", TS),
        sa.Column("end", TS),
        sa.Column("date_kind", sa.String(24), nullable=False),
        sa.Column("agendapunt_id", sa.String(64)),
        sa.Column("agendapunt_subject", sa.Text()),
        sa.Column("zaak_nummer", sa.String(32)),
        sa.Column("zaak_kind", sa.String(100)),
        sa.Column("title", sa.Text()),
        sa.Column("appraisal", sa.String(200)),
        sa.Column("dossier", sa.String(40)),
        sa.Column("proposal", sa.Boolean(), nullable=False),
        sa.Column("motion_id", sa.String(40)),
        sa.Column("location", sa.String(200)),
        sa.Column("updated", TS, nullable=False),
        sa.PrimaryKeyConstraint("activity_id", "zaak_id", name="pk_agenda_items"),
    )
    op.create_index("ix_agenda_items_zaak_nummer", "agenda_items", ["zaak_nummer"])
    op.create_index("ix_agenda_items_motion_id", "agenda_items", ["motion_id"])


def downgrade() -> None:
    op.drop_table("agenda_items")
