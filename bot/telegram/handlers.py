"""Command, button and membership handlers: parse, ask the repository, render, reply.

Handlers hold no business rules: arguments are parsed by :mod:`bot.telegram.parsing`, answers are
rendered by :mod:`bot.telegram.views`, and every repository call runs in a worker thread
(``asyncio.to_thread``). Every command works in private chats and groups; in a group only its
administrators may change what the group follows (subscriptions, digest, language, /stop).
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from telegram import (
    Chat,
    ChatMemberUpdated,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.messages import split_message
from bot.settings import Settings
from bot.telegram import agenda as agenda_command
from bot.telegram import views
from bot.telegram.callbacks import Action, Callback, decode
from bot.telegram.parsing import (
    LANGUAGES,
    RefKind,
    Target,
    parse_deep_link,
    parse_frequency,
    parse_language,
    parse_motion_ref,
    parse_target,
)
from bot.telegram.texts import ALIASES
from bot.telegram.views import View
from scrapers.citations import find_zaak_numbers
from state.models import (
    Channel,
    ExecutionReport,
    Frequency,
    Motion,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from state.repository import Repository

__all__ = ["Handlers"]

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
SEARCH_LIMIT = 8
SUMMARY_TTL = 30.0  # seconds a /status topic summary is reused
_TAG_RE = re.compile(r"<[^>]+>")
_ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def _plain(text: str, limit: int = 200) -> str:
    """Telegram HTML → plain text (for callback answers, which have no markup), ≤ ``limit``."""
    flat = html.unescape(_TAG_RE.sub("", text)).strip()
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class _StatusData:
    motion: Motion | None
    reports: list[ExecutionReport]
    following: bool
    lang: str


def _chat_id(update: Update) -> str:
    chat = update.effective_chat
    if chat is None:  # pragma: no cover - every handled update has a chat
        raise ValueError("update without a chat")
    return str(chat.id)


class Handlers:
    """The bot's handlers, bound to one repository and one Settings."""

    def __init__(self, repo: Repository, settings: Settings) -> None:
        """Keep the collaborators; nothing is read yet."""
        self.repo = repo
        self.settings = settings
        self.admins = frozenset(settings.admin_chat_ids)
        self._summary: tuple[float, views.TopicSummary] | None = None
        self._summary_lock = asyncio.Lock()
        self._refresh: asyncio.Task[views.TopicSummary] | None = None

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
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_handler(
            ChatMemberHandler(self.membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_handler(MessageHandler(filters.COMMAND, self.unknown))
        application.add_handler(
            MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, self.text)
        )
        application.add_error_handler(self.error)

    # ------------------------------------------------------------------ helpers

    async def _subscriber(self, chat_id: str) -> Subscriber | None:
        return await asyncio.to_thread(self.repo.get_subscriber, Channel.TELEGRAM, chat_id)

    async def _lang(self, chat_id: str) -> str:
        subscriber = await self._subscriber(chat_id)
        return subscriber.language if subscriber else "nl"

    def _ensure_subscriber(self, chat_id: str, lang: str) -> Subscriber:
        """The chat's subscriber, created or reactivated (runs in a worker thread)."""
        subscriber = self.repo.get_or_create_subscriber(Channel.TELEGRAM, chat_id, language=lang)
        if not subscriber.active:
            subscriber = self.repo.update_subscriber(subscriber.id, active=True)
            logger.info("chat reactivated", extra={"chat_id": chat_id})
        return subscriber

    async def _may_change(self, update: Update, context: Context) -> bool:
        """Private chats always; in a group only its administrators (or an anonymous admin)."""
        chat = update.effective_chat
        if chat is None:
            return False
        if chat.type == ChatType.PRIVATE:
            return True
        message = update.effective_message
        if message is not None and message.sender_chat is not None:
            return message.sender_chat.id == chat.id  # an anonymous administrator
        user = update.effective_user
        if user is None:
            return False
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            logger.warning("admin check failed: %s", exc, extra={"chat_id": chat.id})
            return False
        return member.status in _ADMIN_STATUSES

    def _is_admin(self, update: Update) -> bool:
        chat, user = update.effective_chat, update.effective_user
        return bool(
            (chat is not None and chat.id in self.admins)
            or (user is not None and user.id in self.admins)
        )

    @staticmethod
    async def _send(
        update: Update, context: Context, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> Message | None:
        """Send ``text`` to the update's chat, split under 4096; the keyboard goes last."""
        chat_id = _chat_id(update)
        parts = split_message(text) or [text]
        sent: Message | None = None
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            sent = await context.bot.send_message(
                chat_id, part, reply_markup=keyboard if last else None
            )
        return sent

    async def _show(self, update: Update, context: Context, view: View) -> None:
        await self._send(update, context, view.text, view.keyboard)

    async def _notice(
        self, update: Update, context: Context, key: str, lang: str, **ctx: Any
    ) -> None:
        await self._send(update, context, views.notice(key, lang, **ctx))

    # ------------------------------------------------------------------ commands

    async def start(self, update: Update, context: Context) -> None:
        """Welcome (re-activating a chat that blocked the bot); ``volg_<id>`` follows at once."""
        chat_id = _chat_id(update)
        existing = await self._subscriber(chat_id)
        lang = existing.language if existing else "nl"
        target = parse_deep_link(context.args[0]) if context.args else None
        group = update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE
        if target is not None and not await self._may_change(update, context):
            await self._notice(update, context, "admins_only", lang)
            target = None
        subscriber = await asyncio.to_thread(self._ensure_subscriber, chat_id, lang)
        newly = False
        if target is not None:
            newly = await asyncio.to_thread(
                self.repo.subscribe, subscriber.id, target.kind, target.value
            )
        view = views.start_view(
            lang, self.settings.topic, followed=target, newly=newly, group=group
        )
        await self._show(update, context, view)

    async def help(self, update: Update, context: Context) -> None:
        """Every command with an example."""
        lang = await self._lang(_chat_id(update))
        await self._show(
            update,
            context,
            views.help_view(lang, self.settings.topic, admin=self._is_admin(update)),
        )

    def _status_data(self, motion_id: str | None, chat_id: str) -> _StatusData:
        """A motion, its reports and whether the chat follows it (one worker-thread hop)."""
        subscriber = self.repo.get_subscriber(Channel.TELEGRAM, chat_id)
        lang = subscriber.language if subscriber else "nl"
        if motion_id is None:
            return _StatusData(None, [], False, lang)
        motion = self.repo.get_motion(motion_id)
        reports = self.repo.execution_reports(motion_id) if motion else []
        following = False
        if subscriber is not None:
            following = any(
                s.kind is SubscriptionKind.MOTION and s.value == motion_id
                for s in self.repo.subscriptions(subscriber.id)
            )
        return _StatusData(motion, reports, following, lang)

    def _status_view(self, data: _StatusData) -> View:
        assert data.motion is not None
        return views.status_view(
            data.motion,
            data.reports,
            following=data.following,
            lang=data.lang,
            public_url=self.settings.public_url,
        )

    async def _motion_status(self, update: Update, context: Context, motion_id: str) -> None:
        data = await asyncio.to_thread(self._status_data, motion_id, _chat_id(update))
        if data.motion is None:
            target = Target(SubscriptionKind.MOTION, motion_id)
            await self._send(
                update,
                context,
                views.notice("status_not_found", data.lang, query=motion_id),
                views.follow_keyboard(target, data.following, data.lang),
            )
            return
        await self._show(update, context, self._status_view(data))

    def _compute_summary(self) -> views.TopicSummary:
        """Counts over every stored motion (runs in a worker thread)."""
        return views.summarise_counts(self.repo.status_counts(), self.repo.changes(limit=5))

    async def _refresh_summary(self) -> views.TopicSummary:
        async with self._summary_lock:  # one computation at a time
            cached = self._summary
            if cached is not None and time.monotonic() - cached[0] <= SUMMARY_TTL:
                return cached[1]
            summary = await asyncio.to_thread(self._compute_summary)
            self._summary = (time.monotonic(), summary)
            return summary

    async def topic_summary(self) -> views.TopicSummary:
        """The topic summary: fresh within :data:`SUMMARY_TTL`, else stale while refreshing.

        Only the very first request waits for the computation; later ones get the previous
        summary at once while a background task recomputes it.
        """
        cached = self._summary
        if cached is None:
            return await self._refresh_summary()
        if time.monotonic() - cached[0] > SUMMARY_TTL and (
            self._refresh is None or self._refresh.done()
        ):
            self._refresh = asyncio.create_task(self._refresh_summary())
        return cached[1]

    async def status(self, update: Update, context: Context) -> None:
        """``/status`` (the topic) or ``/status <motion | Zaak | words>``."""
        query = " ".join(context.args or ())
        await self._lookup(update, context, query)

    async def _lookup(self, update: Update, context: Context, query: str) -> None:
        chat_id = _chat_id(update)
        ref = parse_motion_ref(query)
        if ref is None:
            summary, lang = await asyncio.gather(self.topic_summary(), self._lang(chat_id))
            view = views.topic_view(summary, self.settings.topic, lang, self.settings.public_url)
            await self._show(update, context, view)
            return
        if ref.kind is RefKind.ID:
            await self._motion_status(update, context, ref.value)
            return
        if ref.kind is RefKind.ZAAK:
            motion = await asyncio.to_thread(self.repo.find_motion_by_zaak, ref.value)
            if motion is None:
                await self._notice(
                    update, context, "zaak_not_found", await self._lang(chat_id), query=ref.value
                )
                return
            await self._motion_status(update, context, motion.id)
            return
        found, lang = await asyncio.gather(
            asyncio.to_thread(self.repo.search_motions, ref.value, SEARCH_LIMIT),
            self._lang(chat_id),
        )
        if not found:
            await self._notice(update, context, "status_no_results", lang, query=ref.value)
        elif len(found) == 1:
            await self._motion_status(update, context, found[0].id)
        else:
            await self._show(update, context, views.picks_view(found, ref.value, lang))

    async def text(self, update: Update, context: Context) -> None:
        """Plain text in a private chat is looked up as if sent with /status."""
        message = update.effective_message
        if message is not None and message.text:
            await self._lookup(update, context, message.text[:200])

    async def _target(self, text: str) -> Target | None:
        """A follow target, with a Zaak number resolved to its motion."""
        zaken = find_zaak_numbers(text)
        if len(zaken) == 1 and zaken[0] == text.strip().upper():
            motion = await asyncio.to_thread(self.repo.find_motion_by_zaak, zaken[0])
            return Target(SubscriptionKind.MOTION, motion.id) if motion else None
        return parse_target(text)

    async def follow(self, update: Update, context: Context) -> None:
        """``/volg <motion | dossier | keyword | alles>``."""
        chat_id = _chat_id(update)
        lang = await self._lang(chat_id)
        text = " ".join(context.args or ())
        if not text:
            await self._notice(update, context, "follow_usage", lang)
            return
        if not await self._may_change(update, context):
            await self._notice(update, context, "admins_only", lang)
            return
        target = await self._target(text)
        if target is None:
            await self._notice(update, context, "follow_bad", lang, query=text[:100])
            return
        newly, known = await asyncio.to_thread(self._subscribe, chat_id, lang, target)
        what = views.describe_target(target, lang)
        key = "followed" if newly else "already_following"
        await self._send(
            update,
            context,
            views.notice(key, lang, what=what, known=known),
            views.follow_keyboard(target, True, lang),
        )

    def _subscribe(self, chat_id: str, lang: str, target: Target) -> tuple[bool, bool]:
        """Follow ``target``: (new subscription?, motion known?) — in a worker thread."""
        subscriber = self._ensure_subscriber(chat_id, lang)
        newly = self.repo.subscribe(subscriber.id, target.kind, target.value)
        known = True
        if target.kind is SubscriptionKind.MOTION:
            known = self.repo.get_motion(target.value) is not None
        return newly, known

    def _unsubscribe(self, chat_id: str, target: Target) -> bool:
        subscriber = self.repo.get_subscriber(Channel.TELEGRAM, chat_id)
        if subscriber is None:
            return False
        return self.repo.unsubscribe(subscriber.id, target.kind, target.value)

    async def unfollow(self, update: Update, context: Context) -> None:
        """``/ontvolg <…>``; without an argument, the list with Unfollow buttons."""
        chat_id = _chat_id(update)
        text = " ".join(context.args or ())
        if not text:
            await self.listing(update, context)
            return
        lang = await self._lang(chat_id)
        if not await self._may_change(update, context):
            await self._notice(update, context, "admins_only", lang)
            return
        target = await self._target(text)
        if target is None:
            await self._notice(update, context, "unfollow_usage", lang)
            return
        removed = await asyncio.to_thread(self._unsubscribe, chat_id, target)
        what = views.describe_target(target, lang)
        await self._notice(
            update, context, "unfollowed" if removed else "not_following", lang, what=what
        )

    def _list_view(self, chat_id: str) -> View:
        subscriber = self.repo.get_subscriber(Channel.TELEGRAM, chat_id)
        if subscriber is None:
            return views.list_view([], Frequency.INSTANT, "nl")
        subscriptions = self.repo.subscriptions(subscriber.id)
        return views.list_view(subscriptions, subscriber.frequency, subscriber.language)

    async def listing(self, update: Update, context: Context) -> None:
        """``/lijst``: what this chat follows, each with an Unfollow button."""
        view = await asyncio.to_thread(self._list_view, _chat_id(update))
        await self._show(update, context, view)

    async def latest(self, update: Update, context: Context) -> None:
        """``/nieuw``: the latest changes."""
        changes, lang = await asyncio.gather(
            asyncio.to_thread(self.repo.changes, limit=views.LATEST_MAX),
            self._lang(_chat_id(update)),
        )
        await self._show(
            update, context, views.latest_view(changes, lang, self.settings.public_url)
        )

    async def digest(self, update: Update, context: Context) -> None:
        """``/digest direct|dagelijks|wekelijks``."""
        chat_id = _chat_id(update)
        lang = await self._lang(chat_id)
        frequency = parse_frequency(" ".join(context.args or ()))
        if frequency is None:
            await self._notice(update, context, "digest_usage", lang)
            return
        if not await self._may_change(update, context):
            await self._notice(update, context, "admins_only", lang)
            return

        def change() -> None:
            subscriber = self._ensure_subscriber(chat_id, lang)
            self.repo.update_subscriber(subscriber.id, frequency=frequency)

        await asyncio.to_thread(change)
        await self._notice(update, context, "digest_set", lang, frequency=frequency)

    async def language(self, update: Update, context: Context) -> None:
        """``/taal nl|en``."""
        chat_id = _chat_id(update)
        current = await self._lang(chat_id)
        lang = parse_language(" ".join(context.args or ()))
        if lang is None or lang not in LANGUAGES:
            await self._notice(update, context, "language_usage", current)
            return
        if not await self._may_change(update, context):
            await self._notice(update, context, "admins_only", current)
            return

        def change() -> None:
            subscriber = self._ensure_subscriber(chat_id, lang)
            self.repo.update_subscriber(subscriber.id, language=lang)

        await asyncio.to_thread(change)
        await self._notice(update, context, "language_set", lang)

    async def stop(self, update: Update, context: Context) -> None:
        """``/stop``: forget this chat (subscriptions, settings, pending deliveries)."""
        chat_id = _chat_id(update)
        subscriber = await self._subscriber(chat_id)
        lang = subscriber.language if subscriber else "nl"
        if not await self._may_change(update, context):
            await self._notice(update, context, "admins_only", lang)
            return
        if subscriber is not None:
            await asyncio.to_thread(self.repo.delete_subscriber, subscriber.id)
            logger.info("chat forgotten on /stop", extra={"chat_id": chat_id})
        await self._notice(update, context, "stopped", lang)

    async def stats(self, update: Update, context: Context) -> None:
        """``/stats`` for admin chats; everyone else gets the unknown-command answer."""
        if not self._is_admin(update):
            await self.unknown(update, context)
            return

        lang = await self._lang(_chat_id(update))

        def gather() -> View:
            return views.stats_view(
                self.repo.subscriber_counts(),
                self.repo.outbox_counts(),
                self.repo.source_statuses(),
                lang,
            )

        view = await asyncio.to_thread(gather)
        await self._show(update, context, view)

    async def unknown(self, update: Update, context: Context) -> None:
        """A command the bot does not know; in groups only when addressed to this bot."""
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or not message.text:
            return
        command = ""
        for entity, text in message.parse_entities([MessageEntity.BOT_COMMAND]).items():
            if entity.offset == 0:
                command = text
        name, _, addressee = command.partition("@")
        if addressee and addressee.lower() != (context.bot.username or "").lower():
            return  # meant for another bot in this group
        if not addressee and chat.type != ChatType.PRIVATE:
            return  # a bare unknown command in a group may belong to another bot
        lang = await self._lang(str(chat.id))
        await self._notice(update, context, "unknown_command", lang, command=name)

    # ------------------------------------------------------------------ buttons

    async def button(self, update: Update, context: Context) -> None:
        """Follow / Unfollow / show-status buttons."""
        query = update.callback_query
        if query is None:
            return
        chat_id = _chat_id(update)
        callback = decode(query.data)
        lang = await self._lang(chat_id)
        if callback is None:
            await query.answer(_plain(views.notice("button_expired", lang)))
            return
        if callback.action is Action.SHOW and callback.motion_id:
            await query.answer()
            await self._motion_status(update, context, callback.motion_id)
            return
        if not await self._may_change(update, context):
            await query.answer(_plain(views.notice("admins_only", lang)), show_alert=True)
            return
        if callback.action is Action.UNFOLLOW_ID:
            await self._unfollow_from_list(update, context, callback, lang)
            return
        await self._follow_button(update, context, callback, lang)

    async def _follow_button(
        self, update: Update, context: Context, callback: Callback, lang: str
    ) -> None:
        query = update.callback_query
        assert query is not None
        assert callback.target is not None
        chat_id = _chat_id(update)
        target = callback.target
        what = views.describe_target(target, lang)
        if callback.action is Action.FOLLOW:
            newly, _ = await asyncio.to_thread(self._subscribe, chat_id, lang, target)
            answer = views.notice("followed" if newly else "already_following", lang, what=what)
            following = True
        else:
            removed = await asyncio.to_thread(self._unsubscribe, chat_id, target)
            answer = views.notice("unfollowed" if removed else "not_following", lang, what=what)
            following = False
        await query.answer(_plain(answer))
        message = query.message
        if not isinstance(message, Message):
            return  # too old to edit
        if callback.redraw and target.kind is SubscriptionKind.MOTION:
            data = await asyncio.to_thread(self._status_data, target.value, chat_id)
            if data.motion is not None:
                view = self._status_view(data)
                if len(split_message(view.text)) == 1:
                    await self._edit(message, view.text, view.keyboard)
                    return
        keyboard = views.follow_keyboard(target, following, lang, redraw=callback.redraw)
        try:
            await message.edit_reply_markup(reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise

    async def _unfollow_from_list(
        self, update: Update, context: Context, callback: Callback, lang: str
    ) -> None:
        query = update.callback_query
        assert query is not None
        chat_id = _chat_id(update)

        def remove() -> tuple[Subscription | None, View]:
            subscriber = self.repo.get_subscriber(Channel.TELEGRAM, chat_id)
            found: Subscription | None = None
            if subscriber is not None:
                for sub in self.repo.subscriptions(subscriber.id):
                    if sub.id == callback.subscription_id:  # only this chat's own rows
                        found = sub
                        self.repo.unsubscribe(subscriber.id, sub.kind, sub.value)
            return found, self._list_view(chat_id)

        removed, view = await asyncio.to_thread(remove)
        if removed is None:
            await query.answer(_plain(views.notice("button_expired", lang)))
        else:
            what = views.describe_target(removed, lang)
            await query.answer(_plain(views.notice("unfollowed", lang, what=what)))
        if isinstance(query.message, Message):
            await self._edit(query.message, view.text, view.keyboard)

    @staticmethod
    async def _edit(message: Message, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
        """Edit a message in place; "message is not modified" is not an error."""
        try:
            await message.edit_text(text, reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise

    # ------------------------------------------------------------------ membership, errors

    async def membership(self, update: Update, context: Context) -> None:
        """The bot was blocked or removed from a chat: stop sending there until /start."""
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is None:
            return
        status = change.new_chat_member.status
        if status not in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            return
        chat_id = str(change.chat.id)
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
