"""A Handelingen vote section → decisions with date, parties for and against, and their source.

Uses the real vote section h-tk-20072008-7103-7103 (tests/scrapers/realtexts): the motions of
dossier 26407 it decides become motion observations that keep the Tweede Kamer's own decisions
when merged (state.diff.merge_motion) and are stored with their source.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path
from typing import cast

from scrapers.letters import extract_file
from scrapers.officielebekendmakingen import motions_from_handelingen
from state.changes import motion_facts
from state.diff import merge_motion
from state.merge import with_reading
from state.models import (
    Decision,
    Motion,
    Observation,
    ParliamentaryStatus,
    PartyVote,
    VoteChoice,
)
from state.repository import Repository

from .factories import NOW, motion

TEXT = Path(__file__).parents[1] / "scrapers" / "realtexts" / "h-tk-20072008-7103-7103.txt"
URL = "https://zoek.officielebekendmakingen.nl/h-tk-20072008-7103-7103.html"
WHEN = datetime.date(2008, 6, 24)


def _observed() -> dict[str, object]:
    doc = extract_file(TEXT)
    found = motions_from_handelingen(
        doc, "h-tk-20072008-7103-7103", URL, WHEN, lambda i: i.startswith("26407-")
    )
    return {m.id: m for m in found}


def test_vote_section_gives_decisions_with_parties_and_source() -> None:
    found = _observed()
    # 26407-31 was taken off the agenda (withdrawn); 26407-32 was replaced (no decision of its own)
    assert set(found) == {"26407-31", "26407-33", "26407-34"}
    adopted = found["26407-34"]
    [decision] = adopted.decisions  # type: ignore[attr-defined]
    assert decision.status is ParliamentaryStatus.ADOPTED
    assert decision.date == WHEN
    assert decision.source == URL
    assert [v.party for v in decision.votes if v.choice is VoteChoice.FOR] == [
        "SP",
        "PvdA",
        "GroenLinks",
        "D66",
        "PvdD",
        "ChristenUnie",
    ]
    assert "zodat zij is aangenomen" in (decision.text or "")
    facts = motion_facts(adopted, decision)  # type: ignore[arg-type]
    assert (facts.votes_for, facts.votes_against) == (None, None)  # no seats, so no tally
    assert _observed()["26407-33"].submitters[0].name == "Atsma"  # type: ignore[attr-defined]
    assert motions_from_handelingen(extract_file(TEXT), "x", URL, WHEN, lambda i: False) == []


def test_merge_keeps_the_besluit_and_adds_the_handelingen() -> None:
    besluit = Decision(
        "b-1", "26407-34", ParliamentaryStatus.ADOPTED, "Stemmen - aangenomen", date=WHEN
    )
    stored = motion("26407-34", decisions=(besluit,))
    handelingen = _observed()["26407-34"]
    merged = merge_motion(stored, handelingen)  # type: ignore[arg-type]
    assert [d.id for d in merged.decisions] == ["h-tk-20072008-7103-7103#26407-34", "b-1"]
    again = merge_motion(merged, motion("26407-34", decisions=(besluit,)))
    assert [d.id for d in again.decisions] == ["b-1", "h-tk-20072008-7103-7103#26407-34"]


def test_store_keeps_the_source(repo: Repository) -> None:

    repo.apply_poll(Observation(motions=tuple(_observed().values())), now=NOW)  # type: ignore[arg-type]
    stored = repo.get_motion("26407-34")
    assert stored is not None
    [decision] = stored.decisions
    assert decision.source == URL
    assert len(decision.votes) == 6


def test_a_besluit_with_stemming_rows_stays_the_decision() -> None:
    """Issue 16: whatever the order or the dates, a Besluit with Stemming rows is not overridden
    by a reading of the Handelingen (its status neither)."""
    counted = Decision(
        "b-2",
        "26407-34",
        ParliamentaryStatus.ADOPTED,
        "Stemmen - aangenomen",
        date=WHEN,
        votes=(PartyVote("SP", "SP", VoteChoice.FOR, seats=25),),
    )
    handelingen = cast(Motion, _observed()["26407-34"])
    [read] = handelingen.decisions
    later = replace(read, status=ParliamentaryStatus.REJECTED, date=WHEN.replace(day=25))
    reading = replace(handelingen, decisions=(later,), parliamentary_status=later.status)
    adopted = ParliamentaryStatus.ADOPTED
    stored = motion("26407-34", decisions=(counted,), parliamentary_status=adopted)
    for merged in (merge_motion(stored, reading), with_reading(stored, reading)):
        assert merged.final_decision == counted
        assert merged.parliamentary_status is ParliamentaryStatus.ADOPTED
        assert [d.id for d in merged.decisions] == [later.id, "b-2"]
    # without Stemming rows the Besluit gives way to the reading (the case the source is for)
    bare = replace(counted, votes=())
    merged = with_reading(motion("26407-34", decisions=(bare,)), handelingen)
    assert merged.final_decision == read
    assert merged.source == "tweedekamer"  # the record's, not the reading's source
    # in a poll the reading joins the record whichever source reported first
    assert with_reading(handelingen, motion("26407-34", decisions=(bare,))) == merged
