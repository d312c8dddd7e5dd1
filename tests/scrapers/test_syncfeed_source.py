"""The SyncFeed path end to end: heads, idle polls, a vote arriving, a deleted Besluit, OData down.

Every test runs the real poll cycle (``bot.app.poll_once``) against the replay server's
CONSTRUCTED SyncFeed and DERIVED v5 OData, with a real SQLite store (the mirror included).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from bot.app import App, PollReport, SourceOutcome, build_app, poll_once
from bot.settings import Settings
from replay.scenarios import snapshot
from replay.server import ReplayServer
from scrapers.http import HttpClient
from scrapers.syncfeed import TK, Entity, parse_bijgewerkt, parse_page
from scrapers.topics import get_topic
from scrapers.tweedekamer import TweedeKamerSource
from scrapers.tweedekamer_mirror import flatten
from scrapers.tweedekamer_sync import CATEGORIES, TweedeKamerSyncSource, find_head
from state.mirror import MirrorRecord, Tracked
from state.models import ChangeKind, ParliamentaryStatus
from state.repository import Repository
from tests.scrapers.replay_helpers import client

ADOPTED = "21501-02-3067"
T = TypeVar("T")


@asynccontextmanager
async def service(scenario: str, tmp_path: Path) -> AsyncIterator[tuple[App, ReplayServer]]:
    server = ReplayServer(scenario)
    await server.start()
    settings = Settings(database_url=f"sqlite:///{tmp_path}/kw.db").model_copy(update=server.urls)
    repo = Repository.from_url(settings.database_url)
    repo.upgrade()
    app = build_app(settings, repo=repo)
    await app.client.aclose()
    app.client = client()
    try:
        yield app, server
    finally:
        await app.aclose()
        await server.stop()


def source(app: App, kind: type[T]) -> T:
    return next(s for s in app.sources if isinstance(s, kind))


def outcome(report: PollReport, name: str) -> SourceOutcome:
    return next(o for o in report.outcomes if o.name == name)


async def test_first_poll_finds_heads_then_an_idle_poll_is_one_request_per_category(
    tmp_path: Path,
) -> None:
    async with service("default", tmp_path) as (app, server):
        first = await poll_once(app)
        assert all(o.ok for o in first.outcomes), first.outcomes
        sync = outcome(first, "tweedekamer-syncfeed")
        assert sync.requests >= len(CATEGORIES)
        assert app.repo.get_motion(ADOPTED) is not None
        syncfeed = source(app, TweedeKamerSyncSource)
        before = server.request_count
        again = await poll_once(app, sources=[syncfeed])
        assert again.changes == ()
        assert server.request_count - before == len(CATEGORIES)
        cursors = app.repo.get_cursors("tweedekamer-syncfeed")
        assert {f"skiptoken:{c}" for c in CATEGORIES} <= set(cursors)


async def test_a_vote_in_the_feed_reaches_the_store_through_the_syncfeed_alone(
    tmp_path: Path,
) -> None:
    async with service("adopted", tmp_path) as (app, server):
        await poll_once(app)
        before = app.repo.get_motion(ADOPTED)
        assert before is not None
        assert before.parliamentary_status is ParliamentaryStatus.SUBMITTED
        server.advance()
        report = await poll_once(app, sources=[source(app, TweedeKamerSyncSource)])
        kinds = [(c.kind, c.motion_id) for c in report.changes]
        assert (ChangeKind.VOTE_RECORDED, ADOPTED) in kinds
        after = app.repo.get_motion(ADOPTED)
        assert after is not None
        assert after.parliamentary_status is ParliamentaryStatus.ADOPTED
        final = after.final_decision
        assert final is not None
        assert final.votes
        yes, no = final.tally
        assert yes > no > 0
        # the OData path then agrees and records nothing new
        again = await poll_once(app, sources=[source(app, TweedeKamerSource)])
        assert [c for c in again.changes if c.motion_id == ADOPTED] == []


async def test_odata_failing_on_a_silent_rename_while_the_syncfeed_keeps_votes_current(
    tmp_path: Path,
) -> None:
    async with service("v5-missing-property", tmp_path) as (app, server):
        await poll_once(app)
        server.advance()
        report = await poll_once(app)
        odata = outcome(report, "tweedekamer")
        assert not odata.ok
        assert "Besluit.BesluitSoort" in (odata.error or "")
        assert "v5" in (odata.error or "")
        assert outcome(report, "tweedekamer-syncfeed").ok
        assert (ChangeKind.VOTE_RECORDED, ADOPTED) in [
            (c.kind, c.motion_id) for c in report.changes
        ]
        statuses = {s.name: s for s in app.repo.source_statuses()}
        assert "Besluit.BesluitSoort" in (statuses["tweedekamer"].last_error or "")


@pytest.mark.parametrize("path", ["syncfeed", "odata"])
async def test_a_deleted_besluit_yields_a_correction(tmp_path: Path, path: str) -> None:
    async with service("besluit-deleted", tmp_path) as (app, server):
        await poll_once(app)
        adopted = app.repo.get_motion(ADOPTED)
        assert adopted is not None
        assert adopted.parliamentary_status is ParliamentaryStatus.ADOPTED
        server.advance()
        kind = TweedeKamerSyncSource if path == "syncfeed" else TweedeKamerSource
        report = await poll_once(app, sources=[source(app, kind)])
        corrected = [c for c in report.changes if c.kind is ChangeKind.DECISION_CORRECTED]
        assert [(c.motion_id, c.old, c.new) for c in corrected] == [
            (ADOPTED, "adopted", "submitted")
        ]
        after = app.repo.get_motion(ADOPTED)
        assert after is not None
        assert after.parliamentary_status is ParliamentaryStatus.SUBMITTED
        again = await poll_once(app)
        assert [c for c in again.changes if c.motion_id == ADOPTED] == []


def test_bijgewerkt_in_every_format() -> None:
    utc = parse_bijgewerkt("2023-08-29T11:09:44Z")
    local = parse_bijgewerkt("2026-08-24T15:50:28.7370000")  # no zone: Amsterdam time
    offset = parse_bijgewerkt("2021-03-01T10:00:00+0100")
    assert utc is not None
    assert utc.hour == 11
    assert local is not None
    assert (local.hour, local.microsecond) == (13, 737000)
    assert offset is not None
    assert offset.hour == 9
    assert parse_bijgewerkt("garbage") is None


@pytest.mark.parametrize(
    "body", [b"<html><body>Onderhoud</body></html>", b"", b"{}", b"<feed xmlns='x'/>"]
)
def test_a_page_that_is_not_an_atom_feed_is_one_parse_error(body: bytes) -> None:
    from scrapers.base import ParseError

    with pytest.raises(ParseError, match="SyncFeed"):
        parse_page(body, "http://x/SyncFeed/2.0/Feed")


async def test_the_syncfeed_source_fails_in_one_line_on_an_html_answer(tmp_path: Path) -> None:
    async with service("html-200", tmp_path) as (app, _server):
        report = await poll_once(app, sources=[source(app, TweedeKamerSyncSource)])
        sync = outcome(report, "tweedekamer-syncfeed")
        assert not sync.ok
        assert "Atom" in (sync.error or "")
        assert "\n" not in (sync.error or "")


def _synthetic_page(request: httpx.Request, last: int, gap: int) -> httpx.Response:
    """A feed of ``last // gap`` entries at every ``gap``-th skiptoken (a long history)."""
    after = int(request.url.params.get("skiptoken", "0"))
    first = (after // gap + 1) * gap
    tokens = [t for t in range(first, min(last, first + 250 * gap - 1) + 1, gap)]
    base = "http://feed.test/SyncFeed/2.0/Feed"
    entries = "".join(
        f'<entry><title>{t}</title><link rel="next" href="{base}?skiptoken={t}&amp;category=Zaak"/>'
        f'<content type="application/xml"><zaak xmlns="{TK}" id="00000000-0000-0000-0000-'
        f'{t:012d}" xmlns:tk="{TK}" tk:bijgewerkt="2026-01-01T00:00:00Z" tk:verwijderd="false">'
        "<soort>Motie</soort></zaak></content></entry>"
        for t in tokens
    )
    more = tokens and tokens[-1] + gap <= last
    link = (
        f'<link rel="next" href="{base}?skiptoken={tokens[-1]}&amp;category=Zaak"/>'
        if more
        else (f'<link rel="resume" href="{base}?skiptoken={after}&amp;category=Zaak"/>')
    )
    body = f'<feed xmlns="http://www.w3.org/2005/Atom">{link}{entries}</feed>'
    return httpx.Response(
        200, content=body.encode(), headers={"content-type": "application/atom+xml"}
    )


@pytest.mark.parametrize(("last", "gap"), [(21_047_153, 7), (16_700_001, 3), (1_000, 1)])
async def test_the_head_of_a_long_history_is_found_in_few_requests(last: int, gap: int) -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return _synthetic_page(request, last, gap)

    http = HttpClient(
        user_agent="kamerwacht-test", transport=httpx.MockTransport(answer), min_interval=0.0
    )
    async with http:
        head = await find_head(http, "http://feed.test/SyncFeed/2.0", "Zaak")
    assert head == last - last % gap
    assert len(asked) <= 60, len(asked)  # walking the history would take last / gap / 250 pages


class FakeMirror:
    """A mirror holding given records (what earlier polls stored)."""

    def __init__(self, records: list[MirrorRecord]) -> None:
        self.records = records

    def mirror_tracked(self) -> Tracked:
        ids = {kind: {r.id for r in self.records if r.entity == kind} for kind in KINDS}
        return Tracked(
            frozenset(ids["Zaak"]), frozenset(ids["Besluit"]), frozenset(ids["Kamerstukdossier"])
        )

    def mirror_load(self, zaak_ids: Iterable[str]) -> list[MirrorRecord]:
        wanted = set(zaak_ids)
        return [r for r in self.records if r.zaak_id in wanted]

    def mirror_ids(self, entity: str, ids: Iterable[str]) -> list[MirrorRecord]:
        wanted = set(ids)
        return [r for r in self.records if r.entity == entity and r.id in wanted]


KINDS = ("Zaak", "Besluit", "Kamerstukdossier")


async def test_a_gewijzigde_motie_from_the_feed_links_both_motions() -> None:
    graph = snapshot("default", 0).graph
    zaken = {z["Nummer"]: z for z in graph.sets["Zaak"].values()}
    old, new = zaken["2020Z21194"], zaken["2020Z21428"]  # 21501-02-2228 → 2234
    [dossier] = [d for _, d in graph.related("Zaak", old, "Kamerstukdossier")]
    nested = {**old, "Kamerstukdossier": [dossier], "ZaakActor": [], "Besluit": []}
    mirror = FakeMirror(flatten(nested))
    source = TweedeKamerSyncSource("http://feed.test/SyncFeed/2.0", get_topic(), mirror)
    fields = {k: new[k] for k in ("Nummer", "Soort", "Onderwerp", "Volgnummer", "GestartOp")}
    refs = {"Kamerstukdossier": (dossier["Id"].lower(),), "VervangenVanuit": (old["Id"].lower(),)}
    arriving = Entity("Zaak", new["Id"].lower(), None, False, fields, refs)
    async with client() as http:
        motions, records = await source._apply(http, {"Zaak": [arriving]}, set(), [])
    by_id = {m.id: m for m in motions}
    assert by_id["21501-02-2228"].replaced_by == "21501-02-2234"
    assert by_id["21501-02-2234"].replaces == "21501-02-2228"
    stored = [r for r in records if r.entity == "Zaak" and r.id == old["Id"].lower()]
    assert stored  # the mirror keeps the link for later rebuilds
    assert stored[-1].data["VervangenDoor"][0]["Nummer"] == "2020Z21428"
