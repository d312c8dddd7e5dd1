"""The bot's handlers: registration, the button dispatcher, membership and errors.

:class:`Handlers` joins :class:`~bot.telegram.commands.Commands` (read-only commands) and
:class:`~bot.telegram.follow.Follow` (what a chat follows and its settings); ``/agenda`` and the
commitments come from :mod:`bot.telegram.agenda`. Handlers hold no business rules: arguments are
parsed by :mod:`bot.telegram.parsing`, answers rendered by :mod:`bot.telegram.views`. Every
command works in private chats and groups.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Chat, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.telegram import agenda as agenda_command
from bot.telegram import routing as routing_settings
from bot.telegram import views
from bot.telegram.base import Context, chat_id_of, plain
from bot.telegram.callbacks import Action, Callback, decode
from bot.telegram.commands import Commands
from bot.telegram.follow import Follow
from templates.telegram_texts import ALIASES

__all__ = ["Handlers"]

logger = logging.getLogger(__name__)


class Handlers(Commands, Follow):
    """The bot's handlers, bound to one repository and one Settings."""

    # ------------------------------------------------------------------ registration

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add every handler to ``application``."""
        commands = {
            "start": self.start,
            "help": self.help,
            "status": self.status,
            "follow": self.follow,
            "unfollow": self.unfollow,
            "list": self.listing,
            "latest": self.latest,
            "digest": self.digest,
            "language": self.language,
            "stop": self.stop,
            "stats": self.stats,
        }
        for name, callback in commands.items():
            application.add_handler(CommandHandler(list(ALIASES[name]), callback))
        agenda_command.register(application, self)  # issue 17: /agenda
        routing_settings.register(application, self)  # issue 17: /meldingen, r: buttons
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_handler(
            ChatMemberHandler(self.membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_handler(MessageHandler(filters.COMMAND, self.unknown))
        application.add_handler(
            MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, self.text)
        )
        application.add_error_handler(self.error)

    # ------------------------------------------------------------------ buttons

    async def button(self, update: Update, context: Context) -> None:
        """Follow / Unfollow / show-status buttons."""
        query = update.callback_query
        if query is None:
            return
        chat_id = chat_id_of(update)
        callback = decode(query.data)
        lang = await self._lang(chat_id)
        if callback is None:
            await query.answer(plain(views.notice("button_expired", lang)))
            return
        if callback.action is Action.FOLLOW and callback.target is not None:
            resolved = await self._resolve_target(callback.target)
            if resolved is None:
                await query.answer(plain(views.notice("button_expired", lang)))
                return
            callback = Callback(callback.action, target=resolved, redraw=callback.redraw)
        if callback.action is Action.SHOW and callback.motion_id:
            await query.answer()
            await self._motion_status(update, context, callback.motion_id)
            return
        if not await self._may_change(update, context):
            await query.answer(plain(views.notice("admins_only", lang)), show_alert=True)
            return
        if callback.action is Action.UNFOLLOW_ID:
            await self._unfollow_from_list(update, context, callback, lang)
            return
        await self._follow_button(update, context, callback, lang)

    # ------------------------------------------------------------------ membership, errors

    async def membership(self, update: Update, context: Context) -> None:
        """The bot was blocked or removed: stop sending there; re-added to a group: resume."""
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is None:
            return
        status = change.new_chat_member.status
        chat_id = str(change.chat.id)
        if status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
            if change.chat.type == ChatType.PRIVATE:
                return  # an unblocked private chat comes back with /start (told what it missed)
            subscriber = await self._subscriber(chat_id)
            if subscriber is not None and not subscriber.active:
                await asyncio.to_thread(self.repo.update_subscriber, subscriber.id, active=True)
                logger.info("chat reactivated: bot re-added", extra={"chat_id": chat_id})
            return
        if status not in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            return
        subscriber = await self._subscriber(chat_id)
        if subscriber is not None and subscriber.active:
            await asyncio.to_thread(self.repo.update_subscriber, subscriber.id, active=False)
            logger.info("chat deactivated: bot %s", status, extra={"chat_id": chat_id})

    async def error(self, update: object, context: Context) -> None:
        """Log every unhandled error once; tell the person something went wrong."""
        logger.error("error while handling an update", exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        chat: Chat = update.effective_chat
        try:
            lang = await self._lang(str(chat.id))
            await context.bot.send_message(chat.id, views.notice("error", lang))
        except Exception:  # the error answer is best effort
            logger.debug("could not send the error answer", exc_info=True)
