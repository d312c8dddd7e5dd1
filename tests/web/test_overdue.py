"""The overdue motions (issue 17, point 3) on the board, in the digest and in Telegram."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path

import httpx

from bot.email.digest import render_digest_mail
from bot.messages import telegram_change
from state.models import Change, ChangeKind, Motion
from state.overdue import DeadlineReason, Overdue
from tests.web.fixtures import second


def _ids(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1] if "<tbody>" in html else ""
    return re.findall(r'<td class="id"><a href="/motie/([^"]+)">', body)


async def test_board_has_an_overdue_filter_and_column(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    adopted_unreported = [
        e.motion.id
        for e in repo.board()
        if e.motion.parliamentary_status.value == "adopted" and e.execution is None
    ]
    assert adopted_unreported == ["21501-02-3067"]
    r = await client.get("/?execution=overdue")
    assert r.status_code == 200
    assert _ids(r.text) == ["21501-02-3067"]
    html = unescape(r.text)
    assert '<option value="overdue" selected>achterstallig (1)' in html
    row = html[html.index("/motie/21501-02-3067") :].split("</tr>")[0]
    assert 'class="badge e-overdue"' in row
    # adopted on 13 March 2025; due six months later
    assert "13 september 2025" in row
    everything = await client.get("/")
    other = unescape(everything.text)
    row = other[other.index("/motie/21501-02-2234") :].split("</tr>")[0]
    assert "e-overdue" not in row  # reported on: never overdue


def _item() -> Overdue:
    motion = Motion(id="21501-02-2228", title="over oorlogsrecht <b>", date=date(2021, 3, 4))
    return Overdue(
        motion, date(2021, 3, 10), date(2021, 7, 1), DeadlineReason.TEXT, "voor de zomer"
    )


def test_weekly_digest_has_an_overdue_section_with_the_phrase() -> None:
    now = datetime(2021, 8, 1, 8, tzinfo=UTC)
    mail = render_digest_mail(
        to="a@example.org",
        sender="kw <kw@example.org>",
        changes=[],
        motions={},
        public_url="https://kw.example",
        manage_url="https://kw.example/beheer/x",
        period="week 31",
        now=now,
        overdue=[_item()],
    )
    assert "Achterstallig: aangenomen moties zonder uitvoeringsbericht (1)" in mail.text
    assert "verwacht vóór 1 juli 2021 (31 dagen te laat)" in mail.text
    assert '"voor de zomer"' in mail.text
    assert "over oorlogsrecht &lt;b&gt;" in mail.html
    assert "https://kw.example/motie/21501-02-2228" in mail.html
    without = render_digest_mail(
        to="a@example.org",
        sender="kw <kw@example.org>",
        changes=[],
        motions={},
        public_url="https://kw.example",
        manage_url="https://kw.example/beheer/x",
        period="1 augustus 2021",
        now=now,
    )
    assert "Achterstallig" not in without.text


def test_overdue_change_in_telegram_shows_due_date_and_phrase_in_both_languages() -> None:
    change = Change(
        kind=ChangeKind.MOTION_OVERDUE,
        motion_id="21501-02-2228",
        old="text",
        new="2021-07-01",
        evidence="voor de zomer",
    )
    motion = _item().motion
    nl = telegram_change(change, motion=motion, letter=None, public_url="https://kw.example")
    assert "<b>Achterstallig</b>" in nl
    assert "vóór <b>1 juli 2021</b>" in nl
    assert "<blockquote>voor de zomer</blockquote>" in nl
    en = telegram_change(
        change, motion=motion, letter=None, public_url="https://kw.example", lang="en"
    )
    assert "<b>Overdue</b>" in en
    assert "due by <b>1 July 2021</b>" in en


def test_cli_overdue_json_lists_reasons(repo, tmp_path: Path) -> None:
    second(repo)
    env = {**os.environ, "KAMERWACHT_DATABASE_URL": str(repo._engine.url)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "overdue", "--json", "--today", "2025-10-01"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [item] = json.loads(result.stdout)
    assert item["id"] == "21501-02-3067"
    assert item["reason"] == "period"
    assert item["due"] == "2025-09-13"
    assert item["days_overdue"] == 18
    early = subprocess.run(
        [sys.executable, "-m", "bot.cli", "overdue", "--today", "2025-04-01"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert early.stdout.strip() == "no overdue motions"
    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "overdue", "--today", "soon"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
