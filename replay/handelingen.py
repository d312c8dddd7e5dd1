"""Replay of a Handelingen vote section served through SRU (issue 16).

Scenario ``handelingen-vote``: everything of ``default`` plus two real vote sections behind
DERIVED SRU records — h-tk-20072008-7103-7103 (26407-34 adopted, 24 June 2008) and
h-tk-20222023-39-34 (36200-VI-30 rejected, 22 December 2022) — and DERIVED Tweede Kamer records
of the two motions: a Zaak in its dossier with a Besluit (``Stemmen - aangenomen`` /
``Stemmen - verworpen``) without Stemming rows, the case where only the Handelingen say who voted
how (``replay/data/handelingen/``; evidence in its README.md and in the files).

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
        "default, plus the real vote sections h-tk-20072008-7103-7103 and h-tk-20222023-39-34 "
        "(DERIVED SRU records) and DERIVED records of the motions they decide, 26407-34 and "
        "36200-VI-30, whose Besluiten have no Stemming rows"
    ),
}


def _data() -> Path:
    return Path(__file__).with_name("data") / _DIR


@cache
def _tk_records() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (_data() / "TK_records_DERIVED.json").read_text(encoding="utf-8")
    )
    return loaded


def handelingen_records(scenario: str) -> list[tuple[str, str, str]]:
    """``(record xml, resource file under replay/data/, content type)`` for ``scenario``."""
    if scenario not in HANDELINGEN_SCENARIOS:
        return []
    out = []
    for motion in _tk_records()["motions"].values():
        item = motion["handelingen"]
        xml = (_data() / f"SRU_record_{item}_DERIVED.xml").read_text(encoding="utf-8")
        out.append((xml.strip(), f"{_DIR}/{item}.txt", "text/plain; charset=utf-8"))
    return out


def add_handelingen_records(graph: Graph, scenario: str) -> None:
    """The DERIVED Kamerstukdossier, Zaak and Besluit of each motion, linked, for ``scenario``."""
    if scenario not in HANDELINGEN_SCENARIOS:
        return
    for motion in _tk_records()["motions"].values():
        dossier = graph.add("Kamerstukdossier", dict(motion["dossier"]["record"]))
        zaak = graph.add("Zaak", dict(motion["zaak"]["record"]))
        besluit = graph.add("Besluit", dict(motion["besluit"]["record"]))
        graph.link("Zaak", zaak["Id"], "Kamerstukdossier", dossier["Id"], "Zaak")
        graph.link("Zaak", zaak["Id"], "Besluit", besluit["Id"], "Zaak")
