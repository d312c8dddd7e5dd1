"""The DERIVED OData v5 dialect: renames and removals with their public evidence, applied to the
recorded ``$metadata``."""

from __future__ import annotations

import re
from typing import Any

# The v5 dialect of the Gegevensmagazijn: nothing of v5 was ever recorded, so its renames are
# applied to the recorded v4/2.0 $metadata and records. Each rename and removal with its public
# evidence.
V5_RENAMES: list[dict[str, str]] = [
    {
        "entity": "Document",
        "v2": "DocumentNummer",
        "v5": "Nummer",
        "evidence": "a 2026 client's v4→v5 change (TypeScript), DATA_SOURCES.md section 1.0",
    },
    {
        "entity": "Document",
        "v2": "Volgnummer",
        "v5": "Ondernummer",
        "evidence": "same client: 'Ondernummer (-1 = no value)', DATA_SOURCES.md section 1.0",
    },
    {
        "entity": "Kamerstukdossier",
        "v2": "HoogsteVolgnummer",
        "v5": "AantalDocumenten",
        "evidence": "OpenDataPortaal issue #193 (2026-08-24): renamed, same value",
    },
    {
        "entity": "Activiteit",
        "v2": "Voortouwnaam",
        "v5": "VoortouwCommissieNaam",
        "evidence": "a 2026 client 'verified against /Activiteit OData v5 $metadata' (low-medium)",
    },
]
V5_REMOVED: list[dict[str, str]] = [
    {
        "entity": "Document",
        "v2": "DatumRegistratie",
        "evidence": "'possibly gone' in the same client's v4→v5 change; #175: attributes removed",
    },
    {
        "entity": "Activiteit",
        "v2": "Voortouwafkorting",
        "evidence": "merged into VoortouwCommissieNaam by the same client",
    },
    {
        "entity": "Activiteit",
        "v2": "Voortouwkortenaam",
        "evidence": "merged into VoortouwCommissieNaam by the same client",
    },
]


def derive_v5_metadata(metadata: bytes) -> bytes:
    """The recorded $metadata with the v5 renames applied and the removed properties dropped."""
    text = metadata.decode("utf-8")
    for entity, changes in _by_entity().items():
        start = text.index(f'<EntityType Name="{entity}">')
        end = text.index("</EntityType>", start)
        block = text[start:end]
        for v2, v5 in changes:
            pattern = rf'<Property Name="{v2}" [^>]*/>\s*'
            if v5 is None:
                block, count = re.subn(pattern, "", block)
            else:
                block, count = re.subn(rf'<Property Name="{v2}" ', f'<Property Name="{v5}" ', block)
            assert count == 1, (entity, v2)
        text = text[:start] + block + text[end:]
    return text.encode("utf-8")


def _by_entity() -> dict[str, list[tuple[str, str | None]]]:
    out: dict[str, list[tuple[str, str | None]]] = {}
    for item in V5_RENAMES:
        out.setdefault(item["entity"], []).append((item["v2"], item["v5"]))
    for item in V5_REMOVED:
        out.setdefault(item["entity"], []).append((item["v2"], None))
    return out


def derive_v5() -> dict[str, Any]:
    return {
        "_about": (
            "DERIVED OData v5 dialect of the Gegevensmagazijn (gegevensmagazijn.tweedekamer.nl/"
            "OData/v5, since 12 June 2026; OpenDataPortaal #175, #191, #193). No v5 payload was "
            "ever recorded: the replay serves the recorded v4/2.0 records and $metadata with "
            "these renames applied and these properties removed, and answers $top above 100 "
            "with HTTP 400 (reported by one 2026 client). metadata_v5_DERIVED.xml is "
            "metadata.xml with exactly these changes."
        ),
        "renames": V5_RENAMES,
        "removed": V5_REMOVED,
        "max_top": 100,
    }
