"""OData dialects: the source reads the server's $metadata and speaks v4/2.0 and v5 alike."""

from __future__ import annotations

import logging

import httpx
import pytest

from replay.scenarios import data_file
from replay.server import ReplayServer
from scrapers.base import SourceError
from scrapers.odata_schema import NAMES, SchemaMismatch, parse_metadata, resolve
from scrapers.topics import get_topic
from scrapers.tweedekamer import TweedeKamerSource
from state.models import ParliamentaryStatus
from tests.scrapers.replay_helpers import client

TOPIC = get_topic()
ADOPTED = "21501-02-3067"


async def poll_dialect(dialect: str, scenario: str = "default") -> tuple[dict[str, object], int]:
    server = ReplayServer(scenario, tk_dialect=dialect)
    await server.start()
    try:
        async with client() as http:
            result = await TweedeKamerSource(server.urls["tweedekamer_url"], TOPIC).poll(
                http, {}, frozenset()
            )
        board = {m.id: m for m in result.motions}
        board.update({f"letter:{x.id}": x for x in result.letters})
        return board, result.requests
    finally:
        await server.stop()


async def test_v2_and_v5_give_the_same_motions_and_letters() -> None:
    v2, _ = await poll_dialect("v2")
    v5, _ = await poll_dialect("v5")
    assert len([k for k in v5 if not k.startswith("letter:")]) == 32
    assert v2 == v5
    letter = v5["letter:21501-02-2423"]
    assert getattr(letter, "document_nummer", None) == "2021D41766"  # Document.Nummer in v5


def test_metadata_resolution_per_dialect() -> None:
    v2 = resolve(parse_metadata(data_file("metadata.xml"), "v2"), "v2")
    v5 = resolve(parse_metadata(data_file("metadata_v5_DERIVED.xml"), "v5"), "v5")
    assert (v2.label, v5.label) == ("v2", "v5")
    assert v2.p("Document", "DocumentNummer") == "DocumentNummer"
    assert v5.p("Document", "DocumentNummer") == "Nummer"
    assert v5.p("Document", "Volgnummer") == "Ondernummer"
    assert v5.p("Kamerstukdossier", "HoogsteVolgnummer") == "AantalDocumenten"
    row = {"Id": "x", "Nummer": "2021D41766", "Ondernummer": 2423, "Kamerstukdossier": []}
    logical = v5.to_logical("Document", row)
    assert (logical["DocumentNummer"], logical["Volgnummer"]) == ("2021D41766", 2423)
    assert all(info.entity and info.name for info in NAMES.values())


def test_a_missing_required_property_is_named_with_the_dialect() -> None:
    text = data_file("metadata_v5_DERIVED.xml").replace(
        b'<Property Name="BesluitSoort" Type="Edm.String" />', b""
    )
    assert text != data_file("metadata_v5_DERIVED.xml")
    with pytest.raises(SchemaMismatch) as caught:
        resolve(parse_metadata(text, "http://x/OData/v5"), "http://x/OData/v5")
    assert "Besluit.BesluitSoort" in str(caught.value)
    assert "dialect v5" in str(caught.value)


def test_a_missing_optional_property_leaves_the_field_empty() -> None:
    text = data_file("metadata_v5_DERIVED.xml").replace(
        b'<Property Name="Kabinetsappreciatie" Type="Edm.String" />', b"", 1
    )
    dialect = resolve(parse_metadata(text, "v5"), "v5")
    assert "Zaak.Kabinetsappreciatie" in dialect.missing_optional
    assert "Kabinetsappreciatie" not in dialect.select("Zaak", "Id", "Kabinetsappreciatie")


@pytest.mark.parametrize("body", [b"<html><body>Onderhoud</body></html>", b"{}", b"<a"])
def test_metadata_that_is_not_a_schema_is_one_parse_error(body: bytes) -> None:
    with pytest.raises(SourceError, match=r"\$metadata"):
        parse_metadata(body, "http://x/$metadata")


async def test_v5_refuses_top_above_100() -> None:
    server = ReplayServer(tk_dialect="v5")
    await server.start()
    try:
        async with httpx.AsyncClient() as http:
            url = server.urls["tweedekamer_url"] + "/Zaak"
            assert (await http.get(url, params={"$top": "101"})).status_code == 400
            assert (await http.get(url, params={"$top": "100"})).status_code == 200
            bad = await http.get(url, params={"$select": "DocumentNummer"})
            assert bad.status_code == 400  # a v2 name is not a v5 name
    finally:
        await server.stop()


async def test_a_silent_rename_fails_the_source_naming_the_property(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = ReplayServer("v5-missing-property", tk_dialect="v5")
    await server.start()
    try:
        async with client() as http:
            source = TweedeKamerSource(server.urls["tweedekamer_url"], TOPIC)
            first = await source.poll(http, {}, frozenset())
            motion = next(m for m in first.motions if m.id == ADOPTED)
            assert motion.parliamentary_status is ParliamentaryStatus.SUBMITTED
            server.advance()
            with caplog.at_level(logging.WARNING), pytest.raises(SchemaMismatch) as caught:
                await source.poll(http, first.cursors, frozenset())
            assert "Besluit.BesluitSoort" in str(caught.value)
            assert "v5" in str(caught.value)
            # the schema was read again after the 400, not guessed from the cached one
            metadata_reads = [line for line in server.request_log if "$metadata" in line]
            assert len(metadata_reads) == 2
    finally:
        await server.stop()


async def test_a_long_watch_list_is_asked_for_in_batches_and_polls_go_on() -> None:
    watch = frozenset(f"36{i:03d}-{n}" for i in range(300) for n in (1, 2)) | {ADOPTED}
    server = ReplayServer("adopted", tk_dialect="v5")
    await server.start()
    try:
        async with client() as http:
            source = TweedeKamerSource(server.urls["tweedekamer_url"], TOPIC)
            first = await source.poll(http, {}, watch)
            assert len(first.motions) == 32
            longest = max(len(line) for line in server.request_log)
            assert longest < 8000
            server.advance()
            second = await source.poll(http, first.cursors, watch)
            adopted = next(m for m in second.motions if m.id == ADOPTED)
            assert adopted.parliamentary_status is ParliamentaryStatus.ADOPTED
            assert max(len(line) for line in server.request_log) < 8000
    finally:
        await server.stop()
