"""The commands that run or change things: ``run``, ``poll``, ``backfill``, ``digest``, ``demo``,
``replay`` and ``db upgrade``, with ``run``'s start-up checks (web port, Telegram token).

Each command imports the service it starts (``bot.app``, ``bot.schedule``, ``bot.demo``, …)
inside its function: the service does not import the CLI, so no import cycle.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli_common import (
    CliError,
    cause,
    database_error,
    load_settings,
    open_repo,
    parse_date,
    safe_url,
    setup_logging,
)
from bot.cli_read import source_check_rows
from bot.present import clip

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = [
    "cmd_backfill",
    "cmd_db",
    "cmd_demo",
    "cmd_digest",
    "cmd_poll",
    "cmd_replay",
    "cmd_run",
]

logger = logging.getLogger(__name__)


def cmd_db(args: argparse.Namespace) -> int:
    """``kamerwacht db upgrade``: bring the schema to the code's version."""
    settings = load_settings()
    repo = open_repo(settings, check=False)
    try:
        repo.upgrade()
        repo.check_schema()
    except CliError:
        raise
    except Exception as exc:
        raise database_error(settings, exc) from exc
    finally:
        repo.close()
    print(f"database schema is up to date ({safe_url(settings.database_url)})")
    return 0


def cmd_poll(args: argparse.Namespace) -> int:
    """``kamerwacht poll``: poll the sources (once with --once, else on the schedule)."""
    import asyncio

    settings = load_settings()
    setup_logging(settings, args.verbose)
    open_repo(settings).close()
    if not args.once:
        from bot.schedule import run_service

        asyncio.run(run_service(settings, roles={"poller"}))
        return 0
    from bot.app import build_app, poll_once
    from templates.render import change_summary

    async def go() -> int:
        app = build_app(settings)
        try:
            report = await poll_once(app, notify=not args.quiet)
        finally:
            await app.aclose()
        header = ("source", "ok", "motions", "letters", "items", "requests")
        print("{:<24} {:<4} {:>7} {:>7} {:>6} {:>8}  error".format(*header))
        for o in report.outcomes:
            print(
                f"{o.name:<24} {'yes' if o.ok else 'NO':<4} {o.motions:>7} {o.letters:>7}"
                f" {o.items_seen:>6} {o.requests:>8}  {clip(o.error, 60) if o.error else ''}"
            )
        print(
            f"{len(report.changes)} change(s) stored"
            if report.stored
            else f"NOT stored: {report.error}"
        )
        for c in report.changes:
            print(f"  {c.kind.value:<19} {change_summary(c)}")
        return 0 if report.stored else 1

    return asyncio.run(go())


def cmd_replay(args: argparse.Namespace) -> int:
    """``kamerwacht replay``: serve recorded upstream payloads on loopback."""
    import asyncio

    from replay.server import SCENARIOS, serve_forever

    if args.scenario not in SCENARIOS:
        known = ", ".join(sorted(SCENARIOS))
        raise CliError(f"unknown scenario {args.scenario!r}; known: {known}", 2)
    logging.basicConfig(level=logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(args.scenario, args.host, args.port, args.tk_dialect))
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    """``kamerwacht backfill --since DATE``: load history quietly, with a progress bar."""
    import asyncio

    from rich.progress import Progress

    from bot.app import build_app, poll_once

    since = parse_date(args.since, "--since")
    settings = load_settings()
    setup_logging(settings, args.verbose)
    if not args.verbose:
        logging.getLogger().setLevel(logging.ERROR)
    open_repo(settings).close()

    async def go() -> int:
        app = build_app(settings)
        try:
            with Progress(transient=False) as progress:
                task = progress.add_task("backfill", total=len(app.sources) + 1)

                def advance(outcome: Any) -> None:
                    state = "ok" if outcome.ok else f"FAILED: {clip(outcome.error, 50)}"
                    progress.console.print(
                        f"{outcome.name}: {outcome.motions} motions, {outcome.letters} letters, "
                        f"{state}"
                    )
                    progress.advance(task)

                report = await poll_once(app, notify=False, since=since, on_source=advance)
                progress.advance(task)
        finally:
            await app.aclose()
        print(
            f"backfill since {since.isoformat()}: {len(report.changes)} change(s) stored, "
            "no notifications queued"
            if report.stored
            else f"backfill NOT stored: {report.error}"
        )
        return 0 if report.stored and all(o.ok for o in report.outcomes) else 1

    return asyncio.run(go())


def cmd_digest(args: argparse.Namespace) -> int:
    """``kamerwacht digest --send-now``: send (or with --dry-run, render) due email digests."""
    import asyncio

    from bot.app import build_app
    from bot.email.service import format_report, send_digests
    from state.models import Frequency

    if not args.send_now:
        raise CliError("nothing to do: use --send-now (with --dry-run to only render)", 2)
    settings = load_settings()
    setup_logging(settings, args.verbose)
    open_repo(settings).close()
    if not settings.email_enabled and not args.dry_run:
        raise CliError("email is off: set KAMERWACHT_SMTP_HOST, or use --dry-run", 1)
    frequency = Frequency(args.frequency) if args.frequency else None

    async def go() -> int:
        app = build_app(settings)
        mailer = None
        try:
            if not args.dry_run:
                from bot.email.sender import Mailer

                mailer = Mailer.from_settings(settings)
            report = await send_digests(app, mailer, frequency=frequency, dry_run=args.dry_run)
        finally:
            if mailer is not None:
                await mailer.aclose()
            await app.aclose()
        print(format_report(report))
        return 1 if report.errors else 0

    return asyncio.run(go())


def cmd_demo(args: argparse.Namespace) -> int:
    """``kamerwacht demo``: the whole main job offline on recorded real data."""
    import asyncio

    from bot.demo import run_demo

    settings = load_settings()
    setup_logging(settings, args.verbose)
    if not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)
    return asyncio.run(run_demo(settings, out_dir=Path(args.out) if args.out else None))


def cmd_run(args: argparse.Namespace) -> int:
    """``kamerwacht run``: the service."""
    import asyncio

    from bot.schedule import ROLES, run_service

    settings = load_settings()
    setup_logging(settings, args.verbose)
    open_repo(settings).close()  # refuse to start on an out-of-date schema
    roles = set(ROLES) if args.role == "all" else {args.role}
    if "web" in roles:
        _check_port(settings)
    if settings.telegram_enabled and roles & {"bot", "worker"}:
        asyncio.run(_check_token(settings))
    if args.role in ("all", "poller"):
        for row in source_check_rows(settings):
            level = logging.INFO if row.ok else logging.WARNING
            state = "OK" if row.ok else "FAIL" if row.required else "WARN"
            logger.log(level, "source check %s %s: %s", row.source, state, row.detail)
    from bot.delivery import TokenRefused

    try:
        asyncio.run(run_service(settings, roles=roles))
    except TokenRefused as exc:  # revoked while running: one line, non-zero
        raise CliError(
            "KAMERWACHT_TELEGRAM_TOKEN was refused by Telegram while running", 1
        ) from exc
    return 0


def _check_port(settings: Settings) -> None:
    """Refuse to start when the web port is taken (one line, not uvicorn's traceback)."""
    import socket

    try:
        infos = socket.getaddrinfo(settings.web_host, settings.web_port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:
        where = f"{settings.web_host}:{settings.web_port}"
        raise CliError(f"KAMERWACHT_WEB_PORT: cannot listen on {where}: {cause(exc)}", 1) from exc


async def _check_token(settings: Settings) -> None:
    """Refuse to start when Telegram refuses the token (getMe 401/404); unreachable is fine."""
    import asyncio

    from telegram import Bot
    from telegram.error import InvalidToken

    assert settings.telegram_token is not None
    bot = Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram_api_url)
    try:
        await asyncio.wait_for(bot.initialize(), timeout=30)
    except InvalidToken as exc:  # its message quotes the token: never shown
        raise CliError("KAMERWACHT_TELEGRAM_TOKEN was refused by Telegram (getMe)", 1) from exc
    except Exception as exc:  # unreachable now: the bot and worker keep trying
        logging.getLogger(__name__).warning("Telegram not reachable yet (%s)", type(exc).__name__)
    finally:
        with contextlib.suppress(Exception):
            await bot.shutdown()
