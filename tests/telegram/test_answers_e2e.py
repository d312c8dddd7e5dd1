"""Issue 14, points 1–11: the bot's answers as users met them, against the fake Bot API.

Every exchange goes through :func:`talk`, which records ``input → answer``; with
``KW_TRANSCRIPT=path`` set the transcript of the run is written there (the closing note's).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.delivery import deliver_telegram_once
from bot.telegram.notifier import TelegramNotifier
from bot.telegram.service import BotApplication
from scrapers.tweedekamer_records import build_motion
from state.changes import motion_route as _motion_route
from state.models import Channel, Observation, SubscriptionKind
from state.repository import Repository
from tests.telegram import data
from tests.telegram.conftest import ADMIN_ID, WorkerApp
from tests.telegram.fake_bot_api import BOT_ID, FakeBotAPI
from tests.telegram.helpers import (
    buttons,
    documents_at_once,
    follows,
    load_topic,
    say,
    subscriptions_of,
)

USER = 2001
TRANSCRIPT: list[tuple[str, str, list[str]]] = []


@pytest.fixture(scope="module", autouse=True)
def _write_transcript() -> Iterator[None]:
    yield
    path = os.environ.get("KW_TRANSCRIPT")
    if path and TRANSCRIPT:
        lines = []
        for point, said, answers in TRANSCRIPT:
            lines.append(f"[{point}] → {said}")
            for answer in answers:
                lines.extend("    " + line for line in answer.splitlines())
                lines.append("    ---")
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


async def talk(
    point: str, fake: FakeBotAPI, user: int, text: str, *, replies: int = 1, **kw: Any
) -> list[dict[str, Any]]:
    """``say`` and record the exchange."""
    got = await say(fake, user, text, replies=replies, **kw)
    TRANSCRIPT.append((point, text, [m["html"] for m in got]))
    return got


def _record(point: str, what: str, messages: list[dict[str, Any]]) -> None:
    TRANSCRIPT.append((point, what, [m["html"] for m in messages]))


async def _chat_member(
    app: BotApplication, fake: FakeBotAPI, chat_id: int, user_id: int, old: str, new: str
) -> None:
    """The bot is removed from (``left``) or added back to (``member``) a group."""
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "kamerwacht", "username": fake.username}
    raw = {
        "update_id": 0,
        "my_chat_member": {
            "chat": fake._chat(chat_id, "group"),
            "from": fake._user(user_id),
            "date": int(time.time()),
            "old_chat_member": {"status": old, "user": bot},
            "new_chat_member": {"status": new, "user": bot},
        },
    }
    await app.process_update(Update.de_json(raw, app.bot))


def _active(repo: Repository, chat_id: int) -> bool:
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(chat_id))
    assert subscriber is not None
    return subscriber.active


def _all_topic_motions() -> Observation:
    """The 2 replaced/adopted motions of data.first_poll plus every motion Zaak recorded."""
    known = {m.zaak_nummer for m in data.first_poll().motions}
    extra = []
    for nummer, zaak in data._zaken().items():
        if nummer in known:
            continue
        motion = build_motion(zaak).motion
        extra.append(motion)
    return Observation(motions=(*data.first_poll().motions, *extra))


# ---------------------------------------------------------------- 1: replacement chain


async def test_1_following_a_replaced_motion_follows_its_replacement(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    [answer] = await talk("1", fake, USER, "/volg 21501-02-2228")
    assert "21501-02-2234" in answer["html"]  # says the replacement is followed too
    before = len(fake.sent)
    repo.apply_poll(data.second_poll())  # the letter reports on 2234 only
    await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    pushed = [m for m in fake.sent[before:] if m["chat"]["id"] == USER]
    _record("1", "(the letter of 4 November 2021 arrives)", pushed)
    assert len(pushed) == 1
    assert "21501-02-2234" in pushed[0]["html"]
    assert "in uitvoering" in pushed[0]["html"]
    # and the other way round: news about 2228 reaches followers of 2234
    assert "21501-02-2228" in _motion_route(data.motion_2234()).motions
    assert "21501-02-2234" in _motion_route(data.motion_2228()).motions


# ---------------------------------------------------------------- 2: one id path


async def test_2_deep_link_with_a_zaak_number_follows_the_motion(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [answer] = await talk("2", fake, USER, "/start volg_2020Z21194")
    assert "motie 21501-02-2228" in answer["html"]
    assert follows(repo, USER, SubscriptionKind.MOTION, "21501-02-2228")
    assert not follows(repo, USER, SubscriptionKind.MOTION, "2020Z21194")


# ---------------------------------------------------------------- 3: group re-add


async def test_3_a_group_that_re_adds_the_bot_is_active_again(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    group = -100300
    fake.set_admins(group, {USER})
    await talk("3", fake, USER, "/volg alles", chat_id=group, chat_type="group")
    await _chat_member(bot, fake, group, USER, "member", "left")
    assert not _active(repo, group)
    await _chat_member(bot, fake, group, USER, "left", "member")
    assert _active(repo, group)
    [listing] = await talk("3", fake, USER, "/lijst", chat_id=group, chat_type="group")
    assert "alles over het onderwerp" in listing["html"]


# ---------------------------------------------------------------- 4: letter, not "Nieuwe motie"


async def test_4_motions_first_seen_in_a_letter_come_inside_its_message(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    await talk("4", fake, USER, "/volg alles")
    documents_at_once(repo, USER)
    before = len(fake.sent)
    repo.apply_poll(data.second_poll())
    await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    pushed = [m for m in fake.sent[before:] if m["chat"]["id"] == USER]
    _record("4", "(the letter of 4 November 2021 arrives; chat follows everything)", pushed)
    assert not any("Nieuwe motie" in m["html"] for m in pushed)
    assert len(pushed) == 2  # the letter, and one message for its three reports
    grouped = next(m["html"] for m in pushed if "3 moties" in m["html"])
    assert "ingediend 12 oktober 2021" in grouped  # 21501-20-1736's own date
    assert "ingediend 22 juni 2021" in grouped  # 21501-20-1714's own date


# ---------------------------------------------------------------- 5: citations and links


@pytest.mark.parametrize(
    "typed",
    [
        "Kamerstukken II 2020/21, 21501-02, nr. 2228",
        "https://zoek.officielebekendmakingen.nl/kst-21501-02-2228.html",
        "https://www.tweedekamer.nl/kamerstukken/moties/detail?id=2020Z21194&did=2020D45587",
    ],
)
async def test_5_standard_citation_and_pasted_links(
    typed: str, bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [status] = await talk("5", fake, USER, f"/status {typed}")
    assert "<b>Motie <a" in status["html"]
    assert ">21501-02-2228</a>" in status["html"]
    [followed] = await talk("5", fake, USER, f"/volg {typed}", replies=1)
    assert "motie 21501-02-2228" in followed["html"]
    assert "trefwoord" not in followed["html"]
    assert follows(repo, USER, SubscriptionKind.MOTION, "21501-02-2228")


async def test_5_follow_bad_gives_the_true_reason(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    [answer] = await talk("5", fake, USER, "/volg ab")
    assert "minstens 3 tekens" in answer["html"]
    assert "hoogstens" not in answer["html"]


# ---------------------------------------------------------------- 6: votes unknown, order


async def test_6_adopted_without_votes_says_so_and_timeline_is_in_date_order(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [answer] = await talk("6", fake, USER, "/status 21501-02-2234")
    text = answer["html"]
    assert "stemming per partij is niet bekend" in text
    assert 'href="https://www.tweedekamer.nl/kamerstukken/moties/detail?id=2020Z21428"' in text
    timeline = text.split("<b>Tijdlijn</b>", 1)[1].splitlines()
    adopted = next(i for i, line in enumerate(timeline) if "aangenomen" in line)
    report = next(i for i, line in enumerate(timeline) if "uitvoering:" in line)
    assert adopted < report  # not an undated "aangenomen" after the 2021 report


# ---------------------------------------------------------------- 7: the event's own date


async def test_7_dates_are_the_events_own_and_name_the_letter(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [latest] = await talk("7", fake, USER, "/nieuw")
    first = next(line for line in latest["html"].splitlines() if "Uitvoering gemeld" in line)
    assert first.startswith("4 november 2021 · ")
    assert "Uitvoering van alle moties gerelateerd aan het conflict" in first
    assert data.LETTER_URL in first
    [topic] = await talk("7", fake, USER, "/status")
    assert "4 november 2021 · <b>Uitvoering gemeld</b>" in topic["html"]


# ---------------------------------------------------------------- 8: search


@pytest.mark.parametrize(
    ("typed", "expect"),
    [
        ("sancties Azerbeidzjan", "sancties"),
        ("Wat is er gebeurd met de motie van Omtzigt over oorlogsrecht?", "oorlogsrecht"),
        ("🇦🇲 oorlogsrecht omtzigt 🙏", "oorlogsrecht"),
        ("AZERBEIDZJAANSE sanctie", "sancties"),
    ],
)
async def test_8_words_in_any_order_and_form(
    typed: str, expect: str, bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    repo.apply_poll(_all_topic_motions(), notify=False)
    [answer] = await talk("8", fake, USER, f"/status {typed}")
    assert "Geen moties gevonden" not in answer["html"]
    assert expect in answer["html"].lower()


async def test_8_counts_are_true(bot: BotApplication, fake: FakeBotAPI, repo: Repository) -> None:
    observation = _all_topic_motions()
    repo.apply_poll(observation, notify=False)
    with_word = [m for m in observation.motions if "motie" in m.title.lower()]
    [answer] = await talk("8", fake, USER, "/status motie")
    assert f"<b>{len(with_word)} moties</b> gevonden" in answer["html"]
    assert len(with_word) > 8
    assert len(buttons(answer)) == 8


async def test_8_a_near_miss_id_gets_did_you_mean(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [answer] = await talk("8", fake, USER, "/status 21501-02-228")
    assert "Bedoel je <code>21501-02-2228</code>" in answer["html"]
    assert ("Bedoel je 21501-02-2228", "s:21501-02-2228") in buttons(answer)


# ---------------------------------------------------------------- 9: two ids


async def test_9_two_ids_in_one_command(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    answers = await talk("9", fake, USER, "/volg 21501-02-2228 21501-02-2949", replies=2)
    assert "21501-02-2228" in answers[0]["html"]
    assert "21501-02-2949" in answers[1]["html"]
    assert follows(repo, USER, SubscriptionKind.MOTION, "21501-02-2228")
    assert follows(repo, USER, SubscriptionKind.MOTION, "21501-02-2949")
    assert not any(s.kind is SubscriptionKind.KEYWORD for s in subscriptions_of(repo, USER))
    statuses = await talk("9", fake, USER, "/status 21501-02-2228 21501-02-2949", replies=2)
    assert ">21501-02-2228</a>" in statuses[0]["html"]
    assert ">21501-02-2949</a>" in statuses[1]["html"]


# ---------------------------------------------------------------- 10: /stats


async def test_10_stats_in_a_group_is_answered_in_private(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    group = -100310
    cause = "ConnectError: " + "x" * 300 + " [Errno 111] Connection refused"
    repo.record_source_success("tweedekamer", items_seen=3)
    repo.record_source_failure("tweedekamer", cause)
    before = len(fake.sent)
    fake.push_text(ADMIN_ID, "/stats", chat_id=group, chat_type="group")
    await fake.wait_sent(1, chat_id=group, after=before)
    await fake.wait_sent(1, chat_id=ADMIN_ID, after=before)
    in_group = [m for m in fake.sent[before:] if m["chat"]["id"] == group]
    private = [m for m in fake.sent[before:] if m["chat"]["id"] == ADMIN_ID]
    _record("10", "/stats (admin, in a group) — in the group:", in_group)
    _record("10", "/stats (admin, in a group) — in private:", private)
    assert "Abonnees" not in in_group[0]["html"]
    assert "privéchat" in in_group[0]["html"]
    assert "laatste geslaagde poll" in private[0]["html"]
    assert "Connection refused" in private[0]["html"]  # the cause, at the end, is kept


# ---------------------------------------------------------------- 11: comeback, bad link


async def test_11_a_chat_back_after_blocking_hears_what_it_missed(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    await talk("11", fake, USER, "/volg alles")
    blocked = fake.my_chat_member_update(USER, "kicked")
    await bot.process_update(Update.de_json(blocked, bot.bot))
    assert not _active(repo, USER)
    repo.apply_poll(data.second_poll())  # 4 changes while blocked
    [back] = await talk("11", fake, USER, "/start")
    assert "Welkom terug" in back["html"]
    assert "4 updates gemist" in back["html"]
    assert "/nieuw" in back["html"]


async def test_11_a_bad_deep_link_is_answered(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    answers = await talk("11", fake, USER, "/start volg_bogus", replies=2)
    assert "volg_bogus" in answers[0]["html"]
    assert "niet naar een motie" in answers[0]["html"]
    assert subscriptions_of(repo, USER) == []


# ---------------------------------------------------------------- English chats


async def test_english_chats_get_the_new_answers_in_english(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    await talk("en", fake, USER, "/language en")
    [near] = await talk("en", fake, USER, "/status 21501-02-228")
    assert "Did you mean <code>21501-02-2228</code>" in near["html"]
    assert ("Did you mean 21501-02-2228", "s:21501-02-2228") in buttons(near)
    [chain] = await talk("en", fake, USER, "/subscribe 21501-02-2228")
    assert "you will also hear about <code>21501-02-2234</code>" in chain["html"]
    [bad] = await talk("en", fake, USER, "/subscribe ab")
    assert "at least 3 characters" in bad["html"]
    [status] = await talk("en", fake, USER, "/status 21501-02-2234")
    assert "The vote per party is not in the Tweede Kamer's data" in status["html"]
    [latest] = await talk("en", fake, USER, "/latest")
    assert latest["html"].splitlines()[1].startswith("4 November 2021 · <b>Execution reported")
    blocked = fake.my_chat_member_update(USER, "kicked")
    await bot.process_update(Update.de_json(blocked, bot.bot))
    [back] = await talk("en", fake, USER, "/start")
    assert "Welcome back to kamerwacht" in back["html"]
    [link] = (await talk("en", fake, USER, "/start volg_bogus", replies=2))[:1]
    assert "does not point to a motion or dossier" in link["html"]


async def test_a_new_english_client_is_welcomed_in_english(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    before = len(fake.sent)
    fake.push_text(USER + 1, "/start", language_code="en")
    [welcome] = await fake.wait_sent(1, chat_id=USER + 1, after=before)
    _record("en", "/start (a new chat whose Telegram client is in English)", [welcome])
    assert "Welcome to kamerwacht" in welcome["html"]
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(USER + 1))
    assert subscriber is not None
    assert subscriber.language == "en"
