"""A change reaches each chat in its own language through the fake Bot API (issue 11, point 1:
a change carries codes and facts; templates tell it in Dutch or English)."""

from __future__ import annotations

from dataclasses import replace

from bot.delivery import deliver_telegram_once
from bot.telegram.notifier import TelegramNotifier
from bot.telegram.service import BotApplication
from state.models import Observation, ParliamentaryStatus
from state.repository import Repository
from tests.telegram import data
from tests.telegram.conftest import WorkerApp
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import say

NL, EN = 2201, 2202

# Dutch words of the vocabulary that must never reach an English chat in a change message.
DUTCH = ("Stemming", "aangenomen", "ingediend", "was:", "uitvoering", "motie ", "Nieuwe")


async def test_an_english_chat_receives_the_change_in_english(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    undecided = replace(
        data.motion_2949(),
        decisions=(),
        parliamentary_status=ParliamentaryStatus.SUBMITTED,
        status_raw=None,
    )
    repo.apply_poll(Observation(motions=(undecided,)), notify=False)
    await say(fake, NL, "/volg alles")
    await say(fake, EN, "/volg alles")
    await say(fake, EN, "/language en")
    before = len(fake.sent)

    changes = repo.apply_poll(Observation(motions=(data.motion_2949(),)))  # the vote is recorded
    assert [c.kind.value for c in changes] == ["vote_recorded"]
    assert changes[0].facts is not None
    assert changes[0].facts.votes_for == 142
    await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]

    pushed = fake.sent[before:]
    [dutch] = [m["html"] for m in pushed if m["chat"]["id"] == NL]
    [english] = [m["html"] for m in pushed if m["chat"]["id"] == EN]
    assert "<b>Stemming</b>" in dutch
    assert "21501-02-2949: aangenomen (142-6)" in dutch
    assert "<b>Vote</b>" in english
    assert "Status: submitted → <b>adopted</b>" in english
    assert "21501-02-2949: adopted (142-6)" in english
    for word in DUTCH:
        assert word not in english, word
