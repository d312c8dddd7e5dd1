"""TweedeKamerSource against the replay server over real HTTP."""

from __future__ import annotations

import json
import logging
from collections import Counter

import pytest

import scrapers.tweedekamer
from replay import odata as replay_odata
from replay.scenarios import UNSEEN_BESLUITSOORT
from replay.server import ReplayServer
from scrapers.base import ParseError, SourceError
from scrapers.topics import TopicProfile, get_topic
from scrapers.tweedekamer import (
    BESLUIT_STATUS,
    TweedeKamerSource,
    parse_besluit_soort,
    parse_result_counts,
)
from state.models import Motion, ParliamentaryStatus, PartyVote, VoteChoice
from tests.conftest import UPSTREAM
from tests.scrapers.replay_helpers import client, replay, stemming_rows, zaak_file

S = ParliamentaryStatus
TOPIC = get_topic()
CHOICE = {"Voor": VoteChoice.FOR, "Tegen": VoteChoice.AGAINST}


def source(server: ReplayServer, topic: TopicProfile = TOPIC) -> TweedeKamerSource:
    return TweedeKamerSource(server.urls["tweedekamer_url"], topic)


def by_zaak(motions: tuple[Motion, ...]) -> dict[str, Motion]:
    return {m.zaak_nummer or m.id: m for m in motions}


async def test_discovers_all_32_topic_motions_with_ids_submitters_and_statuses() -> None:
    async with replay() as server, client() as http:
        result = await source(server).poll(http, {}, frozenset())
    expected = {z["Nummer"] for z in zaak_file() if z["Soort"] == "Motie"}
    motions = by_zaak(result.motions)
    assert set(motions) == expected
    canonical = {m.id for m in result.motions if m.id != m.zaak_nummer}
    assert len(canonical) == 19
    assert {"21501-02-2228", "35570-V-31", "35373-8", "21501-20-1630", "21501-02-3067"} <= canonical
    assert all(m.submitters for m in result.motions)
    assert motions["2025Z04608"].submitters[0].name == "Ceder"
    assert motions["2025Z04608"].submitters[0].role == "Indiener"
    assert [s.party for s in motions["2022Z19883"].submitters] == ["BBB", "JA21"]
    statuses = Counter(m.parliamentary_status for m in result.motions)
    assert statuses == {S.ADOPTED: 18, S.REPLACED: 4, S.SUBMITTED: 10}
    assert motions["2020Z21194"].replaced_by == "21501-02-2234"
    assert motions["2020Z21428"].replaces == "21501-02-2228"
    assert motions["2020Z21492"].cabinet_appraisal == "Verzocht motie aan te houden"
    assert motions["2015Z06432"].replaces == "34000-V-59"  # from its Onderwerp (t.v.v.)
    # $metadata, motions, letters, the text of each of the 4 letters and of the 3 motions with
    # official XML
    assert result.requests == 10
    texts = {m.id: m.text for m in result.motions if m.text}
    assert set(texts) == {"21501-02-2901", "21501-02-2949", "21501-02-3067"}
    assert texts["21501-02-2949"].startswith("verzoekt de regering samen met andere Europese")
    assert not any("Agendapunt" in line for line in server.request_log)


@pytest.mark.parametrize(
    ("zaak", "motion_id"), [("2025Z04608", "21501-02-3067"), ("2024Z15623", "21501-02-2949")]
)
async def test_votes_per_party_match_the_stemming_rows(zaak: str, motion_id: str) -> None:
    async with replay() as server, client() as http:
        result = await source(server).poll(http, {}, frozenset())
    motion = next(m for m in result.motions if m.id == motion_id)
    decision = motion.final_decision
    assert decision is not None
    assert decision.status is S.ADOPTED
    assert decision.final
    rows = stemming_rows(zaak)
    expected = {
        PartyVote(
            actor=r["ActorFractie"],
            party=r["ActorFractie"],
            choice=CHOICE[r["Soort"]],
            seats=r["FractieGrootte"],
            mistake=r["Vergissing"],
        )
        for r in rows
    }
    assert set(decision.votes) == expected
    assert len(decision.votes) == len(rows)
    tally = Counter()
    for r in rows:
        if not r["Vergissing"]:
            tally[r["Soort"]] += r["FractieGrootte"]
    assert decision.tally == (tally["Voor"], tally["Tegen"])


def test_besluitsoort_vocabulary_covers_every_observed_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    counts = json.loads(
        (UPSTREAM / "tweedekamer-odata" / "DERIVED_observed-value-counts.json").read_text("utf-8")
    )
    observed = {v for v, _ in counts["Besluit.BesluitSoort"] if v is not None}
    assert observed <= set(BESLUIT_STATUS)
    with caplog.at_level(logging.WARNING):
        for value in observed:
            parse_besluit_soort(value)
    assert not caplog.records
    assert parse_besluit_soort("Stemmen - aangenomen") is S.ADOPTED
    assert parse_besluit_soort("Stemmen - aangehouden (al tijdens debat)") is S.HELD
    assert parse_besluit_soort("Overgenomen") is S.TAKEN_OVER
    assert parse_besluit_soort("Stemmen - gestaakt") is S.TIED
    with caplog.at_level(logging.WARNING):
        assert parse_besluit_soort("Stemmen - iets nieuws") is S.UNKNOWN
    assert "Stemmen - iets nieuws" in caplog.text


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("Aangenomen. (73-72)", (73, 72)),
        ("Aangenomen (73-72).", (73, 72)),
        ("Aangenomen.(73-72)", (73, 72)),
        ("Aangenomen 75-72.", (75, 72)),
        ("Verworpen.", None),
        (None, None),
    ],
)
def test_result_counts(text: str | None, counts: tuple[int, int] | None) -> None:
    assert parse_result_counts(text) == counts


async def test_letters_with_their_kamerstuk_and_cited_motions() -> None:
    async with replay() as server, client() as http:
        result = await source(server).poll(http, {}, frozenset())
    letters = {letter.id: letter for letter in result.letters}
    assert set(letters) == {"21501-02-2423", "21501-02-2375", "35570-V-22", "2025D19461"}
    uitvoering = letters["21501-02-2423"]
    assert uitvoering.document_nummer == "2021D41766"
    assert uitvoering.kamerstuk == "21501-02-2423"
    assert str(uitvoering.date) == "2021-11-04"
    assert len(uitvoering.motions) == 18
    assert len(uitvoering.reports()) == 18
    assert {"35570-V-31", "21501-02-2370", "35373-8"} <= {m.id for m in uitvoering.motions}
    assert letters["2025D19461"].motions == ()  # its text was never recorded
    assert any("2025D19461" in note for note in result.skipped)


async def test_demo_the_execution_letter_arrives_in_step_1() -> None:
    async with replay("demo") as server, client() as http:
        src = source(server)
        first = await src.poll(http, {}, frozenset())
        assert "21501-02-2423" not in {letter.id for letter in first.letters}
        server.advance()
        second = await src.poll(http, first.cursors, frozenset())
        assert [letter.id for letter in second.letters] == ["21501-02-2423"]
        assert len(second.letters[0].motions) == 18
        assert second.motions == ()  # nothing about the motions changed
        third = await src.poll(http, second.cursors, frozenset())
        assert third.motions == ()
        assert third.letters == ()
        assert third.requests == 5


async def test_adopted_the_vote_arrives_with_its_stemming_rows() -> None:
    async with replay("adopted") as server, client() as http:
        src = source(server)
        first = await src.poll(http, {}, frozenset())
        before = next(m for m in first.motions if m.id == "21501-02-3067")
        assert before.parliamentary_status is S.SUBMITTED
        assert [d.raw_kind for d in before.decisions] == ["Ingediend"]
        server.advance()
        second = await src.poll(http, first.cursors, frozenset())
    assert [m.id for m in second.motions] == ["21501-02-3067"]
    after = second.motions[0]
    assert after.parliamentary_status is S.ADOPTED
    assert after.status_raw == "Stemmen - aangenomen"
    assert len(after.decisions[-1].votes) == 15
    assert after.decisions[-1].tally == (113, 37)


async def test_unknown_besluitsoort_is_kept_raw_then_corrected(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with replay("unknown-besluitsoort") as server, client() as http:
        src = source(server)
        with caplog.at_level(logging.WARNING):
            first = await src.poll(http, {}, frozenset())
        motion = next(m for m in first.motions if m.id == "21501-02-3067")
        assert motion.parliamentary_status is S.UNKNOWN
        assert motion.status_raw == UNSEEN_BESLUITSOORT
        assert UNSEEN_BESLUITSOORT in {d.raw_kind for d in motion.decisions}
        assert any(UNSEEN_BESLUITSOORT in note for note in first.skipped)
        assert UNSEEN_BESLUITSOORT in caplog.text
        assert len(first.motions) == 32  # nothing dropped
        server.advance()
        second = await src.poll(http, first.cursors, frozenset())
    assert [m.id for m in second.motions] == ["21501-02-3067"]
    assert second.motions[0].parliamentary_status is S.ADOPTED


async def test_a_bulk_rewrite_changes_nothing_downstream() -> None:
    async with replay("bulk-rewrite") as server, client() as http:
        src = source(server)
        first = await src.poll(http, {}, frozenset())
        server.advance()
        second = await src.poll(http, first.cursors, frozenset())
    assert len(second.motions) == 32
    assert set(second.motions) == set(first.motions)
    assert set(second.letters) == set(first.letters)
    assert second.cursors["zaak"] > first.cursors["zaak"]


FAULTS = ["http500", "http429", "timeout", "truncated-json", "html-200", "huge-body"]


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_fault_changes_nothing_and_the_next_good_poll_catches_up(fault: str) -> None:
    cursors: dict[str, str] = {}
    async with (
        replay(fault) as server,
        client(timeout=0.3, max_bytes=1_000_000, max_retry_after=0.05) as http,
    ):
        src = source(server)
        with pytest.raises(SourceError) as caught:
            await src.poll(http, cursors, frozenset())
        if fault in ("truncated-json", "html-200"):
            assert isinstance(caught.value, ParseError)
        assert cursors == {}
        server.advance()
        result = await src.poll(http, cursors, frozenset())
    assert len(result.motions) == 32
    assert len(result.letters) == 4


@pytest.mark.parametrize("fault", ["http500", "truncated-json", "html-200"])
async def test_a_fault_in_an_incremental_poll_keeps_the_cursors(fault: str) -> None:
    async with replay("demo") as good, client() as http:
        first = await source(good).poll(http, {}, frozenset())
    cursors = dict(first.cursors)
    async with replay(fault) as bad, client() as http:
        bad.fault_after = 2  # the Zaak query works, a later one fails: no partial result
        src = source(bad)
        with pytest.raises(SourceError):
            await src.poll(http, cursors, frozenset())
        assert cursors == first.cursors
        bad.advance()
        caught_up = await src.poll(http, cursors, frozenset())
    assert "21501-02-2423" in {letter.id for letter in caught_up.letters}
    assert all(caught_up.cursors[k] >= cursors[k] for k in ("zaak", "besluit", "document"))


async def test_watch_list_tracks_motions_whatever_their_title() -> None:
    nothing = TopicProfile("none", ("Zzzqx",))
    async with replay("adopted") as server, client() as http:
        src = source(server, nothing)
        watch = frozenset({"21501-02-3067", "2022Z19883", "niet-een-id"})
        first = await src.poll(http, {}, watch)
        assert {m.id for m in first.motions} == {"21501-02-3067", "2022Z19883"}
        assert any("niet-een-id" in note for note in first.skipped)
        server.advance()
        second = await src.poll(http, first.cursors, watch)
        assert [m.id for m in second.motions] == ["21501-02-3067"]
        assert second.motions[0].parliamentary_status is S.ADOPTED
        # a motion added to the watch list later is fetched once
        third = await src.poll(http, second.cursors, watch | {"35373-8"})
        assert [m.id for m in third.motions] == ["35373-8"]
        fourth = await src.poll(http, third.cursors, watch | {"35373-8"})
        assert fourth.motions == ()


async def test_pages_with_top_and_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay_odata, "PAGE_SIZE", 10)
    monkeypatch.setattr(scrapers.tweedekamer, "PAGE", 4)
    async with replay("bulk-rewrite") as server, client() as http:
        src = source(server)
        first = await src.poll(http, {}, frozenset())
        assert len(first.motions) == 32
        assert sum("skip=" in line and "top=4" in line for line in server.request_log) >= 8
        server.advance()
        second = await src.poll(http, first.cursors, frozenset())
        assert set(second.motions) == set(first.motions)
        assert any("%24skip=4" in line or "$skip=4" in line for line in server.request_log)
