"""Issue 16, last point end to end: a decision and its votes read from a real vote section.

Replay scenario ``handelingen-vote``: the real vote section h-tk-20072008-7103-7103 behind a
DERIVED SRU record, and DERIVED Tweede Kamer records for the motion it decides, 26407-34, whose
``Stemmen - aangenomen`` Besluit has no Stemming rows (replay/data/handelingen/). The motion is
tracked because the watch list names it (``KAMERWACHT_WATCHLIST``): no topic motion's vote section
was found in public copies (see tests/scrapers/realtexts/PROVENANCE.md).

An ordinary poll (``poll_once`` on ``build_app``: every source, over loopback) gives the motion
its decision, the date of the vote and the parties for — "de aanwezige leden van de fracties van
de SP, de PvdA, GroenLinks, D66, de PvdD en de ChristenUnie voor deze gewijzigde motie … en die
van de overige fracties ertegen, zodat zij is aangenomen" — shown with the Handelingen as the
source on /status, the motion page and the API; a second poll changes nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import build_app, poll_once
from bot.settings import Settings
from bot.telegram.service import BotApplication
from bot.web.app import create_app
from replay.server import ReplayServer
from state.models import Decision, Motion, Observation, ParliamentaryStatus, PartyVote, VoteChoice
from state.repository import Repository
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import say

CHAT = 1716
MOTION = "26407-34"
URL = "https://zoek.officielebekendmakingen.nl/h-tk-20072008-7103-7103.html"
FOR = {"SP", "PvdA", "GroenLinks", "D66", "PvdD", "ChristenUnie"}


@pytest.fixture
async def replay() -> AsyncIterator[ReplayServer]:
    async with ReplayServer("handelingen-vote") as server:
        yield server


async def test_a_vote_section_decides_a_motion_without_stemming_rows(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    settings: Settings,
    replay: ReplayServer,
) -> None:
    watching = settings.model_copy(update={**replay.urls, "watchlist": [MOTION]})
    app = build_app(watching, repo=repo)
    try:
        first = await poll_once(app, notify=False)
        assert all(o.ok for o in first.outcomes), first.outcomes
        second = await poll_once(app)
    finally:
        await app.aclose()
    assert [c for c in first.changes if c.motion_id == MOTION]
    assert [c for c in second.changes if c.motion_id == MOTION] == []  # nothing changes again
    handelingen = [line for line in replay.request_log if "h-tk-20072008-7103-7103.xml" in line]
    assert len(handelingen) == 1  # read once: the second poll knows the item

    motion = repo.get_motion(MOTION)
    assert motion is not None
    assert motion.parliamentary_status is ParliamentaryStatus.ADOPTED
    besluiten = [d for d in motion.decisions if d.source is None]
    assert [(d.raw_kind, d.votes) for d in besluiten] == [("Stemmen - aangenomen", ())]
    final = motion.final_decision
    assert final is not None
    assert (final.source, final.date) == (URL, datetime.date(2008, 6, 24))

    # the API
    web = create_app(watching, repo)
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url=watching.public_url) as client:
        data = (await client.get(f"/api/motions/{MOTION}")).json()
        page = await client.get(f"/motie/{MOTION}")
    assert data["parliamentary_status"] == "adopted"
    assert data["decision_source"] == URL
    assert data["decision_date"] == "2008-06-24"
    assert {v["party"] for v in data["votes"] if v["vote"] == "for"} == FOR
    assert not [v for v in data["votes"] if v["vote"] == "against"]  # "de overige fracties"
    # the motion page
    assert page.status_code == 200
    assert URL in page.text
    assert "Handelingen" in page.text
    assert "24 juni 2008" in page.text
    assert all(party in page.text for party in FOR)

    # /status in Telegram
    [status] = await say(fake, CHAT, f"/status {MOTION}")
    html = status["html"]
    assert "aangenomen" in html
    assert "24 juni 2008" in html
    assert f'<a href="{URL}">Handelingen</a>' in html
    voor = next(line for line in html.splitlines() if line.startswith("Voor:"))
    assert all(party in voor for party in FOR)


async def test_a_besluit_with_stemming_rows_is_not_overridden_by_the_handelingen(
    repo: Repository, settings: Settings, replay: ReplayServer
) -> None:
    """21501-02-3067's real Besluit has Stemming rows (seats): a Handelingen reading of the same
    vote (constructed here, with another outcome to make a difference visible) does not win."""
    app = build_app(settings.model_copy(update=replay.urls), repo=repo)
    try:
        await poll_once(app, notify=False)
    finally:
        await app.aclose()
    before = repo.get_motion("21501-02-3067")
    assert before is not None
    recorded = before.final_decision
    assert recorded is not None
    assert recorded.votes
    assert recorded.source is None
    other = Decision(
        id=f"h-tk-x#{before.id}",
        motion_id=before.id,
        status=ParliamentaryStatus.REJECTED,
        raw_kind="Handelingen: rejected",
        date=recorded.date,
        votes=(PartyVote(actor="SP", party="SP", choice=VoteChoice.FOR, seats=0),),
        source="https://zoek.officielebekendmakingen.nl/h-tk-x.html",
    )
    observed = Motion(
        id=before.id,
        title="",
        parliamentary_status=ParliamentaryStatus.REJECTED,
        decisions=(other,),
        source="officielebekendmakingen",
    )
    await asyncio.to_thread(repo.apply_poll, Observation(motions=(observed,)))
    after = repo.get_motion("21501-02-3067")
    assert after is not None
    assert after.parliamentary_status is ParliamentaryStatus.ADOPTED
    assert after.final_decision == recorded
    assert dataclasses.replace(after, decisions=before.decisions) == before
