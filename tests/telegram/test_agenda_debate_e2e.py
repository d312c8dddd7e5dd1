"""Issue 17, point 1: a debate with a followed dossier on its agenda, end to end.

The replay server (scenario ``agenda-debate``) serves the real Commissiedebat 2025A03873 (Raad
Buitenlandse Zaken, planned for 10 December 2025 10:00, as recorded) with one DERIVED agenda item
carrying the real Zaak 2021Z10879, the letter 21501-02-2375 of dossier 21501-02 (evidence:
``replay/data/agenda/agendapunt_commissiedebat_2025A03873_DERIVED.json``). A chat following the
dossier 21501-02 gets "on a debate's agenda" once (in Dutch or English), through an ordinary
poll, with the debate's date and time, kind and subject, the letter, and the calendar file; a
chat following another dossier gets nothing; a second poll pushes nothing; ``/agenda``, the web
page, ``/agenda.ics`` and ``kamerwacht agenda --json`` list the debate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar

from bot.app import App, poll_once
from bot.delivery import deliver_telegram_once
from bot.settings import Settings
from bot.telegram.notifier import TelegramNotifier
from bot.telegram.service import BotApplication
from bot.web.app import create_app
from replay.server import ReplayServer
from state.models import ChangeKind, SubscriptionKind
from state.repository import Repository
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import agenda_app, cli_json, follows, say

FOLLOWER = 1731  # follows the dossier 21501-02
OTHER = 1732  # follows the dossier 21501-20 (Europese Raad) only
ENGLISH = 1733  # follows the dossier 21501-02, in English
DEBATE = "2025A03873"
LETTER_ZAAK = "2021Z10879"  # Brief regering, kst-21501-02-2375
LETTER_TITLE = "Reactie op verzoek commissie over het conflict tussen Azerbeidzjan en Armenië"


@pytest.fixture
async def replay() -> AsyncIterator[ReplayServer]:
    async with ReplayServer("agenda-debate") as server:
        yield server


async def _pushes(app: App, notifier: TelegramNotifier, fake: FakeBotAPI) -> dict[int, list[str]]:
    before = len(fake.sent)
    await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    out: dict[int, list[str]] = {FOLLOWER: [], OTHER: [], ENGLISH: []}
    for message in fake.sent[before:]:
        out.setdefault(message["chat"]["id"], []).append(message["html"])
    return out


async def test_a_followed_dossier_on_a_debate_agenda_is_pushed_once(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    settings: Settings,
    notifier: TelegramNotifier,
    replay: ReplayServer,
    tmp_path: Path,
) -> None:
    app = agenda_app(settings, repo, replay)
    try:
        # the topic as kamerwacht knows it before anyone follows (no pushes)
        await poll_once(app, notify=False, sources=app.sources)
        await say(fake, FOLLOWER, "/volg 21501-02")
        await say(fake, OTHER, "/volg 21501-20")
        await say(fake, ENGLISH, "/taal en")
        await say(fake, ENGLISH, "/volg 21501-02")
        assert follows(repo, FOLLOWER, SubscriptionKind.DOSSIER, "21501-02")
        assert follows(repo, OTHER, SubscriptionKind.DOSSIER, "21501-20")

        report = await poll_once(app)  # an ordinary poll: every source and the agenda
        [scheduled] = [c for c in report.changes if c.letter_id == DEBATE]
        assert scheduled.kind is ChangeKind.DEBATE_SCHEDULED
        assert scheduled.new == "2025-12-10T09:00:00+00:00"  # 10:00 in The Hague
        pushed = await _pushes(app, notifier, fake)
        assert pushed[OTHER] == []
        [message] = pushed[FOLLOWER]
        assert "Op de agenda van een debat" in message
        assert "<b>10 december 2025, 10:00</b>" in message
        assert f"<code>{DEBATE}</code>" in message
        assert "Commissiedebat" in message
        assert "Raad Buitenlandse Zaken 15 december 2025" in message
        assert LETTER_TITLE in message
        assert "motie" not in message  # a letter, not a motion
        assert "/motie/" not in message
        [english] = pushed[ENGLISH]
        assert "On the agenda of a debate on <b>10 December 2025, 10:00</b>" in english
        assert "Commissiedebat: <i>Raad Buitenlandse Zaken 15 december 2025</i>" in english
        # the calendar entry travels with the push, as with a motion on a vote list
        [document] = [d for d in fake.documents if d["chat"] == FOLLOWER]
        assert document["filename"] == f"kamerwacht-{LETTER_ZAAK}.ics"
        assert document["silent"]
        [event] = Calendar.from_ical(document["content"]).walk("VEVENT")
        assert event.decoded("dtstart").isoformat() == "2025-12-10T09:00:00+00:00"
        assert event.decoded("dtend").isoformat() == "2025-12-10T13:00:00+00:00"
        assert str(event["summary"]).startswith(f"Debat: {LETTER_ZAAK}")
        assert "Raad Buitenlandse Zaken 15 december 2025" in str(event["description"])
        assert not [d for d in fake.documents if d["chat"] == OTHER]

        # a second poll pushes nothing
        again = await poll_once(app)
        assert [c for c in again.changes if c.letter_id == DEBATE] == []
        assert await _pushes(app, notifier, fake) == {FOLLOWER: [], OTHER: [], ENGLISH: []}

        # /agenda in the bot
        [answer] = await say(fake, FOLLOWER, "/agenda")
        assert DEBATE in answer["html"]
        assert "10 december 2025, 10:00" in answer["html"]
        assert "Commissiedebat: Raad Buitenlandse Zaken 15 december 2025" in answer["html"]
        assert f"<code>{LETTER_ZAAK}</code>" in answer["html"]
        assert "/motie/" + LETTER_ZAAK not in answer["html"]

        # the web page and /agenda.ics, read back with an iCalendar parser
        web = create_app(settings, repo)
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            page = await client.get("/agenda")
            assert page.status_code == 200
            assert DEBATE in page.text
            assert LETTER_ZAAK in page.text
            assert f"/motie/{LETTER_ZAAK}" not in page.text
            r = await client.get("/agenda.ics")
            assert r.status_code == 200
            events = [
                e
                for e in Calendar.from_ical(r.content).walk("VEVENT")
                if LETTER_ZAAK in str(e["summary"])
            ]
            assert len(events) == 1
            assert events[0].decoded("dtstart").isoformat() == "2025-12-10T09:00:00+00:00"
            assert str(events[0]["uid"]) == str(event["uid"])  # the pushed file's event

        # kamerwacht agenda --json
        listed = await cli_json(settings.database_url, tmp_path, "agenda", "--json")
        [row] = [r for r in listed if r["activity"] == DEBATE]
        assert row["when"] == "2025-12-10T09:00:00+00:00"
        assert row["vote"] is False
        assert row["kind"] == "Commissiedebat"
        assert row["subject"] == "Raad Buitenlandse Zaken 15 december 2025"
        assert row["dossier"] == "21501-02"
        assert row["zaak_nummer"] == LETTER_ZAAK
        assert row["motion_id"] is None
    finally:
        await app.client.aclose()
