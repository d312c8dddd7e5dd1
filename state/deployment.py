"""Deployment-wide state shared by every process: the signing key and the Telegram send budget."""

from __future__ import annotations

import logging

from sqlalchemy import (
    select,
    text,
)

from state import schema as t
from state.db import Database
from state.errors import StateError

logger = logging.getLogger(__name__)


class Deployment(Database):
    """The deployment row and the shared Telegram budget (PostgreSQL)."""

    def signing_key(self) -> str:
        """This deployment's random signing key (written once by migration 0004)."""
        with self._read() as conn:
            key = conn.scalar(select(t.deployment.c.signing_key).where(t.deployment.c.id == 1))
        if not key:
            raise StateError("the database has no signing key: run `kamerwacht db upgrade`")
        return str(key)

    def reserve_telegram_slot(self, interval: float) -> tuple[float, float]:
        """Take the next Telegram send slot of this deployment: ``(slot, now)``.

        Both are seconds on the database's clock (its epoch): the slot's start and the moment
        it was taken. Slots are ``interval`` seconds apart, shared by every process
        (PostgreSQL only: SQLite runs one process and keeps its budget in memory).
        """
        with self._write() as conn:
            row = conn.execute(
                text(
                    "WITH now AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t) "
                    "UPDATE telegram_budget SET next_at = GREATEST(next_at, now.t) + :interval "
                    "FROM now WHERE id = 1 RETURNING next_at - :interval AS slot, now.t AS now"
                ),
                {"interval": interval},
            ).first()
        if row is None:
            raise StateError("the database has no Telegram budget: run `kamerwacht db upgrade`")
        return float(row.slot), float(row.now)

    def database_clock(self) -> float:
        """The database's clock (seconds since its epoch): calibrates the Telegram slots."""
        with self._read() as conn:
            value = conn.scalar(text("SELECT extract(epoch FROM clock_timestamp())::float8"))
        return float(value or 0.0)

    def pause_telegram(self, seconds: float) -> None:
        """Telegram answered 429: no process of this deployment sends for ``seconds``."""
        with self._write() as conn:
            conn.execute(
                text(
                    "UPDATE telegram_budget SET next_at = GREATEST(next_at, "
                    "extract(epoch FROM clock_timestamp())::float8 + :s) WHERE id = 1"
                ),
                {"s": seconds},
            )
