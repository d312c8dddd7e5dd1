"""The bot's exceptions, under the project's one tree (``state.errors.KamerwachtError``).

::

    KamerwachtError                 (state/errors.py)
    └── BotError                    something the running service cannot do
        └── TokenRefused            Telegram refused the bot token (getMe 401/404): final

``STORE_ERRORS`` is what a caller of the repository catches when the store fails: ``StateError``
(every transaction of ``state.db.Database`` turns the driver's errors into ``DatabaseUnavailable``).
"""

from __future__ import annotations

from state.errors import KamerwachtError, StateError

__all__ = ["STORE_ERRORS", "BotError", "TokenRefused"]

STORE_ERRORS: tuple[type[Exception], ...] = (StateError,)


class BotError(KamerwachtError):
    """Base class of the errors the service (``bot``) raises on purpose."""


class TokenRefused(BotError):
    """Telegram refused the bot token (getMe answered 401 or 404): final, never retried."""
