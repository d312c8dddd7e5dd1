"""Budget and annual-report annexes ("Overzicht moties en toezeggingen") → execution per motion.

Every ministry's begroting and jaarverslag carries a table of the motions it is carrying out:
a description ("Motie van Çörüz over de uitvoering van taakstraffen …"), a Vindplaats ("(28 684,
nr. 158)", "Kamerstukken II 2022/23, 36200 IV, nr. 12"), often a date ("19-6-2008"), and a
status ("Afgedaan", "In uitvoering", "Deze motie is in uitvoering", "Niet uitgevoerd",
"Overgedragen aan …"). Flattened to text, a row starts with "Motie …" at the start of a line.
The row's first citation is the motion; letters cited in its status ("per brief geïnformeerd
(Kamerstukken II …, nr. 44)") are references. A row that states no status takes its section's
("In behandeling zijnde moties" → in progress, "Afgedane moties" → executed). Toezeggingen rows
cite no motion: their citations are references.
"""

from __future__ import annotations

import datetime
import re

from scrapers import vocab
from scrapers.citations import find_citations
from scrapers.document import ExtractedDocument
from scrapers.execution import annex_status
from state.models import CitedMotion, DocumentKind, ExecutionStatus

__all__ = ["extract_annex"]

# A row starts "Motie van …" / "Toezegging …", or (rijksfinancien.nl) "De motie van het lid Wuite
# c.s.; Verzoekt …" / "De motie het lid …" — never a status sentence such as "De motie is …".
_ROW_RE = re.compile(
    r"^[ \t]*(?:(?:[Nn]ader\s+)?[Gg]ewijzigde\s+)?(?P<kind>[Mm]otie|[Tt]oezegging)\b"
    r"|^[ \t]*De\s+(?P<kind2>motie)\s+(?=(?:van\s+)?(?:het\s+lid|de\s+leden)\b)",
    re.MULTILINE,
)
_SECTION_RE = re.compile(
    r"^[ \t]*(?P<head>(?:in\s+behandeling\s+zijnde|lopende|openstaande|afgedane|afgeronde|"
    r"afgehandelde|uitgevoerde|niet\s+uitgevoerde)\s+(?:moties|toezeggingen)[^\n]{0,40})$",
    re.MULTILINE | re.IGNORECASE,
)
_SECTION_STATUS = (
    (re.compile(r"in\s+behandeling|lopende|openstaande", re.I), ExecutionStatus.IN_PROGRESS),
    (re.compile(r"niet\s+uitgevoerde", re.I), ExecutionStatus.DECLINED),
    (re.compile(r"afgedane|afgeronde|afgehandelde|uitgevoerde", re.I), ExecutionStatus.EXECUTED),
)
_ROW_HEAD_RE = re.compile(
    rf"(?:De\s+)?(?:[Nn]ader\s+)?(?:[Gg]ewijzigde\s+)?[Mm]otie[\s-]+(?:{vocab.LID})?"
    rf"(?P<names>{vocab.NAMES})(?:\s+c\.\s?s\.)?(?:\s+over\s+(?P<title>[^\n]*))?"
)
_RECEIVED_RE = re.compile(rf"Ontvangen\s+{vocab.DATE}", re.IGNORECASE)
# "Afgedaan. De Tweede Kamer is … per brief geïnformeerd (Kamerstukken II …, nr. 44)": the
# citation names the letter that reported, not the row's motion (its Vindplaats may be Handelingen).
_LETTER_LEAD_RE = re.compile(
    r"\b(?:per|bij|met|via|in)\s+(?:de\s+)?(?:kamer)?brief\b|\b(?:kamer)?brief\s+(?:van|d\.d\.)"
    r"|\bgeïnformeerd\b",
    re.IGNORECASE,
)
_CLAUSE_START_RE = re.compile(r"[\n.;]")
_TITLE_END_RE = re.compile(r"\s+\d{1,2}-\d{1,2}-(?:19|20)\d{2}\b.*$|\s*\(.*$|\.\s.*$")


def extract_annex(
    text: str, source: str, own: str | None, date: datetime.date | None = None
) -> ExtractedDocument:
    """Read the motion rows of an annex: id, submitters, date, status and the row as evidence."""
    rows = list(_ROW_RE.finditer(text))
    sections = [(m.start(), m["head"]) for m in _SECTION_RE.finditer(text)]
    motions: dict[str, CitedMotion] = {}
    references: list[str] = []
    covered: list[tuple[int, int]] = []
    for i, row in enumerate(rows):
        end = rows[i + 1].start() if i + 1 < len(rows) else len(text)
        end = min([end] + [pos for pos, _ in sections if row.start() < pos < end])
        covered.append((row.start(), end))
        chunk = text[row.start() : end]
        citations = find_citations(chunk)
        kind = row["kind"] or row["kind2"]
        first = next((c for c in citations if not _cites_letter(chunk, c.start)), None)
        if kind.lower() != "motie" or first is None:
            references.extend(c.id for c in citations)
            continue
        references.extend(c.id for c in citations if c is not first)
        if first.id in motions:
            continue
        head = _ROW_HEAD_RE.match(chunk)
        names = vocab.split_names(head["names"]) if head else ()
        title = None
        if head and head["title"]:
            title = _TITLE_END_RE.sub("", head["title"]).strip(" ,.") or None
        before = chunk[: first.start]
        when = vocab.numeric_date(before) or vocab.date_of(vocab.DATE_RE.search(before))
        cell = chunk[first.end :].lstrip(" )\t")
        status, evidence = annex_status(cell)
        if status is None:
            status = _section_status(sections, row.start())
            evidence = " ".join(chunk.split()) if status else None
        motions[first.id] = CitedMotion(
            id=first.id, title=title, submitters=names, date=when, status=status, evidence=evidence
        )
    for citation in find_citations(text):
        if not any(a <= citation.start < b for a, b in covered):
            references.append(citation.id)
    return ExtractedDocument(
        source=source,
        kind=DocumentKind.BUDGET_ANNEX,
        kamerstuk=own,
        date=date or vocab.date_of(_RECEIVED_RE.search(text[:3000])),
        title=None,
        motions=tuple(motions.values()),
        references=tuple(dict.fromkeys(r for r in references if r not in motions and r != own)),
    )


def _section_status(sections: list[tuple[int, str]], position: int) -> ExecutionStatus | None:
    heads = [head for pos, head in sections if pos < position]
    if not heads:
        return None
    return next((s for p, s in _SECTION_STATUS if p.search(heads[-1])), None)


def _cites_letter(chunk: str, start: int) -> bool:
    """Whether the citation at ``start`` is a letter the status cell names ("per brief … (…)")."""
    clause = chunk[:start]
    cut = max((m.end() for m in _CLAUSE_START_RE.finditer(clause)), default=0)
    return _LETTER_LEAD_RE.search(clause, cut) is not None
