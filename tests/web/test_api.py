"""JSON API (same shapes as the CLI), OpenAPI description, /healthz."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx

from bot.present import motion_json, status_json
from bot.web.app import ROUTES
from bot.web.openapi import SPEC
from state.models import Motion, Observation
from state.repository import Repository
from tests.web.facts import zaak
from tests.web.fixtures import FIRST_POLL_AT, SECOND_POLL_AT, second


async def test_api_motions_equals_the_cli_json(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    r = await client.get("/api/motions")
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == [motion_json(e) for e in repo.board()]
    adopted = (await client.get("/api/motions?status=adopted")).json()
    assert [m["id"] for m in adopted] == ["21501-02-3067"]


async def test_api_motion_equals_the_cli_status_json(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    data = (await client.get("/api/motions/21501-02-3067")).json()
    entry = next(e for e in repo.board() if e.motion.id == "21501-02-3067")
    expected = status_json(
        entry, repo.execution_reports(entry.motion.id), repo.timeline(entry.motion.id)
    )
    expected["url"] = "http://kamerwacht.test/motie/21501-02-3067"
    assert data == json.loads(json.dumps(expected))
    assert data["tally"] == {"for": 113, "against": 37}
    assert {v["party"]: v["vote"] for v in data["votes"]}["PVV"] == "against"
    report = (await client.get("/api/motions/21501-02-2234")).json()
    assert report["execution_status"] == "in_progress"
    assert report["letter"]["id"] == "21501-02-2423"
    assert report["evidence"].startswith("Hoewel de kans klein is")


async def test_api_unknown_motion_is_a_json_404(client: httpx.AsyncClient) -> None:
    for path in ("/api/motions/21501-02-9999", "/api/motions/zzz", "/api/nothing"):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert "error" in r.json(), path


async def test_api_changes_since(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    everything = (await client.get("/api/changes")).json()
    assert [c["id"] for c in everything] == [c.id for c in repo.changes()]
    since = (FIRST_POLL_AT + timedelta(minutes=1)).isoformat()
    recent = (await client.get("/api/changes", params={"since": since})).json()
    assert recent
    assert {c["created"] for c in recent} == {SECOND_POLL_AT.isoformat()}
    kinds = {c["kind"] for c in recent}
    assert {"vote_recorded", "new_letter", "execution_reported"} <= kinds
    after_id = (await client.get("/api/changes", params={"since": str(recent[-2]["id"])})).json()
    assert [c["id"] for c in after_id] == [recent[-1]["id"]]
    one = (await client.get("/api/changes", params={"motion": "21501-02-3067"})).json()
    assert {c["motion"] for c in one} == {"21501-02-3067"}
    bad = await client.get("/api/changes", params={"since": "gisteren"})
    assert bad.status_code == 400
    assert "since" in bad.json()["error"]


async def test_openapi_lists_every_route_and_only_those(client: httpx.AsyncClient) -> None:
    r = await client.get("/openapi.json")
    spec = json.loads(r.text)
    assert spec["openapi"].startswith("3.1")
    assert spec["servers"] == [{"url": "http://kamerwacht.test"}]
    described = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routed = {(route.path, m) for route in ROUTES for m in (route.methods or ()) if m != "HEAD"}
    assert described == routed
    # every $ref resolves
    text = json.dumps(SPEC)
    for ref in set(part.split('"')[0] for part in text.split('"$ref": "')[1:]):
        name = ref.rsplit("/", 1)[1]
        assert name in SPEC["components"]["schemas"], ref
    for path, ops in SPEC["paths"].items():
        for op in ops.values():
            assert op["responses"], path
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path)), path


async def test_healthz_reports_database_and_last_poll_per_source(
    client: httpx.AsyncClient, repo
) -> None:
    repo.record_source_success("tweedekamer", items_seen=12, now=SECOND_POLL_AT)
    repo.record_source_failure("rijksoverheid", "HTTP 503", now=SECOND_POLL_AT)
    r = await client.get("/healthz")
    data = r.json()
    assert r.status_code == 200
    assert data["status"] == "ok"
    assert data["database"] == "ok"
    sources = {s["source"]: s for s in data["sources"]}
    assert sources["tweedekamer"]["last_success"] == SECOND_POLL_AT.isoformat()
    assert sources["rijksoverheid"]["last_error"] == "HTTP 503"


async def test_healthz_is_503_when_the_database_is_gone(
    client: httpx.AsyncClient, repo, monkeypatch
) -> None:
    from state.errors import DatabaseUnavailable

    def unreachable() -> None:  # what the repository raises when the driver fails (state.db)
        raise DatabaseUnavailable("database unavailable: unable to open database file")

    monkeypatch.setattr(repo, "source_statuses", unreachable)
    r = await client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["database"] == "unreachable"


async def test_metrics_expose_counters_and_store_gauges(client: httpx.AsyncClient) -> None:
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert "# TYPE kamerwacht_polls_total counter" in text
    assert "# TYPE kamerwacht_outbox_depth gauge" in text
    assert "kamerwacht_subscribers{" in text


async def test_motion_tracked_by_its_zaak_number_has_a_page_and_api(
    client: httpx.AsyncClient, repo: Repository
) -> None:
    # No recorded document states 2022Z19883's Kamerstuk number: it is tracked by Zaak number.
    z = zaak("2022Z19883")
    repo.apply_poll(
        Observation(
            motions=(Motion(id=z["Nummer"], title=z["Onderwerp"], zaak_nummer=z["Nummer"]),)
        ),
        now=SECOND_POLL_AT,
    )
    r = await client.get("/api/motions/2022Z19883")
    assert r.status_code == 200
    assert r.json()["title"].startswith("Motie van de leden Van der Plas en Eppink")
    page = await client.get("/motie/2022Z19883")
    assert page.status_code == 200
    assert "Van der Plas" in page.text
    assert (await client.get("/motie/2022Z99999")).status_code == 404
