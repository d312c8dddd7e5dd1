"""Routing by kind in the bot (issue 17, point 4): ``/meldingen`` (``/alerts``) and its buttons.

The settings message lists every class of change kinds (:class:`state.routing.RouteClass`) with
the route this chat gets it by, and under it, per class, one button per route (direct, daily,
weekly, off; the chosen one ticked), then "Recommended": forget every route, so every class gets
its default derived from the chat's ``/digest`` frequency (:func:`state.routing.default_route`:
new documents at most weekly, overdue motions at most daily, the rest as ``/digest``), the
behaviour of a chat that never opened the settings. A press stores the route and redraws the
message.

Callback data (≤ 64 bytes, see :mod:`bot.telegram.callbacks` for the others)::

    r:documents:weekly   route one class
    r:*:recommended      forget every route (the defaults)
    r:*:reset            the same (a button of messages sent before the two were one)
    r:documents:         the class's label (answers with its name, changes nothing)

Registered by :func:`register` before the bot's generic button handler, which never sees ``r:``.
Words come from ``templates/telegram/routes.html`` and ``route_button.txt``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from state import routing
from state.models import Frequency, Subscriber
from state.repository import Repository
from state.routing import Route, RouteClass
from templates.render import render

__all__ = [
    "COMMANDS",
    "PREFIX",
    "Host",
    "RouteCallback",
    "decode",
    "encode",
    "keyboard",
    "register",
    "settings_text",
]

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

PREFIX = "r:"
COMMANDS = ("meldingen", "alerts", "notifications")
_ALL = "*"
_PRESETS = ("recommended", "reset")


class Host(Protocol):
    """What this module uses of the bot's handlers (``bot.telegram.handlers.Handlers``)."""

    repo: Repository

    async def _subscriber(self, chat_id: str) -> Subscriber | None: ...

    async def _lang(self, chat_id: str) -> str: ...

    def _ensure_subscriber(self, chat_id: str, lang: str) -> Subscriber: ...

    async def _may_change(self, update: Update, context: Context) -> bool: ...

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


def encode(callback: RouteCallback) -> str:
    """The callback data of a settings button."""
    if callback.preset is not None:
        return f"{PREFIX}{_ALL}:{callback.preset}"
    if callback.route_class is None:
        raise ValueError(f"incomplete route callback: {callback!r}")
    route = callback.route.value if callback.route is not None else ""
    return f"{PREFIX}{callback.route_class.value}:{route}"


def decode(data: str | None) -> RouteCallback | None:
    """The settings button ``data`` stands for, or None for anything malformed."""
    if not data or not data.startswith(PREFIX):
        return None
    cls, sep, route = data[len(PREFIX) :].partition(":")
    if not sep:
        return None
    if cls == _ALL:
        return RouteCallback(preset=route) if route in _PRESETS else None
    if cls not in {c.value for c in RouteClass}:
        return None
    if not route:
        return RouteCallback(route_class=RouteClass(cls))
    if route not in {r.value for r in routing.TELEGRAM_ROUTES}:
        return None
    return RouteCallback(route_class=RouteClass(cls), route=Route(route))


def _label(lang: str, what: str, code: str = "", *, current: bool = False) -> str:
    return render(
        "telegram/route_button.txt", lang=lang, what=what, code=code, current=current
    ).strip()


def settings_text(stored: Mapping[RouteClass, Route], frequency: Frequency, lang: str) -> str:
    """The settings message (Telegram HTML)."""
    return render(
        "telegram/routes.html",
        lang=lang,
        classes=[c.value for c in routing.CLASSES],
        routes={c.value: r.value for c, r in routing.effective(stored, frequency).items()},
        stored={c.value for c in stored},
        frequency=Frequency(frequency).value,
        caps={c.value: r.value for c, r in routing.AT_MOST.items()},
    )


def keyboard(
    stored: Mapping[RouteClass, Route], frequency: Frequency, lang: str
) -> InlineKeyboardMarkup:
    """Per class a label row and a row of route buttons; then the presets."""
    effective = routing.effective(stored, frequency)
    rows: list[list[InlineKeyboardButton]] = []
    for cls in routing.CLASSES:
        rows.append(
            [
                InlineKeyboardButton(
                    _label(lang, "class", cls.value),
                    callback_data=encode(RouteCallback(route_class=cls)),
                )
            ]
        )
        rows.append(
            [
                InlineKeyboardButton(
                    _label(lang, "route", r.value, current=effective[cls] is r),
                    callback_data=encode(RouteCallback(route_class=cls, route=r)),
                )
                for r in routing.TELEGRAM_ROUTES
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                _label(lang, "recommended"),
                callback_data=encode(RouteCallback(preset="recommended")),
            ),
        ]
    )
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
        stored = await asyncio.to_thread(handlers.repo.routes, subscriber.id) if subscriber else {}
        await handlers._send(
            update,
            context,
            settings_text(stored, frequency, lang),
            keyboard(stored, frequency, lang),
        )

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
        if not await handlers._may_change(update, context):
            await query.answer(
                render("telegram/notice.html", key="admins_only", lang=lang).strip(),
                show_alert=True,
            )
            return

        def change() -> tuple[dict[RouteClass, Route], Frequency, str]:
            subscriber = handlers._ensure_subscriber(chat_id, lang)
            stored = handlers.repo.routes(subscriber.id)
            stored = handlers.repo.set_routes(subscriber.id, _changes(callback, stored))
            return stored, subscriber.frequency, subscriber.language

        stored, frequency, lang = await asyncio.to_thread(change)
        logger.info("routes changed", extra={"chat_id": chat_id})
        await query.answer(_label(lang, "saved"))
        if isinstance(query.message, Message):
            await handlers._edit(
                query.message,
                settings_text(stored, frequency, lang),
                keyboard(stored, frequency, lang),
            )

    application.add_handler(CommandHandler(list(COMMANDS), show))
    application.add_handler(CallbackQueryHandler(press, pattern=f"^{PREFIX}"))
