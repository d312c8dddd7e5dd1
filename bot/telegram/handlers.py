"""Command, button and membership handlers: parse, ask the repository, render, reply.

Handlers hold no business rules: arguments are parsed by :mod:`bot.telegram.parsing`, answers are
rendered by :mod:`bot.telegram.views`, and every repository call runs in a worker thread
(``asyncio.to_thread``). Every command works in private chats and groups; in a group only its
administrators may change what the group follows (subscriptions, digest, language, /stop).
"""

from __future__ import annotations

import asyncio
import difflib
import html
import logging
import math
import re
import time
from collections.abc import Iterable
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
from bot.telegram import routing as routing_settings
from bot.telegram import views
from bot.telegram.callbacks import Action, Callback, decode
from bot.telegram.parsing import (
    LANGUAGES,
    MAX_KEYWORD,
    MIN_KEYWORD,
    MotionRef,
    RefKind,
    Target,
    parse_deep_link,
    parse_frequency,
    parse_language,
    parse_motion_ref,
    parse_motion_refs,
    parse_target,
    search_terms,
    term_needles,
    word_line,
    words_of,
)
from bot.telegram.texts import ALIASES
from bot.telegram.views import View
from state.models import (
    ZAAK_NUMMER_RE,
    Change,
    Channel,
    ExecutionReport,
    Frequency,
    Letter,
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
class _Indexed:
    """One motion as the bot's search sees it: its id and its folded, stemmed words on a line."""

    id: str
    line: str


@dataclass(frozen=True, slots=True)
class _StatusData:
    motion: Motion | None
    reports: list[ExecutionReport]
    following: bool
    lang: str


def _client_language(update: Update) -> str:
    """A new chat's language: English for an English-speaking client, else Dutch."""
    user = update.effective_user
    code = (user.language_code or "") if user is not None else ""
    return "en" if code.lower().startswith("en") else "nl"


def _why(text: str) -> dict[str, object]:
    """Why ``text`` cannot be followed, for the answer (never a false reason)."""
    word = text.strip("\"'“”‘’ ")
    if len(word) < MIN_KEYWORD:
        return {"reason": "short"}
    if len(word) > MAX_KEYWORD:
        return {"reason": "long"}
    return {"reason": "other"}


def _chat_id(update: Update) -> str:
    chat = update.effective_chat
    if chat is None:  # pragma: no cover - every handled update has a chat
        raise ValueError("update without a chat")
    return str(chat.id)


def _rank(index: list[_Indexed], terms: list[str]) -> tuple[list[str], bool]:
    """The ids matching every term (complete), else those matching some, rarest terms first.

    One substring pass over every motion's line per needle (see :func:`term_needles`).
    """
    lines = [item.line for item in index]
    per_term: dict[str, set[int]] = {}
    for term in terms:
        found: set[int] = set()
        for needle in term_needles(term):
            found.update(i for i, line in enumerate(lines) if needle in line)
        per_term[term] = found
    every = set.intersection(*per_term.values())
    if every:
        return [index[i].id for i in sorted(every)], True
    some = set.union(*per_term.values())
    weight = {t: math.log((len(index) + 1) / len(f)) for t, f in per_term.items() if f}
    ranked = sorted(some, key=lambda i: (-sum(w for t, w in weight.items() if i in per_term[t]), i))
    return [index[i].id for i in ranked], False


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
        self._index: tuple[float, list[_Indexed], object] | None = None
        self._index_task: asyncio.Task[list[_Indexed]] | None = None

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
        lang = existing.language if existing else _client_language(update)
        payload = context.args[0] if context.args else None
        target = parse_deep_link(payload) if payload else None
        if payload and target is None:
            await self._notice(update, context, "deep_link_bad", lang, payload=payload[:64])
        elif target is not None:
            resolved = await self._resolve_target(target)
            if resolved is None:
                await self._notice(update, context, "zaak_not_found", lang, query=target.value)
            target = resolved
        group = update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE
        if target is not None and not await self._may_change(update, context):
            await self._notice(update, context, "admins_only", lang)
            target = None
        missed = 0
        if existing is not None and not existing.active:
            missed = await asyncio.to_thread(self.repo.missed_changes, existing.id)
        subscriber = await asyncio.to_thread(self._ensure_subscriber, chat_id, lang)
        newly = False
        chain: list[str] = []
        if target is not None:
            newly = await asyncio.to_thread(
                self.repo.subscribe, subscriber.id, target.kind, target.value
            )
            chain = await asyncio.to_thread(self._chain, target)
        view = views.start_view(
            lang,
            self.settings.topic,
            followed=target,
            newly=newly,
            group=group,
            returning=existing is not None and not existing.active,
            missed=missed,
            chain=chain,
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
        chat_id = _chat_id(update)
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
                lang = await self._lang(_chat_id(update))
                await self._notice(update, context, "zaak_not_found", lang, query=ref.value)
                return
            await self._motion_status(update, context, motion.id)
            return
        await self._motion_status(update, context, ref.value)

    def _build_index(self) -> list[_Indexed]:
        """Every motion's folded words on one line (runs in a worker thread)."""
        return [
            _Indexed(
                motion_id,
                word_line(dict.fromkeys(words_of(f"{motion_id} {title} {names} {zaak or ''}"))),
            )
            for motion_id, title, names, zaak in self.repo.search_rows()
        ]

    async def _refresh_index(self) -> list[_Indexed]:
        """Rebuild the index when a motion was added or changed since it was built."""
        version = await asyncio.to_thread(self.repo.motions_version)
        cached = self._index
        if cached is not None and cached[2] == version:
            self._index = (time.monotonic(), cached[1], version)
            return cached[1]
        index = await asyncio.to_thread(self._build_index)
        self._index = (time.monotonic(), index, version)
        return index

    async def _search_index(self) -> list[_Indexed]:
        """Every motion's words: fresh within :data:`SUMMARY_TTL`, else stale while refreshing.

        Only the very first search waits for the index; later ones use the previous index at
        once while a background task rebuilds it.
        """
        cached = self._index
        if cached is None:
            return await self._refresh_index()
        if time.monotonic() - cached[0] > SUMMARY_TTL and (
            self._index_task is None or self._index_task.done()
        ):
            self._index_task = asyncio.create_task(self._refresh_index())
        return cached[1]

    async def _search(self, text: str) -> tuple[int, list[Motion], bool]:
        """(how many match, the first :data:`SEARCH_LIMIT` of them, partial?) for search words.

        Words match in any order and form. When no motion has every word, the motions with some
        of them are the answer, those with the rarest words first (a question's other words do
        not hide the motion); ``partial`` says so.
        """
        terms = search_terms(text)
        if not terms:
            return 0, [], False
        index = await self._search_index()
        matched, complete = await asyncio.to_thread(_rank, index, terms)
        if not matched:
            return 0, [], False
        shown = await asyncio.to_thread(self.repo.get_motions, matched[:SEARCH_LIMIT])
        return len(matched), shown, not complete

    async def _suggestions(self, motion_id: str) -> list[str]:
        """Known ids close to an unknown one (``21501-02-228`` → ``21501-02-2228``)."""
        ids = [item.id for item in await self._search_index()]
        return difflib.get_close_matches(motion_id, ids, n=3, cutoff=0.85)

    def _letters_of(self, changes: Iterable[Change]) -> dict[str, Letter]:
        """The letters some changes name, by id (runs in a worker thread)."""
        out: dict[str, Letter] = {}
        for change in changes:
            if change.letter_id and change.letter_id not in out:
                letter = self.repo.get_letter(change.letter_id)
                if letter is not None:
                    out[change.letter_id] = letter
        return out

    async def text(self, update: Update, context: Context) -> None:
        """Plain text in a private chat is looked up as if sent with /status."""
        message = update.effective_message
        if message is not None and message.text:
            await self._lookup(update, context, message.text[:200])

    async def _resolve_target(self, target: Target) -> Target | None:
        """The one path every id goes through: a Zaak number becomes its motion's id."""
        if target.kind is SubscriptionKind.MOTION and ZAAK_NUMMER_RE.match(target.value):
            motion = await asyncio.to_thread(self.repo.find_motion_by_zaak, target.value.upper())
            return Target(SubscriptionKind.MOTION, motion.id) if motion else None
        return target

    async def _targets(self, text: str) -> list[Target] | None:
        """Follow targets named by ``text`` (several ids allowed); None when none is valid."""
        refs = parse_motion_refs(text)
        if refs:
            out: list[Target] = []
            for ref in refs:
                resolved = await self._resolve_target(Target(SubscriptionKind.MOTION, ref.value))
                if resolved is not None and resolved not in out:
                    out.append(resolved)
            return out or None
        target = parse_target(text)
        return [target] if target is not None else None

    def _chain(self, target: Target) -> list[str]:
        """The motions a followed motion replaces or is replaced by, both ways (worker thread)."""
        if target.kind is not SubscriptionKind.MOTION:
            return []
        seen = [target.value]
        todo = [target.value]
        while todo and len(seen) < 10:
            motion = self.repo.get_motion(todo.pop())
            if motion is None:
                continue
            for other in (motion.replaced_by, motion.replaces):
                if other and other not in seen:
                    seen.append(other)
                    todo.append(other)
        return seen[1:]

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
        targets = await self._targets(text)
        if targets is None:
            await self._notice(update, context, "follow_bad", lang, query=text[:100], **_why(text))
            return
        for target in targets:
            newly, known, chain = await asyncio.to_thread(self._subscribe, chat_id, lang, target)
            what = views.describe_target(target, lang)
            key = "followed" if newly else "already_following"
            await self._send(
                update,
                context,
                views.notice(key, lang, what=what, known=known, chain=chain),
                views.follow_keyboard(target, True, lang),
            )

    def _subscribe(self, chat_id: str, lang: str, target: Target) -> tuple[bool, bool, list[str]]:
        """Follow ``target``: (new?, motion known?, its replacement chain) — in a worker thread.

        A motion's replacements (and the motion it replaced) reach its followers through the
        change routing; the chain is returned so the answer can say so.
        """
        subscriber = self._ensure_subscriber(chat_id, lang)
        newly = self.repo.subscribe(subscriber.id, target.kind, target.value)
        known = True
        if target.kind is SubscriptionKind.MOTION:
            known = self.repo.get_motion(target.value) is not None
        return newly, known, self._chain(target)

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
        targets = await self._targets(text)
        if targets is None:
            await self._notice(update, context, "unfollow_usage", lang)
            return
        for target in targets:
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
        letters = await asyncio.to_thread(self._letters_of, changes)
        await self._show(
            update,
            context,
            views.latest_view(changes, lang, self.settings.public_url, letters=letters),
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
        if callback.action is Action.FOLLOW and callback.target is not None:
            resolved = await self._resolve_target(callback.target)
            if resolved is None:
                await query.answer(_plain(views.notice("button_expired", lang)))
                return
            callback = Callback(callback.action, target=resolved, redraw=callback.redraw)
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
            newly, _, _ = await asyncio.to_thread(self._subscribe, chat_id, lang, target)
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
