"""bot.present: the JSON shapes and the board table shared by the CLI, the API and the demo."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from bot.present import board_table, clip, motion_json, status_json
from state.models import (
    BoardEntry,
    Decision,
    ExecutionReport,
    ExecutionStatus,
    Motion,
    ParliamentaryStatus,
    PartyVote,
    Submitter,
    TimelineEntry,
    TimelineKind,
    VoteChoice,
)

ROOT = Path(__file__).resolve().parents[2]
UPDATED = datetime(2021, 11, 5, 8, 30, tzinfo=UTC)


def _entry(report: ExecutionReport | None = None) -> BoardEntry:
    decision = Decision(
        id="b1",
        motion_id="35570-V-35",
        status=ParliamentaryStatus.ADOPTED,
        raw_kind="Stemmen - aangenomen",
        date=date(2020, 11, 17),
        votes=(
            PartyVote("VVD", "VVD", VoteChoice.FOR, 32),
            PartyVote("PVV", "PVV", VoteChoice.AGAINST, 20),
        ),
    )
    motion = Motion(
        id="35570-V-35",
        title="Motie van het lid Karabulut over persoonsgerichte sancties",
        submitters=(Submitter("S. Karabulut", "SP"), Submitter("J. van den Berg", "CDA")),
        parliamentary_status=ParliamentaryStatus.ADOPTED,
        decisions=(decision,),
    )
    return BoardEntry(motion, report, UPDATED)


def test_status_json_takes_the_latest_report_with_a_status() -> None:
    with_status = ExecutionReport(
        "35570-V-35", "21501-02-2423", ExecutionStatus.EXECUTED, "uitvoering gegeven",
        date(2021, 11, 4), "Uitvoering van alle moties", "https://example.org/l",
    )  # fmt: skip
    later_without = ExecutionReport("35570-V-35", "21501-02-2500", None, None, date(2022, 1, 1))
    timeline = [
        TimelineEntry(date(2020, 11, 12), TimelineKind.SUBMITTED, submitters=("S. Karabulut",)),
        TimelineEntry(None, TimelineKind.DECISION, status="adopted", inferred=True),
    ]
    data = status_json(_entry(with_status), [with_status, later_without], timeline)
    assert data["execution_status"] == "executed"
    assert data["evidence"] == "uitvoering gegeven"
    assert data["letter"] == {
        "id": "21501-02-2423",
        "title": "Uitvoering van alle moties",
        "date": "2021-11-04",
        "url": "https://example.org/l",
    }
    assert data["tally"] == {"for": 32, "against": 20}
    assert data["votes"][1] == {"party": "PVV", "vote": "against", "seats": 20, "mistake": False}
    # worded by templates/; the inferred decision is the bot's alone
    assert data["timeline"] == [
        {"date": "2020-11-12", "kind": "submitted", "detail": "ingediend door S. Karabulut"}
    ]
    # the board object is the first part of the status object, key for key
    assert list(data)[: len(motion_json(_entry(with_status)))] == list(
        motion_json(_entry(with_status))
    )


def test_board_table_aligns_columns_and_clips() -> None:
    table = board_table([_entry()]).splitlines()
    assert table[0].split() == ["motie", "Kamer", "uitvoering", "indieners", "titel"]
    assert set(table[1].replace(" ", "")) == {"-"}
    assert table[2].startswith("35570-V-35")
    assert table[2].index("Motie van het lid") == table[0].index("titel")
    assert clip("a\nb" + "c" * 10, 5) == "a bc…"
    assert clip(None, 5) == ""


def test_the_parser_imports_no_service_and_no_heavy_library() -> None:
    """``kamerwacht --help`` and bad arguments answer without loading the store or the web."""
    code = (
        "import sys, bot.cli; print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'pydantic_settings', 'jinja2', 'starlette', 'telegram', 'httpx', "
        "'state', 'scrapers', 'templates'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
