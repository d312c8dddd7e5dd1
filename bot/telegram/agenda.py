"""``/agenda``: the tracked motions on planned voting sessions and debates (issue 17).

``/agenda`` lists the topic's agenda; ``/agenda <motion id>`` one motion's sessions. Registered
by :func:`register` next to the other commands (before the unknown-command fallback).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.telegram.parsing import RefKind, parse_motion_ref
from templates.render import render

if TYPE_CHECKING:
    from bot.telegram.handlers import Handlers

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


def register(application: Application[Any, Any, Any, Any, Any, Any], handlers: Handlers) -> None:
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
