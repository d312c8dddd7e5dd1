"""Routing by kind (issue 17, point 4) end to end: /meldingen, its buttons, the pushes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.delivery import deliver_telegram_once
from bot.telegram import routing as routing_settings
from bot.telegram.notifier import TelegramNotifier
from bot.telegram.service import BotApplication
from state.models import Channel, Frequency, Observation, ParliamentaryStatus
from state.repository import Repository
from state.routing import Route, RouteClass
from tests.telegram import data
from tests.telegram.conftest import WorkerApp
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import buttons, say, subscriptions_of, tap

B, C, E = 2201, 2202, 2203  # documents instant / documents and reports off / no routes


def _routes(repo: Repository, chat: int) -> dict[RouteClass, Route]:
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(chat))
    assert subscriber is not None
    return repo.routes(subscriber.id)


async def _settings(fake: FakeBotAPI, chat: int, command: str = "/meldingen") -> dict[str, object]:
    [message] = await say(fake, chat, command)
    return message


async def _press(
    fake: FakeBotAPI, user: int, message: dict[str, object], data_: str
) -> dict[str, Any]:
    """Press a settings button and wait for the message to be redrawn; the redrawn message."""
    edits = len(fake.edits)
    await tap(fake, user, message, data_)
    await fake.wait_for(lambda: len(fake.edits) > edits)
    redrawn: dict[str, Any] = fake.edits[-1]
    return redrawn


def _first_poll() -> Observation:
    """The topic's motions, 21501-02-2949 not yet voted on."""
    submitted = replace(
        data.motion_2949(),
        parliamentary_status=ParliamentaryStatus.SUBMITTED,
        status_raw="",
        decisions=(),
    )
    return Observation(motions=(data.motion_2228(), data.motion_2234(), submitted))


async def test_routes_by_kind_reach_the_chats_as_chosen(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    repo.apply_poll(_first_poll(), notify=False)
    for chat in (B, C, E):
        await say(fake, chat, "/volg alles")

    # B: new documents at once, by the button (the default is weekly)
    settings = await _settings(fake, B)
    assert "Meldingen per soort" in str(settings["html"])
    html = str(settings["html"])
    assert "Nieuwe documenten (brieven, moties): <b>wekelijks</b> (aanbevolen)" in html
    assert "Status en stemmingen: <b>direct</b> (aanbevolen)" in html
    assert "Achterstallige moties: <b>dagelijks</b> (aanbevolen)" in html
    assert "alles volgens /digest (direct), maar nieuwe documenten" in html
    pressed = dict((d, label) for label, d in buttons(settings))
    assert pressed["r:documents:weekly"] == "✓ wekelijks"
    assert pressed["r:documents:instant"] == "direct"
    edited = await _press(fake, B, settings, "r:documents:instant")
    assert _routes(repo, B) == {RouteClass.DOCUMENTS: Route.INSTANT}
    assert "Nieuwe documenten (brieven, moties): <b>direct</b>\n" in edited["html"]
    assert ("✓ direct", "r:documents:instant") in buttons(edited)

    # C: new documents and execution reports off
    settings = await _settings(fake, C)
    edited = await _press(fake, C, settings, "r:documents:off")
    await _press(fake, C, edited, "r:execution:off")
    assert _routes(repo, C) == {RouteClass.DOCUMENTS: Route.OFF, RouteClass.EXECUTION: Route.OFF}

    # the letter of 4 November 2021 (a new letter and three execution reports) and the vote
    # on 21501-02-2949 (a status change and the vote)
    before = len(fake.sent)
    changes = repo.apply_poll(data.second_poll())
    changes += repo.apply_poll(Observation(motions=(data.motion_2949(),)))
    kinds = {c.kind.value for c in changes}
    assert {"new_letter", "execution_reported", "vote_recorded"} <= kinds
    await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    to = {chat: [str(m["html"]) for m in fake.sent[before:] if m["chat"]["id"] == chat]
          for chat in (B, C, E)}  # fmt: skip

    def about_2949(messages: list[str]) -> bool:
        return any("21501-02-2949" in m and "aangenomen" in m for m in messages)

    # E never opened the settings: the defaults, the vote and the reports at once, the letter not
    assert not any("Nieuwe Kamerbrief" in m for m in to[E])
    assert any("3 moties" in m for m in to[E])
    assert about_2949(to[E])
    # B: the letter at once too
    assert about_2949(to[B])
    assert any("3 moties" in m for m in to[B])
    assert any("Kamerbrief" in m for m in to[B])
    # C: only the status change
    assert about_2949(to[C])
    assert not any("Kamerbrief" in m or "Uitvoering" in m for m in to[C])

    # the weekly digest carries E's letter (the default), nothing for B (had it) or C (off)
    before = len(fake.sent)
    weekly = await deliver_telegram_once(app, notifier, frequency=Frequency.WEEKLY)  # type: ignore[arg-type]
    assert weekly.claimed == 1
    [digest] = fake.sent[before:]
    assert digest["chat"]["id"] == E
    assert str(digest["html"]).startswith("<b>Weekoverzicht</b>")
    assert "Kamerbrief" in str(digest["html"])
    counts = repo.outbox_counts()
    assert counts["pending"] == counts["claimed"] == 0


async def test_presets_english_and_group_admins(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    await say(fake, B, "/volg alles")
    await say(fake, B, "/taal en")
    settings = await _settings(fake, B, "/alerts")
    assert "Alerts by kind" in str(settings["html"])
    assert ("New documents (letters, motions)", "r:documents:") in buttons(settings)
    edited = await _press(fake, B, settings, "r:documents:off")
    assert _routes(repo, B) == {RouteClass.DOCUMENTS: Route.OFF}
    assert "New documents (letters, motions): <b>off</b>\n" in edited["html"]
    assert ("⭐ Recommended", "r:*:recommended") in buttons(edited)
    edited = await _press(fake, B, edited, "r:*:recommended")
    assert _routes(repo, B) == {}  # recommended: the defaults, no stored route
    assert "New documents (letters, motions): <b>weekly</b> (recommended)" in edited["html"]
    assert "but new documents (letters, motions) at most weekly" in edited["html"]
    await _press(fake, B, edited, "r:documents:instant")
    edited = await _press(fake, B, edited, "r:*:reset")  # a button of an older message
    assert _routes(repo, B) == {}
    # a label button changes nothing; a forged route is refused
    await tap(fake, B, edited, "r:status:")
    await tap(fake, B, edited, "r:status:hourly")
    assert _routes(repo, B) == {}
    # in a group only administrators change routes
    group = -5001
    fake.set_admins(group, {C})
    [message] = await say(fake, E, "/meldingen", chat_id=group, chat_type="group")
    await tap(fake, E, message, "r:status:off")
    assert fake.answers[-1].get("show_alert") in (True, "true", "True")
    assert repo.get_subscriber(Channel.TELEGRAM, str(group)) is None
    await tap(fake, C, message, "r:status:off")
    assert _routes(repo, group) == {RouteClass.STATUS: Route.OFF}


def test_callback_data_round_trip() -> None:
    for cls in RouteClass:
        for route in Route:
            cb = routing_settings.RouteCallback(route_class=cls, route=route)
            data_ = routing_settings.encode(cb)
            assert len(data_.encode()) <= 64
            assert routing_settings.decode(data_) == cb
            cb = routing_settings.RouteCallback(route_class=cls, route=route, follow=123456789)
            data_ = routing_settings.encode(cb)
            assert len(data_.encode()) <= 64
            assert routing_settings.decode(data_) == cb
    reset = routing_settings.RouteCallback(preset="reset", follow=17)
    assert routing_settings.decode(routing_settings.encode(reset)) == reset
    assert routing_settings.decode("r:status:off:x1") is None
    assert routing_settings.decode("r:status:off:1:2") is None
    assert routing_settings.decode("r:nothing:off") is None
    assert routing_settings.decode("r:*:everything") is None
    assert routing_settings.decode("f:m:1") is None


F, G = 2204, 2205  # follow dossier 21501-02: F with its own route for documents, G without


async def test_a_follow_carries_its_own_routes(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    repo.apply_poll(_first_poll(), notify=False)
    for chat in (F, G):
        await say(fake, chat, "/volg 21501-02")
    [follow] = subscriptions_of(repo, F)

    # not followed: one clear line
    [missing] = await say(fake, F, "/meldingen 36000-V")
    assert "Deze chat volgt dossier 36000-V niet" in str(missing["html"])
    assert not buttons(missing)

    settings = await _settings(fake, F, "/meldingen 21501-02")
    html = str(settings["html"])
    assert "<b>Meldingen voor dossier 21501-02</b>" in html
    assert "Nieuwe documenten (brieven, moties): <b>wekelijks</b> (zoals de chat)" in html
    pressed = dict((d, label) for label, d in buttons(settings))
    assert pressed[f"r:documents:instant:{follow.id}"] == "direct"
    assert pressed[f"r:*:reset:{follow.id}"] == "↺ Zoals de chat"
    edited = await _press(fake, F, settings, f"r:documents:instant:{follow.id}")
    assert repo.follow_routes(follow.id or 0) == {RouteClass.DOCUMENTS: Route.INSTANT}
    assert _routes(repo, F) == {}  # the chat's own settings are untouched
    assert "Nieuwe documenten (brieven, moties): <b>direct</b>\n" in edited["html"]
    assert ("✓ direct", f"r:documents:instant:{follow.id}") in buttons(edited)

    # another chat cannot set F's follow through a forged button
    own = await _settings(fake, G)
    answers = len(fake.answers)
    await tap(fake, G, own, f"r:status:off:{follow.id}")
    await fake.wait_for(lambda: len(fake.answers) > answers)
    assert repo.follow_routes(follow.id or 0) == {RouteClass.DOCUMENTS: Route.INSTANT}
    assert _routes(repo, G) == {}

    # the letter of 4 November 2021: at once to F (its follow's route), weekly to G (default)
    before = len(fake.sent)
    changes = repo.apply_poll(data.second_poll())
    assert "new_letter" in {c.kind.value for c in changes}
    await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    to = {chat: [str(m["html"]) for m in fake.sent[before:] if m["chat"]["id"] == chat]
          for chat in (F, G)}  # fmt: skip
    assert any("Kamerbrief" in m for m in to[F])
    assert not any("Kamerbrief" in m for m in to[G])
    assert any("21501-02-2234" in m for m in to[G])  # the report on the dossier's motion

    # English, and "as the chat" forgets the follow's routes
    await say(fake, F, "/taal en")
    settings = await _settings(fake, F, "/alerts 21501-02")
    assert "<b>Alerts for dossier 21501-02</b>" in str(settings["html"])
    edited = await _press(fake, F, settings, f"r:*:reset:{follow.id}")
    assert repo.follow_routes(follow.id or 0) == {}
    assert "New documents (letters, motions): <b>weekly</b> (as the chat)" in edited["html"]
