"""Issue 16, last point end to end: a decision and its votes read from a real vote section.

Replay scenario ``handelingen-vote``: the real vote sections h-tk-20072008-7103-7103 (26407-34
adopted) and h-tk-20222023-39-34 (36200-VI-30 rejected, both sides named) behind DERIVED SRU
records, and DERIVED Tweede Kamer records of the two motions, whose Besluiten have no Stemming
rows (replay/data/handelingen/). The motions are tracked because the watch list names them
(``KAMERWACHT_WATCHLIST``): no topic motion's vote section was found in public copies (see
tests/scrapers/realtexts/PROVENANCE.md).

An ordinary poll (``poll_once`` on ``build_app``: every source, over loopback) gives each motion
its decision, the date of the vote and the parties for and against as the text names them, shown
with the Handelingen as the source on /status, the motion page and the API; a second poll
changes nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
from collections.abc import AsyncIterator
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Case:
    """A motion, the Handelingen item that decides it, and what that item says."""

    motion: str
    url: str
    status: str
    label: str  # in /status and on the page
    date: datetime.date
    shown: str  # the date as shown
    title: str  # how the Tweede Kamer record's title begins
    parties_for: frozenset[str]
    parties_against: frozenset[str]


OB = "https://zoek.officielebekendmakingen.nl"
CASES = (
    # "de aanwezige leden van de fracties van de SP, de PvdA, GroenLinks, D66, de PvdD en de
    # ChristenUnie voor deze gewijzigde motie … en die van de overige fracties ertegen, zodat zij
    # is aangenomen": the parties against are not named
    Case(
        "26407-34",
        f"{OB}/h-tk-20072008-7103-7103.html",
        "adopted",
        "aangenomen",
        datetime.date(2008, 6, 24),
        "24 juni 2008",
        "Gewijzigde motie van het lid Polderman c.s. over een actieprogramma",
        frozenset({"SP", "PvdA", "GroenLinks", "D66", "PvdD", "ChristenUnie"}),
        frozenset(),
    ),
    # "de leden van de fracties van de SP, GroenLinks, BIJ1, Volt, DENK, de PvdA, de PvdD en de
    # SGP voor deze motie … en de leden van de fracties van Fractie Den Haan, D66, Lid Omtzigt, de
    # ChristenUnie, de VVD, het CDA, BBB, JA21, de PVV, FVD en Groep Van Haga ertegen, zodat zij
    # is verworpen"
    Case(
        "36200-VI-30",
        f"{OB}/h-tk-20222023-39-34.html",
        "rejected",
        "verworpen",
        datetime.date(2022, 12, 22),
        "22 december 2022",
        "Motie van het lid Piri over het budget voor vrije besteding",
        frozenset({"SP", "GroenLinks", "BIJ1", "Volt", "DENK", "PvdA", "PvdD", "SGP"}),
        frozenset(
            {"Fractie Den Haan", "D66", "Omtzigt", "ChristenUnie", "VVD", "CDA", "BBB", "JA21"}
            | {"PVV", "FVD", "Groep Van Haga"}
        ),
    ),
)


@pytest.fixture
async def replay() -> AsyncIterator[ReplayServer]:
    async with ReplayServer("handelingen-vote") as server:
        yield server


async def test_vote_sections_decide_motions_without_stemming_rows(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    settings: Settings,
    replay: ReplayServer,
) -> None:
    watching = settings.model_copy(
        update={**replay.urls, "watchlist": [case.motion for case in CASES]}
    )
    app = build_app(watching, repo=repo)
    try:
        first = await poll_once(app, notify=False)
        assert all(o.ok for o in first.outcomes), first.outcomes
        second = await poll_once(app)
    finally:
        await app.aclose()
    for case in CASES:
        assert [c for c in first.changes if c.motion_id == case.motion]
        assert [c for c in second.changes if c.motion_id == case.motion] == []  # nothing again
        item = case.url.rsplit("/", 1)[1].replace(".html", ".xml")
        assert len([line for line in replay.request_log if item in line]) == 1  # read once

        motion = repo.get_motion(case.motion)
        assert motion is not None
        assert motion.parliamentary_status.value == case.status
        assert motion.title.startswith(case.title)  # the Zaak's Onderwerp, not the text's phrase
        besluiten = [d for d in motion.decisions if d.source is None]
        assert [(d.status.value, d.votes) for d in besluiten] == [(case.status, ())]
        final = motion.final_decision
        assert final is not None
        assert (final.source, final.date) == (case.url, case.date)
        await _shown(case, watching, repo, fake)


async def _shown(case: Case, settings: Settings, repo: Repository, fake: FakeBotAPI) -> None:
    """The decision, its date, the parties and the Handelingen as source: API, page, /status."""
    web = create_app(settings, repo)
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as client:
        data = (await client.get(f"/api/motions/{case.motion}")).json()
        page = await client.get(f"/motie/{case.motion}")
    assert data["parliamentary_status"] == case.status
    assert data["decision_source"] == case.url
    assert data["decision_date"] == case.date.isoformat()
    assert {v["party"] for v in data["votes"] if v["vote"] == "for"} == case.parties_for
    assert {v["party"] for v in data["votes"] if v["vote"] == "against"} == case.parties_against
    assert data["tally"] is None  # parties without seats
    assert page.status_code == 200
    assert case.url in page.text
    assert "Handelingen" in page.text
    assert case.shown in page.text
    assert all(party in page.text for party in case.parties_for | case.parties_against)
    assert "0 zetels voor" not in page.text  # parties without seats: listed, no seat chart
    parties = [line for line in page.text.splitlines() if line.startswith("<li>voor: ")]
    assert len(parties) == 1
    named = parties[0].removeprefix("<li>voor: ").removesuffix("</li>").split(",")
    assert {name.strip() for name in named} == case.parties_for

    [status] = await say(fake, CHAT, f"/status {case.motion}")
    html = status["html"]
    assert f"<b>{case.label}</b> · {case.shown}" in html  # no "(0-0)": no seats, no tally
    assert "(0-0)" not in html
    assert f'<a href="{case.url}">Handelingen</a>' in html
    lines = html.splitlines()
    voor = next(line for line in lines if line.startswith("Voor:"))
    assert set(voor.removeprefix("Voor: ").split(", ")) == case.parties_for  # no seat counts
    tegen = [line for line in lines if line.startswith("Tegen:")]
    assert all(party in "".join(tegen) for party in case.parties_against)
    assert bool(tegen) is bool(case.parties_against)
    # one decision in the timeline: the dateless Besluit is the vote the Handelingen record
    assert f"{case.shown} · {case.label}" in html
    assert f"datum onbekend · {case.label}" not in html


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
