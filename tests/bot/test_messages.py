"""Rendering changes for Telegram: escaping, the allowed tag set, and the 4096 split."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.messages import TELEGRAM_LIMIT, split_message, telegram_change
from state.models import (
    Change,
    ChangeFacts,
    ChangeKind,
    ExecutionStatus,
    Letter,
    Motion,
    Submitter,
)

ALLOWED_TAGS = {"b", "i", "a", "code", "blockquote", "u", "s", "pre"}


def _tags(html: str) -> set[str]:
    return {m.group(1).lower() for m in re.finditer(r"</?([a-zA-Z0-9-]+)", html)}


def test_execution_report_names_motion_submitters_status_and_evidence() -> None:
    motion = Motion(
        id="21501-02-2228",
        title="over een onderzoek naar het schenden van oorlogsrecht",
        submitters=(Submitter("Omtzigt", "CDA"),),
    )
    letter = Letter(
        id="21501-02-2423",
        title="Uitvoering moties",
        date=date(2021, 11, 4),
        url="https://example.org/l",
    )
    change = Change(
        kind=ChangeKind.EXECUTION_REPORTED,
        motion_id=motion.id,
        letter_id=letter.id,
        new=ExecutionStatus.EXECUTED.value,
        evidence="Het kabinet heeft conform de motie gehandeld.",
    )
    text = telegram_change(change, motion=motion, letter=letter, public_url="https://kw.example/")
    assert "21501-02-2228" in text
    assert "Omtzigt" in text
    assert "uitgevoerd" in text
    assert "conform de motie" in text
    assert 'href="https://kw.example/motie/21501-02-2228"' in text
    assert "4 november 2021" in text
    assert _tags(text) <= ALLOWED_TAGS


def test_upstream_markup_is_escaped() -> None:
    evil = '<script>alert(1)</script><a href="javascript:x">klik</a> & <b>'
    motion = Motion(id="35570-V-31", title=evil, submitters=(Submitter(evil),))
    change = Change(
        kind=ChangeKind.NEW_MOTION,
        motion_id=motion.id,
        facts=ChangeFacts(title=evil, submitter=evil),
    )
    text = telegram_change(change, motion=motion, letter=None, public_url="https://kw.example")
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert 'href="javascript' not in text
    assert _tags(text) <= ALLOWED_TAGS


def test_split_on_line_boundaries() -> None:
    lines = [f"regel {i} " + "x" * 50 for i in range(300)]
    text = "\n".join(lines)
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(p) <= TELEGRAM_LIMIT for p in parts)
    assert "\n".join(parts) == text
    assert all(p.splitlines()[0].startswith("regel") for p in parts)


@given(st.text(max_size=12000))
def test_split_never_exceeds_the_limit_or_loses_text(text: str) -> None:
    parts = split_message(text, limit=500)
    assert all(0 < len(p) <= 500 for p in parts)
    assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", text)


def test_surnames_as_people_write_them() -> None:
    from templates.render import surnames

    assert surnames(["D.G.M. Ceder", "A.H. (Agnes) Mulder"]) == "Ceder, Mulder"
    assert surnames(["C.A.M. van der Plas", "Van der Graaf"]) == "Van der Plas, Van der Graaf"
    assert surnames(["A", "B", "C", "D"], limit=2) == "A, B c.s."
    assert surnames([]) == ""


def test_split_keeps_paragraphs_together() -> None:
    items = [
        f"{i}. motie 21501-02-{2200 + i}\n" + "tekst " * 60 + "\nUitvoering: uitgevoerd"
        for i in range(30)
    ]
    text = "\n\n".join(items)
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(p) <= TELEGRAM_LIMIT for p in parts)
    for item in items:  # every item lies whole inside one part
        assert sum(item in p for p in parts) == 1
