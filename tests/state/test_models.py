"""Domain model rules that are pure."""

from __future__ import annotations

from datetime import date

from state.models import Decision, Motion, ParliamentaryStatus, is_motion_key

DAY = date(2025, 3, 13)


def _decision(id_: str, status: ParliamentaryStatus, day: date | None = DAY) -> Decision:
    return Decision(
        id=id_, motion_id="21501-02-3067", status=status, raw_kind=status.value, date=day
    )


def test_a_vote_outranks_the_submission_of_the_same_day_whatever_the_ids() -> None:
    # Ids chosen so that ordering by id would pick the submission.
    submitted = _decision("ffff", ParliamentaryStatus.SUBMITTED)
    adopted = _decision("0000", ParliamentaryStatus.ADOPTED)
    for decisions in ((submitted, adopted), (adopted, submitted)):
        motion = Motion(id="21501-02-3067", title="t", decisions=decisions)
        assert motion.final_decision is adopted


def test_later_date_wins_and_non_final_decisions_are_ignored() -> None:
    held = _decision("a", ParliamentaryStatus.HELD, date(2025, 3, 1))
    adopted = _decision("b", ParliamentaryStatus.ADOPTED, date(2025, 3, 20))
    provisional = Decision(
        id="c",
        motion_id="x",
        status=ParliamentaryStatus.REJECTED,
        raw_kind="r",
        date=date(2025, 4, 1),
        final=False,
    )
    motion = Motion(id="21501-02-3067", title="t", decisions=(adopted, held, provisional))
    assert motion.final_decision is adopted
    assert Motion(id="1-1", title="t").final_decision is None


def test_motion_keys() -> None:
    assert is_motion_key("21501-02-2228")
    assert is_motion_key("35570-V-31")
    assert is_motion_key("2022Z19883")
    assert not is_motion_key("2022D42687")
    assert not is_motion_key("../etc/passwd")
