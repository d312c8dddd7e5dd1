"""A deployment's own random signing key, and the Telegram send budget all processes share.

The key is generated here, once, with ``secrets.token_urlsafe``: every process of the deployment
reads it from the database, and two deployments (even with the same data) never share one.

Revision ID: 0004
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    deployment = op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("signing_key", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment")),
    )
    budget = op.create_table(
        "telegram_budget",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_budget")),
    )
    op.bulk_insert(
        deployment,
        [{"id": 1, "signing_key": secrets.token_urlsafe(32), "created": datetime.now(UTC)}],
    )
    op.bulk_insert(budget, [{"id": 1, "next_at": 0.0}])


def downgrade() -> None:
    op.drop_table("telegram_budget")
    op.drop_table("deployment")
