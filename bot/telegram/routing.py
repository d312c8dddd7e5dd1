"""Routing by kind in the bot (issue 17, point 4): ``/meldingen`` (``/alerts``) and its buttons.

The settings message lists every class of change kinds (:class:`state.routing.RouteClass`) with
the route this chat gets it by, and under it, per class, one button per route (direct, daily,
weekly, off; the chosen one ticked), then "Recommended": forget every route, so every class gets
its default derived from the chat's ``/digest`` frequency (:func:`state.routing.default_route`:
new documents at most weekly, overdue motions at most daily, the rest as ``/digest``), the
behaviour of a chat that never opened the settings. A press stores the route and redraws the
message.

``/meldingen <id>`` (a motion, dossier, keyword or ``alles``, as ``/volg`` takes them) shows the
same message for that one follow: its own routes override the chat's (follow route → chat route
→ default, :func:`state.routing.follow_effective`); "As the chat" forgets the follow's own
routes. The follow's buttons carry its subscription id, which a press checks against the chat.

Callback data (≤ 64 bytes, see :mod:`bot.telegram.callbacks` for the others)::

    r:documents:weekly   route one class
    r:*:recommended      forget every route (the defaults)
    r:*:reset            the same (a button of messages sent before the two were one)
    r:documents:         the class's label (answers with its name, changes nothing)
    r:documents:weekly:17, r:*:reset:17, r:documents::17
                         the same for follow (subscription) 17 (reset: "as the chat")
    r:*:open:17          send follow 17's settings, as ``/meldingen <id>`` shows them (the
                         "Meldingen" button under the answer to a follow: :func:`with_alerts`)

A button naming a follow the chat does not have (another chat's, or one since unfollowed) is
answered with one line and changes nothing.

Registered by :func:`register` before the bot's generic button handler, which never sees ``r:``.
Words come from ``templates/telegram/routes.html`` and ``route_button.txt``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.telegram.parsing import Target
from bot.telegram.views import describe_target
from state import routing
from state.models import Channel, Frequency, Subscriber, Subscription
from state.outbox import normalise_value
from state.repository import Repository
from state.routing import Route, RouteClass
from templates.render import render

__all__ = [
    "COMMANDS",
    "PREFIX",
    "Host",
    "RouteCallback",
    "alerts_button",
    "decode",
    "encode",
    "follow_of",
    "keyboard",
    "register",
    "settings_text",
    "with_alerts",
]

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

PREFIX = "r:"
COMMANDS = ("meldingen", "alerts", "notifications")
_ALL = "*"
_PRESETS = ("recommended", "reset")
_OPEN = "open"  # r:*:open:<follow>: show that follow's settings (changes nothing)


class Host(Protocol):
    """What this module uses of the bot's handlers (``bot.telegram.handlers.Handlers``)."""

    repo: Repository

    async def _subscriber(self, chat_id: str) -> Subscriber | None: ...

    async def _lang(self, chat_id: str) -> str: ...

    def _ensure_subscriber(self, chat_id: str, lang: str) -> Subscriber: ...

    async def _may_change(self, update: Update, context: Context) -> bool: ...

    async def _targets(self, text: str) -> list[Target] | None: ...

    async def _send(
        self,
        update: Update,
        context: Context,
        text: str,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> Message | None: ...

    async def _edit(
        self, message: Message, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class RouteCallback:
    """A decoded settings button: a class and a route, a preset, or a label (``route`` None)."""

    route_class: RouteClass | None = None
    route: Route | None = None
    preset: str | None = None
    follow: int | None = None  # a follow's (subscription's) settings; None: the chat's


def encode(callback: RouteCallback) -> str:
    """The callback data of a settings button."""
    tail = f":{callback.follow}" if callback.follow is not None else ""
    if callback.preset is not None:
        return f"{PREFIX}{_ALL}:{callback.preset}{tail}"
    if callback.route_class is None:
        raise ValueError(f"incomplete route callback: {callback!r}")
    route = callback.route.value if callback.route is not None else ""
    return f"{PREFIX}{callback.route_class.value}:{route}{tail}"


def decode(data: str | None) -> RouteCallback | None:
    """The settings button ``data`` stands for, or None for anything malformed."""
    if not data or not data.startswith(PREFIX):
        return None
    parts = data[len(PREFIX) :].split(":")
    if len(parts) not in (2, 3):
        return None
    cls, route = parts[0], parts[1]
    follow: int | None = None
    if len(parts) == 3:
        if not parts[2].isascii() or not parts[2].isdigit() or len(parts[2]) > 18:
            return None
        follow = int(parts[2])
    if cls == _ALL:
        if route == _OPEN:
            return RouteCallback(preset=route, follow=follow) if follow is not None else None
        return RouteCallback(preset=route, follow=follow) if route in _PRESETS else None
    if cls not in {c.value for c in RouteClass}:
        return None
    if not route:
        return RouteCallback(route_class=RouteClass(cls), follow=follow)
    if route not in {r.value for r in routing.TELEGRAM_ROUTES}:
        return None
    return RouteCallback(route_class=RouteClass(cls), route=Route(route), follow=follow)


def _label(lang: str, what: str, code: str = "", *, current: bool = False) -> str:
    return render(
        "telegram/route_button.txt", lang=lang, what=what, code=code, current=current
    ).strip()


@dataclass(frozen=True, slots=True)
class FollowRoutes:
    """One follow's settings: its subscription id, its description and its own routes."""

    id: int
    what: str
    own: Mapping[RouteClass, Route]


def _effective(
    stored: Mapping[RouteClass, Route], frequency: Frequency, follow: FollowRoutes | None
) -> dict[RouteClass, Route]:
    if follow is None:
        return routing.effective(stored, frequency)
    return routing.follow_effective(follow.own, stored, frequency)


def settings_text(
    stored: Mapping[RouteClass, Route],
    frequency: Frequency,
    lang: str,
    follow: FollowRoutes | None = None,
) -> str:
    """The settings message (Telegram HTML): the chat's, or one follow's."""
    return render(
        "telegram/routes.html",
        lang=lang,
        classes=[c.value for c in routing.CLASSES],
        routes={c.value: r.value for c, r in _effective(stored, frequency, follow).items()},
        stored={c.value for c in (stored if follow is None else follow.own)},
        chat_stored={c.value for c in stored},
        frequency=Frequency(frequency).value,
        caps={c.value: r.value for c, r in routing.AT_MOST.items()},
        follow=follow.what if follow is not None else None,
    )


def keyboard(
    stored: Mapping[RouteClass, Route],
    frequency: Frequency,
    lang: str,
    follow: FollowRoutes | None = None,
) -> InlineKeyboardMarkup:
    """Per class a label row and a row of route buttons; then the preset."""
    effective = _effective(stored, frequency, follow)
    at = follow.id if follow is not None else None
    rows: list[list[InlineKeyboardButton]] = []
    for cls in routing.CLASSES:
        rows.append(
            [
                InlineKeyboardButton(
                    _label(lang, "class", cls.value),
                    callback_data=encode(RouteCallback(route_class=cls, follow=at)),
                )
            ]
        )
        rows.append(
            [
                InlineKeyboardButton(
                    _label(lang, "route", r.value, current=effective[cls] is r),
                    callback_data=encode(RouteCallback(route_class=cls, route=r, follow=at)),
                )
                for r in routing.TELEGRAM_ROUTES
            ]
        )
    preset = "recommended" if follow is None else "reset"  # follow: "as the chat"
    rows.append(
        [
            InlineKeyboardButton(
                _label(lang, preset), callback_data=encode(RouteCallback(preset=preset, follow=at))
            ),
        ]
    )
    return InlineKeyboardMarkup(rows)


def alerts_button(follow_id: int, lang: str) -> InlineKeyboardButton:
    """The "Meldingen" button under the answer to a follow: opens that follow's settings."""
    data = encode(RouteCallback(preset=_OPEN, follow=follow_id))
    return InlineKeyboardButton(_label(lang, _OPEN), callback_data=data)


def with_alerts(
    markup: InlineKeyboardMarkup | None, follow_id: int | None, lang: str
) -> InlineKeyboardMarkup | None:
    """``markup`` with the follow's "Meldingen" button beside its first row (None: unchanged)."""
    if follow_id is None:
        return markup
    rows = [list(row) for row in markup.inline_keyboard] if markup is not None else []
    if rows:
        rows[0].append(alerts_button(follow_id, lang))
    else:
        rows.append([alerts_button(follow_id, lang)])
    return InlineKeyboardMarkup(rows)


def _changes(
    callback: RouteCallback, stored: Mapping[RouteClass, Route]
) -> dict[RouteClass, Route | None]:
    """What a press stores: one class, or None for every stored class (the defaults)."""
    if callback.preset in _PRESETS:
        return {cls: None for cls in stored}
    if callback.route_class is not None and callback.route is not None:
        return {callback.route_class: callback.route}
    return {}


def follow_of(
    repo: Repository, subscriber_id: int, targets: Sequence[Target]
) -> Subscription | None:
    """The chat's follow of the first of ``targets`` it follows, or None."""
    follows = repo.subscriptions(subscriber_id)
    for target in targets:
        value = normalise_value(target.kind, target.value)
        for follow in follows:
            if follow.kind is target.kind and follow.value == value and follow.id is not None:
                return follow
    return None


def _own_follow(repo: Repository, subscriber_id: int, follow_id: int) -> Subscription | None:
    """The subscriber's follow ``follow_id``; None for another's or one since removed."""
    return next((s for s in repo.subscriptions(subscriber_id) if s.id == follow_id), None)


def _follow_settings(
    repo: Repository, subscriber: Subscriber, found: Subscription
) -> tuple[str, InlineKeyboardMarkup]:
    """What ``/meldingen <id>`` shows for one follow: text and buttons (in a worker thread)."""
    stored = repo.routes(subscriber.id)
    own = repo.follow_routes(found.id or 0)
    lang, frequency = subscriber.language, subscriber.frequency
    follow = FollowRoutes(found.id or 0, describe_target(found, lang), own)
    return (
        settings_text(stored, frequency, lang, follow),
        keyboard(stored, frequency, lang, follow),
    )


def _gone(lang: str) -> str:
    """The one line a button naming a follow this chat does not have is answered with."""
    return render("telegram/notice.html", key="follow_gone", lang=lang)


def register(application: Application[Any, Any, Any, Any, Any, Any], handlers: Host) -> None:
    """Add ``/meldingen`` and its buttons, answering through ``handlers``' helpers."""

    async def show(update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is None:  # pragma: no cover - every command update has a chat
            return
        chat_id = str(chat.id)
        subscriber = await handlers._subscriber(chat_id)
        lang = subscriber.language if subscriber else "nl"
        frequency = subscriber.frequency if subscriber else Frequency.INSTANT
        text = " ".join(context.args or ())
        if text:  # /meldingen <id>: one follow's settings
            targets = await handlers._targets(text)
            found = (
                await asyncio.to_thread(follow_of, handlers.repo, subscriber.id, targets)
                if subscriber is not None and targets
                else None
            )
            if subscriber is None or found is None:
                what = describe_target(targets[0], lang) if targets else text[:100]
                await handlers._send(
                    update, context, render("telegram/routes.html", lang=lang, missing=what)
                )
                return
            shown = await asyncio.to_thread(_follow_settings, handlers.repo, subscriber, found)
            await handlers._send(update, context, *shown)
            return
        stored = await asyncio.to_thread(handlers.repo.routes, subscriber.id) if subscriber else {}
        await handlers._send(
            update,
            context,
            settings_text(stored, frequency, lang),
            keyboard(stored, frequency, lang),
        )

    async def open_follow(
        update: Update,
        context: Context,
        query: CallbackQuery,
        chat_id: str,
        follow_id: int,
        lang: str,
    ) -> None:
        """``r:*:open:<id>``: send what ``/meldingen <id>`` shows, for this chat's own follow."""

        def find() -> tuple[str, InlineKeyboardMarkup] | None:
            subscriber = handlers.repo.get_subscriber(Channel.TELEGRAM, chat_id)
            found = _own_follow(handlers.repo, subscriber.id, follow_id) if subscriber else None
            if subscriber is None or found is None:
                return None
            return _follow_settings(handlers.repo, subscriber, found)

        shown = await asyncio.to_thread(find)
        if shown is None:
            logger.info("settings of a follow not this chat's", extra={"chat_id": chat_id})
            await query.answer(_gone(lang))
            return
        await query.answer()
        await handlers._send(update, context, *shown)

    async def press(update: Update, context: Context) -> None:
        query = update.callback_query
        chat = update.effective_chat
        if query is None or chat is None:  # pragma: no cover - a callback query has both
            return
        chat_id = str(chat.id)
        lang = await handlers._lang(chat_id)
        callback = decode(query.data)
        if callback is None:
            await query.answer(render("telegram/notice.html", key="button_expired", lang=lang))
            return
        if callback.route_class is not None and callback.route is None:  # a label
            await query.answer(_label(lang, "class", callback.route_class.value))
            return
        if callback.preset == _OPEN and callback.follow is not None:  # reading needs no rights
            await open_follow(update, context, query, chat_id, callback.follow, lang)
            return
        if not await handlers._may_change(update, context):
            await query.answer(
                render("telegram/notice.html", key="admins_only", lang=lang).strip(),
                show_alert=True,
            )
            return

        def change() -> tuple[dict[RouteClass, Route], Frequency, str, FollowRoutes | None] | None:
            subscriber = handlers._ensure_subscriber(chat_id, lang)
            stored = handlers.repo.routes(subscriber.id)
            if callback.follow is None:
                stored = handlers.repo.set_routes(subscriber.id, _changes(callback, stored))
                return stored, subscriber.frequency, subscriber.language, None
            found = _own_follow(handlers.repo, subscriber.id, callback.follow)
            if found is None:
                return None
            own = handlers.repo.follow_routes(callback.follow)
            own = handlers.repo.set_follow_routes(
                subscriber.id, callback.follow, _changes(callback, own)
            )
            what = describe_target(found, subscriber.language)
            follow = FollowRoutes(callback.follow, what, own)
            return stored, subscriber.frequency, subscriber.language, follow

        changed = await asyncio.to_thread(change)
        if changed is None:  # a follow this chat does not have (any more)
            await query.answer(_gone(lang))
            return
        stored, frequency, lang, follow = changed
        logger.info("routes changed", extra={"chat_id": chat_id, "follow": callback.follow})
        await query.answer(_label(lang, "saved"))
        if isinstance(query.message, Message):
            await handlers._edit(
                query.message,
                settings_text(stored, frequency, lang, follow),
                keyboard(stored, frequency, lang, follow),
            )

    application.add_handler(CommandHandler(list(COMMANDS), show))
    application.add_handler(CallbackQueryHandler(press, pattern=f"^{PREFIX}"))
