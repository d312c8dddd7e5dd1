"""Replay of a Handelingen vote section served through SRU (issue 16).

Scenario ``handelingen-vote``: everything of ``default`` plus the real vote section
h-tk-20072008-7103-7103 (the votes on the biodiversity motions, 24 June 2008) behind a DERIVED
SRU record, and DERIVED Tweede Kamer records for the motion it decides, 26407-34: its Zaak in
dossier 26407 and its ``Stemmen - aangenomen`` Besluit without Stemming rows — the case where
only the Handelingen say who voted for it (``replay/data/handelingen/``; evidence in its
README.md and in the files).

This module only reads the files and adds the records to a graph it is given; it imports
nothing of ``replay.scenarios`` (which imports it), so it makes no cycle.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from replay.odata import Graph

__all__ = ["HANDELINGEN_SCENARIOS", "add_handelingen_records", "handelingen_records"]

_DIR = "handelingen"
HANDELINGEN_SCENARIOS = {
    "handelingen-vote": (
        "default, plus the real vote section h-tk-20072008-7103-7103 (DERIVED SRU record) and "
        "DERIVED records of the motion it decides, 26407-34, whose Besluit has no Stemming rows"
    ),
}


def _data() -> Path:
    return Path(__file__).with_name("data") / _DIR


@cache
def _tk_records() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (_data() / "TK_records_26407-34_DERIVED.json").read_text(encoding="utf-8")
    )
    return loaded


def handelingen_records(scenario: str) -> list[tuple[str, str, str]]:
    """``(record xml, resource file under replay/data/, content type)`` for ``scenario``."""
    if scenario not in HANDELINGEN_SCENARIOS:
        return []
    xml = (_data() / "SRU_record_h-tk-20072008-7103-7103_DERIVED.xml").read_text(encoding="utf-8")
    text = f"{_DIR}/h-tk-20072008-7103-7103.txt"
    return [(xml.strip(), text, "text/plain; charset=utf-8")]


def add_handelingen_records(graph: Graph, scenario: str) -> None:
    """The DERIVED Kamerstukdossier, Zaak and Besluit of 26407-34, linked, for ``scenario``."""
    if scenario not in HANDELINGEN_SCENARIOS:
        return
    data = _tk_records()
    dossier = graph.add("Kamerstukdossier", dict(data["dossier"]["record"]))
    zaak = graph.add("Zaak", dict(data["zaak"]["record"]))
    besluit = graph.add("Besluit", dict(data["besluit"]["record"]))
    graph.link("Zaak", zaak["Id"], "Kamerstukdossier", dossier["Id"], "Zaak")
    graph.link("Zaak", zaak["Id"], "Besluit", besluit["Id"], "Zaak")
