"""What the replay server serves: the recorded payloads in ``replay/data/``, per scenario and step.

The Tweede Kamer data becomes an entity graph (``replay.odata.Graph``) built from the recorded
records plus the DERIVED records described in ``replay/data/README.md``. A scenario is a sequence
of snapshots (``advance()`` moves to the next one) and, for the fault scenarios, a fault that
applies to every request of the first snapshot. The officiële-bekendmakingen SRU records and the
rijksoverheid documents are served from their recorded XML.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from replay.agenda import SCENARIO_STEPS as AGENDA_SCENARIOS
from replay.agenda import add_agenda, add_commitments
from replay.budget import BUDGET_SCENARIOS, budget_records  # issue 16: budget annexes
from replay.handelingen import HANDELINGEN_SCENARIOS, add_handelingen_records, handelingen_records
from replay.odata import Graph, Schema

__all__ = [
    "DATA",
    "REPLAY_NOW",
    "SCENARIOS",
    "UNSEEN_BESLUITSOORT",
    "Resource",
    "Scenario",
    "Snapshot",
    "SruRecord",
    "data_file",
    "scenario",
    "snapshot",
]

DATA = Path(__file__).with_name("data")
REPLAY_NOW = "2025-10-06T08:00:00Z"  # after every recorded timestamp; see replay/data/README.md
REWRITE_UTC = "2025-10-07T08:00:00Z"
REWRITE_LOCAL = "2025-10-07T10:00:00+02:00"
UNSEEN_BESLUITSOORT = "Stemmen - heropend"  # not among the 86,172 observed Besluiten
ADOPTED_ZAAK = "2025Z04608"  # 21501-02-3067
ADOPTED_BESLUIT = "3e0e6885-7afc-4b84-ad81-a18ae7460b8e"
LETTER_2423 = "2021D41766"


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named replay: how many snapshots, and the fault of the first one (if any)."""

    name: str
    description: str
    steps: int = 1
    fault: str | None = None


_ALL = [
    Scenario(
        "default",
        "everything: the 32 topic motions, their decisions and votes, and all letters incl. "
        "the execution letter of 4 Nov 2021",
    ),
    Scenario(
        "demo",
        "step 0: the topic motions and the earlier letters; step 1: the letter of 4 Nov 2021 "
        "(21501-02-2423) on carrying out 18 motions arrives",
        steps=2,
    ),
    Scenario(
        "adopted",
        "step 0: motion 21501-02-3067 only 'Ingediend'; step 1: its real 'Stemmen - aangenomen' "
        "Besluit with the real Stemming rows",
        steps=2,
    ),
    Scenario(
        "bulk-rewrite",
        "step 1: every record re-stamped (ApiGewijzigdOp, and GewijzigdOp of Zaak, ZaakActor, "
        "Document, Kamerstukdossier) with nothing else changed",
        steps=2,
    ),
    Scenario(
        "unknown-besluitsoort",
        f"step 0: 3067's real Besluit with BesluitSoort replaced by the unseen "
        f"'{UNSEEN_BESLUITSOORT}'; step 1: the real value, re-stamped",
        steps=2,
    ),
    Scenario(
        "v5-missing-property",
        "as 'adopted' (step 1: 21501-02-3067's vote arrives), but from step 1 on the v5 "
        "$metadata and records lack Besluit.BesluitSoort (a silent upstream rename)",
        steps=2,
    ),
    Scenario(
        "besluit-deleted",
        "step 1: 3067's 'Stemmen - aangenomen' Besluit and its Stemming rows deleted upstream "
        "(Verwijderd true, every other property null, re-stamped)",
        steps=2,
    ),
    Scenario("http500", "step 0: every request answers HTTP 500; step 1: default", 2, "http500"),
    Scenario(
        "http429",
        "step 0: every request answers 429 with Retry-After: 1; step 1: default",
        2,
        "http429",
    ),
    Scenario(
        "timeout", "step 0: requests are accepted and never answered; step 1: default", 2, "timeout"
    ),
    Scenario(
        "truncated-json",
        "step 0: OData JSON cut off halfway (consistent Content-Length); step 1: default",
        2,
        "truncated-json",
    ),
    Scenario(
        "html-200",
        "step 0: an HTML error page with status 200 for every request; step 1: default",
        2,
        "html-200",
    ),
    Scenario(
        "huge-body",
        "step 0: every request streams a 50 MB body (generated, never held); step 1: default",
        2,
        "huge-body",
    ),
    Scenario(
        "slow",
        "step 0: every request is answered (with the default data) only after 25 s; "
        "step 1: default",
        2,
        "slow",
    ),
]
_ALL += [Scenario(n, d) for n, d in BUDGET_SCENARIOS.items()]  # issue 16 (replay/budget.py)
_ALL += [Scenario(n, d) for n, d in HANDELINGEN_SCENARIOS.items()]  # issue 16 (handelingen.py)
_ALL += [  # issue 17: the agenda (replay/agenda.py)
    Scenario(
        "agenda",
        "step 0: the Stemmingen of 2 Oct 2025 planned, 16 motions with Besluit 'Voorstel'; "
        "step 1: the session held, the real Besluiten and Stemming rows after the vote",
        steps=2,
    ),
    Scenario(
        "agenda-postponed",
        "step 0: the Stemmingen of 2 Oct 2025 planned; step 1: the session 'Verplaatst' to "
        "9 Oct (CONSTRUCTED)",
        steps=2,
    ),
    Scenario(
        "agenda-deleted",
        "step 0: the Stemmingen of 2 Oct 2025 planned; step 1: the session deleted upstream "
        "(Verwijderd true, DERIVED from the recorded deleted rows)",
        steps=2,
    ),
    Scenario(
        "agenda-debate",
        "the Commissiedebat Raad Buitenlandse Zaken of 10 Dec 2025 (real, planned) with the "
        "letter 21501-02-2375 on its agenda (agenda item DERIVED)",
    ),
]
SCENARIO_BY_NAME: dict[str, Scenario] = {s.name: s for s in _ALL}
SCENARIOS: dict[str, str] = {s.name: s.description for s in _ALL}


def scenario(name: str) -> Scenario:
    """The scenario called ``name``; ``ValueError`` lists the known ones otherwise."""
    try:
        return SCENARIO_BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(SCENARIOS))
        raise ValueError(f"unknown replay scenario {name!r}; known: {known}") from None


def data_file(name: str) -> bytes:
    """The bytes of one file in ``replay/data/``."""
    return (DATA / name).read_bytes()


@cache
def _json(name: str) -> Any:
    return json.loads(data_file(name))


@cache
def _schema() -> Schema:
    return Schema(data_file("metadata.xml"))


@dataclass(frozen=True, slots=True)
class Resource:
    """A file served as a bound ``Resource`` (text of a document or publication)."""

    file: str
    content_type: str


@dataclass(frozen=True, slots=True)
class SruRecord:
    """One SRU record: its searchable fields and its ``<sru:record>`` XML."""

    fields: dict[str, str]
    xml: str
    resource_path: str | None  # path under the repository base where its xml manifestation is
    resource: Resource | None


@dataclass
class Snapshot:
    """Everything served in one step of one scenario."""

    graph: Graph
    resources: dict[tuple[str, str], Resource] = field(default_factory=dict)
    sru: list[SruRecord] = field(default_factory=list)
    fault: str | None = None
    name: str = ""  # the scenario and step this is (the SyncFeed replays the steps up to it)
    step: int = 0


def _zaak_ids() -> dict[str, str]:
    return {
        z["Nummer"]: z["Id"]
        for z in _json("Zaak_records_armenie-azerbeidzjan-nagorno-karabach.json")
    }


def _add_tweedekamer(graph: Graph, resources: dict[tuple[str, str], Resource]) -> None:
    zaak_id = _zaak_ids()
    for record in _json("Zaak_records_armenie-azerbeidzjan-nagorno-karabach.json"):
        graph.add("Zaak", record)
    for record in _json("Document_records_armenie-azerbeidzjan.json"):
        graph.add("Document", record)
    for name in sorted(DATA.glob("zaak_documents_*.json")):
        _add_zaak_documents(graph, resources, _json(name.name))
    dossiers = _json("Kamerstukdossier_records_DERIVED.json")
    dossier_id: dict[str, str] = {}
    for record in dossiers["records"]:
        graph.add("Kamerstukdossier", record)
        key = str(record["Nummer"]) + (f"-{record['Toevoeging']}" if record["Toevoeging"] else "")
        dossier_id[key] = record["Id"]
    for link in dossiers["zaak_links"]:
        graph.link(
            "Zaak", zaak_id[link["zaak"]], "Kamerstukdossier", dossier_id[link["dossier"]], "Zaak"
        )
    for zaak in (
        _json("zaak_documents_2025Z04608_21501-02-3067.json"),
        _json("zaak_documents_2024Z15623_21501-02-2949.json"),
        _json("zaak_documents_2024Z08925_21501-02-2901.json"),
    ):
        for doc in zaak["Document"]:
            ext = doc["HuidigeDocumentVersie"]["ExterneIdentifier"]  # kst-21501-02-3067
            dossier = ext.removeprefix("kst-").rsplit("-", 1)[0]
            graph.link("Document", doc["Id"], "Kamerstukdossier", dossier_id[dossier], "Document")
    _add_besluiten(graph, zaak_id)
    _add_actors(graph, zaak_id)
    for link in _json("Zaak_VervangenDoor_links_DERIVED.json")["links"]:
        old, new = zaak_id[link["vervangen"]], zaak_id[link["vervangen_door"]]
        graph.link("Zaak", old, "VervangenDoor", new, "VervangenVanuit")
    for letter in _json("Document_records_letters_DERIVED.json")["letters"]:
        record = graph.add("Document", letter["record"])
        graph.link(
            "Document", record["Id"], "Kamerstukdossier", dossier_id[letter["dossier"]], "Document"
        )
        if letter["zaak"]:
            graph.link("Zaak", zaak_id[letter["zaak"]], "Document", record["Id"], "Zaak")
        resources[("Document", record["Id"].lower())] = Resource(
            letter["resource"], "text/plain; charset=utf-8"
        )


def _add_zaak_documents(
    graph: Graph, resources: dict[tuple[str, str], Resource], zaak: dict[str, Any]
) -> None:
    for doc in zaak["Document"]:
        version = doc["HuidigeDocumentVersie"]
        graph.add("Document", doc)
        graph.link("Zaak", zaak["Id"], "Document", doc["Id"], "Zaak")
        graph.add("DocumentVersie", version)
        graph.link("Document", doc["Id"], "HuidigeDocumentVersie", version["Id"], "Document")
        graph.link("Document", doc["Id"], "DocumentVersie", version["Id"])
        for pub in version.get("DocumentPublicatie", []):
            graph.add("DocumentPublicatie", pub)
            graph.link(
                "DocumentVersie", version["Id"], "DocumentPublicatie", pub["Id"], "DocumentVersie"
            )
            if pub["DocumentType"] == "Xml":
                matches = sorted(DATA.glob(f"DocumentPublicatie_{pub['Id']}_*.xml"))
                if matches:
                    resources[("DocumentPublicatie", pub["Id"].lower())] = Resource(
                        matches[0].name, "application/xml"
                    )
        for meta in version.get("DocumentPublicatieMetadata", []):
            graph.add("DocumentPublicatieMetadata", meta)
            graph.link(
                "DocumentVersie",
                version["Id"],
                "DocumentPublicatieMetadata",
                meta["Id"],
                "DocumentVersie",
            )


def _add_besluiten(graph: Graph, zaak_id: dict[str, str]) -> None:
    derived = _json("Besluit_records_DERIVED.json")
    completion = derived["completion_of_recorded"]
    stemming = _json("stemming_for_topic_motions.json")["by_zaak"]
    for nummer, block in _json("besluit_for_topic_motions.json")["by_zaak"].items():
        if nummer not in zaak_id:
            continue  # 2022Z25043 is not one of the recorded Zaken
        for besluit in block["besluiten"]:
            extra = {k: v for k, v in completion.get(besluit["Id"], {}).items() if k != "evidence"}
            graph.add("Besluit", {**besluit, **extra})
            graph.link("Zaak", zaak_id[nummer], "Besluit", besluit["Id"], "Zaak")
        for group in stemming.get(nummer, {}).get("besluiten", []):
            for row in group["rows"]:
                # rows recorded with $select lack Besluit_Id (their nesting states it) and
                # Verwijderd (their query filtered Verwijderd eq false)
                record = {"Besluit_Id": group["besluit_id"], "Verwijderd": False, **row}
                graph.add("Stemming", record)
                graph.link("Besluit", group["besluit_id"], "Stemming", row["Id"], "Besluit")
    for item in derived["records"]:
        graph.add("Besluit", item["record"])
        graph.link("Zaak", zaak_id[item["zaak"]], "Besluit", item["record"]["Id"], "Zaak")


def _add_actors(graph: Graph, zaak_id: dict[str, str]) -> None:
    derived = _json("ZaakActor_records_DERIVED.json")
    completion = derived["completion_of_recorded"]
    for nummer, block in _json("zaakactor_for_topic_motions.json")["by_zaak"].items():
        if nummer not in zaak_id:
            continue
        for row in block["rows"]:
            extra = {k: v for k, v in completion.get(row["Id"], {}).items() if k != "evidence"}
            graph.add("ZaakActor", {**row, **extra})
            graph.link("Zaak", zaak_id[nummer], "ZaakActor", row["Id"], "Zaak")
    for row in derived["records"]:
        graph.add("ZaakActor", row)
        graph.link("Zaak", row["Zaak_Id"], "ZaakActor", row["Id"], "Zaak")


# ---------------------------------------------------------------------------------------------
# officiële bekendmakingen (SRU)

SRU_NS = {
    "sru": "http://docs.oasis-open.org/ns/search-ws/sruResponse",
    "dcterms": "http://purl.org/dc/terms/",
    "ow": "http://standaarden.overheid.nl/wetgeving/",
    "c": "http://standaarden.overheid.nl/collectie/",
    "gzd": "http://standaarden.overheid.nl/sru",
}
# CQL index → element (namespace-prefixed) in the record
SRU_INDEXES = {
    "dt.identifier": "dcterms:identifier",
    "dt.title": "dcterms:title",
    "dt.type": "dcterms:type",
    "dt.modified": "dcterms:modified",
    "dt.available": "dcterms:available",
    "dt.date": "dcterms:date",
    "dt.issued": "dcterms:issued",
    "c.product-area": "c:product-area",
    "w.dossiernummer": "ow:dossiernummer",
    "w.behandelddossier": "ow:behandeldDossier",  # repeated: one per motion or bill handled
    "w.ondernummer": "ow:ondernummer",
    "w.publicatienaam": "ow:publicatienaam",
    "w.organisatietype": "ow:organisatietype",
    "w.documentstatus": "ow:documentstatus",
    "w.subrubriek": "ow:subrubriek",
    "w.vergaderjaar": "ow:vergaderjaar",
}
REPOSITORY = "https://repository.overheid.nl"
MULTI = "\x1f"  # joins the values of an index a record repeats (behandeldDossier)


def _sru_record(xml: str, resource: Resource | None) -> SruRecord:
    wrapped = (
        (
            '<r xmlns:sru="{sru}" xmlns:dcterms="{dcterms}" xmlns:overheidwetgeving="{ow}" '
            'xmlns:c="{c}" xmlns:gzd="{gzd}" xmlns:cd="http://standaarden.overheid.nl/cup/data">'
        ).format(**SRU_NS)
        + xml
        + "</r>"
    )
    node = ET.fromstring(wrapped)
    fields: dict[str, str] = {}
    for index, tag in SRU_INDEXES.items():
        values = [f.text.strip() for f in node.iterfind(f".//{tag}", SRU_NS) if f.text]
        if values:
            fields[index] = MULTI.join(values)
    item = node.find(".//gzd:itemUrl[@manifestation='xml']", SRU_NS)
    path = item.text.strip().removeprefix(REPOSITORY) if item is not None and item.text else None
    return SruRecord(fields, xml, path, resource)


@cache
def _recorded_sru() -> tuple[SruRecord, ...]:
    out: list[SruRecord] = []
    for name in (
        "sru_searchRetrieve_staten-generaal_dt.modified-2021-10-13_10-records.xml",
        "sru_searchRetrieve_dt.identifier-kst-35842-4.xml",
    ):
        text = data_file(name).decode("utf-8")
        for match in re.finditer(r"<sru:record>.*?</sru:record>", text, re.DOTALL):
            out.append(_sru_record(match.group(0), None))
    return tuple(out)


@cache
def _derived_sru() -> tuple[tuple[SruRecord, dict[str, int]], ...]:
    text = data_file("SRU_records_topic_DERIVED.xml").decode("utf-8")
    notes = _json("SRU_records_topic_DERIVED.json")["records"]
    blocks = re.findall(r"<sru:record .*?</sru:record>", text, re.DOTALL)
    out = []
    for block, note in zip(blocks, notes, strict=True):
        kind = "application/xml" if note["xml"].endswith(".xml") else "text/plain; charset=utf-8"
        out.append((_sru_record(block, Resource(note["xml"], kind)), note["arrives"]))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# snapshots


def _restamp(graph: Graph) -> None:
    for entity_set in ("Zaak", "ZaakActor", "Document", "Kamerstukdossier"):
        for record in graph.sets.get(entity_set, {}).values():
            record["GewijzigdOp"] = REWRITE_LOCAL
            record["ApiGewijzigdOp"] = REWRITE_UTC
    for entity_set in ("Besluit", "Stemming", "DocumentVersie", "DocumentPublicatie"):
        for record in graph.sets.get(entity_set, {}).values():
            record["ApiGewijzigdOp"] = REWRITE_UTC


def _drop(graph: Graph, entity_set: str, key: str) -> None:
    graph.sets.get(entity_set, {}).pop(key.lower(), None)


@cache
def snapshot(name: str, step: int) -> Snapshot:
    """What scenario ``name`` serves at ``step`` (clamped to its last step)."""
    spec = scenario(name)
    step = max(0, min(step, spec.steps - 1))
    graph = Graph(_schema())
    resources: dict[tuple[str, str], Resource] = {}
    _add_tweedekamer(graph, resources)
    sru = list(_recorded_sru())
    for record, arrives in _derived_sru():
        if step >= arrives.get(name, 0):
            sru.append(record)
    sru += [_sru_record(x, Resource(f, t)) for x, f, t in budget_records(name)]  # issue 16
    sru += [_sru_record(x, Resource(f, t)) for x, f, t in handelingen_records(name)]
    add_handelingen_records(graph, name)
    if name == "demo" and step == 0:
        letter = next(
            r for r in graph.sets["Document"].values() if r["DocumentNummer"] == LETTER_2423
        )
        _drop(graph, "Document", letter["Id"])
    elif name in ("adopted", "v5-missing-property") and step == 0:
        besluit = graph.get("Besluit", ADOPTED_BESLUIT)
        assert besluit is not None
        for _, row in graph.related("Besluit", besluit, "Stemming"):
            _drop(graph, "Stemming", row["Id"])
        _drop(graph, "Besluit", ADOPTED_BESLUIT)
    elif name == "unknown-besluitsoort":
        besluit = graph.get("Besluit", ADOPTED_BESLUIT)
        assert besluit is not None
        if step == 0:
            besluit["BesluitSoort"] = UNSEEN_BESLUITSOORT
        else:
            besluit["ApiGewijzigdOp"] = REPLAY_NOW
    elif name == "bulk-rewrite" and step == 1:
        _restamp(graph)
    elif name == "besluit-deleted" and step == 1:
        besluit = graph.get("Besluit", ADOPTED_BESLUIT)
        assert besluit is not None
        rows = [row for _, row in graph.related("Besluit", besluit, "Stemming")]
        for deleted in [*rows, besluit]:
            _tombstone(deleted)
    if name in AGENDA_SCENARIOS:
        add_agenda(graph, name, step)
    add_commitments(graph, name, step)
    fault = spec.fault if step == 0 else None
    return Snapshot(graph=graph, resources=resources, sru=sru, fault=fault, name=name, step=step)


def _tombstone(record: dict[str, Any]) -> None:
    """Deleted the Gegevensmagazijn way: Verwijderd true, every other property null, re-stamped."""
    for prop in record:
        if prop != "Id":
            record[prop] = None
    record["Verwijderd"] = True
    record["ApiGewijzigdOp"] = REPLAY_NOW
