"""Small helpers shared by the Telegram tests."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.app import App, build_client
from bot.settings import Settings
from replay.server import ReplayServer
from scrapers.topics import get_topic
from scrapers.tweedekamer import TweedeKamerSource
from scrapers.tweedekamer_agenda import AgendaSource
from state.models import Channel, Subscription, SubscriptionKind
from state.repository import Repository
from state.routing import Route, RouteClass
from tests.telegram import data
from tests.telegram.fake_bot_api import FakeBotAPI

__all__ = [
    "agenda_app",
    "buttons",
    "cli_json",
    "documents_at_once",
    "load_topic",
    "say",
    "subscriptions_of",
    "tap",
]


def agenda_app(settings: Settings, repo: Repository, replay: ReplayServer, **update: Any) -> App:
    """A poller of the replay's motions and agenda (OData v4/2.0), with ``update`` applied to
    the settings (e.g. a watch list)."""
    url = f"{replay.base_url}/OData/v4/2.0"
    return App(
        settings=settings.model_copy(update=update),
        repo=repo,
        client=build_client(settings),
        sources=[TweedeKamerSource(url, get_topic(settings.topic))],
        agenda=AgendaSource(url),
    )


async def say(
    fake: FakeBotAPI,
    user_id: int,
    text: str,
    *,
    chat_id: int | None = None,
    chat_type: str = "private",
    replies: int = 1,
) -> list[dict[str, Any]]:
    """Send ``text`` as a person and wait for the bot's ``replies`` messages in that chat."""
    chat = user_id if chat_id is None else chat_id
    before = len(fake.sent)
    fake.push_text(user_id, text, chat_id=chat, chat_type=chat_type)
    return await fake.wait_sent(replies, chat_id=chat, after=before)


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback data) of every inline button under ``message``."""
    markup = message.get("reply_markup") or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


async def tap(fake: FakeBotAPI, user_id: int, message: dict[str, Any], data_: str) -> None:
    """Press the button with callback data ``data_`` and wait for its answerCallbackQuery."""
    answered = len(fake.answers)
    fake.push_callback(user_id, message, data_)
    await fake.wait_for(lambda: len(fake.answers) > answered)


def subscriptions_of(repo: Repository, chat_id: int) -> list[Subscription]:
    """What the chat follows according to the store."""
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(chat_id))
    return repo.subscriptions(subscriber.id) if subscriber else []


def follows(repo: Repository, chat_id: int, kind: SubscriptionKind, value: str = "") -> bool:
    """Whether the chat follows (kind, value)."""
    return any(s.kind is kind and s.value == value for s in subscriptions_of(repo, chat_id))


def load_topic(repo: Repository, *, notify: bool = False) -> None:
    """Store the real motions and the letter of 4 November 2021 (two polls)."""
    repo.apply_poll(data.first_poll(), notify=notify)
    repo.apply_poll(data.second_poll(), notify=notify)


def documents_at_once(repo: Repository, *chats: int | str) -> None:
    """These chats chose "new documents: at once" in /meldingen.

    By default (issue 17) new letters and motions wait for the weekly digest; the delivery tests
    that count them among a pass's pushes have their chats choose them at once, as every chat
    got them before that default.
    """
    for chat in chats:
        subscriber = repo.get_subscriber(Channel.TELEGRAM, str(chat))
        assert subscriber is not None
        repo.set_routes(subscriber.id, {RouteClass.DOCUMENTS: Route.INSTANT})


async def cli_json(database_url: str, cwd: Path, *args: str) -> Any:
    """``kamerwacht ARGS`` as a fresh process on the store at ``database_url``: its JSON output
    (the command must exit 0)."""
    env = {**os.environ, "KAMERWACHT_DATABASE_URL": database_url}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=cwd,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
