"""Initial schema: motions, decisions, votes, letters, reports, changes, subscribers, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "motions",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("submitters", sa.Text(), nullable=False),
        sa.Column("date", sa.Date()),
        sa.Column("parliamentary_status", sa.String(24), nullable=False),
        sa.Column("status_raw", sa.String(200)),
        sa.Column("cabinet_appraisal", sa.Text()),
        sa.Column("replaced_by", sa.String(40)),
        sa.Column("replaces", sa.String(40)),
        sa.Column("text", sa.Text()),
        sa.Column("zaak_id", sa.String(64)),
        sa.Column("zaak_nummer", sa.String(32)),
        sa.Column("url", sa.Text()),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("updated", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_motions"),
    )
    op.create_index("ix_motions_zaak_id", "motions", ["zaak_id"])
    op.create_index("ix_motions_zaak_nummer", "motions", ["zaak_nummer"])

    op.create_table(
        "decisions",
        sa.Column("motion_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("raw_kind", sa.String(200), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("date", sa.Date()),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("motion_id", "id", name="pk_decisions"),
        sa.ForeignKeyConstraint(
            ["motion_id"], ["motions.id"], name="fk_decisions_motion_id_motions", ondelete="CASCADE"
        ),
    )

    op.create_table(
        "votes",
        sa.Column("motion_id", sa.String(40), nullable=False),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("party", sa.String(100)),
        sa.Column("choice", sa.String(24), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("mistake", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("motion_id", "decision_id", "position", name="pk_votes"),
        sa.ForeignKeyConstraint(
            ["motion_id", "decision_id"],
            ["decisions.motion_id", "decisions.id"],
            name="fk_votes_decision_decisions",
            ondelete="CASCADE",
        ),
    )

    op.create_table(
        "letters",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("date", sa.Date()),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("kamerstuk", sa.String(40)),
        sa.Column("document_nummer", sa.String(32)),
        sa.Column("url", sa.Text()),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("references", sa.Text(), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("updated", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_letters"),
    )
    op.create_index("ix_letters_kamerstuk", "letters", ["kamerstuk"])
    op.create_index("ix_letters_document_nummer", "letters", ["document_nummer"])

    op.create_table(
        "letter_motions",
        sa.Column("letter_id", sa.String(64), nullable=False),
        sa.Column("motion_id", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("submitters", sa.Text(), nullable=False),
        sa.Column("date", sa.Date()),
        sa.Column("status", sa.String(24)),
        sa.Column("evidence", sa.Text()),
        sa.Column("created", TS, nullable=False),
        sa.PrimaryKeyConstraint("letter_id", "motion_id", name="pk_letter_motions"),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letters.id"], name="fk_letter_motions_letter_id_letters",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["motion_id"], ["motions.id"], name="fk_letter_motions_motion_id_motions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_letter_motions_motion_id", "letter_motions", ["motion_id"])

    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("motion_id", sa.String(40)),
        sa.Column("letter_id", sa.String(64)),
        sa.Column("old", sa.String(200)),
        sa.Column("new", sa.String(200)),
        sa.Column("evidence", sa.Text()),
        sa.Column("created", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_changes"),
    )
    op.create_index("ix_changes_motion_id", "changes", ["motion_id"])
    op.create_index("ix_changes_created", "changes", ["created"])

    op.create_table(
        "change_targets",
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("change_id", "kind", "value", name="pk_change_targets"),
        sa.ForeignKeyConstraint(
            ["change_id"], ["changes.id"], name="fk_change_targets_change_id_changes",
            ondelete="CASCADE",
        ),
    )

    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(24), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("frequency", sa.String(24), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("bounces", sa.Integer(), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscribers"),
        sa.UniqueConstraint("channel", "address", name="uq_subscribers_channel_address"),
    )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint(
            "subscriber_id", "kind", "value", name="uq_subscriptions_subscriber_id_kind_value"
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"],
            name="fk_subscriptions_subscriber_id_subscribers", ondelete="CASCADE",
        ),
    )
    op.create_index("ix_subscriptions_kind_value", "subscriptions", ["kind", "value"])

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(24), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("next_attempt_at", TS),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claimed_at", TS),
        sa.Column("sent_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.UniqueConstraint(
            "subscriber_id", "change_id", name="uq_deliveries_subscriber_id_change_id"
        ),
    )
    pending = sa.text("status = 'pending'")
    claimed = sa.text("status = 'claimed'")
    op.create_index(
        "ix_deliveries_pending", "deliveries", ["channel", "id"],
        sqlite_where=pending, postgresql_where=pending,
    )
    op.create_index(
        "ix_deliveries_claimed", "deliveries", ["claimed_at"],
        sqlite_where=claimed, postgresql_where=claimed,
    )

    op.create_table(
        "cursors",
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated", TS, nullable=False),
        sa.PrimaryKeyConstraint("source", "entity", name="pk_cursors"),
    )

    op.create_table(
        "source_status",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("last_success", TS),
        sa.Column("last_error", sa.Text()),
        sa.Column("last_error_at", TS),
        sa.Column("items_seen", sa.Integer(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_source_status"),
    )


def downgrade() -> None:
    for table in (
        "source_status",
        "cursors",
        "deliveries",
        "subscriptions",
        "subscribers",
        "change_targets",
        "changes",
        "letter_motions",
        "letters",
        "votes",
        "decisions",
        "motions",
    ):
        op.drop_table(table)
