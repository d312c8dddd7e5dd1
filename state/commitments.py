"""The cabinet's commitments (``Toezegging``): records and what changes about them (pure).

A commitment a minister makes in a debate is registered by the Tweede Kamer with a number, its
text, a status (Openstaand / Deels voldaan / Voldaan / Vervallen), the ministry and minister, the
date it was made and the date it is due, and the letter that fulfils it (``KamerbriefNakoming``).
kamerwacht tracks the topic's commitments like motions:

* a commitment not stored before → ``commitment_new``;
* a status change → ``commitment_status`` (``old``/``new`` status codes; ``letter_id`` the
  fulfilling letter when there is one; ``evidence`` the sentence of that letter that says so,
  when its text is known).

Change values are codes; words live in templates/.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from state.changes import Route
from state.models import Change, ChangeFacts, ChangeKind

__all__ = [
    "COMMITMENT_NUMBER_RE",
    "Commitment",
    "CommitmentDiff",
    "CommitmentStatus",
    "commitment_status",
    "diff_commitments",
    "fulfilment_sentence",
]

# TZ202110-094 (Nummer as tkconv and the Kamer's website show it); matched case-insensitively
COMMITMENT_NUMBER_RE = re.compile(r"^TZ\d{6}-\d{1,4}$", re.IGNORECASE)


class CommitmentStatus(StrEnum):
    """A commitment's status (``Toezegging.Status``)."""

    OPEN = "open"  # Openstaand
    PARTLY = "partly_fulfilled"  # Deels voldaan
    FULFILLED = "fulfilled"  # Voldaan
    LAPSED = "lapsed"  # Vervallen
    OTHER = "other"


_STATUS = {
    "openstaand": CommitmentStatus.OPEN,
    "deels voldaan": CommitmentStatus.PARTLY,
    "voldaan": CommitmentStatus.FULFILLED,
    "vervallen": CommitmentStatus.LAPSED,
}


def commitment_status(raw: object) -> CommitmentStatus:
    """The status code of a ``Toezegging.Status`` value."""
    return _STATUS.get(" ".join(str(raw or "").lower().split()), CommitmentStatus.OTHER)


@dataclass(frozen=True, slots=True)
class Commitment:
    """One commitment as the Gegevensmagazijn registers it."""

    id: str  # Toezegging.Id
    number: str  # Nummer
    text: str  # Tekst
    status: CommitmentStatus
    status_raw: str | None = None
    ministry: str | None = None  # Ministerie
    minister: str | None = None  # the name as composed from Titulatuur/Initialen/…/Achternaam
    function: str | None = None  # Functie: minister van Buitenlandse Zaken
    made: date | None = None  # Aanmaakdatum
    due: date | None = None  # DatumNakoming
    letter: str | None = None  # KamerbriefNakoming as received
    activity: str | None = None  # ActiviteitNummer: the debate where it was made
    evidence: str | None = None  # the fulfilling letter's sentence, when its text is known

    @property
    def route(self) -> Route:
        """Where a change about this commitment may go (keywords match its text)."""
        return Route(texts=(self.text,))


@dataclass(frozen=True, slots=True)
class CommitmentDiff:
    """Changes (with routes) and the commitments to store."""

    changes: tuple[Change, ...] = ()
    routes: tuple[Route, ...] = ()
    upserts: tuple[Commitment, ...] = ()


_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")
_PARAGRAPH = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")
_ABBREVIATION = re.compile(r"\b(?:jl|a\.s|nr|o\.a|t\.a\.v|c\.s|bijv|resp|ca|mr|dr|drs)\.$", re.I)


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        pending = ""
        for part in _SPLIT.split(_SPACE.sub(" ", paragraph).strip()):
            pending = f"{pending} {part}".strip()
            if not _ABBREVIATION.search(pending):
                out.append(pending)
                pending = ""
        if pending:
            out.append(pending)
    return out


def fulfilment_sentence(letter_text: str | None, commitment: Commitment) -> str | None:
    """The sentence of the fulfilling letter that names the commitment (``Conform mijn
    toezegging tijdens het Commissiedebat … informeer ik u …``), else None.

    A sentence naming the commitment's number wins; otherwise the first sentence that speaks of
    a "toezegging".
    """
    if not letter_text:
        return None
    sentences = _sentences(letter_text)
    number = commitment.number.lower()
    for sentence in sentences:
        if number and number in sentence.lower():
            return sentence
    for sentence in sentences:
        if re.search(r"\btoezegging", sentence, re.IGNORECASE):
            return sentence
    return None


def _change(
    kind: ChangeKind, item: Commitment, now: datetime, *, old: str | None, new: str
) -> Change:
    return Change(
        kind=kind,
        letter_id=item.letter,
        subject=item.number,
        old=old,
        new=new,
        evidence=item.evidence,
        created=now,
        facts=ChangeFacts(title=item.text),
    )


def diff_commitments(
    stored: Mapping[str, Commitment], observed: Iterable[Commitment], *, now: datetime
) -> CommitmentDiff:
    """Compare observed commitments with the stored ones of the same ids.

    A change's ``subject`` is the commitment number, ``new`` the status code, ``old`` the
    previous one, ``letter_id`` the fulfilling letter and ``evidence`` its sentence.
    """
    changes: list[Change] = []
    routes: list[Route] = []
    upserts: list[Commitment] = []
    for item in observed:
        before = stored.get(item.id)
        if before is None:
            upserts.append(item)
            changes.append(_change(ChangeKind.COMMITMENT_NEW, item, now, old=None, new=item.status))
            routes.append(item.route)
            continue
        if item.evidence is None and before.evidence and item.letter == before.letter:
            item = replace_evidence(item, before.evidence)
        if item == before:
            continue
        upserts.append(item)
        if item.status is not before.status:
            changes.append(
                _change(ChangeKind.COMMITMENT_STATUS, item, now, old=before.status, new=item.status)
            )
            routes.append(item.route)
    return CommitmentDiff(changes=tuple(changes), routes=tuple(routes), upserts=tuple(upserts))


def replace_evidence(item: Commitment, evidence: str | None) -> Commitment:
    """``item`` with ``evidence``."""
    from dataclasses import replace

    return replace(item, evidence=evidence)
