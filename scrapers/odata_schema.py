"""The Gegevensmagazijn's own schema, read from ``$metadata``, and the names kamerwacht uses in it.

The Tweede Kamer renamed and removed OData attributes without notice when it moved from
``OData/v4/2.0`` to ``OData/v5`` (OpenDataPortaal issues #175, #191, #193), and the next rename
will come the same way. So the queries never name a property directly: they use *logical* names
(the v4/2.0 vocabulary, which the SyncFeed still speaks), and :class:`Dialect` resolves each one
through ONE table (``NAMES``) to the name the server's ``$metadata`` actually has, in the dialect
it looks like. Each name says which sources use it (``USES``: the motions source, the agenda, the
commitments) and whether that source needs it; a source resolves only its own names, so a schema
change in the commitments' entity never stops the motions:

* a logical name whose candidates are all absent from the schema is *missing*: a required one
  fails the source with a line naming ``Entity.Property`` and the dialect found
  (:class:`SchemaMismatch`); an optional one leaves that field empty (one warning per process);
* rows come back with physical names and :meth:`Dialect.to_logical` gives them the logical names
  again (through the navigations, for expanded rows), so everything downstream is dialect-free.

Pure: parsing and resolution only; the source fetches ``$metadata``.
"""

from __future__ import annotations

import dataclasses
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapers.base import ParseError

__all__ = [
    "DIALECTS",
    "NAMES",
    "USES",
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
USES = ("motions", "agenda", "commitments")  # the sources that read the Gegevensmagazijn's OData
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
    """One name the queries use: its candidates per dialect, which sources use it and whether
    each needs it (``uses``: source → required), why."""

    entity: str
    name: str
    navigation: bool = False
    dialects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    evidence: str = ""
    uses: Mapping[str, bool] = field(default_factory=lambda: {"motions": True})

    def required(self, use: str = "motions") -> bool:
        """Whether source ``use`` cannot work without this name."""
        return self.uses.get(use, False)

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
        use: str = "motions",
    ) -> None:
        for name in props.split():
            known = out.get((entity, name))
            if known is not None:  # one more source uses it: same spellings, its own need
                assert v5 is None, (entity, name)  # spellings are set where it first appears
                assert navigation == known.navigation, (entity, name)
                uses = {**known.uses, use: required}
                out[(entity, name)] = dataclasses.replace(known, uses=uses)
                continue
            dialects = {"v2": (name,), "v5": v5 or (name,)}
            out[(entity, name)] = LogicalName(
                entity, name, navigation, dialects, evidence, {use: required}
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

    # The agenda (scrapers.tweedekamer_agenda): planned activities, their agenda items, the Zaken
    # and Besluiten on them. Names from the recorded $metadata and the recorded agenda records.
    agenda = "agenda"
    for entity in ("Activiteit", "Agendapunt"):
        add(
            entity,
            stamp,
            v5=(stamp, "GewijzigdOp"),
            evidence="as the motions' entities",
            use=agenda,
        )
        add(entity, "Id Verwijderd", use=agenda)
    add("Activiteit", "Soort Status Nummer", use=agenda)
    add(
        "Activiteit",
        "Onderwerp Datum DatumSoort Aanvangstijd Eindtijd Locatie",
        required=False,
        use=agenda,
    )
    add("Activiteit", "Agendapunt", navigation=True, use=agenda)
    add("Agendapunt", "Onderwerp", required=False, use=agenda)
    add("Agendapunt", "Zaak Besluit", navigation=True, use=agenda)
    add("Zaak", "Id Verwijderd", use=agenda)
    add("Zaak", "Nummer Soort Onderwerp Kabinetsappreciatie", required=False, use=agenda)
    add("Zaak", "Kamerstukdossier", navigation=True, use=agenda)
    add("Kamerstukdossier", "Nummer Toevoeging", required=False, use=agenda)
    add("Besluit", "Id Verwijderd Status", use=agenda)

    # The commitments (scrapers.tweedekamer_commitments): the entity type Toezegging of the
    # recorded $metadata (no Toezegging record was ever recorded), and the fulfilling letter.
    commitments = "commitments"
    add(
        "Toezegging",
        stamp,
        v5=(stamp, "GewijzigdOp"),
        evidence="as the motions' entities",
        use=commitments,
    )
    add(
        "Toezegging",
        "Id Nummer Tekst Status Ministerie Functie Initialen Achternaam Aanmaakdatum "
        "DatumNakoming KamerbriefNakoming ActiviteitNummer Verwijderd",
        use=commitments,
    )
    add(
        "Toezegging",
        "Titulatuur Voornaam Tussenvoegsel Achtervoegsel",
        required=False,
        use=commitments,
    )
    add("Document", "Id", use=commitments)
    add("Document", "DocumentNummer", required=False, use=commitments)
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


def _lacking(schema: ODataSchema, dialect: str, use: str | None) -> int:
    return sum(
        1
        for (entity, _), info in NAMES.items()
        if (use is None or use in info.uses)
        and not schema.has(entity, info.dialects.get(dialect, (info.name,))[0])
    )


def _detect(schema: ODataSchema, use: str) -> tuple[str, int]:
    """The known dialect whose own spellings the schema has most of among ``use``'s names (a tie
    broken by the whole table: the agenda's names alone do not tell v2 from v5), and how many of
    ``use``'s names it lacks."""
    best: tuple[str, tuple[int, int]] | None = None
    for dialect in DIALECTS:
        key = (_lacking(schema, dialect, use), _lacking(schema, dialect, None))
        if best is None or key < best[1]:
            best = (dialect, key)
    assert best is not None
    return best[0], best[1][0]


def resolve(schema: ODataSchema, url: str, use: str = "motions") -> Dialect:
    """Resolve source ``use``'s logical names against ``schema``; ``SchemaMismatch`` names what
    it needs and the schema lacks."""
    dialect, lacking = _detect(schema, use)
    label = dialect if lacking == 0 else f"{dialect} (closest; {lacking} names differ)"
    physical: dict[tuple[str, str], str] = {}
    targets: dict[tuple[str, str], str] = {}
    missing: list[str] = []
    optional: list[str] = []
    for key, info in NAMES.items():
        if use not in info.uses:
            continue
        found = next((c for c in info.candidates(dialect) if schema.has(info.entity, c)), None)
        if found is None:
            where = missing if info.required(use) else optional
            where.append(f"{info.entity}.{info.name}")
            continue
        physical[key] = found
        if info.navigation:
            targets[key] = schema.entities[info.entity].navigations.get(found, info.name)
    if missing:
        raise SchemaMismatch(url, label, missing)
    return Dialect(label, physical, tuple(sorted(optional)), targets)
