"""The Tweede Kamer agenda: planned voting sessions and debates with the Zaken on their agenda.

One query per poll (plus its pages): every activity that is still planned, and every activity
changed since the cursor (so a session that was moved, cancelled or held is seen once more),
with its agenda items (``Agendapunt``), their Zaken and their Besluiten (a Besluit with Status
``Voorstel`` is a proposed decision: the Zaak is up for a vote)::

    Activiteit?$filter=(Verwijderd eq false and (Soort eq 'Stemmingen' or …)
                        and (Status eq 'Gepland' or ApiGewijzigdOp gt <cursor>))
                       or (Verwijderd eq true and ApiGewijzigdOp gt <cursor>)
              &$expand=Agendapunt($filter=Verwijderd eq false;$expand=Zaak(…),Besluit(…))

An activity deleted upstream stays in the Gegevensmagazijn as a row with ``Verwijderd`` true and
every other property null (as the recorded deleted Besluit and Stemming rows show), so its
``Soort`` is unknown: deleted rows changed since the cursor are asked for whatever their kind.
:func:`parse_activities` lists such an activity as seen with no items, so its stored items are
taken off the agenda (followers of a motion on it get "taken off the list" once).

The module speaks the logical (OData v4/2.0) names of ``scrapers.odata_schema.NAMES`` (use
``agenda``): the server's ``$metadata`` decides what each is called there (v4/2.0 or v5), rows
come back under the logical names, and a schema that lacks a property the agenda needs fails the
source with one ``SchemaMismatch`` line naming it, as the motions source does.
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
from scrapers.odata_schema import Dialect
from scrapers.tweedekamer_dialect import DialectReader
from scrapers.tweedekamer_records import local_date
from state.agenda import AgendaItem, agenda_status, date_kind

__all__ = ["AgendaResult", "AgendaSource", "parse_activities"]

logger = logging.getLogger(__name__)

Record = dict[str, Any]

ACTIVITY = "Activiteit"
POINT = "Agendapunt"
# values
VOTE = "Stemmingen"
COMMITTEE_DEBATE = "Commissiedebat"
PLENARY_DEBATE = "Plenair debat"
PLANNED = "Gepland"
PROPOSAL = "Voorstel"

SOURCE_NAME = "tweedekamer-agenda"


def _query(d: Dialect, cursor: str | None) -> dict[str, str]:
    def a(name: str) -> str:
        return d.p(ACTIVITY, name)

    kinds = any_of(
        [
            f"{a('Soort')} eq {literal(VOTE)}",
            f"{a('Soort')} eq {literal(COMMITTEE_DEBATE)}",
            f"startswith({a('Soort')},{literal(PLENARY_DEBATE)})",
        ]
    )
    current = [f"{a('Status')} eq {literal(PLANNED)}"]
    moment = parse_datetime(cursor)
    if moment is not None:
        current.append(f"{a('ApiGewijzigdOp')} gt {literal(moment)}")
    dossier = _options(d.select("Kamerstukdossier", "Nummer", "Toevoeging"))
    zaak = _options(
        d.select("Zaak", "Id", "Nummer", "Soort", "Onderwerp", "Kabinetsappreciatie"),
        f"{d.p('Zaak', 'Kamerstukdossier')}{dossier}",
        live=d.p("Zaak", "Verwijderd"),
    )
    besluit = _options(d.select("Besluit", "Id", "Status"), live=d.p("Besluit", "Verwijderd"))
    expand = _options(
        d.select(POINT, "Id", "Onderwerp"),
        f"{d.p(POINT, 'Zaak')}{zaak},{d.p(POINT, 'Besluit')}{besluit}",
        live=d.p(POINT, "Verwijderd"),
    )
    live = f"{a('Verwijderd')} eq false and {kinds} and {any_of(current)}"
    if moment is not None:  # issue 17: activities deleted since the cursor
        live = f"({live}) or ({a('Verwijderd')} eq true and {current[-1]})"
    return {
        "$filter": live,
        "$expand": f"{a(POINT)}{expand}",
        "$orderby": f"{a('ApiGewijzigdOp')},{a('Id')}",
    }


def _options(select: str, expand: str = "", *, live: str = "") -> str:
    """Nested query options: ``($filter=<live> eq false;$select=…;$expand=…)``, empty ones out."""
    parts = [f"$filter={live} eq false" if live else "", f"$select={select}" if select else ""]
    parts.append(f"$expand={expand}" if expand else "")
    joined = ";".join(p for p in parts if p)
    return f"({joined})" if joined else ""


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _dossier(zaak: Record) -> str | None:
    raw = zaak.get("Kamerstukdossier")
    rows = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    for row in rows:
        number = row.get("Nummer")
        if number is None:
            continue
        addition = _text(row.get("Toevoeging"))
        return f"{number}-{addition}" if addition else str(number)
    return None


def parse_activities(rows: list[Record]) -> tuple[list[AgendaItem], list[str]]:
    """Agenda items (one per Zaak on an agenda item) and the ids of every activity seen.

    A deleted activity (``Verwijderd`` true) is seen with no items.
    """
    items: list[AgendaItem] = []
    activities: list[str] = []
    for row in rows:
        activity_id = str(row["Id"]).lower()
        activities.append(activity_id)
        if row.get("Verwijderd") is True:
            logger.info("agenda: activity %s deleted upstream", activity_id)
            continue
        start = parse_datetime(row.get("Aanvangstijd"))
        base: dict[str, Any] = {
            "activity_id": activity_id,
            "activity_nummer": str(row.get("Nummer") or activity_id),
            "kind": _text(row.get("Soort")) or "",
            "subject": _text(row.get("Onderwerp")) or "",
            "status": agenda_status(row.get("Status")),
            "status_raw": _text(row.get("Status")),
            "day": local_date(row.get("Datum")),
            "start": start,
            "end": parse_datetime(row.get("Eindtijd")),
            "date_kind": date_kind(row.get("DatumSoort")),
            "location": _text(row.get("Locatie")),
        }
        points = row.get(POINT) or []
        if not isinstance(points, list):
            raise ParseError(SOURCE_NAME, f"{POINT} is not a list")
        for point in points:
            proposal = any(
                str(b.get("Status") or "") == PROPOSAL for b in point.get("Besluit") or []
            )
            for zaak in point.get("Zaak") or []:
                items.append(
                    AgendaItem(
                        **base,
                        zaak_id=str(zaak["Id"]).lower(),
                        agendapunt_id=str(point.get("Id") or "").lower() or None,
                        agendapunt_subject=_text(point.get("Onderwerp")),
                        zaak_nummer=_text(zaak.get("Nummer")),
                        zaak_kind=_text(zaak.get("Soort")),
                        title=_text(zaak.get("Onderwerp")),
                        appraisal=_text(zaak.get("Kabinetsappreciatie")),
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
    """The planned voting sessions and debates of the Tweede Kamer (OData v4/2.0 or v5)."""

    name = SOURCE_NAME

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._schema = DialectReader(self.base_url, "agenda", self.name)

    async def poll(self, client: HttpClient, cursors: Mapping[str, str]) -> AgendaResult:
        """Fetch the planned activities and those changed since the ``activiteit`` cursor."""
        started = client.requests_made
        cursor = cursors.get("activiteit")
        url = f"{self.base_url}/{ACTIVITY}"

        async def fetch(d: Dialect) -> tuple[Dialect, list[Record]]:
            return d, await fetch_all(client, url, _query(d, cursor))

        dialect, raw = await self._schema.run(client, fetch)
        try:
            rows = [dialect.to_logical(ACTIVITY, r) for r in raw]
            items, activities = parse_activities(rows)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ParseError(url, f"unexpected record shape: {type(exc).__name__}: {exc}") from exc
        stamps = [parse_datetime(r.get("ApiGewijzigdOp")) for r in rows]
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
