"""The JSON schemas of the API's objects (``components.schemas`` of ``/openapi.json``): the
shapes ``bot.present`` builds for ``/api/motions``, ``/api/motions/{id}`` and ``/api/changes``,
and the error objects."""

from __future__ import annotations

from typing import Any

from state.models import ChangeKind

__all__ = ["SCHEMAS"]

SCHEMAS: dict[str, Any] = {
    "ParliamentaryStatus": {
        "type": "string",
        "enum": [
            "submitted",
            "adopted",
            "rejected",
            "held",
            "withdrawn",
            "taken_over",
            "postponed",
            "tied",
            "lapsed",
            "replaced",
            "unknown",
        ],
    },
    "ExecutionStatus": {
        "type": ["string", "null"],
        "enum": ["executed", "in_progress", "not_applicable", "declined", None],
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
