"""What every ``kamerwacht`` command shares: the one-line error, the parser class, loading the
settings, opening the database, logging and JSON output.

The bottom of the CLI: ``bot.cli`` (the parser), ``bot.cli_read``, ``bot.cli_ops`` and
``bot.cli_watch`` (the commands) import this module, never the other way round. Heavy modules
(pydantic-settings, SQLAlchemy) are imported by the functions that need them, so that
``kamerwacht --help`` and a bad argument answer at once.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from bot.settings import Settings
    from state.repository import Repository

__all__ = [
    "CliError",
    "Parser",
    "cause",
    "database_error",
    "load_settings",
    "open_repo",
    "parse_date",
    "print_json",
    "safe_url",
    "setup_logging",
]


class CliError(Exception):
    """A failure to report on one line with an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``kamerwacht <cmd>: error: …`` on one line and exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (try --help)\n")


def load_settings() -> Settings:
    """The one Settings object, or a one-line error (exit 2) naming the bad variable."""
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise CliError(
            f"invalid setting KAMERWACHT_{where.upper()}: {first.get('msg')}", 2
        ) from exc


def setup_logging(settings: Settings, verbose: bool = False) -> None:
    """Configure logging from the settings, with every secret masked."""
    from bot.logs import configure_logging

    secrets = [
        s.get_secret_value()
        for s in (settings.telegram_token, settings.smtp_password, settings.secret_key)
        if s is not None
    ]
    level = "DEBUG" if verbose else settings.log_level
    configure_logging(settings.log_format, level, secrets)


def cause(exc: BaseException) -> str:
    """An exception as one short line: its first line, without SQLAlchemy's background link."""
    inner = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    text = lines[0] if lines else type(inner).__name__
    if isinstance(inner, OSError) and inner.filename and str(inner.filename) not in text:
        text = f"{text}: {inner.filename}"
    return text[:300]


def safe_url(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database>"


def database_error(settings: Settings, exc: BaseException) -> CliError:
    """The one line for a database that cannot be opened: the URL (no password) and the cause."""
    from state.errors import DatabaseUnavailable

    if isinstance(exc, DatabaseUnavailable) and exc.__cause__ is not None:
        exc = exc.__cause__  # state wraps the driver's error: show the driver's words
    url = safe_url(settings.database_url)
    return CliError(f"KAMERWACHT_DATABASE_URL ({url}): {cause(exc)}", 1)


def open_repo(settings: Settings, *, check: bool = True) -> Repository:
    """The store at ``KAMERWACHT_DATABASE_URL``; with ``check``, refuse an out-of-date schema."""
    from state.errors import DatabaseUnavailable, StateError
    from state.repository import Repository

    try:
        repo = Repository.from_url(settings.database_url)
        if check:
            repo.check_schema()
    except DatabaseUnavailable as exc:  # not a URL, no such driver or database, not writable, …
        raise database_error(settings, exc) from exc
    except StateError as exc:
        raise CliError(str(exc), 1) from exc
    except Exception as exc:  # not a URL, no such driver, no such database, not writable, …
        raise database_error(settings, exc) from exc
    return repo


def parse_date(value: str, flag: str) -> date:
    """A YYYY-MM-DD option value, or a one-line error (exit 2) naming ``flag``."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"{flag}: not a date (YYYY-MM-DD): {value!r}", 2) from exc


def print_json(data: object) -> None:
    """``data`` as indented JSON on stdout, non-ASCII kept."""
    print(json.dumps(data, ensure_ascii=False, indent=2))
