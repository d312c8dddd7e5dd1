"""RijksoverheidSource against the replay server: the 2026 search feed (and the legacy list),
best effort, failures typed and one line."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from replay.server import RIJKSOVERHEID, ReplayServer
from scrapers.base import ParseError, SourceError
from scrapers.http import FetchResult, HttpClient
from scrapers.rijksoverheid import LOOKBACK, RijksoverheidSource, parse_feed, search_query
from scrapers.topics import TopicProfile, get_topic
from state.models import DocumentKind
from tests.scrapers.replay_helpers import client, replay

KENNIS = TopicProfile("kennis", ("Kenniscoalitie",))
CB0EDF75 = "cb0edf75-382a-4048-82bb-6ae83aa615ce"


def source(server: ReplayServer, topic: TopicProfile | None = None) -> RijksoverheidSource:
    return RijksoverheidSource(server.urls["rijksoverheid_feed_url"], topic or get_topic())


def legacy(server: ReplayServer, topic: TopicProfile | None = None) -> RijksoverheidSource:
    return RijksoverheidSource(server.base_url + RIJKSOVERHEID, topic or get_topic())


def sent_queries(server: ReplayServer) -> list[dict[str, Any]]:
    queries = []
    for line in server.request_log:
        target = line.split()[1]
        if urlsplit(target).path.endswith("/api/rss"):
            queries.append(json.loads(parse_qs(urlsplit(target).query)["query"][0]))
    return queries


def test_the_search_query_has_the_reported_form() -> None:
    since = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    assert json.loads(search_query("Armenië", since)) == {
        "filters": [
            {
                "field": "sort_date",
                "values": [{"name": "specificPeriod", "from": "2026-06-30T22:00:00.000Z"}],
                "type": "all",
            }
        ],
        "resultSearchTerm": "Armenië",
        "pageTitle": "Zoeken",
    }
    assert json.loads(search_query("Armenië")) == {
        "filters": [],
        "resultSearchTerm": "Armenië",
        "pageTitle": "Zoeken",
    }


async def test_one_search_per_search_word_of_the_topic_over_the_last_period() -> None:
    async with replay() as server, client() as http:
        before = datetime.now(UTC)
        result = await source(server).poll(http, {}, frozenset())
    assert result.letters == ()
    assert result.items_seen == 5  # the same 5 derived items for every search, counted once
    assert result.requests == 3
    queries = sent_queries(server)
    assert [q["resultSearchTerm"] for q in queries] == list(get_topic().search_words)
    for q in queries:
        assert q["pageTitle"] == "Zoeken"  # every content type, documents included
        [period] = q["filters"]
        start = datetime.fromisoformat(period["values"][0]["from"].replace("Z", "+00:00"))
        assert abs(start - (before - LOOKBACK)) < timedelta(minutes=1)


async def test_on_topic_kamerstukken_and_letters_of_the_feed_become_letters() -> None:
    async with replay() as server, client() as http:
        src = source(server, KENNIS)  # no search words: its name is searched for
        first = await src.poll(http, {}, frozenset())
        assert [q["resultSearchTerm"] for q in sent_queries(server)] == ["kennis"]
        assert [letter.id for letter in first.letters] == [f"rijksoverheid:{CB0EDF75}"]
        letter = first.letters[0]
        assert letter.kind is DocumentKind.LETTER
        assert str(letter.date) == "2019-12-13"  # pubDate Thu, 12 Dec 2019 23:00:00 GMT
        assert letter.url is not None
        assert "/documenten/brieven/2019/12/13/" in letter.url
        # the page itself was never recorded: the letter stays a plain one, with a note
        assert any("HTTP 404" in note for note in first.skipped)
        second = await src.poll(http, first.cursors, frozenset())
        assert second.letters == ()
        assert second.requests == 1


def rss_result(body: bytes, content_type: str = "application/rss+xml") -> FetchResult:
    return FetchResult(
        url="https://www.rijksoverheid.nl/api/rss?query=x",
        status=200,
        content=body,
        headers={"content-type": content_type},
    )


def test_pubdate_is_the_amsterdam_day_and_the_guid_the_id() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>Kamerbrief</title>'
        b"<link>https://www.rijksoverheid.nl/documenten/kamerstukken/2023/03/06/kamerbrief</link>"
        b"<description>&lt;p&gt;Over Armeni&#235;.&lt;/p&gt;</description>"
        b"<pubDate>Sun, 05 Mar 2023 23:00:00 GMT</pubDate>"
        b'<guid isPermaLink="false">abc-123</guid></item></channel></rss>'
    )
    [item] = parse_feed(rss_result(body))
    assert str(item.date) == "2023-03-06"
    assert item.id == "abc-123"
    assert item.summary == "Over Armenië."
    assert item.is_letter
    assert item.kind is None


BAD_ANSWERS = [
    (200, "text/html; charset=utf-8", b"<!DOCTYPE html><html><body><h1>Onderhoud</h1>", ParseError,
     "not a feed (text/html)"),
    (404, "text/plain", b"Not Found", SourceError, "HTTP 404"),
    (200, "application/rss+xml", b'<rss version="2.0"><channel><item><title>a & b</title>',
     ParseError, "malformed feed XML: not well-formed (invalid token)"),
    (200, "application/rss+xml", b"", ParseError, "not a feed (application/rss+xml)"),
]  # fmt: skip


@pytest.mark.parametrize(("status", "kind", "body", "error", "cause"), BAD_ANSWERS)
async def test_bad_answers_are_one_clear_line(
    status: int, kind: str, body: bytes, error: type[Exception], cause: str
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": kind})

    src = RijksoverheidSource("https://www.rijksoverheid.nl/api/rss", get_topic())
    http = HttpClient(user_agent="t", transport=httpx.MockTransport(answer), min_interval=0)
    async with http:
        with pytest.raises(error) as caught:
            await src.poll(http, {}, frozenset())
    line = str(caught.value)
    assert type(caught.value) is error
    assert line == f"https://www.rijksoverheid.nl/api/rss (search 'Nagorno-Karabach'): {cause}"
    assert "\n" not in line


async def test_the_retired_api_says_so_when_it_answers_404() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, content=b"Not Found")

    url = "https://opendata.rijksoverheid.nl/v1/sources/rijksoverheid/documents"
    src = RijksoverheidSource(url, get_topic())
    async with HttpClient(user_agent="t", transport=httpx.MockTransport(answer)) as http:
        with pytest.raises(SourceError) as caught:
            await src.poll(http, {}, frozenset())
    assert str(caught.value) == (
        f"{url}: HTTP 404 (the open-data API was retired on 2 June 2026; "
        "use https://www.rijksoverheid.nl/api/rss)"
    )


@pytest.mark.parametrize(
    ("query", "status"),
    [
        (search_query("Armenië", datetime(2026, 7, 1, tzinfo=UTC)), 200),
        (json.dumps({"filters": [{"field": "sort_date", "type": "all",
                                  "values": [{"name": "specificPeriod", "from": "2026-07-01"}]}],
                     "resultSearchTerm": "x", "pageTitle": "Zoeken"}), 500),
        ("Armenië", 400),
        ("", 400),
    ],
)  # fmt: skip
async def test_the_replay_checks_the_reported_query_form(query: str, status: int) -> None:
    async with replay() as server, httpx.AsyncClient() as http:
        url = server.urls["rijksoverheid_feed_url"]
        response = await http.get(url, params={"query": query} if query else None)
    assert response.status_code == status


async def test_legacy_list_documents_become_letters_and_a_304_means_nothing_to_do() -> None:
    async with replay() as server, client() as http:
        src = legacy(server, KENNIS)
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


def test_a_url_with_its_own_query_or_the_legacy_list_is_fetched_as_it_is() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with_query = RijksoverheidSource(
        "https://www.rijksoverheid.nl/api/rss?query=%7B%7D", get_topic()
    )
    assert with_query.requests_for(now) == [(with_query.feed_url, None)]
    assert parse_qs(urlsplit(with_query.feed_url).query)["query"] == ["{}"]
    old = RijksoverheidSource("https://opendata.rijksoverheid.nl/v1/documents", get_topic())
    assert old.requests_for(now) == [(old.feed_url, None)]
    searches = RijksoverheidSource("https://www.rijksoverheid.nl/api/rss", get_topic())
    assert [what for what, _ in searches.requests_for(now)] == [
        "https://www.rijksoverheid.nl/api/rss (search 'Nagorno-Karabach')",
        "https://www.rijksoverheid.nl/api/rss (search 'Armenië')",
        "https://www.rijksoverheid.nl/api/rss (search 'Azerbeidzjan')",
    ]


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


async def test_a_probe_asks_as_a_poll_does() -> None:
    async with replay() as server, client() as http:
        assert await source(server).probe(http) == "feed parses (5 items)"
        [query] = sent_queries(server)
        assert query["resultSearchTerm"] == "Nagorno-Karabach"
    async with replay("html-200") as server, client() as http:
        with pytest.raises(ParseError, match=r"api/rss \(search 'Nagorno-Karabach'\): not a feed"):
            await source(server).probe(http)
