"""The ``kamerwacht`` command line.

Every command has ``--help``. Bad arguments print one line and exit 2; a missing motion or an
out-of-date database prints one line and exits 1; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from bot.logs import configure_logging
from bot.settings import Settings
from state.models import BoardEntry, Change, ExecutionReport, Motion, TimelineEntry
from state.timeline import latest_report

__all__ = ["main"]

logger = logging.getLogger(__name__)


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


# ---------------------------------------------------------------------------------------------
# helpers


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise CliError(
            f"invalid setting KAMERWACHT_{where.upper()}: {first.get('msg')}", 2
        ) from exc


def _setup_logging(settings: Settings, verbose: bool = False) -> None:
    secrets = [
        s.get_secret_value()
        for s in (settings.telegram_token, settings.smtp_password, settings.secret_key)
        if s is not None
    ]
    level = "DEBUG" if verbose else settings.log_level
    configure_logging(settings.log_format, level, secrets)


def _cause(exc: BaseException) -> str:
    """An exception as one short line: its first line, without SQLAlchemy's background link."""
    inner = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    text = lines[0] if lines else type(inner).__name__
    if isinstance(inner, OSError) and inner.filename and str(inner.filename) not in text:
        text = f"{text}: {inner.filename}"
    return text[:300]


def _database_error(settings: Settings, exc: BaseException) -> CliError:
    from state.errors import DatabaseUnavailable

    if isinstance(exc, DatabaseUnavailable) and exc.__cause__ is not None:
        exc = exc.__cause__  # state wraps the driver's error: show the driver's words
    url = _safe_url(settings.database_url)
    return CliError(f"KAMERWACHT_DATABASE_URL ({url}): {_cause(exc)}", 1)


def _repo(settings: Settings, *, check: bool = True) -> Any:
    from state.repository import DatabaseUnavailable, Repository, StateError

    try:
        repo = Repository.from_url(settings.database_url)
        if check:
            repo.check_schema()
    except DatabaseUnavailable as exc:  # not a URL, no such driver or database, not writable, …
        raise _database_error(settings, exc) from exc
    except StateError as exc:
        raise CliError(str(exc), 1) from exc
    except Exception as exc:  # not a URL, no such driver, no such database, not writable, …
        raise _database_error(settings, exc) from exc
    return repo


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _submitter_names(motion: Motion) -> list[str]:
    return [s.name for s in motion.submitters]


def motion_json(entry: BoardEntry) -> dict[str, Any]:
    """The ``motions --json`` object of one board entry."""
    motion = entry.motion
    return {
        "id": motion.id,
        "title": motion.title,
        "submitters": _submitter_names(motion),
        "parliamentary_status": motion.parliamentary_status.value,
        "execution_status": entry.execution.status.value
        if entry.execution and entry.execution.status
        else None,
        "updated": _iso(entry.updated),
    }


def status_json(
    entry: BoardEntry,
    reports: Sequence[ExecutionReport],
    timeline: Sequence[TimelineEntry],
) -> dict[str, Any]:
    """The ``status ID --json`` object: the board object plus votes, evidence, letter, timeline."""
    motion = entry.motion
    data = motion_json(entry)
    decision = motion.final_decision
    data["votes"] = [
        {"party": v.actor, "vote": v.choice.value, "seats": v.seats, "mistake": v.mistake}
        for v in (decision.votes if decision else ())
    ]
    data["tally"] = (
        {"for": decision.tally[0], "against": decision.tally[1]}
        if decision and any(v.seats for v in decision.votes)
        else None
    )
    # where the decision was read when not from a Besluit: the Handelingen item (parties, no seats)
    data["decision_source"] = decision.source if decision else None
    data["decision_date"] = _iso(decision.date) if decision else None
    data["cabinet_appraisal"] = motion.cabinet_appraisal
    data["afgedaan"] = motion.afgedaan
    latest = latest_report(reports)
    data["evidence"] = latest.evidence if latest else None
    data["letter"] = (
        {
            "id": latest.letter_id,
            "title": latest.letter_title,
            "date": _iso(latest.date),
            "url": latest.letter_url,
        }
        if latest
        else None
    )
    from templates.timeline import detail

    data["timeline"] = [  # an inferred decision (no recorded one) is the bot's alone
        {"date": _iso(t.date), "kind": t.kind.value, "detail": detail(t)}
        for t in timeline
        if not t.inferred
    ]
    return data


def change_json(change: Change) -> dict[str, Any]:
    """The ``changes --json`` object of one change (a row stored before facts were kept passes
    its stored line on)."""
    from templates.render import change_summary

    return {
        "kind": change.kind.value,
        "motion": change.motion_id,
        "letter": change.letter_id,
        "summary": change.legacy_summary or change_summary(change),
        "created": _iso(change.created),
    }


def _clip(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def board_table(entries: Sequence[BoardEntry]) -> str:
    """The motion board as a fixed-width text table."""
    from templates.render import label, surnames

    rows = [("motie", "Kamer", "uitvoering", "indieners", "titel")]
    for e in entries:
        rows.append(
            (
                e.motion.id,
                label(e.motion.parliamentary_status),
                label(e.execution.status) if e.execution and e.execution.status else "—",
                _clip(surnames(e.motion.submitters, limit=2), 28),
                _clip(e.motion.title, 60),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        cells = [r[c].ljust(widths[c]) for c in range(4)] + [r[4]]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 5)
    return "\n".join(lines)


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _resolve_motion_id(repo: Any, text: str) -> str:
    from scrapers.citations import find_zaak_numbers, normalize_motion_id

    canonical = normalize_motion_id(text)
    if canonical:
        return canonical
    zaak = find_zaak_numbers(text)
    if zaak:
        motion = repo.find_motion_by_zaak(zaak[0])
        if motion is not None:
            return str(motion.id)
    raise CliError(f"not a motion id: {text!r} (expected e.g. 21501-02-2228)", 1)


# ---------------------------------------------------------------------------------------------
# commands


def cmd_motions(args: argparse.Namespace) -> int:
    """``kamerwacht motions``: the board."""
    settings = _settings()
    repo = _repo(settings)
    try:
        entries = repo.board()
    finally:
        repo.close()
    if args.json:
        _print_json([motion_json(e) for e in entries])
    else:
        print(
            board_table(entries)
            if entries
            else "no motions tracked yet (run `kamerwacht poll --once`)"
        )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """``kamerwacht status ID``: one motion in full."""
    settings = _settings()
    repo = _repo(settings)
    try:
        motion_id = _resolve_motion_id(repo, args.motion_id)
        entry = repo.board_entry(motion_id)
        if entry is None:
            raise CliError(f"unknown motion: {motion_id}", 1)
        reports = repo.execution_reports(motion_id)
        timeline = repo.timeline(motion_id)
    finally:
        repo.close()
    data = status_json(entry, reports, timeline)
    if args.json:
        _print_json(data)
        return 0
    from templates.render import label

    m = entry.motion
    print(f"{m.id}  {m.title}")
    if m.submitters:
        subs = ", ".join(f"{s.name} ({s.party})" if s.party else s.name for s in m.submitters)
        print(f"  indieners:   {subs}")
    print(f"  Kamer:       {label(m.parliamentary_status)}", end="")
    if data["tally"]:
        print(f" ({data['tally']['for']}-{data['tally']['against']})", end="")
    print()
    if m.cabinet_appraisal:
        print(f"  appreciatie: {m.cabinet_appraisal}")
    print(f"  uitvoering:  {label(data['execution_status'])}")
    if data["evidence"]:
        print(f"  bewijs:      “{data['evidence']}”")
    if data["letter"]:
        print(f"  brief:       {data['letter']['id']} {data['letter']['title'] or ''}")
    if data["votes"]:
        votes = ", ".join(f"{v['party']} {label(v['vote'])}" for v in data["votes"])
        print(f"  stemmen:     {votes}")
    for t in data["timeline"]:
        print(f"  {t['date'] or '          '}  {t['kind']:<17} {t['detail']}")
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    """``kamerwacht changes``: recorded changes, newest last."""
    since: datetime | None = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError as exc:
            raise CliError(f"--since: not an ISO date: {args.since!r}", 2) from exc
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
    settings = _settings()
    repo = _repo(settings)
    try:
        changes = repo.changes(since)
    finally:
        repo.close()
    if args.json:
        _print_json([change_json(c) for c in changes])
    else:
        from templates.render import change_summary

        for c in changes:
            print(f"{_iso(c.created)}  {c.kind.value:<19} {change_summary(c)}")
        if not changes:
            print("no changes recorded")
    return 0


def source_check_rows(settings: Settings) -> list[Any]:
    """Probe every configured upstream now (``sources --check``, and ``run`` at start-up)."""
    from bot.app import build_client, build_sources
    from scrapers.check import check_sources
    from scrapers.tweedekamer_sync import NoMirror

    async def go() -> list[Any]:
        client = build_client(settings)
        try:
            return await check_sources(client, build_sources(settings, NoMirror()))
        finally:
            await client.aclose()

    return asyncio.run(go())


def _cmd_sources_check(settings: Settings, as_json: bool) -> int:
    from bot.cli_watch import extra_check_rows  # issue 17: the Toezegging schema

    rows = [*source_check_rows(settings), *extra_check_rows(settings)]
    if as_json:
        _print_json(
            [
                {"source": r.source, "ok": r.ok, "required": r.required, "detail": r.detail}
                for r in rows
            ]
        )
    else:
        for r in rows:
            state = "OK" if r.ok else ("FAIL" if r.required else "WARN")
            print(f"{r.source:<24} {state:<5} {_clip(r.detail, 200)}")
    return 0 if all(r.ok or not r.required for r in rows) else 1


def cmd_sources(args: argparse.Namespace) -> int:
    """``kamerwacht sources``: each source's health; ``--check`` probes them now."""
    settings = _settings()
    if args.check:
        return _cmd_sources_check(settings, args.json)
    repo = _repo(settings)
    try:
        statuses = {s.name: s for s in repo.source_statuses()}
    finally:
        repo.close()
    names = ["tweedekamer", "tweedekamer-syncfeed", "officielebekendmakingen", "rijksoverheid"]
    names += [n for n in statuses if n not in names]
    if args.json:
        _print_json(
            [
                {
                    "source": n,
                    "last_success": _iso(statuses[n].last_success) if n in statuses else None,
                    "last_error": statuses[n].last_error if n in statuses else None,
                    "last_error_at": _iso(statuses[n].last_error_at) if n in statuses else None,
                    "items_seen": statuses[n].items_seen if n in statuses else 0,
                }
                for n in names
            ]
        )
        return 0
    print(f"{'source':<24} {'last success':<26} {'items':>6}  last error")
    for n in names:
        s = statuses.get(n)
        ok = _iso(s.last_success) if s and s.last_success else "never"
        err = _clip(s.last_error, 70) if s and s.last_error else "—"
        print(f"{n:<24} {ok:<26} {s.items_seen if s else 0:>6}  {err}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    """``kamerwacht db upgrade``: bring the schema to the code's version."""
    settings = _settings()
    repo = _repo(settings, check=False)
    try:
        repo.upgrade()
        repo.check_schema()
    except CliError:
        raise
    except Exception as exc:
        raise _database_error(settings, exc) from exc
    finally:
        repo.close()
    print(f"database schema is up to date ({_safe_url(settings.database_url)})")
    return 0


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database>"


def cmd_extract(args: argparse.Namespace) -> int:
    """``kamerwacht extract FILE…``: the motions each document reports on."""
    from scrapers.letters import extract_file
    from templates.render import label

    docs = [dataclasses.replace(extract_file(Path(f)), source=f) for f in args.files]
    failed = any(d.error for d in docs)
    if args.json:
        _print_json([d.to_json() for d in docs])
        return 1 if failed else 0
    for d in docs:
        print(f"== {d.source}")
        if d.error:
            print(f"   error: {d.error}")
            continue
        print(
            f"   {d.kind.value}  kamerstuk {d.kamerstuk or '—'}  datum {_iso(d.date) or '—'}"
            f"  {len(d.motions)} motie(s)"
        )
        for m in d.motions:
            subs = ", ".join(m.submitters) or "—"
            print(f"   {m.id:<16} {_iso(m.date) or '':<10}  {label(m.status):<28} {subs}")
            if m.title:
                print(f"   {'':<16} {_clip(m.title, 90)}")
        if d.references:
            print(f"   verwijzingen: {', '.join(d.references)}")
    return 1 if failed else 0


def cmd_poll(args: argparse.Namespace) -> int:
    """``kamerwacht poll``: poll the sources (once with --once, else on the schedule)."""
    settings = _settings()
    _setup_logging(settings, args.verbose)
    _repo(settings).close()
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
                f" {o.items_seen:>6} {o.requests:>8}  {_clip(o.error, 60) if o.error else ''}"
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
    from replay.server import SCENARIOS, serve_forever

    if args.scenario not in SCENARIOS:
        known = ", ".join(sorted(SCENARIOS))
        raise CliError(f"unknown scenario {args.scenario!r}; known: {known}", 2)
    logging.basicConfig(level=logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(args.scenario, args.host, args.port, args.tk_dialect))
    return 0


def _parse_date(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"{flag}: not a date (YYYY-MM-DD): {value!r}", 2) from exc


def cmd_backfill(args: argparse.Namespace) -> int:
    """``kamerwacht backfill --since DATE``: load history quietly, with a progress bar."""
    from rich.progress import Progress

    from bot.app import build_app, poll_once

    since = _parse_date(args.since, "--since")
    settings = _settings()
    _setup_logging(settings, args.verbose)
    if not args.verbose:
        logging.getLogger().setLevel(logging.ERROR)
    _repo(settings).close()

    async def go() -> int:
        app = build_app(settings)
        try:
            with Progress(transient=False) as progress:
                task = progress.add_task("backfill", total=len(app.sources) + 1)

                def advance(outcome: Any) -> None:
                    state = "ok" if outcome.ok else f"FAILED: {_clip(outcome.error, 50)}"
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
    from bot.app import build_app
    from bot.email.service import format_report, send_digests
    from state.models import Frequency

    if not args.send_now:
        raise CliError("nothing to do: use --send-now (with --dry-run to only render)", 2)
    settings = _settings()
    _setup_logging(settings, args.verbose)
    _repo(settings).close()
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
    from bot.demo import run_demo

    settings = _settings()
    _setup_logging(settings, args.verbose)
    if not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)
    return asyncio.run(run_demo(settings, out_dir=Path(args.out) if args.out else None))


def cmd_run(args: argparse.Namespace) -> int:
    """``kamerwacht run``: the service."""
    from bot.schedule import ROLES, run_service

    settings = _settings()
    _setup_logging(settings, args.verbose)
    _repo(settings).close()  # refuse to start on an out-of-date schema
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
        raise CliError(f"KAMERWACHT_WEB_PORT: cannot listen on {where}: {_cause(exc)}", 1) from exc


async def _check_token(settings: Settings) -> None:
    """Refuse to start when Telegram refuses the token (getMe 401/404); unreachable is fine."""
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


# ---------------------------------------------------------------------------------------------
# parser


def build_parser() -> Parser:
    """The argument parser of every command."""
    parser = Parser(
        prog="kamerwacht",
        description=(
            "kamerwacht follows Dutch parliament for one topic (default: Nagorno-Karabach): "
            "motions, votes per party, government letters and the cabinet's reports on carrying "
            "out adopted motions, and tells subscribers what changed. Configuration comes from "
            "KAMERWACHT_* environment variables or .env (see .env.example)."
        ),
    )
    parser.add_argument("--version", action="version", version="kamerwacht 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str, desc: str) -> Parser:
        p: Parser = sub.add_parser(name, help=help_, description=desc)
        p.set_defaults(func=func)
        return p

    p = add(
        "run",
        cmd_run,
        "run the service: scheduler, bot, web and delivery",
        "Run kamerwacht: poll the sources on a schedule, push changes to Telegram (when "
        "KAMERWACHT_TELEGRAM_TOKEN is set), send email digests (when KAMERWACHT_SMTP_HOST is set) "
        "and serve the web page on KAMERWACHT_WEB_HOST:KAMERWACHT_WEB_PORT. Refuses to start on an "
        "out-of-date database schema.",
    )
    p.add_argument(
        "--role",
        choices=["all", "poller", "bot", "web", "worker"],
        default="all",
        help="run only one part (for separate processes sharing a PostgreSQL database)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")

    p = add(
        "demo",
        cmd_demo,
        "run the whole job offline on recorded real data",
        "Start a loopback replay server of recorded real payloads, poll it twice (the second time "
        "the letter of 4 November 2021 on the execution of all Nagorno-Karabach motions arrives), "
        "and show what subscribers receive: Telegram messages, an email digest (.eml) and the "
        "motion board. Uses a temporary SQLite database unless KAMERWACHT_DATABASE_URL is set.",
    )
    p.add_argument(
        "--out", metavar="DIR", help="where to write the digest .eml (default: a temp dir)"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show the service's log")

    p = add(
        "poll",
        cmd_poll,
        "poll the sources",
        "Poll every source, store what changed and queue deliveries. With --once: one cycle, "
        "then print what each source found and the changes.",
    )
    p.add_argument("--once", action="store_true", help="one poll cycle, then exit")
    p.add_argument(
        "--quiet", action="store_true", help="store changes without queueing notifications"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")

    p = add(
        "extract",
        cmd_extract,
        "extract the motions a letter reports on",
        "Read government letters or motion documents (text, PDF, HTML, official XML) and print "
        "the motions each reports on: id, title, submitters, date, the execution status the "
        "cabinet reports and the sentence that says so. Exits 1 if any file could not be read.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print one JSON array, an object per file")

    p = add(
        "status",
        cmd_status,
        "one motion: status, votes, execution, timeline",
        "Show one motion: title, submitters, parliamentary status with the vote per party, "
        "cabinet appraisal, the latest execution report with its evidence and letter, and the "
        "timeline. MOTION_ID may be any citation spelling (21501-02 nr. 2228) or a Zaak number.",
    )
    p.add_argument("motion_id", metavar="MOTION_ID")
    p.add_argument("--json", action="store_true", help="print a JSON object")

    p = add(
        "motions",
        cmd_motions,
        "the motion board",
        "List every tracked motion with its parliamentary and execution status.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = add(
        "changes",
        cmd_changes,
        "recorded changes, newest last",
        "List the changes kamerwacht recorded (what subscribers were or will be told).",
    )
    p.add_argument("--since", metavar="ISO-DATE", help="only changes recorded at or after this")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = add(
        "sources",
        cmd_sources,
        "each source's last success, last error, items seen",
        "Show the health of every source: when it last succeeded, its last error, items seen. "
        "With --check, probe every configured upstream now (the OData schema and dialect, each "
        "SyncFeed category's head, SRU, the rijksoverheid feed): one row per source, exit 0 "
        "only when every required source passes.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument(
        "--check", action="store_true", help="probe every upstream now instead of the stored health"
    )

    p = add(
        "backfill",
        cmd_backfill,
        "load the topic's history quietly",
        "Load the topic's motions and letters from every source, keeping those dated on or after "
        "--since, and store them without queueing any notification, so a new deployment starts "
        "complete and quiet. Shows a progress bar.",
    )
    p.add_argument("--since", required=True, metavar="YYYY-MM-DD", help="oldest date to load")
    p.add_argument("-v", "--verbose", action="store_true", help="show the service's log")

    p = add(
        "digest",
        cmd_digest,
        "send due email digests now",
        "Send every confirmed email subscriber the digest of their pending changes now, instead "
        "of waiting for the daily/weekly time. --dry-run renders and counts without sending and "
        "leaves the changes pending.",
    )
    p.add_argument("--send-now", action="store_true", help="send the due digests now")
    p.add_argument("--dry-run", action="store_true", help="render and count, send nothing")
    p.add_argument(
        "--frequency", choices=["daily", "weekly"], help="only subscribers of this frequency"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")

    p = add("db", cmd_db, "database schema commands", "Database schema commands.")
    p.add_argument("action", choices=["upgrade"], help="upgrade: migrate the schema to the latest")

    p = add(
        "replay",
        cmd_replay,
        "serve recorded upstream payloads on loopback",
        "Run the replay server of recorded real upstream payloads and print the KAMERWACHT_*_URL "
        "settings that point kamerwacht at it, so the real service can run offline.",
    )
    p.add_argument("--scenario", default="default", help="scenario name (default: default)")
    p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="listen port (default 8090)")
    p.add_argument(
        "--tk-dialect",
        choices=["v2", "v5"],
        default="v5",
        help="which Tweede Kamer OData URL to print: v5 (/OData/v5, default) or v2 "
        "(/OData/v4/2.0); both are served",
    )

    from bot.cli_watch import add_commands  # issue 17: overdue, agenda, commitments

    add_commands(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kamerwacht`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except CliError as exc:
        print(f"kamerwacht: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    # run as ``python -m bot.cli``: use the imported module, so that the commands registered from
    # other modules raise the same CliError class that main() catches
    from bot.cli import main as _main

    sys.exit(_main())
