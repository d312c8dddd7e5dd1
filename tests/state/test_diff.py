"""Pure tests of state.diff: change kinds, idempotence, merging, letter identity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from state.diff import (
    LETTER_SOURCE,
    DiffResult,
    StoredState,
    content_hash,
    diff,
    merge_motion,
)
from state.models import (
    ChangeKind,
    ExecutionStatus,
    Letter,
    Motion,
    Observation,
    ParliamentaryStatus,
    Submitter,
)
from templates.render import change_summary

from .factories import NOW, cited, decision, letter, motion, voted


def stored_after(*results: DiffResult, base: StoredState | None = None) -> StoredState:
    """The stored state once ``results`` have been written (what the repository would load)."""
    motions = dict(base.motions) if base else {}
    letters = dict(base.letters) if base else {}
    for result in results:
        motions.update((m.id, m) for m in result.motions)
        letters.update((lt.id, lt) for lt in result.letters)
    return StoredState.of(motions.values(), letters.values())


def kinds(result: DiffResult) -> list[ChangeKind]:
    return [c.kind for c in result.changes]


def test_new_motion_summary_names_id_and_surnames() -> None:
    result = diff(StoredState(), Observation(motions=(motion(),)), now=NOW)
    assert kinds(result) == [ChangeKind.NEW_MOTION]
    change = result.changes[0]
    assert change_summary(change).startswith(
        "35570-V-31 (Van Helvert c.s.): nieuwe motie — Motie van"
    )
    assert change.motion_id == "35570-V-31"
    assert change.new == "submitted"
    assert change.created == NOW
    assert result.routes[0].dossiers == {"35570-V"}


def test_same_observation_twice_yields_nothing() -> None:
    obs = Observation(
        motions=(voted(motion()), motion("21501-02-2228")),
        letters=(letter("21501-02-2423", cited("21501-02-2228")),),
    )
    first = diff(StoredState(), obs, now=NOW)
    assert first.changes
    second = diff(stored_after(first), obs, now=NOW)
    assert second.empty
    assert second.changes == ()


def test_refetched_record_with_other_vote_and_decision_order_is_no_change() -> None:
    """A record re-sent because only its modification time changed parses to the same motion."""
    m = replace(
        voted(motion()),
        decisions=(
            decision("35570-V-31", ParliamentaryStatus.HELD, id="b0", day=date(2020, 11, 10)),
            *voted(motion()).decisions,
        ),
    )
    stored = StoredState.of([m])
    refetched = replace(
        m,
        decisions=tuple(replace(d, votes=tuple(reversed(d.votes))) for d in reversed(m.decisions)),
    )
    assert content_hash(refetched) == content_hash(m)
    assert diff(stored, Observation(motions=(refetched,)), now=NOW).empty


def test_vote_recorded_carries_tally_and_status_change() -> None:
    stored = StoredState.of([motion()])
    result = diff(stored, Observation(motions=(voted(motion()),)), now=NOW)
    assert kinds(result) == [ChangeKind.VOTE_RECORDED]  # no separate status_changed
    change = result.changes[0]
    assert change_summary(change) == "35570-V-31 (Van Helvert c.s.): aangenomen (76-74)"
    assert (change.old, change.new) == ("submitted", "adopted")
    assert [m.parliamentary_status for m in result.motions] == [ParliamentaryStatus.ADOPTED]


def test_status_changed_without_votes() -> None:
    held = replace(
        motion(),
        parliamentary_status=ParliamentaryStatus.HELD,
        decisions=(decision("35570-V-31", ParliamentaryStatus.HELD),),
    )
    result = diff(StoredState.of([motion()]), Observation(motions=(held,)), now=NOW)
    assert kinds(result) == [ChangeKind.STATUS_CHANGED]
    change = result.changes[0]
    assert (change.old, change.new) == ("submitted", "held")
    assert change_summary(change) == "35570-V-31 (Van Helvert c.s.): aangehouden (was: ingediend)"


def test_motion_replaced() -> None:
    replaced = replace(
        motion(), replaced_by="35570-V-40", parliamentary_status=ParliamentaryStatus.REPLACED
    )
    result = diff(StoredState.of([motion()]), Observation(motions=(replaced,)), now=NOW)
    assert kinds(result) == [ChangeKind.MOTION_REPLACED]  # the status change is implied
    change = result.changes[0]
    assert change.new == "35570-V-40"
    assert change_summary(change) == "35570-V-31 (Van Helvert c.s.): vervangen door 35570-V-40"


def test_a_decision_withdrawn_upstream_is_a_correction() -> None:
    submitted = decision("35570-V-31", ParliamentaryStatus.SUBMITTED, id="b0", day=None)
    adopted = replace(voted(motion()), decisions=(submitted, *voted(motion()).decisions))
    after = replace(
        motion(), parliamentary_status=ParliamentaryStatus.SUBMITTED, decisions=(submitted,)
    )
    result = diff(StoredState.of([adopted]), Observation(motions=(after,)), now=NOW)
    assert kinds(result) == [ChangeKind.DECISION_CORRECTED]  # no separate status change
    change = result.changes[0]
    assert (change.old, change.new) == ("adopted", "submitted")
    assert result.motions[0].decisions == (submitted,)
    assert result.motions[0].parliamentary_status is ParliamentaryStatus.SUBMITTED


def test_an_observation_without_decisions_corrects_nothing() -> None:
    adopted = voted(motion())
    result = diff(StoredState.of([adopted]), Observation(motions=(motion(),)), now=NOW)
    assert ChangeKind.DECISION_CORRECTED not in kinds(result)


def test_new_letter_and_execution_report() -> None:
    omtzigt = motion(
        "21501-02-2228",
        submitters=(Submitter("P.H. Omtzigt", "CDA", "Indiener"),),
    )
    lt = letter("21501-02-2423", cited("21501-02-2228"), cited("35570-V-31", status=None))
    result = diff(StoredState.of([omtzigt, motion()]), Observation(letters=(lt,)), now=NOW)
    assert kinds(result) == [ChangeKind.NEW_LETTER, ChangeKind.EXECUTION_REPORTED]
    new_letter, report = result.changes
    assert new_letter.letter_id == "21501-02-2423"
    assert "Uitvoering moties over Nagorno-Karabach" in change_summary(new_letter)
    assert result.routes[0].dossiers == {"21501-02", "35570-V"}
    assert change_summary(report) == "21501-02-2228 (Omtzigt): uitvoering gemeld — uitgevoerd"
    assert report.new == "executed"
    assert report.evidence == "Met deze brief is de motie uitgevoerd."
    assert (report.motion_id, report.letter_id) == ("21501-02-2228", "21501-02-2423")
    assert result.touched == {"21501-02-2228"}
    assert result.motions == ()  # the cited motions were known and nothing was filled in


def test_mention_without_status_then_status_is_reported_once() -> None:
    mention = letter("21501-02-2423", cited("21501-02-2228", status=None))
    first = diff(StoredState(), Observation(letters=(mention,)), now=NOW)
    assert kinds(first) == [ChangeKind.NEW_LETTER]  # the letter announces the cited motion
    reextracted = letter("21501-02-2423", cited("21501-02-2228"))
    second = diff(stored_after(first), Observation(letters=(reextracted,)), now=NOW)
    assert kinds(second) == [ChangeKind.EXECUTION_REPORTED]
    third = diff(stored_after(first, second), Observation(letters=(reextracted,)), now=NOW)
    assert third.empty


@pytest.mark.parametrize(
    ("stored_letter", "second_source"),
    [
        pytest.param(
            letter("2021D41766", kamerstuk=None, document_nummer="2021D41766"),
            letter("21501-02-2423", document_nummer="2021D41766"),
            id="document-number",
        ),
        pytest.param(
            letter("21501-02-2423"),
            letter(
                "kst-21501-02-2423", kamerstuk="21501-02-2423", source="officielebekendmakingen"
            ),
            id="kamerstuk-known-to-both",
        ),
        pytest.param(
            letter("2021D41766", kamerstuk="21501-02-2423"),
            letter("21501-02-2423", kamerstuk=None, source="officielebekendmakingen"),
            id="kamerstuk-known-to-first",
        ),
    ],
)
def test_letter_from_second_source_is_the_same_letter(
    stored_letter: Letter, second_source: Letter
) -> None:
    first = diff(
        StoredState(),
        Observation(letters=(replace(stored_letter, motions=(cited(),)),)),
        now=NOW,
    )
    assert ChangeKind.NEW_LETTER in kinds(first)
    again = replace(second_source, motions=(cited(),))
    second = diff(stored_after(first), Observation(letters=(again,)), now=NOW)
    assert second.changes == ()
    for written in second.letters:  # enriched under the first id, never a second letter
        assert written.id == stored_letter.id


def test_letter_from_two_sources_in_one_poll_is_one_letter() -> None:
    a = letter("2021D41766", cited(), kamerstuk="21501-02-2423", document_nummer="2021D41766")
    b = letter("21501-02-2423", cited(), source="officielebekendmakingen")
    result = diff(StoredState(), Observation(letters=(a, b)), now=NOW)
    assert kinds(result).count(ChangeKind.NEW_LETTER) == 1
    assert kinds(result).count(ChangeKind.EXECUTION_REPORTED) == 1
    assert [lt.id for lt in result.letters] == ["2021D41766"]


def test_letter_created_motion_is_enriched_later_without_losing_data() -> None:
    lt = letter("21501-02-2423", cited("21501-02-2228"))
    first = diff(StoredState(), Observation(letters=(lt,)), now=NOW)
    assert kinds(first) == [ChangeKind.NEW_LETTER, ChangeKind.EXECUTION_REPORTED]
    placeholder = first.motions[0]
    assert placeholder.source == LETTER_SOURCE
    assert placeholder.parliamentary_status is ParliamentaryStatus.UNKNOWN
    assert placeholder.submitters == (Submitter("Omtzigt"),)
    assert change_summary(first.changes[1]).startswith("21501-02-2228 (Omtzigt): uitvoering gemeld")
    assert first.changes[1].occurred == lt.date  # the letter's own date, not the poll's

    # The Tweede Kamer API now delivers the motion: its data wins; nothing the letter knew is lost.
    api = Motion(
        id="21501-02-2228",
        title="Motie van het lid Omtzigt over de erkenning van de Armeense genocide",
        submitters=(Submitter("P.H. Omtzigt", "CDA", "Indiener"),),
        date=None,  # not in this record: keep the letter's date
        zaak_nummer="2018Z03580",
    )
    second = diff(stored_after(first), Observation(motions=(api,)), now=NOW)
    assert second.changes == ()  # unknown → submitted is no news
    enriched = second.motions[0]
    assert enriched.submitters == api.submitters
    assert enriched.date == date(2021, 3, 4)
    assert enriched.zaak_nummer == "2018Z03580"
    assert enriched.source == "tweedekamer"
    assert enriched.parliamentary_status is ParliamentaryStatus.SUBMITTED

    # A later letter's citation (names only, other title spelling) must not blank anything out.
    later = letter(
        "21501-02-2500",
        cited("21501-02-2228", submitters=("Omtzigt",), title=None, date=None),
        date=date(2022, 1, 1),
    )
    stored = stored_after(first, second)
    third = diff(stored, Observation(letters=(later,)), now=NOW)
    assert kinds(third) == [ChangeKind.NEW_LETTER, ChangeKind.EXECUTION_REPORTED]
    assert third.motions == ()  # nothing to fill: the motion is unchanged
    assert (
        change_summary(third.changes[1])
        == "21501-02-2228 (Omtzigt): uitvoering gemeld — uitgevoerd"
    )

    # An API record that lacks fields keeps the stored values.
    sparse = Motion(id="21501-02-2228", title="", source="tweedekamer")
    fourth = diff(stored_after(third, base=stored), Observation(motions=(sparse,)), now=NOW)
    assert fourth.empty


def test_api_record_without_decisions_keeps_stored_vote() -> None:
    stored_motion = voted(motion())
    partial = motion()  # status SUBMITTED, no decisions: the record lacks the Besluit expansion
    merged = merge_motion(stored_motion, partial)
    assert merged.parliamentary_status is ParliamentaryStatus.ADOPTED
    assert merged.decisions == stored_motion.decisions
    assert diff(StoredState.of([stored_motion]), Observation(motions=(partial,)), now=NOW).empty


def test_decision_without_votes_keeps_stored_votes() -> None:
    stored_motion = voted(motion())
    no_votes = replace(
        stored_motion,
        decisions=tuple(replace(d, votes=()) for d in stored_motion.decisions),
    )
    assert merge_motion(stored_motion, no_votes) == stored_motion


def test_new_motion_already_decided_is_one_change() -> None:
    result = diff(StoredState(), Observation(motions=(voted(motion()),)), now=NOW)
    assert kinds(result) == [ChangeKind.NEW_MOTION]
    assert change_summary(result.changes[0]).endswith("(aangenomen (76-74))")


def test_same_motion_twice_in_one_observation() -> None:
    obs = Observation(motions=(motion(), voted(motion())))
    result = diff(StoredState(), obs, now=NOW)
    assert kinds(result) == [ChangeKind.NEW_MOTION]
    assert result.motions[0].parliamentary_status is ParliamentaryStatus.ADOPTED


def test_unloaded_stored_motion_is_an_error() -> None:
    stored = StoredState(hashes={"35570-V-31": "0" * 32})
    with pytest.raises(ValueError, match="35570-V-31"):
        diff(stored, Observation(motions=(motion(),)), now=NOW)


def test_keyword_route_texts() -> None:
    lt = letter("21501-02-2423", cited(), title="Kamerbrief over Armenië")
    stored = StoredState.of([motion("21501-02-2228")])
    result = diff(stored, Observation(letters=(lt,)), now=NOW)
    report = result.routes[1]
    assert "Kamerbrief over Armenië" in report.texts
    assert result.changes[1].kind is ChangeKind.EXECUTION_REPORTED


def test_execution_statuses_have_labels() -> None:
    for status in ExecutionStatus:
        lt = letter("21501-02-2423", cited(status=status))
        result = diff(StoredState(), Observation(letters=(lt,)), now=NOW)
        assert result.changes[-1].new == status.value
