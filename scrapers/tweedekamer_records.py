"""Pure parsing of Gegevensmagazijn records into domain records (no I/O).

A motion is a ``Zaak`` (Soort ``Motie``) with, as expanded by ``TweedeKamerSource``, its
``Kamerstukdossier`` (→ canonical id with its ``Volgnummer``), ``ZaakActor`` (submitters),
``Besluit`` (decisions, each with its ``Stemming`` rows) and ``VervangenDoor``/``VervangenVanuit``
(gewijzigde moties). Decisions are attributed only through the direct Besluit↔Zaak link; an
Agendapunt lists many motions and is never used.

``BESLUIT_STATUS`` maps every ``BesluitSoort`` observed in 86,172 real Besluiten onto the
parliamentary status vocabulary. Most of them are procedural (agenda, committee handling) and
say nothing about a motion's fate: they map to ``submitted`` and are left out of a motion's
decisions. An unknown value maps to ``unknown``, is logged, and is kept with its raw value.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from scrapers.citations import normalize_motion_id
from scrapers.odata import parse_datetime
from state.models import (
    MOTION_ID_RE,
    Decision,
    Motion,
    ParliamentaryStatus,
    PartyVote,
    Submitter,
    VoteChoice,
)

__all__ = [
    "BESLUIT_STATUS",
    "PROCEDURAL",
    "Built",
    "build_motion",
    "canonical_id",
    "local_date",
    "parse_besluit_soort",
    "parse_result_counts",
    "submitters_from_onderwerp",
]

logger = logging.getLogger(__name__)

Record = Mapping[str, Any]
S = ParliamentaryStatus

_OUTCOMES: dict[str, ParliamentaryStatus] = {
    "Ingediend": S.SUBMITTED,
    "Stemmen - aangenomen": S.ADOPTED,
    "Stemmen - zonder stemming aannemen": S.ADOPTED,
    "Stemmen - vastgesteld": S.ADOPTED,
    "Stemmen - verworpen": S.REJECTED,
    "Stemmen - niet aangenomen": S.REJECTED,
    "Stemmen - aangehouden": S.HELD,
    "Stemmen - aangehouden (al tijdens debat)": S.HELD,
    "Stemmen - ingetrokken": S.WITHDRAWN,
    "Stemmen - ingetrokken (al tijdens debat)": S.WITHDRAWN,
    "Stemmen - uitstellen": S.POSTPONED,
    "Stemmen - gestaakt": S.TIED,
    "Stemmen - vervallen": S.LAPSED,
    "Termijn - vervallen in verband met verstrijken termijn": S.LAPSED,
    "[Vervallen] - Initiatiefwetsvoorstel of initiatiefnota als vervallen te beschouwen": S.LAPSED,
    "Afvoeren van de stand der werkzaamheden (plenair)": S.LAPSED,
    "Overgenomen": S.TAKEN_OVER,
}

# Observed BesluitSoort values that handle an agenda item without deciding a motion's fate.
PROCEDURAL: frozenset[str] = frozenset(
    {
        "LVIS - rondgezonden en gepubliceerd",
        "Behandelen [en afdoen]",
        "Controversieel - niet controversieel verklaren [geen Parlisproces] (commissie)",
        "Agenderen - commissiedebat",
        "[Vrij tekstveld / geen Parlisproces]",
        "V.k.a. - voor kennisgeving aannemen (commissie)",
        "Leveren inbreng",
        "Ter informatie",
        "Behandelen [geen Parlisproces]",
        "Ter bespreking (procedurevergadering)",
        "Betrekken - desgewenst betrekken bij andere zaak (relateren)",
        "Verzoek - bewindspersoon verzoeken om ...",
        "Inbreng - schriftelijk overleg (v.s.o.)",
        "Betrekken - desgewenst betrekken bij plenair debat (relateren)",
        "Betrekken - bij verdere behandeling wetsvoorstel (geen Parlisproces)",
        "Controversieel - niet controversieel verklaren [start proces agenderen voor pv] "
        "(commissie)",
        "Stenogram doorzenden",
        "Behandeling wordt voortgezet",
        "Betrekken - desgewenst betrekken bij commissieactiviteit (relateren)",
        "LVIS - doorzenden aan comissie(s)",
        "Betrokken - desgewenst betrokken bij commissieactiviteit (achteraf relateren)",
        "Aanmelden voor plenaire behandeling",
        "Betrokken - desgewenst betrokken bij plenair debat (achteraf relateren)",
        "In handen van commissie stellen (algemeen)",
        "LVIS - VvW rondgezonden en gepubliceerd",
        "Termijn - vka in verband met verstrijken termijn",
        "Agenderen - wetgevingsoverleg",
        "Betrokken - bij commissiedebat (achteraf agenderen)",
        "Inbreng - verslag wetsvoorstel",
        "LVIS - KB rondgezonden en gepubliceerd",
        "Agenderen - plenair debat",
        "Inbreng - feitelijke vragen",
        "Betrokken - desgewenst betrokken bij andere zaak (achteraf relateren)",
        "Aanhouden - tot de volgende procedurevergadering",
        "Agenderen - notaoverleg",
        "Agenderen - technische briefing",
        "Voortouw - de commissie ... verzoeken de behandeling over te nemen",
        "Controversieel - controversieel verklaren (commissie)",
        "Besluiten overeenkomstig voorstel commissie",
        "Termijn - goedkeuren en vka in verband verstrijken termijn",
        "Agenderen - rondetafelgesprek",
        "Controversieel - afvoeren van lijst van controversiële onderwerpen (plenair)",
        "Betrokken - bij verdere behandeling wetsvoorstel (geen Parlisproces) ",
        "Agenderen - gesprek",
        "Betrokken - bij begrotingsoverleg (achteraf agenderen)",
        "Aanhouden tot ... (commissie)",
        "Aanhouden - aangekondigde nadere informatie afwachten",
        "Betrokken - bij wetgevingsoverleg (achteraf agenderen)",
        "Voorstel volgt ",
        "V.k.a. - voor kennisgeving aannemen; adressant informeren",
        "Controversieel - controversiële status behouden (commissie)",
        "Controversieel - controversieel verklaren (plenair)",
        "Betrokken - bij notaoverleg (achteraf agenderen)",
        "Besluiten overeenkomstig voorstel commissie Verzoekschriften",
        "Agenderen - ad hoc-besluitvorming",
        "Agenderen - werkbezoek",
        "Betrokken - bij technische briefing (achteraf agenderen)",
        "Agenderen - stemmingen",
        "V.k.a. - voor kennisgeving aannemen (plenair)",
        "Afleggen werkbezoek",
        "Overlaten aan individuele leden / fracties",
        "Betrekken - bij verdere behandeling van het voorstel tot wijziging van het Reglement "
        "van Orde (geen Parlisproces)",
        "Agenderen - bijzondere procedure",
        "Agenderen - strategische procedurevergadering",
        "Controversieel - afvoeren van lijst van controversiële onderwerpen (commissie)",
        "In handen van commissie stellen (initiatiefwetgeving)",
        "Agenderen - e-mailprocedure",
        "Voorzetting (plenair debat)",
        "Stenogram doorzenden aan kabinet (rappel schr vragen)",
        "Agenderen - procedurevergadering",
        "Verzoek - reactie aan bewindspersoon vragen (brief derden)",
        "Betrokken - bij procedurevergadering (achteraf agenderen)",
        "Agenderen - hoorzitting",
        "Betrokken - bij gesprek (achteraf agenderen)",
        "LVIS - inititiatiefwet rondgezonden, gepubliceerd & RvS",
        "Stemmen",  # a vote without its outcome in the kind (1 of 86,172)
    }
)

BESLUIT_STATUS: dict[str, ParliamentaryStatus] = {
    **{kind: S.SUBMITTED for kind in PROCEDURAL},
    **_OUTCOMES,
}

_VOTE_CHOICE = {
    "voor": VoteChoice.FOR,
    "tegen": VoteChoice.AGAINST,
    "niet deelgenomen": VoteChoice.NOT_PARTICIPATED,
}
_CHOICE_ORDER = {VoteChoice.FOR: 0, VoteChoice.AGAINST: 1, VoteChoice.NOT_PARTICIPATED: 2}
_COUNTS_RE = re.compile(r"\(?\b(\d{1,3})\s*-\s*(\d{1,3})\b\)?")
_NAMES_RE = re.compile(
    r"^(?:Nader )?(?:[Gg]ewijzigde )?[Mm]otie van (?:het lid|de leden|leden) "
    r"(?P<names>.+?)(?: c\.s\.)?(?= over | een | \(t\.v\.v\.|\s*$)"
)
_TVV_RE = re.compile(r"t\.v\.v\.\s*([^)]+)\)")


def parse_besluit_soort(value: str | None) -> ParliamentaryStatus:
    """The status a ``BesluitSoort`` means; an unknown value is logged and gives ``unknown``."""
    if value is None:
        return S.SUBMITTED
    found = BESLUIT_STATUS.get(value) or BESLUIT_STATUS.get(value.strip())
    if found is not None:
        return found
    logger.warning("unknown BesluitSoort %r: kept raw, status 'unknown'", value)
    return S.UNKNOWN


def parse_result_counts(text: str | None) -> tuple[int, int] | None:
    """Seats (for, against) as a BesluitTekst states them: ``"Aangenomen. (73-72)"`` → (73, 72)."""
    if not text:
        return None
    match = _COUNTS_RE.search(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def local_date(value: object) -> date | None:
    """The calendar date of a DateTimeOffset as written (its own offset: Dutch local time)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def canonical_id(nummer: object, toevoeging: object, volgnummer: object) -> str | None:
    """``21501``, ``'02'``, ``2228`` → ``21501-02-2228``; None unless it is a valid id."""
    if not isinstance(nummer, int) or not isinstance(volgnummer, int) or volgnummer <= 0:
        return None
    extra = toevoeging.strip() if isinstance(toevoeging, str) and toevoeging.strip() else None
    ident = f"{nummer}-{extra}-{volgnummer}" if extra else f"{nummer}-{volgnummer}"
    return ident if MOTION_ID_RE.match(ident) else None


def submitters_from_onderwerp(onderwerp: str | None) -> tuple[Submitter, ...]:
    """Members named in ``Motie van het lid X c.s. over …`` (fallback without ZaakActor rows)."""
    match = _NAMES_RE.match((onderwerp or "").strip())
    if not match:
        return ()
    names = [n.strip() for n in re.split(r",\s*| en ", match.group("names")) if n.strip()]
    return tuple(
        Submitter(name=n, role="Indiener" if i == 0 else "Medeindiener")
        for i, n in enumerate(names)
    )


def _dossier_of(zaak: Record) -> tuple[object, object] | None:
    dossiers = [d for d in zaak.get("Kamerstukdossier") or [] if not d.get("Verwijderd")]
    if not dossiers:
        return None
    return dossiers[0].get("Nummer"), dossiers[0].get("Toevoeging")


def motion_id_of(zaak: Record) -> str | None:
    """The canonical id of an expanded Zaak (Kamerstukdossier + Volgnummer), if it has one."""
    dossier = _dossier_of(zaak)
    if dossier is None:
        return None
    return canonical_id(dossier[0], dossier[1], zaak.get("Volgnummer"))


@dataclass
class Built:
    """A motion built from one Zaak, with the problems met on the way."""

    motion: Motion
    notes: list[str] = field(default_factory=list)


def _submitters(zaak: Record) -> tuple[Submitter, ...]:
    rows = [
        a
        for a in zaak.get("ZaakActor") or []
        if not a.get("Verwijderd")
        and (a.get("Relatie") or "").casefold() in ("indiener", "medeindiener", "")
        and a.get("ActorNaam")
    ]
    if not rows:
        return submitters_from_onderwerp(zaak.get("Onderwerp"))
    seen: set[str] = set()
    out: list[Submitter] = []
    for row in sorted(
        rows,
        key=lambda a: ((a.get("Relatie") or "").casefold() != "indiener", a.get("ActorNaam", "")),
    ):
        name = str(row["ActorNaam"]).strip()
        if name in seen:
            continue
        seen.add(name)
        party = row.get("ActorFractie") or row.get("ActorAfkorting")
        out.append(Submitter(name=name, party=party, role=row.get("Relatie")))
    return tuple(out)


def _votes(besluit: Record, notes: list[str]) -> tuple[PartyVote, ...]:
    latest: dict[tuple[str, str], Record] = {}
    for row in besluit.get("Stemming") or []:
        if row.get("Verwijderd"):
            continue
        person = row.get("Persoon_Id")
        actor = row.get("Fractie_Id") or row.get("ActorFractie") or row.get("ActorNaam") or ""
        key = (str(actor), str(person or ""))
        stamp = (row.get("GewijzigdOp") or "", row.get("ApiGewijzigdOp") or "", row.get("Id", ""))
        kept = latest.get(key)
        if kept is None or stamp > (
            kept.get("GewijzigdOp") or "",
            kept.get("ApiGewijzigdOp") or "",
            kept.get("Id", ""),
        ):
            if kept is not None:
                logger.debug("duplicate Stemming for %s in Besluit %s", key, besluit.get("Id"))
            latest[key] = row
    votes: list[PartyVote] = []
    roll_call = (besluit.get("StemmingsSoort") or "").casefold() == "hoofdelijk"
    for row in latest.values():
        choice = _VOTE_CHOICE.get((row.get("Soort") or "").strip().casefold())
        if choice is None:
            notes.append(f"Stemming {row.get('Id')}: unknown Soort {row.get('Soort')!r} skipped")
            continue
        person = bool(row.get("Persoon_Id")) or roll_call
        party = row.get("ActorFractie")
        actor = (row.get("ActorNaam") if person else party or row.get("ActorNaam")) or "?"
        seats = 1 if person else int(row.get("FractieGrootte") or 0)
        votes.append(
            PartyVote(
                actor=str(actor),
                party=party,
                choice=choice,
                seats=seats,
                mistake=bool(row.get("Vergissing")),
            )
        )
    votes.sort(key=lambda v: (_CHOICE_ORDER[v.choice], -v.seats, v.actor))
    return tuple(votes)


def _decision(motion_id: str, besluit: Record, notes: list[str]) -> Decision | None:
    raw = besluit.get("BesluitSoort")
    if raw is None or (raw in PROCEDURAL and raw not in _OUTCOMES):
        logger.debug("procedural Besluit %s (%r) left out", besluit.get("Id"), raw)
        return None
    status = parse_besluit_soort(raw)
    if status is S.UNKNOWN:
        notes.append(f"Besluit {besluit.get('Id')}: unknown BesluitSoort {raw!r} kept raw")
    votes = _votes(besluit, notes)
    decision = Decision(
        id=str(besluit["Id"]),
        motion_id=motion_id,
        status=status,
        raw_kind=str(raw),
        text=besluit.get("BesluitTekst"),
        date=local_date(besluit.get("GewijzigdOp")),
        final=besluit.get("Status") == "Besluit",
        votes=votes,
    )
    counts = parse_result_counts(decision.text)
    if votes and counts and counts != decision.tally:
        notes.append(
            f"Besluit {decision.id}: text says {counts[0]}-{counts[1]}, Stemming rows give "
            f"{decision.tally[0]}-{decision.tally[1]}"
        )
    if sum(v.seats for v in votes if not v.mistake) > 150:
        notes.append(f"Besluit {decision.id}: Stemming rows add up to more than 150 seats")
    return decision


def _when(besluit: Record) -> datetime:
    return parse_datetime(besluit.get("GewijzigdOp")) or datetime.min.replace(tzinfo=UTC)


def _related_id(zaken: Iterable[Record]) -> str | None:
    ids = sorted(motion_id_of(z) or str(z.get("Nummer") or "") for z in zaken if z)
    ids = [i for i in ids if i]
    return ids[0] if ids else None


def build_motion(zaak: Record, *, base_url: str = "https://www.tweedekamer.nl") -> Built:
    """One ``Motion`` from an expanded Zaak record; the id falls back to the Zaak Nummer."""
    notes: list[str] = []
    nummer = str(zaak.get("Nummer") or "")
    motion_id = motion_id_of(zaak) or nummer or str(zaak["Id"])
    besluiten = [b for b in zaak.get("Besluit") or [] if not b.get("Verwijderd")]
    besluiten.sort(key=lambda b: (_when(b), b.get("BesluitSoort") != "Ingediend", b.get("Id", "")))
    decisions = tuple(
        d for d in (_decision(motion_id, b, notes) for b in besluiten) if d is not None
    )
    replaced_by = _related_id(zaak.get("VervangenDoor") or [])
    replaces = _related_id(zaak.get("VervangenVanuit") or [])
    if replaces is None:
        match = _TVV_RE.search(zaak.get("Onderwerp") or "")
        if match:
            replaces = normalize_motion_id(match.group(1))
    deciding = [d for d in decisions if d.final and d.status is not S.SUBMITTED]
    status = deciding[-1].status if deciding else S.SUBMITTED
    status_raw = deciding[-1].raw_kind if deciding else None
    if status_raw is None and decisions:
        status_raw = decisions[-1].raw_kind
    if replaced_by and status not in (S.ADOPTED, S.REJECTED):
        status = S.REPLACED
    title = " ".join(str(zaak.get("Onderwerp") or zaak.get("Titel") or nummer).split())
    motion = Motion(
        id=motion_id,
        title=title,
        submitters=_submitters(zaak),
        date=local_date(zaak.get("GestartOp")),
        parliamentary_status=status,
        status_raw=status_raw,
        cabinet_appraisal=zaak.get("Kabinetsappreciatie"),
        afgedaan=zaak["Afgedaan"] if isinstance(zaak.get("Afgedaan"), bool) else None,
        decisions=decisions,
        replaced_by=replaced_by,
        replaces=replaces,
        zaak_id=str(zaak.get("Id")) if zaak.get("Id") else None,
        zaak_nummer=nummer or None,
        url=f"{base_url}/kamerstukken/moties/detail?id={nummer}" if nummer else None,
        source="tweedekamer",
    )
    return Built(motion, notes)
