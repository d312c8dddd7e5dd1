"""Inline-button callback data: a tiny, versionless text format of at most 64 bytes.

::

    f:m:21501-02-2228   follow a motion (also ``f:d:<dossier>``, ``f:k:<keyword>``, ``f:a:``)
    u:m:21501-02-2228   unfollow it
    F:… / U:…           the same, pressed under a status answer: the answer is redrawn
    x:17                unfollow subscription 17 (from the /lijst message, which is re-drawn)
    s:21501-02-2228     show the status of a motion (from a list of search results)

Telegram refuses callback data longer than 64 bytes, so :func:`encode` returns None for a
target that does not fit (a long keyword) and callers leave the button out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.telegram.parsing import Target
from state.models import SubscriptionKind

__all__ = ["MAX_CALLBACK_BYTES", "Action", "Callback", "decode", "encode"]

MAX_CALLBACK_BYTES = 64

_KIND_CODES = {
    SubscriptionKind.MOTION: "m",
    SubscriptionKind.DOSSIER: "d",
    SubscriptionKind.KEYWORD: "k",
    SubscriptionKind.ALL: "a",
}
_CODE_KINDS = {code: kind for kind, code in _KIND_CODES.items()}


class Action(StrEnum):
    """What a button does."""

    FOLLOW = "f"
    UNFOLLOW = "u"
    UNFOLLOW_ID = "x"
    SHOW = "s"


@dataclass(frozen=True, slots=True)
class Callback:
    """A decoded button press."""

    action: Action
    target: Target | None = None  # FOLLOW / UNFOLLOW
    subscription_id: int | None = None  # UNFOLLOW_ID
    motion_id: str | None = None  # SHOW
    redraw: bool = False  # FOLLOW / UNFOLLOW under a status answer: redraw it


def encode(callback: Callback) -> str | None:
    """The callback data for ``callback``, or None when it would exceed 64 bytes."""
    if callback.action in (Action.FOLLOW, Action.UNFOLLOW) and callback.target is not None:
        target = callback.target
        code = callback.action.value.upper() if callback.redraw else callback.action.value
        data = f"{code}:{_KIND_CODES[target.kind]}:{target.value}"
    elif callback.action is Action.UNFOLLOW_ID and callback.subscription_id is not None:
        data = f"x:{callback.subscription_id}"
    elif callback.action is Action.SHOW and callback.motion_id:
        data = f"s:{callback.motion_id}"
    else:
        raise ValueError(f"incomplete callback: {callback!r}")
    return data if len(data.encode()) <= MAX_CALLBACK_BYTES else None


def decode(data: str | None) -> Callback | None:
    """The button press ``data`` stands for, or None for anything malformed."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    code, sep, rest = data.partition(":")
    if not sep:
        return None
    if code.lower() in (Action.FOLLOW.value, Action.UNFOLLOW.value):
        kind_code, sep, value = rest.partition(":")
        kind = _CODE_KINDS.get(kind_code)
        if not sep or kind is None or (kind is not SubscriptionKind.ALL and not value):
            return None
        return Callback(Action(code.lower()), target=Target(kind, value), redraw=code.isupper())
    if code == Action.UNFOLLOW_ID.value:
        if not (rest.isascii() and rest.isdigit()):  # "²".isdigit() is true, int("²") fails
            return None
        return Callback(Action.UNFOLLOW_ID, subscription_id=int(rest))
    if code == Action.SHOW.value and rest:
        return Callback(Action.SHOW, motion_id=rest)
    return None
