"""Issue 17, point 2 end to end: the cabinet's commitments on the topic (DERIVED records).

Scenario ``demo``: before the letter of 4 November 2021 the commitment made in the committee
debate of 14 October 2021 is open; when the letter arrives it is fulfilled, and the chat that
follows it gets the status change with the letter and the sentence of the letter that says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build_client, poll_once
from bot.delivery import deliver_telegram_once
from bot.settings import Settings
from bot.telegram.notifier import TelegramNotifier
from bot.telegram.service import BotApplication
from replay.scenarios import DATA
from replay.server import ReplayServer
from scrapers.topics import get_topic
from scrapers.tweedekamer import TweedeKamerSource
from scrapers.tweedekamer_commitments import CommitmentSource, check_schema
from state.models import ChangeKind
from state.repository import Repository
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import cli_json, say

CHAT = 1702
NUMBER = "TZ202110-001"
SENTENCE = "Conform mijn toezegging tijdens het Commissiedebat Raad Buitenlandse Zaken van 14"


@pytest.fixture
async def replay() -> AsyncIterator[ReplayServer]:
    async with ReplayServer("demo") as server:
        yield server


async def test_a_fulfilled_commitment_reaches_its_follower_with_the_letter(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    settings: Settings,
    notifier: TelegramNotifier,
    replay: ReplayServer,
    tmp_path: Path,
) -> None:
    url = f"{replay.base_url}/OData/v4/2.0"
    topic = get_topic(settings.topic)
    app = App(
        settings=settings,
        repo=repo,
        client=build_client(settings),
        sources=[TweedeKamerSource(url, topic)],
        commitments=CommitmentSource(url, topic),
    )
    try:
        first = await poll_once(app, notify=False)
        new = {c.subject: c.new for c in first.changes if c.kind is ChangeKind.COMMITMENT_NEW}
        assert new == {NUMBER: "open", "TZ202106-001": "fulfilled"}

        [answer] = await say(fake, CHAT, f"/volg {NUMBER}")
        assert NUMBER in answer["html"]
        assert "openstaand" in answer["html"]
        [status] = await say(fake, CHAT, f"/status {NUMBER.lower()}")
        assert "Nagorno-Karabach" in status["html"]

        replay.advance()  # the letter of 4 November 2021 arrives
        second = await poll_once(app)
        [changed] = [c for c in second.changes if c.kind is ChangeKind.COMMITMENT_STATUS]
        assert (changed.subject, changed.old, changed.new) == (NUMBER, "open", "fulfilled")
        assert changed.letter_id == "2021D41766"
        assert changed.evidence is not None
        assert changed.evidence.startswith(SENTENCE)

        before = len(fake.sent)
        await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
        mine = [m["html"] for m in fake.sent[before:] if m["chat"]["id"] == CHAT]
        [pushed] = [m for m in mine if "Toezegging gewijzigd" in m]
        assert "openstaand → <b>voldaan</b>" in pushed
        assert SENTENCE in pushed
        assert "Uitvoering moties" in pushed or "Nagorno-Karabach" in pushed  # the letter

        listed = await cli_json(settings.database_url, tmp_path, "commitments", "--json")
        rows = {r["number"]: r for r in listed}
        assert rows[NUMBER]["status"] == "fulfilled"
        assert rows[NUMBER]["letter"] == "2021D41766"
        assert rows["TZ202106-001"]["status"] == "fulfilled"
    finally:
        await app.client.aclose()


def test_the_recorded_metadata_has_every_toezegging_property_read() -> None:
    metadata = (DATA / "metadata.xml").read_bytes()
    assert check_schema(metadata) == []
    renamed = metadata.replace(b'Name="KamerbriefNakoming"', b'Name="BriefNakoming"')
    assert check_schema(renamed) == ["Toezegging.KamerbriefNakoming is missing"]
    assert check_schema(b"<x/>") == ["entity type Toezegging is missing"]
    assert check_schema(b"not xml")[0].startswith("$metadata is not XML")
