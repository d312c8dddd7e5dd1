"""The DERIVED agenda item of scenario ``agenda-debate`` holds what its evidence says."""

from __future__ import annotations

import json
from typing import Any

from replay.agenda import AGENDA_DATA, DEBATE_ID
from replay.derive import TK, guid
from replay.scenarios import DATA

DERIVED = AGENDA_DATA / "agendapunt_commissiedebat_2025A03873_DERIVED.json"
FIXTURES = TK / "agenda"


def _load(path: Any) -> Any:
    return json.loads(path.read_text("utf-8"))


def test_the_debate_is_served_from_a_byte_copy_of_the_recorded_records() -> None:
    name = "activiteit_debatten_records_2025-10-03.json"
    assert (AGENDA_DATA / name).read_bytes() == (FIXTURES / name).read_bytes()
    [debate] = [r for r in _load(AGENDA_DATA / name) if r["Id"] == DEBATE_ID]
    assert (debate["Nummer"], debate["Soort"], debate["Status"]) == (
        "2025A03873",
        "Commissiedebat",
        "Gepland",
    )


def test_the_derived_item_follows_the_recorded_shape_and_states_its_evidence() -> None:
    data = _load(DERIVED)
    assert "DERIVED" in data["_about"]
    [point] = data["records"]
    shapes = _load(
        FIXTURES / "agendapunt_with_zaak_stemmingen_2025A06445_2025-09-30_extracted.json"
    )
    [shape] = [p for p in shapes if p["Id"] == data["shape"]["Id"]]
    assert list(point) == list(shape)  # the same properties, in the same order
    assert set(data["evidence"]) == set(point)  # every property has its evidence
    for same in ("Aanvangstijd", "Eindtijd", "Rubriek", "Noot", "Status", "Verwijderd"):
        assert point[same] == shape[same], same
    assert point["Id"] == guid("Agendapunt", "2025A03873/2021Z10879")
    assert point["Nummer"] is None
    debates = _load(AGENDA_DATA / "activiteit_debatten_records_2025-10-03.json")
    [debate] = [r for r in debates if r["Id"] == point["Activiteit_Id"]]
    assert (point["GewijzigdOp"], point["ApiGewijzigdOp"]) == (
        debate["GewijzigdOp"],
        debate["ApiGewijzigdOp"],
    )
    # the Zaak: the real Brief regering, linked to 21501-02; the item is titled by it
    zaken = _load(DATA / "Zaak_records_armenie-azerbeidzjan-nagorno-karabach.json")
    [zaak] = [z for z in zaken if z["Id"] in point["Zaak"]]
    assert (zaak["Nummer"], zaak["Soort"]) == (data["zaak"]["Nummer"], "Brief regering")
    assert point["Onderwerp"] == zaak["Onderwerp"]
    links = _load(DATA / "Kamerstukdossier_records_DERIVED.json")["zaak_links"]
    assert {"21501-02"} == {x["dossier"] for x in links if x["zaak"] == zaak["Nummer"]}


def test_the_recorded_items_the_evidence_cites_say_so() -> None:
    shapes = _load(
        FIXTURES / "agendapunt_with_zaak_stemmingen_2025A06445_2025-09-30_extracted.json"
    )
    by_number = {p["Nummer"]: p for p in shapes}
    for number in ("2025P16429", "2025P16430"):  # one Zaak: the item is titled by it
        [zaak] = by_number[number]["Zaak"]
        assert by_number[number]["Onderwerp"] == zaak["Onderwerp"]
    assert by_number["2025P16406"]["Volgorde"] == 1
    recorded = [
        p for f in FIXTURES.glob("agendapunt*.json") for p in _load(f)
    ]  # every recorded Agendapunt: no times, no Rubriek or Noot, Vrijgegeven
    assert len(recorded) == 73
    assert {(p["Aanvangstijd"], p["Eindtijd"], p["Rubriek"], p["Noot"]) for p in recorded} == {
        (None, None, None, None)
    }
    assert {p["Status"] for p in recorded} == {"Vrijgegeven"}
