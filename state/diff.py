"""Pure change detection: stored state × observed records → changes and the records to store.

``diff`` never does I/O. The repository loads a :class:`StoredState` for the ids an observation
mentions, calls ``diff`` and writes the :class:`DiffResult` in one transaction.

Rules (ARCHITECTURE.md "change kinds"):

* a motion not stored before → ``new_motion``; a motion first seen through a letter's citation is
  announced inside that letter's own change (``new_letter`` / ``execution_reported``), not as news;
* a final decision with votes not stored before → ``vote_recorded`` (old/new status codes, the
  tally in the summary). It stands for the status change it causes: no separate
  ``status_changed`` is emitted for the same vote;
* ``replaced_by`` newly set → ``motion_replaced`` (and no ``status_changed`` to ``replaced``);
* a final decision the store had that the source no longer reports (a Besluit deleted or
  corrected upstream) → ``decision_corrected`` (old: the status it carried, new: the status now);
  it stands for the status change it causes;
* any other parliamentary status change → ``status_changed``;
* a letter not stored (by id, kamerstuk id or document number, whichever either source knows)
  → ``new_letter``; a second source reporting the same letter enriches it silently;
* a cited motion with an execution status whose (motion, letter) report is not stored yet →
  ``execution_reported``.

Observed fields that are empty never erase stored values, and a motion as a letter cites it
(``source == "letter"``) only fills fields the store does not know yet. A motion whose merged
content hash equals the stored one is not written at all, so re-polls, modification-time-only
updates and bulk rewrites upstream cost nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from state.models import (
    MOTION_ID_RE,
    Change,
    ChangeKind,
    CitedMotion,
    Decision,
    DocumentKind,
    ExecutionStatus,
    Letter,
    Motion,
    Observation,
    ParliamentaryStatus,
    Submitter,
    dossier_of,
)
from state.typos import probable_typo_for

__all__ = [
    "EXECUTION_LABELS",
    "LETTER_SOURCE",
    "STATUS_LABELS",
    "DiffResult",
    "Route",
    "StoredState",
    "content_hash",
    "decision_label",
    "diff",
    "letter_keys",
    "merge_letter",
    "merge_motion",
    "motion_from_citation",
    "motion_ref",
    "surname",
]

logger = logging.getLogger(__name__)

LETTER_SOURCE = "letter"  # Motion.source of a motion known only from a letter's citation
MAX_TITLE = 200  # characters of a title quoted in a summary

STATUS_LABELS: Mapping[ParliamentaryStatus, str] = {
    ParliamentaryStatus.SUBMITTED: "ingediend",
    ParliamentaryStatus.ADOPTED: "aangenomen",
    ParliamentaryStatus.REJECTED: "verworpen",
    ParliamentaryStatus.HELD: "aangehouden",
    ParliamentaryStatus.WITHDRAWN: "ingetrokken",
    ParliamentaryStatus.TAKEN_OVER: "overgenomen",
    ParliamentaryStatus.POSTPONED: "uitgesteld",
    ParliamentaryStatus.TIED: "stemmen staakten",
    ParliamentaryStatus.LAPSED: "vervallen",
    ParliamentaryStatus.REPLACED: "vervangen",
    ParliamentaryStatus.UNKNOWN: "onbekend",
}

EXECUTION_LABELS: Mapping[ExecutionStatus, str] = {
    ExecutionStatus.EXECUTED: "uitgevoerd",
    ExecutionStatus.IN_PROGRESS: "in uitvoering",
    ExecutionStatus.NOT_APPLICABLE: "niet meer van toepassing",
    ExecutionStatus.DECLINED: "wordt niet uitgevoerd",
}

# Lower-case name particles (tussenvoegsels) that precede a Dutch surname.
_PARTICLES = frozenset(
    {
        *("van", "der", "den", "de", "het", "ter", "ten", "te", "'t", "in", "op", "onder"),
        *("aan", "bij", "uit", "la", "le", "du", "des", "del", "von", "zu", "d'"),
    }
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class StoredState:
    """What the diff needs to know about the store, limited to the ids an observation mentions.

    ``hashes`` holds the content hash of every stored motion among those ids. ``motions`` holds
    the full stored motion for (at least) every id whose observed hash differs and every motion a
    letter cites. ``letters`` holds each stored letter that shares a key (id, kamerstuk, document
    number) with an observed letter, with its cited motions; its cited motions with a status are
    the stored (motion, letter) execution reports.
    """

    motions: Mapping[str, Motion] = field(default_factory=dict)
    hashes: Mapping[str, str] = field(default_factory=dict)
    letters: Mapping[str, Letter] = field(default_factory=dict)

    @classmethod
    def of(cls, motions: Iterable[Motion] = (), letters: Iterable[Letter] = ()) -> StoredState:
        """Build a complete stored state from records (tests, small stores)."""
        by_id = {m.id: m for m in motions}
        return cls(
            motions=by_id,
            hashes={i: content_hash(m) for i, m in by_id.items()},
            letters={letter.id: letter for letter in letters},
        )


@dataclass(frozen=True, slots=True)
class Route:
    """Where a change may go: the dossiers it concerns and the titles keywords are matched in."""

    dossiers: frozenset[str] = frozenset()
    texts: tuple[str, ...] = ()
    motions: frozenset[str] = frozenset()  # related motions (its replacement chain)


@dataclass(frozen=True, slots=True)
class DiffResult:
    """The outcome of one diff: changes (with routes) and the records to upsert."""

    changes: tuple[Change, ...] = ()
    routes: tuple[Route, ...] = ()  # one per change, same order
    motions: tuple[Motion, ...] = ()  # new or changed motions, merged, to upsert
    hashes: Mapping[str, str] = field(default_factory=dict)  # content hash per upserted motion
    letters: tuple[Letter, ...] = ()  # new or enriched letters under their stored id, to upsert
    touched: frozenset[str] = frozenset()  # motions whose shown content changed (board "updated")

    @property
    def empty(self) -> bool:
        """True when nothing is to be written."""
        return not (self.changes or self.motions or self.letters)


# --------------------------------------------------------------------------- hashing, merging


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


def _known_status(m: Motion) -> bool:
    return not (m.parliamentary_status is ParliamentaryStatus.UNKNOWN and m.status_raw is None)


def _parties_known(submitters: Sequence[Submitter]) -> int:
    return sum(1 for s in submitters if s.party)


def merge_motion(stored: Motion, observed: Motion) -> Motion:
    """Merge an observed motion onto the stored one; empty observed values never erase data.

    An observation from a letter citation (``source == "letter"``) only fills empty fields; any
    other source's non-empty values win.
    """
    if observed.source == LETTER_SOURCE:
        return _fill(stored, observed)

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
    if not _known_status(observed) or (
        observed_has_no_decision and status is ParliamentaryStatus.SUBMITTED
    ):
        status, raw = stored.parliamentary_status, stored.status_raw
    elif raw is None and status is stored.parliamentary_status:
        raw = stored.status_raw

    return Motion(
        id=stored.id,
        title=observed.title if observed.title.strip() else stored.title,
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
        source=observed.source,
    )


def _fill(stored: Motion, weak: Motion) -> Motion:
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


# --------------------------------------------------------------------------- summaries


def surname(name: str) -> str:
    """A member's surname as a summary shows it (``P.H. Omtzigt`` → ``Omtzigt``).

    Handles ``Linde van der, R.E.`` → ``Van der Linde`` and ``J.J. (Jasper) van Dijk`` →
    ``Van Dijk``; a name without initials is kept as given.
    """
    name = _SPACE.sub(" ", name).strip()
    if "," in name:
        head = name.split(",", 1)[0].split()
        tail: list[str] = []
        while len(head) > 1 and head[-1].lower() in _PARTICLES:
            tail.insert(0, head.pop())
        words = tail + head
    else:
        words = [w for w in name.split() if not w.endswith(".") and not w.startswith("(")]
        words = words or name.split()
    if not words:
        return name
    result = " ".join(words)
    return result[0].upper() + result[1:]


def _names(submitters: Sequence[Submitter]) -> str:
    if not submitters:
        return ""
    first = next((s for s in submitters if (s.role or "").lower() == "indiener"), submitters[0])
    return surname(first.name) + (" c.s." if len(submitters) > 1 else "")


def motion_ref(motion: Motion) -> str:
    """``35570-V-31 (Van Helvert c.s.)``: the motion id and its submitters' surnames."""
    names = _names(motion.submitters)
    return f"{motion.id} ({names})" if names else motion.id


def decision_label(decision: Decision) -> str:
    """``aangenomen (113-37)``: the decision with its tally when votes are known."""
    label = STATUS_LABELS[decision.status]
    if decision.votes and any(v.seats for v in decision.votes):
        yes, no = decision.tally
        return f"{label} ({yes}-{no})"
    return label


def _line(text: str, limit: int = MAX_TITLE) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _status_label(motion: Motion) -> str:
    final = motion.final_decision
    if final is not None and final.status is motion.parliamentary_status:
        return decision_label(final)
    return STATUS_LABELS[motion.parliamentary_status]


# --------------------------------------------------------------------------- the diff


def diff(stored: StoredState, observed: Observation, *, now: datetime) -> DiffResult:
    """Compare an observation with the stored state: the changes, and what to upsert."""
    current: dict[str, Motion] = {}
    for m in observed.motions:
        if m.id not in current and stored.hashes.get(m.id) == content_hash(m):
            continue  # identical to what is stored (a re-poll, a modification-time-only update)
        base = current.get(m.id) or stored.motions.get(m.id)
        if base is None and m.id in stored.hashes:
            raise ValueError(f"motion {m.id} is stored but StoredState lacks it")
        current[m.id] = merge_motion(base, m) if base else m

    key_index: dict[str, str] = {}
    for letter in stored.letters.values():
        for key in letter_keys(letter):
            key_index.setdefault(key, letter.id)
    stored_reports = {
        (c.id, letter.id) for letter in stored.letters.values() for c in letter.motions if c.status
    }
    letters: dict[str, Letter] = {}
    new_letters: list[str] = []
    for obs in observed.letters:
        obs = _resolve_typos(obs, current, stored)
        letter_id = next((key_index[k] for k in letter_keys(obs) if k in key_index), None)
        if letter_id is None:
            letter_id = obs.id
            new_letters.append(letter_id)
        base_letter = letters.get(letter_id) or stored.letters.get(letter_id)
        letters[letter_id] = merge_letter(base_letter, obs, letter_id)
        for key in letter_keys(letters[letter_id]):
            key_index.setdefault(key, letter_id)
        for cited in obs.motions:
            placeholder = motion_from_citation(cited)
            base = current.get(cited.id) or _stored_motion(stored, cited.id)
            if base is None and cited.id in stored.hashes:
                continue  # stored, but not loaded: nothing to fill from a citation
            current[cited.id] = _fill(base, placeholder) if base else placeholder

    changes: list[tuple[Change, Route]] = []
    upserts: list[Motion] = []
    hashes: dict[str, str] = {}
    touched: set[str] = set()
    for motion_id, final in current.items():
        digest = content_hash(final)
        if stored.hashes.get(motion_id) == digest:
            continue
        upserts.append(final)
        hashes[motion_id] = digest
        touched.add(motion_id)
        before = _stored_motion(stored, motion_id)
        changes.extend(_motion_changes(before, final, now))

    written_letters: list[Letter] = []
    for letter_id, letter in letters.items():
        base_letter = stored.letters.get(letter_id)
        if letter != base_letter:
            written_letters.append(letter)
        if letter_id in new_letters:
            changes.append(_new_letter(letter, now))
        for cited in letter.motions:
            if cited.status is None or (cited.id, letter_id) in stored_reports:
                continue
            motion = current.get(cited.id) or _stored_motion(stored, cited.id)
            motion = motion or motion_from_citation(cited)
            touched.add(cited.id)
            changes.append(_execution_reported(motion, letter, cited, now))

    return DiffResult(
        changes=tuple(c for c, _ in changes),
        routes=tuple(r for _, r in changes),
        motions=tuple(upserts),
        hashes=hashes,
        letters=tuple(written_letters),
        touched=frozenset(touched),
    )


def _resolve_typos(letter: Letter, current: Mapping[str, Motion], stored: StoredState) -> Letter:
    """Cite a tracked motion instead of an unknown id that is a probable typo for it."""

    def submitters_of(motion_id: str) -> list[str] | None:
        motion = current.get(motion_id) or stored.motions.get(motion_id)
        if motion is None or motion.source == LETTER_SOURCE:
            return None  # only a motion known upstream, not another letter's citation
        return [s.name for s in motion.submitters]

    cited = {c.id for c in letter.motions}
    out: list[CitedMotion] = []
    for c in letter.motions:
        if c.id in current or c.id in stored.hashes or c.cited_as:
            out.append(c)
            continue
        target = probable_typo_for(c.id, c.submitters, submitters_of)
        if target is None:
            out.append(c)
        elif target not in cited:
            logger.info("letter %s cites %s: probable typo for %s", letter.id, c.id, target)
            out.append(replace(c, id=target, cited_as=c.id))
    return (
        letter
        if len(out) == len(letter.motions)
        and all(a is b for a, b in zip(out, letter.motions, strict=True))
        else replace(letter, motions=tuple(out))
    )


def _stored_motion(stored: StoredState, motion_id: str) -> Motion | None:
    motion = stored.motions.get(motion_id)
    if motion is None and motion_id in stored.hashes:
        logger.debug("motion %s is stored but was not loaded", motion_id)
    return motion


def _chain(motion: Motion) -> frozenset[str]:
    """The motions ``motion`` replaces or is replaced by: their followers hear of it too."""
    return frozenset(m for m in (motion.replaces, motion.replaced_by) if m and m != motion.id)


def _motion_route(motion: Motion) -> Route:
    return Route(
        dossiers=frozenset({motion.dossier}), texts=(motion.title,), motions=_chain(motion)
    )


def _motion_changes(
    before: Motion | None, after: Motion, now: datetime
) -> list[tuple[Change, Route]]:
    route = _motion_route(after)
    ref = motion_ref(after)
    status = after.parliamentary_status
    if before is None:
        if after.source == LETTER_SOURCE:
            return []  # first seen in a letter: that letter's change announces it
        summary = f"{ref}: nieuwe motie — {_line(after.title) or 'zonder titel'}"
        if status not in (ParliamentaryStatus.SUBMITTED, ParliamentaryStatus.UNKNOWN):
            summary += f" ({_status_label(after)})"
        change = Change(
            kind=ChangeKind.NEW_MOTION,
            summary=summary,
            motion_id=after.id,
            new=status.value,
            created=now,
            occurred=after.date,
        )
        return [(change, route)]

    out: list[tuple[Change, Route]] = []
    old_status = before.parliamentary_status
    status_reported = False
    if after.replaced_by and after.replaced_by != before.replaced_by:
        out.append(
            (
                Change(
                    kind=ChangeKind.MOTION_REPLACED,
                    summary=f"{ref}: vervangen door {after.replaced_by}",
                    motion_id=after.id,
                    old=before.replaced_by,
                    new=after.replaced_by,
                    created=now,
                    occurred=final.date if (final := after.final_decision) else None,
                ),
                route,
            )
        )
        status_reported = status is ParliamentaryStatus.REPLACED
    removed = _removed_decisions(before, after)
    if removed:
        undone = max(removed, key=lambda d: (d.date or date.min, d.id))
        out.append(
            (
                Change(
                    kind=ChangeKind.DECISION_CORRECTED,
                    summary=f"{ref}: {undone.raw_kind}",
                    motion_id=after.id,
                    old=undone.status.value,
                    new=status.value,
                    created=now,
                ),
                route,
            )
        )
        status_reported = True
    final = after.final_decision
    if final is not None and final.votes:
        earlier = {d.id: d for d in before.decisions}
        if final.id not in earlier or not earlier[final.id].votes:
            out.append(
                (
                    Change(
                        kind=ChangeKind.VOTE_RECORDED,
                        summary=f"{ref}: {decision_label(final)}",
                        motion_id=after.id,
                        old=old_status.value,
                        new=status.value,
                        created=now,
                        occurred=final.date,
                    ),
                    route,
                )
            )
            status_reported = True
    if status is not old_status and not status_reported:
        placeholder = not _known_status(before)
        if not (placeholder and status is ParliamentaryStatus.SUBMITTED):
            summary = f"{ref}: {_status_label(after)}"
            if not placeholder:
                summary += f" (was: {STATUS_LABELS[old_status]})"
            out.append(
                (
                    Change(
                        kind=ChangeKind.STATUS_CHANGED,
                        summary=summary,
                        motion_id=after.id,
                        old=old_status.value,
                        new=status.value,
                        created=now,
                        occurred=final.date if final is not None else None,
                    ),
                    route,
                )
            )
    return out


def _removed_decisions(before: Motion, after: Motion) -> list[Decision]:
    """Final, deciding decisions the store had that the source no longer has (withdrawn upstream).

    Only a source that reports decisions at all can take one away: an observation without
    decisions keeps the stored ones (``merge_motion``).
    """
    if not after.decisions:
        return []
    now_ids = {d.id for d in after.decisions}
    return [
        d
        for d in before.decisions
        if d.id not in now_ids and d.final and d.status is not ParliamentaryStatus.SUBMITTED
    ]


def _letter_dossiers(letter: Letter) -> frozenset[str]:
    own = letter.kamerstuk or (letter.id if MOTION_ID_RE.match(letter.id) else None)
    dossiers = {dossier_of(c.id) for c in letter.motions}
    if own:
        dossiers.add(dossier_of(own))
    return frozenset(dossiers)


def _new_letter(letter: Letter, now: datetime) -> tuple[Change, Route]:
    what = "Nieuwe Kamerbrief" if letter.kind is DocumentKind.LETTER else "Nieuw document"
    ident = letter.kamerstuk or letter.id
    summary = f"{what} {ident}: {_line(letter.title) or 'zonder titel'}"
    cited = [c.id for c in letter.motions]
    if cited:
        summary += f" (noemt {', '.join(cited[:5])}{' …' if len(cited) > 5 else ''})"
    change = Change(
        kind=ChangeKind.NEW_LETTER,
        summary=summary,
        letter_id=letter.id,
        created=now,
        occurred=letter.date,
    )
    return change, Route(dossiers=_letter_dossiers(letter), texts=(letter.title,))


def _execution_reported(
    motion: Motion, letter: Letter, cited: CitedMotion, now: datetime
) -> tuple[Change, Route]:
    assert cited.status is not None
    change = Change(
        kind=ChangeKind.EXECUTION_REPORTED,
        summary=f"{motion_ref(motion)}: uitvoering gemeld — {EXECUTION_LABELS[cited.status]}",
        motion_id=motion.id,
        letter_id=letter.id,
        new=cited.status.value,
        evidence=cited.evidence,
        created=now,
        occurred=letter.date,
    )
    route = Route(
        dossiers=frozenset({motion.dossier}),
        texts=(motion.title, letter.title),
        motions=_chain(motion),
    )
    return change, route
