"""Shared test configuration: where the recorded real payloads live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# CI clones the repository with shared/ beside it; a developer checkout has it at ../shared too.
SHARED_FIXTURES = Path(
    os.environ.get("KAMERWACHT_SHARED_FIXTURES", ROOT.parent / "shared" / "fixtures")
)
LETTERS = SHARED_FIXTURES / "letters"
UPSTREAM = SHARED_FIXTURES / "upstream"


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """The folder of recorded real payloads (../shared/fixtures)."""
    if not SHARED_FIXTURES.is_dir():
        pytest.fail(f"recorded fixtures not found at {SHARED_FIXTURES}")
    return SHARED_FIXTURES
