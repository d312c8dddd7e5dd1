"""The forms of the language one by one: vote outcomes, renumbering, appraisal, execution.

The sentences are the forms the issue and the real texts show ("In stemming komt de
motie-Van Tongeren (33400-A, nr. 45, was nr. 42)", "Zij krijgt nr. 45, was nr. 42 (33400-A).",
"beschouw ik de motie als uitgevoerd", "Overgedragen aan …"); whole real documents are in
test_realtexts.py. Hypothesis proves that no mix of these forms makes extraction raise.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers.execution import annex_status
from scrapers.letters import extract_document
from state.models import DocumentKind, ExecutionStatus, ParliamentaryStatus

EXECUTED = ExecutionStatus.EXECUTED
IN_PROGRESS = ExecutionStatus.IN_PROGRESS
DECLINED = ExecutionStatus.DECLINED
NOT_APPLICABLE = ExecutionStatus.NOT_APPLICABLE

_VOTES = """\
De voorzitter:

In stemming komt de motie-Van Tongeren (33400-A, nr. 45, was nr. 42).

De voorzitter:

Ik constateer dat deze motie met algemene stemmen is aangenomen.

In stemming komt de motie-Karabulut (31143, nr. 78).

De voorzitter:

Ik constateer dat de aanwezige leden van de fracties van de SP, GroenLinks en de PvdD voor deze \
motie hebben gestemd en die van de overige fracties ertegen, zodat zij is verworpen.

De voorzitter:

Aangezien de motie-Omtzigt (21501-02, nr. 2230) is ingetrokken, maakt zij geen onderwerp van \
beraadslaging meer uit.

Minister Blok:

De motie op stuk nr. 2231 ontraad ik. Over de motie-Sjoerdsma (21501-02, nr. 2232): oordeel \
Kamer.
"""


def test_vote_section_forms() -> None:
    doc = extract_document(_VOTES)
    assert doc.kind is DocumentKind.HANDELINGEN
    assert doc.kamerstuk is None
    got = {m.id: m for m in doc.motions}
    assert set(got) == {"33400-A-45", "31143-78", "21501-02-2230", "21501-02-2232"}
    tongeren = doc.facts_for("33400-A-45")
    assert tongeren is not None
    assert (tongeren.decision, tongeren.others, tongeren.replaces) == (
        ParliamentaryStatus.ADOPTED,
        "for",
        "33400-A-42",
    )
    karabulut = doc.facts_for("31143-78")
    assert karabulut is not None
    assert karabulut.decision is ParliamentaryStatus.REJECTED
    assert karabulut.parties_for == ("SP", "GroenLinks", "PvdD")
    assert karabulut.others == "against"
    assert "zodat zij is verworpen" in (karabulut.evidence or "")
    withdrawn = doc.facts_for("21501-02-2230")
    assert withdrawn is not None
    assert withdrawn.decision is ParliamentaryStatus.WITHDRAWN
    # "oordeel Kamer" is the appraisal before a vote: no decision, no execution status
    assert doc.facts_for("21501-02-2232") is None
    assert all(m.status is None for m in doc.motions)


def test_renumbered_on_the_spot() -> None:
    text = (
        "De voorzitter:\n\nDeze motie is voorgesteld door de leden Van Ojik en Sjoerdsma. Naar mij "
        "blijkt, wordt de indiening ervan voldoende ondersteund.\n\nZij krijgt nr. 45, was nr. 42 "
        "(33400-A).\n"
    )
    doc = extract_document(text)
    [motion] = [m for m in doc.motions if m.id == "33400-A-45"]
    assert motion.submitters == ("Van Ojik", "Sjoerdsma")
    fact = doc.facts_for("33400-A-45")
    assert fact is not None
    assert fact.replaces == "33400-A-42"
    old = doc.facts_for("33400-A-42")
    assert old is not None
    assert old.decision is ParliamentaryStatus.REPLACED


def test_speaker_submits_when_no_one_is_named() -> None:
    text = (
        "De heer Graus (PVV):\n\nIk dien de volgende motie in.\n\nDe Kamer,\n\ngehoord de "
        "beraadslaging,\n\nverzoekt de regering, iets te doen,\n\nen gaat over tot de orde van de "
        "dag.\n\nDe voorzitter:\n\nZij krijgt nr. 12 (36600-XIV).\n"
    )
    doc = extract_document(text)
    assert doc.kind is DocumentKind.HANDELINGEN
    assert [(m.id, m.submitters) for m in doc.motions] == [("36600-XIV-12", ("Graus",))]


_LETTER = """\
Geachte voorzitter,

1. Motie van het lid Jansen over een test (36600-V, nr. 7), 3 maart 2025

{body}

De minister van Buitenlandse Zaken,
"""


@pytest.mark.parametrize(
    ("body", "status", "evidence"),
    [
        ("Hiermee beschouw ik de motie als uitgevoerd.", EXECUTED, "als uitgevoerd"),
        ("Hiermee is uitvoering gegeven aan de motie.", EXECUTED, "uitvoering gegeven"),
        ("De motie is afgedaan met de brief van 3 mei.", EXECUTED, "is afgedaan"),
        ("Hiermee wordt tevens opvolging gegeven aan de motie.", EXECUTED, "opvolging"),
        ("Deze motie wordt niet uitgevoerd.", DECLINED, "niet uitgevoerd"),
        ("Ik zie geen mogelijkheid de motie uit te voeren.", DECLINED, "geen mogelijkheid"),
        (
            "De motie is overgedragen aan de minister van Defensie.",
            IN_PROGRESS,
            "overgedragen aan de minister van Defensie",
        ),
        ("De motie is nog niet uitgevoerd.", IN_PROGRESS, "nog niet"),
        ("Ik ontraad de motie.", None, None),
        ("Het oordeel over de motie laat ik aan de Kamer: oordeel Kamer.", None, None),
        ("De motie werd ontraden; zij is toch aangenomen.", None, None),
        ("Het besluit over de uitvoering van deze motie moet nog worden genomen.", None, None),
    ],
)
def test_execution_phrasings(
    body: str, status: ExecutionStatus | None, evidence: str | None
) -> None:
    [motion] = extract_document(_LETTER.format(body=body)).motions
    assert motion.status is status
    if evidence is not None:
        assert evidence in (motion.evidence or "")


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        (
            "Afgedaan. De Kamer is per brief geïnformeerd "
            "(Kamerstukken II 2022/23, 36200 V, nr. 44).",
            EXECUTED,
        ),
        ("In uitvoering", IN_PROGRESS),
        ("Deze motie is in uitvoering en wordt opgepakt samen met Justitie.", IN_PROGRESS),
        ("Niet uitgevoerd: het kabinet ziet geen budgettaire ruimte.", DECLINED),
        ("Overgedragen aan de minister van Defensie.", IN_PROGRESS),
        (
            "Afgedaan. De uitvoering van de motie is overgedragen aan het ministerie van SZW.",
            IN_PROGRESS,
        ),
        ("Vervallen, de regeling is ingetrokken.", NOT_APPLICABLE),
        ("Zie de brief van 12 mei.", None),
    ],
)
def test_annex_status_cells(cell: str, status: ExecutionStatus | None) -> None:
    got, evidence = annex_status(cell)
    assert got is status
    assert (evidence is None) is (status is None)


def test_annex_rows_cite_letters_as_references() -> None:
    text = (
        "Bijlage 2: Overzicht moties en toezeggingen\n\nOmschrijving Vindplaats Status\n"
        "Motie van het lid Sjoerdsma over persvrijheid Kamerstukken II 2022/23, 36200 V, nr. 12 "
        "Afgedaan. De Kamer is per brief geïnformeerd (Kamerstukken II 2022/23, 36200 V, nr. 44).\n"
        "Motie van de leden Ceder en Boswijk over de Lachin-corridor Kamerstukken II 2022/23, "
        "21501-02, nr. 2586 Overgedragen aan de minister van Defensie.\n"
    )
    doc = extract_document(text)
    assert doc.kind is DocumentKind.BUDGET_ANNEX
    got = {m.id: m for m in doc.motions}
    assert set(got) == {"36200-V-12", "21501-02-2586"}
    assert got["36200-V-12"].status is EXECUTED
    assert got["36200-V-12"].submitters == ("Sjoerdsma",)
    assert got["21501-02-2586"].status is IN_PROGRESS
    assert got["21501-02-2586"].submitters == ("Ceder", "Boswijk")
    assert "Overgedragen aan de minister van Defensie" in (got["21501-02-2586"].evidence or "")
    assert doc.references == ("36200-V-44",)


def test_annex_rows_in_the_rijksfinancien_layout() -> None:
    """Rows "De motie van het lid … c.s.; Verzoekt …" / Vindplaats on its own line / status."""
    text = (
        "Bijlage 3: Moties en toezeggingen\n\nOmschrijving\n\nVindplaats\n\nStand van zaken\n\n"
        "De motie van het lid Sjoerdsma c.s.; Verzoekt de regering de Kamer per brief te "
        "informeren.\n\nKamerstukken II 2022/23, 36200 V, nr. 12\n\n"
        "Afgedaan. De uitvoering van de motie is overgedragen aan het ministerie van Defensie.\n\n"
        "De motie van de leden Ceder en Boswijk; Verzoekt de regering te rapporteren.\n\n"
        "Plenair debat Begroting Buitenlandse Zaken (Handelingen II 2022/23, nr. 19, item 11)\n\n"
        "Afgedaan. De Tweede Kamer is per brief geïnformeerd (Kamerstukken II 2022/23, 36200 V, "
        "nr. 44).\n\nDe motie is hiermee afgedaan.\n"
    )
    doc = extract_document(text)
    assert doc.kind is DocumentKind.BUDGET_ANNEX
    [motion] = doc.motions
    assert (motion.id, motion.submitters) == ("36200-V-12", ("Sjoerdsma",))
    assert motion.status is IN_PROGRESS
    assert "overgedragen aan het ministerie van Defensie" in (motion.evidence or "")
    assert doc.references == ("36200-V-44",)  # the letter, not the second row's motion


def test_vote_page() -> None:
    text = (
        "Stemmingsuitslagen\n\n33308-13\nMotie van het lid Helder over een verbod\n"
        "Indiener: Lilian Helder, Kamerlid PVV\nVerworpen\nVoor\nPVV, SP\nTegen\nVVD, CDA, D66\n\n"
        "33308-14\nMotie van het lid Recourt over de rechtspraak\n"
        "Indiener: Jeroen Recourt, Kamerlid PvdA\nAangenomen\n"
    )
    doc = extract_document(text)
    assert doc.kind is DocumentKind.VOTE_LIST
    assert [(m.id, m.submitters) for m in doc.motions] == [
        ("33308-13", ("Lilian Helder",)),
        ("33308-14", ("Jeroen Recourt",)),
    ]
    first = doc.facts_for("33308-13")
    assert first is not None
    assert first.decision is ParliamentaryStatus.REJECTED
    assert (first.parties_for, first.parties_against) == (("PVV", "SP"), ("VVD", "CDA", "D66"))
    second = doc.facts_for("33308-14")
    assert second is not None
    assert second.decision is ParliamentaryStatus.ADOPTED
    assert doc.to_json()["kind"] == "vote_list"


_PIECES = [
    "In stemming komt de motie-Van Tongeren (33400-A, nr. 45, was nr. 42).",
    "Ik constateer dat de aanwezige leden van de fracties van de SP en GroenLinks voor deze motie "
    "hebben gestemd en die van de overige fracties ertegen, zodat zij is aangenomen.",
    "Ik constateer dat deze motie met algemene stemmen is aangenomen.",
    "Zij krijgt nr. 203 (28286).",
    "Zij krijgt nr. 45, was nr. 42 (33400-A).",
    "De voorzitter:",
    "De heer Graus (PVV):",
    "moties opnieuw aan te houden: 29911-226; 31015-168; 2017Z09721; 23908-(R1519)-131.",
    "te weten:\n- de motie-Leers over een tunnel (22026, nr. 29);",
    "Overzicht moties en toezeggingen",
    "Omschrijving motie Vindplaats Stand van Zaken",
    "Motie van Haverkamp over iets 27-02-2008 (29 628, nr. 77) Afgedaan.",
    "De motie-Polderman/Jacobi (26407, nr. 32) is in die zin gewijzigd",
    "Stemmingsuitslagen\nVerworpen met handopsteken\nVVD | 34 | Tegen |",
    "Indiener: Lilian Helder, Kamerlid PVV",
    "De Kamer,\n\ngehoord de beraadslaging,\n\nen gaat over tot de orde van de dag.",
    "TER VERVANGING VAN DIE GEDRUKT ONDER NR. 64",
    "35 570 V Vaststelling\nNr. 42",
    "Brief regering : x\n21 501-02 Raad\nNr. 2423",
    "Datum vergadering 12-03-2024",
    "(",
    ")",
    ";",
    ":",
    "\f",
    "nr.",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=12), max_size=14), st.data())
def test_mixed_forms_never_raise(pieces: list[str], data: st.DataObject) -> None:
    joiner = data.draw(st.sampled_from(["\n", " ", "\n\n", ""]))
    doc = extract_document(joiner.join(pieces))
    doc.to_json()
    assert all(m.id for m in doc.motions)
