"""OfficieleBekendmakingenSource (SRU + RSS) against the replay server over real HTTP."""

from __future__ import annotations

import pytest

from replay.server import ReplayServer
from scrapers.base import ParseError, SourceError
from scrapers.officielebekendmakingen import OfficieleBekendmakingenSource, parse_sru
from scrapers.topics import TopicProfile, get_topic
from scrapers.tweedekamer import TweedeKamerSource
from state.models import DocumentKind
from tests.conftest import UPSTREAM
from tests.scrapers.replay_helpers import client, replay


def source(
    server: ReplayServer, topic: TopicProfile | None = None
) -> OfficieleBekendmakingenSource:
    return OfficieleBekendmakingenSource(
        server.urls["officielebekendmakingen_url"],
        server.urls["officielebekendmakingen_rss_url"],
        topic or get_topic(),
    )


def test_parse_a_recorded_sru_response() -> None:
    path = (
        UPSTREAM
        / "officielebekendmakingen-sru"
        / "sru_searchRetrieve_staten-generaal_dt.modified-2021-10-13_10-records.xml"
    )
    records, total, nxt = parse_sru(path.read_bytes(), str(path))
    assert (len(records), total, nxt) == (10, 76, 11)
    letter = next(r for r in records if r.identifier == "kst-22112-3185")
    assert letter.kind is DocumentKind.LETTER
    assert letter.kamerstuk == "22112-3185"
    assert letter.dossier == "22112"
    assert letter.xml_url is not None
    assert letter.xml_url.endswith("/kst-22112-3185.xml")


def test_html_is_not_an_sru_response() -> None:
    with pytest.raises(ParseError):
        parse_sru(b"<html><body>Onderhoud</body></html>", "http://x/sru")


async def test_new_kamerstukken_on_the_topic_dossiers_with_their_text() -> None:
    async with replay() as server, client() as http:
        result = await source(server).poll(http, {}, frozenset())
    letters = {letter.id: letter for letter in result.letters}
    assert set(letters) == {"21501-02-2423", "21501-02-3067", "21501-02-2949", "21501-02-2901"}
    assert letters["21501-02-2423"].kind is DocumentKind.LETTER
    assert letters["21501-02-2423"].kamerstuk == "21501-02-2423"
    assert len(letters["21501-02-2423"].motions) == 18
    assert letters["21501-02-3067"].kind is DocumentKind.MOTION
    assert all(letter.source == "officielebekendmakingen" for letter in result.letters)
    assert result.items_seen >= 150  # the RSS feed's items were read too
    assert result.cursors["modified"] == "2025-10-06"


async def test_demo_increments_and_conditional_feed() -> None:
    async with replay("demo") as server, client() as http:
        src = source(server)
        first = await src.poll(http, {}, frozenset())
        assert {letter.id for letter in first.letters} == {
            "21501-02-3067",
            "21501-02-2949",
            "21501-02-2901",
        }
        server.advance()
        second = await src.poll(http, first.cursors, frozenset())
        assert [letter.id for letter in second.letters] == ["21501-02-2423"]
        query = next(line for line in reversed(server.request_log) if "/repository/sru" in line)
        assert "dt.modified" in query
        third = await src.poll(http, second.cursors, frozenset())
        assert third.letters == ()
        assert third.requests == 2  # SRU + a 304 from the feed


async def test_the_same_letter_as_the_tweede_kamer_by_kamerstuk_id() -> None:
    async with replay() as server, client() as http:
        tk = await TweedeKamerSource(server.urls["tweedekamer_url"], get_topic()).poll(
            http, {}, frozenset()
        )
        ob = await source(server).poll(http, {}, frozenset())
    tk_letter = next(x for x in tk.letters if x.kamerstuk == "21501-02-2423")
    ob_letter = next(x for x in ob.letters if x.kamerstuk == "21501-02-2423")
    assert tk_letter.id == ob_letter.id == "21501-02-2423"
    assert {m.id for m in tk_letter.motions} == {m.id for m in ob_letter.motions}


async def test_rss_items_on_the_topic_are_looked_up_in_sru() -> None:
    topic = TopicProfile("afhankelijkheden", ("afhankelijkheden en mensenrechten",))
    async with replay() as server, client() as http:
        result = await source(server, topic).poll(http, {}, frozenset())
    lookups = [line for line in server.request_log if "dt.identifier" in line]
    assert len(lookups) == 1
    assert result.letters == ()  # the recorded SRU pool does not hold that record
    assert result.cursors["rss_seen"].startswith("kst-")


@pytest.mark.parametrize("fault", ["http500", "html-200", "truncated-json"])
async def test_faults_change_nothing_and_the_next_poll_catches_up(fault: str) -> None:
    cursors: dict[str, str] = {}
    async with replay(fault) as server, client() as http:
        src = source(server)
        with pytest.raises(SourceError):
            await src.poll(http, cursors, frozenset())
        assert cursors == {}
        server.advance()
        result = await src.poll(http, cursors, frozenset())
    assert len(result.letters) == 4
