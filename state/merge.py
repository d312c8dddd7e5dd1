"""Merging what a source reports onto what is stored, and the content hash that spots no-ops.

Rules: observed fields that are empty never erase stored values; a motion as a letter cites it
(``source == "letter"``) only fills fields the store does not know yet; a letter reported by a
second source is enriched, the first source's values winning. ``content_hash`` is what lets the
diff skip a motion whose merged content equals the stored one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from state.models import (
    CitedMotion,
    Decision,
    Letter,
    Motion,
    ParliamentaryStatus,
    Submitter,
)

__all__ = [
    "LETTER_SOURCE",
    "content_hash",
    "fill_motion",
    "known_status",
    "letter_keys",
    "merge_letter",
    "merge_motion",
    "motion_from_citation",
    "with_reading",
]

LETTER_SOURCE = "letter"  # Motion.source of a motion known only from a letter's citation


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _sorted_decisions(decisions: Iterable[Decision]) -> list[Decision]:
    return sorted(decisions, key=lambda d: (d.date or date.min, d.id))


_HASH_MEMO: dict[int, tuple[Motion, str]] = {}  # id(motion) → (motion, digest); motions are frozen
_HASH_MEMO_SIZE = 16_384


def content_hash(motion: Motion) -> str:
    """A stable hash of everything stored about a motion (decision and vote order ignored)."""
    memo = _HASH_MEMO.get(id(motion))
    if memo is not None and memo[0] is motion:
        return memo[1]
    # StrEnum members serialise as their values.
    payload = [
        motion.id,
        motion.title,
        [[s.name, s.party, s.role] for s in motion.submitters],
        _iso(motion.date),
        motion.parliamentary_status,
        motion.status_raw,
        motion.cabinet_appraisal,
        motion.afgedaan,
        [
            [
                d.id,
                d.status,
                d.raw_kind,
                d.text,
                _iso(d.date),
                d.final,
                sorted(
                    [v.actor, v.party or "", v.choice, v.seats, v.mistake, v.party is None]
                    for v in d.votes
                ),
            ]
            for d in _sorted_decisions(motion.decisions)
        ],
        motion.replaced_by,
        motion.replaces,
        motion.text,
        motion.zaak_id,
        motion.zaak_nummer,
        motion.url,
        motion.source,
    ]
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    if len(_HASH_MEMO) >= _HASH_MEMO_SIZE:
        _HASH_MEMO.clear()
    _HASH_MEMO[id(motion)] = (motion, digest)
    return digest


def motion_from_citation(cited: CitedMotion) -> Motion:
    """A placeholder motion built from a letter's citation (status unknown)."""
    return Motion(
        id=cited.id,
        title=cited.title or "",
        submitters=tuple(Submitter(name) for name in cited.submitters if name.strip()),
        date=cited.date,
        parliamentary_status=ParliamentaryStatus.UNKNOWN,
        source=LETTER_SOURCE,
    )


def _pick(new: str | None, old: str | None) -> str | None:
    return new if new else old


def known_status(m: Motion) -> bool:
    return not (m.parliamentary_status is ParliamentaryStatus.UNKNOWN and m.status_raw is None)


def _parties_known(submitters: Sequence[Submitter]) -> int:
    return sum(1 for s in submitters if s.party)


def merge_motion(stored: Motion, observed: Motion) -> Motion:
    """Merge an observed motion onto the stored one; empty observed values never erase data.

    An observation from a letter citation (``source == "letter"``) only fills empty fields; any
    other source's non-empty values win.
    """
    if observed.source == LETTER_SOURCE:
        return fill_motion(stored, observed)
    # a reading of the Handelingen (every decision names where it was read) adds its decision;
    # a Besluit with Stemming rows stays what decides the status
    reading = bool(observed.decisions) and all(d.source for d in observed.decisions)
    counted = reading and any(d.votes and not d.source for d in stored.decisions)

    submitters = stored.submitters
    if observed.submitters and _parties_known(observed.submitters) >= _parties_known(
        stored.submitters
    ):
        submitters = observed.submitters

    decisions = stored.decisions
    if observed.decisions:
        old = {d.id: d for d in stored.decisions}
        decisions = tuple(
            replace(d, votes=old[d.id].votes) if not d.votes and d.id in old else d
            for d in observed.decisions
        )
        # decisions read elsewhere (the Handelingen vs the Tweede Kamer's Besluit records) stay
        from_record = any(d.source for d in observed.decisions)
        seen = {d.id for d in decisions}
        decisions += tuple(
            d for d in stored.decisions if d.id not in seen and bool(d.source) is not from_record
        )

    status, raw = observed.parliamentary_status, observed.status_raw
    observed_has_no_decision = not observed.decisions and stored.decisions
    if (
        counted
        or not known_status(observed)
        or (observed_has_no_decision and status is ParliamentaryStatus.SUBMITTED)
    ):
        status, raw = stored.parliamentary_status, stored.status_raw
    elif raw is None and status is stored.parliamentary_status:
        raw = stored.status_raw

    if reading:  # a reading only fills what the record lacks (its title is a phrase of the text)
        title = stored.title if stored.title.strip() else observed.title
        submitters = stored.submitters or observed.submitters
    else:
        title = observed.title if observed.title.strip() else stored.title
    return Motion(
        id=stored.id,
        title=title,
        submitters=submitters,
        date=observed.date or stored.date,
        parliamentary_status=status,
        status_raw=raw,
        cabinet_appraisal=_pick(observed.cabinet_appraisal, stored.cabinet_appraisal),
        afgedaan=observed.afgedaan if observed.afgedaan is not None else stored.afgedaan,
        decisions=decisions,
        replaced_by=_pick(observed.replaced_by, stored.replaced_by),
        replaces=_pick(observed.replaces, stored.replaces),
        text=_pick(observed.text, stored.text),
        zaak_id=_pick(observed.zaak_id, stored.zaak_id),
        zaak_nummer=_pick(observed.zaak_nummer, stored.zaak_nummer),
        url=_pick(observed.url, stored.url),
        source=stored.source if reading else observed.source,
    )


def with_reading(record: Motion, reading: Motion) -> Motion:
    """Two reports of one motion in one poll: the record and a reading of the Handelingen.

    The reading (its decisions carry their ``source``) is merged onto the record; any other
    second report is left out (the first source's report wins), as before.
    """
    if any(d.source for d in record.decisions) and not any(d.source for d in reading.decisions):
        record, reading = reading, record
    if not (reading.decisions and all(d.source for d in reading.decisions)):
        return record
    return merge_motion(record, reading)


def fill_motion(stored: Motion, weak: Motion) -> Motion:
    """Fill only the fields ``stored`` lacks from a weaker observation (a letter citation)."""
    return replace(
        stored,
        title=stored.title if stored.title.strip() else weak.title,
        submitters=stored.submitters or weak.submitters,
        date=stored.date or weak.date,
        cabinet_appraisal=stored.cabinet_appraisal or weak.cabinet_appraisal,
        afgedaan=stored.afgedaan if stored.afgedaan is not None else weak.afgedaan,
        replaced_by=stored.replaced_by or weak.replaced_by,
        replaces=stored.replaces or weak.replaces,
        text=stored.text or weak.text,
        zaak_id=stored.zaak_id or weak.zaak_id,
        zaak_nummer=stored.zaak_nummer or weak.zaak_nummer,
        url=stored.url or weak.url,
    )


def letter_keys(letter: Letter) -> tuple[str, ...]:
    """The identifiers under which a letter may be known: id, kamerstuk id, document number."""
    keys = [letter.id, letter.kamerstuk, letter.document_nummer]
    return tuple(dict.fromkeys(k for k in keys if k))


def _merge_cited(stored: CitedMotion, observed: CitedMotion) -> CitedMotion:
    status, evidence = stored.status, stored.evidence
    if status is None and observed.status is not None:
        status, evidence = observed.status, observed.evidence
    return CitedMotion(
        id=stored.id,
        title=stored.title or observed.title,
        submitters=stored.submitters or observed.submitters,
        date=stored.date or observed.date,
        status=status,
        evidence=evidence or (observed.evidence if status == observed.status else None),
        cited_as=stored.cited_as or observed.cited_as,
    )


def merge_letter(stored: Letter | None, observed: Letter, letter_id: str) -> Letter:
    """The stored letter filled from another observation of it (first source's values win)."""
    cited: dict[str, CitedMotion] = {}
    for c in (*(stored.motions if stored else ()), *observed.motions):
        cited[c.id] = _merge_cited(cited[c.id], c) if c.id in cited else c
    if stored is None:
        return replace(observed, id=letter_id, motions=tuple(cited.values()))
    return replace(
        stored,
        title=stored.title or observed.title,
        date=stored.date or observed.date,
        kamerstuk=stored.kamerstuk or observed.kamerstuk,
        document_nummer=stored.document_nummer or observed.document_nummer,
        url=stored.url or observed.url,
        motions=tuple(cited.values()),
        references=tuple(dict.fromkeys((*stored.references, *observed.references))),
    )
