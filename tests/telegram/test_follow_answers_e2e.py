"""The answer to a follow, end to end (follow-up of issue 17).

1. The answer to ``/volg`` (and the Follow button's answer) carries a "Meldingen" / "Alerts"
   button that opens what ``/meldingen <id>`` shows for that follow (the same ``r:`` path); a
   forged or stale button is answered with one line and changes nothing.
2. A chat that follows a motion or dossier after its vote was put on the agenda is told in the
   answer what is already planned (the agenda push went out when the item was first seen).

On the replay scenario ``agenda``: the real records of the voting session of 2 October 2025 with
motion 2025Z08365 on its list (step 0), and the same session after the vote (step 1); and on
``agenda-debate``: the real Commissiedebat 2025A03873 of 10 December 2025 with the letter
21501-02-2375 (Zaak 2021Z10879) of dossier 21501-02 on a DERIVED agenda item.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import App, poll_once
from bot.settings import Settings
from bot.telegram import routing as routing_settings
from bot.telegram.service import BotApplication
from replay.server import ReplayServer
from state.models import ChangeKind, Channel, SubscriptionKind
from state.repository import Repository
from state.routing import Route, RouteClass
from tests.telegram.conftest import PUBLIC_URL
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import agenda_app, buttons, say, subscriptions_of, tap

MOTION = "2025Z08365"  # Rikkers-Oosterkamp, on the list of 2 October 2025; appraisal "Ontraden"
NL, EN, OTHER, VIA_BUTTON = 1801, 1802, 1803, 1804
DEBATE = "2025A03873"
LETTER_ZAAK = "2021Z10879"  # Brief regering, kst-21501-02-2375


@pytest.fixture
async def replay(request: pytest.FixtureRequest) -> AsyncIterator[ReplayServer]:
    async with ReplayServer(request.param) as server:
        yield server


@pytest.fixture
async def app(settings: Settings, repo: Repository, replay: ReplayServer) -> AsyncIterator[App]:
    """The poller on the replay server, the session already polled (nobody followed the motion
    then: its "on the vote list" push reached no one)."""
    polling = agenda_app(settings, repo, replay, watchlist=[MOTION])
    try:
        await poll_once(polling, notify=False, sources=polling.sources)  # the motions
        report = await poll_once(polling)  # the agenda
        scheduled = [c.kind for c in report.changes if c.motion_id == MOTION]
        assert scheduled == [ChangeKind.VOTE_SCHEDULED]
        assert repo.outbox_counts().get("pending", 0) == 0  # told to no one
        yield polling
    finally:
        await polling.client.aclose()


def _follow_id(repo: Repository, chat: int, kind: SubscriptionKind, value: str) -> int:
    [found] = [s for s in subscriptions_of(repo, chat) if s.kind is kind and s.value == value]
    assert found.id is not None
    return found.id


async def _tap_and_answer(
    fake: FakeBotAPI, chat: int, message: dict[str, Any], data: str
) -> dict[str, Any]:
    """Press a button; the callback answer."""
    await tap(fake, chat, message, data)
    answer: dict[str, Any] = fake.answers[-1]
    return answer


def _no_error_answer(fake: FakeBotAPI, chat: int) -> bool:
    return not any(
        "Er ging iets mis" in str(m["html"]) or "Something went wrong" in str(m["html"])
        for m in fake.messages_to(chat)
    )


@pytest.mark.parametrize("replay", ["agenda"], indirect=True)
async def test_a_follow_after_the_vote_was_put_on_the_list_is_told_of_it(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository, app: App, replay: ReplayServer
) -> None:
    assert len(repo.agenda(motion_id=MOTION)) == 1  # what /agenda 2025Z08365 lists

    # Dutch
    [answer] = await say(fake, NL, f"/volg {MOTION}")
    html = str(answer["html"])
    assert html.startswith(f"✓ Deze chat volgt nu motie {MOTION}.")
    assert "<b>Al gepland</b>" in html
    assert (
        "🗳 Op de stemmingslijst van <b>2 oktober 2025, 22:30</b> (<code>2025A06526</code>)" in html
    )
    assert "Appreciatie kabinet: <b>Ontraden</b>" in html
    assert f'href="{PUBLIC_URL}/motie/{MOTION}/agenda.ics"' in html

    # English
    await say(fake, EN, "/taal en")
    [answer] = await say(fake, EN, f"/subscribe {MOTION}")
    html = str(answer["html"])
    assert html.startswith(f"✓ This chat now follows motion {MOTION}.")
    assert "<b>Already planned</b>" in html
    assert "🗳 On the vote list of <b>2 October 2025, 22:30</b> (<code>2025A06526</code>)" in html
    assert "Cabinet&#39;s appraisal: <b>Ontraden</b>" in html
    # following it again names it again
    [again] = await say(fake, EN, f"/subscribe {MOTION}")
    assert "already follows" in str(again["html"])
    assert "On the vote list of <b>2 October 2025, 22:30</b>" in str(again["html"])

    # nothing planned, nothing extra: a dossier with nothing on the agenda, and a keyword
    for text in ("/volg 21501-02", "/volg oorlogsrecht"):
        [answer] = await say(fake, OTHER, text)
        assert "volgt nu" in str(answer["html"])
        assert "Al gepland" not in str(answer["html"])
        assert "stemmingslijst" not in str(answer["html"])

    # after the vote the session is held: a new follower is told of nothing planned
    replay.advance()
    await poll_once(app)
    assert repo.agenda(motion_id=MOTION) == []
    [answer] = await say(fake, OTHER, f"/volg {MOTION}")
    assert str(answer["html"]).strip() == f"✓ Deze chat volgt nu motie {MOTION}."
    assert _no_error_answer(fake, OTHER)


@pytest.mark.parametrize("replay", ["agenda-debate"], indirect=True)
async def test_a_dossier_followed_after_its_letter_was_put_on_a_debate_is_told_of_it(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    settings: Settings,
    replay: ReplayServer,
) -> None:
    """No one followed the dossier when the debate was polled: no change was made for it then,
    and none is made when someone follows it later; the answer to the follow names it."""
    polling = agenda_app(settings, repo, replay)
    try:
        await poll_once(polling, notify=False, sources=polling.sources)
        report = await poll_once(polling)
        assert [c for c in report.changes if c.letter_id == DEBATE] == []
    finally:
        await polling.client.aclose()

    [answer] = await say(fake, NL, "/volg 21501-02")
    html = str(answer["html"])
    assert html.startswith("✓ Deze chat volgt nu dossier 21501-02.")
    assert (
        f"💬 Op de agenda van een debat op <b>10 december 2025, 10:00</b> (<code>{DEBATE}</code>)"
        in html
    )
    assert f"<code>{LETTER_ZAAK}</code>: <i>Reactie op verzoek commissie" in html
    assert "Commissiedebat: <i>Raad Buitenlandse Zaken 15 december 2025</i>" in html
    assert f'href="{PUBLIC_URL}/agenda.ics"' in html

    await say(fake, EN, "/taal en")
    [answer] = await say(fake, EN, "/subscribe 21501-02")
    html = str(answer["html"])
    assert "<b>Already planned</b>" in html
    assert (
        f"💬 On the agenda of a debate on <b>10 December 2025, 10:00</b> (<code>{DEBATE}</code>)"
        in html
    )

    # a keyword in the letter's title: the same item; another dossier: nothing extra
    [answer] = await say(fake, OTHER, "/volg Azerbeidzjan")
    assert f"<code>{LETTER_ZAAK}</code>" in str(answer["html"])
    [answer] = await say(fake, OTHER, "/volg 21501-20")
    assert str(answer["html"]).strip() == "✓ Deze chat volgt nu dossier 21501-20."


@pytest.mark.parametrize("replay", ["agenda"], indirect=True)
async def test_the_alerts_button_of_a_follow_answer_opens_that_follows_routes(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository, app: App
) -> None:
    [answer] = await say(fake, NL, f"/volg {MOTION}")
    follow = _follow_id(repo, NL, SubscriptionKind.MOTION, MOTION)
    opener = f"r:*:open:{follow}"
    assert buttons(answer) == [("🔕 Ontvolgen", f"u:m:{MOTION}"), ("⚙️ Meldingen", opener)]

    # the button sends exactly what /meldingen <id> shows
    [shown] = await say(fake, NL, f"/meldingen {MOTION}")
    before = len(fake.sent)
    await tap(fake, NL, answer, opener)
    [opened] = await fake.wait_sent(1, chat_id=NL, after=before)
    assert opened["html"] == shown["html"]
    assert buttons(opened) == buttons(shown)
    assert f"<b>Meldingen voor motie {MOTION}</b>" in str(opened["html"])
    assert "Agenda (stemmingslijst, debatten): <b>direct</b> (zoals de chat)" in str(opened["html"])

    # a tap on a route in it changes this follow's route in the store, not the chat's
    edits = len(fake.edits)
    await tap(fake, NL, opened, f"r:agenda:daily:{follow}")
    await fake.wait_for(lambda: len(fake.edits) > edits)
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(NL))
    assert subscriber is not None
    assert repo.follow_routes(follow) == {RouteClass.AGENDA: Route.DAILY}
    assert repo.routes(subscriber.id) == {}
    assert "Agenda (stemmingslijst, debatten): <b>dagelijks</b>\n" in fake.edits[-1]["html"]

    # in English the button says Alerts and opens the English settings
    await say(fake, NL, "/taal en")
    [answer_en] = await say(fake, NL, f"/subscribe {MOTION}")
    assert ("⚙️ Alerts", opener) in buttons(answer_en)
    before = len(fake.sent)
    await tap(fake, NL, answer_en, opener)
    [opened_en] = await fake.wait_sent(1, chat_id=NL, after=before)
    assert f"<b>Alerts for motion {MOTION}</b>" in str(opened_en["html"])
    assert "<b>daily</b>" in str(opened_en["html"])


@pytest.mark.parametrize("replay", ["agenda"], indirect=True)
async def test_forged_and_stale_alerts_buttons_are_refused_in_one_line(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository, app: App
) -> None:
    [mine] = await say(fake, NL, f"/volg {MOTION}")
    follow = _follow_id(repo, NL, SubscriptionKind.MOTION, MOTION)
    [theirs] = await say(fake, OTHER, "/volg 21501-02")

    # another chat's follow id, on a button of its own message: one line, nothing shown or set
    sent = len(fake.sent)
    answer = await _tap_and_answer(fake, OTHER, theirs, f"r:*:open:{follow}")
    assert answer["text"] == "Deze chat volgt dit niet (meer); zie /lijst."
    answer = await _tap_and_answer(fake, OTHER, theirs, f"r:status:off:{follow}")
    assert answer["text"] == "Deze chat volgt dit niet (meer); zie /lijst."
    assert repo.follow_routes(follow) == {}
    # a follow id nobody has, and malformed data
    answer = await _tap_and_answer(fake, OTHER, theirs, "r:*:open:999999")
    assert answer["text"] == "Deze chat volgt dit niet (meer); zie /lijst."
    answer = await _tap_and_answer(fake, OTHER, theirs, "r:*:open:")
    assert answer["text"] == "Deze knop werkt niet meer."
    answer = await _tap_and_answer(fake, OTHER, theirs, "r:*:open")
    assert answer["text"] == "Deze knop werkt niet meer."
    assert len(fake.sent) == sent

    # stale: the follow since removed; the old answer's button no longer opens anything
    await say(fake, NL, f"/ontvolg {MOTION}")
    sent = len(fake.sent)
    answer = await _tap_and_answer(fake, NL, mine, f"r:*:open:{follow}")
    assert answer["text"] == "Deze chat volgt dit niet (meer); zie /lijst."
    assert len(fake.sent) == sent
    await say(fake, NL, "/taal en")
    answer = await _tap_and_answer(fake, NL, mine, f"r:agenda:off:{follow}")
    assert answer["text"] == "This chat does not follow this (any more); see /list."
    assert repo.follow_routes(follow) == {}
    assert _no_error_answer(fake, NL)
    assert _no_error_answer(fake, OTHER)


@pytest.mark.parametrize("replay", ["agenda"], indirect=True)
async def test_the_follow_button_answers_with_the_alerts_button_and_what_is_planned(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository, app: App
) -> None:
    [status] = await say(fake, VIA_BUTTON, f"/status {MOTION}")
    assert buttons(status) == [("🔔 Volgen", f"F:m:{MOTION}")]
    before = len(fake.sent)
    edits = len(fake.edits)
    await tap(fake, VIA_BUTTON, status, f"F:m:{MOTION}")
    assert fake.answers[-1]["text"] == f"✓ Deze chat volgt nu motie {MOTION}."
    # what is planned comes in a message of its own
    [planned] = await fake.wait_sent(1, chat_id=VIA_BUTTON, after=before)
    assert "Op de stemmingslijst van <b>2 oktober 2025, 22:30</b>" in str(planned["html"])
    # the status answer is redrawn with Unfollow and the follow's Meldingen button
    await fake.wait_for(lambda: len(fake.edits) > edits)
    follow = _follow_id(repo, VIA_BUTTON, SubscriptionKind.MOTION, MOTION)
    [redrawn] = [m for m in fake.edits[edits:] if m["message_id"] == status["message_id"]]
    assert buttons(redrawn) == [
        ("🔕 Ontvolgen", f"U:m:{MOTION}"),
        ("⚙️ Meldingen", f"r:*:open:{follow}"),
    ]
    before = len(fake.sent)
    await tap(fake, VIA_BUTTON, redrawn, f"r:*:open:{follow}")
    [opened] = await fake.wait_sent(1, chat_id=VIA_BUTTON, after=before)
    assert f"<b>Meldingen voor motie {MOTION}</b>" in str(opened["html"])

    # unfollowing with the same button takes the Meldingen button away again
    edits = len(fake.edits)
    await tap(fake, VIA_BUTTON, redrawn, f"U:m:{MOTION}")
    await fake.wait_for(lambda: len(fake.edits) > edits)
    assert buttons(fake.edits[-1]) == [("🔔 Volgen", f"F:m:{MOTION}")]


@pytest.mark.parametrize("replay", ["agenda"], indirect=True)
async def test_a_deep_link_follow_names_what_is_planned_and_carries_the_alerts_button(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository, app: App
) -> None:
    [welcome] = await say(fake, NL, f"/start volg_{MOTION}")
    html = str(welcome["html"])
    assert f"Je volgt nu motie {MOTION}." in html
    assert "Op de stemmingslijst van <b>2 oktober 2025, 22:30</b> (<code>2025A06526</code>)" in html
    assert html.index("Al gepland") < html.index("Ik volg de Tweede Kamer")
    follow = _follow_id(repo, NL, SubscriptionKind.MOTION, MOTION)
    assert ("⚙️ Meldingen", f"r:*:open:{follow}") in buttons(welcome)

    # in English; a dossier with nothing planned: nothing extra
    await say(fake, EN, "/taal en")
    [welcome] = await say(fake, EN, "/start volg_21501-02")
    assert "You now follow dossier 21501-02." in str(welcome["html"])
    assert "Already planned" not in str(welcome["html"])
    follow = _follow_id(repo, EN, SubscriptionKind.DOSSIER, "21501-02")
    assert ("⚙️ Alerts", f"r:*:open:{follow}") in buttons(welcome)


@pytest.mark.parametrize("replay", ["agenda-postponed"], indirect=True)
async def test_a_follow_after_the_session_moved_is_told_the_new_date(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository, app: App, replay: ReplayServer
) -> None:
    replay.advance()  # the session of 2 October moved to 9 October, before anyone followed
    await poll_once(app)
    [item] = repo.agenda(motion_id=MOTION)
    assert item.status.value == "moved"
    [answer] = await say(fake, NL, f"/volg {MOTION}")
    html = str(answer["html"])
    assert "Op de stemmingslijst van <b>9 oktober 2025, 22:30</b> (verplaatst)" in html
    assert "2 oktober" not in html


def test_the_open_button_round_trips_and_needs_a_follow() -> None:
    opener = routing_settings.RouteCallback(preset="open", follow=17)
    assert routing_settings.encode(opener) == "r:*:open:17"
    assert routing_settings.decode("r:*:open:17") == opener
    assert routing_settings.decode("r:*:open") is None  # the chat's own settings: /meldingen
    assert routing_settings.decode("r:*:open:x") is None
    assert routing_settings.decode("r:*:open:1234567890123456789") is None
    button = routing_settings.alerts_button(123456789012345678, "en")
    assert button.text == "⚙️ Alerts"
    assert len(str(button.callback_data).encode()) <= 64


async def test_a_followed_commitment_is_named_as_such_in_the_list(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    """/lijst named a followed commitment "alles over het onderwerp" (target.txt knew no
    commitment), as if the chat followed everything."""
    await say(fake, NL, "/volg TZ202110-001")
    [listing] = await say(fake, NL, "/lijst")
    assert "• toezegging TZ202110-001" in str(listing["html"])
    assert "alles over het onderwerp" not in str(listing["html"])
    await say(fake, NL, "/taal en")
    [listing] = await say(fake, NL, "/list")
    assert "• commitment TZ202110-001" in str(listing["html"])


async def test_in_a_group_anyone_opens_a_follows_alerts_only_admins_change_them(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    group, admin, member = -1801, NL, OTHER
    fake.set_admins(group, {admin})
    [answer] = await say(fake, admin, "/volg 21501-02", chat_id=group, chat_type="group")
    follow = _follow_id(repo, group, SubscriptionKind.DOSSIER, "21501-02")
    assert ("⚙️ Meldingen", f"r:*:open:{follow}") in buttons(answer)
    before = len(fake.sent)
    await tap(fake, member, answer, f"r:*:open:{follow}")  # reading: as /meldingen 21501-02
    [opened] = await fake.wait_sent(1, chat_id=group, after=before)
    assert "<b>Meldingen voor dossier 21501-02</b>" in str(opened["html"])
    await tap(fake, member, opened, f"r:status:off:{follow}")
    assert fake.answers[-1].get("show_alert") in (True, "true", "True")
    assert repo.follow_routes(follow) == {}
    edits = len(fake.edits)
    await tap(fake, admin, opened, f"r:status:off:{follow}")
    await fake.wait_for(lambda: len(fake.edits) > edits)
    assert repo.follow_routes(follow) == {RouteClass.STATUS: Route.OFF}


async def test_help_names_the_alerts_button_in_both_languages(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    [dutch] = await say(fake, NL, "/help")
    assert "de knop ⚙️ Meldingen onder het antwoord op /volg" in str(dutch["html"])
    await say(fake, NL, "/taal en")
    [english] = await say(fake, NL, "/help")
    assert "the ⚙️ Alerts button under the answer to /subscribe" in str(english["html"])
