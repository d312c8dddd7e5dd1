"""The DERIVED OData v5 dialect the replay server serves at ``/OData/v5``.

Nothing of v5 was ever recorded. ``replay/data/OData_v5_dialect_DERIVED.json`` lists the publicly
reported renames and removals with their evidence; ``metadata_v5_DERIVED.xml`` is the recorded
``$metadata`` with exactly those changes. The v5 graph is the v4/2.0 graph of the same scenario
step with every record's properties renamed (removed ones dropped), so both dialects serve the
same records. A scenario may make v5's schema lack a property kamerwacht needs (``SCHEMA_DROPS``):
the schema and the records both lose it, as when the server silently renames it.
"""

from __future__ import annotations

import json
import re
from functools import cache

from replay.odata import Graph, Schema
from replay.scenarios import data_file, snapshot

__all__ = ["MAX_TOP", "SCHEMA_DROPS", "v5_graph", "v5_metadata"]

MAX_TOP = 100
# (scenario, from step) → properties v5's schema lacks from that step on
SCHEMA_DROPS: dict[str, tuple[int, tuple[tuple[str, str], ...]]] = {
    "v5-missing-property": (1, (("Besluit", "BesluitSoort"),)),
}


@cache
def _dialect() -> dict[tuple[str, str], str | None]:
    spec = json.loads(data_file("OData_v5_dialect_DERIVED.json"))
    out: dict[tuple[str, str], str | None] = {}
    for item in spec["renames"]:
        out[(item["entity"], item["v2"])] = item["v5"]
    for item in spec["removed"]:
        out[(item["entity"], item["v2"])] = None
    return out


def _drops(scenario: str, step: int) -> tuple[tuple[str, str], ...]:
    start, props = SCHEMA_DROPS.get(scenario, (0, ()))
    return props if scenario in SCHEMA_DROPS and step >= start else ()


@cache
def v5_metadata(scenario: str, step: int) -> bytes:
    """The v5 ``$metadata`` served in this scenario step."""
    text = data_file("metadata_v5_DERIVED.xml").decode("utf-8")
    for entity, prop in _drops(scenario, step):
        start = text.index(f'<EntityType Name="{entity}">')
        end = text.index("</EntityType>", start)
        block = re.sub(rf'<Property Name="{prop}" [^>]*/>\s*', "", text[start:end])
        text = text[:start] + block + text[end:]
    return text.encode("utf-8")


@cache
def v5_graph(scenario: str, step: int) -> Graph:
    """The scenario step's records under v5 names (a copy; the v4/2.0 graph is untouched)."""
    source = snapshot(scenario, step).graph
    graph = Graph(Schema(v5_metadata(scenario, step)))
    renames = _dialect()
    dropped = set(_drops(scenario, step))
    for entity_set, records in source.sets.items():
        for record in records.values():
            renamed = {}
            for name, value in record.items():
                if (entity_set, name) in dropped:
                    continue
                new = renames.get((entity_set, name), name)
                if new is not None:
                    renamed[new] = value
            graph.add(entity_set, renamed)
    graph.links = dict(source.links)
    return graph
