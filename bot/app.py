"""Composition root: every collaborator of a running kamerwacht, built once from Settings.

Nothing else in the project reads Settings to build collaborators; everything below receives what
it needs from here: the repository, the one polite HTTP client and the sources (``build_app``,
enough for the CLI's one-off commands), and for the service (``build_service``) the one SMTP pool
(:class:`~bot.email.sender.Mailer`), the one outgoing Telegram bot (the worker's
:class:`~bot.telegram.notifier.TelegramNotifier`, also used for the admins' alerts), the bot role's
receiving python-telegram-bot Application (:func:`bot.telegram.service.build_receiver`) and the
Telegram side of the one digest schedule (:class:`~bot.digests.DigestRequests`). One poll cycle
is ``bot.poll`` (its names are re-exported here for the callers that import them from here).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from pydantic import SecretStr

from bot.digests import DigestRequests
from bot.errors import STORE_ERRORS
from bot.metrics import Metrics
from bot.poll import (
    PollReport,
    SourceOutcome,
    merge_results,
    observed_since,
    poll_agenda,
    poll_commitments,
    poll_once,
    record_overdue,
)
from bot.settings import Settings
from scrapers.base import Source
from scrapers.http import HttpClient, user_agent
from scrapers.officielebekendmakingen import OfficieleBekendmakingenSource
from scrapers.rijksoverheid import RijksoverheidSource
from scrapers.topics import get_topic
from scrapers.tweedekamer import TweedeKamerSource
from scrapers.tweedekamer_agenda import AgendaSource
from scrapers.tweedekamer_commitments import CommitmentSource
from scrapers.tweedekamer_sync import MirrorReader, TweedeKamerSyncSource
from state.repository import Repository

if TYPE_CHECKING:  # built by build_service only: the CLI's one-off commands never load them
    from bot.email.sender import Mailer
    from bot.telegram.notifier import TelegramNotifier
    from bot.telegram.service import BotApplication

__all__ = [
    "App",
    "PollReport",
    "Source",
    "SourceOutcome",
    "build_app",
    "build_client",
    "build_service",
    "build_sources",
    "merge_results",
    "observed_since",
    "poll_agenda",
    "poll_commitments",
    "poll_once",
    "record_overdue",
    "with_signing_key",
]

logger = logging.getLogger(__name__)

# The roles (bot.schedule.ROLES) that send mail, and that send Telegram messages by the worker.
MAIL_ROLES = frozenset({"worker", "poller", "web"})


@dataclass
class App:
    """The collaborators of a running kamerwacht, built once from Settings."""

    settings: Settings
    repo: Repository
    client: HttpClient
    sources: list[Source] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)
    agenda: AgendaSource | None = None  # issue 17: planned votes and debates
    commitments: CommitmentSource | None = None  # issue 17: the cabinet's commitments
    overdue_checked: date | None = None  # the day the overdue check last ran (once a day)
    mailer: Mailer | None = None  # the one SMTP pool (build_service, when email is configured)
    notifier: TelegramNotifier | None = None  # the one outgoing bot (build_service)
    bot_application: BotApplication | None = None  # the bot role's receiving side (build_service)
    telegram_digests: DigestRequests = field(default_factory=DigestRequests)

    async def aclose(self) -> None:
        """Close the SMTP pool, the outgoing bot, the HTTP client and the database engine."""
        if self.mailer is not None:
            await self.mailer.aclose()
        if self.notifier is not None:
            await self.notifier.close()
        await self.client.aclose()
        self.repo.close()


def build_sources(settings: Settings, repo: MirrorReader) -> list[Source]:
    """The explicit list of sources, primary first (its records win when sources overlap).

    The Tweede Kamer comes through two paths: OData (discovery, backfill, whole motions) and the
    SyncFeed (the change stream), each enough to keep tracked motions current on its own.
    """
    topic = get_topic(settings.topic)
    syncfeed: list[Source] = (
        [TweedeKamerSyncSource(settings.tweedekamer_syncfeed_url, topic, repo)]
        if settings.tweedekamer_syncfeed_url
        else []
    )
    return [
        TweedeKamerSource(settings.tweedekamer_url, topic),
        *syncfeed,
        OfficieleBekendmakingenSource(
            settings.officielebekendmakingen_url, settings.officielebekendmakingen_rss_url, topic
        ),
        RijksoverheidSource(settings.rijksoverheid_feed_url, topic),
    ]


def build_client(settings: Settings) -> HttpClient:
    """The one shared, polite HTTP client."""
    return HttpClient(
        user_agent=user_agent(settings.contact),
        timeout=settings.http_timeout,
        max_bytes=settings.http_max_bytes,
        min_interval=settings.http_min_interval,
        retries=settings.http_retries,
        timeout_retries=settings.http_timeout_retries,
    )


def with_signing_key(settings: Settings, repo: Repository) -> Settings:
    """``settings`` with the deployment's own signing key when none is configured.

    The key is made once by ``kamerwacht db upgrade`` and kept in the database, so every process
    of a deployment signs and checks links with the same key. A database without one (not yet
    upgraded) leaves the key unset: links then cannot be made, rather than made with a default.
    """
    if settings.secret_key is not None:
        return settings
    try:
        key = repo.signing_key()
    except STORE_ERRORS as exc:
        logger.warning("no signing key in the database yet (%s)", type(exc).__name__)
        return settings
    return settings.model_copy(update={"secret_key": SecretStr(key)})


def build_app(settings: Settings, *, repo: Repository | None = None) -> App:
    """Build every collaborator from ``settings``."""
    store = repo or Repository.from_url(settings.database_url)
    settings = with_signing_key(settings, store)
    return App(
        settings=settings,
        repo=store,
        client=build_client(settings),
        sources=build_sources(settings, store),
        agenda=AgendaSource(settings.tweedekamer_url),
        commitments=CommitmentSource(settings.tweedekamer_url, get_topic(settings.topic)),
    )


def build_service(settings: Settings, roles: set[str], *, repo: Repository | None = None) -> App:
    """The App of ``kamerwacht run`` for ``roles``: :func:`build_app` plus the one SMTP pool, the
    one outgoing Telegram bot and the bot role's receiving Application, when configured and a role
    needs them (call in the loop)."""
    from bot.email.sender import Mailer
    from bot.telegram.notifier import TelegramNotifier
    from bot.telegram.service import build_receiver

    app = build_app(settings, repo=repo)
    settings = app.settings
    if settings.email_enabled and roles & MAIL_ROLES:
        app.mailer = Mailer.from_settings(settings)
    alerts = "poller" in roles and bool(settings.admin_chat_ids)
    if settings.telegram_enabled and ("worker" in roles or alerts):
        app.notifier = TelegramNotifier.from_settings(settings, budget=app.repo)
    if settings.telegram_enabled and "bot" in roles:
        app.bot_application = build_receiver(settings, app.repo)
    return app
