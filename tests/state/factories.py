"""Small builders of domain records for the state tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from state.models import (
    CitedMotion,
    Decision,
    ExecutionStatus,
    Letter,
    Motion,
    ParliamentaryStatus,
    PartyVote,
    Submitter,
    VoteChoice,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

SEATS = {
    "VVD": 34,
    "D66": 24,
    "PVV": 17,
    "CDA": 15,
    "SP": 9,
    "PvdA": 9,
    "GL": 8,
    "FvD": 8,
    "PvdD": 6,
    "CU": 5,
    "SGP": 3,
    "DENK": 3,
    "JA21": 3,
    "Volt": 3,
    "BBB": 1,
    "50PLUS": 1,
    "Krol": 1,
}


def votes(for_: list[str], against: list[str]) -> tuple[PartyVote, ...]:
    """Party votes: every party in ``for_`` voted for, in ``against`` against."""
    return tuple(PartyVote(p, p, VoteChoice.FOR, SEATS[p]) for p in for_) + tuple(
        PartyVote(p, p, VoteChoice.AGAINST, SEATS[p]) for p in against
    )


ADOPTED_76_74 = votes(
    ["VVD", "D66", "CDA", "SGP"],
    [
        "PVV",
        "SP",
        "PvdA",
        "GL",
        "FvD",
        "PvdD",
        "CU",
        "JA21",
        "Volt",
        "DENK",
        "BBB",
        "50PLUS",
        "Krol",
    ],
)


def decision(
    motion_id: str,
    status: ParliamentaryStatus = ParliamentaryStatus.ADOPTED,
    *,
    id: str = "b1",
    day: date | None = date(2020, 11, 17),
    vote: tuple[PartyVote, ...] = (),
    final: bool = True,
) -> Decision:
    """A decision on a motion."""
    raw = {
        ParliamentaryStatus.ADOPTED: "Aangenomen.",
        ParliamentaryStatus.REJECTED: "Verworpen.",
        ParliamentaryStatus.HELD: "Aangehouden (tijdens vergadering)",
    }.get(status, status.value)
    return Decision(
        id=id, motion_id=motion_id, status=status, raw_kind=raw, date=day, votes=vote, final=final
    )


def motion(id: str = "35570-V-31", **fields: Any) -> Motion:
    """A Tweede Kamer motion with sensible defaults."""
    values: dict[str, Any] = {
        "title": f"Motie van het lid Van Helvert c.s. over Nagorno-Karabach ({id})",
        "submitters": (
            Submitter("M.R.J. van Helvert", "CDA", "Indiener"),
            Submitter("S.W. Sjoerdsma", "D66", "Medeindiener"),
        ),
        "date": date(2020, 11, 12),
        "zaak_nummer": "2020Z21194",
        "url": f"https://www.tweedekamer.nl/motie/{id}",
    }
    values.update(fields)
    return Motion(id=id, **values)


def voted(
    m: Motion,
    status: ParliamentaryStatus = ParliamentaryStatus.ADOPTED,
    vote: tuple[PartyVote, ...] = ADOPTED_76_74,
) -> Motion:
    """The motion after a final decision with votes."""
    from dataclasses import replace

    return replace(
        m,
        parliamentary_status=status,
        status_raw="Aangenomen.",
        decisions=(decision(m.id, status, vote=vote),),
    )


def cited(
    id: str = "21501-02-2228",
    status: ExecutionStatus | None = ExecutionStatus.EXECUTED,
    **fields: Any,
) -> CitedMotion:
    """A motion as a letter reports on it."""
    values: dict[str, Any] = {
        "title": "Motie van het lid Omtzigt over de erkenning van de Armeense genocide",
        "submitters": ("Omtzigt",),
        "date": date(2021, 3, 4),
        "evidence": "Met deze brief is de motie uitgevoerd." if status else None,
    }
    values.update(fields)
    return CitedMotion(id=id, status=status, **values)


def letter(id: str = "21501-02-2423", *motions: CitedMotion, **fields: Any) -> Letter:
    """A government letter citing ``motions``."""
    values: dict[str, Any] = {
        "title": "Uitvoering moties over Nagorno-Karabach",
        "date": date(2021, 11, 4),
        "kamerstuk": id if "-" in id else None,
        "url": f"https://zoek.officielebekendmakingen.nl/kst-{id}",
    }
    values.update(fields)
    return Letter(id=id, motions=tuple(motions), **values)
