"""The bot's exceptions, under the project's one tree (``state.errors.KamerwachtError``).

::

    KamerwachtError                 (state/errors.py)
    └── BotError                    something the running service cannot do
        └── TokenRefused            Telegram refused the bot token (getMe 401/404): final

``STORE_ERRORS`` is what a caller of the repository catches when the store fails: ``StateError``
(the repository wraps driver errors into ``DatabaseUnavailable``) and, until every entry point
of ``state`` wraps them, SQLAlchemy's own errors.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from state.errors import KamerwachtError, StateError

__all__ = ["STORE_ERRORS", "BotError", "TokenRefused"]

STORE_ERRORS: tuple[type[Exception], ...] = (StateError, SQLAlchemyError)


class BotError(KamerwachtError):
    """Base class of the errors the service (``bot``) raises on purpose."""


class TokenRefused(BotError):
    """Telegram refused the bot token (getMe answered 401 or 404): final, never retried."""
