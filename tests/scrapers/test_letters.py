"""Letters and motions → cited motions with execution status; golden values from the letters."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers.letters import ExtractedDocument, extract_document, extract_file, to_letter
from scrapers.text import clean_text, xml_to_text
from state.models import MOTION_ID_RE, CitedMotion, DocumentKind, ExecutionStatus, Letter
from tests.conftest import LETTERS, UPSTREAM
from tests.scrapers.test_text import make_pdf

EXECUTED = ExecutionStatus.EXECUTED
IN_PROGRESS = ExecutionStatus.IN_PROGRESS
NOT_APPLICABLE = ExecutionStatus.NOT_APPLICABLE
DECLINED = ExecutionStatus.DECLINED
D = datetime.date

LETTER_2020_11_04 = LETTERS / "2020-11-04_kst-35570-V-22.txt"
LETTER_2021_06_16 = LETTERS / "2021-06-16_conflict-azerbeidzjan-armenie.txt"
LETTER_2021_10_14 = LETTERS / "2021-10-14_avvn-inzet-nagorno-karabach.txt"
LETTER_2021_11_04 = LETTERS / "2021-11-04_uitvoering-moties-nagorno-karabach.txt"
LETTER_2022_12 = LETTERS / "2022-12_stand-van-zaken-armenie-azerbeidzjan.txt"

# The 18 motions of the 4 November 2021 letter, in the letter's order. Each status was decided
# from the letter's own wording; the comment quotes the deciding words, the last field is a piece
# of the sentence the extractor must return as evidence.
GOLDEN_2021_11_04: list[tuple[str, D, tuple[str, ...], ExecutionStatus, str]] = [
    # 1. "heeft het kabinet conform deze motie zorgen geuit over de mensenrechtensituatie"
    ("21501-20-1736", D(2021, 10, 12), ("Eppink",), EXECUTED, "conform deze motie zorgen geuit"),
    # 2. "acht de uitvoering van deze motie niet langer van toepassing"
    (
        "21501-20-1714",
        D(2021, 6, 22),
        ("Segers", "Van der Lee"),
        NOT_APPLICABLE,
        "niet langer van toepassing",
    ),
    # 3. "Het kabinet zal dit blijven doen totdat al deze Armeense gevangenen vrij zijn"
    ("21501-02-2370", D(2021, 6, 17), ("Eppink",), IN_PROGRESS, "zal dit blijven doen totdat"),
    # 4. "onderstreepte Nederland het belang van terugtrekking van de troepen"
    (
        "21501-02-2342",
        D(2021, 5, 20),
        ("Segers", "Van der Staaij"),
        EXECUTED,
        "onderstreepte Nederland",
    ),
    # 5. "heeft het kabinet conform deze motie het belang benadrukt van de onmiddellijke vrijlating"
    (
        "21501-02-2281",
        D(2021, 2, 25),
        ("Van Helvert", "Voordewind"),
        EXECUTED,
        "conform deze motie het belang",
    ),
    # 6. "het Nederlands beleid … volledig in lijn is met de motie van lid Van der Graaf"
    (
        "21501-20-1630",
        D(2020, 12, 8),
        ("Van der Graaf",),
        EXECUTED,
        "volledig in lijn is met de motie",
    ),
    # 7. "heeft voormalig minister … Blok het belang onderstreept van onafhankelijke … waarneming"
    ("35570-V-31", D(2020, 11, 12), ("Van Helvert",), EXECUTED, "het belang onderstreept"),
    # 8. "heeft het kabinet zich meermaals hardgemaakt voor een actieve rol van de OVSE Minsk Groep"
    ("35570-V-42", D(2020, 11, 12), ("Ploumen",), EXECUTED, "meermaals hardgemaakt"),
    # 9. "onderzoek … is nog niet tot stand gekomen" / "zal het kabinet zich blijven hardmaken"
    ("21501-02-2234", D(2020, 11, 12), ("Omtzigt",), IN_PROGRESS, "nog niet tot stand gekomen"),
    # 10. "heeft het kabinet, gepleit voor een internationaal onafhankelijk onderzoek" (and motie 11
    #     says of motie 10's approach: "heeft het kabinet uitvoering gegeven")
    (
        "35570-V-33",
        D(2020, 11, 12),
        ("Van Helvert", "Voordewind"),
        EXECUTED,
        "heeft het kabinet, gepleit",
    ),
    # 11. "heeft het kabinet uitvoering gegeven aan deze motie"
    ("35570-V-35", D(2020, 11, 12), ("Karabulut",), EXECUTED, "uitvoering gegeven aan deze motie"),
    # 12. "stuurde voormalig minister Kaag … een brief over de uitvoering van deze motie"
    (
        "35570-V-32",
        D(2020, 11, 12),
        ("Van Helvert", "Voordewind"),
        EXECUTED,
        "stuurde voormalig minister",
    ),
    # 13. "heeft zich meermaals hard gemaakt" / "pleitte hij voor een moratorium"
    ("35570-V-45", D(2020, 11, 12), ("Voordewind",), EXECUTED, "hard gemaakt"),
    # 14. "conform deze motie verkondigd" / "Deze motie is nader uitgevoerd als onderdeel van …"
    (
        "21501-02-2219",
        D(2020, 10, 7),
        ("Van Helvert", "Voordewind"),
        EXECUTED,
        "Deze motie is nader uitgevoerd",
    ),
    # 15. "veroordeelde het kabinet de oorlogsretoriek … en riep het kabinet deze landen op"
    ("21501-02-2218", D(2020, 10, 7), ("Karabulut",), EXECUTED, "veroordeelde het kabinet"),
    # 16. "Het kabinet heeft in lijn met motie in de Noord-Atlantische Raad zijn zorgen …"
    ("21501-02-2216", D(2020, 10, 6), ("Voordewind", "Van Helvert"), EXECUTED, "in lijn met motie"),
    # 17. "De uitvoering van deze motie is niet langer van toepassing"
    ("35373-23", D(2020, 10, 6), ("Van Helvert",), NOT_APPLICABLE, "niet langer van toepassing"),
    # 18. "Het kabinet heeft … in verschillende gremia … over het conflict … besproken"
    ("35373-8", D(2020, 9, 28), ("Voordewind",), EXECUTED, "in verschillende gremia"),
]

REFERENCES_2021_11_04 = [
    "21501-02-2375",
    "21501-02-2401",
    "21501-02-2390",
    "21501-02-2389",
    "21501-02-2355",
    "21501-02-2307",
    "21501-02-2244",
    "35570-V-64",
    "21501-02-2254",
    "26150-196",
    "21501-02-2271",
    "34952-125",
    "21501-20-1620",
    "28676-352",
    "35570-V-22",
]

CLEAN_2021_11_04 = " ".join(clean_text(LETTER_2021_11_04.read_text(encoding="utf-8")).split())

DOCPUB = UPSTREAM / "tweedekamer-documentpublicatie"
MOTION_XML = [
    (
        "DocumentPublicatie_156b352c-9a6d-4214-bfb4-f4885f9900ba_kst-21501-02-3067.xml",
        "21501-02-3067",
        ("Ceder", "Boswijk", "Kahraman"),
        D(2025, 3, 13),
        "roept de regering op om samen met andere EU-lidstaten",
    ),
    (
        "DocumentPublicatie_255cc6b0-9952-4ddc-b565-7eebc6067748_kst-21501-02-2949.xml",
        "21501-02-2949",
        ("Ceder", "Boswijk", "Stoffe", "Piri", "Van der Burg", "Paternotte", "De Roon", "Kahraman"),
        D(2024, 10, 10),
        "verzoekt de regering samen met andere Europese landen de druk op te voeren",
    ),
    (
        "DocumentPublicatie_2546f8fb-73ca-49ab-ab43-b11ed2f13f0b_kst-21501-02-2901.xml",
        "21501-02-2901",
        ("Ceder", "Boswijk"),
        D(2024, 5, 23),
        "verzoekt de Minister in de Raad te pleiten",
    ),
    (
        "DocumentPublicatie_343f8a42-a352-48f6-b560-6e2d2a7c80ba_kst-21501-02-2947.xml",
        "21501-02-2947",
        ("Kahraman", "Ceder"),
        D(2024, 10, 10),
        "verzoekt de regering zich in de Raad in te zetten",
    ),
    (
        "DocumentPublicatie_9f180590-dea7-42e8-8f7a-175fe016a9f4_kst-36600-V-23.xml",
        "36600-V-23",
        ("Piri", "Van der Burg"),
        D(2024, 11, 21),
        "verzoekt het kabinet om te blijven pleiten",
    ),
    (
        "DocumentPublicatie_000997f1-f677-4f1a-9be2-7f0faf8479a7_kst-34104-439_with-inline-metadata.xml",
        "34104-439",
        ("Rikkers-Oosterkamp",),
        D(2025, 4, 24),
        "verzoekt de regering ervoor te zorgen",
    ),
    (
        "../officielebekendmakingen-sru/kst-32545-143_motie/kst-32545-143.xml",
        "32545-143",
        ("Inge van Dijk", "Grinwis"),
        D(2021, 7, 6),
        "verzoekt de regering, om een grensspaarsaldo te definiëren",
    ),
]


@pytest.fixture(scope="module")
def letter_2021_11_04() -> ExtractedDocument:
    return extract_file(LETTER_2021_11_04)


# --- the 4 November 2021 letter ---------------------------------------------------------------


def test_2021_11_04_lists_exactly_its_18_motions_in_order(
    letter_2021_11_04: ExtractedDocument,
) -> None:
    assert letter_2021_11_04.kind is DocumentKind.LETTER
    assert [m.id for m in letter_2021_11_04.motions] == [g[0] for g in GOLDEN_2021_11_04]


@pytest.mark.parametrize(
    ("motion_id", "date", "submitters", "status", "evidence"),
    GOLDEN_2021_11_04,
    ids=[g[0] for g in GOLDEN_2021_11_04],
)
def test_2021_11_04_golden_motion(
    letter_2021_11_04: ExtractedDocument,
    motion_id: str,
    date: D,
    submitters: tuple[str, ...],
    status: ExecutionStatus,
    evidence: str,
) -> None:
    motion = next(m for m in letter_2021_11_04.motions if m.id == motion_id)
    assert motion.date == date
    assert motion.submitters == submitters
    assert motion.status is status
    assert motion.evidence is not None
    assert evidence in motion.evidence
    assert motion.evidence.endswith(".")
    assert motion.evidence[:-1] in CLEAN_2021_11_04  # a sentence of the letter, footnote marker cut
    assert motion.title


def test_2021_11_04_accuracy_meets_the_issue(letter_2021_11_04: ExtractedDocument) -> None:
    found = {m.id: m for m in letter_2021_11_04.motions}
    golden = {g[0]: g for g in GOLDEN_2021_11_04}
    assert set(found) == set(golden)
    assert sum(found[i].date == g[1] for i, g in golden.items()) == 18
    assert sum(found[i].submitters == g[2] for i, g in golden.items()) >= 17
    assert sum(found[i].status is g[3] for i, g in golden.items()) >= 16


def test_2021_11_04_titles_are_the_over_clause(letter_2021_11_04: ExtractedDocument) -> None:
    titles = {m.id: m.title for m in letter_2021_11_04.motions}
    assert titles["21501-20-1736"] == (
        "de verslechterende mensenrechtensituatie in Azerbeidzjan aankaarten op de Europese top"
    )
    assert titles["21501-02-2281"] == (  # heading interrupted by a page of footnotes
        "maximale inspanning voor de vrijlating of overdracht van Armeense krijgsgevangenen en "
        "gevangengenomen burgers door Azerbeidzjan"
    )
    assert (
        titles["21501-02-2234"]
        == "een onderzoek naar het schenden van oorlogsrecht in Nagorno-Karabach"
    )
    assert titles["35373-23"] == "een staakt-het-vuren in Nagorno-Karabach"


def test_2021_11_04_as_a_pdf_gives_the_same_report(tmp_path: Path) -> None:
    lines = LETTER_2021_11_04.read_text(encoding="utf-8").split("\n")
    path = tmp_path / "brief.pdf"
    path.write_bytes(make_pdf([lines[i : i + 60] for i in range(0, len(lines), 60)]))
    doc = extract_file(path)
    assert doc.error is None
    assert [(m.id, m.date, m.submitters, m.status) for m in doc.motions] == [
        g[:4] for g in GOLDEN_2021_11_04
    ]
    assert sorted(doc.references) == sorted(REFERENCES_2021_11_04)


def test_2021_11_04_footnotes_are_references_only(letter_2021_11_04: ExtractedDocument) -> None:
    assert list(letter_2021_11_04.references) == REFERENCES_2021_11_04
    motion_ids = {m.id for m in letter_2021_11_04.motions}
    assert motion_ids.isdisjoint(letter_2021_11_04.references)
    assert {"21501-02-2375", "26150-196", "28676-352"} <= set(letter_2021_11_04.references)
    assert not any("Z" in r or "D" in r for r in letter_2021_11_04.references)  # zaak/document nrs


# --- the other letters ------------------------------------------------------------------------


def test_2020_11_04_is_kamerstuk_35570_v_22_reporting_no_motions() -> None:
    doc = extract_file(LETTER_2020_11_04)
    assert doc.kind is DocumentKind.LETTER
    assert doc.kamerstuk == "35570-V-22"
    assert doc.date == D(2020, 11, 4)
    assert doc.motions == ()
    assert doc.references == ()  # its own footer is not a reference
    assert doc.error is None


def test_2022_letter_reports_no_motions() -> None:
    doc = extract_file(LETTER_2022_12)
    assert doc.kind is DocumentKind.LETTER
    assert doc.motions == ()
    assert doc.references == ()


def test_2021_06_16_links_footnoted_motions_and_keeps_typo() -> None:
    doc = extract_file(LETTER_2021_06_16)
    assert [m.id for m in doc.motions] == ["21501-20-1630", "21501-02-2228", "33570-V-42"]
    motions = {m.id: m for m in doc.motions}
    # "motie Van der Graaf c.s.4" with footnote "4 Motie 21 501-20, Nr. 1630"
    assert motions["21501-20-1630"].submitters == ("Van der Graaf",)
    assert motions["21501-20-1630"].status is None  # the letter only mentions it
    # "Nederland blijft daarom, in lijn met motie Omtzigt/Van Helvert (21501-02, nr. 2228) pleiten"
    assert motions["21501-02-2228"].submitters == ("Omtzigt", "Van Helvert")
    assert motions["21501-02-2228"].status is IN_PROGRESS
    assert "Nederland blijft daarom" in (motions["21501-02-2228"].evidence or "")
    # "conform motie Ploumen.6" with footnote "6 Motie 33570 V, nr. 42" (a typo for 35570-V-42)
    assert motions["33570-V-42"].submitters == ("Ploumen",)
    assert (
        motions["33570-V-42"].status is None
    )  # "van belang dat … blijven ondersteunen": no report
    assert doc.references == ()


def test_2021_10_14_follows_the_motion_by_its_submitters() -> None:
    doc = extract_file(LETTER_2021_10_14)
    assert [m.id for m in doc.motions] == ["21501-02-2228"]
    [motion] = doc.motions
    assert motion.submitters == ("Omtzigt", "Van Helvert")
    # "Een internationaal onafhankelijk onderzoek, waartoe de motie Omtzigt/Van Helvert oproept,
    # is nog niet tot stand gekomen." — named, not cited, in that sentence
    assert motion.status is IN_PROGRESS
    assert motion.evidence is not None
    assert "is nog niet tot stand gekomen" in motion.evidence


# --- statuses on small letters ----------------------------------------------------------------

_NUMBERED = """Geachte voorzitter,

1. Motie van het lid Jansen over {title} (36600-V-{nr}), 3 maart 2025

{body}

De minister van Buitenlandse Zaken,
"""


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("Het kabinet zal deze motie niet uitvoeren, omdat de EU geen steun geeft.", DECLINED),
        ("Het kabinet ziet af van de uitvoering van deze motie.", DECLINED),
        ("Daarmee is invulling gegeven aan de motie.", EXECUTED),
        ("Het kabinet beschouwt de motie hiermee als afgedaan.", EXECUTED),
        ("De motie wordt momenteel uitgevoerd; het resultaat volgt in juni.", IN_PROGRESS),
        ("Deze motie wordt uitgevoerd in overleg met de EU.", IN_PROGRESS),
        ("Deze motie wordt hiermee als uitgevoerd beschouwd.", EXECUTED),
        ("De motie is hiermee uitgevoerd.", EXECUTED),
        ("De motie is nog niet uitgevoerd.", IN_PROGRESS),
        ("Het kabinet zal zich blijven inzetten voor dit doel.", IN_PROGRESS),
        ("Deze motie is vervallen door het akkoord van mei.", NOT_APPLICABLE),
        ("Het is van belang dat dit onderwerp aandacht krijgt.", None),
        ("De situatie in de regio blijft zorgelijk.", None),
    ],
)
def test_status_phrasings(body: str, status: ExecutionStatus | None) -> None:
    doc = extract_document(_NUMBERED.format(title="een test", nr=7, body=body))
    [motion] = doc.motions
    assert (motion.id, motion.submitters, motion.date) == ("36600-V-7", ("Jansen",), D(2025, 3, 3))
    assert motion.status is status
    assert (motion.evidence is None) == (status is None)


def test_prose_motions_phrases_and_references() -> None:
    text = (
        "Geachte voorzitter,\n\nDe Kamer nam de motie-Eppink c.s. over gevangenen "
        "(kst-21501-02-2370) aan. "
        "Het kabinet heeft conform de motie-Eppink de zaak aangekaart. Zie ook de Kamerbrief van "
        "7 juli (21501-02 Nr. 2389) en de gewijzigde motie van de leden Inge van Dijk en Grinwis "
        "van 6 juli 2021 (t.v.v. 32545-142). Kamerbrief voortgang uitvoering motie onderzoek "
        "(21 501-02, Nr. 2254).\n"
    )
    doc = extract_document(text, source="inline")
    assert [(m.id, m.submitters) for m in doc.motions] == [
        ("21501-02-2370", ("Eppink",)),
        ("32545-142", ("Inge van Dijk", "Grinwis")),
    ]
    assert doc.motions[0].title == "gevangenen"
    assert doc.motions[0].status is EXECUTED  # "heeft conform de motie-Eppink de zaak aangekaart"
    assert doc.motions[1].date == D(2021, 7, 6)
    assert doc.references == ("21501-02-2389", "21501-02-2254")


def test_footnotes_without_blank_lines_are_found_by_their_marker() -> None:
    text = (
        "Geachte voorzitter,\n"
        "Ook uw Kamer heeft in motie Van der Graaf c.s.4 zich uitgesproken over vrede.\n"
        "Het kabinet steunt dat.\n"
        "4 Motie 21 501-20, Nr. 1630\n"
        "5 Kamerbrief over het conflict, 16 juni 2021 (21 501-02, Nr. 2375)\n"
        "\f\n"
        "Op de volgende pagina gaat de brief verder over 3 zaken.\n"
        "6 leden van de commissie waren aanwezig.\n"  # not footnote 6: no marker above
    )
    doc = extract_document(text)
    assert [(m.id, m.submitters) for m in doc.motions] == [("21501-20-1630", ("Van der Graaf",))]
    assert doc.references == ("21501-02-2375",)


def test_letter_date_header_and_betreft_title() -> None:
    doc = extract_document(
        "Datum 4 november 2021\nBetreft Uitvoering moties\n\nGeachte voorzitter,\n"
    )
    assert (doc.kind, doc.date, doc.title) == (
        DocumentKind.LETTER,
        D(2021, 11, 4),
        "Uitvoering moties",
    )


# --- motion documents -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "motion_id", "submitters", "date", "operative"),
    MOTION_XML,
    ids=[m[1] for m in MOTION_XML],
)
def test_motion_xml(
    name: str, motion_id: str, submitters: tuple[str, ...], date: D, operative: str
) -> None:
    path = (DOCPUB / name).resolve()
    doc = extract_file(path)
    assert doc.error is None
    assert (doc.kind, doc.kamerstuk, doc.date) == (DocumentKind.MOTION, motion_id, date)
    assert doc.motions == (
        CitedMotion(id=motion_id, title=doc.motions[0].title, submitters=submitters, date=date),
    )
    assert doc.operative_text is not None
    assert doc.operative_text.startswith(operative)
    assert "orde van de dag" not in doc.operative_text
    # the same document read from its text alone gives the same facts
    from_text = extract_document(xml_to_text(path.read_bytes()))
    assert from_text.kind is DocumentKind.MOTION
    assert [(m.id, m.submitters, m.date) for m in from_text.motions] == [
        (motion_id, submitters, date)
    ]
    assert from_text.operative_text == doc.operative_text


MOTION_PDF_TEXT = """Tweede Kamer der Staten-Generaal 2
Vergaderjaar 2024–2025
21 501-02 Raad Algemene Zaken en Raad Buitenlandse Zaken
Nr. 3067 MOTIE VAN HET LID CEDER C.S.
Voorgesteld 13 maart 2025
De Kamer,
gehoord de beraadslaging,
constaterende dat Azerbeidzjan het Rode Kruis te kennen heeft gegeven dat het zijn activi-
teiten moet staken;
roept de regering op om samen met andere EU-lidstaten aan te dringen op vrijlating,
en gaat over tot de orde van de dag.
Ceder
Boswijk
Kahraman
kst-21501-02-3067
ISSN 0921 - 7371
’s-Gravenhage 2025 Tweede Kamer, vergaderjaar 2024–2025, 21 501-02, nr. 3067 1
"""


def test_motion_from_official_pdf_text() -> None:
    doc = extract_document(MOTION_PDF_TEXT)
    assert (doc.kind, doc.kamerstuk, doc.date) == (
        DocumentKind.MOTION,
        "21501-02-3067",
        D(2025, 3, 13),
    )
    assert doc.title == "MOTIE VAN HET LID CEDER C.S."
    assert doc.motions[0].submitters == ("Ceder", "Boswijk", "Kahraman")
    assert doc.operative_text == (
        "roept de regering op om samen met andere EU-lidstaten aan te dringen op vrijlating,"
    )
    assert doc.references == ()


def test_unreadable_xml_without_text_is_an_error_document() -> None:
    doc = extract_document("", source="x.xml", xml=b"<officiele-publicatie><kamerstuk>")
    assert (doc.kind, doc.source) == (DocumentKind.OTHER, "x.xml")
    assert doc.error is not None
    assert "XML" in doc.error
    with pytest.raises(ValueError, match="extraction failed"):
        to_letter(doc, letter_id="2021D41766")


def test_motion_xml_title_comes_from_the_documenttitel() -> None:
    doc = extract_file(DOCPUB / MOTION_XML[5][0])
    assert (
        doc.title == "Motie van het lid Rikkers-Oosterkamp over afspraken over een regionaal budget"
    )
    assert doc.motions[0].title == "afspraken over een regionaal budget"


def test_motion_xml_bytes_drive_extract_document() -> None:
    xml = (DOCPUB / MOTION_XML[0][0]).read_bytes()
    doc = extract_document("", source="x.xml", xml=xml)
    assert (doc.kind, doc.kamerstuk, doc.source) == (DocumentKind.MOTION, "21501-02-3067", "x.xml")


# --- files, JSON and Letter -------------------------------------------------------------------


def test_to_json_is_the_command_contract(letter_2021_11_04: ExtractedDocument) -> None:
    obj = letter_2021_11_04.to_json()
    assert list(obj) == ["source", "kind", "kamerstuk", "date", "motions", "references"]
    assert obj["source"] == str(LETTER_2021_11_04)
    assert obj["kind"] == "letter"
    motions = obj["motions"]
    assert isinstance(motions, list)
    assert motions[0] == {
        "id": "21501-20-1736",
        "title": (
            "de verslechterende mensenrechtensituatie in Azerbeidzjan aankaarten op de Europese top"
        ),
        "submitters": ["Eppink"],
        "date": "2021-10-12",
        "status": "executed",
        "evidence": letter_2021_11_04.motions[0].evidence,
    }
    assert json.loads(json.dumps(obj)) == obj


def test_to_json_of_the_2020_letter() -> None:
    obj = extract_file(LETTER_2020_11_04).to_json()
    assert obj == {
        "source": str(LETTER_2020_11_04),
        "kind": "letter",
        "kamerstuk": "35570-V-22",
        "date": "2020-11-04",
        "motions": [],
        "references": [],
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\n ", "empty"),
        (b"\x00\x01\x02\x03\x04", "binary"),
        (b"%PDF-1.4 junk", "PDF"),
    ],
)
def test_unreadable_files_give_an_error_document(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    doc = extract_file(path)
    assert doc.kind is DocumentKind.OTHER
    assert doc.error is not None
    assert message in doc.error
    obj = doc.to_json()
    assert obj["error"] == doc.error
    assert obj["motions"] == []


def test_letter_as_pdf(tmp_path: Path) -> None:
    lines = LETTER_2020_11_04.read_text(encoding="utf-8").split("\n")
    path = tmp_path / "kst-35570-V-22.pdf"
    path.write_bytes(make_pdf([lines[i : i + 50] for i in range(0, len(lines), 50)]))
    doc = extract_file(path)
    assert doc.error is None
    assert (doc.kind, doc.kamerstuk, doc.date, doc.motions) == (
        DocumentKind.LETTER,
        "35570-V-22",
        D(2020, 11, 4),
        (),
    )


def test_missing_file_gives_an_error_document(tmp_path: Path) -> None:
    doc = extract_file(tmp_path / "nope.txt")
    assert doc.kind is DocumentKind.OTHER
    assert doc.error is not None
    assert "cannot read" in doc.error


def test_other_text_is_kind_other(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Een boodschappenlijst: brood, kaas.\n", encoding="utf-8")
    doc = extract_file(path)
    assert (doc.kind, doc.error, doc.motions) == (DocumentKind.OTHER, None, ())


def test_to_letter(letter_2021_11_04: ExtractedDocument) -> None:
    letter = to_letter(letter_2021_11_04, letter_id="2021D41766", url="https://example.org/brief")
    assert isinstance(letter, Letter)
    assert (letter.id, letter.document_nummer, letter.url) == (
        "2021D41766",
        "2021D41766",
        "https://example.org/brief",
    )
    assert letter.motions == letter_2021_11_04.motions
    assert letter.references == letter_2021_11_04.references
    reports = letter.reports()
    assert [r.status for r in reports][:3] == [EXECUTED, NOT_APPLICABLE, IN_PROGRESS]
    own = to_letter(extract_file(LETTER_2020_11_04), title="Brief over Nagorno-Karabach")
    assert (own.id, own.kamerstuk, own.date, own.title) == (
        "35570-V-22",
        "35570-V-22",
        D(2020, 11, 4),
        "Brief over Nagorno-Karabach",
    )
    with pytest.raises(ValueError, match="no letter id"):
        to_letter(extract_file(LETTER_2022_12))


# --- robustness and speed ---------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    doc = extract_document(text)
    assert all(MOTION_ID_RE.match(m.id) for m in doc.motions)
    assert all(MOTION_ID_RE.match(r) for r in doc.references)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_slices_of_the_hard_letter_never_raise(data: st.DataObject) -> None:
    text = LETTER_2021_11_04.read_text(encoding="utf-8")
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    doc = extract_document(text[start:end])
    assert len(doc.motions) <= 18
    known = [g[0] for g in GOLDEN_2021_11_04] + REFERENCES_2021_11_04
    for motion_id in [m.id for m in doc.motions] + list(doc.references):
        assert MOTION_ID_RE.match(motion_id)
        assert any(k.startswith(motion_id) for k in known), motion_id  # a cut may shorten an id


def test_extraction_is_fast_enough() -> None:
    text = LETTER_2021_11_04.read_text(encoding="utf-8")
    extract_document(text)
    start = time.perf_counter()
    for _ in range(5):
        extract_document(text)
    per_run = (time.perf_counter() - start) / 5
    assert per_run < 0.1  # generous; bench/bench_extract.py measures the 15 ms goal
