"""Routing by kind (issue 17, point 4): per-subscriber routes per class of change kinds.

``subscriber_routes`` holds, per subscriber and class (``state.routing.RouteClass``), how often
that class is delivered: ``instant``, ``daily``, ``weekly`` or ``off``. ``deliveries.frequency``
records the route a row was queued with (NULL: the subscriber's own frequency).

Existing rows: no routes are written. A class without a route follows ``subscribers.frequency``,
so every existing subscriber keeps receiving every change at its own frequency, as before; old
delivery rows get NULL, which means the same.

Revision ID: 0010
Revises: 0009 (relinked at the merge of main, which brought 0009)
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscriber_routes",
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("route_class", sa.String(24), nullable=False),
        sa.Column("frequency", sa.String(24), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_subscriber_routes_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscriber_id", "route_class", name=op.f("pk_subscriber_routes")),
    )
    op.add_column("deliveries", sa.Column("frequency", sa.String(24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("frequency")
    op.drop_table("subscriber_routes")
