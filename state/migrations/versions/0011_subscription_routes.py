"""Routing by kind per follow (issue 17): ``subscription_routes``.

One row per (subscription, class of change kinds) whose route this follow overrides: the
fan-out uses the follow's route, else its subscriber's (``subscriber_routes``), else the default
derived from the subscriber's frequency. No rows are written: every follow keeps its
subscriber's routes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscription_routes",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("route_class", sa.String(24), nullable=False),
        sa.Column("frequency", sa.String(24), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_routes_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "subscription_id", "route_class", name=op.f("pk_subscription_routes")
        ),
    )


def downgrade() -> None:
    op.drop_table("subscription_routes")
