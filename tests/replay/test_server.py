"""The replay server: OData subset, SRU, static payloads, scenarios and faults, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx
import pytest

from bot.settings import Settings
from replay import odata as replay_odata
from replay.odata import ODataError, parse_filter
from replay.server import SCENARIOS, ReplayServer, serve_forever
from tests.scrapers.replay_helpers import replay

MOTION_3067 = "453b400d-84f9-48e2-a4e7-936368383ee0"


def test_urls_are_exactly_settings_fields() -> None:
    server = ReplayServer()
    assert set(server.urls) == {
        "tweedekamer_url",
        "tweedekamer_syncfeed_url",
        "officielebekendmakingen_url",
        "officielebekendmakingen_rss_url",
        "rijksoverheid_feed_url",
    }
    assert set(server.urls) <= set(Settings.model_fields)


def test_scenarios() -> None:
    assert {
        "default", "demo", "adopted", "http500", "http429", "timeout", "truncated-json",
        "html-200", "huge-body", "unknown-besluitsoort",
    } <= set(SCENARIOS)  # fmt: skip
    assert all(isinstance(d, str) and d for d in SCENARIOS.values())
    with pytest.raises(ValueError, match="known"):
        ReplayServer("nope")


@pytest.mark.parametrize(
    "text",
    [
        "Soort eq 'Motie' and (contains(Onderwerp,'Karabach') or Volgnummer ge 3000)",
        "Kamerstukdossier/any(d: d/Nummer eq 21501 and d/Toevoeging eq '02')",
        "ApiGewijzigdOp ge 2025-03-14T00:00:00Z and not (Afgedaan eq false)",
        "Besluit/Zaak/any(z: z/Nummer eq '2025Z04608')",
        "Besluit/any(b:b ne null)",
        "Id eq 453b400d-84f9-48e2-a4e7-936368383ee0",
        "year(GestartOp) eq 2025 and Kabinetsappreciatie ne null",
    ],
)
def test_filter_grammar(text: str) -> None:
    assert parse_filter(text)


@pytest.mark.parametrize("text", ["Soort eq", "contains(Onderwerp,'x'", "Soort eq 'a' or or"])
def test_filter_syntax_errors(text: str) -> None:
    with pytest.raises(ODataError):
        parse_filter(text)


async def get(server: ReplayServer, path: str, **params: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(server.urls["tweedekamer_url"] + path, params=params)


async def test_odata_query_options() -> None:
    async with replay() as server:
        r = await get(
            server,
            "/Zaak",
            **{
                "$filter": "Verwijderd eq false and Soort eq 'motie' and "
                "Kamerstukdossier/any(d: d/Nummer eq 21501 and d/Toevoeging eq '02')",
                "$select": "Id,Nummer,Volgnummer",
                "$orderby": "Volgnummer desc",
                "$top": "3",
                "$skip": "1",
                "$count": "true",
                "$expand": "Besluit($filter=BesluitSoort ne 'Ingediend';"
                "$expand=Stemming($select=ActorFractie,Soort;$orderby=ActorFractie))",
            },
        )
        assert r.status_code == 200
        body = r.json()
        assert body["@odata.context"].endswith("$metadata#Zaak")
        assert body["@odata.count"] == 10
        assert "@odata.nextLink" not in body  # $top: no server paging
        assert [z["Volgnummer"] for z in body["value"]] == [2949, 2901, 2370]
        assert set(body["value"][0]) == {"Id", "Nummer", "Volgnummer", "Besluit"}
        votes = body["value"][0]["Besluit"][0]["Stemming"]
        names = [v["ActorFractie"] for v in votes]
        assert names == sorted(names, key=str.casefold)  # the service collates case-insensitively


async def test_server_paging_with_skiptoken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay_odata, "PAGE_SIZE", 50)
    async with replay() as server, httpx.AsyncClient() as http:
        url = server.urls["tweedekamer_url"] + "/Zaak?$select=Id"
        ids: list[str] = []
        while url:
            page = (await http.get(url)).json()
            ids += [z["Id"] for z in page["value"]]
            url = page.get("@odata.nextLink")
            assert url is None or "$skiptoken=Id-" in url
    assert len(ids) == len(set(ids)) == 124


async def test_keys_navigation_resources_and_errors() -> None:
    async with replay() as server:
        zaak = (await get(server, f"/Zaak({MOTION_3067})")).json()
        assert zaak["Nummer"] == "2025Z04608"
        assert zaak["@odata.context"].endswith("$metadata#Zaak/$entity")
        besluiten = (await get(server, f"/Zaak({MOTION_3067})/Besluit")).json()["value"]
        assert {b["BesluitSoort"] for b in besluiten} == {"Ingediend", "Stemmen - aangenomen"}
        assert (await get(server, f"/Zaak(guid'{MOTION_3067}')")).status_code == 400
        assert (await get(server, "/Nergens")).status_code == 404
        assert (await get(server, "/Zaak", **{"$filter": "Bestaatniet eq 1"})).status_code == 400
        pub = await get(
            server, "/DocumentPublicatie(156b352c-9a6d-4214-bfb4-f4885f9900ba)/Resource"
        )
        assert pub.headers["content-type"] == "application/xml"
        assert b'<ondernummer kamer="2">3067</ondernummer>' in pub.content
        metadata = await get(server, "/$metadata")
        assert b'EntityType Name="Zaak"' in metadata.content


async def test_full_metadata_has_navigation_links() -> None:
    async with replay() as server:
        r = await get(
            server, f"/Zaak({MOTION_3067})", **{"$format": "application/json;odata.metadata=full"}
        )
        body = r.json()
        assert body["@odata.id"].endswith(f"/Zaak({MOTION_3067})")
        assert body["Besluit@odata.navigationLink"].endswith(f"/Zaak({MOTION_3067})/Besluit")


async def test_tkapi_runs_against_the_replay() -> None:
    def with_tkapi(root: str) -> list[tuple[str, int]]:
        from tkapi import TKApi
        from tkapi.zaak import Zaak

        TKApi(api_root=root)
        f = Zaak.create_filter()
        f.filter_nummer("2025Z04608")
        (zaak,) = TKApi.get_zaken(filter=f)
        return [(b.soort, len(b.stemmingen)) for b in zaak.besluiten]

    async with replay() as server:
        got = await asyncio.to_thread(with_tkapi, server.urls["tweedekamer_url"] + "/")
    assert sorted(got) == [("Ingediend", 0), ("Stemmen - aangenomen", 15)]


async def test_sru_cql_paging_and_echo() -> None:
    async with replay() as server, httpx.AsyncClient() as http:
        url = server.urls["officielebekendmakingen_url"] + "/sru"
        query = 'w.publicatienaam=="Kamerstuk" and w.dossiernummer=="21501-02"'
        r = await http.get(url, params={"query": query, "maximumRecords": "2"})
        text = r.text
        assert "<sru:numberOfRecords>4</sru:numberOfRecords>" in text
        assert "<sru:nextRecordPosition>3</sru:nextRecordPosition>" in text
        assert "w.dossiernummer==&quot;21501-02&quot;" in text or "21501-02" in text
        assert server.base_url + "/repository/frbr/" in text
        bad = await http.get(url, params={"query": "onbekend.index==x"})
        assert bad.status_code == 400
        recorded = await http.get(url, params={"query": 'dt.modified=="2021-10-13"'})
        assert "<sru:numberOfRecords>10</sru:numberOfRecords>" in recorded.text


async def test_advance_over_http_and_counts() -> None:
    async with replay("demo") as server, httpx.AsyncClient() as http:
        r = await http.get(server.base_url + "/_replay/advance")
        assert r.json() == {"scenario": "demo", "step": 1}
        server.advance()
        assert server.step == 1  # the last snapshot stays
        status = (await http.get(server.base_url + "/_replay/status")).json()
        assert status["requests"] == server.request_count == 2


@pytest.mark.parametrize(
    ("scenario", "status", "kind"),
    [
        ("http500", 500, "text/plain"),
        ("http429", 429, "text/plain"),
        ("html-200", 200, "text/html; charset=utf-8"),
        ("truncated-json", 200, "application/json; odata.metadata=minimal; charset=utf-8"),
    ],
)
async def test_fault_shapes(scenario: str, status: int, kind: str) -> None:
    async with replay(scenario) as server:
        r = await get(server, "/Zaak", **{"$top": "2"})
        assert r.status_code == status
        assert r.headers["content-type"] == kind
        if scenario == "http429":
            assert r.headers["retry-after"] == "1"
        if scenario == "truncated-json":
            with pytest.raises(json.JSONDecodeError):
                json.loads(r.content)
        server.advance()
        assert (await get(server, "/Zaak", **{"$top": "2"})).status_code == 200


async def test_huge_body_is_streamed_chunked() -> None:
    async with replay("huge-body") as server, httpx.AsyncClient() as http:
        url = server.urls["tweedekamer_url"] + "/Zaak"
        async with http.stream("GET", url) as r:
            assert r.headers["transfer-encoding"] == "chunked"
            received = 0
            async for chunk in r.aiter_bytes():
                received += len(chunk)
        assert received == 50 * 1024 * 1024


async def test_timeout_scenario_never_answers_and_stops_cleanly() -> None:
    async with replay("timeout") as server, httpx.AsyncClient(timeout=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(server.urls["tweedekamer_url"] + "/Zaak")


async def test_serve_forever_output(capsys: pytest.CaptureFixture[str]) -> None:
    task = asyncio.create_task(serve_forever("default", "127.0.0.1", 0))
    await asyncio.sleep(0.2)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    out = capsys.readouterr().out
    for name in ("TWEEDEKAMER_URL", "OFFICIELEBEKENDMAKINGEN_URL",
                 "OFFICIELEBEKENDMAKINGEN_RSS_URL", "RIJKSOVERHEID_FEED_URL"):  # fmt: skip
        assert f"KAMERWACHT_{name}=http://127.0.0.1:" in out
