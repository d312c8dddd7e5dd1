"""Real records for the Telegram tests, read from the recorded fixtures in ../shared/fixtures.

* 21501-02-2228 and its gewijzigde motie 21501-02-2234 (Omtzigt, Van Helvert): titles, Zaak
  numbers, dates and the cabinet appraisal from the Tweede Kamer Zaak records;
* 21501-02-2949: a motion with its real Besluit ("Stemmen - aangenomen") and Stemming rows;
* Kamerbrief 21501-02 nr. 2423 of 4 November 2021, "Uitvoering van alle moties gerelateerd aan
  het conflict in en rond Nagorno-Karabach", with execution reports whose evidence sentences are
  taken verbatim from the letter's text (``LETTERS``).

The parties of the 2020 submitters (both CDA members then) are not in the Zaak records; they are
added so that the answers can show "submitter (party)".
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from typing import Any

from state.models import (
    CitedMotion,
    Decision,
    ExecutionStatus,
    Letter,
    Motion,
    Observation,
    ParliamentaryStatus,
    PartyVote,
    Submitter,
    VoteChoice,
)
from tests.conftest import LETTERS, UPSTREAM

__all__ = [
    "LETTER_ID",
    "LETTER_TEXT",
    "first_poll",
    "letter_2423",
    "motion_2228",
    "motion_2234",
    "motion_2901",
    "motion_2949",
    "second_poll",
    "sentence",
]

LETTER_ID = "21501-02-2423"
LETTER_URL = "https://zoek.officielebekendmakingen.nl/kst-21501-02-2423.html"
ODATA = UPSTREAM / "tweedekamer-odata"
LETTER_TEXT = LETTERS / "2021-11-04_uitvoering-moties-nagorno-karabach.txt"
_CHOICES = {"Voor": VoteChoice.FOR, "Tegen": VoteChoice.AGAINST}


@cache
def _zaken() -> dict[str, dict[str, Any]]:
    raw = json.loads(
        (ODATA / "Zaak_records_armenie-azerbeidzjan-nagorno-karabach.json").read_text()
    )
    records = raw["value"] if isinstance(raw, dict) else raw
    return {z["Nummer"]: z for z in records}


@cache
def _letter_text() -> str:
    text = LETTER_TEXT.read_text(encoding="utf-8")
    return " ".join(text.split())


def sentence(start: str) -> str:
    """The sentence of the 4 November 2021 letter that begins with ``start`` (verbatim)."""
    text = _letter_text()
    at = text.index(start)
    return text[at : text.index(".", at + len(start)) + 1]


def _motion(zaak: str, motion_id: str, **extra: Any) -> Motion:
    z = _zaken()[zaak]
    return Motion(
        id=motion_id,
        title=z["Onderwerp"],
        date=date.fromisoformat(z["GestartOp"][:10]),
        cabinet_appraisal=z["Kabinetsappreciatie"],
        zaak_id=z["Id"],
        zaak_nummer=z["Nummer"],
        url=f"https://www.tweedekamer.nl/kamerstukken/moties/detail?id={z['Nummer']}",
        **extra,
    )


def motion_2228() -> Motion:
    """Motie Omtzigt (2020Z21194), replaced by the gewijzigde motie 21501-02-2234."""
    return _motion(
        "2020Z21194",
        "21501-02-2228",
        submitters=(Submitter("P.H. Omtzigt", "CDA", "Indiener"),),
        parliamentary_status=ParliamentaryStatus.REPLACED,
        replaced_by="21501-02-2234",
    )


def motion_2234() -> Motion:
    """The gewijzigde motie Omtzigt / Van Helvert (2020Z21428); adopted (the letter says so)."""
    return _motion(
        "2020Z21428",
        "21501-02-2234",
        submitters=(
            Submitter("P.H. Omtzigt", "CDA", "Indiener"),
            Submitter("M.R.H. van Helvert", "CDA", "Medeindiener"),
        ),
        parliamentary_status=ParliamentaryStatus.ADOPTED,
        replaces="21501-02-2228",
    )


def motion_2949() -> Motion:
    """21501-02-2949 (2024Z15623) with its real Besluit and per-party Stemming rows."""
    zaak = "2024Z15623"
    base = ODATA / "topic-motions"
    besluit = json.loads((base / "besluit_for_topic_motions.json").read_text())["by_zaak"][zaak]
    stemming = json.loads((base / "stemming_for_topic_motions.json").read_text())["by_zaak"][zaak]
    b = besluit["besluiten"][0]
    rows = stemming["besluiten"][0]["rows"]
    votes = tuple(
        PartyVote(
            actor=r["ActorNaam"],
            party=r["ActorFractie"],
            choice=_CHOICES.get(r["Soort"], VoteChoice.NOT_PARTICIPATED),
            seats=r["FractieGrootte"],
            mistake=bool(r["Vergissing"]),
        )
        for r in rows
    )
    decision = Decision(
        id=b["Id"],
        motion_id="21501-02-2949",
        status=ParliamentaryStatus.ADOPTED,
        raw_kind=b["BesluitSoort"],
        text=b["BesluitTekst"],
        date=date.fromisoformat(rows[0]["GewijzigdOp"][:10]),
        votes=votes,
    )
    return _motion(
        zaak,
        "21501-02-2949",
        parliamentary_status=ParliamentaryStatus.ADOPTED,
        status_raw=b["BesluitSoort"],
        decisions=(decision,),
    )


def motion_2901() -> Motion:
    """21501-02-2901 (2024Z08925), as its Zaak record describes it."""
    return _motion("2024Z08925", "21501-02-2901")


def letter_2423() -> Letter:
    """Kamerbrief 21501-02 nr. 2423 with three of its execution reports."""
    return Letter(
        id=LETTER_ID,
        title="Uitvoering van alle moties gerelateerd aan het conflict in en rond Nagorno-Karabach",
        date=date(2021, 11, 4),
        kamerstuk=LETTER_ID,
        document_nummer="2021D41766",
        url=LETTER_URL,
        motions=(
            CitedMotion(
                id="21501-20-1736",
                title="Motie van het lid Eppink over de verslechterende mensenrechtensituatie "
                "in Azerbeidzjan aankaarten op de Europese top",
                submitters=("Eppink",),
                date=date(2021, 10, 12),
                status=ExecutionStatus.EXECUTED,
                evidence=sentence(
                    "Tijdens de Europese Raad van 21 en 22 oktober heeft het kabinet"
                ),
            ),
            CitedMotion(
                id="21501-20-1714",
                title="Motie van de leden Segers en Van der Lee over geen afvaardiging van de "
                "regering naar Bakoe als het Nederlands elftal daar komt te spelen",
                submitters=("Segers", "Van der Lee"),
                date=date(2021, 6, 22),
                status=ExecutionStatus.NOT_APPLICABLE,
                evidence=sentence("Het kabinet acht de uitvoering van deze motie niet langer"),
            ),
            CitedMotion(
                id="21501-02-2234",
                title="Gewijzigde motie van het lid Omtzigt een onderzoek naar het schenden van "
                "oorlogsrecht in Nagorno-Karabach",
                submitters=("Omtzigt",),
                date=date(2020, 11, 12),
                status=ExecutionStatus.IN_PROGRESS,
                evidence=sentence("Hoewel de kans klein is"),
            ),
        ),
    )


def first_poll() -> Observation:
    """The motions, as the Tweede Kamer source reports them."""
    return Observation(motions=(motion_2228(), motion_2234(), motion_2949()))


def second_poll() -> Observation:
    """The letter of 4 November 2021 arrives."""
    return Observation(letters=(letter_2423(),))
