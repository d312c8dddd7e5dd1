"""Issue 17 in the bot: ``/agenda`` and the commitments (toezeggingen).

``/agenda`` lists the topic's agenda; ``/agenda <motion id>`` one motion's sessions.
``/status TZ202110-001`` shows a commitment and ``/volg`` / ``/ontvolg TZ202110-001`` follow
it: these run in handler group -1 and stop the update there, so the other commands never see a
commitment number. Registered by :func:`register` (before the unknown-command fallback).
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, ContextTypes, filters

from bot.telegram.base import HandlerBase
from bot.telegram.parsing import RefKind, parse_motion_ref
from state.models import SubscriptionKind
from templates.render import render
from templates.telegram_texts import ALIASES

__all__ = ["AGENDA_MAX", "agenda_text", "register"]

AGENDA_MAX = 20  # items in one answer; the web page and /agenda.ics have them all

Context = ContextTypes.DEFAULT_TYPE


def agenda_text(items: list[Any], lang: str, public_url: str, motion_id: str | None) -> str:
    """The answer to ``/agenda`` as Telegram HTML."""
    return render(
        "telegram/agenda.html",
        items=items[:AGENDA_MAX],
        more=max(0, len(items) - AGENDA_MAX),
        lang=lang,
        public_url=public_url.rstrip("/"),
        motion_id=motion_id,
    )


def register(application: Application[Any, Any, Any, Any, Any, Any], handlers: HandlerBase) -> None:
    """Add the ``/agenda`` command, answering through ``handlers``' helpers."""

    async def agenda(update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is None:  # pragma: no cover - every command update has a chat
            return
        lang = await handlers._lang(str(chat.id))
        ref = parse_motion_ref(" ".join(context.args or ()))
        motion_id = ref.value if ref is not None and ref.kind is not RefKind.WORDS else None
        if ref is not None and ref.kind is RefKind.ZAAK:
            found = await asyncio.to_thread(handlers.repo.find_motion_by_zaak, ref.value)
            motion_id = found.id if found is not None else ref.value
        items = await asyncio.to_thread(handlers.repo.agenda, motion_id=motion_id)
        text = agenda_text(items, lang, handlers.settings.public_url, motion_id)
        await handlers._send(update, context, text)

    application.add_handler(CommandHandler(["agenda"], agenda))

    async def commitment(update: Update, context: Context) -> None:
        chat = update.effective_chat
        message = update.effective_message
        if chat is None or message is None or not message.text:  # pragma: no cover
            return
        chat_id = str(chat.id)
        lang = await handlers._lang(chat_id)
        command = message.text.split()[0].lstrip("/").split("@")[0].lower()
        number = (context.args or [""])[0].upper()
        found = await asyncio.to_thread(handlers.repo.get_commitment, number)
        followed: bool | None = None
        if command in ALIASES["follow"] or command in ALIASES["unfollow"]:
            if not await handlers._may_change(update, context):
                await handlers._notice(update, context, "admins_only", lang)
                raise ApplicationHandlerStop
            follow = command in ALIASES["follow"]

            def change() -> bool:
                subscriber = handlers._ensure_subscriber(chat_id, lang)
                act = handlers.repo.subscribe if follow else handlers.repo.unsubscribe
                return act(subscriber.id, SubscriptionKind.COMMITMENT, number)

            await asyncio.to_thread(change)
            followed = follow
        text = render(
            "telegram/commitment.html",
            item=found,
            number=number,
            followed=followed,
            lang=lang,
            public_url=handlers.settings.public_url.rstrip("/"),
        )
        await handlers._send(update, context, text)
        raise ApplicationHandlerStop

    names = [*ALIASES["status"], *ALIASES["follow"], *ALIASES["unfollow"]]
    numbered = filters.Regex(r"(?i)^/\w+(@\w+)?\s+TZ\d{6}-\d{1,4}\s*$")
    application.add_handler(CommandHandler(names, commitment, filters=numbered), group=-1)
