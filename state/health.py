"""Health and gauges: source health and cursors; outbox gauges and counts (/healthz, /metrics)."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import (
    func,
    or_,
    select,
    text,
)

from state import routing
from state import schema as t
from state.db import Database, utcnow
from state.models import (
    DeliveryStatus,
    Frequency,
    SourceStatus,
)

logger = logging.getLogger(__name__)


class Health(Database):
    """How the sources and the outbox are doing (cheap queries, no full scans)."""

    def get_cursors(self, source: str) -> dict[str, str]:
        """The stored cursors of one source: ``{entity: value}``."""
        q = select(t.cursors.c.entity, t.cursors.c.value).where(t.cursors.c.source == source)
        with self._read() as conn:
            return {row.entity: row.value for row in conn.execute(q)}

    def record_source_success(
        self, name: str, *, items_seen: int, now: datetime | None = None
    ) -> None:
        """Note a successful fetch of a source (resets its failure count)."""
        now = utcnow(now)
        stmt = self._insert(t.source_status).values(
            name=name,
            last_success=now,
            items_seen=items_seen,
            consecutive_failures=0,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"last_success": now, "items_seen": items_seen, "consecutive_failures": 0},
        )
        with self._write() as conn:
            conn.execute(stmt)

    def record_source_failure(self, name: str, error: str, *, now: datetime | None = None) -> None:
        """Note a failed fetch of a source (counts consecutive failures)."""
        now = utcnow(now)
        ss = t.source_status
        stmt = self._insert(ss).values(
            name=name,
            last_error=error,
            last_error_at=now,
            items_seen=0,
            consecutive_failures=1,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "last_error": error,
                "last_error_at": now,
                "consecutive_failures": ss.c.consecutive_failures + 1,
            },
        )
        with self._write() as conn:
            conn.execute(stmt)

    def source_statuses(self) -> list[SourceStatus]:
        """Health of every source seen so far, by name, with its cursors in ``extra``."""
        with self._read() as conn:
            rows = conn.execute(select(t.source_status).order_by(t.source_status.c.name)).all()
            cursor_rows = conn.execute(select(t.cursors).order_by(t.cursors.c.updated)).all()
        cursors: dict[str, dict[str, str]] = defaultdict(dict)
        for row in cursor_rows:
            cursors[row.source][row.entity] = row.value
        out = []
        for row in rows:
            extra = cursors.get(row.name, {})
            out.append(
                SourceStatus(
                    name=row.name,
                    last_success=row.last_success,
                    last_error=row.last_error,
                    last_error_at=row.last_error_at,
                    items_seen=row.items_seen,
                    consecutive_failures=row.consecutive_failures,
                    cursor=next(reversed(extra.values()), None) if extra else None,
                    extra=dict(extra),
                )
            )
        return out

    def outbox_health(self, *, now: datetime | None = None) -> dict[str, int]:
        """Cheap outbox gauges for /healthz, /metrics and the heartbeat (no full scan).

        Counts the rows still to do (``pending``, ``claimed``, ``due``) and those that ended
        otherwise than sent (``failed``, ``skipped``), each through its partial index, plus
        ``last_sent``: the Unix time of the latest send (0: none), which moves while delivery
        makes progress. Sent rows are not counted: they are history, pruned after the retention.
        """
        d = t.deliveries
        with self._read() as conn:
            counts = {
                "pending": conn.scalar(select(func.count()).select_from(d).where(text(t.PENDING))),
                "claimed": conn.scalar(select(func.count()).select_from(d).where(text(t.CLAIMED))),
            }
            settled = conn.execute(
                select(d.c.status, func.count()).where(text(t.SETTLED)).group_by(d.c.status)
            )
            counts |= {str(status): n for status, n in settled}
            last_sent = conn.scalar(select(func.max(d.c.sent_at)).where(text(t.SENT)))
        out = {k: int(counts.get(k) or 0) for k in ("pending", "claimed", "failed", "skipped")}
        out["due"] = self.due_count(now=now) if out["pending"] else 0
        out["last_sent"] = int(last_sent.timestamp()) if last_sent is not None else 0
        return out

    def change_counts(self) -> dict[str, int]:
        """Recorded changes per kind (the poller's work, for /metrics)."""
        c = t.changes
        with self._read() as conn:
            query = select(c.c.kind, func.count().label("n")).group_by(c.c.kind)
            return {str(r.kind): int(r.n) for r in conn.execute(query)}

    def outbox_counts(self) -> dict[str, int]:
        """Number of outbox rows per :class:`DeliveryStatus` value."""
        d = t.deliveries
        with self._read() as conn:
            query = select(d.c.status, func.count().label("n")).group_by(d.c.status)
            found = {r.status: int(r.n) for r in conn.execute(query)}
        return {s.value: int(found.get(s.value, 0)) for s in DeliveryStatus}

    def due_count(self, *, now: datetime | None = None) -> int:
        """Pending rows a worker should be sending now: instant subscribers, retry time passed.

        Rows of daily and weekly subscribers wait for their digest and are not counted.
        """
        now = utcnow(now)
        d = t.deliveries
        q = (
            select(func.count())
            .select_from(d)
            .where(
                d.c.status == DeliveryStatus.PENDING.value,
                routing.frequency_is(Frequency.INSTANT),  # issue 17: a row's route counts
                or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at <= now),
            )
        )
        with self._read() as conn:
            return int(conn.scalar(q) or 0)
