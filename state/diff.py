"""Pure change detection: stored state × observed records → changes and the records to store.

``diff`` never does I/O. The repository loads a :class:`StoredState` for the ids an observation
mentions, calls ``diff`` and writes the :class:`DiffResult` in one transaction.

Rules (ARCHITECTURE.md "change kinds"):

* a motion not stored before → ``new_motion``; a motion first seen through a letter's citation is
  announced inside that letter's own change (``new_letter`` / ``execution_reported``), not as news;
* a final decision with votes not stored before → ``vote_recorded`` (old/new status codes, the
  tally among its facts). It stands for the status change it causes: no separate
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

Merging (``state.merge``): observed fields that are empty never erase stored values, and a
motion as a letter cites it (``source == "letter"``) only fills fields the store does not know
yet. A motion whose merged content hash equals the stored one is not written at all, so re-polls,
modification-time-only updates and bulk rewrites upstream cost nothing. The changes themselves
(codes and facts, no words) are built in ``state.changes``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from state.changes import Route, execution_reported, motion_changes, new_letter
from state.merge import (
    LETTER_SOURCE,
    content_hash,
    fill_motion,
    letter_keys,
    merge_letter,
    merge_motion,
    motion_from_citation,
)
from state.models import Change, CitedMotion, Letter, Motion, Observation
from state.typos import probable_typo_for

__all__ = [
    "LETTER_SOURCE",
    "DiffResult",
    "Route",
    "StoredState",
    "content_hash",
    "diff",
    "letter_keys",
    "merge_letter",
    "merge_motion",
    "motion_from_citation",
]

logger = logging.getLogger(__name__)


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
            current[cited.id] = fill_motion(base, placeholder) if base else placeholder

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
        changes.extend(motion_changes(before, final, now))

    written_letters: list[Letter] = []
    for letter_id, letter in letters.items():
        base_letter = stored.letters.get(letter_id)
        if letter != base_letter:
            written_letters.append(letter)
        if letter_id in new_letters:
            changes.append(new_letter(letter, now))
        for cited in letter.motions:
            if cited.status is None or (cited.id, letter_id) in stored_reports:
                continue
            motion = current.get(cited.id) or _stored_motion(stored, cited.id)
            motion = motion or motion_from_citation(cited)
            touched.add(cited.id)
            changes.append(execution_reported(motion, letter, cited, now))

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
