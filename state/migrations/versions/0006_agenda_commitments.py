"""The agenda (Zaken on planned vote lists and debates) and the cabinet's commitments (issue 17).

Revision ID: 0006
Revises: 0007 (relinked from 0002 as main brought 0003, 0005, 0008 and 0007)
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0007"
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
    op.create_table(
        "commitments",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("status_raw", sa.String(100)),
        sa.Column("ministry", sa.String(200)),
        sa.Column("minister", sa.String(200)),
        sa.Column("function", sa.String(200)),
        sa.Column("made", sa.Date()),
        sa.Column("due", sa.Date()),
        sa.Column("letter", sa.String(64)),
        sa.Column("activity", sa.String(32)),
        sa.Column("evidence", sa.Text()),
        sa.Column("created", TS, nullable=False),
        sa.Column("updated", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_commitments"),
    )
    op.create_index("ix_commitments_number", "commitments", ["number"])
    op.add_column("changes", sa.Column("subject", sa.String(64), nullable=True))
    op.create_index("ix_changes_subject", "changes", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_changes_subject", table_name="changes")
    with op.batch_alter_table("changes") as batch:
        batch.drop_column("subject")
    op.drop_table("commitments")
    op.drop_table("agenda_items")
