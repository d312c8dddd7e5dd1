"""Subscribers and what they follow: Telegram chats and email addresses, settings, bounces."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    and_,
    case,
    delete,
    func,
    or_,
    select,
    update,
)

from state import routing
from state import schema as t
from state.db import Database, utcnow
from state.errors import NotFound
from state.models import (
    Channel,
    Frequency,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from state.outbox import MAX_VALUE, normalise_value
from state.records import (
    subscriber_from,
)

logger = logging.getLogger(__name__)


class Subscribers(Database):
    """Subscriber rows and their subscriptions."""

    def get_or_create_subscriber(
        self, channel: Channel, address: str, *, language: str = "nl", confirmed: bool = True
    ) -> Subscriber:
        """The subscriber for (channel, address), created when new (existing rows unchanged)."""
        stmt = (
            self._insert(t.subscribers)
            .values(
                channel=Channel(channel).value,
                address=address,
                language=language,
                frequency=Frequency.INSTANT.value,
                active=True,
                confirmed=confirmed,
                bounces=0,
                created=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["channel", "address"])
        )
        with self._write() as conn:
            conn.execute(stmt)
            row = conn.execute(self._subscriber_query(channel, address)).one()
        return subscriber_from(row)

    @staticmethod
    def _subscriber_query(channel: Channel, address: str) -> Any:
        sb = t.subscribers
        return select(sb).where(sb.c.channel == Channel(channel).value, sb.c.address == address)

    def get_subscriber(self, channel: Channel, address: str) -> Subscriber | None:
        """The subscriber for (channel, address), or None."""
        with self._read() as conn:
            row = conn.execute(self._subscriber_query(channel, address)).first()
        return subscriber_from(row) if row else None

    def get_subscriber_by_id(self, subscriber_id: int) -> Subscriber | None:
        """The subscriber with this id, or None."""
        sb = t.subscribers
        with self._read() as conn:
            row = conn.execute(select(sb).where(sb.c.id == subscriber_id)).first()
        return subscriber_from(row) if row else None

    def update_subscriber(
        self,
        subscriber_id: int,
        *,
        active: bool | None = None,
        language: str | None = None,
        frequency: Frequency | None = None,
        confirmed: bool | None = None,
        address: str | None = None,
    ) -> Subscriber:
        """Change a subscriber's settings; raises :class:`NotFound` for an unknown id.

        ``address`` moves the subscriber to a new chat id (a group that became a supergroup).
        """
        sb = t.subscribers
        values: dict[str, Any] = {}
        if address is not None:
            values["address"] = address
        if active is not None:
            values["active"] = active
            if active:
                values["bounces"] = 0
        if language is not None:
            values["language"] = language
        if frequency is not None:
            values["frequency"] = Frequency(frequency).value
        if confirmed is not None:
            values["confirmed"] = confirmed
        with self._write() as conn:
            if values:
                conn.execute(update(sb).where(sb.c.id == subscriber_id).values(**values))
            row = conn.execute(select(sb).where(sb.c.id == subscriber_id)).first()
        if row is None:
            raise NotFound("subscriber", subscriber_id)
        return subscriber_from(row)

    def delete_subscriber(self, subscriber_id: int) -> None:
        """Forget a subscriber: its deliveries, subscriptions and the row itself."""
        with self._write() as conn:
            conn.execute(delete(t.deliveries).where(t.deliveries.c.subscriber_id == subscriber_id))
            conn.execute(
                delete(t.subscriptions).where(t.subscriptions.c.subscriber_id == subscriber_id)
            )
            conn.execute(delete(t.subscribers).where(t.subscribers.c.id == subscriber_id))

    def subscribe(self, subscriber_id: int, kind: SubscriptionKind, value: str = "") -> bool:
        """Follow something; True when the subscription is new."""
        kind = SubscriptionKind(kind)
        value = normalise_value(kind, value)
        if kind is not SubscriptionKind.ALL and not value:
            raise ValueError(f"a {kind.value} subscription needs a value")
        if len(value) > MAX_VALUE:
            raise ValueError(f"subscription value longer than {MAX_VALUE} characters")
        stmt = (
            self._insert(t.subscriptions)
            .values(subscriber_id=subscriber_id, kind=kind.value, value=value, created=utcnow())
            .on_conflict_do_nothing(index_elements=["subscriber_id", "kind", "value"])
            .returning(t.subscriptions.c.id)
        )
        sb = t.subscribers
        with self._write() as conn:
            if conn.scalar(select(sb.c.id).where(sb.c.id == subscriber_id)) is None:
                raise NotFound("subscriber", subscriber_id)
            return conn.execute(stmt).first() is not None

    def unsubscribe(self, subscriber_id: int, kind: SubscriptionKind, value: str = "") -> bool:
        """Stop following something; True when the subscription existed."""
        kind = SubscriptionKind(kind)
        sub = t.subscriptions
        stmt = delete(sub).where(
            sub.c.subscriber_id == subscriber_id,
            sub.c.kind == kind.value,
            sub.c.value == normalise_value(kind, value),
        )
        with self._write() as conn:
            return bool(conn.execute(stmt).rowcount)

    # issue 17: routing by kind (the logic is in state.routing)
    def routes(self, subscriber_id: int) -> dict[routing.RouteClass, routing.Route]:
        """The routes a subscriber stored per class (a class without one: its frequency)."""
        with self._read() as conn:
            return routing.load_routes(conn, subscriber_id)

    def set_routes(
        self, subscriber_id: int, routes: Mapping[routing.RouteClass, routing.Route | None]
    ) -> dict[routing.RouteClass, routing.Route]:
        """Store routes per class (None: forget the class's route); returns the stored ones."""
        with self._write() as conn:
            for cls, route in routes.items():
                routing.store_route(conn, subscriber_id, cls, route)
            return routing.load_routes(conn, subscriber_id)

    def follow_routes(self, subscription_id: int) -> dict[routing.RouteClass, routing.Route]:
        """The routes one follow stored of its own (a class without one: its subscriber's)."""
        with self._read() as conn:
            return routing.load_follow_routes(conn, subscription_id)

    def set_follow_routes(
        self,
        subscriber_id: int,
        subscription_id: int,
        routes: Mapping[routing.RouteClass, routing.Route | None],
    ) -> dict[routing.RouteClass, routing.Route]:
        """Store one follow's routes (None: forget the class's route); returns the stored ones.

        Raises :class:`NotFound` unless the subscription is this subscriber's.
        """
        sub = t.subscriptions
        with self._write() as conn:
            owner = conn.scalar(select(sub.c.subscriber_id).where(sub.c.id == subscription_id))
            if owner != subscriber_id:
                raise NotFound("subscription", subscription_id)
            for cls, route in routes.items():
                routing.store_follow_route(conn, subscription_id, cls, route)
            return routing.load_follow_routes(conn, subscription_id)

    def subscriptions(self, subscriber_id: int) -> list[Subscription]:
        """What a subscriber follows, in the order subscribed."""
        sub = t.subscriptions
        q = select(sub).where(sub.c.subscriber_id == subscriber_id).order_by(sub.c.id)
        with self._read() as conn:
            return [
                Subscription(
                    subscriber_id=row.subscriber_id,
                    kind=SubscriptionKind(row.kind),
                    value=row.value,
                    id=row.id,
                )
                for row in conn.execute(q)
            ]

    def subscriber_counts(self) -> dict[str, int]:
        """``{"telegram": n, "email": n, "active": n}`` (active: reachable right now)."""
        sb = t.subscribers
        reachable = and_(sb.c.active, or_(sb.c.channel != Channel.EMAIL.value, sb.c.confirmed))
        with self._read() as conn:
            query = select(sb.c.channel, func.count().label("n")).group_by(sb.c.channel)
            by_channel = {r.channel: int(r.n) for r in conn.execute(query)}
            active = conn.scalar(select(func.count()).select_from(sb).where(reachable)) or 0
        counts = {ch.value: int(by_channel.get(ch.value, 0)) for ch in Channel}
        counts["active"] = int(active)
        return counts

    def record_bounce(self, subscriber_id: int) -> int:
        """Count a bounced email; returns the subscriber's bounce count after this one."""
        sb = t.subscribers
        with self._write() as conn:
            conn.execute(
                update(sb).where(sb.c.id == subscriber_id).values(bounces=sb.c.bounces + 1)
            )
            count = conn.scalar(select(sb.c.bounces).where(sb.c.id == subscriber_id))
        if count is None:
            raise NotFound("subscriber", subscriber_id)
        return int(count)

    def subscriber_counts_by_channel(self) -> dict[str, tuple[int, int]]:
        """Per channel: ``(subscribers, reachable now)`` (for /metrics)."""
        sb = t.subscribers
        reachable = and_(sb.c.active, or_(sb.c.channel != Channel.EMAIL.value, sb.c.confirmed))
        with self._read() as conn:
            query = select(
                sb.c.channel,
                func.count().label("n"),
                func.sum(case((reachable, 1), else_=0)).label("r"),
            ).group_by(sb.c.channel)
            found = {r.channel: (int(r.n), int(r.r or 0)) for r in conn.execute(query)}
        return {ch.value: found.get(ch.value, (0, 0)) for ch in Channel}
