"""``kamerwacht demo``: the whole main job, offline, on recorded real data.

A loopback replay server serves recorded Tweede Kamer / officielebekendmakingen / rijksoverheid
payloads at the real APIs' paths. The demo points the real sources at it, polls once (the initial
state, stored quietly as a fresh deployment would), lets the letter of 4 November 2021 arrive,
polls again, and shows what subscribers receive: Telegram messages, an email digest and the board.
"""

from __future__ import annotations

import asyncio
import html
import re
import tempfile
import time
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path

from bot.app import App, PollReport, build_app, poll_once
from bot.delivery import load_records
from bot.demo_ahead import show_ahead
from bot.email.links import Links
from bot.email.service import DigestLookups, render_digest
from bot.present import board_table
from bot.settings import Settings
from bot.telegram.outgoing import plan_messages
from replay.server import ReplayServer
from state.models import ChangeKind, Channel, Frequency, SubscriptionKind
from state.repository import Repository

__all__ = ["run_demo"]

DEMO_CHAT = "100200300"
DEMO_EMAIL = "abonnee@example.org"
# Without a configured From the demo shows a real-looking sender (example.org: RFC 2606), not
# the unusable kamerwacht@localhost default.
DEMO_FROM = {"smtp_from": "kamerwacht <kamerwacht@example.org>"}
_TAG_RE = re.compile(r"<[^>]+>")


def _terminal(text: str) -> str:
    """Telegram HTML as a terminal shows it: tags dropped, entities decoded."""
    text = text.replace("<blockquote>", "  “").replace("</blockquote>", "”")
    return html.unescape(_TAG_RE.sub("", text))


def _print_poll(title: str, report: PollReport) -> None:
    print(f"\n== {title}")
    for o in report.outcomes:
        state = "ok" if o.ok else f"FAILED: {o.error}"
        print(
            f"   {o.name:<24} {o.motions:>3} motions  {o.letters:>3} letters  "
            f"{o.requests:>3} requests  {state}"
        )
    kinds: dict[str, int] = {}
    for c in report.changes:
        kinds[c.kind.value] = kinds.get(c.kind.value, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
    print(f"   changes: {summary}")


async def _deliver_telegram(app: App) -> int:
    """Claim the Telegram outbox and print the messages the worker would send."""
    repo = app.repo
    claimed = await asyncio.to_thread(
        repo.claim_deliveries, Channel.TELEGRAM, limit=10_000, worker="demo"
    )
    motions, letters = await asyncio.to_thread(load_records, repo, claimed)
    plan = plan_messages(
        claimed, motions=motions, letters=letters, public_url=app.settings.public_url
    )
    print(
        f"\n== Telegram: {len(plan)} message(s) for {len(claimed)} change(s) to chat {DEMO_CHAT}"
        " (follows: alles)"
    )
    for number, out in enumerate(plan, 1):
        for part_no, part in enumerate(out.parts, 1):
            of = f", part {part_no}/{len(out.parts)}" if len(out.parts) > 1 else ""
            print(f"\n-- message {number}{of} ({len(part)} characters of Telegram HTML)")
            print(_terminal(part))
    await asyncio.to_thread(repo.mark_sent, [c.delivery.id for c in claimed])
    return sum(1 for c in claimed if c.change.kind is ChangeKind.EXECUTION_REPORTED)


async def _deliver_email(app: App, out_dir: Path) -> Path | None:
    """Claim the email outbox and write the digest the subscriber would receive."""
    repo = app.repo
    claimed = await asyncio.to_thread(
        repo.claim_deliveries, Channel.EMAIL, limit=10_000, worker="demo", frequency=Frequency.DAILY
    )
    if not claimed:
        print("\n== Email: nothing to send")
        return None
    subscriber = claimed[0].subscriber
    links = Links.from_settings(app.settings)
    now = datetime.now(UTC)
    lookups = DigestLookups(app)
    await asyncio.to_thread(lookups.load, claimed)
    # exactly what `send_digests` puts on the wire: the production builder and writer
    mail = render_digest(
        app.settings,
        links,
        subscriber,
        claimed,
        lookups,
        frequency=Frequency.DAILY,
        sender_address=parseaddr(app.settings.smtp_from)[1],
        now=now,
    )
    wire = mail.as_bytes()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "digest.eml"
    path.write_bytes(wire)
    msg = BytesParser(policy=policy.default).parsebytes(wire)
    await asyncio.to_thread(repo.mark_sent, [c.delivery.id for c in claimed])
    text_part = msg.get_body(preferencelist=("plain",))
    lines = text_part.get_content().splitlines() if text_part else []
    print(f"\n== Email digest to {DEMO_EMAIL}: {len(claimed)} change(s), written to {path}")
    for header in ("Subject", "List-Unsubscribe", "List-Unsubscribe-Post"):
        if msg[header]:
            print(f"   {header}: {msg[header]}")
    print(f"   Parts: {', '.join(p.get_content_type() for p in msg.iter_parts())}")
    for line in lines[:12]:
        print(f"   | {line}")
    if len(lines) > 12:
        print(f"   | … ({len(lines) - 12} more lines)")
    return path


async def run_demo(settings: Settings, *, out_dir: Path | None = None) -> int:
    """Run the demo; returns the process exit code."""
    started = time.perf_counter()
    keep_db = "database_url" in settings.model_fields_set
    with tempfile.TemporaryDirectory(prefix="kamerwacht-demo-") as tmp:
        db_url = settings.database_url if keep_db else f"sqlite:///{tmp}/demo.db"
        async with ReplayServer("demo") as server:
            demo_settings = settings.model_copy(
                update={
                    **server.urls,
                    "database_url": db_url,
                    "http_min_interval": 0.0,
                    "telegram_token": None,
                    "smtp_host": None,
                    **({} if "smtp_from" in settings.model_fields_set else DEMO_FROM),
                }
            )
            repo = Repository.from_url(db_url)
            await asyncio.to_thread(repo.upgrade)
            chat = repo.get_or_create_subscriber(Channel.TELEGRAM, DEMO_CHAT)
            repo.subscribe(chat.id, SubscriptionKind.ALL)
            mail = repo.get_or_create_subscriber(Channel.EMAIL, DEMO_EMAIL, confirmed=True)
            repo.update_subscriber(mail.id, frequency=Frequency.DAILY)
            repo.subscribe(mail.id, SubscriptionKind.ALL)
            app = build_app(demo_settings, repo=repo)
            try:
                print(
                    "kamerwacht demo — offline, on recorded real data (replay server on loopback)"
                )
                print(f"   database: {'kept at ' + db_url if keep_db else 'temporary SQLite'}")
                first = await poll_once(app, notify=False)
                _print_poll(
                    "Poll 1: initial state (stored quietly, as a new deployment would)", first
                )
                server.advance()
                second = await poll_once(app)
                _print_poll("Poll 2: the letter of 4 November 2021 arrives", second)
                reported = await _deliver_telegram(app)
                await _deliver_email(app, out_dir or Path.cwd() / "demo-output")
                print("\n== Motion board")
                print(board_table(repo.board()))
                await show_ahead(demo_settings, repo)  # issue 17: vote, commitment, overdue
            finally:
                await app.aclose()
    elapsed = time.perf_counter() - started
    print(f"\n{reported} execution report(s) pushed; demo finished in {elapsed:.1f} s")
    if not (first.stored and second.stored):
        return 1
    return 0
