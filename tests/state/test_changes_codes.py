"""Issue 11, point 1: the diff and the changes it builds hold codes and facts, never words for
people; ``templates/render.py`` is the one vocabulary, in Dutch and English."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from state.commitments import CommitmentStatus
from state.diff import StoredState, diff
from state.models import (
    Change,
    ChangeFacts,
    ChangeKind,
    DocumentKind,
    ExecutionStatus,
    Observation,
    ParliamentaryStatus,
)
from state.overdue import DeadlineReason
from templates.render import LABELS, change_summary, surname

from .factories import NOW, cited, letter, motion, voted

ROOT = Path(__file__).resolve().parents[2]
DIFF_MODULES = ("state/diff.py", "state/changes.py", "state/merge.py")
CODES = {
    str(c.value)
    for enum in (
        ChangeKind,
        ParliamentaryStatus,
        ExecutionStatus,
        DocumentKind,
        CommitmentStatus,
        DeadlineReason,
    )
    for c in enum
}


def _literals(path: Path) -> list[str]:
    """The string constants of a module, leaving out docstrings and what is said to operators
    (log lines, exception messages: English, not for subscribers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        logged = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "logger"
        )
        if logged or isinstance(node, ast.Raise):
            skip.update(id(n) for n in ast.walk(node))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


@pytest.mark.parametrize("module", DIFF_MODULES)
def test_the_diff_holds_no_word_of_the_vocabulary(module: str) -> None:
    words = {w for lang in LABELS.values() for w in lang.values() if w not in CODES}
    for text in _literals(ROOT / module):
        assert " — " not in text, (module, text)
        assert "c.s." not in text, (module, text)
        for word in words:
            assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), (module, word)


def test_every_change_of_the_diff_is_codes_and_facts() -> None:
    first = diff(StoredState(), Observation(motions=(motion(),)), now=NOW)
    stored = StoredState.of(first.motions)
    second = diff(
        stored,
        Observation(
            motions=(voted(motion()),),
            letters=(letter("21501-02-2423", cited("35570-V-31")),),
        ),
        now=NOW,
    )
    changes = [*first.changes, *second.changes]
    assert {c.kind for c in changes} == {
        ChangeKind.NEW_MOTION,
        ChangeKind.VOTE_RECORDED,
        ChangeKind.NEW_LETTER,
        ChangeKind.EXECUTION_REPORTED,
    }
    for change in changes:
        assert not hasattr(change, "summary")
        assert change.facts is not None
        assert change.old is None or change.old in CODES
        assert change.new is None or change.new in CODES


def test_one_change_told_in_both_languages() -> None:
    change = Change(
        ChangeKind.STATUS_CHANGED,
        motion_id="35570-V-31",
        old="submitted",
        new="held",
        facts=ChangeFacts(submitter="M.R.J. van Helvert", cosigned=True),
    )
    assert change_summary(change) == "35570-V-31 (Van Helvert c.s.): aangehouden (was: ingediend)"
    assert change_summary(change, "en") == "35570-V-31 (Van Helvert c.s.): held (was: submitted)"
    report = Change(
        ChangeKind.EXECUTION_REPORTED,
        motion_id="35373-23",
        new="not_applicable",
        facts=ChangeFacts(submitter="Van Helvert"),
    )
    # the one Dutch label (diff.py had "niet meer van toepassing", the templates this)
    assert change_summary(report).endswith("uitvoering gemeld — niet langer van toepassing")
    assert change_summary(report, "en").endswith("execution reported — no longer applicable")


def test_a_change_stored_before_facts_is_told_from_its_codes() -> None:
    old = Change(
        ChangeKind.EXECUTION_REPORTED,
        motion_id="21501-02-2228",
        new="executed",
        legacy_summary="21501-02-2228 (Omtzigt): uitvoering gemeld — uitgevoerd",
    )
    assert change_summary(old) == "21501-02-2228: Uitvoering gemeld — uitgevoerd"
    assert change_summary(old, "en") == "21501-02-2228: Execution reported — executed"


def test_facts_read_back_from_their_json() -> None:
    from state.records import facts_from, facts_json

    facts = ChangeFacts(title="T", submitter="S", cosigned=True, votes_for=1, cited=("a", "b"))
    assert facts_from(facts_json(facts)) == facts
    assert facts_from('{"title": "T", "from_a_newer_writer": 1}') == ChangeFacts("T")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("P.H. Omtzigt", "Omtzigt"),
        ("Omtzigt", "Omtzigt"),
        ("M.R.J. van Helvert", "Van Helvert"),
        ("Van Helvert", "Van Helvert"),
        ("J.J. (Jasper) van Dijk", "Van Dijk"),
        ("Jasper van Dijk", "Jasper van Dijk"),
        ("A.H. (Agnes) Mulder", "Mulder"),
        ("Linde van der, R.E.", "Van der Linde"),
        ("Nispen van, M.", "Van Nispen"),
        ("Kröger, S.C.", "Kröger"),
        ("C.A.M. van der Plas", "Van der Plas"),
    ],
)
def test_one_surname_function(name: str, expected: str) -> None:
    assert surname(name) == expected
