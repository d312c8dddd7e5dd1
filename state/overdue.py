"""Overdue motions: adopted motions the cabinet has not reported on in time (pure).

An adopted motion is due for an execution report either by a deadline its own text sets
(``voor de zomer``, ``voor 1 januari 2022``, ``binnen drie maanden``, ``voor de
begrotingsbehandeling``, ``jaarlijks`` …, read with the motion's date as reference) or, when the
text sets none, a configurable period after its adoption (default six months). It is overdue the
day after that date while no letter reports on it with an execution status. A recurring deadline
(``jaarlijks``) is due again one period after the latest report.

The phrase that set the deadline is kept as evidence. Nothing here does I/O; the repository feeds
board entries in and stores the :data:`ChangeKind.MOTION_OVERDUE` changes that come out, once per
(motion, due date).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from state.changes import Route, motion_facts
from state.models import BoardEntry, Change, ChangeKind, Motion, ParliamentaryStatus

__all__ = [
    "DEFAULT_MONTHS",
    "Deadline",
    "DeadlineReason",
    "Overdue",
    "add_months",
    "adoption_date",
    "due_of",
    "overdue_changes",
    "overdue_motions",
    "parse_deadlines",
]

DEFAULT_MONTHS = 6

_MONTHS = {
    name: i + 1
    for i, name in enumerate(
        (
            "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
            "september", "oktober", "november", "december",
        )
    )
}  # fmt: skip
_NUMBERS = {
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "achttien": 18,
    "veertien": 14, "twintig": 20, "dertig": 30, "half": 0,
}  # fmt: skip


class DeadlineReason(StrEnum):
    """Where a motion's due date comes from."""

    PERIOD = "period"  # the configured period after adoption
    TEXT = "text"  # a deadline the motion's own text sets
    RECURRING = "recurring"  # a recurring deadline (jaarlijks) one period after the last report


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline read from a motion's text: the due date and the phrase that set it.

    ``every_months`` is set for a recurring deadline (``jaarlijks`` → 12).
    """

    due: date
    phrase: str
    every_months: int | None = None


@dataclass(frozen=True, slots=True)
class Overdue:
    """An adopted motion past its due date without an execution report."""

    motion: Motion
    adopted: date
    due: date
    reason: DeadlineReason
    phrase: str | None = None  # the text that set the deadline (None for the default period)
    last_report: date | None = None  # the latest report's date (recurring deadlines)

    def days(self, today: date) -> int:
        """Days past due on ``today``."""
        return (today - self.due).days


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (clamped to the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next(month: int, day: int, reference: date, year: int | None = None) -> date:
    """The first ``day``-``month`` after ``reference`` (or in ``year`` when given)."""
    if year is not None:
        return date(year, month, day)
    candidate = date(reference.year, month, day)
    return candidate if candidate > reference else date(reference.year + 1, month, day)


def _third_tuesday_of_september(year: int) -> date:
    first = date(year, 9, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 14)


def _number(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return _NUMBERS.get(word)


_BEFORE = r"(?:v[oó]{2}r|uiterlijk|v[oó]{2}r\s+of\s+(?:op|uiterlijk)|niet\s+later\s+dan)"
_MONTH_NAMES = "|".join(_MONTHS)
_YEAR = r"(?P<year>(?:19|20)\d{2})"

_EXPLICIT = re.compile(
    rf"\b{_BEFORE}\s+(?:het\s+)?(?P<day>[1-3]?\d)\s+(?P<month>{_MONTH_NAMES})(?:\s+{_YEAR})?",
    re.IGNORECASE,
)
_END_OF_MONTH = re.compile(
    rf"\b{_BEFORE}\s+(?:het\s+)?(?:eind|einde)\s+(?:van\s+)?(?P<month>{_MONTH_NAMES})"
    rf"(?:\s+{_YEAR})?",
    re.IGNORECASE,
)
_END_OF_YEAR = re.compile(
    rf"\b{_BEFORE}\s+(?:het\s+)?(?:eind|einde)\s+(?:van\s+)?(?:(?:dit|het)\s+(?:kalender)?jaar|"
    rf"{_YEAR})|\b{_BEFORE}\s+(?:het\s+)?(?:kerstreces|jaareinde|de\s+kerst)",
    re.IGNORECASE,
)
_SUMMER = re.compile(rf"\b{_BEFORE}\s+(?:de\s+zomer|het\s+zomerreces)(?:\s+(?:van\s+)?{_YEAR})?",
                     re.IGNORECASE)  # fmt: skip
_BUDGET = re.compile(
    rf"\b{_BEFORE}\s+(?:de\s+)?(?:(?:eerstvolgende|volgende|komende)\s+)?"
    r"(?:begrotingsbehandeling|behandeling\s+van\s+de\s+(?:volgende\s+)?begroting)"
    r"(?:\s+(?:van\s+)?(?P<year>(?:19|20)\d{2}))?",
    re.IGNORECASE,
)
_PRINSJESDAG = re.compile(rf"\b{_BEFORE}\s+prinsjesdag(?:\s+{_YEAR})?", re.IGNORECASE)
_WITHIN = re.compile(
    r"\bbinnen\s+(?P<n>\d{1,3}|[a-zé]+)\s+(?P<unit>dagen|dag|weken|week|maanden|maand|jaar)\b",
    re.IGNORECASE,
)
_RECURRING = re.compile(
    r"\b(?P<kind>(?:half)?jaarlijks(?:e)?|(?:ieder|elk)\s+(?:half\s+)?jaar)\b",
    re.IGNORECASE,
)
# "jaarlijks" sets a deadline only when it is about informing the House ("de Kamer jaarlijks te
# informeren", "een jaarlijkse rapportage"), not "hoeveel geld … jaarlijks uitgeeft".
_REPORTING = re.compile(
    r"\b(?:kamer|informe\w*|rapport\w*|verslag\w*|melden|meldt|te\s+sturen|voortgang\w*|"
    r"overzicht|reactie|brief|monitor\w*|evaluat\w*|terug\s+te\s+koppelen)",
    re.IGNORECASE,
)
REPORTING_WINDOW = (40, 80)  # characters before / after "jaarlijks" a reporting word may stand
_SPACE = re.compile(r"\s+")

BUDGET_DEBATE = (11, 1)  # budget debates run from October to December; 1 November is due
SUMMER = (7, 1)  # the summer recess starts early July
END_OF_YEAR = (12, 31)


def _reporting_near(text: str, match: re.Match[str]) -> bool:
    """Whether a reporting word stands near ``match`` in the same clause."""
    before, after = REPORTING_WINDOW
    head = re.split(r"[.;]", text[max(0, match.start() - before) : match.start()])[-1]
    tail = re.split(r"[.;]", text[match.end() : match.end() + after])[0]
    return bool(_REPORTING.search(head) or _REPORTING.search(tail))


def _phrase(match: re.Match[str]) -> str:
    return _SPACE.sub(" ", match.group(0)).strip()


def _year(match: re.Match[str]) -> int | None:
    value = match.groupdict().get("year")
    return int(value) if value else None


def parse_deadlines(text: str | None, reference: date) -> list[Deadline]:
    """Every deadline ``text`` sets, read with ``reference`` (the motion's date) as "now".

    >>> [d.due.isoformat() for d in parse_deadlines("en de Kamer voor de zomer te informeren",
    ...                                              date(2021, 3, 4))]
    ['2021-07-01']
    """
    if not text:
        return []
    found: list[Deadline] = []

    def add(due: date, match: re.Match[str], every: int | None = None) -> None:
        found.append(Deadline(due, _phrase(match), every))

    for m in _EXPLICIT.finditer(text):
        day, month = int(m.group("day")), _MONTHS[m.group("month").lower()]
        try:
            add(_next(month, day, reference, _year(m)), m)
        except ValueError:  # 31 februari
            continue
    for m in _END_OF_MONTH.finditer(text):
        month = _MONTHS[m.group("month").lower()]
        year = _year(m) or (reference.year if month >= reference.month else reference.year + 1)
        add(date(year, month, calendar.monthrange(year, month)[1]), m)
    for m in _END_OF_YEAR.finditer(text):
        add(date(_year(m) or reference.year, *END_OF_YEAR), m)
    for m in _SUMMER.finditer(text):
        add(_next(*SUMMER, reference, _year(m)), m)
    for m in _BUDGET.finditer(text):
        budget_year = _year(m)  # the budget of year N is debated in the autumn of N - 1
        add(_next(*BUDGET_DEBATE, reference, budget_year - 1 if budget_year else None), m)
    for m in _PRINSJESDAG.finditer(text):
        year = _year(m) or reference.year
        due = _third_tuesday_of_september(year)
        if due <= reference and _year(m) is None:
            due = _third_tuesday_of_september(year + 1)
        add(due, m)
    for m in _WITHIN.finditer(text):
        n = _number(m.group("n"))
        unit = m.group("unit").lower()
        if n is None or n == 0:
            continue
        if unit.startswith("dag"):
            add(reference + timedelta(days=n), m)
        elif unit.startswith("we"):
            add(reference + timedelta(weeks=n), m)
        elif unit.startswith("maand"):
            add(add_months(reference, n), m)
        else:
            add(add_months(reference, 12 * n), m)
    for m in _RECURRING.finditer(text):
        if not _reporting_near(text, m):
            continue
        every = 6 if "half" in m.group("kind").lower() else 12
        add(add_months(reference, every), m, every)
    return sorted(found, key=lambda d: (d.due, d.phrase))


def adoption_date(motion: Motion) -> date | None:
    """When the House adopted ``motion``: its final adopting decision's date, else its date."""
    final = motion.final_decision
    if final is not None and final.status is ParliamentaryStatus.ADOPTED and final.date:
        return final.date
    return motion.date


def due_of(
    motion: Motion, last_report: date | None, *, months: int = DEFAULT_MONTHS
) -> tuple[date, DeadlineReason, str | None] | None:
    """When an adopted motion's (next) execution report is due, why, and the phrase.

    None when nothing is due: the motion is not adopted, has no date, or was reported on and
    sets no recurring deadline.
    """
    if motion.parliamentary_status is not ParliamentaryStatus.ADOPTED:
        return None
    adopted = adoption_date(motion)
    if adopted is None:
        return None
    reference = motion.date or adopted
    deadlines = parse_deadlines(motion.text or motion.title, reference)
    if last_report is not None:
        recurring = [d for d in deadlines if d.every_months]
        if not recurring:
            return None
        every = min(d.every_months or 12 for d in recurring)
        phrase = next(d.phrase for d in recurring if d.every_months == every)
        return add_months(last_report, every), DeadlineReason.RECURRING, phrase
    if deadlines:
        first = deadlines[0]
        return max(first.due, adopted), DeadlineReason.TEXT, first.phrase
    return add_months(adopted, months), DeadlineReason.PERIOD, None


def overdue_motions(
    entries: Iterable[BoardEntry], *, today: date, months: int = DEFAULT_MONTHS
) -> list[Overdue]:
    """The adopted motions among ``entries`` past their due date on ``today``, longest first.

    A board entry's ``execution`` is its latest report with a status: letters, Handelingen and
    budget annexes all count.
    """
    out: list[Overdue] = []
    for entry in entries:
        last = entry.execution.date if entry.execution is not None else None
        if entry.execution is not None and last is None:
            continue  # reported on in an undated document: not overdue
        due = due_of(entry.motion, last, months=months)
        if due is None or today <= due[0]:
            continue
        adopted = adoption_date(entry.motion)
        assert adopted is not None
        out.append(Overdue(entry.motion, adopted, due[0], due[1], due[2], last))
    return sorted(out, key=lambda o: (o.due, o.motion.id))


def overdue_changes(
    overdue: Iterable[Overdue], already: Mapping[str, frozenset[str]], *, now: datetime
) -> list[tuple[Change, Route]]:
    """One ``motion_overdue`` change per overdue motion whose due date has no change yet.

    ``already`` maps a motion id to the due dates (ISO) of its stored overdue changes, so that a
    motion is pushed once per due date, never twice. ``old`` carries the reason code, ``new`` the
    due date and ``evidence`` the phrase that set the deadline.
    """
    out: list[tuple[Change, Route]] = []
    for item in overdue:
        due = item.due.isoformat()
        if due in already.get(item.motion.id, frozenset()):
            continue
        change = Change(
            kind=ChangeKind.MOTION_OVERDUE,
            motion_id=item.motion.id,
            old=item.reason.value,
            new=due,
            evidence=item.phrase,
            created=now,
            facts=replace(motion_facts(item.motion), title=item.motion.title),
        )
        route = Route(dossiers=frozenset({item.motion.dossier}), texts=(item.motion.title,))
        out.append((change, route))
    return out
