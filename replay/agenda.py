"""Replay of the Tweede Kamer agenda: a voting session before and after its vote (issue 17).

The records are the real ones in ``replay/data/agenda/`` (byte copies of
``fixtures/upstream/tweedekamer-odata/agenda/``; read its SOURCES.md): the Stemmingen session
2025A06526 of 2 October 2025, its 27 agenda items, the 16 motions on them as recorded before the
vote, their 88 ``Voorstel`` Besluiten, the same 16 Besluiten after the vote (with the agenda item
and Zaken nested, which give the links the re-serialised dumps lost) and one verbatim Stemming
page with the party votes of 7 of those Besluiten.

What is DERIVED, and why:

* **the session before the vote** (:data:`PRE_VOTE_CHANGES`): the recorded session record was
  taken at 00:08 on 3 October, after the vote, with Status ``Uitgevoerd``. Before the vote it
  was ``Gepland`` (like the three planned sessions recorded with it), without an end time; its
  ApiGewijzigdOp is set
  to the last recorded change of its agenda items before the vote (2025-10-02T19:00:16Z);
* **links**: Activiteit ↔ Agendapunt ↔ Zaak and Agendapunt ↔ Besluit come from the post-vote
  records' nesting (``Agendapunt_Id``, ``Activiteit_Id``, ``Zaak[]``). Besluit ↔ Zaak is not
  recorded; it is linked only where an agenda item has exactly one Zaak (6 motions), never by
  guessing from the order of several;
* **the postponed session** (scenario ``agenda-postponed``, CONSTRUCTED): the same session with
  Status ``Verplaatst`` and its date a week later, restamped at ``REPLAY_NOW``; no such record of
  this session exists.

* **the deleted session** (scenario ``agenda-deleted``, DERIVED:
  ``data/agenda/activiteit_2025A06526_deleted_DERIVED.json``): the same session as the row the
  Gegevensmagazijn keeps for a deleted entity: ``Verwijderd`` true, ``Id`` and the two change
  times kept, every other property null, as the recorded deleted Besluit and Stemming rows are
  (evidence in ``data/README.md``); this session was not deleted in reality.

* **a debate with a topic letter on its agenda** (scenario ``agenda-debate``, DERIVED:
  ``data/agenda/agendapunt_commissiedebat_2025A03873_DERIVED.json``): the real Commissiedebat
  2025A03873 (Raad Buitenlandse Zaken, planned for 10 December 2025; byte copy
  ``data/agenda/activiteit_debatten_records_2025-10-03.json``), served as recorded, with one
  agenda item in the recorded Agendapunt shape carrying the real Zaak 2021Z10879 (a Brief
  regering in dossier 21501-02). No debate's agenda items were recorded; the evidence per
  property is in the file and in ``data/README.md``.

Scenarios: ``agenda`` (step 0 before the vote, step 1 after it: the real post-vote Besluiten,
Zaken and Stemming rows, and the session ``Uitgevoerd``), ``agenda-postponed`` (step 0 before,
step 1 postponed), ``agenda-deleted`` (step 0 before, step 1 the session deleted) and
``agenda-debate`` (one step: the debate only, no voting session).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from replay.odata import Graph

__all__ = [
    "ACTIVITY_ID",
    "AGENDA_DATA",
    "DEBATE_ID",
    "PRE_VOTE_CHANGES",
    "SCENARIO_STEPS",
    "add_agenda",
    "add_commitments",
]

AGENDA_DATA = Path(__file__).with_name("data") / "agenda"
ACTIVITY_ID = "ad15b461-48eb-4607-9f1e-e85498fba16a"  # Stemmingen 2025A06526, 2 October 2025
PRE_VOTE_CHANGES: dict[str, Any] = {
    "Status": "Gepland",
    "Eindtijd": None,  # a planned session has no end time yet
    "ApiGewijzigdOp": "2025-10-02T19:00:16.9239865Z",
}
POSTPONED_CHANGES: dict[str, Any] = {  # CONSTRUCTED, see the module docstring
    "Status": "Verplaatst",
    "Datum": "2025-10-09T00:00:00+02:00",
    "Aanvangstijd": "2025-10-09T22:30:00+02:00",
    "ApiGewijzigdOp": "2025-10-06T08:00:00Z",
}
DELETED_FILE = "activiteit_2025A06526_deleted_DERIVED.json"  # see the module docstring
DEBATE_ID = "783deadf-32c4-4288-a7a6-e5a8f55d06de"  # Commissiedebat 2025A03873, 10 December 2025
DEBATES_FILE = "activiteit_debatten_records_2025-10-03.json"
DEBATE_POINTS_FILE = "agendapunt_commissiedebat_2025A03873_DERIVED.json"  # see the docstring
SCENARIO_STEPS = {"agenda": 2, "agenda-postponed": 2, "agenda-deleted": 2, "agenda-debate": 1}

Record = dict[str, Any]


@cache
def _load(name: str) -> Any:
    return json.loads((AGENDA_DATA / name).read_text("utf-8"))


def _flat(record: Record) -> Record:
    """The record without its nested (expanded) navigation values."""
    return {k: v for k, v in record.items() if not isinstance(v, dict | list)}


def _post_vote() -> list[Record]:
    data: list[Record] = _load("besluit_post_vote_with_agendapunt_zaak_extracted_2025-10-04.json")
    return data


def add_agenda(graph: Graph, scenario: str, step: int) -> None:
    """Add the agenda records of ``scenario`` at ``step`` to ``graph``."""
    if scenario == "agenda-debate":
        _add_debate(graph)
        return
    after_vote = scenario == "agenda" and step >= 1
    postponed = scenario == "agenda-postponed" and step >= 1
    deleted = scenario == "agenda-deleted" and step >= 1
    activities: list[Record] = _load("activiteit_stemmingen_records_2025-10-03.json")
    for record in activities:
        record = dict(record)
        if record["Id"] == ACTIVITY_ID and deleted:
            [record] = [dict(r) for r in _load(DELETED_FILE)["records"]]
        elif record["Id"] == ACTIVITY_ID and not after_vote:
            record.update(POSTPONED_CHANGES if postponed else PRE_VOTE_CHANGES)
        graph.add("Activiteit", record)

    post = _post_vote()
    points: dict[str, Record] = {}
    for besluit in post:
        point = besluit["Agendapunt"]
        points[point["Id"]] = point
    pre_points: list[Record] = _load("agendapunt_records_pre_vote_2025-10-03T0024.json")
    for record in pre_points:
        nested = points.get(record["Id"])
        activity = nested["Activiteit_Id"] if nested else ACTIVITY_ID
        graph.add("Agendapunt", {**record, "Activiteit_Id": activity})
        graph.link("Activiteit", activity, "Agendapunt", record["Id"], "Activiteit")

    pre_zaken: dict[str, Record] = {
        z["Id"]: z for z in _load("zaak_motie_records_pre_vote_2025-10-02T2314.json")
    }
    for point in points.values():
        for zaak in point.get("Zaak") or []:
            record = _flat(zaak) if after_vote else pre_zaken.get(zaak["Id"], _flat(zaak))
            if graph.get("Zaak", record["Id"]) is None:
                graph.add("Zaak", dict(record))
            graph.link("Agendapunt", point["Id"], "Zaak", record["Id"], "Agendapunt")

    voorstel: dict[str, Record] = {
        b["Id"]: b for b in _load("besluit_voorstel_records_pre_vote_2025-10-02T2356.json")
    }
    for besluit in post:
        point = besluit["Agendapunt"]
        if after_vote:
            record = _flat(besluit)
        else:
            record = {**voorstel[besluit["Id"]], "Agendapunt_Id": point["Id"]}
        graph.add("Besluit", record)
        graph.link("Agendapunt", point["Id"], "Besluit", record["Id"], "Agendapunt")
        zaken = point.get("Zaak") or []
        if len(zaken) == 1:  # the only Besluit ↔ Zaak link the records state
            graph.link("Zaak", zaken[0]["Id"], "Besluit", record["Id"], "Zaak")

    if after_vote:
        page = _load(
            "stemming_expand_besluit_agendapunt_zaak_page_verbatim_2025-10-04T195358Z.json"
        )
        decided = {b["Id"] for b in post}
        for row in page["value"]:
            if row.get("Besluit_Id") in decided and graph.get("Besluit", row["Besluit_Id"]):
                graph.add("Stemming", _flat(row))
                graph.link("Besluit", row["Besluit_Id"], "Stemming", row["Id"], "Besluit")


def _add_debate(graph: Graph) -> None:
    """The real Commissiedebat 2025A03873 with its DERIVED agenda item (see the docstring)."""
    [debate] = [r for r in _load(DEBATES_FILE) if r["Id"] == DEBATE_ID]
    graph.add("Activiteit", dict(debate))
    for record in _load(DEBATE_POINTS_FILE)["records"]:
        point = _flat(record)
        graph.add("Agendapunt", point)
        graph.link("Activiteit", DEBATE_ID, "Agendapunt", point["Id"], "Activiteit")
        for zaak_id in record["Zaak"]:
            if graph.get("Zaak", zaak_id) is None:  # the real Zaak record, served by default
                raise ValueError(f"{DEBATE_POINTS_FILE}: Zaak {zaak_id} is not in the replay")
            graph.link("Agendapunt", point["Id"], "Zaak", zaak_id, "Agendapunt")


# --------------------------------------------------------------------------- commitments

COMMITMENTS_FILE = (
    Path(__file__).with_name("data") / "commitments" / ("Toezegging_records_DERIVED.json")
)


def add_commitments(graph: Graph, scenario: str, step: int) -> None:
    """Add the DERIVED Toezegging records (see the file's ``_about``) to ``graph``.

    In scenario ``demo`` before the letter of 4 November 2021 arrives (step 0), the commitment
    that letter fulfils is still open.
    """
    data = json.loads(COMMITMENTS_FILE.read_text("utf-8"))
    before_letter = scenario == "demo" and step == 0
    for item in data["records"]:
        record = dict(item["record"])
        if before_letter:
            record.update(data["open_before_letter"].get(record["Nummer"], {}))
        graph.add("Toezegging", record)
