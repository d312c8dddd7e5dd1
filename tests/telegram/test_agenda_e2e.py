"""Issue 17, point 1 end to end: a followed motion on the real vote list of 2 October 2025.

The replay server serves the real agenda records (scenario ``agenda``: step 0 before the vote,
step 1 after it; ``agenda-postponed``: step 1 the session moved). A chat following one of the
motions gets "on the vote list" once, with the date and time and the cabinet's appraisal, then
the result; ``/agenda``, ``/agenda.ics`` (parsed with icalendar) and ``kamerwacht agenda
--json`` show it; a postponement is pushed.
"""

from __future__ import annotations

import json
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
from state.models import ChangeKind
from state.repository import Repository
from tests.telegram.conftest import PUBLIC_URL
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import agenda_app, cli_json, say

CHAT = 1701
MOTION = "2025Z08365"  # Rikkers-Oosterkamp, pgb op maat in de Wlz; appraisal "Ontraden"


@pytest.fixture
async def replay(request: pytest.FixtureRequest) -> AsyncIterator[ReplayServer]:
    async with ReplayServer(request.param) as server:
        yield server


def _app(settings: Settings, repo: Repository, replay: ReplayServer) -> App:
    # the motion is on the operator's watch list, so kamerwacht knows it before the session
    return agenda_app(settings, repo, replay, watchlist=[MOTION])


async def _pushes(app: App, notifier: TelegramNotifier, fake: FakeBotAPI) -> list[str]:
    before = len(fake.sent)
    await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    return [m["html"] for m in fake.sent[before:] if m["chat"]["id"] == CHAT]


@pytest.mark.parametrize("replay", ["agenda"], indirect=True)
async def test_on_the_vote_list_once_then_the_result(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    settings: Settings,
    notifier: TelegramNotifier,
    replay: ReplayServer,
    tmp_path: Path,
) -> None:
    app = _app(settings, repo, replay)
    try:
        await poll_once(app, notify=False, sources=app.sources)  # the motions, not the agenda
        assert repo.get_motion(MOTION) is not None
        await say(fake, CHAT, f"/volg {MOTION}")
        report = await poll_once(app)
        kinds = [c.kind for c in report.changes if c.motion_id == MOTION]
        assert kinds == [ChangeKind.VOTE_SCHEDULED]
        pushed = await _pushes(app, notifier, fake)
        [scheduled] = [m for m in pushed if "Op de stemmingslijst" in m]
        assert "<b>2 oktober 2025, 22:30</b>" in scheduled
        assert "<code>2025A06526</code>" in scheduled
        assert "Appreciatie kabinet: <b>Ontraden</b>" in scheduled
        assert f'href="{PUBLIC_URL}/motie/{MOTION}/agenda.ics"' in scheduled
        assert "Rikkers-Oosterkamp" in scheduled
        # the calendar entry travels with the push (sendDocument, silent), the link stays
        [document] = [d for d in fake.documents if d["chat"] == CHAT]
        assert document["filename"] == f"kamerwacht-{MOTION}.ics"
        assert document["silent"]
        attached = Calendar.from_ical(document["content"])
        [event] = attached.walk("VEVENT")
        assert MOTION in str(event["summary"])
        assert event.decoded("dtstart").isoformat() == "2025-10-02T20:30:00+00:00"
        assert "Ontraden" in str(event["description"])
        assert str(event["url"]) == f"{PUBLIC_URL}/motie/{MOTION}"

        # a second poll before the vote pushes nothing again
        again = await poll_once(app)
        assert [c for c in again.changes if c.motion_id == MOTION] == []

        # /agenda in the bot
        [answer] = await say(fake, CHAT, "/agenda")
        assert MOTION in answer["html"]
        assert "2 oktober 2025, 22:30" in answer["html"]
        assert "Ontraden" in answer["html"]

        # /agenda.ics and /motie/<id>/agenda.ics, read back with an iCalendar parser
        web = create_app(settings, repo)
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            page = await client.get("/agenda")
            assert page.status_code == 200
            assert MOTION in page.text
            for path in ("/agenda.ics", f"/motie/{MOTION}/agenda.ics"):
                r = await client.get(path)
                assert r.status_code == 200
                assert r.headers["content-type"].startswith("text/calendar")
                calendar = Calendar.from_ical(r.content)
                events = [e for e in calendar.walk("VEVENT") if MOTION in str(e["summary"])]
                assert len(events) == 1
                start = events[0].decoded("dtstart")
                assert start.isoformat() == "2025-10-02T20:30:00+00:00"
                assert "Ontraden" in str(events[0]["description"])
                assert str(events[0]["url"]) == f"{PUBLIC_URL}/motie/{MOTION}"

        # kamerwacht agenda --json
        rows = await cli_json(settings.database_url, tmp_path, "agenda", "--json")
        [row] = [r for r in rows if r["motion_id"] == MOTION]
        assert row["when"] == "2025-10-02T20:30:00+00:00"
        assert row["appraisal"] == "Ontraden"
        assert row["vote"] is True
        assert row["activity"] == "2025A06526"

        # after the vote: the result, and no second "on the vote list"
        replay.advance()
        after = await poll_once(app)
        mine = [c for c in after.changes if c.motion_id == MOTION]
        assert [c.kind for c in mine] == [ChangeKind.VOTE_RECORDED]
        pushed = await _pushes(app, notifier, fake)
        assert len(pushed) == 1
        assert "verworpen" in pushed[0]
        assert len(fake.documents) == 1  # the result carries no calendar file
        assert "Op de stemmingslijst" not in pushed[0]
        assert repo.agenda() == []
    finally:
        await app.client.aclose()


@pytest.mark.parametrize("replay", ["agenda-postponed"], indirect=True)
async def test_a_postponed_session_is_pushed(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    settings: Settings,
    notifier: TelegramNotifier,
    replay: ReplayServer,
) -> None:
    app = _app(settings, repo, replay)
    try:
        await poll_once(app, notify=False, sources=app.sources)
        await say(fake, CHAT, f"/volg {MOTION}")
        await poll_once(app)
        await _pushes(app, notifier, fake)
        replay.advance()
        report = await poll_once(app)
        [moved] = [c for c in report.changes if c.motion_id == MOTION]
        assert moved.kind is ChangeKind.AGENDA_MOVED
        assert (moved.old, moved.new) == ("2025-10-02T20:30:00+00:00", "2025-10-09T20:30:00+00:00")
        [pushed] = await _pushes(app, notifier, fake)
        assert "<b>Verplaatst</b>" in pushed
        assert "2 oktober 2025, 22:30 → <b>9 oktober 2025, 22:30</b>" in pushed
        # the calendar file of the move: the same UID, the new time (calendars update the entry)
        first, second = (Calendar.from_ical(d["content"]) for d in fake.documents)
        [before], [after] = first.walk("VEVENT"), second.walk("VEVENT")
        assert str(after["uid"]) == str(before["uid"])
        assert after.decoded("dtstart").isoformat() == "2025-10-09T20:30:00+00:00"
        [item] = repo.agenda(motion_id=MOTION)
        assert item.status.value == "moved"
    finally:
        await app.client.aclose()


async def test_agenda_is_in_the_command_menu_and_in_help_in_both_languages(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    menus = {
        call.params.get("language_code") or "nl": call.params["commands"]
        for call in fake.calls_of("setMyCommands")
    }
    assert set(menus) == {"nl", "en"}
    for lang, commands in menus.items():
        if isinstance(commands, str):
            commands = json.loads(commands)
        named = {c["command"]: c["description"] for c in commands}
        assert "agenda" in named, lang
        assert (
            "stemmingslijst" in named["agenda"] if lang == "nl" else "vote list" in named["agenda"]
        )
    [dutch] = await say(fake, 777, "/help")
    assert "<b>/agenda</b> — moties op de stemmingslijst" in dutch["html"]
    await say(fake, 777, "/taal en")
    [english] = await say(fake, 777, "/help")
    assert "<b>/agenda</b> — motions on the vote list" in english["html"]


@pytest.mark.parametrize("replay", ["agenda-deleted"], indirect=True)
async def test_a_session_deleted_upstream_is_taken_off_once(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    settings: Settings,
    notifier: TelegramNotifier,
    replay: ReplayServer,
    tmp_path: Path,
) -> None:
    """The session's Activiteit row comes back with ``Verwijderd`` true (DERIVED from the
    recorded deleted rows): its items leave /agenda, /agenda.ics and ``agenda --json``, and the
    followers of a motion on it hear once that it was taken off the list."""
    app = _app(settings, repo, replay)
    try:
        await poll_once(app, notify=False, sources=app.sources)
        await say(fake, CHAT, f"/volg {MOTION}")
        await poll_once(app)
        [scheduled] = await _pushes(app, notifier, fake)
        assert "Op de stemmingslijst" in scheduled
        assert len(repo.agenda(motion_id=MOTION)) == 1
        planned = {i.activity_nummer for i in repo.agenda()}
        assert "2025A06526" in planned

        replay.advance()
        report = await poll_once(app)
        [off] = [c for c in report.changes if c.motion_id == MOTION]
        assert off.kind is ChangeKind.AGENDA_REMOVED
        assert (off.old, off.new) == ("2025-10-02T20:30:00+00:00", None)
        [pushed] = await _pushes(app, notifier, fake)
        assert MOTION in pushed
        assert "Van de agenda van 2 oktober 2025, 22:30 gehaald (<code>2025A06526</code>)" in pushed
        assert repo.agenda(motion_id=MOTION) == []
        assert "2025A06526" not in {i.activity_nummer for i in repo.agenda()}
        # the other planned sessions stay listed
        assert planned - {"2025A06526"} <= {i.activity_nummer for i in repo.agenda()}

        web = create_app(settings, repo)
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            page = await client.get("/agenda")
            assert page.status_code == 200
            assert MOTION not in page.text
            for path in ("/agenda.ics", f"/motie/{MOTION}/agenda.ics"):
                r = await client.get(path)
                assert r.status_code == 200
                calendar = Calendar.from_ical(r.content)
                assert not [e for e in calendar.walk("VEVENT") if MOTION in str(e["summary"])]
        listed = await cli_json(settings.database_url, tmp_path, "agenda", "--json")
        assert [r for r in listed if r["motion_id"] == MOTION] == []

        # polled again (the deleted row is older than the cursor now): nothing more
        again = await poll_once(app)
        assert [c for c in again.changes if c.motion_id == MOTION] == []
        assert await _pushes(app, notifier, fake) == []
    finally:
        await app.client.aclose()
