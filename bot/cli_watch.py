"""The ``kamerwacht overdue`` command (and the other issue-17 commands): what lies ahead.

Registered on the main parser by :func:`add_commands`; the shared helpers are in
``bot.cli_common``, the ``--json`` shapes in ``bot.present``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, date, datetime

from bot.cli_common import Parser, load_settings, open_repo, print_json
from bot.present import agenda_json, commitment_json, overdue_json

__all__ = [
    "add_commands",
    "cmd_agenda",
    "cmd_commitments",
    "cmd_overdue",
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


def cmd_overdue(args: argparse.Namespace) -> int:
    """``kamerwacht overdue``: adopted motions without an execution report past their due date."""
    settings = load_settings()
    months = args.months or settings.overdue_months
    today = args.today or datetime.now(UTC).date()
    repo = open_repo(settings)
    try:
        items = repo.overdue(today=today, months=months)
    finally:
        repo.close()
    if args.json:
        print_json([overdue_json(o, today) for o in items])
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


def cmd_agenda(args: argparse.Namespace) -> int:
    """``kamerwacht agenda``: tracked motions on planned voting sessions and debates."""
    settings = load_settings()
    repo = open_repo(settings)
    try:
        items = repo.agenda(motion_id=args.motion)
    finally:
        repo.close()
    if args.json:
        print_json([agenda_json(i) for i in items])
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


def cmd_commitments(args: argparse.Namespace) -> int:
    """``kamerwacht commitments``: the topic's commitments with their status."""
    settings = load_settings()
    repo = open_repo(settings)
    try:
        items = repo.commitments()
    finally:
        repo.close()
    if args.json:
        print_json([commitment_json(i) for i in items])
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
