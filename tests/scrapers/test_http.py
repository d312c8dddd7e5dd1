"""HttpClient over real loopback HTTP against the replay server: politeness, retries, caps."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import httpx
import pytest

from scrapers.base import SourceError
from scrapers.http import FetchResult, HttpClient, Validators, user_agent
from tests.scrapers.replay_helpers import client, replay


def test_user_agent_names_kamerwacht_and_the_contact() -> None:
    assert user_agent("mailto:ops@example.org") == "kamerwacht/0.1.0 (+mailto:ops@example.org)"


async def test_sends_the_user_agent_and_counts_requests() -> None:
    async with replay() as server, client() as http:
        result = await http.get(server.urls["tweedekamer_url"] + "/$metadata")
        assert result.status == 200
        assert result.content.startswith(b"<?xml")
        assert http.requests_made == 1
        assert server.request_headers[-1]["user-agent"].startswith("kamerwacht/")


async def test_5xx_is_retried_then_a_typed_error_with_url_and_cause() -> None:
    async with replay("http500") as server, client(retries=2) as http:
        url = server.urls["tweedekamer_url"] + "/Zaak"
        with pytest.raises(SourceError) as caught:
            await http.get(url, params={"$top": "1"})
        assert caught.value.status == 500
        assert caught.value.url.startswith(url)
        assert "HTTP 500" in caught.value.cause
        assert "3 attempts" in caught.value.cause
        assert server.request_count == 3 == http.requests_made


async def test_429_honours_retry_after() -> None:
    async with replay("http429") as server, client(retries=1) as http:
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            await http.get(server.urls["tweedekamer_url"] + "/Zaak")
        assert time.monotonic() - started >= 0.95  # Retry-After: 1
        assert caught.value.status == 429
        assert server.request_count == 2


async def test_retry_after_is_capped() -> None:
    async with replay("http429") as server, client(retries=1, max_retry_after=0.05) as http:
        started = time.monotonic()
        with pytest.raises(SourceError):
            await http.get(server.urls["tweedekamer_url"] + "/Zaak")
        assert time.monotonic() - started < 0.9


async def test_a_server_that_never_answers_times_out() -> None:
    async with replay("timeout") as server, client(timeout=0.3, retries=1) as http:
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            await http.get(server.urls["tweedekamer_url"] + "/Zaak")
        assert "Timeout" in caught.value.cause
        assert time.monotonic() - started >= 0.6
        assert server.request_count == 2


async def test_a_streamed_50_mb_body_is_cut_off_at_the_cap() -> None:
    async with replay("huge-body") as server, client(max_bytes=2_000_000) as http:
        with pytest.raises(SourceError) as caught:
            await http.get(server.urls["tweedekamer_url"] + "/Zaak")
        assert "exceeds 2000000 bytes" in caught.value.cause
        assert server.request_count == 1  # a size violation is not retried


async def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    async with replay() as server, client(max_bytes=10_000) as http:
        with pytest.raises(SourceError) as caught:
            await http.get(server.urls["officielebekendmakingen_rss_url"])
        assert "bytes exceeds 10000" in caught.value.cause


async def test_4xx_is_not_retried() -> None:
    async with replay() as server, client(retries=3) as http:
        with pytest.raises(SourceError) as caught:
            await http.get(server.urls["tweedekamer_url"] + "/Nergens")
        assert caught.value.status == 404
        assert server.request_count == 1


async def test_connect_errors_are_retried_and_typed() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with client(retries=2) as http:
        with pytest.raises(SourceError) as caught:
            await http.get(f"http://127.0.0.1:{port}/feed")
        assert "ConnectError" in caught.value.cause
        assert http.requests_made == 3


async def test_conditional_get_gives_not_modified() -> None:
    async with replay() as server, client() as http:
        url = server.urls["officielebekendmakingen_rss_url"]
        first = await http.get(url)
        assert first.etag
        assert first.last_modified
        second = await http.get(url, validators=first.validators)
        assert second.not_modified
        assert second.status == 304
        assert second.content == b""
        assert server.request_headers[-1]["if-none-match"] == first.etag
        by_date = await http.get(url, validators=Validators(last_modified=first.last_modified))
        assert by_date.not_modified


async def test_at_most_two_requests_per_host_in_flight_and_paced() -> None:
    async with replay() as server:
        server.delay = 0.1
        async with HttpClient(user_agent="t", min_interval=0.05, per_host=2, retries=0) as http:
            url = server.urls["tweedekamer_url"] + "/$metadata"
            started = time.monotonic()
            results = await asyncio.gather(*(http.get(url) for _ in range(6)))
            elapsed = time.monotonic() - started
        assert all(isinstance(r, FetchResult) and r.status == 200 for r in results)
        assert server.max_in_flight == 2
        assert elapsed >= 0.3  # 6 requests, 2 at a time, 0.1 s each
        assert elapsed >= 5 * 0.05  # and request starts at least 50 ms apart


async def test_context_manager_closes_the_pool() -> None:
    http = client()
    async with http:
        pass
    with pytest.raises(RuntimeError):
        await http._client.get("http://127.0.0.1:9/")


@pytest.mark.parametrize(
    ("location", "allowed"),
    [
        ("https://data.example.nl/feed", True),  # scheme upgrade, same host
        ("https://www.example.nl/feed", True),  # another subdomain of the same site
        ("/other/path", True),  # relative
        ("https://evil.example.org/feed", False),  # another site
        ("ftp://data.example.nl/feed", False),  # not http(s)
    ],
)
async def test_redirects_stay_on_the_site(location: str, allowed: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if (
            request.url.path == "/feed"
            and request.url.host == "data.example.nl"
            and request.url.scheme == "http"
        ):
            return httpx.Response(302, headers={"Location": location})
        return httpx.Response(200, content=b"ok")

    http = HttpClient(
        user_agent="t", transport=httpx.MockTransport(handler), min_interval=0, retries=0
    )
    try:
        if allowed:
            result = await http.get("http://data.example.nl/feed")
            assert result.content == b"ok"
        else:
            with pytest.raises(SourceError, match="redirected off-site"):
                await http.get("http://data.example.nl/feed")
    finally:
        await http.aclose()


async def test_a_timeout_is_retried_once_however_many_retries_are_allowed() -> None:
    async with replay("timeout") as server, client(timeout=0.2, retries=4) as http:
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            await http.get(server.urls["tweedekamer_url"] + "/Zaak")
        assert caught.value.cause == "ReadTimeout (after 2 attempts)"
        assert server.request_count == 2  # not 5: a timeout already cost a whole read timeout
        assert time.monotonic() - started < 1.0
    async with replay("timeout") as server, client(timeout=0.2, timeout_retries=0) as http:
        with pytest.raises(SourceError, match="after 1 attempts"):
            await http.get(server.urls["tweedekamer_url"] + "/Zaak")
        assert server.request_count == 1


async def test_other_failures_still_get_every_retry() -> None:
    async with replay("http500") as server, client(retries=3, timeout_retries=0) as http:
        with pytest.raises(SourceError, match="after 4 attempts"):
            await http.get(server.urls["tweedekamer_url"] + "/Zaak")
        assert server.request_count == 4


async def test_retry_after_holds_back_every_request_to_that_host() -> None:
    """Concurrent sources share a host: when it says 429 Retry-After, none of them goes on."""
    arrivals: list[float] = []
    async with replay("http429") as server:
        original = server._respond

        async def noting(method: str, target: str, headers: dict[str, str]) -> Any:
            arrivals.append(time.monotonic())
            return await original(method, target, headers)

        server._respond = noting  # type: ignore[method-assign]
        async with client(retries=1, max_retry_after=0.4, per_host=1) as http:
            url = server.urls["tweedekamer_url"] + "/Zaak"
            results = await asyncio.gather(http.get(url), http.get(url), return_exceptions=True)
    assert all(isinstance(r, SourceError) and r.status == 429 for r in results)
    assert len(arrivals) == 4
    # the second request waited for the slot, then for the host's Retry-After (capped at 0.4 s)
    assert arrivals[1] - arrivals[0] >= 0.35
