"""Routing by kind on the email manage page (issue 17, point 4): per address and per follow.

The page shows, per class of change kinds (:class:`state.routing.RouteClass`), a choice among
``default`` (no route: the recommended default derived from the subscription's frequency by
:func:`state.routing.default_route`, shown next to it), ``daily``, ``weekly`` and ``off``; email
is a digest service, so there is no instant route. Posting ``action=routes`` with
``route_<class>`` fields stores them for the address (every follow).

Each follow can carry routes of its own, as in the bot's ``/meldingen <follow>``: posting
``action=follow_routes`` with ``follow_id=<its id>`` and ``route_<class>`` fields among ``inherit``
(no own route: the address's choice holds, shown next to it), ``daily``, ``weekly`` and ``off``
stores them for that follow (``subscription_routes``). A change goes by the follow's route, else
the address's, else the default (:func:`state.routing.follow_effective`); the page shows that
effective choice per follow and class.

A value outside the allowed ones is answered 422 with the allowed values; a follow id that is
not one of this address's follows is answered 404; in both cases nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.web.site import Site, page
from state import routing
from state.errors import NotFound
from state.models import Subscriber, Subscription
from state.repository import Repository
from state.routing import Route, RouteClass

__all__ = [
    "DEFAULT",
    "FIELD",
    "FOLLOW",
    "INHERIT",
    "allowed_values",
    "follow_allowed_values",
    "follows_context",
    "parse_follow",
    "parse_routes",
    "routes_context",
    "save",
]

DEFAULT = "default"
INHERIT = "inherit"
FIELD = "route_"
FOLLOW = "follow_id"
_ID = re.compile(r"^[1-9][0-9]{0,8}$")  # an INTEGER key (PostgreSQL int4)


def allowed_values() -> tuple[str, ...]:
    """What a ``route_<class>`` field of the address's form may hold."""
    return (DEFAULT, *(r.value for r in routing.EMAIL_ROUTES))


def follow_allowed_values() -> tuple[str, ...]:
    """What a ``route_<class>`` field of a follow's form may hold."""
    return (INHERIT, *(r.value for r in routing.EMAIL_ROUTES))


def routes_context(repo: Repository, subscriber: Subscriber) -> dict[str, Any]:
    """The template context of the routes block (runs in a worker thread)."""
    stored = repo.routes(subscriber.id)
    recommended = routing.defaults(subscriber.frequency)
    return {
        "classes": [c.value for c in routing.CLASSES],
        "chosen": {c.value: stored[c].value if c in stored else DEFAULT for c in routing.CLASSES},
        "options": allowed_values(),
        "follow_options": follow_allowed_values(),
        "recommended": {c.value: r.value for c, r in recommended.items()},
    }


def follows_context(
    repo: Repository, subscriber: Subscriber, follows: Sequence[tuple[Subscription, str]]
) -> list[dict[str, Any]]:
    """Per follow: its id, description, own choice per class (``inherit`` when it has none),
    the address's route it would inherit, and the effective route (runs in a worker thread)."""
    stored = repo.routes(subscriber.id)
    address = routing.effective(stored, subscriber.frequency)
    blocks: list[dict[str, Any]] = []
    for sub, text in follows:
        if sub.id is None:
            continue
        own = repo.follow_routes(sub.id)
        used = routing.follow_effective(own, stored, subscriber.frequency)
        blocks.append(
            {
                "id": sub.id,
                "text": text,
                "chosen": {c.value: own[c].value if c in own else INHERIT for c in routing.CLASSES},
                "address": {c.value: r.value for c, r in address.items()},
                "effective": {c.value: r.value for c, r in used.items()},
            }
        )
    return blocks


def parse_routes(
    form: Mapping[str, str], allowed: Sequence[str] | None = None, unset: str = DEFAULT
) -> tuple[dict[RouteClass, Route | None] | None, str]:
    """The routes a posted form asks for, or None and the field that holds a value not allowed.

    ``unset`` (``default``, or ``inherit`` for a follow) forgets the class's route. A class whose
    field is missing is left as it is.
    """
    allowed = allowed_values() if allowed is None else allowed
    wanted: dict[RouteClass, Route | None] = {}
    for cls in routing.CLASSES:
        field = FIELD + cls.value
        if field not in form:
            continue
        value = form[field]
        if value not in allowed:
            return None, field
        wanted[cls] = None if value == unset else Route(value)
    return wanted, ""


def parse_follow(form: Mapping[str, str]) -> int | None:
    """The follow id a follow's form names, or None when it is not an id."""
    raw = form.get(FOLLOW, "")
    return int(raw) if _ID.fullmatch(raw) else None


def _invalid(request: Request, field: str, allowed: str) -> Response:
    return page(
        request,
        "message.html",
        status_code=422,
        title_key="error.title",
        text=f"{field}: {allowed}",
    )


async def save(
    request: Request, s: Site, subscriber_id: int, action: str, form: Mapping[str, str]
) -> Response | None:
    """Store ``action`` ``routes`` or ``follow_routes``; None when stored, else the refusal."""
    if action == "routes":
        routes, bad = parse_routes(form)
        if routes is None:
            return _invalid(request, bad, ", ".join(allowed_values()))
        await s.db(s.repo.set_routes, subscriber_id, routes)
        return None
    follow = parse_follow(form)
    if follow is None:
        follows: list[Subscription] = await s.db(s.repo.subscriptions, subscriber_id)
        return _invalid(request, FOLLOW, ", ".join(str(f.id) for f in follows))
    allowed = follow_allowed_values()
    routes, bad = parse_routes(form, allowed, INHERIT)
    if routes is None:
        return _invalid(request, bad, ", ".join(allowed))
    try:
        await s.db(s.repo.set_follow_routes, subscriber_id, follow, routes)
    except NotFound:  # another subscriber's follow (or none): refused, nothing stored
        return page(
            request,
            "message.html",
            status_code=404,
            title_key="unknown.title",
            text_key="unknown.text",
        )
    return None
