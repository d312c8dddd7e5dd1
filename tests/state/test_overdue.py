"""Overdue motions (issue 17, point 3): deadlines from the text, due dates, changes once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from state.models import (
    BoardEntry,
    ChangeKind,
    Channel,
    ExecutionReport,
    ExecutionStatus,
    Observation,
    ParliamentaryStatus,
    SubscriptionKind,
)
from state.overdue import (
    DeadlineReason,
    add_months,
    due_of,
    overdue_changes,
    overdue_motions,
    parse_deadlines,
)
from state.repository import Repository

from .factories import NOW, cited, decision, letter, motion, voted

REF = date(2021, 3, 4)


@pytest.mark.parametrize(
    ("text", "due", "phrase"),
    [
        ("verzoekt de regering de Kamer voor de zomer te melden", "2021-07-01", "voor de zomer"),
        ("en hierover vóór het zomerreces te rapporteren", "2021-07-01", "vóór het zomerreces"),
        ("verzoekt de regering voor 1 januari 2022 een plan", "2022-01-01", "voor 1 januari 2022"),
        ("uiterlijk 1 maart een brief te sturen", "2022-03-01", "uiterlijk 1 maart"),
        ("de Kamer binnen drie maanden te informeren", "2021-06-04", "binnen drie maanden"),
        ("binnen 6 weken een reactie", "2021-04-15", "binnen 6 weken"),
        ("voor de begrotingsbehandeling de Kamer te informeren", "2021-11-01",
         "voor de begrotingsbehandeling"),
        ("voor de behandeling van de begroting 2023", "2022-11-01",
         "voor de behandeling van de begroting 2023"),
        ("de Kamer jaarlijks te informeren over de voortgang", "2022-03-04", "jaarlijks"),
        ("voor het einde van dit jaar in werking laten treden", "2021-12-31",
         "voor het einde van dit jaar"),
        ("voor eind juni 2021 te rapporteren", "2021-06-30", "voor eind juni 2021"),
        ("de Kamer voor Prinsjesdag te informeren", "2021-09-21", "voor Prinsjesdag"),
    ],
)  # fmt: skip
def test_deadline_phrases_are_read_with_the_motion_date_as_reference(
    text: str, due: str, phrase: str
) -> None:
    found = parse_deadlines(text, REF)
    assert [(d.due.isoformat(), d.phrase) for d in found] == [(due, phrase)]


def test_summer_after_the_summer_means_next_year() -> None:
    assert parse_deadlines("voor de zomer", date(2021, 9, 1))[0].due == date(2022, 7, 1)


def test_annual_spending_is_not_a_reporting_deadline() -> None:
    # a real title: "… hoeveel geld de Palestijnse Autoriteit jaarlijks uitgeeft …"
    text = "berekenen hoeveel geld de Palestijnse Autoriteit jaarlijks uitgeeft aan uitkeringen"
    assert parse_deadlines(text, REF) == []
    assert (
        parse_deadlines("een jaarlijkse rapportage over beroepsverboden", REF)[0].every_months == 12
    )


def test_no_deadline_in_plain_text() -> None:
    assert parse_deadlines("verzoekt de regering zich in te zetten voor vrede", REF) == []
    assert parse_deadlines(None, REF) == []
    assert parse_deadlines("voor 31 februari 2022", REF) == []


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2021, 8, 31), 6) == date(2022, 2, 28)
    assert add_months(date(2021, 11, 15), 3) == date(2022, 2, 15)


def _adopted(text: str | None = None, **fields: object):  # type: ignore[no-untyped-def]
    m = voted(motion("35570-V-31", text=text, **fields))
    return m  # adopted on 17 November 2020 (the factory's decision date)


def test_due_of_default_period_text_and_recurring() -> None:
    assert due_of(_adopted(), None, months=6) == (date(2021, 5, 17), DeadlineReason.PERIOD, None)
    assert due_of(_adopted("en de Kamer voor de zomer te informeren"), None) == (
        date(2021, 7, 1),
        DeadlineReason.TEXT,
        "voor de zomer",
    )
    annual = _adopted("de Kamer jaarlijks te rapporteren")
    assert due_of(annual, date(2021, 6, 1)) == (
        date(2022, 6, 1),
        DeadlineReason.RECURRING,
        "jaarlijks",
    )
    # reported on, no recurring deadline: nothing is due any more
    assert due_of(_adopted("voor de zomer"), date(2021, 6, 1)) is None
    # not adopted: nothing is due
    assert due_of(motion("35570-V-32"), None) is None


def _entry(m, report_day: date | None = None) -> BoardEntry:  # type: ignore[no-untyped-def]
    report = None
    if report_day is not None:
        report = ExecutionReport(m.id, "21501-02-2423", ExecutionStatus.EXECUTED, "Uitgevoerd.",
                                 date=report_day)  # fmt: skip
    return BoardEntry(m, report, NOW)


def test_overdue_motions_lists_only_adopted_unreported_past_due() -> None:
    late = _adopted()
    text_late = replace(_adopted("binnen drie maanden"), id="35570-V-40")
    reported = replace(_adopted(), id="35570-V-41")
    rejected = voted(motion("35570-V-42"), ParliamentaryStatus.REJECTED)
    not_yet = replace(_adopted(), id="35570-V-43", decisions=(decision("35570-V-43",
                      day=date(2021, 4, 1)),))  # fmt: skip
    entries = [
        _entry(late),
        _entry(text_late),
        _entry(reported, date(2021, 3, 1)),
        _entry(rejected),
        _entry(not_yet),
    ]
    found = overdue_motions(entries, today=date(2021, 6, 1), months=6)
    assert [(o.motion.id, o.due, o.reason, o.phrase) for o in found] == [
        ("35570-V-40", date(2021, 2, 12), DeadlineReason.TEXT, "binnen drie maanden"),
        ("35570-V-31", date(2021, 5, 17), DeadlineReason.PERIOD, None),
    ]
    assert found[1].days(date(2021, 6, 1)) == 15


def test_overdue_changes_once_per_due_date() -> None:
    item = overdue_motions([_entry(_adopted("voor de zomer"))], today=date(2022, 1, 1))
    now = datetime(2022, 1, 1, tzinfo=UTC)
    [(change, route)] = overdue_changes(item, {}, now=now)
    assert change.kind is ChangeKind.MOTION_OVERDUE
    assert (change.motion_id, change.new, change.old, change.evidence) == (
        "35570-V-31",
        "2021-07-01",
        "text",
        "voor de zomer",
    )
    assert route.dossiers == frozenset({"35570-V"})
    assert overdue_changes(item, {"35570-V-31": frozenset({"2021-07-01"})}, now=now) == []


# --------------------------------------------------------------------------- the store


def test_overdue_is_recorded_once_pushed_once_and_withdrawn_by_a_report(
    repo: Repository,
) -> None:
    m = _adopted("verzoekt de regering de Kamer voor de zomer te informeren")
    repo.apply_poll(Observation(motions=(m,)), now=NOW)
    sub = repo.get_or_create_subscriber(Channel.TELEGRAM, "42")
    repo.subscribe(sub.id, SubscriptionKind.MOTION, m.id)

    today = date(2021, 8, 1)
    [change] = repo.apply_overdue(today=today, now=NOW)
    assert (change.kind, change.new, change.evidence) == (
        ChangeKind.MOTION_OVERDUE,
        "2021-07-01",
        "voor de zomer",
    )
    assert [d.change_id for d in repo.deliveries(subscriber_id=sub.id)] == [change.id]
    # the next poll (and the one after) pushes nothing again
    assert repo.apply_overdue(today=today, now=NOW) == []
    assert repo.apply_overdue(today=date(2021, 9, 1), now=NOW) == []
    assert len(repo.deliveries(subscriber_id=sub.id)) == 1
    assert [o.motion.id for o in repo.overdue(today=today)] == [m.id]

    report = letter("21501-02-2423", cited(m.id, ExecutionStatus.EXECUTED))
    repo.apply_poll(Observation(letters=(report,)), now=NOW)
    assert repo.overdue(today=today) == []
    assert repo.apply_overdue(today=today, now=NOW) == []


def test_overdue_without_notify_queues_nothing(repo: Repository) -> None:
    m = _adopted()
    repo.apply_poll(Observation(motions=(m,)), now=NOW)
    sub = repo.get_or_create_subscriber(Channel.TELEGRAM, "42")
    repo.subscribe(sub.id, SubscriptionKind.ALL)
    [change] = repo.apply_overdue(today=date(2022, 1, 1), notify=False, now=NOW)
    assert change.new == "2021-05-17"
    assert repo.deliveries(subscriber_id=sub.id) == []
    assert repo.apply_overdue(today=date(2022, 1, 1), now=NOW) == []
