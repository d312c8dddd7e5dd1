"""The ``kamerwacht`` command line: the argument parser and the entry point.

Every command has ``--help``. Bad arguments print one line and exit 2; a missing motion or an
out-of-date database prints one line and exits 1; nothing prints a traceback.

The commands live by job: ``bot.cli_read`` (motions, status, changes, sources, extract),
``bot.cli_ops`` (run, poll, backfill, digest, demo, replay, db) and ``bot.cli_watch`` (overdue,
agenda, commitments); what they share is in ``bot.cli_common``, the JSON shapes and the board
table in ``bot.present``. This module imports them; none of them imports it.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence

from bot.cli_common import CliError, Parser
from bot.cli_ops import cmd_backfill, cmd_db, cmd_demo, cmd_digest, cmd_poll, cmd_replay, cmd_run
from bot.cli_read import cmd_changes, cmd_extract, cmd_motions, cmd_sources, cmd_status
from bot.cli_watch import add_commands

__all__ = ["READ_COMMANDS", "build_parser", "main"]

# Commands that read the store and print, then exit (see main()). Not ``extract``: parsing many
# documents makes cyclic garbage (PDF object graphs) that must be collected as it goes.
READ_COMMANDS = (
    "motions",
    "status",
    "changes",
    "sources",
    "overdue",
    "agenda",
    "commitments",
)


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

    add_commands(add)  # issue 17: overdue, agenda, commitments
    for name in READ_COMMANDS:
        sub.choices[name].set_defaults(read=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kamerwacht`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    collecting = gc.isenabled()
    if getattr(args, "read", False):
        # A read command lives for well under a second: its memory goes back by reference
        # counting and at exit. The cyclic collector would only walk, again and again, the
        # long-lived objects that importing SQLAlchemy and pydantic creates (~10% of the time).
        gc.disable()
    try:
        code: int = args.func(args)
    except CliError as exc:
        print(f"kamerwacht: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    finally:
        if collecting:
            gc.enable()
    return code


if __name__ == "__main__":
    sys.exit(main())
