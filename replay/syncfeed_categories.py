"""The SyncFeed categories the replay serves: each one's OData entity set, tkData root element and
the child elements in the sequence order and nillability of the official tkData v1-0 XSDs (see
``replay.syncfeed`` for the evidence)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATEGORIES", "Category", "Field"]

# (element, kind, source, nillable); kind "ref": one relation from record field ``source`` or,
# when that is absent, the first link of navigation ``source``; "refs": every link of navigation
# ``source``; otherwise the simple type of the value in record field ``source``.
Field = tuple[str, str, str, bool]


@dataclass(frozen=True, slots=True)
class Category:
    """One SyncFeed category: its OData entity set and its tkData element."""

    name: str  # OData entity set and SyncFeed ``category`` value, e.g. "ZaakActor"
    element: str  # tkData root element and Atom category term, e.g. "zaakActor"
    fields: tuple[Field, ...]
    ns1: bool = False  # serialised with the ``ns1:`` prefix instead of a default namespace
    download: bool = False  # downloadEntiteitType: tk:contentType / tk:contentLength


def _f(element: str, kind: str, nillable: bool = True, source: str = "") -> Field:
    return (element, kind, source or element[0].upper() + element[1:], nillable)


# Sequence order and nillability copied from tkData-v1-0-<element>.xsd.
CATEGORIES: dict[str, Category] = {
    c.name: c
    for c in (
        Category(
            "Zaak",
            "zaak",
            (
                _f("kamerstukdossier", "ref"),
                _f("activiteit", "refs"),
                _f("agendapunt", "refs"),
                _f("gerelateerdVanuit", "refs"),
                _f("vervangenVanuit", "refs"),
                _f("nummer", "token", False),
                _f("soort", "token"),
                _f("onderwerp", "string", False),
                _f("gestartOp", "dateTime", False),
                _f("organisatie", "string"),
                _f("titel", "string"),
                _f("citeertitel", "string"),
                _f("alias", "string"),
                _f("grondslagvoorhang", "string"),
                _f("termijn", "dateTime"),
                _f("vergaderjaar", "string", False),
                _f("volgnummer", "int"),
                _f("status", "string"),
                _f("huidigeBehandelstatus", "string"),
                _f("afgedaan", "boolean"),
                _f("grootProject", "boolean"),
                _f("kabinetsappreciatie", "string"),
            ),
        ),
        Category(
            "ZaakActor",
            "zaakActor",
            (
                _f("zaak", "ref", source="Zaak_Id"),
                _f("persoon", "ref", source="Persoon_Id"),
                _f("fractie", "ref", source="Fractie_Id"),
                _f("commissie", "ref", source="Commissie_Id"),
                _f("actorNaam", "token"),
                _f("actorFractie", "token"),
                _f("actorAfkorting", "token"),
                _f("functie", "token"),
                _f("relatie", "token"),
                _f("sidActor", "token"),
            ),
        ),
        Category(
            "Besluit",
            "besluit",
            (
                _f("agendapunt", "ref", source="Agendapunt_Id"),
                _f("zaak", "refs"),
                _f("stemmingsSoort", "token"),
                _f("besluitSoort", "token"),
                _f("besluitTekst", "string"),
                _f("opmerking", "string"),
                _f("status", "token"),
                _f("agendapuntZaakBesluitVolgorde", "int"),
            ),
        ),
        Category(
            "Stemming",
            "stemming",
            (
                _f("besluit", "ref", source="Besluit_Id"),
                _f("persoon", "ref", source="Persoon_Id"),
                _f("fractie", "ref", source="Fractie_Id"),
                _f("soort", "token"),
                _f("fractieGrootte", "unsignedInt"),
                _f("actorNaam", "token"),
                _f("actorFractie", "token"),
                _f("vergissing", "boolean"),
                _f("sidActorLid", "token"),
                _f("sidActorFractie", "token"),
            ),
        ),
        Category(
            "Document",
            "document",
            (
                _f("huidigeDocumentVersie", "ref", source="HuidigeDocumentVersie_Id"),
                _f("bronDocument", "refs"),
                _f("activiteit", "refs"),
                _f("agendapunt", "refs"),
                _f("zaak", "refs"),
                _f("kamerstukdossier", "ref"),
                _f("soort", "token"),
                _f("documentNummer", "token", False),
                _f("titel", "token"),
                _f("onderwerp", "token", False),
                _f("datum", "dateTime", False),
                _f("volgnummer", "int", False),
                _f("vergaderjaar", "string", False),
                _f("kamer", "int", False),
                _f("citeertitel", "token"),
                _f("alias", "token"),
                _f("datumRegistratie", "dateTime"),
                _f("datumOntvangst", "dateTime"),
                _f("aanhangselnummer", "token"),
                _f("kenmerkAfzender", "token"),
                _f("organisatie", "token", False),
            ),
            download=True,
        ),
        Category(
            "Kamerstukdossier",
            "kamerstukdossier",
            (
                _f("titel", "string"),
                _f("citeertitel", "string"),
                _f("alias", "string"),
                _f("nummer", "unsignedInt", False),
                _f("toevoeging", "string"),
                _f("hoogsteVolgnummer", "int", False),
                _f("afgesloten", "boolean"),
                _f("kamer", "string"),
            ),
            ns1=True,
        ),
    )
}
