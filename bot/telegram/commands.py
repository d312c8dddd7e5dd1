"""Read-only commands: /help, /status (the topic, a motion, a Zaak, words), /nieuw, /stats.

Arguments are parsed by :mod:`bot.telegram.parsing` and answers rendered by
:mod:`bot.telegram.views`. Words are looked up with the database's full-text search
(:func:`state.search.find_motions`), the same search as the board's.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import time

from telegram import MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.settings import Settings
from bot.telegram import views
from bot.telegram.base import Context, HandlerBase, chat_id_of
from bot.telegram.parsing import (
    MotionRef,
    RefKind,
    Target,
    parse_motion_ref,
    parse_motion_refs,
    search_words,
)
from bot.telegram.views import View
from state.models import Motion, SubscriptionKind
from state.repository import Repository
from state.search import find_motions, near_ids

__all__ = ["SEARCH_LIMIT", "SUMMARY_TTL", "Commands"]

logger = logging.getLogger(__name__)

SEARCH_LIMIT = 8
SUMMARY_TTL = 30.0  # seconds a /status topic summary is reused


class Commands(HandlerBase):
    """The commands that only read: the topic summary, a motion's status, search, statistics."""

    def __init__(self, repo: Repository, settings: Settings) -> None:
        """Keep the collaborators; the topic summary is computed on first use."""
        super().__init__(repo, settings)
        self._summary: tuple[float, views.TopicSummary] | None = None
        self._summary_lock = asyncio.Lock()
        self._refresh: asyncio.Task[views.TopicSummary] | None = None

    async def help(self, update: Update, context: Context) -> None:
        """Every command with an example."""
        lang = await self._lang(chat_id_of(update))
        await self._show(
            update,
            context,
            views.help_view(lang, self.settings.topic, admin=self._is_admin(update)),
        )

    async def _motion_status(self, update: Update, context: Context, motion_id: str) -> None:
        data = await asyncio.to_thread(self._status_data, motion_id, chat_id_of(update))
        if data.motion is None:
            target = Target(SubscriptionKind.MOTION, motion_id)
            suggestions = await self._suggestions(motion_id)
            await self._send(
                update,
                context,
                views.notice(
                    "status_not_found", data.lang, query=motion_id, suggestions=suggestions
                ),
                views.suggestion_keyboard(suggestions, target, data.following, data.lang),
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
        chat_id = chat_id_of(update)
        refs = parse_motion_refs(query)
        ref = parse_motion_ref(query) if not refs else None
        if not refs and ref is None:
            summary, lang = await asyncio.gather(self.topic_summary(), self._lang(chat_id))
            latest_letters = await asyncio.to_thread(self._letters_of, summary.latest)
            view = views.topic_view(
                summary,
                self.settings.topic,
                lang,
                self.settings.public_url,
                letters=latest_letters,
            )
            await self._show(update, context, view)
            return
        if refs:
            for one in refs:  # several ids in one message: each answered
                await self._ref_status(update, context, one)
            return
        assert ref is not None
        if ref.kind is not RefKind.WORDS:
            await self._ref_status(update, context, ref)
            return
        (total, found, partial), lang = await asyncio.gather(
            self._search(ref.value), self._lang(chat_id)
        )
        if not found:
            await self._notice(update, context, "status_no_results", lang, query=ref.value)
        elif total == 1:
            await self._motion_status(update, context, found[0].id)
        else:
            view = views.picks_view(found, ref.value, lang, total=total, partial=partial)
            await self._show(update, context, view)

    async def _ref_status(self, update: Update, context: Context, ref: MotionRef) -> None:
        """The status of one motion named by an id or a Zaak number."""
        if ref.kind is RefKind.ZAAK:
            motion = await asyncio.to_thread(self.repo.find_motion_by_zaak, ref.value)
            if motion is None:
                lang = await self._lang(chat_id_of(update))
                await self._notice(update, context, "zaak_not_found", lang, query=ref.value)
                return
            await self._motion_status(update, context, motion.id)
            return
        await self._motion_status(update, context, ref.value)

    async def _search(self, text: str) -> tuple[int, list[Motion], bool]:
        """(how many match, the first :data:`SEARCH_LIMIT` of them, partial?) for search words.

        Words match in any order and form. When no motion has every word, the motions with some
        of them are the answer, those with the rarest words first (a question's other words do
        not hide the motion); ``partial`` says so.
        """
        words = search_words(text)
        if not words:
            return 0, [], False
        engine = self.repo._engine  # the one full-text search, in the database

        def find() -> tuple[int, list[Motion], bool]:
            found = find_motions(engine, words, SEARCH_LIMIT)
            shown = self.repo.get_motions(found.ids) if found.ids else []
            return found.total, shown, not found.complete

        return await asyncio.to_thread(find)

    async def _suggestions(self, motion_id: str) -> list[str]:
        """Known ids close to an unknown one (``21501-02-228`` → ``21501-02-2228``)."""

        def close() -> list[str]:
            ids = near_ids(self.repo._engine, motion_id)
            return difflib.get_close_matches(motion_id, ids, n=3, cutoff=0.85)

        return await asyncio.to_thread(close)

    async def text(self, update: Update, context: Context) -> None:
        """Plain text in a private chat is looked up as if sent with /status."""
        message = update.effective_message
        if message is not None and message.text:
            await self._lookup(update, context, message.text[:200])

    async def latest(self, update: Update, context: Context) -> None:
        """``/nieuw``: the latest changes."""
        changes, lang = await asyncio.gather(
            asyncio.to_thread(self.repo.changes, limit=views.LATEST_MAX),
            self._lang(chat_id_of(update)),
        )
        letters = await asyncio.to_thread(self._letters_of, changes)
        await self._show(
            update,
            context,
            views.latest_view(changes, lang, self.settings.public_url, letters=letters),
        )

    async def stats(self, update: Update, context: Context) -> None:
        """``/stats`` for admin chats; everyone else gets the unknown-command answer."""
        if not self._is_admin(update):
            await self.unknown(update, context)
            return

        lang = await self._lang(chat_id_of(update))

        def gather() -> View:
            return views.stats_view(
                self.repo.subscriber_counts(),
                self.repo.outbox_counts(),
                self.repo.source_statuses(),
                lang,
            )

        view = await asyncio.to_thread(gather)
        chat, user = update.effective_chat, update.effective_user
        if chat is not None and chat.type != ChatType.PRIVATE and user is not None:
            # never post the service's internals to a whole group: answer in private
            try:
                await context.bot.send_message(user.id, view.text, reply_markup=view.keyboard)
            except TelegramError as exc:
                logger.info("stats: no private chat with the admin: %s", exc)
                await self._notice(update, context, "stats_private_failed", lang)
                return
            await self._notice(update, context, "stats_sent_private", lang)
            return
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
