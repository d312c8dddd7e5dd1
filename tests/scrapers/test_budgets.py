"""Begrotingen and jaarverslagen: their motion overviews become execution reports (issue 16).

The overview is the real "8.1 Moties en Toezeggingen" of the begroting 2010
(tests/scrapers/realtexts/rijksbegroting-2010-kst132823b_23.txt); through a poll it is served by
the replay scenario ``budget-annex`` behind a DERIVED SRU record (replay/data/budget/).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from replay.sru import parse_cql
from scrapers.budgets import annex_section, budget_letter, budget_query, is_budget_dossier
from scrapers.officielebekendmakingen import OfficieleBekendmakingenSource
from scrapers.topics import get_topic
from state.models import DocumentKind, ExecutionStatus
from tests.scrapers.replay_helpers import client, replay

TEXT = Path(__file__).parent / "realtexts" / "rijksbegroting-2010-kst132823b_23.txt"
PAGE = "http://rijksbegroting.minfin.nl/2010/voorbereiding/begroting,kst132823b_23.html"


def test_the_dossier_of_a_begroting_names_its_chapter() -> None:
    chapters = get_topic().ministries
    assert chapters == ("V", "XVII", "X")
    assert is_budget_dossier("36410-V", chapters)
    assert is_budget_dossier("36740-XVII", chapters)
    assert is_budget_dossier("36600-x", chapters)
    assert not is_budget_dossier("35925-VII", chapters)  # the recorded record: another ministry
    assert not is_budget_dossier("21501-02", chapters)
    assert not is_budget_dossier("36410", chapters)
    assert not is_budget_dossier(None, chapters)
    assert not is_budget_dossier("36410-V", ())


def test_the_search_is_a_cql_query_the_replay_understands() -> None:
    query = budget_query("2025-10-01")
    assert query.startswith('w.publicatienaam=="Kamerstuk" and ')
    assert 'dt.modified>="2025-10-01"' in query
    wanted = {
        "w.publicatienaam": "Kamerstuk",
        "w.ondernummer": "2",
        "dt.title": "Vaststelling van de begrotingsstaten van het Ministerie van Defensie (X)",
        "dt.modified": "2025-10-02",
    }
    assert parse_cql(query)(wanted)
    assert not parse_cql(query)({**wanted, "w.ondernummer": "77"})
    assert "dt.modified" not in budget_query(None)


def test_an_overview_whose_rows_open_with_de_motie_is_found() -> None:
    """rijksfinancien's layout: "Bijlage 3: Moties en toezeggingen" … "De motie van de leden …"."""
    text = (TEXT.parent / "rijksfinancien-2020-IV-bijlage3.txt").read_text(encoding="utf-8")
    section = annex_section(text)
    assert section is not None
    assert section.startswith("Bijlage 3: Moties en toezeggingen")
    # its rows name motions only by submitters and a Handelingen Vindplaats: no row is a report
    letter = budget_letter(
        text,
        identifier="rijksfinancien-2020-IV",
        kamerstuk=None,
        title="Begroting Koninkrijksrelaties 2020; Bijlage 3",
        url="https://www.rijksfinancien.nl/memorie-van-toelichting/2020/OWB/IV/onderdeel/232311",
        date=None,
        source="officielebekendmakingen",
    )
    assert letter is None
    # a heading alone, with no row under it, is not an overview
    assert annex_section("Bijlage 3: Moties en toezeggingen\n\nGeen.\n") is None


def test_the_overview_rows_are_reports_with_the_row_as_evidence() -> None:
    text = TEXT.read_text(encoding="utf-8")
    section = annex_section(text)
    assert section is not None
    assert section.startswith("8.1 Moties en Toezeggingen")
    letter = budget_letter(
        text,
        identifier="kst-132823",
        kamerstuk=None,
        title="Begroting BZK 2010; Memorie van toelichting",
        url=PAGE,
        date=None,
        source="officielebekendmakingen",
    )
    assert letter is not None
    assert letter.kind is DocumentKind.BUDGET_ANNEX
    reports = {r.motion_id: r for r in letter.reports()}
    # "Motie van Haverkamp … (29 628, nr. 77) De Tweede Kamer wordt na het zomerreces van 2009
    # per brief geïnformeerd." under "In behandeling zijnde moties"; "Motie van Çörüz …
    # (28 684, nr. 158) Deze motie is in uitvoering"
    assert set(reports) == {"29628-77", "28684-158"}
    assert {r.status for r in reports.values()} == {ExecutionStatus.IN_PROGRESS}
    assert "(29 628, nr. 77)" in (reports["29628-77"].evidence or "")
    assert reports["28684-158"].evidence == (
        "Deze motie is in uitvoering en wordt opgepakt samen met Justitie."
    )
    assert all(r.letter_url == PAGE for r in reports.values())
    assert letter.references == ("31924-VII-1",)  # the toezegging's Vindplaats


def test_a_document_without_an_overview_gives_no_letter() -> None:
    text = "Memorie van toelichting\n\nA. Artikelsgewijze toelichting\n\nGeraamde uitgaven."
    assert annex_section(text) is None
    kwargs = {"identifier": "kst-1", "kamerstuk": None, "title": "t", "url": None, "date": None}
    assert budget_letter(text, source="s", **kwargs) is None  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_reading_an_overview_never_raises(text: str) -> None:
    for body in (text, "Overzicht moties en toezeggingen\n" + text, "Motie van " + text):
        budget_letter(
            body, identifier="kst-1", kamerstuk=None, title="t", url=None, date=None, source="s"
        )


async def test_a_poll_reads_the_begroting_of_a_ministry_the_topic_names() -> None:
    """Ordinary polls on the replay server: the begroting's rows arrive as reports, once a day."""
    topic = dataclasses.replace(get_topic(), ministries=("VII",))
    async with replay("budget-annex") as server, client() as http:
        src = OfficieleBekendmakingenSource(
            server.urls["officielebekendmakingen_url"],
            server.urls["officielebekendmakingen_rss_url"],
            topic,
        )
        first = await src.poll(http, {}, frozenset())
        second = await src.poll(http, first.cursors, frozenset())
        default = await OfficieleBekendmakingenSource(
            server.urls["officielebekendmakingen_url"],
            server.urls["officielebekendmakingen_rss_url"],
            get_topic(),
        ).poll(http, {}, frozenset())
        searches = [line for line in server.request_log if "jaarverslag" in line]
    budget = [x for x in first.letters if x.kind is DocumentKind.BUDGET_ANNEX]
    assert [x.id for x in budget] == ["kst-132823"]
    letter = budget[0]
    assert letter.url == PAGE
    assert letter.source == "officielebekendmakingen"
    assert "(VII) voor het jaar 2010" in letter.title
    reports = {r.motion_id: r for r in letter.reports()}
    assert reports["28684-158"].status is ExecutionStatus.IN_PROGRESS
    assert "Deze motie is in uitvoering" in (reports["28684-158"].evidence or "")
    assert first.cursors["budgets_searched"]
    # the same day: not searched again, nothing new
    assert not [x for x in second.letters if x.kind is DocumentKind.BUDGET_ANNEX]
    assert second.requests < first.requests
    assert len(searches) == 2  # the first poll of each source; not the second poll
    # the default topic's chapters (V, XVII, X) do not include this begroting (VII)
    assert not [x for x in default.letters if x.kind is DocumentKind.BUDGET_ANNEX]
