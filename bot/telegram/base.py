"""What every handler shares: the chat's subscriber and language, rights, sending and editing.

:class:`HandlerBase` holds the repository and Settings; :mod:`bot.telegram.commands` (read-only
commands) and :mod:`bot.telegram.follow` (what a chat follows and its settings) build on it, and
:class:`bot.telegram.handlers.Handlers` joins them. Every repository call runs in a worker
thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.messages import split_message
from bot.settings import Settings
from bot.telegram import views
from bot.telegram.parsing import MAX_KEYWORD, MIN_KEYWORD, Target, parse_motion_refs, parse_target
from bot.telegram.views import View
from state.models import (
    ZAAK_NUMMER_RE,
    Change,
    Channel,
    ExecutionReport,
    Letter,
    Motion,
    Subscriber,
    SubscriptionKind,
)
from state.repository import Repository

__all__ = ["Context", "HandlerBase", "chat_id_of", "client_language", "plain", "why"]

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
_TAG_RE = re.compile(r"<[^>]+>")
_ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def plain(text: str, limit: int = 200) -> str:
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


def client_language(update: Update) -> str:
    """A new chat's language: English for an English-speaking client, else Dutch."""
    user = update.effective_user
    code = (user.language_code or "") if user is not None else ""
    return "en" if code.lower().startswith("en") else "nl"


def why(text: str) -> dict[str, object]:
    """Why ``text`` cannot be followed, for the answer (never a false reason)."""
    word = text.strip("\"'“”‘’ ")
    if len(word) < MIN_KEYWORD:
        return {"reason": "short"}
    if len(word) > MAX_KEYWORD:
        return {"reason": "long"}
    return {"reason": "other"}


def chat_id_of(update: Update) -> str:
    chat = update.effective_chat
    if chat is None:  # pragma: no cover - every handled update has a chat
        raise ValueError("update without a chat")
    return str(chat.id)


class HandlerBase:
    """The collaborators and helpers of every handler, bound to one repository and Settings."""

    def __init__(self, repo: Repository, settings: Settings) -> None:
        """Keep the collaborators; nothing is read yet."""
        self.repo = repo
        self.settings = settings
        self.admins = frozenset(settings.admin_chat_ids)

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
        chat_id = chat_id_of(update)
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

    def _letters_of(self, changes: Iterable[Change]) -> dict[str, Letter]:
        """The letters some changes name, by id (runs in a worker thread)."""
        out: dict[str, Letter] = {}
        for change in changes:
            if change.letter_id and change.letter_id not in out:
                letter = self.repo.get_letter(change.letter_id)
                if letter is not None:
                    out[change.letter_id] = letter
        return out

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

    @staticmethod
    async def _edit(message: Message, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
        """Edit a message in place; "message is not modified" is not an error."""
        try:
            await message.edit_text(text, reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
