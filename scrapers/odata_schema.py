"""The Gegevensmagazijn's own schema, read from ``$metadata``, and the names kamerwacht uses in it.

The Tweede Kamer renamed and removed OData attributes without notice when it moved from
``OData/v4/2.0`` to ``OData/v5`` (OpenDataPortaal issues #175, #191, #193), and the next rename
will come the same way. So the queries never name a property directly: they use *logical* names
(the v4/2.0 vocabulary, which the SyncFeed still speaks), and :class:`Dialect` resolves each one
through ONE table (``NAMES``) to the name the server's ``$metadata`` actually has, in the dialect
it looks like:

* a logical name whose candidates are all absent from the schema is *missing*: a required one
  fails the source with a line naming ``Entity.Property`` and the dialect found
  (:class:`SchemaMismatch`); an optional one leaves that field empty (one warning per process);
* rows come back with physical names and :meth:`Dialect.to_logical` gives them the logical names
  again (through the navigations, for expanded rows), so everything downstream is dialect-free.

Pure: parsing and resolution only; the source fetches ``$metadata``.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapers.base import ParseError

__all__ = [
    "DIALECTS",
    "NAMES",
    "Dialect",
    "LogicalName",
    "ODataSchema",
    "SchemaMismatch",
    "parse_metadata",
    "resolve",
]

logger = logging.getLogger(__name__)

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
DIALECTS = ("v2", "v5")
Record = dict[str, Any]


class SchemaMismatch(ParseError):
    """The server's schema lacks something the queries need; names ``Entity.Property``."""

    def __init__(self, url: str, dialect: str, missing: Iterable[str]) -> None:
        self.dialect = dialect
        self.missing = tuple(sorted(missing))
        names = ", ".join(self.missing)
        super().__init__(
            url, f"OData schema (dialect {dialect}) lacks required {names}; source not polled"
        )


@dataclass
class EntityInfo:
    """One entity type: property names and navigation name → target type."""

    name: str
    properties: set[str] = field(default_factory=set)
    navigations: dict[str, str] = field(default_factory=dict)


@dataclass
class ODataSchema:
    """Entity types of a ``$metadata`` document, by entity-set name."""

    entities: dict[str, EntityInfo]

    def has(self, entity: str, name: str) -> bool:
        """Whether ``entity`` has a property or navigation called ``name``."""
        info = self.entities.get(entity)
        return info is not None and (name in info.properties or name in info.navigations)


def parse_metadata(content: bytes, url: str) -> ODataSchema:
    """Parse a CSDL ``$metadata`` document; ``ParseError`` for anything that is not one."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise ParseError(url, f"$metadata is not XML: {exc}") from exc
    types: dict[str, EntityInfo] = {}
    for node in root.iter(f"{EDM}EntityType"):
        info = EntityInfo(node.get("Name", ""))
        info.properties = {p.get("Name", "") for p in node.findall(f"{EDM}Property")}
        for nav in node.findall(f"{EDM}NavigationProperty"):
            kind = nav.get("Type", "")
            target = kind.removeprefix("Collection(").removesuffix(")").rsplit(".", 1)[-1]
            info.navigations[nav.get("Name", "")] = target
        types[info.name] = info
    if not types:
        raise ParseError(url, "$metadata has no EntityType: not an OData CSDL document")
    sets: dict[str, EntityInfo] = {}
    for node in root.iter(f"{EDM}EntitySet"):
        kind = node.get("EntityType", "").rsplit(".", 1)[-1]
        if kind in types:
            sets[node.get("Name", "")] = types[kind]
    return ODataSchema(sets or types)


@dataclass(frozen=True, slots=True)
class LogicalName:
    """One name the queries use: its candidates per dialect, whether it is required, why."""

    entity: str
    name: str
    required: bool = True
    navigation: bool = False
    dialects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    evidence: str = ""

    def candidates(self, dialect: str) -> tuple[str, ...]:
        """Physical names to try, the dialect's own first, then every other known spelling."""
        own = self.dialects.get(dialect, (self.name,))
        others = [n for d in DIALECTS for n in self.dialects.get(d, (self.name,))]
        return tuple(dict.fromkeys([*own, *others, self.name]))


def _names() -> dict[tuple[str, str], LogicalName]:
    out: dict[tuple[str, str], LogicalName] = {}

    def add(
        entity: str,
        props: str,
        *,
        required: bool = True,
        navigation: bool = False,
        v5: tuple[str, ...] | None = None,
        evidence: str = "",
    ) -> None:
        for name in props.split():
            dialects = {"v2": (name,), "v5": v5 or (name,)}
            out[(entity, name)] = LogicalName(
                entity, name, required, navigation, dialects, evidence
            )

    stamp = "ApiGewijzigdOp"
    # ApiGewijzigdOp may not survive v5 (DATA_SOURCES 1.0 "unknown"): GewijzigdOp stands in.
    for entity in ("Zaak", "ZaakActor", "Besluit", "Stemming", "Document"):
        add(entity, stamp, v5=(stamp, "GewijzigdOp"), evidence="v5: unknown whether it survives")
        add(entity, "Id Verwijderd GewijzigdOp")
    add("Zaak", "Nummer Soort Onderwerp GestartOp")
    add("Zaak", "Volgnummer", v5=("Volgnummer", "Ondernummer"), evidence="Document's rename")
    add("Zaak", "Titel Afgedaan Kabinetsappreciatie", required=False)
    add("Zaak", "Kamerstukdossier ZaakActor Besluit Document", navigation=True)
    add("Zaak", "VervangenDoor VervangenVanuit", navigation=True, required=False)
    add("Kamerstukdossier", "Id Nummer Toevoeging Verwijderd")
    add(
        "Kamerstukdossier",
        "HoogsteVolgnummer",
        required=False,
        v5=("AantalDocumenten",),
        evidence="OpenDataPortaal #193 (2026-08-24): renamed, same value",
    )
    add("ZaakActor", "ActorNaam Relatie")
    add("ZaakActor", "ActorFractie ActorAfkorting Persoon_Id Fractie_Id", required=False)
    add("ZaakActor", "Zaak", navigation=True)
    add("Besluit", "BesluitSoort Status")
    add("Besluit", "BesluitTekst StemmingsSoort", required=False)
    add("Besluit", "Stemming Zaak", navigation=True)
    add("Stemming", "Soort ActorNaam ActorFractie")
    add("Stemming", "FractieGrootte Vergissing Persoon_Id Fractie_Id", required=False)
    add("Stemming", "Besluit", navigation=True)
    add("Document", "Soort Onderwerp Datum")
    add(
        "Document",
        "DocumentNummer",
        required=False,
        v5=("Nummer",),
        evidence="2026 client's v4→v5 change (DATA_SOURCES 1.0)",
    )
    add(
        "Document",
        "Volgnummer",
        required=False,
        v5=("Ondernummer",),
        evidence="2026 client's v4→v5 change; -1 = no value (DATA_SOURCES 1.0)",
    )
    add("Document", "Kamerstukdossier HuidigeDocumentVersie", navigation=True)
    add("DocumentVersie", "Id ExterneIdentifier")
    add("DocumentVersie", "DocumentPublicatie", navigation=True)
    add("DocumentPublicatie", "Id DocumentType")
    add("DocumentPublicatie", "FileName", required=False)
    return out


NAMES: dict[tuple[str, str], LogicalName] = _names()


@dataclass(frozen=True)
class Dialect:
    """The server's names for the logical ones, and the dialect they look like."""

    label: str  # "v2", "v5", or "unknown (closest: v5)"
    physical: Mapping[tuple[str, str], str]  # logical (entity, name) → physical name
    missing_optional: tuple[str, ...] = ()
    targets: Mapping[tuple[str, str], str] = field(default_factory=dict)  # nav → target entity

    def p(self, entity: str, name: str) -> str:
        """The physical name of ``entity.name`` (a missing optional one keeps its logical name)."""
        return self.physical.get((entity, name), name)

    def has(self, entity: str, name: str) -> bool:
        """Whether the server has ``entity.name`` under some known spelling."""
        return (entity, name) in self.physical

    def select(self, entity: str, *names: str) -> str:
        """A ``$select`` list of the given logical names that the server has."""
        return ",".join(self.p(entity, n) for n in names if self.has(entity, n))

    def to_logical(self, entity: str, row: Mapping[str, Any]) -> Record:
        """``row`` (physical names) with the logical names, through expanded navigations too."""
        out: Record = dict(row)
        for (ent, name), physical in self.physical.items():
            if ent != entity or physical not in row:
                continue
            value = row[physical]
            info = NAMES.get((ent, name))
            if info is not None and info.navigation:
                target = self.targets.get((ent, name), name)
                if isinstance(value, list):
                    value = [self.to_logical(target, v) for v in value if isinstance(v, Mapping)]
                elif isinstance(value, Mapping):
                    value = self.to_logical(target, value)
            out[name] = value
        return out


def _detect(schema: ODataSchema) -> tuple[str, int]:
    """The known dialect whose own spellings the schema has most of, and how many it lacks."""
    best: tuple[str, int] | None = None
    for dialect in DIALECTS:
        lacking = sum(
            1
            for (entity, _), info in NAMES.items()
            if not schema.has(entity, info.dialects.get(dialect, (info.name,))[0])
        )
        if best is None or lacking < best[1]:
            best = (dialect, lacking)
    assert best is not None
    return best


def resolve(schema: ODataSchema, url: str) -> Dialect:
    """Resolve every logical name against ``schema``; ``SchemaMismatch`` names what is missing."""
    dialect, lacking = _detect(schema)
    label = dialect if lacking == 0 else f"{dialect} (closest; {lacking} names differ)"
    physical: dict[tuple[str, str], str] = {}
    targets: dict[tuple[str, str], str] = {}
    missing: list[str] = []
    optional: list[str] = []
    for key, info in NAMES.items():
        found = next((c for c in info.candidates(dialect) if schema.has(info.entity, c)), None)
        if found is None:
            (missing if info.required else optional).append(f"{info.entity}.{info.name}")
            continue
        physical[key] = found
        if info.navigation:
            targets[key] = schema.entities[info.entity].navigations.get(found, info.name)
    if missing:
        raise SchemaMismatch(url, label, missing)
    return Dialect(label, physical, tuple(sorted(optional)), targets)
