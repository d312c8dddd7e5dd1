"""PDF / HTML / official XML → clean text, on recorded letters and on PDFs built here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scrapers.text import (
    PAGE_BREAK,
    clean_text,
    html_to_text,
    pdf_to_text,
    to_text,
    xml_to_text,
)
from tests.conftest import LETTERS, UPSTREAM

LETTER_2021_11_04 = LETTERS / "2021-11-04_uitvoering-moties-nagorno-karabach.txt"
LETTER_2020_11_04 = LETTERS / "2020-11-04_kst-35570-V-22.txt"
LETTER_2021_10_14 = LETTERS / "2021-10-14_avvn-inzet-nagorno-karabach.txt"
MOTION_3067 = (
    UPSTREAM
    / "tweedekamer-documentpublicatie"
    / "DocumentPublicatie_156b352c-9a6d-4214-bfb4-f4885f9900ba_kst-21501-02-3067.xml"
)
OWMS_CP1252 = (
    UPSTREAM / "officielebekendmakingen-sru" / "metadata_owms_kst-35842-4_windows-1252.xml"
)


def make_pdf(pages: list[list[str]]) -> bytes:
    """Build a minimal, valid PDF (Helvetica, one text line per entry) by hand."""
    count = len(pages)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{4 + 2 * i} 0 R".encode() for i in range(count))
        + f"] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        ops = ["BT", "/F1 10 Tf", "12 TL", "50 800 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("cp1252")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _url_only_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if re.fullmatch(r"\(*https?://\S+", line.strip())]


# --- clean_text on the recorded letters -------------------------------------------------------


def test_url_dumps_are_removed_and_footnotes_kept() -> None:
    raw = LETTER_2021_11_04.read_text(encoding="utf-8")
    assert len(_url_only_lines(raw)) > 30  # the dumps are really there
    text = clean_text(raw)
    urls = _url_only_lines(text)
    assert len(urls) == len(set(urls))  # no URL line twice
    assert len(urls) < 30
    for footnote in (
        "4 Plenair verslag Tweede Kamer",
        "16 Kamerbrief inzet in AVVN",
        "28 Beantwoording",
    ):
        assert re.search(rf"^{footnote}", text, re.MULTILINE), footnote


def test_hyphenated_line_breaks_are_rejoined() -> None:
    text = clean_text(LETTER_2021_11_04.read_text(encoding="utf-8"))
    assert "in de Minskgroep van de OVSE" in text  # "Minsk-\n\ngroep"
    assert "staakt-het-vuren in Nagorno-Karabach" in text  # compound and name keep their hyphens
    assert "(35570-V-42)" in text  # citation broken after its hyphen
    assert "kamerbrief-inzake-verzoek-tot-kamerbrief" in text  # a URL keeps its hyphens
    old = clean_text(LETTER_2020_11_04.read_text(encoding="utf-8"))
    assert "om de burgerbevolking te beschermen" in old  # "burgerbe-\nvolking"
    assert "Azerbeidzjan zegden" in old  # "Azer-\nbeidzjan"


def test_page_headers_and_signature_placeholders_are_removed() -> None:
    text = clean_text(LETTER_2021_10_14.read_text(encoding="utf-8"))
    assert "Onze Referentie" not in text
    assert "STPS5HHCFWEY" not in text
    assert "[Ondertekenaar" not in text
    assert "1 Verklaring woordvoerder Secretaris-Generaal VN" in text
    assert f"\n{PAGE_BREAK}\nMinsk Groep covoorzitters een gezamenlijke verklaring" in text


def test_official_footer_kept_once_issn_dropped() -> None:
    text = clean_text(LETTER_2020_11_04.read_text(encoding="utf-8"))
    assert "ISSN" not in text
    assert text.count("kst-35570-V-22") == 1
    assert "vergaderjaar 2020–2021, 35 570 V, nr. 22" in text


@pytest.mark.parametrize(
    ("raw", "joined"),
    [
        ("de burgerbe-\nvolking", "de burgerbevolking"),  # a word split at the line end
        ("Azer-\nbeidzjan", "Azerbeidzjan"),
        ("Nagorno-\nKarabach", "Nagorno-Karabach"),  # capital after the hyphen: a name
        ("staakt-het-\nvuren", "staakt-het-vuren"),  # already a compound
        ("alle EU-\nlidstaten", "alle EU-lidstaten"),  # an acronym keeps its hyphen
        ("(35570-\nV-42)", "(35570-V-42)"),
        ("(21 501-\n02)", "(21 501-02)"),
        (
            "https://x.nl/2021/kamerbrief-\ninzake-verzoek",
            "https://x.nl/2021/kamerbrief-inzake-verzoek",
        ),
        ("in de Minsk-\n\ngroep van", "in de Minskgroep van"),  # a blank line in between
        ("zoals -\nhier", "zoals -\nhier"),  # a dash, not a hyphen
    ],
)
def test_hyphen_rules(raw: str, joined: str) -> None:
    assert clean_text(raw) == joined


@pytest.mark.parametrize("path", sorted(LETTERS.glob("*.txt")), ids=lambda p: p.name[:10])
def test_clean_text_is_idempotent(path: Path) -> None:
    once = clean_text(path.read_text(encoding="utf-8"))
    assert clean_text(once) == once


def test_clean_text_collapses_blank_runs_and_keeps_paragraphs() -> None:
    assert clean_text("a\r\n\r\n\r\n\r\nb\n\nc  \n") == "a\n\nb\n\nc"


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_pages_lose_repeated_headers_and_page_numbers() -> None:
    pdf = make_pdf(
        [
            [
                "Datum 4 november 2021",
                "Geachte voorzitter,",
                "de burgerbe-",
                "volking en de",
                "(35570-",
                "V-42).",
                "Pagina 1 van 2",
            ],
            [
                "Datum 4 november 2021",
                "Nagorno-",
                "Karabach blijft.",
                "1 Motie 21 501-20, Nr. 1630",
                "Pagina 2 van 2",
            ],
        ]
    )
    text = to_text(pdf, filename="brief.pdf")
    assert text == pdf_to_text(pdf)
    assert text.count("Datum 4 november 2021") == 1  # kept once, so the date stays findable
    assert "Pagina" not in text
    assert "de burgerbevolking en de" in text
    assert "(35570-V-42)." in text
    assert f"\n{PAGE_BREAK}\nNagorno-Karabach blijft." in text
    assert text.endswith("1 Motie 21 501-20, Nr. 1630")


def test_pdf_is_sniffed_from_content_not_name() -> None:
    pdf = make_pdf([["Geachte voorzitter,", "tekst"]])
    assert "Geachte voorzitter," in to_text(
        pdf, content_type="application/octet-stream", filename="x.txt"
    )


def test_pdf_without_text_and_broken_pdf_raise_value_error() -> None:
    with pytest.raises(ValueError, match="no extractable text"):
        pdf_to_text(make_pdf([[]]))
    with pytest.raises(ValueError, match="unreadable PDF"):
        to_text(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")


# --- HTML -------------------------------------------------------------------------------------


def test_html_keeps_visible_text_one_block_per_line() -> None:
    html = (
        b"<!DOCTYPE html><html><head><title>t</title><style>p{color:red}</style></head><body>"
        b"<h1>Kamerbrief</h1><p>De motie <a href='#'>21 501-02,\n nr. 2228</a> is "
        b"<b>uitgevoerd</b>.</p><script>var x = 1;</script>"
        b"<ul><li>een</li><li>twee &amp; drie</li></ul></body></html>"
    )
    text = to_text(html, content_type="text/html; charset=utf-8")
    assert text == html_to_text(html)
    lines = [line for line in text.split("\n") if line]
    assert lines == [
        "Kamerbrief",
        "De motie 21 501-02, nr. 2228 is uitgevoerd.",
        "een",
        "twee & drie",
    ]


# --- XML --------------------------------------------------------------------------------------


def test_official_motion_xml_becomes_text_with_its_id_first() -> None:
    text = to_text(MOTION_3067.read_bytes(), filename=MOTION_3067.name)
    lines = text.split("\n")
    assert lines[0] == "kst-21501-02-3067"
    assert "MOTIE VAN HET LID CEDER C.S." in lines
    assert "Voorgesteld 13 maart 2025" in lines
    assert any(
        line.startswith("roept de regering op om samen met andere EU-lidstaten") for line in lines
    )
    assert lines[-3:] == ["Ceder", "Boswijk", "Kahraman"]
    assert "OVERHEIDop" not in text  # metadata is not text


def test_xml_footnotes_become_markers_and_numbered_notes() -> None:
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><officiele-publicatie><kamerstuk><stuk>'
        b"<al>Ook uw Kamer heeft in motie Van der Graaf c.s.<noot id='n1'><noot-nr>4</noot-nr>"
        b"<noot-al>Motie 21 501-20, Nr. 1630</noot-al></noot> zich uitgesproken.</al>"
        b"</stuk></kamerstuk></officiele-publicatie>"
    )
    text = xml_to_text(xml)
    assert "motie Van der Graaf c.s.4 zich uitgesproken." in text
    assert text.endswith("\n\n4 Motie 21 501-20, Nr. 1630")


def test_windows_1252_xml_is_decoded() -> None:
    text = to_text(OWMS_CP1252.read_bytes())
    assert "samenvoeging van de gemeenten Boxmeer" in text


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b" \n\t \n", "empty"),
        (b"\x00\x01\x02\x03binary\x00", "binary"),
        (b"<?xml version='1.0'?><a><b>unclosed", "unreadable XML"),
        (b"<?xml version='1.0'?><a/>", "no text"),
    ],
)
def test_empty_or_unreadable_input_raises_a_clear_value_error(content: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        to_text(content)


def test_plain_text_in_cp1252_or_with_bom_is_decoded() -> None:
    assert to_text("café naïef".encode("cp1252")) == "café naïef"
    assert to_text(b"\xef\xbb\xbfGeachte voorzitter,") == "Geachte voorzitter,"
