# ruff: noqa: E501 (titles quoted from the letter stay on one line)
"""Real facts for the web and email tests, built from the recorded upstream payloads.

Motion 21501-02-2228 (Omtzigt) and its gewijzigde motie 21501-02-2234 come from the Tweede Kamer
Zaak records; 21501-02-3067's decision and its 15 party votes from the recorded Stemming rows;
the execution reports and their evidence sentences are quoted from the cabinet's letter of
4 November 2021 (Kamerstuk 21501-02 nr. 2423) and the letter of 14 October 2021 (26150 nr. 196).
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

ODATA = UPSTREAM / "tweedekamer-odata"
LETTER_2423 = LETTERS / "2021-11-04_uitvoering-moties-nagorno-karabach.txt"
LETTER_196 = LETTERS / "2021-10-14_avvn-inzet-nagorno-karabach.txt"

_CHOICE = {"Voor": VoteChoice.FOR, "Tegen": VoteChoice.AGAINST}


@cache
def zaak(nummer: str) -> dict[str, Any]:
    """One recorded Zaak record by its number (2020Z21194)."""
    data = json.loads(
        (ODATA / "Zaak_records_armenie-azerbeidzjan-nagorno-karabach.json").read_text()
    )
    records = data["value"] if isinstance(data, dict) else data
    return next(z for z in records if z["Nummer"] == nummer)


def _zaak_date(nummer: str) -> date:
    return date.fromisoformat(zaak(nummer)["GestartOp"][:10])


def letter_text(path: Any) -> str:
    """A letter's text with its line breaks joined (for quoting sentences)."""
    return " ".join(path.read_text(encoding="utf-8").split())


def quote(path: Any, start: str, end: str) -> str:
    """The sentence of a letter that starts with ``start`` and ends with ``end`` (must exist)."""
    text = letter_text(path)
    i = text.index(start)
    j = text.index(end, i) + len(end)
    return text[i:j]


def decision_3067() -> Decision:
    """The recorded Besluit on 21501-02-3067 with its Stemming rows (adopted, 113-37)."""
    besluit = json.loads((ODATA / "topic-motions" / "besluit_for_topic_motions.json").read_text())
    stemming = json.loads((ODATA / "topic-motions" / "stemming_for_topic_motions.json").read_text())
    b = besluit["by_zaak"]["2025Z04608"]["besluiten"][0]
    rows = stemming["by_zaak"]["2025Z04608"]["besluiten"][0]["rows"]
    votes = tuple(
        PartyVote(
            actor=r["ActorFractie"] or r["ActorNaam"],
            party=r["ActorFractie"],
            choice=_CHOICE.get(r["Soort"], VoteChoice.NOT_PARTICIPATED),
            seats=r["FractieGrootte"],
            mistake=bool(r["Vergissing"]),
        )
        for r in rows
    )
    return Decision(
        id=b["Id"],
        motion_id="21501-02-3067",
        status=ParliamentaryStatus.ADOPTED,
        raw_kind=b["BesluitSoort"],
        text=b["BesluitTekst"],
        date=date.fromisoformat(b["GewijzigdOp"][:10]),
        final=b["Status"] == "Besluit",
        votes=votes,
    )


def motion_2228() -> Motion:
    """Omtzigt's motion on an inquiry into war crimes, replaced by 21501-02-2234."""
    z = zaak("2020Z21194")
    return Motion(
        id="21501-02-2228",
        title=z["Onderwerp"],
        submitters=(Submitter("P.H. Omtzigt", "CDA", "Indiener"),),
        date=_zaak_date("2020Z21194"),
        cabinet_appraisal=z["Kabinetsappreciatie"],
        zaak_id=z["Id"],
        zaak_nummer=z["Nummer"],
    )


def motion_2234() -> Motion:
    """The gewijzigde motie Omtzigt/Van Helvert (t.v.v. 21501-02-2228)."""
    z = zaak("2020Z21428")
    return Motion(
        id="21501-02-2234",
        title=z["Onderwerp"],
        submitters=(
            Submitter("P.H. Omtzigt", "CDA", "Indiener"),
            Submitter("Van Helvert", "CDA", "Medeindiener"),
        ),
        date=_zaak_date("2020Z21428"),
        replaces="21501-02-2228",
        zaak_id=z["Id"],
        zaak_nummer=z["Nummer"],
    )


def motion_3067(*, decided: bool) -> Motion:
    """Ceder c.s. on Armenian prisoners; ``decided`` adds the recorded vote (adopted 113-37)."""
    z = zaak("2025Z04608")
    decision = decision_3067()
    return Motion(
        id="21501-02-3067",
        title=z["Onderwerp"],
        submitters=(Submitter("D.G.M. Ceder", "ChristenUnie", "Indiener"),),
        date=_zaak_date("2025Z04608"),
        parliamentary_status=ParliamentaryStatus.ADOPTED
        if decided
        else ParliamentaryStatus.SUBMITTED,
        status_raw=decision.raw_kind if decided else None,
        cabinet_appraisal=z["Kabinetsappreciatie"],
        decisions=(decision,) if decided else (),
        zaak_id=z["Id"],
        zaak_nummer=z["Nummer"],
    )


EVIDENCE_2234 = (
    "Hoewel de kans klein is dat een dergelijk internationaal onafhankelijk onderzoek",
    "vervolging van eventuele oorlogsmisdaden.",
)
EVIDENCE_1714 = (
    "Het kabinet acht de uitvoering van deze motie niet langer van toepassing",
    "niet in Bakoe kwam te spelen.",
)
EVIDENCE_2370 = ("Het kabinet zal dit blijven doen", "Armeense gevangenen vrij zijn.")


def letter_2423() -> Letter:
    """The letter of 4 November 2021 on the execution of every Nagorno-Karabach motion."""
    return Letter(
        id="21501-02-2423",
        title="Uitvoering van alle moties gerelateerd aan het conflict in en rond Nagorno-Karabach",
        date=date(2021, 11, 4),
        kamerstuk="21501-02-2423",
        document_nummer="2021D41766",
        url="https://zoek.officielebekendmakingen.nl/kst-21501-02-2423.html",
        motions=(
            CitedMotion(
                id="21501-02-2234",
                title="Gewijzigde motie van het lid Omtzigt een onderzoek naar het schenden van oorlogsrecht in Nagorno-Karabach",
                submitters=("Omtzigt",),
                date=date(2020, 11, 12),
                status=ExecutionStatus.IN_PROGRESS,
                evidence=quote(LETTER_2423, *EVIDENCE_2234),
            ),
            CitedMotion(
                id="21501-20-1714",
                title="Motie van de leden Segers en Van der Lee over geen afvaardiging van de regering naar Bakoe als het Nederlands elftal daar komt te spelen",
                submitters=("Segers", "Van der Lee"),
                date=date(2021, 6, 22),
                status=ExecutionStatus.NOT_APPLICABLE,
                evidence=quote(LETTER_2423, *EVIDENCE_1714),
            ),
            CitedMotion(
                id="21501-02-2370",
                title="Motie van het lid Eppink c.s. over druk op Azerbeidzjan om alle Armeense krijgsgevangenen en gedetineerde burgers vrij te laten en te repatriëren",
                submitters=("Eppink",),
                date=date(2021, 6, 17),
                status=ExecutionStatus.IN_PROGRESS,
                evidence=quote(LETTER_2423, *EVIDENCE_2370),
            ),
        ),
    )


def first_poll() -> Observation:
    """What a first poll saw: the three motions, 3067 not yet voted on."""
    return Observation(motions=(motion_2228(), motion_2234(), motion_3067(decided=False)))


def second_poll() -> Observation:
    """The vote on 3067 and the letter of 4 November 2021 with its execution reports."""
    return Observation(motions=(motion_3067(decided=True),), letters=(letter_2423(),))


def letter_196() -> Letter:
    """The letter of 14 October 2021 (26150 nr. 196) on the motion Omtzigt/Van Helvert (2228)."""
    return Letter(
        id="26150-196",
        title="Inzet in de AVVN rond het conflict in Nagorno-Karabach en uitvoering van moties",
        date=date(2021, 10, 14),
        kamerstuk="26150-196",
        url="https://www.rijksoverheid.nl/documenten/kamerstukken/2021/10/14/kamerbrief-inzake-de-inzet-in-de-avvn-omtrent-het-conflict-in-nagorno-karabach-en-de-uitvoering-van-aangenomen-kamermoties-omtrent-dit-conflict",
        motions=(
            CitedMotion(
                id="21501-02-2228",
                submitters=("Omtzigt", "Van Helvert"),
                status=ExecutionStatus.IN_PROGRESS,
                evidence=quote(LETTER_196, "Hoewel de kans dat", "eventuele oorlogsmisdaden."),
            ),
        ),
    )


def motion_2228_replaced() -> Motion:
    """21501-02-2228 once the gewijzigde motie 21501-02-2234 (t.v.v. 2228) took its place."""
    m = motion_2228()
    return Motion(
        id=m.id,
        title=m.title,
        submitters=m.submitters,
        date=m.date,
        parliamentary_status=ParliamentaryStatus.REPLACED,
        cabinet_appraisal=m.cabinet_appraisal,
        replaced_by="21501-02-2234",
        zaak_id=m.zaak_id,
        zaak_nummer=m.zaak_nummer,
    )


def letter_35570_v_22() -> Letter:
    """The letter of 4 November 2020 on the escalating conflict (Kamerstuk 35570-V nr. 22)."""
    z = zaak("2020Z20561")
    return Letter(
        id="35570-V-22",
        title=z["Onderwerp"].strip(),
        date=date(2020, 11, 4),
        kamerstuk="35570-V-22",
        url="https://zoek.officielebekendmakingen.nl/kst-35570-V-22.html",
    )
