"""The scrapers' exceptions; the root of the tree is ``state.errors.KamerwachtError``.

::

    KamerwachtError (state/errors.py)
     └── SourceError        a fetch failed (network, status, size cap, timeout)
          └── ParseError    the payload arrived but could not be read
"""

from __future__ import annotations

from state.errors import KamerwachtError

__all__ = ["KamerwachtError", "ParseError", "SourceError"]


class SourceError(KamerwachtError):
    """A fetch from an upstream source failed; carries the URL and the cause."""

    def __init__(self, url: str, cause: str, *, status: int | None = None) -> None:
        self.url = url
        self.cause = cause
        self.status = status
        super().__init__(f"{url}: {cause}")


class ParseError(SourceError):
    """An upstream answered, but what it sent is not what the source expects."""
