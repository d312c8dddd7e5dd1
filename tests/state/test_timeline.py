"""state.timeline: one pure derivation of a motion's timeline and latest report (issue #11)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from types import SimpleNamespace

from state.models import (
    ExecutionReport,
    ExecutionStatus,
    ParliamentaryStatus,
    PartyVote,
    Submitter,
    TimelineEntry,
    TimelineKind,
    VoteChoice,
)
from state.timeline import (
    build,
    by_date,
    in_life_order,
    latest_per_motion,
    latest_report,
    latest_status_report,
)
from templates.timeline import detail

from .factories import decision, motion


def report(
    letter_id: str, status: ExecutionStatus | None, day: date | None, **extra: str
) -> ExecutionReport:
    return ExecutionReport("35570-V-31", letter_id, status, None, day, **extra)


def test_build_carries_codes_and_facts_not_prose() -> None:
    held = decision("35570-V-31", ParliamentaryStatus.HELD, id="b0", day=date(2020, 11, 17))
    m = replace(
        motion(),
        submitters=(Submitter("A. Jansen", "X", ""), Submitter("B. de Vries", "Y", "")),
        replaces="35570-V-20",
        replaced_by="35570-V-40",
        decisions=(held,),
        url="https://example.org/m",
    )
    reports = [
        report("L1", ExecutionStatus.IN_PROGRESS, date(2021, 2, 1), letter_title="Brief"),
        report("L2", None, None),
    ]
    entries = build(m, reports, replaced_by_date=date(2020, 11, 19))
    assert [e.kind for e in entries] == [
        TimelineKind.SUBMITTED,
        TimelineKind.REPLACES,
        TimelineKind.DECISION,
        TimelineKind.REPLACED_BY,
        TimelineKind.EXECUTION_REPORT,
        TimelineKind.EXECUTION_REPORT,
    ]
    submitted, replaces, decided, replaced_by, first, mention = entries
    assert submitted.submitters == ("A. Jansen", "B. de Vries")
    assert submitted.url == "https://example.org/m"
    assert (replaces.motion_id, replaced_by.motion_id) == ("35570-V-20", "35570-V-40")
    assert replaced_by.date == date(2020, 11, 19)
    assert (decided.status, decided.tally, decided.inferred) == ("held", None, False)
    assert (first.status, first.letter_id, first.letter_title) == ("in_progress", "L1", "Brief")
    assert (mention.status, mention.date) == (None, None)
    # the words come from templates/timeline.py
    assert detail(submitted) == "ingediend door A. Jansen, B. de Vries"
    assert detail(replaces) == "vervangt motie 35570-V-20"
    assert detail(replaced_by) == "vervangen door motie 35570-V-40"
    assert detail(decided) == "aangehouden"
    assert detail(first) == "uitvoering gemeld — in uitvoering (Brief)"
    assert detail(mention) == "genoemd in brief"


def test_tally_and_the_json_words_are_the_labels() -> None:
    votes = (
        PartyVote("VVD", "VVD", VoteChoice.FOR, 34),
        PartyVote("SP", "SP", VoteChoice.AGAINST, 9),
    )
    tied = replace(decision("35570-V-31", ParliamentaryStatus.TIED), votes=votes)
    entry = build(replace(motion(), decisions=(tied,)), [])[1]
    assert (entry.tally, entry.seats_known) == ((34, 9), True)
    assert detail(entry) == "stemmen gestaakt (34-9)"  # LABELS' word, the one vocabulary
    no_seats = tuple(replace(v, seats=0) for v in votes)
    handelingen = replace(tied, status=ParliamentaryStatus.POSTPONED, votes=no_seats)
    entry = build(replace(motion(), decisions=(handelingen,)), [])[1]
    assert (entry.tally, entry.seats_known) == ((0, 0), False)
    assert detail(entry) == "stemming uitgesteld"  # parties only: no tally in words
    gone = replace(report("L", ExecutionStatus.NOT_APPLICABLE, None), evidence="Vervallen.")
    assert (
        detail(build(motion(), [gone])[-1])
        == "uitvoering gemeld — niet langer van toepassing: “Vervallen.”"
    )


def test_a_status_without_a_decision_is_inferred_and_the_two_orders() -> None:
    adopted = replace(
        motion(),
        parliamentary_status=ParliamentaryStatus.ADOPTED,
        decisions=(),
        date=date(2020, 1, 1),
    )
    reports = [report("L1", ExecutionStatus.EXECUTED, date(2021, 1, 1))]
    entries = build(adopted, reports)
    inferred = [e for e in entries if e.inferred]
    assert [(e.kind, e.status, e.date) for e in inferred] == [
        (TimelineKind.DECISION, "adopted", None)
    ]
    # the bot keeps an undated entry after the one it follows; the page puts it last
    assert [e.kind for e in in_life_order(entries)] == ["submitted", "decision", "execution_report"]
    assert [e.kind for e in by_date(entries)] == ["submitted", "execution_report", "decision"]
    for status in (ParliamentaryStatus.SUBMITTED, ParliamentaryStatus.REPLACED):
        plain = replace(adopted, parliamentary_status=status)
        assert not any(e.inferred for e in build(plain, []))


def test_latest_report_for_a_page_and_for_the_board() -> None:
    reports = [
        report("L1", ExecutionStatus.IN_PROGRESS, date(2021, 1, 1)),
        report("L2", ExecutionStatus.EXECUTED, date(2021, 6, 1)),
        report("L3", None, date(2021, 9, 1)),
    ]
    assert latest_status_report(reports) == reports[1]
    assert latest_report(reports) == reports[1]
    assert latest_report(reports[2:]) == reports[2]  # only a mention: the mention
    assert latest_status_report(reports[2:]) is None
    assert latest_report([]) is None

    stored = datetime(2024, 1, 1, tzinfo=UTC)

    def row(motion_id: str, letter: str, status: str | None, day: date | None) -> SimpleNamespace:
        return SimpleNamespace(
            motion_id=motion_id, letter_id=letter, status=status, letter_date=day, created=stored
        )

    rows = [
        row("A", "L9", "executed", None),  # undated counts as the oldest on the board
        row("A", "L1", "in_progress", date(2021, 1, 1)),
        row("B", "L2", None, date(2022, 1, 1)),
        row("C", "L4", "declined", date(2021, 1, 1)),
        row("C", "L3", "executed", date(2021, 1, 1)),  # same day and store time: by letter id
    ]
    latest = latest_per_motion(rows)
    assert {k: v.letter_id for k, v in latest.items()} == {"A": "L1", "C": "L4"}


def test_the_page_and_the_board_name_the_same_latest_report() -> None:
    """One rule: an undated report counts as the oldest on the page as on the board."""
    stored = datetime(2024, 1, 1, tzinfo=UTC)
    # in stored order (state.records.report_order: by date, undated last)
    reports = [
        report("L1", ExecutionStatus.IN_PROGRESS, date(2021, 1, 1)),
        report("L2", ExecutionStatus.EXECUTED, date(2021, 1, 1)),
        report("L9", ExecutionStatus.DECLINED, None),
        report("L8", None, None),
    ]
    rows = [
        SimpleNamespace(
            motion_id=r.motion_id,
            letter_id=r.letter_id,
            status=r.status.value if r.status else None,
            letter_date=r.date,
            created=stored,
        )
        for r in reports
    ]
    board = latest_per_motion(rows)["35570-V-31"].letter_id
    assert latest_status_report(reports) == reports[1]
    assert latest_report(reports) == reports[1]
    assert board == "L2"
    assert latest_status_report(reports[2:]) == reports[2]  # undated only: the undated one
    assert latest_report(reports[3:]) == reports[3]  # only a mention: the mention


def test_timeline_entry_is_a_frozen_record_of_codes() -> None:
    entry = TimelineEntry(None, TimelineKind.REPLACES, motion_id="1-2")
    assert entry.kind == "replaces"
    assert (entry.status, entry.tally) == (None, None)
