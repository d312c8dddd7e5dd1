"""A motion's timeline and its latest execution report: one pure derivation for every reader.

:func:`build` turns a motion and its execution reports (oldest first, as
``Repository.execution_reports`` returns them) into :class:`~state.models.TimelineEntry` codes
and facts, in the order of the motion's life; :func:`by_date` and :func:`in_life_order` sort
them. :func:`latest_report` picks the report a motion's page shows, :func:`latest_per_motion`
the one the board shows. Words for people come from ``templates/`` only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar

from state.models import (
    ExecutionReport,
    Motion,
    ParliamentaryStatus,
    TimelineEntry,
    TimelineKind,
)

__all__ = [
    "ReportRow",
    "build",
    "by_date",
    "in_life_order",
    "latest_per_motion",
    "latest_report",
    "latest_status_report",
]

# statuses that need no decision to explain them (the synthetic decision entry is left out)
_NO_DECISION = (
    ParliamentaryStatus.SUBMITTED,
    ParliamentaryStatus.UNKNOWN,
    ParliamentaryStatus.REPLACED,
)


def build(
    motion: Motion,
    reports: Sequence[ExecutionReport],
    *,
    replaced_by_date: date | None = None,
) -> list[TimelineEntry]:
    """Submitted, replaces, final decisions, replaced by, execution reports: unsorted.

    A motion whose status needs a decision but has no final one recorded gets an ``inferred``
    decision entry (undated) right after its decisions. A Besluit without date or votes beside a
    decision of the same outcome read from the Handelingen is that decision: one entry.
    ``replaced_by_date`` is the replacing motion's date when the caller knows it.
    """
    entries = [
        TimelineEntry(
            motion.date,
            TimelineKind.SUBMITTED,
            submitters=tuple(s.name for s in motion.submitters),
            url=motion.url,
        )
    ]
    if motion.replaces:
        entries.append(TimelineEntry(motion.date, TimelineKind.REPLACES, motion_id=motion.replaces))
    finals = [d for d in motion.decisions if d.final]
    read = {d.status for d in finals if d.source}
    for decision in finals:
        if not (decision.source or decision.date or decision.votes) and decision.status in read:
            continue  # a Besluit without date or votes, and the Handelingen of that same vote
        entries.append(
            TimelineEntry(
                decision.date,
                TimelineKind.DECISION,
                status=decision.status.value,
                tally=decision.tally if decision.votes else None,
                seats_known=any(v.seats for v in decision.votes),
                decision_text=decision.text,
            )
        )
    if not finals and motion.parliamentary_status not in _NO_DECISION:
        entries.append(
            TimelineEntry(
                None,
                TimelineKind.DECISION,
                status=motion.parliamentary_status.value,
                inferred=True,
            )
        )
    if motion.replaced_by:
        entries.append(
            TimelineEntry(replaced_by_date, TimelineKind.REPLACED_BY, motion_id=motion.replaced_by)
        )
    for report in reports:
        entries.append(
            TimelineEntry(
                report.date,
                TimelineKind.EXECUTION_REPORT,
                status=report.status.value if report.status else None,
                letter_id=report.letter_id,
                letter_title=report.letter_title,
                evidence=report.evidence,
                url=report.letter_url,
                cited_as=report.cited_as,
            )
        )
    return entries


def by_date(entries: Iterable[TimelineEntry]) -> list[TimelineEntry]:
    """Date order, undated entries last; same-day entries keep their order in the motion's life."""
    return sorted(entries, key=lambda e: (e.date is None, e.date or date.min))


def in_life_order(entries: Iterable[TimelineEntry]) -> list[TimelineEntry]:
    """Date order; an undated entry stays right after the entry it follows in the motion's life.

    (An undated decision after its submission, not after a later letter; stable otherwise.)
    """
    keyed: list[tuple[date, int, TimelineEntry]] = []
    last = date.min
    for n, entry in enumerate(entries):
        if entry.date is not None:
            last = entry.date
        keyed.append((entry.date or last, n, entry))
    return [entry for _, _, entry in sorted(keyed, key=lambda k: (k[0], k[1]))]


def _recency(when: date | None, *later: object) -> tuple[object, ...]:
    """The one order of "latest" for reports: undated reports count as the oldest (a dated report
    is always the more telling one), then by date, then by ``later`` (when kamerwacht stored it)."""
    return (when is not None, when or date.min, *later)


def latest_status_report(reports: Sequence[ExecutionReport]) -> ExecutionReport | None:
    """The latest of ``reports`` (in stored order) that carries a status, or None.

    The same rule as :func:`latest_per_motion`, so the board, a motion's page, ``status`` and the
    bot name the same report.
    """
    with_status = [(i, r) for i, r in enumerate(reports) if r.status is not None]
    if not with_status:
        return None
    return max(with_status, key=lambda ir: _recency(ir[1].date, ir[0]))[1]


def latest_report(reports: Sequence[ExecutionReport]) -> ExecutionReport | None:
    """The report a motion's page shows: the latest with a status, else the last mention."""
    return latest_status_report(reports) or (reports[-1] if reports else None)


class ReportRow(Protocol):
    """What :func:`latest_per_motion` reads of a stored report (a ``letter_motions`` row)."""

    @property
    def motion_id(self) -> str: ...
    @property
    def letter_id(self) -> str: ...
    @property
    def status(self) -> str | None: ...
    @property
    def letter_date(self) -> date | None: ...
    @property
    def created(self) -> datetime: ...


R = TypeVar("R", bound=ReportRow)


def latest_per_motion(rows: Iterable[R]) -> dict[str, R]:
    """Each motion's latest report that carries a status: what the board shows and sorts by.

    Undated reports count as the oldest (:func:`_recency`); then by when kamerwacht stored it,
    then by letter id.
    """
    latest: dict[str, R] = {}
    for row in sorted(
        (r for r in rows if r.status),
        key=lambda r: _recency(r.letter_date, r.created, r.letter_id),
    ):
        latest[row.motion_id] = row
    return latest
