"""The poll cycle: merging what several sources saw, and logging what changed."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest

from bot.app import build_app, merge_results, poll_once
from bot.settings import Settings
from scrapers.base import SourceResult
from state.models import CitedMotion, DocumentKind, Letter, Motion
from state.repository import Repository


def test_first_source_wins_and_letters_match_by_kamerstuk() -> None:
    tk = SourceResult(
        source="tweedekamer",
        motions=(Motion(id="21501-02-3067", title="Motie van het lid Ceder c.s."),),
        letters=(Letter(id="2021D41766", title="Brief", kamerstuk="21501-02-2423"),),
    )
    ob = SourceResult(
        source="officielebekendmakingen",
        motions=(Motion(id="21501-02-3067", title="other"),),
        letters=(
            Letter(id="21501-02-2423", title="Same letter", kamerstuk="21501-02-2423"),
            Letter(id="21501-02-2500", title="Another letter", date=date(2022, 1, 1)),
        ),
    )
    merged = merge_results([tk, ob])
    assert [m.title for m in merged.motions] == ["Motie van het lid Ceder c.s."]
    assert [x.id for x in merged.letters] == ["2021D41766", "21501-02-2500"]


def test_a_motions_own_document_is_not_a_letter_about_it() -> None:
    ob = SourceResult(
        source="officielebekendmakingen",
        letters=(
            Letter(
                id="21501-02-3067",
                title="Motie van het lid Ceder c.s.",
                kind=DocumentKind.MOTION,
                kamerstuk="21501-02-3067",
                motions=(CitedMotion(id="21501-02-3067"),),
            ),
        ),
    )
    assert merge_results([ob]).letters == ()


async def test_poll_logs_each_change_with_its_motion_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class OneMotion:
        name = "tweedekamer"

        async def poll(
            self, client: object, cursors: Mapping[str, str], watchlist: frozenset[str]
        ) -> SourceResult:
            motion = Motion(id="21501-02-2228", title="Motie van het lid Omtzigt over oorlogsrecht")
            return SourceResult(source=self.name, motions=(motion,), cursors={"zaak": "x"})

    settings = Settings(database_url=f"sqlite:///{tmp_path}/kw.db")
    repo = Repository.from_url(settings.database_url)
    repo.upgrade()
    app = build_app(settings, repo=repo)
    try:
        with caplog.at_level(logging.INFO, logger="bot.poll"):
            report = await poll_once(app, sources=[OneMotion()])
    finally:
        await app.aclose()
    assert report.stored
    [record] = [r for r in caplog.records if getattr(r, "motion_id", None)]
    assert record.motion_id == "21501-02-2228"  # type: ignore[attr-defined]
    assert "new_motion" in record.getMessage()
