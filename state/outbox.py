"""The outbox: its policy (routing targets, retries) and its SQL (fan-out, claims, sends, pruning).

A change is routed by *targets*: ``(kind, value)`` pairs equal to the subscriptions that should
receive it (``("motion", id)``, ``("dossier", dossier)``, ``("keyword", word)``); ``all``
subscriptions receive every change. :func:`fan_out` writes one pending delivery per
(subscriber, change); :class:`Outbox` claims them chat by chat (on PostgreSQL under an advisory
lock, so that several delivery workers share the outbox), records sends and failures, and prunes
settled rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    true,
    union,
    union_all,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from state import routing
from state import schema as t
from state.changes import Route
from state.db import CHUNK, CLAIM_LOCK, Database, chunks, utcnow
from state.errors import NotFound
from state.models import (
    Change,
    Channel,
    ClaimedDelivery,
    Delivery,
    DeliveryStatus,
    Frequency,
    SubscriptionKind,
)
from state.records import (
    change_from,
    deliverable,
    delivery_from,
    subscriber_from,
)

logger = logging.getLogger(__name__)

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "MAX_ATTEMPTS",
    "MAX_VALUE",
    "Outbox",
    "fan_out",
    "normalise_value",
    "retry_at",
    "targets",
]

MAX_ATTEMPTS = 5  # a delivery that failed this many times ends as `failed`
MAX_VALUE = 200  # characters of a subscription value
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)


def retry_at(attempts: int, now: datetime) -> datetime:
    """When to retry after ``attempts`` failed tries: 30 s, 1 min, 2 min, … capped at an hour."""
    delay: timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    result: datetime = now + min(delay, BACKOFF_CAP)
    return result


def normalise_value(kind: SubscriptionKind, value: str) -> str:
    """The stored form of a subscription value: trimmed; keywords case-folded; ALL is ``""``."""
    if kind is SubscriptionKind.ALL:
        return ""
    value = " ".join(value.split())
    return value.casefold() if kind is SubscriptionKind.KEYWORD else value


def targets(change: Change, route: Route, keywords: Iterable[str]) -> set[tuple[str, str]]:
    """The ``(kind, value)`` subscription keys a change matches.

    ``keywords`` are the (case-folded) keywords anyone subscribes to; one matches when it is a
    substring of the change's ids and upstream text (title, submitter, cited ids) or of a title
    the change concerns: upstream's words, never kamerwacht's own labels.
    """
    keys: set[tuple[str, str]] = set()
    if change.motion_id:
        keys.add((SubscriptionKind.MOTION.value, change.motion_id))
    if change.subject:
        keys.add((SubscriptionKind.COMMITMENT.value, change.subject))
    keys.update((SubscriptionKind.MOTION.value, m) for m in route.motions)
    keys.update((SubscriptionKind.DOSSIER.value, d) for d in route.dossiers)
    text = "\n".join((*_change_texts(change), *route.texts)).casefold()
    keys.update((SubscriptionKind.KEYWORD.value, k) for k in keywords if k and k in text)
    return keys


# --------------------------------------------------------------------------- the SQL


def fan_out(conn: Connection, first: int, last: int, *, sqlite: bool) -> int:
    """One pending delivery per (subscriber, change) for changes ``first..last``."""
    c, ct, sub, d = t.changes, t.change_targets, t.subscriptions, t.deliveries
    sb = t.subscribers
    everything = (
        select(sub.c.subscriber_id.label("subscriber_id"), c.c.id.label("change_id"))
        .select_from(c.join(sub, true()))
        .where(c.c.id.between(first, last), sub.c.kind == SubscriptionKind.ALL.value)
    )
    targeted = (
        select(sub.c.subscriber_id.label("subscriber_id"), ct.c.change_id.label("change_id"))
        .select_from(ct.join(sub, and_(sub.c.kind == ct.c.kind, sub.c.value == ct.c.value)))
        .where(ct.c.change_id.between(first, last))
    )
    reachable = and_(sb.c.active, or_(sb.c.channel != Channel.EMAIL.value, sb.c.confirmed))
    inserted = 0
    routed = routing.routed_chats(conn)  # issue 17: chats with a follow that has its own routes
    if routed is not None:
        mine, others = sub.c.subscriber_id.in_(routed), sub.c.subscriber_id.not_in(routed)
        by_follow = union_all(
            everything.where(mine).add_columns(sub.c.id.label("subscription_id")),
            targeted.where(mine).add_columns(sub.c.id.label("subscription_id")),
        ).subquery("by_follow")
        source, columns = routing.follow_fan_out(by_follow, reachable, ordered=not sqlite)
        stmt = insert(d).from_select(columns, source).execution_options(preserve_rowcount=True)
        inserted = max(int(conn.execute(stmt).rowcount or 0), 0)
        everything, targeted = everything.where(others), targeted.where(others)
    matched = union(everything, targeted).subquery("matched")
    source = (
        select(
            matched.c.subscriber_id,
            matched.c.change_id,
            sb.c.channel,
            literal_column(f"'{DeliveryStatus.PENDING.value}'"),
            literal_column("0"),
        )
        .select_from(matched.join(sb, sb.c.id == matched.c.subscriber_id))
        .where(reachable)
    )
    columns = ["subscriber_id", "change_id", "channel", "status", "attempts"]
    source, columns = routing.route_fan_out(  # issue 17: routes by kind (off, frequency)
        conn, source, columns, matched.c.subscriber_id, matched.c.change_id, (first, last)
    )
    if not sqlite:
        # Delivery ids follow change order per subscriber, so that workers claiming by id
        # send each subscriber's changes in order. SQLite's UNION already yields rows sorted
        # by (subscriber, change); sorting again would cost ~10% of the fan-out.
        source = source.order_by(matched.c.subscriber_id, matched.c.change_id)
    stmt = insert(d).from_select(columns, source).execution_options(preserve_rowcount=True)
    return inserted + max(int(conn.execute(stmt).rowcount or 0), 0)


class Outbox(Database):
    """The outbox rows: claimed chat by chat, sent, failed, released, listed, pruned."""

    def prune_outbox(
        self, older_than: timedelta, *, now: datetime | None = None, batch: int = CHUNK
    ) -> int:
        """Delete settled outbox rows older than ``older_than``; returns how many.

        Sent rows go by their send time; failed and skipped rows with their change's age.
        Pending and claimed rows are never pruned. Deletes in batches of ``batch`` rows, one
        transaction each, so that senders and pollers are not held up.
        """
        cutoff = utcnow(now) - older_than
        d, c = t.deliveries, t.changes
        with self._read() as conn:
            first_recent = conn.scalar(select(func.min(c.c.id)).where(c.c.created >= cutoff))
            if first_recent is None:
                first_recent = int(conn.scalar(select(func.max(c.c.id))) or 0) + 1
        selections = (
            select(d.c.id).where(text(t.SENT), d.c.sent_at < cutoff),
            select(d.c.id).where(text(t.SETTLED), d.c.change_id < first_recent),
        )
        total = 0
        for chosen in selections:
            while True:
                with self._write() as conn:
                    ids = list(conn.scalars(chosen.limit(batch)))
                    if ids:
                        conn.execute(delete(d).where(d.c.id.in_(ids)))
                total += len(ids)
                if len(ids) < batch:
                    break
        if total:
            logger.info("outbox: pruned %d settled rows older than %s", total, older_than)
        return total

    def claim_deliveries(
        self,
        channel: Channel,
        *,
        limit: int = 100,
        worker: str = "w",
        now: datetime | None = None,
        frequency: Frequency | None = None,
    ) -> list[ClaimedDelivery]:
        """Claim the due pending deliveries of whole chats (subscribers), oldest first: as many
        chats as fit in ``limit`` rows (at least one, whatever its number of rows).

        Claims are per chat: a chat's due rows are claimed together (so one letter's reports
        travel in one grouped message whatever the batch size), and a chat that has a claimed
        row, or a pending row waiting for its retry time, is left alone, so one chat's changes
        go out in order whatever the number of workers. Rows of subscribers who became inactive
        (or are unconfirmed emails) are marked ``skipped`` instead. On PostgreSQL claims are
        serialised with a transaction-scoped advisory lock.
        """
        now = utcnow(now)
        d, sb, c = t.deliveries, t.subscribers, t.changes
        ch = Channel(channel).value
        due = or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at <= now)
        other = d.alias("other")
        busy = (
            select(other.c.id)
            .where(
                other.c.subscriber_id == d.c.subscriber_id,
                other.c.channel == ch,
                or_(
                    and_(  # another worker is sending this chat (this worker's own leftovers
                        # are not in flight: it runs one pass at a time)
                        other.c.status == DeliveryStatus.CLAIMED.value,
                        or_(other.c.claimed_by.is_(None), other.c.claimed_by != worker),
                    ),
                    and_(
                        other.c.status == DeliveryStatus.PENDING.value,
                        other.c.next_attempt_at > now,
                    ),
                ),
            )
            .exists()
        )
        q = (  # oldest rows first, through the partial index of pending rows
            select(d.c.subscriber_id)
            .where(text(t.PENDING), d.c.channel == ch, due, ~busy)
            .order_by(d.c.id)
            .limit(limit * 4)
        )
        wanted = routing.frequency_is(frequency)  # issue 17: a row's route, else its subscriber's
        q = q.where(wanted)
        with self._write() as conn:
            if not self._sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))
            candidates = list(dict.fromkeys(conn.scalars(q)))
            if not candidates:
                return []
            sizes = {
                row.subscriber_id: int(row.n)
                for batch in chunks(candidates)
                for row in conn.execute(
                    select(d.c.subscriber_id, func.count().label("n"))
                    .where(d.c.subscriber_id.in_(batch), text(t.PENDING), d.c.channel == ch, due)
                    .where(wanted)
                    .group_by(d.c.subscriber_id)
                )
            }
            chats: list[int] = []
            rows_taken = 0
            for chat in candidates:  # whole chats, oldest first, until about `limit` rows
                if chats and rows_taken + sizes.get(chat, 0) > limit:
                    break
                chats.append(chat)
                rows_taken += sizes.get(chat, 0)
            rows: list[Any] = []
            for batch in chunks(chats):
                rows.extend(
                    conn.execute(
                        select(d)
                        .where(
                            d.c.subscriber_id.in_(batch), text(t.PENDING), d.c.channel == ch, due
                        )
                        .where(wanted)
                    ).all()
                )
            rows.sort(key=lambda r: r.id)
            subs = {
                row.id: subscriber_from(row)
                for batch in chunks(chats)
                for row in conn.execute(select(sb).where(sb.c.id.in_(batch)))
            }
            changes = {
                row.id: change_from(row)
                for batch in chunks({r.change_id for r in rows})
                for row in conn.execute(select(c).where(c.c.id.in_(batch)))
            }
            live = [r for r in rows if deliverable(subs[r.subscriber_id])]
            dead = [r.id for r in rows if not deliverable(subs[r.subscriber_id])]
            for batch in chunks(dead):
                conn.execute(
                    update(d)
                    .where(d.c.id.in_(batch))
                    .values(status=DeliveryStatus.SKIPPED.value, last_error="subscriber inactive")
                )
            for batch in chunks([r.id for r in live]):
                conn.execute(
                    update(d)
                    .where(d.c.id.in_(batch))
                    .values(status=DeliveryStatus.CLAIMED.value, claimed_by=worker, claimed_at=now)
                )
        return [
            ClaimedDelivery(
                delivery=replace(delivery_from(r), status=DeliveryStatus.CLAIMED),
                subscriber=subs[r.subscriber_id],
                change=changes[r.change_id],
            )
            for r in live
        ]

    def mark_sent(
        self,
        delivery_ids: Iterable[int],
        *,
        now: datetime | None = None,
        worker: str | None = None,
    ) -> int:
        """Record deliveries as sent; returns how many rows were updated.

        With ``worker`` only rows this worker still holds are updated: a row whose stale claim
        was requeued (and maybe claimed by another worker) is left to its new owner.
        """
        now = utcnow(now)
        d = t.deliveries
        count = 0
        with self._write() as conn:
            for batch in chunks(delivery_ids):
                where: list[ColumnElement[bool]] = [d.c.id.in_(batch)]
                if worker is not None:
                    where += [d.c.status == DeliveryStatus.CLAIMED.value, d.c.claimed_by == worker]
                result = conn.execute(
                    update(d)
                    .where(*where)
                    .values(
                        status=DeliveryStatus.SENT.value,
                        sent_at=now,
                        claimed_by=None,
                        next_attempt_at=None,
                    )
                )
                count += int(result.rowcount or 0)
        return count

    def touch_claims(
        self, delivery_ids: Iterable[int], worker: str, *, now: datetime | None = None
    ) -> int:
        """Renew ``worker``'s claims on ``delivery_ids`` (it is alive and still sending them)."""
        now = utcnow(now)
        d = t.deliveries
        count = 0
        with self._write() as conn:
            for batch in chunks(delivery_ids):
                result = conn.execute(
                    update(d)
                    .where(
                        d.c.id.in_(batch),
                        d.c.status == DeliveryStatus.CLAIMED.value,
                        d.c.claimed_by == worker,
                    )
                    .values(claimed_at=now)
                )
                count += int(result.rowcount or 0)
        return count

    def release_claims_of(self, workers: Iterable[str]) -> int:
        """Put every row claimed by ``workers`` back to pending (their process has ended)."""
        names = sorted(set(workers))
        if not names:
            return 0
        d = t.deliveries
        with self._write() as conn:
            result = conn.execute(
                update(d)
                .where(text(t.CLAIMED), d.c.claimed_by.in_(names))
                .values(status=DeliveryStatus.PENDING.value, claimed_by=None, claimed_at=None)
            )
        count = int(result.rowcount or 0)
        if count:
            logger.warning("released %d claims of ended workers %s", count, ", ".join(names))
        return count

    def claim_owners(self) -> list[str]:
        """The workers that hold claimed rows."""
        d = t.deliveries
        with self._read() as conn:
            query = select(d.c.claimed_by).where(text(t.CLAIMED)).distinct()
            return sorted(str(w) for w in conn.scalars(query) if w is not None)

    def mark_failed(
        self,
        delivery_id: int,
        error: str,
        *,
        retry_at: datetime | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record a failed send: retry at ``retry_at``, or ``failed`` (permanent / too many)."""
        utcnow(now)
        d = t.deliveries
        with self._write() as conn:
            attempts = conn.scalar(select(d.c.attempts).where(d.c.id == delivery_id))
            if attempts is None:
                raise NotFound("delivery", delivery_id)
            attempts += 1
            give_up = retry_at is None or attempts >= MAX_ATTEMPTS
            conn.execute(
                update(d)
                .where(d.c.id == delivery_id)
                .values(
                    status=(DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING).value,
                    attempts=attempts,
                    last_error=error[:2000],
                    next_attempt_at=None if give_up else utcnow(retry_at),
                    claimed_by=None,
                    claimed_at=None,
                )
            )
        if give_up:
            logger.warning("delivery %s failed after %d attempts: %s", delivery_id, attempts, error)

    def release(self, delivery_ids: Iterable[int]) -> None:
        """Put claimed deliveries back to pending (a worker shutting down)."""
        d = t.deliveries
        with self._write() as conn:
            for batch in chunks(delivery_ids):
                conn.execute(
                    update(d)
                    .where(d.c.id.in_(batch), d.c.status == DeliveryStatus.CLAIMED.value)
                    .values(status=DeliveryStatus.PENDING.value, claimed_by=None, claimed_at=None)
                )

    def requeue_stale_claims(
        self, older_than: timedelta | datetime, *, now: datetime | None = None
    ) -> int:
        """Claims older than ``older_than`` (a dead worker's) go back to pending; returns count."""
        cutoff = (
            utcnow(now) - older_than if isinstance(older_than, timedelta) else utcnow(older_than)
        )
        d = t.deliveries
        with self._write() as conn:
            result = conn.execute(
                update(d)
                .where(text(t.CLAIMED), d.c.claimed_at <= cutoff)
                .values(status=DeliveryStatus.PENDING.value, claimed_by=None, claimed_at=None)
            )
        count = int(result.rowcount or 0)
        if count:
            logger.warning("requeued %d stale delivery claims", count)
        return count

    def deliveries(
        self,
        *,
        subscriber_id: int | None = None,
        change_id: int | None = None,
        status: DeliveryStatus | None = None,
    ) -> list[Delivery]:
        """Outbox rows, filtered, by id."""
        d = t.deliveries
        q = select(d).order_by(d.c.id)
        if subscriber_id is not None:
            q = q.where(d.c.subscriber_id == subscriber_id)
        if change_id is not None:
            q = q.where(d.c.change_id == change_id)
        if status is not None:
            q = q.where(d.c.status == DeliveryStatus(status).value)
        with self._read() as conn:
            return [delivery_from(row) for row in conn.execute(q)]


def _change_texts(change: Change) -> tuple[str, ...]:
    """The ids and upstream strings a change carries (what a keyword may match)."""
    facts = change.facts
    texts: list[str | None] = [change.motion_id, change.letter_id, change.subject]
    if facts is not None:
        texts += [facts.title, facts.submitter, facts.ident, *facts.cited]
    return tuple(value for value in texts if value)
