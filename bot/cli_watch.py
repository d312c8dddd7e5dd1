"""The ``kamerwacht overdue`` command (and the other issue-17 commands): what lies ahead.

Registered on the main parser by :func:`add_commands`; the helpers of ``bot.cli`` are reused.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from bot.cli import Parser, _print_json, _repo, _settings
from state.agenda import AgendaItem
from state.commitments import Commitment
from state.overdue import Overdue

__all__ = [
    "add_commands",
    "agenda_json",
    "cmd_agenda",
    "cmd_commitments",
    "cmd_overdue",
    "commitment_json",
    "extra_check_rows",
    "overdue_json",
]

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str, str], Parser]


def iso_day(value: str) -> date:
    """An argparse type: a YYYY-MM-DD date."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def months_count(value: str) -> int:
    """An argparse type: a number of months from 1 to 120."""
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from exc
    if not 1 <= number <= 120:
        raise argparse.ArgumentTypeError("must be from 1 to 120")
    return number


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


def cmd_overdue(args: argparse.Namespace) -> int:
    """``kamerwacht overdue``: adopted motions without an execution report past their due date."""
    settings = _settings()
    months = args.months or settings.overdue_months
    today = args.today or datetime.now(UTC).date()
    repo = _repo(settings)
    try:
        items = repo.overdue(today=today, months=months)
    finally:
        repo.close()
    if args.json:
        _print_json([overdue_json(o, today) for o in items])
        return 0
    if not items:
        print("no overdue motions")
        return 0
    from templates.render import label

    for o in items:
        print(f"{o.motion.id:<16} {o.due.isoformat()}  +{o.days(today):>4}d  {o.motion.title[:70]}")
        why = f"“{o.phrase}”" if o.phrase else label(o.reason)
        print(f"{'':<16} {why}")
    return 0


def agenda_json(item: AgendaItem) -> dict[str, Any]:
    """The ``agenda --json`` object of one agenda item."""
    return {
        "motion_id": item.motion_id,
        "zaak_nummer": item.zaak_nummer,
        "title": item.title,
        "activity": item.activity_nummer,
        "kind": item.kind,
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


def cmd_agenda(args: argparse.Namespace) -> int:
    """``kamerwacht agenda``: tracked motions on planned voting sessions and debates."""
    settings = _settings()
    repo = _repo(settings)
    try:
        items = repo.agenda(motion_id=args.motion)
    finally:
        repo.close()
    if args.json:
        _print_json([agenda_json(i) for i in items])
        return 0
    if not items:
        print("no tracked motions on the agenda")
        return 0
    from templates.render import format_when

    for i in items:
        print(f"{format_when(i.when()):<26} {i.ref:<16} {i.kind} {i.activity_nummer}")
        if i.title:
            print(f"{'':<26} {i.title[:90]}")
        if i.appraisal:
            print(f"{'':<26} appreciatie: {i.appraisal}")
    return 0


def add_commands(add: AddCommand) -> None:
    """Register this module's commands on the main parser."""
    p = add(
        "overdue",
        cmd_overdue,
        "adopted motions the cabinet has not reported on in time",
        "List the adopted topic motions without an execution report past their due date: the "
        'deadline the motion\'s own text sets ("voor de zomer", "binnen drie maanden", '
        '"jaarlijks" …, the phrase is shown), else KAMERWACHT_OVERDUE_MONTHS after adoption.',
    )
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument(
        "--months", type=months_count, metavar="N", help="override KAMERWACHT_OVERDUE_MONTHS"
    )
    p.add_argument("--today", type=iso_day, metavar="YYYY-MM-DD", help="judge as of this date")

    p = add(
        "agenda",
        cmd_agenda,
        "tracked motions on planned votes and debates",
        "List the tracked motions on the agenda of a planned plenary voting session (Stemmingen) "
        "or debate: date and time (or only the week), the session, the cabinet's appraisal. "
        "The web page serves the same as /agenda and /agenda.ics (iCalendar).",
    )
    p.add_argument("--motion", metavar="MOTION_ID", help="only this motion (id or Zaak number)")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    add_commitment_command(add)


def extra_check_rows(settings: Any) -> list[Any]:
    """Issue 17's row of ``kamerwacht sources --check``: does the live ``$metadata`` still have
    every Toezegging property the commitment source reads? (Not required: a mismatch warns.)"""
    import asyncio

    from bot.app import build_client
    from scrapers.base import SourceError
    from scrapers.check import CheckRow
    from scrapers.tweedekamer_commitments import SOURCE_NAME, check_schema

    url = settings.tweedekamer_url.rstrip("/") + "/$metadata"

    async def fetch() -> bytes:
        client = build_client(settings)
        try:
            return (await client.get(url)).content
        finally:
            await client.aclose()

    try:
        problems = check_schema(asyncio.run(fetch()))
    except SourceError as exc:
        problems = [f"$metadata unreachable: {exc.cause}"]
    detail = "; ".join(problems) or "Toezegging: every property read is in the live schema"
    return [CheckRow(SOURCE_NAME, not problems, False, detail)]


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


def cmd_commitments(args: argparse.Namespace) -> int:
    """``kamerwacht commitments``: the topic's commitments with their status."""
    settings = _settings()
    repo = _repo(settings)
    try:
        items = repo.commitments()
    finally:
        repo.close()
    if args.json:
        _print_json([commitment_json(i) for i in items])
        return 0
    if not items:
        print("no commitments on the topic yet (run `kamerwacht poll --once`)")
        return 0
    from templates.render import label

    for i in items:
        made = i.made.isoformat() if i.made else "          "
        print(f"{i.number:<14} {made}  {label(i.status):<22} {i.text[:80]}")
        if i.letter:
            print(f"{'':<26} {label('letter')}: {i.letter}")
        if i.evidence:
            print(f"{'':<26} “{i.evidence[:150]}”")
    return 0


def add_commitment_command(add: AddCommand) -> None:
    """Register ``kamerwacht commitments``."""
    p = add(
        "commitments",
        cmd_commitments,
        "the cabinet's commitments (toezeggingen) on the topic",
        "List the topic's commitments (toezeggingen) the cabinet made to the House: number, the "
        "date made, status (open, partly fulfilled, fulfilled, lapsed), the ministry, the letter "
        "that fulfils it and the sentence of that letter that says so.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON array")
