"""Routing by kind (issue 17, point 4): which change classes a subscriber wants, and how often.

Every :class:`~state.models.ChangeKind` belongs to one user-facing :class:`RouteClass`
(:data:`CLASS_OF`, the one mapping). A subscriber may store, per class, a :class:`Route`:
``instant``, ``daily``, ``weekly`` or ``off`` (table ``subscriber_routes``). A class without a
stored route gets its *default*, derived from the subscriber's own frequency
(``subscribers.frequency``, set by ``/digest`` or the email form) by one pure rule,
:func:`default_route`: a class is delivered as often as the subscriber's frequency, but never more
often than its cap (:data:`AT_MOST`): new documents at most weekly, overdue motions at most daily.
So a new (instant) chat gets status changes, execution reports, the agenda and commitments at
once, overdue motions in its daily digest and new documents in its weekly digest; a chat that
chose ``/digest dagelijks`` gets everything daily except new documents (weekly); a weekly chat
gets everything weekly. The defaults are what the settings call "recommended": choosing them
forgets the stored routes, so they keep following ``/digest``.

The outbox applies routes when it fans a change out (:func:`route_fan_out`): a class that is
``off`` gets no delivery row, any other route (stored or default) that differs from the
subscriber's frequency is written on the row (``deliveries.frequency``; NULL means "the
subscriber's frequency", which follows a later ``/digest`` change), and the workers claim rows by
that effective frequency (:func:`frequency_is`), so a weekly class waits for the weekly digest
while the same chat's status changes go out at once. Changing a route affects changes fanned out
afterwards; rows already queued keep the frequency they were queued with (routes are never read
when rows are claimed).

Pure mapping and SQL expressions; the repository runs them (its ``routes`` / ``set_route``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Select,
    Subquery,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
)

from state import schema as t
from state.models import ChangeKind, Channel, DeliveryStatus, Frequency

__all__ = [
    "AT_MOST",
    "CLASSES",
    "CLASS_OF",
    "EMAIL_ROUTES",
    "TELEGRAM_ROUTES",
    "Route",
    "RouteClass",
    "choices",
    "class_of",
    "default_route",
    "defaults",
    "effective",
    "follow_effective",
    "follow_fan_out",
    "frequency_is",
    "load_follow_routes",
    "load_routes",
    "rank",
    "route_fan_out",
    "routed_chats",
    "store_follow_route",
    "store_route",
    "store_routes",
]


class RouteClass(StrEnum):
    """A user-facing group of change kinds."""

    STATUS = "status"  # status changes, votes, decisions corrected, motions replaced
    EXECUTION = "execution"  # execution reports (uitvoeringsberichten)
    DOCUMENTS = "documents"  # new letters and new motions
    AGENDA = "agenda"  # on the vote list, debates, moved / cancelled / removed
    COMMITMENTS = "commitments"  # new commitments and their status
    OVERDUE = "overdue"  # adopted motions without a report past their deadline


class Route(StrEnum):
    """How often a class is delivered; ``off``: not at all."""

    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


CLASSES: tuple[RouteClass, ...] = tuple(RouteClass)

CLASS_OF: Mapping[ChangeKind, RouteClass] = {
    ChangeKind.STATUS_CHANGED: RouteClass.STATUS,
    ChangeKind.VOTE_RECORDED: RouteClass.STATUS,
    ChangeKind.DECISION_CORRECTED: RouteClass.STATUS,
    ChangeKind.MOTION_REPLACED: RouteClass.STATUS,
    ChangeKind.EXECUTION_REPORTED: RouteClass.EXECUTION,
    ChangeKind.NEW_LETTER: RouteClass.DOCUMENTS,
    ChangeKind.NEW_MOTION: RouteClass.DOCUMENTS,
    ChangeKind.VOTE_SCHEDULED: RouteClass.AGENDA,
    ChangeKind.DEBATE_SCHEDULED: RouteClass.AGENDA,
    ChangeKind.AGENDA_MOVED: RouteClass.AGENDA,
    ChangeKind.AGENDA_CANCELLED: RouteClass.AGENDA,
    ChangeKind.AGENDA_REMOVED: RouteClass.AGENDA,
    ChangeKind.COMMITMENT_NEW: RouteClass.COMMITMENTS,
    ChangeKind.COMMITMENT_STATUS: RouteClass.COMMITMENTS,
    ChangeKind.MOTION_OVERDUE: RouteClass.OVERDUE,
}

# The default rule's caps: a class without a stored route is delivered at the subscriber's own
# frequency, but never more often than this (classes not listed: no cap).
AT_MOST: Mapping[RouteClass, Route] = {
    RouteClass.DOCUMENTS: Route.WEEKLY,
    RouteClass.OVERDUE: Route.DAILY,
}

_ORDER: tuple[Route, ...] = (Route.INSTANT, Route.DAILY, Route.WEEKLY, Route.OFF)

# The routes a channel offers: email is a digest service (no instant mail).
TELEGRAM_ROUTES: tuple[Route, ...] = (Route.INSTANT, Route.DAILY, Route.WEEKLY, Route.OFF)
EMAIL_ROUTES: tuple[Route, ...] = (Route.DAILY, Route.WEEKLY, Route.OFF)


def class_of(kind: ChangeKind | str) -> RouteClass:
    """The class a change kind belongs to."""
    return CLASS_OF[ChangeKind(kind)]


def choices(channel: Channel | str) -> tuple[Route, ...]:
    """The routes a subscriber on ``channel`` may choose."""
    return EMAIL_ROUTES if Channel(channel) is Channel.EMAIL else TELEGRAM_ROUTES


def rank(route: Route | str) -> int:
    """How rarely a route delivers: instant 0, daily 1, weekly 2, off 3."""
    return _ORDER.index(Route(route))


def default_route(cls: RouteClass | str, frequency: Frequency | str) -> Route:
    """A class's route when none is stored: the subscriber's frequency, capped by :data:`AT_MOST`.

    New documents at most weekly, overdue motions at most daily, every other class at the
    subscriber's frequency.
    """
    own = Route(Frequency(frequency).value)
    cap = AT_MOST.get(RouteClass(cls))
    return cap if cap is not None and rank(cap) > rank(own) else own


def defaults(frequency: Frequency | str) -> dict[RouteClass, Route]:
    """Every class's default route for a subscriber of ``frequency`` ("recommended")."""
    return {cls: default_route(cls, frequency) for cls in CLASSES}


def effective(
    stored: Mapping[RouteClass, Route], frequency: Frequency | str
) -> dict[RouteClass, Route]:
    """Every class's route: the stored one, else its default (:func:`default_route`)."""
    return {cls: stored.get(cls, default_route(cls, frequency)) for cls in CLASSES}


# ---------------------------------------------------------------- SQL


def _class_sql(kind: Any) -> ColumnElement[Any]:
    """``changes.kind`` → its class code, in SQL (NULL for a kind without a class)."""
    return case({k.value: c.value for k, c in CLASS_OF.items()}, value=kind, else_=literal(None))


def _load(conn: Connection, owner: Column[Any], owner_id: int) -> dict[RouteClass, Route]:
    """The routes stored in ``owner``'s table for ``owner_id`` (unknown codes are skipped)."""
    table = owner.table
    rows = conn.execute(select(table.c.route_class, table.c.frequency).where(owner == owner_id))
    return {
        RouteClass(cls): Route(frequency)
        for cls, frequency in rows
        if cls in RouteClass.__members__.values() and frequency in Route.__members__.values()
    }


def _store(
    conn: Connection, owner: Column[Any], owner_id: int, cls: RouteClass, route: Route | None
) -> None:
    """Replace one class's route in ``owner``'s table (None: forget it)."""
    table = owner.table
    conn.execute(delete(table).where(owner == owner_id, table.c.route_class == RouteClass(cls)))
    if route is not None:
        conn.execute(
            insert(table).values(
                {
                    owner.name: owner_id,
                    "route_class": RouteClass(cls).value,
                    "frequency": Route(route).value,
                }
            )
        )


def load_routes(conn: Connection, subscriber_id: int) -> dict[RouteClass, Route]:
    """The routes a subscriber stored (classes without one are absent)."""
    return _load(conn, t.subscriber_routes.c.subscriber_id, subscriber_id)


def store_route(conn: Connection, subscriber_id: int, cls: RouteClass, route: Route | None) -> None:
    """Store one class's route (None: forget it, back to the subscriber's frequency)."""
    _store(conn, t.subscriber_routes.c.subscriber_id, subscriber_id, cls, route)


def load_follow_routes(conn: Connection, subscription_id: int) -> dict[RouteClass, Route]:
    """The routes one follow (subscription) stored of its own (classes without one are absent)."""
    return _load(conn, t.subscription_routes.c.subscription_id, subscription_id)


def store_follow_route(
    conn: Connection, subscription_id: int, cls: RouteClass, route: Route | None
) -> None:
    """Store one class's route of one follow (None: forget it, back to the subscriber's)."""
    _store(conn, t.subscription_routes.c.subscription_id, subscription_id, cls, route)


def follow_effective(
    own: Mapping[RouteClass, Route],
    stored: Mapping[RouteClass, Route],
    frequency: Frequency | str,
) -> dict[RouteClass, Route]:
    """A follow's route per class: its own, else its subscriber's stored one, else the default."""
    chat = effective(stored, frequency)
    return {cls: own.get(cls, chat[cls]) for cls in CLASSES}


def store_routes(
    conn: Connection, subscriber_id: int, routes: Mapping[RouteClass, Route] | None
) -> None:
    """Replace every route of a subscriber (None or empty: forget them all)."""
    r = t.subscriber_routes
    conn.execute(delete(r).where(r.c.subscriber_id == subscriber_id))
    rows = [
        {"subscriber_id": subscriber_id, "route_class": c.value, "frequency": v.value}
        for c, v in (routes or {}).items()
    ]
    if rows:
        conn.execute(insert(r), rows)


def _default_sql(kind: Any, frequency: Any) -> ColumnElement[Any]:
    """:func:`default_route` in SQL for ``changes.kind`` and ``subscribers.frequency``: the
    default's route code where it differs from the subscriber's frequency, else NULL."""
    whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = []
    for cls in AT_MOST:
        kinds = [k.value for k, c in CLASS_OF.items() if c is cls]
        for own in Frequency:
            route = default_route(cls, own)
            if route.value != own.value:
                whens.append((and_(kind.in_(kinds), frequency == own.value), literal(route.value)))
    if not whens:  # pragma: no cover - AT_MOST caps at least one class
        return literal(None)
    return case(*whens, else_=literal(None))


def _capped(kinds: set[str]) -> bool:
    """Whether the default rule may route any of ``kinds`` away from the subscriber's frequency."""
    return any(CLASS_OF[ChangeKind(k)] in AT_MOST for k in kinds if k in _KIND_VALUES)


_KIND_VALUES = frozenset(k.value for k in ChangeKind)


def route_fan_out(
    conn: Connection,
    source: Select[Any],
    columns: Sequence[str],
    subscriber_id: ColumnElement[Any],
    change_id: ColumnElement[Any],
    changes: tuple[int, int] | None = None,
) -> tuple[Select[Any], list[str]]:
    """The fan-out's ``INSERT … SELECT`` source with routes applied, and its column names.

    ``source`` selects from ``subscribers`` joined to the (subscriber, change) pairs; ``changes``
    is the range of change ids fanned out. Drops the pairs whose class the subscriber turned
    off and adds the ``frequency`` column: the stored route, else the default
    (:func:`default_route`), NULL where that is the subscriber's own frequency. With no route
    stored anywhere and no change whose default differs from the subscriber's frequency the
    source is returned unchanged (the fan-out's cost stays what it was).
    """
    r, c, sb = t.subscriber_routes, t.changes, t.subscribers
    stored = conn.scalar(select(r.c.subscriber_id).limit(1)) is not None
    if changes is None:
        capped = True
    else:
        kinds = conn.scalars(select(c.c.kind).where(c.c.id.between(*changes)).distinct())
        capped = _capped(set(kinds))
    if not stored and not capped:
        return source, list(columns)
    routed = source.join(c, c.c.id == change_id)
    route: ColumnElement[Any] = _default_sql(c.c.kind, sb.c.frequency)
    if stored:
        routed = routed.outerjoin(
            r, and_(r.c.subscriber_id == subscriber_id, r.c.route_class == _class_sql(c.c.kind))
        ).where(or_(r.c.frequency.is_(None), r.c.frequency != Route.OFF.value))
        route = func.coalesce(r.c.frequency, route)
    return routed.add_columns(func.nullif(route, sb.c.frequency)), [*columns, "frequency"]


def routed_chats(conn: Connection) -> Select[Any] | None:
    """The subscribers with a follow that stored routes of its own (their changes are fanned
    out by :func:`follow_fan_out`, everyone else's as before), or None when there are none."""
    fr, sub = t.subscription_routes, t.subscriptions
    if conn.scalar(select(fr.c.subscription_id).limit(1)) is None:
        return None
    return select(sub.c.subscriber_id).where(sub.c.id.in_(select(fr.c.subscription_id)))


def follow_fan_out(
    matched: Subquery, reachable: ColumnElement[bool], *, ordered: bool
) -> tuple[Select[Any], list[str]]:
    """The fan-out's ``INSERT … SELECT`` source when follows carry routes of their own.

    ``matched`` holds one row per (subscriber, change, subscription) that matched, so a change
    that several follows of a chat match appears once per follow. Each follow's route is its own
    route of the change's class, else its subscriber's, else the default; the chat gets the change
    by the most frequent of them (``off`` only when every matching follow says off): a follow
    that turned a class off does not silence what another follow of the chat brings. ``frequency``
    is NULL where the route is the subscriber's own frequency, as in :func:`route_fan_out`.
    """
    fr, r, c, sb = t.subscription_routes, t.subscriber_routes, t.changes, t.subscribers
    cls = _class_sql(c.c.kind)
    route = func.coalesce(
        fr.c.frequency, r.c.frequency, _default_sql(c.c.kind, sb.c.frequency), sb.c.frequency
    )
    per_follow = (
        select(
            matched.c.subscriber_id,
            matched.c.change_id,
            sb.c.channel,
            sb.c.frequency.label("own"),
            case({x.value: rank(x) for x in Route}, value=route).label("rank"),
        )
        .select_from(
            matched.join(sb, sb.c.id == matched.c.subscriber_id)
            .join(c, c.c.id == matched.c.change_id)
            .outerjoin(
                fr, and_(fr.c.subscription_id == matched.c.subscription_id, fr.c.route_class == cls)
            )
            .outerjoin(
                r, and_(r.c.subscriber_id == matched.c.subscriber_id, r.c.route_class == cls)
            )
        )
        .where(reachable)
        .subquery("per_follow")
    )
    best = func.min(per_follow.c.rank)
    chosen = case({rank(x): literal(x.value) for x in Route if x is not Route.OFF}, value=best)
    source = (
        select(
            per_follow.c.subscriber_id,
            per_follow.c.change_id,
            per_follow.c.channel,
            literal_column(f"'{DeliveryStatus.PENDING.value}'"),
            literal_column("0"),
            func.nullif(chosen, per_follow.c.own),
        )
        .group_by(
            per_follow.c.subscriber_id,
            per_follow.c.change_id,
            per_follow.c.channel,
            per_follow.c.own,
        )
        .having(best < rank(Route.OFF))
    )
    if ordered:
        source = source.order_by(per_follow.c.subscriber_id, per_follow.c.change_id)
    columns = ["subscriber_id", "change_id", "channel", "status", "attempts", "frequency"]
    return source, columns


def frequency_is(frequency: Frequency | str | None) -> ColumnElement[bool]:
    """Outbox rows whose effective frequency is ``frequency`` (every row for None).

    A row's effective frequency is its own (written by a route) or else its subscriber's.
    """
    if frequency is None:
        return true()
    d, sb = t.deliveries, t.subscribers
    value = Frequency(frequency).value
    return or_(
        d.c.frequency == value,
        and_(
            d.c.frequency.is_(None),
            d.c.subscriber_id.in_(select(sb.c.id).where(sb.c.frequency == value)),
        ),
    )
