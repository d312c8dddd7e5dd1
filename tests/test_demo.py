"""`kamerwacht demo` end to end: recorded real data in, what subscribers receive out."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

# The 18 motions the letter of 4 November 2021 reports on, with a submitter surname of each.
LETTER_MOTIONS = {
    "21501-20-1736": "Eppink",
    "21501-20-1714": "Segers",
    "21501-02-2370": "Eppink",
    "21501-02-2342": "Segers",
    "21501-02-2281": "Van Helvert",
    "21501-20-1630": "Van der Graaf",
    "35570-V-31": "Van Helvert",
    "35570-V-42": "Ploumen",
    "21501-02-2234": "Omtzigt",
    "35570-V-33": "Van Helvert",
    "35570-V-35": "Karabulut",
    "35570-V-32": "Van Helvert",
    "35570-V-45": "Voordewind",
    "21501-02-2219": "Van Helvert",
    "21501-02-2218": "Karabulut",
    "21501-02-2216": "Voordewind",
    "35373-23": "Van Helvert",
    "35373-8": "Voordewind",
}


def _kamerwacht(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=cwd,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], Path]:
    tmp = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMERWACHT_")}
    env["KAMERWACHT_DATABASE_URL"] = f"sqlite:///{tmp}/demo.db"
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    result = _kamerwacht("demo", "--out", str(tmp / "out"), env=env, cwd=tmp)
    return result, env, tmp


def test_demo_succeeds(
    demo_run: tuple[subprocess.CompletedProcess[str], dict[str, str], Path],
) -> None:
    result, _, _ = demo_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr


def test_demo_pushes_every_execution_report_with_id_submitters_status(
    demo_run: tuple[subprocess.CompletedProcess[str], dict[str, str], Path],
) -> None:
    out = demo_run[0].stdout
    telegram = out.split("== Telegram", 1)[1].split("== Email", 1)[0]
    statuses = (
        "uitgevoerd",
        "in uitvoering",
        "niet langer van toepassing",
        "wordt niet uitgevoerd",
    )
    reported = 0
    for motion_id, surname in LETTER_MOTIONS.items():
        # the motion's id, a submitter and a status label appear together in one message block
        blocks = [b for b in re.split(r"\n(?=-- )|\n\n(?=\S)", telegram) if motion_id in b]
        assert blocks, f"{motion_id} not pushed"
        assert any(surname in b and any(s in b for s in statuses) for b in blocks), motion_id
        reported += 1
    assert reported >= 18
    m = re.search(r"(\d+) execution report\(s\) pushed", out)
    assert m
    assert int(m.group(1)) >= 18


def test_demo_writes_a_multipart_digest(
    demo_run: tuple[subprocess.CompletedProcess[str], dict[str, str], Path],
) -> None:
    tmp = demo_run[2]
    eml = tmp / "out" / "digest.eml"
    msg = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert plain is not None
    assert html is not None
    text = plain.get_content()
    assert "21501-02-2234" in text
    assert "Omtzigt" in text


def test_demo_keeps_the_database_for_motions_and_status(
    demo_run: tuple[subprocess.CompletedProcess[str], dict[str, str], Path],
) -> None:
    _, env, tmp = demo_run
    board = _kamerwacht("motions", "--json", env=env, cwd=tmp)
    assert board.returncode == 0, board.stderr
    rows = {row["id"]: row for row in json.loads(board.stdout)}
    assert set(LETTER_MOTIONS) <= set(rows)
    for row in rows.values():
        assert set(row) == {
            "id",
            "title",
            "submitters",
            "parliamentary_status",
            "execution_status",
            "updated",
        }
    assert sum(1 for m in LETTER_MOTIONS if rows[m]["execution_status"]) >= 16

    status = _kamerwacht("status", "21 501-02, nr. 2234", "--json", env=env, cwd=tmp)
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["id"] == "21501-02-2234"
    for key in ("votes", "evidence", "letter", "timeline"):
        assert key in data
    assert data["evidence"]
    assert data["letter"]["id"]
    assert data["afgedaan"] is True  # Zaak 2020Z21428: "Afgedaan": true
    assert any(t["kind"] == "execution_report" for t in data["timeline"])

    unknown = _kamerwacht("status", "99999-99", env=env, cwd=tmp)
    assert unknown.returncode == 1
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_demo_digest_is_what_production_sends(
    demo_run: tuple[subprocess.CompletedProcess[str], dict[str, str], Path],
) -> None:
    raw = (demo_run[2] / "out" / "digest.eml").read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line endings, as on the wire
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    unfolded = re.sub(r"\r\n[ \t]+", " ", head)
    headers = dict(line.split(": ", 1) for line in unfolded.split("\r\n"))
    # usable by receivers: the plain HTTPS one-click link, never RFC 2047-encoded; no mailto
    assert re.fullmatch(r"<https?://[^>]+/afmelden/[^>]+>", headers["List-Unsubscribe"])
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "=?" not in headers["List-Unsubscribe"]
    assert "localhost" not in headers["From"]
    assert headers["Message-ID"].startswith("<digest.")
    assert headers["Content-Type"].startswith('multipart/alternative; boundary="=_kw_')


def test_demo_shows_an_upcoming_vote_a_commitment_and_an_overdue_motion(
    demo_run: tuple[subprocess.CompletedProcess[str], dict[str, str], Path],
) -> None:
    out = demo_run[0].stdout
    vote = out.split("== Upcoming vote", 1)[1]
    assert "Op de stemmingslijst · motie 2025Z08365" in vote
    assert "2 oktober 2025, 22:30" in vote
    assert "Appreciatie kabinet: Ontraden" in vote
    commitments = out.split("== Commitments", 1)[1].split("== Overdue", 1)[0]
    assert "TZ202110-001 · voldaan" in commitments
    assert "Conform mijn toezegging" in commitments
    telegram = out.split("== Telegram", 1)[1].split("== Email", 1)[0]
    assert "Toezegging gewijzigd" in telegram
    overdue = out.split("== Overdue", 1)[1].split("== Upcoming vote", 1)[0]
    assert "21501-02-2901" in overdue
    assert "days late" in overdue


def test_the_demos_changes_carry_codes_and_facts_never_sentences(
    demo_run: tuple[subprocess.CompletedProcess[str], dict[str, str], Path],
) -> None:
    """Issue 11, point 1: every change the recorded data gives is codes, ids, dates and
    upstream's own strings (titles, names, evidence quotes); words are the templates' job."""
    import sqlite3
    from dataclasses import fields

    from state.commitments import CommitmentStatus
    from state.models import (
        ChangeFacts,
        ChangeKind,
        ExecutionStatus,
        ParliamentaryStatus,
        is_motion_key,
    )
    from state.overdue import DeadlineReason
    from state.repository import Repository

    _, env, tmp = demo_run
    db = tmp / "demo.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT summary, facts FROM changes").fetchall()
    assert rows
    allowed = {f.name for f in fields(ChangeFacts)}
    for summary, facts in rows:
        assert summary == ""  # no sentence is stored
        assert set(json.loads(facts)) <= allowed

    codes = {
        str(c.value)
        for enum in (ParliamentaryStatus, ExecutionStatus, CommitmentStatus, DeadlineReason)
        for c in enum
    }
    repo = Repository.from_url(env["KAMERWACHT_DATABASE_URL"])
    try:
        changes = repo.changes()
        assert {c.kind for c in changes} >= {
            ChangeKind.NEW_MOTION,
            ChangeKind.NEW_LETTER,
            ChangeKind.EXECUTION_REPORTED,
            ChangeKind.MOTION_OVERDUE,
            ChangeKind.COMMITMENT_NEW,
        }
        for c in changes:
            assert not hasattr(c, "summary")
            assert c.legacy_summary is None
            assert c.facts is not None, c
            for value in (c.old, c.new):
                assert (
                    value is None
                    or value in codes
                    or is_motion_key(value)
                    or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
                ), (c.kind, value)
            motion = repo.get_motion(c.motion_id) if c.motion_id else None
            if motion is not None:
                names = {s.name for s in motion.submitters}
                assert c.facts.submitter is None or c.facts.submitter in names, c
                assert c.facts.title is None or c.facts.title == motion.title, c
            if c.kind is ChangeKind.NEW_LETTER:
                letter = repo.get_letter(c.letter_id or "")
                assert letter is not None
                assert c.facts.title == letter.title
                assert c.facts.cited == tuple(m.id for m in letter.motions)
            if c.kind is ChangeKind.EXECUTION_REPORTED:
                letter = repo.get_letter(c.letter_id or "")
                assert letter is not None
                quoted = {m.id: m.evidence for m in letter.motions}
                assert c.evidence == quoted[c.motion_id or ""]  # the letter's own sentence
            if c.kind in (ChangeKind.COMMITMENT_NEW, ChangeKind.COMMITMENT_STATUS):
                commitment = repo.get_commitment(c.subject or "")
                assert commitment is not None
                assert c.facts.title == commitment.text
    finally:
        repo.close()
