"""The changes one motion or letter gives rise to, as codes and facts, and where they may go.

A :class:`~state.models.Change` names its kind, the ids it concerns, the old and new codes and
the facts it is told with (:class:`~state.models.ChangeFacts`); ``templates/`` alone puts it into
words. Which facts each kind carries:

* ``new_motion``: title, submitter, cosigned, and the tally when the motion arrives decided;
* ``vote_recorded``: submitter, cosigned, decision (status code) and tally;
* ``status_changed``: submitter, cosigned, tally (when the final decision made the new status)
  and placeholder (the motion was known only from a letter's citation before);
* ``motion_replaced`` / ``execution_reported``: submitter, cosigned;
* ``decision_corrected``: submitter, cosigned and raw (upstream's kind of the withdrawn decision);
* ``new_letter``: title, document (kind code), ident (Kamerstuk id) and cited (motion ids);
* ``motion_overdue``: title, submitter, cosigned (``state.overdue``);
* agenda and commitment kinds: title and ident (``state.agenda``, ``state.commitments``);
  a debate's agenda change also session and session_subject (the activity's Soort, Onderwerp).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from state.merge import LETTER_SOURCE, known_status
from state.models import (
    MOTION_ID_RE,
    Change,
    ChangeFacts,
    ChangeKind,
    CitedMotion,
    Decision,
    Letter,
    Motion,
    ParliamentaryStatus,
    dossier_of,
)

__all__ = [
    "Route",
    "execution_reported",
    "motion_changes",
    "motion_facts",
    "motion_route",
    "new_letter",
]


@dataclass(frozen=True, slots=True)
class Route:
    """Where a change may go: the dossiers it concerns and the titles keywords are matched in."""

    dossiers: frozenset[str] = frozenset()
    texts: tuple[str, ...] = ()
    motions: frozenset[str] = frozenset()  # related motions (its replacement chain)


def motion_facts(motion: Motion, tally: Decision | None = None) -> ChangeFacts:
    """A motion's submitter facts: the first submitter (the ``Indiener``) and whether others
    signed too; with ``tally``, that decision's votes when seats are known."""
    submitters = motion.submitters
    first = next((s for s in submitters if (s.role or "").lower() == "indiener"), None)
    first = first or (submitters[0] if submitters else None)
    yes = no = None
    if tally is not None and any(v.seats for v in tally.votes):
        yes, no = tally.tally
    return ChangeFacts(
        submitter=first.name if first else None,
        cosigned=len(submitters) > 1,
        votes_for=yes,
        votes_against=no,
    )


def _status_decision(motion: Motion) -> Decision | None:
    """The final decision when it made the motion's current status (its tally is told)."""
    final = motion.final_decision
    return final if final is not None and final.status is motion.parliamentary_status else None


def _chain(motion: Motion) -> frozenset[str]:
    """The motions ``motion`` replaces or is replaced by: their followers hear of it too."""
    return frozenset(m for m in (motion.replaces, motion.replaced_by) if m and m != motion.id)


def motion_route(motion: Motion) -> Route:
    """A motion's change goes to its dossier, its title's keywords and its replacement chain."""
    return Route(
        dossiers=frozenset({motion.dossier}), texts=(motion.title,), motions=_chain(motion)
    )


def motion_changes(
    before: Motion | None, after: Motion, now: datetime
) -> list[tuple[Change, Route]]:
    """The changes between the stored and the merged motion (see ``state.diff`` for the rules)."""
    route = motion_route(after)
    status = after.parliamentary_status
    if before is None:
        if after.source == LETTER_SOURCE:
            return []  # first seen in a letter: that letter's change announces it
        change = Change(
            kind=ChangeKind.NEW_MOTION,
            motion_id=after.id,
            new=status.value,
            created=now,
            occurred=after.date,
            facts=replace(motion_facts(after, _status_decision(after)), title=after.title),
        )
        return [(change, route)]

    out: list[tuple[Change, Route]] = []
    old_status = before.parliamentary_status
    status_reported = False
    final = after.final_decision
    if after.replaced_by and after.replaced_by != before.replaced_by:
        change = Change(
            kind=ChangeKind.MOTION_REPLACED,
            motion_id=after.id,
            old=before.replaced_by,
            new=after.replaced_by,
            created=now,
            occurred=final.date if final else None,
            facts=motion_facts(after),
        )
        out.append((change, route))
        status_reported = status is ParliamentaryStatus.REPLACED
    removed = _removed_decisions(before, after)
    if removed:
        undone = max(removed, key=lambda d: (d.date or date.min, d.id))
        change = Change(
            kind=ChangeKind.DECISION_CORRECTED,
            motion_id=after.id,
            old=undone.status.value,
            new=status.value,
            created=now,
            facts=replace(motion_facts(after), raw=undone.raw_kind),
        )
        out.append((change, route))
        status_reported = True
    if final is not None and final.votes:
        earlier = {d.id: d for d in before.decisions}
        if final.id not in earlier or not earlier[final.id].votes:
            change = Change(
                kind=ChangeKind.VOTE_RECORDED,
                motion_id=after.id,
                old=old_status.value,
                new=status.value,
                created=now,
                occurred=final.date,
                facts=replace(motion_facts(after, final), decision=final.status.value),
            )
            out.append((change, route))
            status_reported = True
    if status is not old_status and not status_reported:
        placeholder = not known_status(before)
        if not (placeholder and status is ParliamentaryStatus.SUBMITTED):
            change = Change(
                kind=ChangeKind.STATUS_CHANGED,
                motion_id=after.id,
                old=old_status.value,
                new=status.value,
                created=now,
                occurred=final.date if final is not None else None,
                facts=replace(
                    motion_facts(after, _status_decision(after)), placeholder=placeholder
                ),
            )
            out.append((change, route))
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


def new_letter(letter: Letter, now: datetime) -> tuple[Change, Route]:
    """A letter (or other document) not stored before."""
    change = Change(
        kind=ChangeKind.NEW_LETTER,
        letter_id=letter.id,
        created=now,
        occurred=letter.date,
        facts=ChangeFacts(
            title=letter.title,
            document=letter.kind.value,
            ident=letter.kamerstuk or letter.id,
            cited=tuple(c.id for c in letter.motions),
        ),
    )
    return change, Route(dossiers=_letter_dossiers(letter), texts=(letter.title,))


def execution_reported(
    motion: Motion, letter: Letter, cited: CitedMotion, now: datetime
) -> tuple[Change, Route]:
    """A letter reporting how far a motion is carried out (the evidence quotes the letter)."""
    assert cited.status is not None
    change = Change(
        kind=ChangeKind.EXECUTION_REPORTED,
        motion_id=motion.id,
        letter_id=letter.id,
        new=cited.status.value,
        evidence=cited.evidence,
        created=now,
        occurred=letter.date,
        facts=motion_facts(motion),
    )
    route = Route(
        dossiers=frozenset({motion.dossier}),
        texts=(motion.title, letter.title),
        motions=_chain(motion),
    )
    return change, route
