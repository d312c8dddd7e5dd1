"""Replay of a begroting's motion overview served through SRU (issue 16).

Scenario ``budget-annex``: everything of ``default`` plus one DERIVED SRU record — the begroting
2010 of Binnenlandse Zaken en Koninkrijksrelaties (dossier ``32123-VII``, nr. 2) — whose xml
manifestation is the real text of its "8.1 Moties en Toezeggingen" (``replay/data/budget/``;
evidence in its README.md). A source whose topic names chapter VII finds it with the
begrotingen/jaarverslagen search and reads its rows as execution reports.

This module only names the files; ``replay_scenarios`` turns them into records (so this module
imports nothing of the replay and makes no cycle).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["BUDGET_SCENARIOS", "budget_records"]

_DIR = "budget"
BUDGET_SCENARIOS = {
    "budget-annex": (
        "default, plus the begroting 2010 (32123-VII nr. 2, DERIVED SRU record) whose motion "
        "overview is the real '8.1 Moties en Toezeggingen' text"
    ),
}


def budget_records(scenario: str) -> list[tuple[str, str, str]]:
    """``(record xml, resource file under replay/data/, content type)`` for ``scenario``."""
    if scenario not in BUDGET_SCENARIOS:
        return []
    data = Path(__file__).with_name("data") / _DIR
    xml = (data / "SRU_record_kst-132823_DERIVED.xml").read_text(encoding="utf-8")
    text = f"{_DIR}/rijksbegroting-2010-kst132823b_23.txt"
    return [(xml.strip(), text, "text/plain; charset=utf-8")]
