"""A motion's own text, in every form it is published → the motion, its submitters and date.

Forms: official XML (``kst-…`` with ``<dossiernr>``), text from the PDF (hard line breaks, the
"kst-36180-42" and "Tweede Kamer, vergaderjaar 2022–2023, 36 180, nr. 42" footers), the
tweedekamer.nl detail page ("Motie : Motie van het lid …", "35 777 Benoeming …" / "Nr. 9",
"Indieners", "Stemmingsuitslagen" with a table of parties) and copies on other sites. The motion's
own id comes from its footer or header and never from a document it cites; every cited Kamerstuk
is a reference. "verzoekt" and "roept … op" both start the operative part. A gewijzigde motie
"TER VERVANGING VAN DIE GEDRUKT ONDER NR. 64" (or "t.v.v. 36471-28") replaces that number.
"""

from __future__ import annotations

import re

from scrapers import vocab
from scrapers.citations import find_citations, normalize_motion_id, render_id
from scrapers.document import ExtractedDocument, XmlFacts, own_id
from scrapers.text import PAGE_BREAK
from state.models import MOTION_ID_RE, CitedMotion, DocumentKind, ParliamentaryStatus

__all__ = ["DECISION_WORDS", "extract_motion", "page_votes"]

_PROPOSED_DATE_RE = re.compile(
    rf"Voorgesteld\s+(?:op\s+)?(?:tijdens\s+[^\n]{{0,80}}?\s+(?:van|op)\s+)?{vocab.DATE}",
    re.IGNORECASE,
)
_MOTION_TITLE_LINE_RE = re.compile(
    r"^[ \t]*(?:Motie[ \t]*:[ \t]*)?(?:Nr\.\s*\d+\s+)?"
    r"(?P<title>(?:(?:TWEEDE\s+)?(?:NADER\s+)?GEWIJZIGDE\s+)?MOTIE\s+VAN\b[^\n]*"
    r"|(?:(?:Tweede\s+)?(?:[Nn]ader\s+)?[Gg]ewijzigde\s+)?[Mm]otie van (?:het lid|de leden)\b"
    r"[^\n]*)$",
    re.MULTILINE,
)
_OPERATIVE_START_RE = re.compile(
    r"^[ \t]*(?:verzoekt|roept|spreekt|draagt|besluit|vraagt|dringt|geeft)\b",
    re.IGNORECASE | re.MULTILINE,
)
_ORDER_OF_DAY_RE = re.compile(
    r"^[^\n]*gaat over tot de orde van de dag[^\n]*$", re.IGNORECASE | re.MULTILINE
)
_SIGNATURE_NAME_RE = re.compile(rf"^\s*(?:{vocab.NAME})\s*$")
# Lines of a web page that look like a name but end the signatures.
_NOT_SIGNATURES = frozenset(
    {
        "Indieners",
        "Indiener",
        "Ondertekenaars",
        "Status",
        "Stemmingsuitslagen",
        "Stemmingsuitslag",
        "Voor",
        "Tegen",
        "Aangenomen",
        "Verworpen",
        "Aangehouden",
        "Ingetrokken",
        "Gerelateerde",
        "Documenten",
        "Download",
        "Bijlagen",
        "Kamerstuk",
    }
)
_REPLACES_RE = re.compile(
    r"TER\s+VERVANGING\s+VAN\s+(?:DIE|DE\s+MOTIE)\s+GEDRUKT\s+ONDER\s+NR\.?\s*(?P<n>[1-9]\d{0,4})"
    r"|t\.v\.v\.\s*(?P<id>\d{4,6}(?:-\w{1,5})?-\d{1,5})",
    re.IGNORECASE,
)

DECISION_WORDS: dict[str, ParliamentaryStatus] = {
    "aangenomen": ParliamentaryStatus.ADOPTED,
    "verworpen": ParliamentaryStatus.REJECTED,
    "aangehouden": ParliamentaryStatus.HELD,
    "ingetrokken": ParliamentaryStatus.WITHDRAWN,
    "vervallen": ParliamentaryStatus.LAPSED,
    "overgenomen": ParliamentaryStatus.TAKEN_OVER,
    "staken": ParliamentaryStatus.TIED,
}
# tweedekamer.nl: "Verworpen met handopsteken" then "VVD | 34 | Tegen |";
# other sites: "Status" / "Verworpen" / "Voor" / "PvdD, SP" / "Tegen" / "VVD, PVV";
# Stemmingsuitslagen pages: "Besluit: Verworpen.".
_OUTCOME_RE = re.compile(
    r"^[ \t]*(?:Status[ \t]*\n\s*|Besluit[ \t]*:[ \t]*)?"
    r"(?P<w>Aangenomen|Verworpen|Aangehouden|Ingetrokken|Vervallen)\b",
    re.MULTILINE,
)
_TABLE_ROW_RE = re.compile(
    r"^[ \t]*(?P<party>[^|\n]{1,40}?)[ \t]*\|[ \t]*\d{1,3}[ \t]*\|[ \t]*(?P<v>Voor|Tegen)\b",
    re.MULTILINE,
)
_SIDE_LIST_RE = re.compile(
    r"^[ \t]*(?P<side>Voor|Tegen)[ \t]*:?[ \t]*\n\s*(?P<list>[^\n|]+)$", re.M
)


def extract_motion(text: str, source: str, facts: XmlFacts) -> ExtractedDocument:
    """Read one motion's text (clean text, and the XML's facts when it came as XML)."""
    ident = facts.kamerstuk or own_id(text) or _first_id(text[:1500])
    date = facts.date or vocab.date_of(_PROPOSED_DATE_RE.search(text))
    heading = _MOTION_TITLE_LINE_RE.search(text)
    doc_title = facts.title or (" ".join(heading["title"].split()) if heading else None)
    motion_title = None
    if doc_title and " over " in doc_title:
        motion_title = doc_title.split(" over ", 1)[1].strip() or None
    submitters = facts.signatures or _signatures(text)
    motions: tuple[CitedMotion, ...] = ()
    found: tuple[vocab.MotionFacts, ...] = ()
    if ident:
        motions = (CitedMotion(id=ident, title=motion_title, submitters=submitters, date=date),)
        replaces = _replaces(text[:3000], ident)
        votes = page_votes(text, ident)
        if replaces or votes:
            base = votes or vocab.MotionFacts(ident)
            found = (
                vocab.MotionFacts(
                    ident,
                    base.decision,
                    base.parties_for,
                    base.parties_against,
                    base.others,
                    replaces,
                    base.evidence,
                ),
            )
    references = tuple(dict.fromkeys(c.id for c in find_citations(text) if c.id != ident))
    return ExtractedDocument(
        source=source,
        kind=DocumentKind.MOTION,
        kamerstuk=ident,
        date=date,
        title=doc_title,
        motions=motions,
        references=references,
        operative_text=_operative_text(text),
        facts=found,
    )


def page_votes(text: str, motion_id: str) -> vocab.MotionFacts | None:
    """The outcome and the parties for and against as a motion's web page lists them."""
    outcome = _OUTCOME_RE.search(text)
    if outcome is None:
        return None
    decision = DECISION_WORDS[outcome["w"].lower()]
    rest = text[outcome.start() :]
    pro: list[str] = []
    con: list[str] = []
    if "|" in rest:  # a table row is "VVD | 34 | Tegen |"
        for row in _TABLE_ROW_RE.finditer(rest):
            (pro if row["v"] == "Voor" else con).append(" ".join(row["party"].split()))
    if not pro and not con and ("Voor" in rest or "Tegen" in rest):
        for side in _SIDE_LIST_RE.finditer(rest):
            (pro if side["side"] == "Voor" else con).extend(vocab.parties(side["list"]))
    evidence = " ".join(outcome.group().split())
    return vocab.MotionFacts(motion_id, decision, tuple(pro), tuple(con), evidence=evidence)


def _replaces(head: str, ident: str) -> str | None:
    match = _REPLACES_RE.search(head)
    if match is None:
        return None
    if match["id"]:
        return normalize_motion_id(match["id"])
    parts = MOTION_ID_RE.match(ident)
    if parts is None:  # pragma: no cover - own ids are canonical
        return None
    return render_id(parts["dossier"], parts["toevoeging"], int(match["n"]))


def _first_id(head: str) -> str | None:
    for citation in find_citations(head):
        before = head[max(0, citation.start - 40) : citation.start].lower()
        if "t.v.v" not in before and "motie" not in before:
            return citation.id
    return None


def _signatures(text: str) -> tuple[str, ...]:
    """The names signed under "en gaat over tot de orde van de dag."."""
    end = _ORDER_OF_DAY_RE.search(text)
    if end is None:
        return ()
    names: list[str] = []
    for line in text[end.end() :].split("\n"):
        if not line.strip():
            continue
        name = " ".join(line.split())
        if PAGE_BREAK in line or name in _NOT_SIGNATURES or not _SIGNATURE_NAME_RE.match(line):
            break
        names.append(name)
    return tuple(names)


def _operative_text(text: str) -> str | None:
    """The operative part: from "verzoekt de regering …" up to "en gaat over tot de orde …"."""
    end = _ORDER_OF_DAY_RE.search(text)
    start = _OPERATIVE_START_RE.search(text, 0, end.start() if end else len(text))
    if start is None:
        return None
    body = text[start.start() : end.start() if end else len(text)]
    return " ".join(body.split()) or None
