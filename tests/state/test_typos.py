"""Typos in citations: the letter of 16 June 2021 cites "33570 V, nr. 42" (no such motion) for
35570-V-42 by the same submitter (Ploumen). The cited id becomes "probable typo for 35570-V-42"
and never a motion of its own."""

from __future__ import annotations

from dataclasses import replace

from state.diff import LETTER_SOURCE, StoredState, diff
from state.models import Observation, Submitter
from state.repository import Repository
from state.typos import probable_typo_for, typo_neighbours

from .factories import NOW, cited, letter, motion


def test_neighbours_change_one_digit_or_swap_two() -> None:
    near = typo_neighbours("33570-V-42")
    assert "35570-V-42" in near  # one digit
    assert "33750-V-42" in near  # two neighbours swapped
    assert "33570-V-24" in near
    assert "33570-X-42" not in near  # the toevoeging is not a number
    assert "33570-V-42" not in near
    assert typo_neighbours("not an id") == []


def test_probable_typo_needs_the_same_submitter_and_one_candidate() -> None:
    tracked = {"35570-V-42": ["L.K. Ploumen", "Karabulut"], "33570-V-43": ["Van Ojik"]}
    assert probable_typo_for("33570-V-42", ["Ploumen"], tracked.get) == "35570-V-42"
    assert probable_typo_for("33570-V-42", ["Omtzigt"], tracked.get) is None
    assert probable_typo_for("33570-V-42", [], tracked.get) is None
    both = {"35570-V-42": ["Ploumen"], "33570-V-41": ["Ploumen"]}
    assert probable_typo_for("33570-V-42", ["Ploumen"], both.get) is None  # ambiguous


def test_typo_is_recorded_and_is_no_motion_of_its_own() -> None:
    ploumen = motion("35570-V-42", submitters=(Submitter("L.K. Ploumen", "PvdA", "Indiener"),))
    lt = letter(
        "2021D23613",
        cited("33570-V-42", status=None, submitters=("Ploumen",)),
        cited("21501-02-2228", status=None, submitters=("Omtzigt",)),
    )
    result = diff(StoredState.of([ploumen]), Observation(letters=(lt,)), now=NOW)
    created = {m.id for m in result.motions}
    assert "33570-V-42" not in created  # not on the board, in /status or in counts
    assert "21501-02-2228" in created  # an unknown id without a tracked neighbour stays
    [written] = result.letters
    typo = next(c for c in written.motions if c.cited_as)
    assert (typo.id, typo.cited_as) == ("35570-V-42", "33570-V-42")
    assert all(c.id != "33570-V-42" for c in written.motions)


def test_store_loads_the_neighbour_and_keeps_the_spelling(repo: Repository) -> None:
    """Through the store: a later letter's typo finds the tracked motion and keeps "33570-V-42"."""
    ploumen = motion("35570-V-42", submitters=(Submitter("L.K. Ploumen", "PvdA", "Indiener"),))
    repo.apply_poll(Observation(motions=(ploumen,)), now=NOW)
    lt = letter("2021D23613", cited("33570-V-42", status=None, submitters=("Ploumen",)))
    repo.apply_poll(Observation(letters=(lt,)), now=NOW)
    assert repo.get_motion("33570-V-42") is None
    stored = repo.get_letter("2021D23613")
    assert stored is not None
    [only] = stored.motions
    assert (only.id, only.cited_as) == ("35570-V-42", "33570-V-42")


def test_a_placeholder_from_another_letter_is_not_tracked() -> None:
    """The 4 November 2021 letter cites 35570-V-42 correctly; the earlier typo's placeholder
    33570-V-42 (known only from a letter) must not pull it away."""
    placeholder = replace(
        motion("33570-V-42", submitters=(Submitter("Ploumen"),)), source=LETTER_SOURCE
    )
    lt = letter("21501-02-2423", cited("35570-V-42", submitters=("Ploumen",)))
    result = diff(StoredState.of([placeholder]), Observation(letters=(lt,)), now=NOW)
    [written] = result.letters
    assert [(c.id, c.cited_as) for c in written.motions] == [("35570-V-42", None)]
