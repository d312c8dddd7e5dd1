"""The replay's OData entity graph: the entity types of the recorded ``$metadata`` and the records
and links the replay server answers from."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
NAMESPACE = "TK.DA.GGM.OData"

Record = dict[str, Any]
Entity = tuple[str, Record]  # (entity set, record)


class ODataError(Exception):
    """A request the evaluator cannot answer; becomes an HTTP 400/404 OData error body."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class NavProperty:
    """A navigation property: its target entity set and whether it is a collection."""

    target: str
    collection: bool


@dataclass
class EntityType:
    """Properties (name → Edm type, in $metadata order) and navigations of one entity type."""

    name: str
    properties: dict[str, str] = field(default_factory=dict)
    navigations: dict[str, NavProperty] = field(default_factory=dict)


class Schema:
    """Entity types parsed from a CSDL ``$metadata`` document."""

    def __init__(self, metadata: bytes) -> None:
        root = ET.fromstring(metadata)
        self.types: dict[str, EntityType] = {}
        for node in root.iter(f"{EDM}EntityType"):
            entity = EntityType(node.get("Name", ""))
            for prop in node.findall(f"{EDM}Property"):
                entity.properties[prop.get("Name", "")] = prop.get("Type", "")
            for nav in node.findall(f"{EDM}NavigationProperty"):
                kind = nav.get("Type", "")
                collection = kind.startswith("Collection(")
                target = kind.removeprefix("Collection(").removesuffix(")").rsplit(".", 1)[-1]
                entity.navigations[nav.get("Name", "")] = NavProperty(target, collection)
            self.types[entity.name] = entity

    def entity(self, name: str) -> EntityType:
        """The entity type of entity set ``name`` (sets are named after their type here)."""
        try:
            return self.types[name]
        except KeyError:
            raise ODataError(f"Resource not found for the segment '{name}'.", 404) from None


class Graph:
    """Entity sets (records keyed by lower-case Id) and navigation links between them."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.sets: dict[str, dict[str, Record]] = {}
        self.links: dict[tuple[str, str, str], list[str]] = {}

    def add(self, entity_set: str, record: Record) -> Record:
        """Add (or replace) a record, its properties completed to the $metadata shape."""
        props = self.schema.entity(entity_set).properties
        shaped = {name: record.get(name) for name in props}
        key = str(shaped["Id"]).lower()
        self.sets.setdefault(entity_set, {})[key] = shaped
        return shaped

    def get(self, entity_set: str, key: str) -> Record | None:
        """The record with Id ``key`` (any case), or None."""
        return self.sets.get(entity_set, {}).get(key.lower())

    def link(self, a_set: str, a_id: str, a_nav: str, b_id: str, b_nav: str | None = None) -> None:
        """Link ``a.a_nav → b`` (and ``b.b_nav → a`` when given); ids of existing records."""
        target = self.schema.entity(a_set).navigations[a_nav].target
        self._add_link(a_set, a_id, a_nav, b_id)
        if b_nav:
            self._add_link(target, b_id, b_nav, a_id)

    def _add_link(self, entity_set: str, key: str, nav: str, other: str) -> None:
        ids = self.links.setdefault((entity_set, key.lower(), nav), [])
        if other.lower() not in ids:
            ids.append(other.lower())

    def related(self, entity_set: str, record: Record, nav: str) -> list[Entity]:
        """The records ``record.nav`` points to (existing ones, in link order)."""
        info = self.schema.entity(entity_set).navigations.get(nav)
        if info is None:
            raise ODataError(f"Could not find a property named '{nav}' on '{entity_set}'.")
        ids = self.links.get((entity_set, str(record["Id"]).lower(), nav), [])
        found = (self.get(info.target, i) for i in ids)
        return [(info.target, r) for r in found if r is not None]
