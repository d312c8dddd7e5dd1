"""RijksoverheidSource against the replay server: best effort, conditional, failures typed."""

from __future__ import annotations

import json
import socket
from urllib.parse import parse_qs, urlsplit

import pytest

from scrapers.base import ParseError, SourceError
from scrapers.replay import ReplayServer
from scrapers.rijksoverheid import RijksoverheidSource, parse_feed
from scrapers.topics import TopicProfile, get_topic
from state.models import DocumentKind
from tests.scrapers.replay_helpers import client, replay

KENNIS = TopicProfile("kennis", ("Kenniscoalitie",))


def source(server: ReplayServer, topic: TopicProfile | None = None) -> RijksoverheidSource:
    return RijksoverheidSource(server.urls["rijksoverheid_feed_url"], topic or get_topic())


async def test_nothing_on_the_topic_in_the_recorded_feed() -> None:
    async with replay() as server, client() as http:
        result = await source(server).poll(http, {}, frozenset())
    assert result.letters == ()
    assert result.items_seen == 5
    assert result.requests == 1
    assert result.cursors["etag"]


async def test_on_topic_documents_become_letters_and_a_304_means_nothing_to_do() -> None:
    async with replay() as server, client() as http:
        src = source(server, KENNIS)
        first = await src.poll(http, {}, frozenset())
        assert [letter.id for letter in first.letters] == [
            "rijksoverheid:cb0edf75-382a-4048-82bb-6ae83aa615ce"
        ]
        letter = first.letters[0]
        assert letter.kind is DocumentKind.LETTER
        assert letter.source == "rijksoverheid"
        assert str(letter.date) == "2019-12-13"
        second = await src.poll(http, first.cursors, frozenset())
        assert second.letters == ()
        assert second.requests == 1
        assert second.cursors == first.cursors


async def test_rss_feeds_are_parsed_with_feedparser() -> None:
    async with replay() as server, client() as http:
        result = await http.get(server.urls["officielebekendmakingen_rss_url"])
    items = parse_feed(result)
    assert len(items) == 150
    assert items[0].link == "https://zoek.officielebekendmakingen.nl/kst-1027687.html"
    assert str(items[0].date) == "2022-05-02"
    assert not items[0].is_letter  # not a rijksoverheid.nl Kamerstuk page


def test_the_2026_rss_endpoint_gets_its_search_json() -> None:
    src = RijksoverheidSource("https://www.rijksoverheid.nl/api/rss", get_topic())
    params = src._params()
    assert params is not None
    assert json.loads(params["query"])["resultSearchTerm"] == "nagorno karabach"
    with_query = RijksoverheidSource(
        "https://www.rijksoverheid.nl/api/rss?query=%7B%7D", get_topic()
    )
    assert with_query._params() is None
    assert parse_qs(urlsplit(with_query.feed_url).query)["query"] == ["{}"]


@pytest.mark.parametrize(("fault", "error"), [("http500", SourceError), ("html-200", ParseError)])
async def test_a_broken_feed_is_a_typed_error(fault: str, error: type[Exception]) -> None:
    async with replay(fault) as server, client() as http:
        src = source(server, KENNIS)
        with pytest.raises(error):
            await src.poll(http, {}, frozenset())
        server.advance()
        result = await src.poll(http, {}, frozenset())
    assert len(result.letters) == 1


async def test_a_dead_host_is_a_source_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    src = RijksoverheidSource(f"http://127.0.0.1:{port}/api/rss", get_topic())
    async with client(retries=0) as http:
        with pytest.raises(SourceError, match="ConnectError"):
            await src.poll(http, {}, frozenset())
