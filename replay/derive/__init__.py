"""Builds ``replay/data/`` from the recorded real payloads in ``../shared/fixtures``.

Run ``python -m replay.derive`` (from a checkout with ``../shared`` beside it) after a fixture
changes; ``tests/replay/test_data.py`` checks the committed folder is what this script produces.
Real payloads are copied byte for byte under their own names (``copies``). Records that were never
recorded but that a replay scenario needs are derived here, from the ``$metadata`` shape and from
facts stated in real documents, into files with ``DERIVED`` in their name (``zaken``: dossiers,
Besluiten, ZaakActors, replacements; ``documents``: letters; ``sru``; ``v5``: the OData v5 dialect;
``rijksoverheid``: the 2026 RSS feed); every derived record carries its evidence. Nothing is typed
in that no real document states, except the replay-only timestamps explained in ``REPLAY_NOW``.

A development tool: it reads ``../shared/fixtures`` (or ``KAMERWACHT_SHARED_FIXTURES``), which an
installed package does not have; nothing at run time imports it.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parents[1] / "data"
SHARED_FIXTURES = Path(
    os.environ.get("KAMERWACHT_SHARED_FIXTURES", ROOT.parent / "shared" / "fixtures")
)
LETTERS = SHARED_FIXTURES / "letters"
UPSTREAM = SHARED_FIXTURES / "upstream"
TK = UPSTREAM / "tweedekamer-odata"
TM = TK / "topic-motions"
DP = UPSTREAM / "tweedekamer-documentpublicatie"

# The replay's "now": after every recorded timestamp (latest: 2025-06-27). Records that arrive in a
# later snapshot of a scenario (the letter of 4 Nov 2021 in `demo`) carry it as ApiGewijzigdOp,
# because the API stamps ApiGewijzigdOp when it loads a record.
REPLAY_NOW = "2025-10-06T08:00:00Z"
REPLAY_NOW_LOCAL = "2025-10-06T10:00:00+02:00"
LETTER_2423 = "kst-21501-02-2423 (Kamerbrief 4 november 2021, 2021D41766)"


def guid(kind: str, key: str) -> str:
    """A stable GUID for a derived record (no real Id was ever recorded for it)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://kamerwacht.invalid/replay/{kind}/{key}"))


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
