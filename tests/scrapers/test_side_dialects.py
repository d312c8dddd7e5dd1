"""The agenda and commitments sources speak both OData dialects through odata_schema (issue #17's
leftover): same results from v4/2.0 and v5, and a schema that lacks what they need is one
SchemaMismatch line naming it, over real HTTP to the replay server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from replay import v5 as replay_v5
from replay.server import ReplayServer
from scrapers.odata_schema import SchemaMismatch, parse_metadata, resolve
from scrapers.topics import get_topic
from scrapers.tweedekamer_agenda import AgendaResult, AgendaSource
from scrapers.tweedekamer_commitments import CommitmentResult, CommitmentSource
from tests.scrapers.replay_helpers import client

TOPIC = get_topic()
MOTION = "2025Z08365"  # on the agenda of Stemmingen 2025A06526; appraisal "Ontraden"
LETTER_COMMITMENT = "TZ202110-001"  # fulfilled by the letter of 4 November 2021 (demo, step 1)


async def _agenda(dialect: str, scenario: str = "agenda") -> tuple[AgendaResult, list[str]]:
    async with ReplayServer(scenario, tk_dialect=dialect) as server, client() as http:
        result = await AgendaSource(server.urls["tweedekamer_url"]).poll(http, {})
        return result, server.request_log


async def _commitments(dialect: str, step: int) -> tuple[CommitmentResult, list[str]]:
    async with ReplayServer("demo", tk_dialect=dialect) as server, client() as http:
        for _ in range(step):
            server.advance()
        source = CommitmentSource(server.urls["tweedekamer_url"], TOPIC)
        return await source.poll(http, {}), server.request_log


@pytest.fixture
def v5_drops(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """Make the replay's v5 schema lack properties in a scenario (its caches cleared around)."""
    replay_v5.v5_metadata.cache_clear()
    replay_v5.v5_graph.cache_clear()
    drops: dict[str, object] = {}
    monkeypatch.setattr(replay_v5, "SCHEMA_DROPS", drops)
    yield drops
    replay_v5.v5_metadata.cache_clear()
    replay_v5.v5_graph.cache_clear()


async def test_the_agenda_is_the_same_in_both_dialects() -> None:
    v2, _ = await _agenda("v2")
    v5, log = await _agenda("v5")
    assert v2.items == v5.items
    assert v2.activities == v5.activities
    assert v2.cursor == v5.cursor
    [item] = [i for i in v5.items if i.zaak_nummer == MOTION]
    assert (item.appraisal, item.activity_nummer, item.proposal) == ("Ontraden", "2025A06526", True)
    assert any("/OData/v5/$metadata" in line for line in log)
    assert all("/OData/v4" not in line for line in log)


async def test_commitments_are_the_same_in_both_dialects_with_the_letter() -> None:
    before_v2, _ = await _commitments("v2", 0)
    before_v5, _ = await _commitments("v5", 0)
    assert before_v2.commitments == before_v5.commitments
    assert len(before_v5.commitments) == 2
    after_v2, log_v2 = await _commitments("v2", 1)
    after_v5, log_v5 = await _commitments("v5", 1)
    assert after_v2.commitments == after_v5.commitments
    [fulfilled] = [c for c in after_v5.commitments if c.number == LETTER_COMMITMENT]
    assert fulfilled.letter == "2021D41766"
    assert fulfilled.evidence is not None
    assert "toezegging" in fulfilled.evidence
    # the letter is looked up under the server's own name: v5 calls DocumentNummer "Nummer"
    lookups_v5 = [line for line in log_v5 if "/Document?" in line]
    assert len(lookups_v5) == 1
    assert "Nummer%20eq" in lookups_v5[0] or "Nummer+eq" in lookups_v5[0]
    assert "DocumentNummer" not in lookups_v5[0]
    assert any("DocumentNummer" in line for line in log_v2 if "/Document?" in line)
    assert after_v2.skipped == after_v5.skipped == ()


async def test_a_missing_agenda_property_is_one_schema_mismatch(
    v5_drops: dict[str, object],
) -> None:
    v5_drops["agenda"] = (0, (("Activiteit", "Status"),))
    with pytest.raises(SchemaMismatch) as caught:
        await _agenda("v5")
    message = str(caught.value)
    assert "Activiteit.Status" in message
    assert "dialect v5" in message
    assert "\n" not in message


async def test_a_missing_commitment_property_is_one_schema_mismatch(
    v5_drops: dict[str, object],
) -> None:
    v5_drops["demo"] = (0, (("Toezegging", "KamerbriefNakoming"),))
    with pytest.raises(SchemaMismatch) as caught:
        await _commitments("v5", 0)
    assert "Toezegging.KamerbriefNakoming" in str(caught.value)
    assert "dialect v5" in str(caught.value)


async def test_what_the_motions_need_does_not_stop_the_agenda(
    v5_drops: dict[str, object],
) -> None:
    """Besluit.BesluitSoort (motions only) gone: the agenda still polls; the motions would not."""
    v5_drops["agenda"] = (0, (("Besluit", "BesluitSoort"),))
    result, _ = await _agenda("v5")
    assert any(i.zaak_nummer == MOTION for i in result.items)
    metadata = replay_v5.v5_metadata("agenda", 0)
    with pytest.raises(SchemaMismatch, match=r"Besluit\.BesluitSoort"):
        resolve(parse_metadata(metadata, "v5"), "v5")


async def test_the_v5_replay_serves_the_agenda_records_with_the_documented_renames() -> None:
    """v5 Activiteit records are the real v4 ones with the documented renames (Voortouwnaam →
    VoortouwCommissieNaam; Voortouwafkorting and Voortouwkortenaam removed), nothing else."""
    async with (
        ReplayServer("agenda", tk_dialect="v2") as v2_server,
        ReplayServer("agenda", tk_dialect="v5") as v5_server,
        httpx.AsyncClient() as http,
    ):
        params = {"$orderby": "Id", "$top": "100"}
        v2 = await http.get(v2_server.urls["tweedekamer_url"] + "/Activiteit", params=params)
        v5 = await http.get(v5_server.urls["tweedekamer_url"] + "/Activiteit", params=params)
    v2_rows, v5_rows = v2.json()["value"], v5.json()["value"]
    assert v2_rows
    assert [r["Id"] for r in v2_rows] == [r["Id"] for r in v5_rows]
    for old, new in zip(v2_rows, v5_rows, strict=True):
        assert new.get("VoortouwCommissieNaam") == old.get("Voortouwnaam")
        expected = {k: v for k, v in old.items() if not k.startswith("Voortouw")}
        assert {k: v for k, v in new.items() if not k.startswith("Voortouw")} == expected
        assert not {"Voortouwnaam", "Voortouwafkorting", "Voortouwkortenaam"} & set(new)


@pytest.mark.parametrize("dialect", ["v2", "v5"])
async def test_a_deleted_activity_is_seen_without_items_in_both_dialects(dialect: str) -> None:
    """Scenario agenda-deleted: after the first poll the session's row comes back with
    ``Verwijderd`` true (DERIVED); the next poll asks for rows deleted since its cursor and lists
    the activity as seen with no items. Without a cursor, deleted rows are not asked for."""
    activity = "ad15b461-48eb-4607-9f1e-e85498fba16a"  # 2025A06526
    async with ReplayServer("agenda-deleted", tk_dialect=dialect) as server, client() as http:
        source = AgendaSource(server.urls["tweedekamer_url"])
        first = await source.poll(http, {})
        assert any(i.activity_id == activity for i in first.items)
        assert first.cursor is not None
        server.advance()
        fresh = await AgendaSource(server.urls["tweedekamer_url"]).poll(http, {})
        assert activity not in fresh.activities  # no cursor: only live rows
        second = await source.poll(http, {"activiteit": first.cursor})
        assert activity in second.activities
        assert not any(i.activity_id == activity for i in second.items)
        assert second.cursor is not None
        assert second.cursor > first.cursor
