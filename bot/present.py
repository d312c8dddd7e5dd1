"""The shapes a motion, a change and the board take outside the process, shared by the CLI, the
JSON API and the demo: the ``--json`` objects (``motions``, ``status``, ``changes``, ``overdue``,
``agenda``, ``commitments``) and the board as a fixed-width text table.

Pure functions of the state's values; words for people come from ``templates/`` (imported by the
functions that need them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from state.agenda import AgendaItem
    from state.commitments import Commitment
    from state.models import BoardEntry, Change, ExecutionReport, TimelineEntry
    from state.overdue import Overdue

__all__ = [
    "agenda_json",
    "board_table",
    "change_json",
    "clip",
    "commitment_json",
    "iso",
    "motion_json",
    "overdue_json",
    "status_json",
]


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 text of a date or time; None stays None."""
    return value.isoformat() if value is not None else None


def clip(text: str | None, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def motion_json(entry: BoardEntry) -> dict[str, Any]:
    """The ``motions --json`` object of one board entry."""
    motion = entry.motion
    return {
        "id": motion.id,
        "title": motion.title,
        "submitters": [s.name for s in motion.submitters],
        "parliamentary_status": motion.parliamentary_status.value,
        "execution_status": entry.execution.status.value
        if entry.execution and entry.execution.status
        else None,
        "updated": iso(entry.updated),
    }


def status_json(
    entry: BoardEntry,
    reports: Sequence[ExecutionReport],
    timeline: Sequence[TimelineEntry],
) -> dict[str, Any]:
    """The ``status ID --json`` object: the board object plus votes, evidence, letter, timeline."""
    from state.timeline import latest_report
    from templates.timeline import detail

    motion = entry.motion
    data = motion_json(entry)
    decision = motion.final_decision
    data["votes"] = [
        {"party": v.actor, "vote": v.choice.value, "seats": v.seats, "mistake": v.mistake}
        for v in (decision.votes if decision else ())
    ]
    data["tally"] = (
        {"for": decision.tally[0], "against": decision.tally[1]}
        if decision and any(v.seats for v in decision.votes)
        else None
    )
    # where the decision was read when not from a Besluit: the Handelingen item (parties, no seats)
    data["decision_source"] = decision.source if decision else None
    data["decision_date"] = iso(decision.date) if decision else None
    data["cabinet_appraisal"] = motion.cabinet_appraisal
    data["afgedaan"] = motion.afgedaan
    latest = latest_report(reports)
    data["evidence"] = latest.evidence if latest else None
    data["letter"] = (
        {
            "id": latest.letter_id,
            "title": latest.letter_title,
            "date": iso(latest.date),
            "url": latest.letter_url,
        }
        if latest
        else None
    )
    data["timeline"] = [  # an inferred decision (no recorded one) is the bot's alone
        {"date": iso(t.date), "kind": t.kind.value, "detail": detail(t)}
        for t in timeline
        if not t.inferred
    ]
    return data


def change_json(change: Change) -> dict[str, Any]:
    """The ``changes --json`` object of one change (a row stored before facts were kept passes
    its stored line on)."""
    from templates.render import change_summary

    return {
        "kind": change.kind.value,
        "motion": change.motion_id,
        "letter": change.letter_id,
        "summary": change.legacy_summary or change_summary(change),
        "created": iso(change.created),
    }


def overdue_json(item: Overdue, today: date) -> dict[str, Any]:
    """The ``overdue --json`` object of one overdue motion."""
    motion = item.motion
    return {
        "id": motion.id,
        "title": motion.title,
        "submitters": [s.name for s in motion.submitters],
        "adopted": item.adopted.isoformat(),
        "due": item.due.isoformat(),
        "days_overdue": item.days(today),
        "reason": item.reason.value,
        "phrase": item.phrase,
        "last_report": item.last_report.isoformat() if item.last_report else None,
    }


def agenda_json(item: AgendaItem) -> dict[str, Any]:
    """The ``agenda --json`` object of one agenda item."""
    return {
        "motion_id": item.motion_id,
        "zaak_nummer": item.zaak_nummer,
        "title": item.title,
        "activity": item.activity_nummer,
        "kind": item.kind,
        "subject": item.subject,
        "dossier": item.dossier,
        "vote": item.vote,
        "status": item.status.value,
        "date": item.day.isoformat() if item.day else None,
        "start": item.start.isoformat() if item.start else None,
        "date_kind": item.date_kind.value,
        "when": item.when(),
        "agendapunt": item.agendapunt_subject,
        "appraisal": item.appraisal,
        "proposal": item.proposal,
    }


def commitment_json(item: Commitment) -> dict[str, Any]:
    """The ``commitments --json`` object of one commitment."""
    return {
        "number": item.number,
        "text": item.text,
        "status": item.status.value,
        "status_raw": item.status_raw,
        "ministry": item.ministry,
        "minister": item.minister,
        "function": item.function,
        "made": item.made.isoformat() if item.made else None,
        "due": item.due.isoformat() if item.due else None,
        "letter": item.letter,
        "evidence": item.evidence,
        "activity": item.activity,
    }


def board_table(entries: Sequence[BoardEntry]) -> str:
    """The motion board as a fixed-width text table."""
    from templates.render import label, surnames

    rows = [("motie", "Kamer", "uitvoering", "indieners", "titel")]
    for e in entries:
        rows.append(
            (
                e.motion.id,
                label(e.motion.parliamentary_status),
                label(e.execution.status) if e.execution and e.execution.status else "—",
                clip(surnames(e.motion.submitters, limit=2), 28),
                clip(e.motion.title, 60),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        cells = [r[c].ljust(widths[c]) for c in range(4)] + [r[4]]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 5)
    return "\n".join(lines)
