"""The JSON schemas of the API's objects (``components.schemas`` of ``/openapi.json``): the
shapes ``bot.present`` builds for ``/api/motions``, ``/api/motions/{id}`` and ``/api/changes``,
and the error objects; and the manage form's route fields (issue 17)."""

from __future__ import annotations

from typing import Any

from state.models import ChangeKind, ExecutionStatus, ParliamentaryStatus
from state.routing import CLASSES, EMAIL_ROUTES

__all__ = ["EXECUTION_STATUSES", "PARLIAMENTARY_STATUSES", "ROUTE_FIELDS", "SCHEMAS"]

# The status codes as the API sends them (one list for the schemas and the board parameters).
PARLIAMENTARY_STATUSES: list[str] = [s.value for s in ParliamentaryStatus]
EXECUTION_STATUSES: list[str] = [s.value for s in ExecutionStatus]

SCHEMAS: dict[str, Any] = {
    "ParliamentaryStatus": {
        "type": "string",
        "enum": PARLIAMENTARY_STATUSES,
    },
    "ExecutionStatus": {
        "type": ["string", "null"],
        "enum": [*EXECUTION_STATUSES, None],
    },
    "MotionSummary": {
        "type": "object",
        "required": [
            "id",
            "title",
            "submitters",
            "parliamentary_status",
            "execution_status",
            "updated",
        ],
        "properties": {
            "id": {"type": "string", "examples": ["21501-02-3067"]},
            "title": {"type": "string"},
            "submitters": {"type": "array", "items": {"type": "string"}},
            "parliamentary_status": {"$ref": "#/components/schemas/ParliamentaryStatus"},
            "execution_status": {"$ref": "#/components/schemas/ExecutionStatus"},
            "updated": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "Motion": {
        "allOf": [
            {"$ref": "#/components/schemas/MotionSummary"},
            {
                "type": "object",
                "properties": {
                    "votes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "party": {"type": "string"},
                                "vote": {
                                    "type": "string",
                                    "enum": ["for", "against", "not_participated"],
                                },
                                "seats": {"type": "integer"},
                                "mistake": {"type": "boolean"},
                            },
                        },
                    },
                    "tally": {
                        "type": ["object", "null"],
                        "properties": {
                            "for": {"type": "integer"},
                            "against": {"type": "integer"},
                        },
                    },
                    "cabinet_appraisal": {"type": ["string", "null"]},
                    "decision_source": {
                        "type": ["string", "null"],
                        "description": "the Handelingen item the decision was read "
                        "from, when it is not a Tweede Kamer Besluit record",
                    },
                    "decision_date": {"type": ["string", "null"], "format": "date"},
                    "evidence": {"type": ["string", "null"]},
                    "letter": {"type": ["object", "null"]},
                    "timeline": {"type": "array", "items": {"type": "object"}},
                    "url": {"type": "string"},
                },
            },
        ]
    },
    "Change": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {
                "type": "string",
                "enum": [
                    "new_letter",
                    "new_motion",
                    "status_changed",
                    "vote_recorded",
                    "execution_reported",
                    "motion_replaced",
                    "decision_corrected",
                ],
            },
            "motion": {"type": ["string", "null"]},
            "letter": {"type": ["string", "null"]},
            "summary": {"type": "string"},
            "old": {"type": ["string", "null"]},
            "new": {"type": ["string", "null"]},
            "evidence": {"type": ["string", "null"]},
            "created": {"type": ["string", "null"], "format": "date-time"},
            "url": {"type": ["string", "null"]},
        },
    },
    "Health": {
        "type": "object",
        "properties": {
            "status": {"type": "string"},
            "database": {"type": "string"},
            "email": {"type": "boolean"},
            "sources": {"type": "array", "items": {"type": "object"}},
            "outbox": {"type": "object"},
        },
    },
    "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
    "InvalidValue": {
        "type": "object",
        "required": ["error", "parameter", "allowed"],
        "properties": {
            "error": {"type": "string"},
            "parameter": {"type": "string"},
            "allowed": {"type": "array", "items": {"type": "string"}},
        },
    },
}
# every change kind, the issue-17 ones (motion_overdue, vote_scheduled, …) included
SCHEMAS["Change"]["properties"]["kind"]["enum"] = [kind.value for kind in ChangeKind]

# Issue 17, routing by kind: with `routes` (the address) or `follow_routes` (one follow), one
# field per class of change kinds.
ROUTE_FIELDS: dict[str, Any] = {
    f"route_{cls.value}": {
        "type": "string",
        "enum": ["default", "inherit", *(r.value for r in EMAIL_ROUTES)],
        "description": f"How often `{cls.value}` changes are mailed. With `routes` (every "
        "follow): `default` = the recommended default of the subscription's frequency. With "
        "`follow_routes` (the follow `follow_id` only): `inherit` = no route of its own, the "
        "address's choice holds",
    }
    for cls in CLASSES
}
ROUTE_FIELDS["follow_id"] = {
    "type": "string",
    "pattern": "^[1-9][0-9]{0,8}$",
    "description": "With `follow_routes`: the id of one of this address's follows (the manage "
    "page lists them)",
}
