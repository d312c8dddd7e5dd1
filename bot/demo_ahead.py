"""The demo's last part (issue 17): what lies ahead — an upcoming vote, a commitment, an overdue
motion.

* **upcoming vote**: a second replay server serves the real agenda records of the Stemmingen of
  2 October 2025 as they were before the vote (scenario ``agenda``); a chat following motion
  2025Z08365 gets "on the vote list", shown as the Telegram message it receives;
* **commitment**: the topic's commitments the demo's polls stored (the one the letter of
  4 November 2021 fulfils was pushed with that letter above);
* **overdue**: the adopted topic motions without an execution report past their due date.
"""

from __future__ import annotations

import asyncio
import html
import re
import tempfile
from datetime import UTC, datetime

from bot.app import App, build_app, poll_agenda, poll_once
from bot.delivery import load_records
from bot.settings import Settings
from bot.telegram.outgoing import plan_messages
from replay.server import ReplayServer
from state.models import ChangeKind, Channel, SubscriptionKind
from state.repository import Repository
from templates.render import format_when, label

__all__ = ["AGENDA_MOTION", "show_ahead"]

AGENDA_MOTION = "2025Z08365"  # on the vote list of 2 October 2025, appraisal "Ontraden"
AGENDA_CHAT = "100200301"
_TAG_RE = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    return html.unescape(_TAG_RE.sub("", text))


async def _upcoming_vote(settings: Settings) -> None:
    with tempfile.TemporaryDirectory(prefix="kamerwacht-agenda-") as tmp:
        async with ReplayServer("agenda") as server:
            db_url = f"sqlite:///{tmp}/agenda.db"
            repo = Repository.from_url(db_url)
            await asyncio.to_thread(repo.upgrade)
            app: App = build_app(
                settings.model_copy(
                    update={**server.urls, "database_url": db_url, "watchlist": [AGENDA_MOTION]}
                ),
                repo=repo,
            )
            try:
                await poll_once(app, notify=False, sources=app.sources)
                chat = repo.get_or_create_subscriber(Channel.TELEGRAM, AGENDA_CHAT)
                repo.subscribe(chat.id, SubscriptionKind.MOTION, AGENDA_MOTION)
                changes = await poll_agenda(app, now=datetime.now(UTC))
                claimed = await asyncio.to_thread(
                    repo.claim_deliveries, Channel.TELEGRAM, limit=100, worker="demo"
                )
                motions, letters = await asyncio.to_thread(load_records, repo, claimed)
                plan = plan_messages(
                    claimed, motions=motions, letters=letters, public_url=settings.public_url
                )
                scheduled = [c for c in changes if c.kind is ChangeKind.VOTE_SCHEDULED]
                print(
                    f"\n== Upcoming vote: {len(scheduled)} followed motion(s) on a planned vote "
                    f"list; chat {AGENDA_CHAT} follows {AGENDA_MOTION}"
                )
                for out in plan:
                    for part in out.parts:
                        print(_plain(part))
                for item in repo.agenda():
                    print(
                        f"   agenda: {format_when(item.when())} · {item.ref} · {item.kind} "
                        f"{item.activity_nummer} · {item.appraisal or '—'}"
                    )
            finally:
                await app.aclose()


def _commitments_and_overdue(repo: Repository, months: int) -> None:
    items = repo.commitments()
    print(f"\n== Commitments (toezeggingen) on the topic: {len(items)}")
    for item in items:
        print(f"   {item.number} · {label(item.status)} · {item.text}")
        if item.letter:
            print(f"      {label('letter')}: {item.letter}")
        if item.evidence:
            print(f"      “{item.evidence}”")
    today = datetime.now(UTC).date()
    overdue = repo.overdue(today=today, months=months)
    print(f"\n== Overdue: {len(overdue)} adopted motion(s) without an execution report")
    for late in overdue[:5]:
        why = f"“{late.phrase}”" if late.phrase else label(late.reason)
        print(
            f"   {late.motion.id} · due {late.due.isoformat()} · {late.days(today)} days late "
            f"· {why}\n      {late.motion.title[:110]}"
        )
    if len(overdue) > 5:
        print(f"   … {len(overdue) - 5} more: kamerwacht overdue")


async def show_ahead(settings: Settings, repo: Repository) -> None:
    """Print the demo's upcoming vote, commitments and overdue motions."""
    _commitments_and_overdue(repo, settings.overdue_months)
    await _upcoming_vote(settings)
