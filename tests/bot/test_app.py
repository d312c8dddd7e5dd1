"""The poll cycle's merging of what several sources saw."""

from __future__ import annotations

from datetime import date

from bot.app import merge_results
from scrapers.base import SourceResult
from state.models import CitedMotion, DocumentKind, Letter, Motion


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
