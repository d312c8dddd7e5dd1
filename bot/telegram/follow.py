"""What a chat follows and how: /start, /volg, /ontvolg, /lijst, /digest, /taal, /stop, buttons.

In a group only its administrators may change what the group follows (subscriptions, digest,
language, /stop); every change runs in a worker thread.

The answer to a follow carries a "Meldingen" button that opens that follow's own routes
(:func:`bot.telegram.routing.with_alerts`, the ``/meldingen <id>`` path), and names what is
already on the agenda for it (what ``/agenda`` lists for it): its agenda push went out when the
item was first seen, before this chat followed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.messages import split_message
from bot.telegram import routing as routing_settings
from bot.telegram import views
from bot.telegram.base import Context, HandlerBase, chat_id_of, client_language, plain, why
from bot.telegram.callbacks import Action, Callback
from bot.telegram.parsing import LANGUAGES, Target, parse_deep_link, parse_frequency, parse_language
from bot.telegram.views import View
from state.agenda import AgendaItem, scheduled
from state.models import Channel, Frequency, Subscription, SubscriptionKind
from state.outbox import normalise_value
from state.outbox import targets as change_targets

__all__ = ["Follow"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Followed:
    """What following one target did and found (see :meth:`Follow._subscribe`)."""

    newly: bool  # a new follow
    known: bool  # the motion is known (always true for the other kinds)
    chain: list[str]  # the motions it replaced or was replaced by
    follow_id: int | None  # the subscription's id (its "Meldingen" button)
    planned: list[AgendaItem]  # what is already on the agenda for it


class Follow(HandlerBase):
    """Following and unfollowing motions, dossiers and keywords, and the chat's settings."""

    async def start(self, update: Update, context: Context) -> None:
        """Welcome (re-activating a chat that blocked the bot); ``volg_<id>`` follows at once."""
        chat_id = chat_id_of(update)
        existing = await self._subscriber(chat_id)
        lang = existing.language if existing else client_language(update)
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
        await asyncio.to_thread(self._ensure_subscriber, chat_id, lang)
        followed: _Followed | None = None
        if target is not None:
            followed = await asyncio.to_thread(self._subscribe, chat_id, lang, target)
        view = views.start_view(
            lang,
            self.settings.topic,
            followed=target,
            newly=followed.newly if followed else False,
            group=group,
            returning=existing is not None and not existing.active,
            missed=missed,
            chain=followed.chain if followed else [],
            planned=followed.planned if followed else [],
            public_url=self.settings.public_url,
        )
        keyboard = routing_settings.with_alerts(
            view.keyboard, followed.follow_id if followed else None, lang
        )
        await self._send(update, context, view.text, keyboard)

    async def follow(self, update: Update, context: Context) -> None:
        """``/volg <motion | dossier | keyword | alles>``."""
        chat_id = chat_id_of(update)
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
            await self._notice(update, context, "follow_bad", lang, query=text[:100], **why(text))
            return
        for target in targets:
            followed = await asyncio.to_thread(self._subscribe, chat_id, lang, target)
            await self._send(
                update,
                context,
                self._followed_text(target, followed, lang),
                routing_settings.with_alerts(
                    views.follow_keyboard(target, True, lang), followed.follow_id, lang
                ),
            )

    def _followed_text(self, target: Target, followed: _Followed, lang: str) -> str:
        return views.followed_text(
            "followed" if followed.newly else "already_following",
            lang,
            what=views.describe_target(target, lang),
            known=followed.known,
            chain=followed.chain,
            planned=followed.planned,
            public_url=self.settings.public_url,
            motion_id=target.value if target.kind is SubscriptionKind.MOTION else None,
        )

    def _subscribe(self, chat_id: str, lang: str, target: Target) -> _Followed:
        """Follow ``target`` and read what the answer tells — in a worker thread.

        A motion's replacements (and the motion it replaced) reach its followers through the
        change routing; the chain is returned so the answer can say so.
        """
        subscriber = self._ensure_subscriber(chat_id, lang)
        newly = self.repo.subscribe(subscriber.id, target.kind, target.value)
        known = True
        if target.kind is SubscriptionKind.MOTION:
            known = self.repo.get_motion(target.value) is not None
        found = routing_settings.follow_of(self.repo, subscriber.id, [target])
        return _Followed(
            newly,
            known,
            self._chain(target),
            found.id if found is not None else None,
            self._planned(target),
        )

    def _planned(self, target: Target) -> list[AgendaItem]:
        """What ``/agenda`` lists for a follow of ``target``, soonest first (worker thread).

        A motion: ``/agenda <id>``'s read. A dossier or keyword: the items of ``/agenda`` whose
        agenda change would reach that follow (the outbox's own matching). Everything
        (``alles``) names nothing here: ``/agenda`` is the whole list.
        """
        if target.kind is SubscriptionKind.MOTION:
            return self.repo.agenda(motion_id=target.value)
        if target.kind not in (SubscriptionKind.DOSSIER, SubscriptionKind.KEYWORD):
            return []
        key = (target.kind.value, normalise_value(target.kind, target.value))
        keywords = [key[1]] if target.kind is SubscriptionKind.KEYWORD else []
        now = datetime.now(UTC)
        return [
            item
            for item in self.repo.agenda()
            if key in change_targets(*scheduled(item, now), keywords)
        ]

    def _unsubscribe(self, chat_id: str, target: Target) -> bool:
        subscriber = self.repo.get_subscriber(Channel.TELEGRAM, chat_id)
        if subscriber is None:
            return False
        return self.repo.unsubscribe(subscriber.id, target.kind, target.value)

    async def unfollow(self, update: Update, context: Context) -> None:
        """``/ontvolg <…>``; without an argument, the list with Unfollow buttons."""
        chat_id = chat_id_of(update)
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
        view = await asyncio.to_thread(self._list_view, chat_id_of(update))
        await self._show(update, context, view)

    async def digest(self, update: Update, context: Context) -> None:
        """``/digest direct|dagelijks|wekelijks``."""
        chat_id = chat_id_of(update)
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
        chat_id = chat_id_of(update)
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
        chat_id = chat_id_of(update)
        subscriber = await self._subscriber(chat_id)
        lang = subscriber.language if subscriber else "nl"
        if not await self._may_change(update, context):
            await self._notice(update, context, "admins_only", lang)
            return
        if subscriber is not None:
            await asyncio.to_thread(self.repo.delete_subscriber, subscriber.id)
            logger.info("chat forgotten on /stop", extra={"chat_id": chat_id})
        await self._notice(update, context, "stopped", lang)

    async def _follow_button(
        self, update: Update, context: Context, callback: Callback, lang: str
    ) -> None:
        query = update.callback_query
        assert query is not None
        assert callback.target is not None
        chat_id = chat_id_of(update)
        target = callback.target
        what = views.describe_target(target, lang)
        follow_id: int | None = None
        planned: str | None = None
        if callback.action is Action.FOLLOW:
            followed = await asyncio.to_thread(self._subscribe, chat_id, lang, target)
            key = "followed" if followed.newly else "already_following"
            answer = views.notice(key, lang, what=what)
            following, follow_id = True, followed.follow_id
            if followed.planned:  # already on the agenda: told in a message of its own
                planned = self._followed_text(target, followed, lang)
        else:
            removed = await asyncio.to_thread(self._unsubscribe, chat_id, target)
            answer = views.notice("unfollowed" if removed else "not_following", lang, what=what)
            following = False
        await query.answer(plain(answer))
        if planned is not None:
            await self._send(update, context, planned)
        message = query.message
        if not isinstance(message, Message):
            return  # too old to edit
        if callback.redraw and target.kind is SubscriptionKind.MOTION:
            data = await asyncio.to_thread(self._status_data, target.value, chat_id)
            if data.motion is not None:
                view = self._status_view(data)
                if len(split_message(view.text)) == 1:
                    markup = routing_settings.with_alerts(view.keyboard, follow_id, lang)
                    await self._edit(message, view.text, markup)
                    return
        keyboard = routing_settings.with_alerts(
            views.follow_keyboard(target, following, lang, redraw=callback.redraw), follow_id, lang
        )
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
        chat_id = chat_id_of(update)

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
            await query.answer(plain(views.notice("button_expired", lang)))
        else:
            what = views.describe_target(removed, lang)
            await query.answer(plain(views.notice("unfollowed", lang, what=what)))
        if isinstance(query.message, Message):
            await self._edit(query.message, view.text, view.keyboard)
