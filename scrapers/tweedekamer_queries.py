"""The OData queries of the Tweede Kamer source, built in logical names through a ``Dialect``.

Every entity set, property and navigation goes through ``Dialect.p`` so that one table
(``scrapers.odata_schema.NAMES``) decides what the server calls it. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scrapers.odata import any_of, contains_any, literal
from scrapers.odata_schema import Dialect
from state.models import MOTION_ID_RE

__all__ = [
    "DOCUMENT_FIELDS",
    "WATCH_INLINE",
    "ZAAK_FIELDS",
    "ZAAK_NUMMER_RE",
    "change_zaak_expand",
    "document_select",
    "letter_expand",
    "motion_clause",
    "motion_expand",
    "watch_clause",
    "zaak_select",
]

ZAAK_NUMMER_RE = re.compile(r"^(?:19|20)\d{2}Z\d{5}$")
# Up to this many watched ids go into change queries as clauses; beyond it the change queries ask
# for every motion that changed and relevance is decided locally (URLs stay short).
WATCH_INLINE = 25


def watch_clause(d: Dialect, ident: str, var: str = "") -> str | None:
    """An OData clause selecting the motion ``ident`` (canonical id or Zaak Nummer)."""
    p = f"{var}/" if var else ""
    if ZAAK_NUMMER_RE.match(ident):
        return f"{p}{d.p('Zaak', 'Nummer')} eq {literal(ident)}"
    match = MOTION_ID_RE.match(ident)
    if not match:
        return None
    nummer, toevoeging = d.p("Kamerstukdossier", "Nummer"), d.p("Kamerstukdossier", "Toevoeging")
    dossier = f"k/{nummer} eq {int(match['dossier'])}"
    extra = (
        f"k/{toevoeging} eq {literal(match['toevoeging'])}"
        if match["toevoeging"]
        else f"k/{toevoeging} eq null"
    )
    return (
        f"({p}{d.p('Zaak', 'Volgnummer')} eq {int(match['nr'])} and "
        f"{p}{d.p('Zaak', 'Kamerstukdossier')}/any(k: {dossier} and {extra}))"
    )


def motion_clause(
    d: Dialect, terms: Iterable[str], watch: Iterable[str], var: str = "", *, topic: bool = True
) -> str:
    """``Soort eq 'Motie' and (topic or watched)`` on the Zaak (or lambda variable ``var``)."""
    p = f"{var}/" if var else ""
    parts = [contains_any(f"{p}{d.p('Zaak', 'Onderwerp')}", terms)] if topic else []
    parts += [c for c in (watch_clause(d, w, var) for w in sorted(watch)) if c]
    return f"{p}{d.p('Zaak', 'Soort')} eq 'Motie' and {any_of(parts)}"


def _versie_expand(d: Dialect) -> str:
    pub = d.select("DocumentPublicatie", "Id", "DocumentType", "FileName")
    return (
        f"{d.p('Document', 'HuidigeDocumentVersie')}("
        f"$select={d.select('DocumentVersie', 'Id', 'ExterneIdentifier')};"
        f"$expand={d.p('DocumentVersie', 'DocumentPublicatie')}("
        f"$filter={d.p('DocumentPublicatie', 'DocumentType')} eq 'Xml';$select={pub}))"
    )


def motion_expand(d: Dialect) -> str:
    """Everything a motion shows, expanded on its Zaak."""
    z = "Zaak"
    dossier = d.select("Kamerstukdossier", "Id", "Nummer", "Toevoeging", "Verwijderd")
    actor = d.select(
        "ZaakActor",
        *("Id", "ActorNaam", "ActorFractie", "ActorAfkorting", "Relatie", "Persoon_Id"),
        *("Fractie_Id", "Verwijderd", "GewijzigdOp", "ApiGewijzigdOp"),
    )
    relatie = d.p("ZaakActor", "Relatie")
    stamps = ("Verwijderd", "GewijzigdOp", "ApiGewijzigdOp")
    besluit = d.select(
        "Besluit", "Id", "BesluitSoort", "BesluitTekst", "Status", "StemmingsSoort", *stamps
    )
    stemming = d.select(
        "Stemming",
        *("Id", "Soort", "FractieGrootte", "ActorNaam", "ActorFractie", "Vergissing"),
        *("Persoon_Id", "Fractie_Id", *stamps),
    )
    related = (
        f"($select={d.select(z, 'Id', 'Nummer', 'Volgnummer')};"
        f"$expand={d.p(z, 'Kamerstukdossier')}("
        f"$select={d.select('Kamerstukdossier', 'Nummer', 'Toevoeging')}))"
    )
    soort = d.p("Document", "Soort")
    parts = [
        f"{d.p(z, 'Kamerstukdossier')}($select={dossier})",
        f"{d.p(z, 'ZaakActor')}($filter={relatie} eq 'Indiener' or {relatie} eq 'Medeindiener';"
        f"$select={actor})",
        f"{d.p(z, 'Besluit')}($filter={d.p('Besluit', 'Verwijderd')} eq false;"
        f"$select={besluit};"
        f"$expand={d.p('Besluit', 'Stemming')}($filter={d.p('Stemming', 'Verwijderd')} eq false;"
        f"$select={stemming}))",
    ]
    for nav in ("VervangenDoor", "VervangenVanuit"):
        if d.has(z, nav):
            parts.append(f"{d.p(z, nav)}{related}")
    parts.append(
        f"{d.p(z, 'Document')}($filter={d.p('Document', 'Verwijderd')} eq false and "
        f"({soort} eq 'Motie' or {soort} eq 'Motie (gewijzigd/nader)');"
        f"$select={d.select('Document', 'Id', 'Soort')};$expand={_versie_expand(d)})"
    )
    return ",".join(parts)


ZAAK_FIELDS = (
    *("Id", "Nummer", "Soort", "Titel", "Onderwerp", "GestartOp", "Volgnummer", "Afgedaan"),
    *("Kabinetsappreciatie", "Verwijderd", "GewijzigdOp", "ApiGewijzigdOp"),
)
DOCUMENT_FIELDS = (
    *("Id", "Soort", "DocumentNummer", "Volgnummer", "Onderwerp", "Datum", "Verwijderd"),
    *("GewijzigdOp", "ApiGewijzigdOp"),
)


def zaak_select(d: Dialect) -> str:
    """The Zaak properties a motion is built from (those the server has)."""
    return d.select("Zaak", *ZAAK_FIELDS)


def document_select(d: Dialect) -> str:
    """The Document properties a letter is built from."""
    return d.select("Document", *DOCUMENT_FIELDS)


def change_zaak_expand(d: Dialect) -> str:
    """On a change row: its Zaak with what decides locally whether it is relevant."""
    fields = d.select("Zaak", "Id", "Nummer", "Soort", "Onderwerp", "Volgnummer")
    dossier = d.select("Kamerstukdossier", "Nummer", "Toevoeging")
    return f"$select={fields};$expand={d.p('Zaak', 'Kamerstukdossier')}($select={dossier})"


def letter_expand(d: Dialect) -> str:
    """A letter's dossier and the XML publication of its current version."""
    dossier = d.select("Kamerstukdossier", "Nummer", "Toevoeging")
    return f"{d.p('Document', 'Kamerstukdossier')}($select={dossier}),{_versie_expand(d)}"
