"""The OpenAPI 3.1 description served at ``/openapi.json``: a static document kept next to the
routes (``bot/web/app.py``); a test checks that every route is described here and vice versa."""

from __future__ import annotations

from typing import Any

from bot.web.openapi_schemas import (
    EXECUTION_STATUSES,
    PARLIAMENTARY_STATUSES,
    ROUTE_FIELDS,
    SCHEMAS,
)

__all__ = ["SPEC"]

_ID = {
    "name": "motion_id",
    "in": "path",
    "required": True,
    "description": (
        "Canonical Kamerstuk id of the motion (21501-02-3067), or its Tweede Kamer Zaak number "
        "(2020Z21194) when no document gives it a Kamerstuk number"
    ),
    "schema": {
        "type": "string",
        "pattern": r"^(?:[1-9]\d{3,5}(-[0-9A-Za-z]{1,5})?-[1-9]\d{0,4}|(?:19|20)\d{2}Z\d{5})$",
    },
}
_TOKEN = {
    "name": "token",
    "in": "path",
    "required": True,
    "description": "Signed, expiring token from a mail (a bad or expired one: 400)",
    "schema": {"type": "string"},
}
_HTML_ERROR: dict[str, Any] = {"content": {"text/html": {}}}
_BAD_TOKEN = {"description": "Bad or expired token: the page says so", **_HTML_ERROR}
_UNKNOWN = {"description": "The token's subscriber no longer exists", **_HTML_ERROR}
_EMAIL_OFF = {"description": "Email is not configured, or the mail server failed", **_HTML_ERROR}
_THROTTLED = {"description": "Too many mails to this address; try later", **_HTML_ERROR}
_SUBSCRIBE_FIELDS: dict[str, Any] = {
    "email": {"type": "string", "format": "email", "maxLength": 254},
    "follow": {
        "type": "string",
        "enum": ["all", "motion", "dossier", "keyword"],
        "description": "What to follow (default `all`)",
    },
    "value": {
        "type": "string",
        "description": "The motion id, dossier or keyword (2 to 60 characters); ignored for `all`",
    },
    "frequency": {"type": "string", "enum": ["daily", "weekly"]},
}


def _form(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}


def _loose(param: dict[str, Any]) -> dict[str, Any]:
    """A board parameter as the HTML page takes it: any text, unknown values are ignored."""
    values = param["schema"].get("enum")
    description = param.get("description", param["name"])
    if param["schema"].get("type") == "integer":
        description += " (other values count as the default)"
    if values:
        description += f" ({', '.join(values)}; other values are ignored)"
    return {**param, "description": description, "schema": {"type": "string"}}


_BOARD_PARAMS: list[dict[str, Any]] = [
    {
        "name": "status",
        "in": "query",
        "description": "Parliamentary status code (adopted, rejected, …)",
        "schema": {
            "type": "string",
            "enum": PARLIAMENTARY_STATUSES,
        },
    },
    {
        "name": "execution",
        "in": "query",
        "description": "Execution status code, or `none` for no report yet",
        "schema": {
            "type": "string",
            "enum": [*EXECUTION_STATUSES, "none"],
        },
    },
    {
        "name": "q",
        "in": "query",
        "description": "Words that must all occur (id, title, submitters, text)",
        "schema": {"type": "string"},
    },
    {
        "name": "sort",
        "in": "query",
        "schema": {
            "type": "string",
            "enum": ["id", "title", "status", "execution", "date", "updated"],
        },
    },
    {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
    {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["nl", "en"]}},
]


def _html(
    summary: str,
    *,
    params: list[dict[str, Any]] | None = None,
    not_found: bool = False,
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "HTML page", "content": {"text/html": {}}},
    }
    if not_found:
        responses["404"] = {
            "description": "Unknown motion: the 404 page",
            "content": {"text/html": {}},
        }
    op: dict[str, Any] = {"summary": summary, "tags": ["pages"], "responses": responses}
    if params:
        op["parameters"] = params
    return op


def _token_page(summary: str) -> dict[str, Any]:
    op = _html(summary, params=[_TOKEN])
    op["responses"]["400"] = _BAD_TOKEN
    op["responses"]["404"] = _UNKNOWN
    return op


def _json(
    summary: str,
    schema: dict[str, Any],
    *,
    params: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
        **(extra or {}),
    }
    op: dict[str, Any] = {"summary": summary, "tags": ["api"], "responses": responses}
    if params:
        op["parameters"] = params
    return op


_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_ATOM = {"200": {"description": "Atom 1.0 feed", "content": {"application/atom+xml": {}}}}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "kamerwacht",
        "version": "1",
        "description": (
            "Motions in the Dutch House of Representatives on one topic, their votes per party "
            "and the cabinet's execution reports. JSON shapes equal `kamerwacht motions --json`, "
            "`kamerwacht status ID --json` and `kamerwacht changes --json`."
        ),
    },
    "paths": {
        "/": {
            "get": _html(
                "The motion board: filter, search, sort",
                params=[_loose(p) for p in _BOARD_PARAMS],
            )
        },
        "/motie/{motion_id}": {
            "get": _html(
                "A motion: text, votes chart, timeline, reports", params=[_ID], not_found=True
            )
        },
        "/motie/{motion_id}/feed.atom": {
            "get": {
                "summary": "Atom feed of one motion's changes",
                "tags": ["feeds"],
                "parameters": [_ID],
                "responses": {**_ATOM, "404": {"description": "Unknown motion"}},
            }
        },
        "/brieven": {
            "get": _html("Government letters, newest first, with the motions they report on")
        },
        "/feed.atom": {
            "get": {"summary": "Atom feed of every change", "tags": ["feeds"], "responses": _ATOM}
        },
        "/api/motions": {
            "get": _json(
                "Every tracked motion (the board)",
                {"type": "array", "items": {"$ref": "#/components/schemas/MotionSummary"}},
                params=[p for p in _BOARD_PARAMS if p["name"] != "lang"],
                extra={
                    "422": {
                        "description": "A value outside a parameter's allowed set; the answer "
                        "names the parameter and its allowed values",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/InvalidValue"}
                            }
                        },
                    }
                },
            )
        },
        "/api/motions/{motion_id}": {
            "get": _json(
                "One motion with votes, evidence, letter and timeline",
                {"$ref": "#/components/schemas/Motion"},
                params=[_ID],
                extra={"404": {"description": "Unknown motion", **_ERROR}},
            )
        },
        "/api/changes": {
            "get": _json(
                "Changes after `since`, oldest first (at most 1000 per call)",
                {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                params=[
                    {
                        "name": "since",
                        "in": "query",
                        "description": "RFC 3339 time, or the id of the last change seen",
                        "schema": {
                            "anyOf": [
                                {"type": "string", "format": "date-time"},
                                {"type": "string", "pattern": "^[0-9]{1,18}$"},
                            ]
                        },
                    },
                    {"name": "motion", "in": "query", "schema": {"type": "string"}},
                ],
                extra={"400": {"description": "Bad `since`", **_ERROR}},
            )
        },
        "/healthz": {
            "get": _json(
                "Database reachable; each source's last successful poll",
                {"$ref": "#/components/schemas/Health"},
                extra={"503": {"description": "Database unreachable", **_ERROR}},
            )
        },
        "/openapi.json": {"get": _json("This document", {"type": "object"})},
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics: polls, errors per source, changes, deliveries, "
                "outbox depth, Telegram 429s",
                "tags": ["operations"],
                "responses": {
                    "200": {
                        "description": "Prometheus text exposition format 0.0.4",
                        "content": {"text/plain": {}},
                    }
                },
            }
        },
        "/abonneren": {
            "get": _html("The email subscription form"),
            "post": {
                "summary": "Request a subscription: sends the double opt-in mail",
                "tags": ["subscription"],
                "requestBody": _form(_SUBSCRIBE_FIELDS, ["email"]),
                "responses": {
                    "200": {"description": "Check your inbox", "content": {"text/html": {}}},
                    "400": {
                        "description": "Invalid form (the page names each problem)",
                        **_HTML_ERROR,
                    },
                    "429": _THROTTLED,
                    "503": _EMAIL_OFF,
                },
            },
        },
        "/abonnement": {
            "get": _html("The subscription form with the request for a manage link"),
            "post": {
                "summary": "Mail a manage link to a subscribed address",
                "tags": ["subscription"],
                "requestBody": _form({"email": _SUBSCRIBE_FIELDS["email"]}, ["email"]),
                "responses": {
                    "200": {"description": "Check your inbox", "content": {"text/html": {}}},
                    "400": {"description": "Not an email address", **_HTML_ERROR},
                    "503": _EMAIL_OFF,
                },
            },
        },
        "/bevestigen/{token}": {
            "get": _token_page("Page with the Confirm button (changes nothing)"),
            "post": {
                "summary": "Confirm the subscription",
                "tags": ["subscription"],
                "parameters": [_TOKEN],
                "responses": {
                    "200": {"description": "Confirmed", **_HTML_ERROR},
                    "400": _BAD_TOKEN,
                    "404": _UNKNOWN,
                },
            },
        },
        "/afmelden/{token}": {
            "get": _token_page("Page with the Unsubscribe button (changes nothing)"),
            "post": {
                "summary": "Unsubscribe; RFC 8058 one-click (body `List-Unsubscribe=One-Click`)",
                "tags": ["subscription"],
                "parameters": [_TOKEN],
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "List-Unsubscribe": {"type": "string", "const": "One-Click"}
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {"description": "Unsubscribed", **_HTML_ERROR},
                    "400": _BAD_TOKEN,
                    "404": _UNKNOWN,
                },
            },
        },
        "/abonnement/{token}": {
            "get": _token_page("The manage page"),
            "post": {
                "summary": "Change frequency, language, subscriptions; unsubscribe; erase",
                "tags": ["subscription"],
                "parameters": [_TOKEN],
                "requestBody": _form(
                    {
                        "action": {
                            "type": "string",
                            "enum": [
                                "frequency",
                                "language",
                                "routes",
                                "follow_routes",
                                "add",
                                "remove",
                                "resume",
                                "unsubscribe",
                                "delete",
                            ],
                        },
                        "frequency": _SUBSCRIBE_FIELDS["frequency"],
                        "language": {"type": "string", "enum": ["nl", "en"]},
                        "follow": _SUBSCRIBE_FIELDS["follow"],
                        "kind": {
                            "type": "string",
                            "enum": ["all", "motion", "dossier", "keyword"],
                            "description": "With `remove`: the kind of subscription to remove",
                        },
                        "value": _SUBSCRIBE_FIELDS["value"],
                        **ROUTE_FIELDS,
                    },
                    ["action"],
                ),
                "responses": {
                    "200": {"description": "Unsubscribed or erased", **_HTML_ERROR},
                    "303": {"description": "Saved: back to the manage page"},
                    "400": _BAD_TOKEN,
                    "404": {
                        **_UNKNOWN,
                        "description": "No such email subscriber, or a `follow_id` that is not "
                        "one of this address's follows (nothing is stored)",
                    },
                    "422": {
                        "description": "A frequency, language, route or `follow_id` outside the "
                        "allowed values (the page names them; nothing is stored)",
                        **_HTML_ERROR,
                    },
                },
            },
        },
        "/favicon.ico": {
            "get": {
                "summary": "The site's icon",
                "tags": ["pages"],
                "responses": {"200": {"description": "ICO", "content": {"image/x-icon": {}}}},
            }
        },
        "/robots.txt": {
            "get": {
                "summary": "Crawler rules: pages with tokens in their links are excluded",
                "tags": ["pages"],
                "responses": {"200": {"description": "robots.txt", "content": {"text/plain": {}}}},
            }
        },
    },
    "components": {"schemas": SCHEMAS},
}

# Paging (RFC 8288) of every list: added to the list operations above.
_PAGING: list[dict[str, Any]] = [
    {
        "name": "limit",
        "in": "query",
        "description": "Items per page (default 100; larger values count as 1000)",
        "schema": {"type": "integer", "minimum": 1, "default": 100},
    },
    {
        "name": "cursor",
        "in": "query",
        "description": "Where the page starts: copy it from the `Link` header's next URL",
        "schema": {"type": "string"},
    },
]
_NEXT = {
    "Link": {
        "description": 'RFC 8288 `<URL>; rel="next"`: the next page; absent on the last page',
        "schema": {"type": "string"},
    }
}
for _path in ("/", "/brieven", "/api/motions", "/api/changes"):
    _op = SPEC["paths"][_path]["get"]
    _op["parameters"] = [*_op.get("parameters", []), *_PAGING]
    _op["responses"]["200"]["headers"] = {**_op["responses"]["200"].get("headers", {}), **_NEXT}
    if _path.startswith("/api/"):
        _op["responses"].setdefault("400", {"description": "Bad `limit` or `cursor`", **_ERROR})
SPEC["paths"]["/api/changes"]["get"]["summary"] = "Changes after `since`, oldest first, paged"
# The HTML pages take any text in their query (other values are ignored); the JSON API names the
# closed sets, where an empty value means "no filter" (the default order).
for _path in ("/", "/brieven"):
    _op = SPEC["paths"][_path]["get"]
    _op["parameters"] = [_loose(p) if p["name"] == "limit" else p for p in _op["parameters"]]
for _param in SPEC["paths"]["/api/motions"]["get"]["parameters"]:
    if "enum" in _param["schema"]:
        _param["schema"] = {**_param["schema"], "enum": [*_param["schema"]["enum"], ""]}
for _path in ("/api/motions", "/api/changes"):  # the API's cursors are whole numbers
    SPEC["paths"][_path]["get"]["parameters"] = [
        {**p, "schema": {"type": "string", "pattern": "^[0-9]{0,18}$"}}
        if p["name"] == "cursor"
        else p
        for p in SPEC["paths"][_path]["get"]["parameters"]
    ]
# issue 17: the agenda and its iCalendar feeds
_ICS = {
    "200": {"description": "iCalendar (RFC 5545)", "content": {"text/calendar": {}}},
}
SPEC["paths"].update(
    {
        "/agenda": {
            "get": _html(
                "The tracked motions on planned voting sessions and debates, soonest first"
            )
        },
        "/agenda.ics": {
            "get": {
                "summary": "The agenda as an iCalendar feed: one event per motion and session",
                "tags": ["feeds"],
                "responses": _ICS,
            }
        },
        "/toezeggingen": {
            "get": _html("The cabinet's commitments on the topic, with status and letter")
        },
        "/toezeggingen/feed.atom": {
            "get": {
                "summary": "Atom feed of the commitment changes",
                "tags": ["feeds"],
                "responses": _ATOM,
            }
        },
        "/motie/{motion_id}/agenda.ics": {
            "get": {
                "summary": "One motion's planned sessions as iCalendar (empty when none)",
                "tags": ["feeds"],
                "parameters": [_ID],
                "responses": {**_ICS, "404": {"description": "Not a motion id"}},
            }
        },
    }
)
