"""Kamerstuk citations: every spelling found in real documents, and what is not a citation."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scrapers.citations import (
    Citation,
    find_citations,
    find_document_numbers,
    find_zaak_numbers,
    normalize_motion_id,
    render_id,
)
from state.models import MOTION_ID_RE

# Spellings copied from the letters and XML in ../shared/fixtures, plus the list.
SPELLINGS = [
    ("21501-20-1736", "21501-20-1736"),
    ("21 501-02, nr. 2228", "21501-02-2228"),
    ("21 501-02 Nr. 2401", "21501-02-2401"),
    ("21 501-02  Nr. 2401", "21501-02-2401"),  # two spaces, as in the 2021-11-04 letter
    ("Kamerstuk 21 501-20, nr. 1736", "21501-20-1736"),
    ("35 570 V, nr. 22", "35570-V-22"),
    ("35570-V-31", "35570-V-31"),
    ("Motie 33570 V, nr. 42", "33570-V-42"),
    ("(35300-A, nr. 15)", "35300-A-15"),
    ("kst-21501-02-3067", "21501-02-3067"),
    ("kst-32545-143", "32545-143"),
    ("(t.v.v. 21501-02-2228)", "21501-02-2228"),
    ("35373-23", "35373-23"),
    ("(26150 Nr. \n196)", "26150-196"),  # "Nr." at a line end
    ("(35570-\nV-42)", "35570-V-42"),  # a line break after the hyphen
    ("(35 570 V \nNr. 64)", "35570-V-64"),
    ("(21 501-02, Nr. \n2375)", "21501-02-2375"),
    ("21\u2009501-02,\u2009nr.\u202f2228", "21501-02-2228"),  # thin spaces from PDF text
    ("21\u00a0501-02 nr. 2228", "21501-02-2228"),
    ("(21 501-2 Nr. 2244)", "21501-02-2244"),  # raadnr written without its zero
    ("(34 952, Nr. 125)", "34952-125"),
    ("36800-IXB-5", "36800-IXB-5"),
    ("21501-02 nr. 2228", "21501-02-2228"),
    ("21501–02, nr. 2228", "21501-02-2228"),  # en dash
    ("Tweede Kamer, vergaderjaar 2020–2021, 35 570 V, nr. 22 1", "35570-V-22"),  # page footer
    (
        "<dossiernummer><dossiernr>21 501</dossiernr>-<raadnr>02</raadnr></dossiernummer>"
        '<titel>Raad</titel></dossier><stuk><stuknr>Nr. <ondernummer kamer="2">3067</ondernummer>',
        "21501-02-3067",
    ),
    (
        "<dossiernr>36 600</dossiernr>\n<begrotingshoofdstuk>V</begrotingshoofdstuk>"
        "</dossiernummer>"
        '<stuknr>Nr. <ondernummer kamer="2">23</ondernummer></stuknr>',
        "36600-V-23",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SPELLINGS)
def test_every_spelling_gives_the_canonical_id(text: str, expected: str) -> None:
    assert [c.id for c in find_citations(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "2021Z19031",  # zaak number
        "(2020D43526)https://www.rijksoverheid.nl/",  # document number
        "(021Z12361)",  # mistyped zaak number in the 2021-11-04 letter
        "Resoluties 882, 853, 874 en 884",  # UN Security Council resolutions (2021-06-16 letter)
        "VN-resolutie 62/243 en S/RES/2334 (2016)",
        "op 2020-11-14 en 12-10-2021, vergaderjaar 2020-2021",
        "12 november 2020",
        "Stcrt. 2020, nr. 12345",  # Staatscourant, not a Kamerstuk
        "(21 501-\n02)",  # a dossier without a number (2021-10-14 letter)
        "Kamerstuk 21501-20",  # dossier 21501 always has a toevoeging: this is a dossier
        "Onze Referentie STPS5HHCFWEY-7-88383",
        "doc. 15363.pdf (coe.int)",
        "telefoon 070-3486486",
        "EUR 42,8 mln",
        "",
    ],
)
def test_things_that_are_not_citations(text: str) -> None:
    assert find_citations(text) == []


def test_citation_carries_its_parts_and_span() -> None:
    text = "zie de motie (Kamerstuk 35 570 V, nr. 31) hierover"
    [citation] = find_citations(text)
    assert citation == Citation(
        "35570-V-31", "35570", "V", 31, text.index("35 570"), text.index(")")
    )
    assert text[citation.start : citation.end] == "35 570 V, nr. 31"


def test_citations_come_in_order_of_appearance() -> None:
    text = "Kamerbrief (21 501-02 Nr. 2389) en motie (35570-V-42), verslag (28 676 Nr. 352)."
    assert [c.id for c in find_citations(text)] == ["21501-02-2389", "35570-V-42", "28676-352"]


def test_zaak_and_document_numbers_are_recognised_as_such() -> None:
    text = (
        "Verslag (2021Z19031), antwoorden (2020D43526) en (2020D45635)https://x.nl, zaak 2020Z21194"
    )
    assert find_zaak_numbers(text) == ["2021Z19031", "2020Z21194"]
    assert find_document_numbers(text) == ["2020D43526", "2020D45635"]
    assert find_citations(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21501-02-2228", "21501-02-2228"),
        ("  21501-02 nr. 2228 ", "21501-02-2228"),
        ("kst-21501-02-2228", "21501-02-2228"),
        ("KST-21501-02-2228", "21501-02-2228"),
        ("Motie 35 570 V, nr. 31", "35570-V-31"),
        ("35570-v-31", "35570-V-31"),  # typed in lower case
        ("(t.v.v. 21501-02-2228)", "21501-02-2228"),
        ("Kamerstuk 21 501-20, nr. 1736.", "21501-20-1736"),
        ("35373-23", "35373-23"),
    ],
)
def test_normalize_motion_id_accepts_one_citation(text: str, expected: str) -> None:
    assert normalize_motion_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hallo",
        "M-2024-17",
        "2021Z19031",
        "21501-02",
        "21501-02-2228 en 21501-02-2229",  # two citations
        "de motie 21501-02-2228 is aangenomen",  # a sentence, not an id
        "21501-02-2228" * 40,  # absurdly long input
        "\x00\ufffd<script>",
    ],
)
def test_normalize_motion_id_refuses_everything_else(text: str) -> None:
    assert normalize_motion_id(text) is None


def test_normalize_motion_id_survives_non_strings() -> None:
    assert normalize_motion_id(None) is None  # type: ignore[arg-type]
    assert normalize_motion_id(21501) is None  # type: ignore[arg-type]


def test_render_id_pads_numeric_and_uppercases_letter_toevoegingen() -> None:
    assert render_id("21 501", "2", 2244) == "21501-02-2244"
    assert render_id("35570", "v", 31) == "35570-V-31"
    assert render_id("35373", None, 23) == "35373-23"
    assert render_id("36800", "IXB", 5) == "36800-IXB-5"


# --- properties -------------------------------------------------------------------------------

_ROMAN = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XII",
    "XVI",
    "A",
    "B",
    "IXB",
]
toevoegingen = st.one_of(
    st.none(),
    st.integers(1, 99).map(lambda n: f"{n:02d}"),
    st.sampled_from(_ROMAN),
    st.from_regex(r"[A-Z]{1,4}", fullmatch=True),
)


def _split(dossier: str) -> str:
    return f"{dossier[:2]} {dossier[2:]}"


def _spellings(dossier: str, toev: str | None, nr: int) -> list[str]:
    """Every supported way to write Kamerstuk (dossier, toev, nr)."""
    d, s = dossier, _split(dossier)
    if toev is None:
        return [
            f"{d}-{nr}",
            f"{d}, nr. {nr}",
            f"{s}, nr. {nr}",
            f"{s} Nr. {nr}",
            f"Kamerstuk {s}, nr. {nr}",
            f"kst-{d}-{nr}",
            f"({d}, nr. {nr})",
            f"(t.v.v. {d}-{nr})",
            f"{s},\nnr.\u2009{nr}",
            f"{d}-\n{nr}",
        ]
    spelled = [
        f"{d}-{toev}-{nr}",
        f"{d}-{toev}, nr. {nr}",
        f"{d}-{toev} nr. {nr}",
        f"{s}-{toev}, nr. {nr}",
        f"{s}-{toev} Nr. {nr}",
        f"Kamerstuk {s}-{toev}, nr. {nr}",
        f"Motie {d}-{toev}, Nr. {nr}",
        f"kst-{d}-{toev}-{nr}",
        f"(t.v.v. {d}-{toev}-{nr})",
        f"({d}-{toev}, nr. {nr})",
        f"{d}-\n{toev}-{nr}",
        f"{s}-{toev},\nnr.\u202f{nr}",
        f"{s.replace(' ', chr(0x2009))}-{toev} nr. {nr}",
    ]
    if not toev.isdigit():
        spelled += [
            f"{s} {toev}, nr. {nr}",
            f"Motie {d} {toev}, nr. {nr}",
            f"{s} {toev} \nNr. {nr}",
        ]
    return spelled


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    dossier=st.integers(10000, 99999).map(str),
    toev=toevoegingen,
    nr=st.integers(1, 99999),
    data=st.data(),
)
def test_any_canonical_id_in_any_spelling_parses_back(
    dossier: str, toev: str | None, nr: int, data: st.DataObject
) -> None:
    assume(not (dossier == "21501" and toev is None))  # 21501 always has a toevoeging
    canonical = render_id(dossier, toev, nr)
    assert MOTION_ID_RE.match(canonical)
    spelling = data.draw(st.sampled_from(_spellings(dossier, toev, nr)))
    assert [c.id for c in find_citations(spelling)] == [canonical], spelling
    assert [c.id for c in find_citations(f"Zie {spelling}. Verder")] == [canonical]
    assert normalize_motion_id(spelling) == canonical


@settings(max_examples=300)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    for citation in find_citations(text):
        assert MOTION_ID_RE.match(citation.id)
        assert 0 <= citation.start < citation.end <= len(text)
    result = normalize_motion_id(text)
    assert result is None or MOTION_ID_RE.match(result)
    assert all(len(z) == 10 for z in find_zaak_numbers(text) + find_document_numbers(text))


@settings(max_examples=200)
@given(st.text(alphabet="0123456789 -–,.nNrRkstVIX()\n\u2009Z", max_size=60))
def test_citation_like_noise_never_raises(text: str) -> None:
    for citation in find_citations(text):
        assert MOTION_ID_RE.match(citation.id)
    result = normalize_motion_id(text)
    assert result is None or MOTION_ID_RE.match(result)
