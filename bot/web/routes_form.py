"""Routing by kind on the email manage page (issue 17, point 4): the per-class choices.

The page shows, per class of change kinds (:class:`state.routing.RouteClass`), a choice among
``default`` (no route: the recommended default derived from the subscription's frequency by
:func:`state.routing.default_route`, shown next to it), ``daily``, ``weekly`` and ``off``; email
is a digest service, so there is no instant route. Posting ``action=routes`` with
``route_<class>`` fields stores them; a value outside the allowed ones is answered 422 with the
allowed values, and nothing is stored. Routes here are per subscriber (every follow of the
address); per-follow routes are set in the Telegram bot only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from state import routing
from state.models import Subscriber
from state.repository import Repository
from state.routing import Route, RouteClass

__all__ = ["DEFAULT", "FIELD", "allowed_values", "parse_routes", "routes_context"]

DEFAULT = "default"
FIELD = "route_"


def allowed_values() -> tuple[str, ...]:
    """What a ``route_<class>`` field may hold."""
    return (DEFAULT, *(r.value for r in routing.EMAIL_ROUTES))


def routes_context(repo: Repository, subscriber: Subscriber) -> dict[str, Any]:
    """The template context of the routes block (runs in a worker thread)."""
    stored = repo.routes(subscriber.id)
    recommended = routing.defaults(subscriber.frequency)
    return {
        "classes": [c.value for c in routing.CLASSES],
        "chosen": {c.value: stored[c].value if c in stored else DEFAULT for c in routing.CLASSES},
        "options": allowed_values(),
        "recommended": {c.value: r.value for c, r in recommended.items()},
    }


def parse_routes(form: Mapping[str, str]) -> tuple[dict[RouteClass, Route | None] | None, str]:
    """The routes a posted form asks for, or None and the field that holds a value not allowed.

    A class whose field is missing is left as it is.
    """
    allowed = allowed_values()
    wanted: dict[RouteClass, Route | None] = {}
    for cls in routing.CLASSES:
        field = FIELD + cls.value
        if field not in form:
            continue
        value = form[field]
        if value not in allowed:
            return None, field
        wanted[cls] = None if value == DEFAULT else Route(value)
    return wanted, ""
