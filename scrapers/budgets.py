"""Begrotingen and jaarverslagen of the topic's ministries → their motion overviews as reports.

Every ministry's begroting (the memorie van toelichting) and jaarverslag carries an overview of
the motions it is carrying out ("Overzicht moties en toezeggingen", "8.1 Moties en
Toezeggingen", "Bijlage … Overzicht van aangenomen moties"). Its rows report execution like a
letter does: each row becomes a report with the row as evidence and the document as the link.

Finding them: officiële bekendmakingen files a begroting or jaarverslag under the dossier of the
year with the ministry's chapter — the SRU record's ``dossiernummer`` reads ``35925-VII`` (the
recorded SRU payload ``sru_searchRetrieve_staten-generaal_dt.modified-2021-10-13_10-records.xml``)
— and the year's number is not known in advance. So the search asks for Kamerstukken nr. 1 or 2
(the jaarverslag, the memorie van toelichting) whose text names a begroting or jaarverslag
(``w.ondernummer`` and ``cql.textAndIndexes``, the latter the full-text index the SRU service is
reported to support; neither verified against the live service) modified since the cursor, once a
day, and keeps the records whose dossier number ends in one of the topic's chapters (``-V``,
``-XVII``, ``-X``). A failed search is a note, not a failed source.
"""

from __future__ import annotations

import datetime
import re

from scrapers.annexes import extract_annex
from scrapers.letters import to_letter
from state.models import DocumentKind, Letter

__all__ = ["annex_section", "budget_letter", "budget_query", "is_budget_dossier"]

# the words a begroting's or jaarverslag's own text (and title) carries
BUDGET_WORDS = ("begrotingsstaat", "begrotingsstaten", "jaarverslag")
# the jaarverslag is nr. 1 of its dossier, the begroting's memorie van toelichting nr. 2
BUDGET_NUMBERS = ("1", "2")
# the heading that opens the motion overview: "Bijlage 4 Overzicht moties en toezeggingen",
# "8.1 Moties en Toezeggingen (per 15 juli 2009)", "Overzicht van aangenomen moties"
_HEADING_RE = re.compile(
    r"^[ \t]*(?:Bijlage\s+\d+[.:]?\s*)?(?:\d+(?:\.\d+)*\.?\s+)?"
    r"(?:Overzicht\s+(?:van\s+)?(?:de\s+)?)?(?:(?:aangenomen|openstaande|lopende)\s+)?moties(?:\s+en\s+toezeggingen)?\b[^\n]{0,60}$",
    re.IGNORECASE | re.MULTILINE,
)


def is_budget_dossier(dossier: str | None, chapters: tuple[str, ...]) -> bool:
    """Whether a record's ``dossiernummer`` (``36410-V``) is a begroting of one of ``chapters``."""
    if not dossier or not chapters:
        return False
    number, _, chapter = dossier.strip().partition("-")
    return number.isascii() and number.isdigit() and chapter.upper() in chapters


def budget_query(since: str | None) -> str:
    """The CQL for Kamerstukken that name a begroting or jaarverslag, modified since ``since``."""
    words = " or ".join(f'cql.textAndIndexes="{w}"' for w in BUDGET_WORDS)
    numbers = " or ".join(f'w.ondernummer=="{n}"' for n in BUDGET_NUMBERS)
    clauses = ['w.publicatienaam=="Kamerstuk"', f"({numbers})", f"({words})"]
    if since:
        clauses.append(f'dt.modified>="{since}"')
    return " and ".join(clauses)


# a row of the overview opens with the motion: "Motie van Haverkamp over …" (rijksbegroting 2010),
# "De motie van de leden Van den Berg, … Verzoeken de regering" (rijksfinancien, begroting IV 2020)
_ROW_RE = re.compile(r"^[ \t]*(?:De\s+)?(?:Nader\s+)?(?:Gewijzigde\s+)?Motie\b", re.I | re.M)


def annex_section(text: str) -> str | None:
    """The motion overview inside a begroting or jaarverslag: from its heading to the end."""
    for heading in _HEADING_RE.finditer(text):
        rest = text[heading.start() :]
        if _ROW_RE.search(rest):
            return rest
    return None


def budget_letter(
    text: str,
    *,
    identifier: str,
    kamerstuk: str | None,
    title: str,
    url: str | None,
    date: datetime.date | None,
    source: str,
) -> Letter | None:
    """The document's motion overview as a letter whose rows are reports; None without rows."""
    section = annex_section(text)
    if section is None:
        return None
    doc = extract_annex(section, url or identifier, kamerstuk, date)
    if not any(m.status is not None for m in doc.motions):
        return None
    letter = to_letter(doc, letter_id=kamerstuk or identifier, url=url, source=source, title=title)
    return Letter(
        id=letter.id,
        title=letter.title,
        date=date or letter.date,
        kind=DocumentKind.BUDGET_ANNEX,
        kamerstuk=kamerstuk,
        url=url,
        source=source,
        motions=tuple(m for m in letter.motions if m.status is not None),
        references=letter.references,
    )
