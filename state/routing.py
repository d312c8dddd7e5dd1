"""Routing by kind (issue 17, point 4): which change classes a subscriber wants, and how often.

Every :class:`~state.models.ChangeKind` belongs to one user-facing :class:`RouteClass`
(:data:`CLASS_OF`, the one mapping). A subscriber may store, per class, a :class:`Route`:
``instant``, ``daily``, ``weekly`` or ``off`` (table ``subscriber_routes``). A class without a
stored route follows the subscriber's own frequency (``subscribers.frequency``, set by
``/digest`` or the email form) — exactly what every subscriber got before routes existed, so the
migration adds no rows and nobody's deliveries change until they choose.

:data:`RECOMMENDED` is the preset the settings offer in one tap ("status changes at once, new
documents weekly"): status, execution reports, the agenda and commitments at once, overdue
motions daily, new documents weekly.

The outbox applies routes when it fans a change out (:func:`route_fan_out`): a class that is
``off`` gets no delivery row, any other route writes its frequency on the row
(``deliveries.frequency``; NULL means "the subscriber's frequency"), and the workers claim rows
by that effective frequency (:func:`frequency_is`), so a weekly class waits for the weekly digest
while the same chat's status changes go out at once. Changing a route affects changes fanned out
afterwards; rows already queued keep the frequency they were queued with.

Pure mapping and SQL expressions; the repository runs them (its ``routes`` / ``set_route``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    delete,
    insert,
    literal,
    or_,
    select,
    true,
)

from state import schema as t
from state.models import ChangeKind, Channel, Frequency

__all__ = [
    "CLASSES",
    "CLASS_OF",
    "EMAIL_ROUTES",
    "RECOMMENDED",
    "TELEGRAM_ROUTES",
    "Route",
    "RouteClass",
    "choices",
    "class_of",
    "effective",
    "frequency_is",
    "load_routes",
    "route_fan_out",
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

RECOMMENDED: Mapping[RouteClass, Route] = {
    RouteClass.STATUS: Route.INSTANT,
    RouteClass.EXECUTION: Route.INSTANT,
    RouteClass.DOCUMENTS: Route.WEEKLY,
    RouteClass.AGENDA: Route.INSTANT,
    RouteClass.COMMITMENTS: Route.INSTANT,
    RouteClass.OVERDUE: Route.DAILY,
}

# The routes a channel offers: email is a digest service (no instant mail).
TELEGRAM_ROUTES: tuple[Route, ...] = (Route.INSTANT, Route.DAILY, Route.WEEKLY, Route.OFF)
EMAIL_ROUTES: tuple[Route, ...] = (Route.DAILY, Route.WEEKLY, Route.OFF)


def class_of(kind: ChangeKind | str) -> RouteClass:
    """The class a change kind belongs to."""
    return CLASS_OF[ChangeKind(kind)]


def choices(channel: Channel | str) -> tuple[Route, ...]:
    """The routes a subscriber on ``channel`` may choose."""
    return EMAIL_ROUTES if Channel(channel) is Channel.EMAIL else TELEGRAM_ROUTES


def effective(
    stored: Mapping[RouteClass, Route], frequency: Frequency | str
) -> dict[RouteClass, Route]:
    """Every class's route: the stored one, else the subscriber's own frequency."""
    own = Route(Frequency(frequency).value)
    return {cls: stored.get(cls, own) for cls in CLASSES}


def recommended_for(channel: Channel | str) -> dict[RouteClass, Route]:
    """:data:`RECOMMENDED`, with what a channel cannot do moved to the nearest it can."""
    allowed = choices(channel)
    return {cls: r if r in allowed else Route.DAILY for cls, r in RECOMMENDED.items()}


# ---------------------------------------------------------------- SQL


def _class_sql(kind: Any) -> ColumnElement[Any]:
    """``changes.kind`` → its class code, in SQL (NULL for a kind without a class)."""
    return case({k.value: c.value for k, c in CLASS_OF.items()}, value=kind, else_=literal(None))


def load_routes(conn: Connection, subscriber_id: int) -> dict[RouteClass, Route]:
    """The routes a subscriber stored (classes without one are absent)."""
    r = t.subscriber_routes
    rows = conn.execute(
        select(r.c.route_class, r.c.frequency).where(r.c.subscriber_id == subscriber_id)
    )
    found: dict[RouteClass, Route] = {}
    for cls, frequency in rows:
        if cls in RouteClass.__members__.values() and frequency in Route.__members__.values():
            found[RouteClass(cls)] = Route(frequency)
    return found


def store_route(conn: Connection, subscriber_id: int, cls: RouteClass, route: Route | None) -> None:
    """Store one class's route (None: forget it, back to the subscriber's frequency)."""
    r = t.subscriber_routes
    conn.execute(
        delete(r).where(r.c.subscriber_id == subscriber_id, r.c.route_class == RouteClass(cls))
    )
    if route is not None:
        conn.execute(
            insert(r).values(
                subscriber_id=subscriber_id,
                route_class=RouteClass(cls).value,
                frequency=Route(route).value,
            )
        )


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


def route_fan_out(
    conn: Connection,
    source: Select[Any],
    columns: Sequence[str],
    subscriber_id: ColumnElement[Any],
    change_id: ColumnElement[Any],
) -> tuple[Select[Any], list[str]]:
    """The fan-out's ``INSERT … SELECT`` source with routes applied, and its column names.

    Drops the (subscriber, change) pairs whose class the subscriber turned off and adds the
    ``frequency`` column (the route's, NULL for none). With no route stored anywhere the source
    is returned unchanged (the fan-out's cost stays what it was).
    """
    r, c = t.subscriber_routes, t.changes
    if conn.scalar(select(r.c.subscriber_id).limit(1)) is None:
        return source, list(columns)
    routed = (
        source.join(c, c.c.id == change_id)
        .outerjoin(
            r, and_(r.c.subscriber_id == subscriber_id, r.c.route_class == _class_sql(c.c.kind))
        )
        .where(or_(r.c.frequency.is_(None), r.c.frequency != Route.OFF.value))
        .add_columns(r.c.frequency)
    )
    return routed, [*columns, "frequency"]


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
