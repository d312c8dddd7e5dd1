"""The Tweede Kamer agenda: planned voting sessions and debates with the Zaken on their agenda.

One query per poll (plus its pages): every activity that is still planned, and every activity
changed since the cursor (so a session that was moved, cancelled or held is seen once more),
with its agenda items (``Agendapunt``), their Zaken and their Besluiten (a Besluit with Status
``Voorstel`` is a proposed decision: the Zaak is up for a vote)::

    Activiteit?$filter=Verwijderd eq false and (Soort eq 'Stemmingen' or …)
                       and (Status eq 'Gepland' or ApiGewijzigdOp gt <cursor>)
              &$expand=Agendapunt($filter=Verwijderd eq false;$expand=Zaak(…),Besluit(…))

Every entity and property name the module sends or reads is in :data:`NAMES` (OData v4/2.0
names, as in the recorded payloads), so that another dialect can map them in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scrapers.base import ParseError
from scrapers.http import HttpClient
from scrapers.odata import any_of, fetch_all, literal, parse_datetime
from scrapers.tweedekamer_records import local_date
from state.agenda import AgendaItem, agenda_status, date_kind

__all__ = ["NAMES", "AgendaResult", "AgendaSource", "parse_activities"]

logger = logging.getLogger(__name__)

Record = dict[str, Any]

# Logical name → OData v4/2.0 name. The only place this module spells an upstream name.
NAMES: dict[str, str] = {
    "activity": "Activiteit",
    "agendapunt": "Agendapunt",
    "zaak": "Zaak",
    "besluit": "Besluit",
    "dossier": "Kamerstukdossier",
    "id": "Id",
    "deleted": "Verwijderd",
    "modified": "ApiGewijzigdOp",
    "kind": "Soort",
    "status": "Status",
    "number": "Nummer",
    "subject": "Onderwerp",
    "date": "Datum",
    "date_kind": "DatumSoort",
    "start": "Aanvangstijd",
    "end": "Eindtijd",
    "location": "Locatie",
    "appraisal": "Kabinetsappreciatie",
    "addition": "Toevoeging",
    # values
    "vote": "Stemmingen",
    "committee_debate": "Commissiedebat",
    "plenary_debate": "Plenair debat",
    "planned": "Gepland",
    "proposal": "Voorstel",
}

SOURCE_NAME = "tweedekamer-agenda"


def _query(cursor: str | None) -> dict[str, str]:
    n = NAMES
    kinds = any_of(
        [
            f"{n['kind']} eq {literal(n['vote'])}",
            f"{n['kind']} eq {literal(n['committee_debate'])}",
            f"startswith({n['kind']},{literal(n['plenary_debate'])})",
        ]
    )
    current = [f"{n['status']} eq {literal(n['planned'])}"]
    moment = parse_datetime(cursor)
    if moment is not None:
        current.append(f"{n['modified']} gt {literal(moment)}")
    zaak = (
        f"{n['zaak']}($filter={n['deleted']} eq false;"
        f"$select={n['id']},{n['number']},{n['kind']},{n['subject']},{n['appraisal']};"
        f"$expand={n['dossier']}($select={n['number']},{n['addition']}))"
    )
    besluit = f"{n['besluit']}($filter={n['deleted']} eq false;$select={n['id']},{n['status']})"
    expand = (
        f"{n['agendapunt']}($filter={n['deleted']} eq false;"
        f"$select={n['id']},{n['subject']};$expand={zaak},{besluit})"
    )
    return {
        "$filter": f"{n['deleted']} eq false and {kinds} and {any_of(current)}",
        "$expand": expand,
        "$orderby": f"{n['modified']},{n['id']}",
    }


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _dossier(zaak: Record) -> str | None:
    raw = zaak.get(NAMES["dossier"])
    rows = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    for row in rows:
        number = row.get(NAMES["number"])
        if number is None:
            continue
        addition = _text(row.get(NAMES["addition"]))
        return f"{number}-{addition}" if addition else str(number)
    return None


def parse_activities(rows: list[Record]) -> tuple[list[AgendaItem], list[str]]:
    """Agenda items (one per Zaak on an agenda item) and the ids of every activity seen."""
    n = NAMES
    items: list[AgendaItem] = []
    activities: list[str] = []
    for row in rows:
        activity_id = str(row[n["id"]]).lower()
        activities.append(activity_id)
        start = parse_datetime(row.get(n["start"]))
        base: dict[str, Any] = {
            "activity_id": activity_id,
            "activity_nummer": str(row.get(n["number"]) or activity_id),
            "kind": _text(row.get(n["kind"])) or "",
            "subject": _text(row.get(n["subject"])) or "",
            "status": agenda_status(row.get(n["status"])),
            "status_raw": _text(row.get(n["status"])),
            "day": local_date(row.get(n["date"])),
            "start": start,
            "end": parse_datetime(row.get(n["end"])),
            "date_kind": date_kind(row.get(n["date_kind"])),
            "location": _text(row.get(n["location"])),
        }
        points = row.get(n["agendapunt"]) or []
        if not isinstance(points, list):
            raise ParseError(SOURCE_NAME, f"{n['agendapunt']} is not a list")
        for point in points:
            proposal = any(
                str(b.get(n["status"]) or "") == n["proposal"]
                for b in point.get(n["besluit"]) or []
            )
            for zaak in point.get(n["zaak"]) or []:
                items.append(
                    AgendaItem(
                        **base,
                        zaak_id=str(zaak[n["id"]]).lower(),
                        agendapunt_id=str(point.get(n["id"]) or "").lower() or None,
                        agendapunt_subject=_text(point.get(n["subject"])),
                        zaak_nummer=_text(zaak.get(n["number"])),
                        zaak_kind=_text(zaak.get(n["kind"])),
                        title=_text(zaak.get(n["subject"])),
                        appraisal=_text(zaak.get(n["appraisal"])),
                        dossier=_dossier(zaak),
                        proposal=proposal,
                    )
                )
    return items, activities


@dataclass(frozen=True, slots=True)
class AgendaResult:
    """One agenda poll: the items, the activities seen, the next cursor, the requests made."""

    items: tuple[AgendaItem, ...]
    activities: tuple[str, ...]
    cursor: str | None
    requests: int


class AgendaSource:
    """The planned voting sessions and debates of the Tweede Kamer (OData v4)."""

    name = SOURCE_NAME

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    async def poll(self, client: HttpClient, cursors: Mapping[str, str]) -> AgendaResult:
        """Fetch the planned activities and those changed since the ``activiteit`` cursor."""
        started = client.requests_made
        cursor = cursors.get("activiteit")
        url = f"{self.base_url}/{NAMES['activity']}"
        rows = await fetch_all(client, url, _query(cursor))
        try:
            items, activities = parse_activities(rows)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ParseError(url, f"unexpected record shape: {type(exc).__name__}: {exc}") from exc
        stamps = [parse_datetime(r.get(NAMES["modified"])) for r in rows]
        latest = max((s for s in stamps if s is not None), default=None)
        known = parse_datetime(cursor)
        if latest is not None and (known is None or latest > known):
            cursor = _iso(latest)
        return AgendaResult(
            items=tuple(items),
            activities=tuple(activities),
            cursor=cursor,
            requests=client.requests_made - started,
        )


def _iso(moment: datetime) -> str:
    return moment.isoformat()
