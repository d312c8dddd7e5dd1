"""A letter's text → the motions it reports on, with the execution status the cabinet reports.

Government letters are the only place where the cabinet says whether it carried out an adopted
motion. ``extract_document`` reads the text of a letter (or of a motion) and returns an
``ExtractedDocument``: the letter's own Kamerstuk id and date, one ``CitedMotion`` per motion it
cites (id, the "over …" title, submitters, the motion's date, status and the sentence that decided
it), and the ids of everything else it cites (letters, reports, verslagen) as ``references``.

How a letter is read:

1. ``clean_text`` (page furniture out, hyphenation rejoined), then the footnotes are lifted out of
   the body: a footnote starts after a blank line with the next footnote number and runs until the
   next page starts (a form feed, or a line that starts with a space, as PDF text gives it).
2. Motions are found three ways: numbered headings (``3. Motie van het lid Eppink c.s. over …
   (21501-02-2370), 17 juni 2021``) whose section is the text up to the next heading; a citation
   right after a motion phrase (``motie Omtzigt/Van Helvert (21501-02, nr. 2228)``); and a footnote
   that cites a motion (``4 Motie 21 501-20, Nr. 1630``), linked to its marker in the body
   (``motie Van der Graaf c.s.4``). Every other citation is a reference.
3. The status comes from the sentences about the motion (its section, or the sentences that cite
   or name it), each matched against ranked Dutch phrasings: "niet langer van toepassing" beats a
   refusal, which beats "uitvoering gegeven aan deze motie", which beats "zal … blijven" / "nog niet
   tot stand gekomen", which beats "conform deze motie" and reported past actions of the cabinet.
   The first sentence of the winning rank is the evidence. A letter that only mentions a motion
   gives null.

Only ``extract_file`` does I/O.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from scrapers.citations import Citation, find_citations, normalize_motion_id
from scrapers.text import PAGE_BREAK, clean_text, kamerstuk_from_xml, to_text, xml_to_text
from state.models import CitedMotion, DocumentKind, ExecutionStatus, Letter

__all__ = ["ExtractedDocument", "extract_document", "extract_file", "to_letter"]

logger = logging.getLogger(__name__)


def _words(text: str) -> frozenset[str]:
    """A word list written as one string."""
    return frozenset(text.split())


_MONTHS = {
    name: i
    for i, name in enumerate(
        [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH = "(?:" + "|".join(_MONTHS) + ")"
_DATE = rf"(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\s+(?P<year>(?:19|20)\d{{2}})"
_DATE_RE = re.compile(_DATE, re.IGNORECASE)
_DATE_PLAIN = rf"\d{{1,2}}\s+{_MONTH}\s+(?:19|20)\d{{2}}"

# Names as letters write them: "Eppink", "Van der Graaf", "Inge van Dijk", "Rikkers-Oosterkamp".
_PARTICLE = r"(?:[Vv]an|[Dd]e[nr]?|[Tt]e[rn]?|[Ii]n\s+['’]t|['’]t|[Vv]on|[Dd]u|[Ll]a|[Ll]e)"
_CAPWORD = r"[A-ZÀ-ÖØ-Þ](?:[^\W\d_]|['’](?=[^\W\d_])|-(?=[^\W\d_]))*"
_NAME = rf"(?:{_PARTICLE}\s+)*{_CAPWORD}(?:\s+(?:{_PARTICLE}\s+)*{_CAPWORD})*"
_NAMES = rf"{_NAME}(?:\s*(?:,|\ben\b|/|&)\s*{_NAME})*"
_NAMES_RE = re.compile(_NAMES)
_NAME_SPLIT_RE = re.compile(r"\s*(?:,|\ben\b|/|&)\s*")
_LID = r"(?:van\s+)?(?:het\s+lid|de\s+leden|lid|leden)\s+"
_LID_RE = re.compile(_LID, re.IGNORECASE)
_CS_RE = re.compile(r"^\s*c\.\s?s\.?")

# "motie Omtzigt/Van Helvert (21501-02, nr. 2228)", "Motie 21 501-20, Nr. 1630",
# "de gewijzigde motie van het lid Omtzigt over … (21501-02-2234)": matched from "motie" up to
# the citation's start (``endpos``), so the phrase must end exactly where the citation begins.
_MOTION_PHRASE_RE = re.compile(
    rf"""
    [Mm]otie(?:[\s-]+|(?=\())
    (?:{_LID})?
    (?:(?P<names>{_NAMES})(?:\s+c\.\s?s\.)?)?
    (?:[\s,]*(?:van|d\.d\.)\s+(?P<date>{_DATE_PLAIN}))?
    (?:[\s,]+over\s+(?P<title>[^()]*?))?
    [\s,(]*(?:t\.v\.v\.\s*|(?:Kamerstuk(?:ken)?|kst)\s+)?
    \Z
    """,
    re.VERBOSE,
)
# "motie Van der Graaf c.s.4", "motie Ploumen.6": a footnote marker glued to a motion's name.
_MOTIE_NAMES_RE = re.compile(
    rf"[Mm]otie[\s-]+(?:{_LID})?(?P<names>{_NAMES})(?P<cs>\s+c\.\s?s\.)?(?:\.?(?P<marker>\d{{1,3}})(?!\d))?"
)
_MOTIE_WORD_RE = re.compile(r"[Mm](?<!\w[Mm])otie\b")  # starts with a letter: fast scan
_AFTER_CITATION_DATE_RE = re.compile(
    rf"[ \t]*\)?[ \t]*,?\s*(?:d\.d\.\s*)?(?:van\s+)?{_DATE}", re.IGNORECASE
)

_HEADING_RE = re.compile(
    r"^[ \t]*(?:\d{1,2}[.)]|[•▪–-])[ \t]+(?:(?:nader[ \t]+)?gewijzigde[ \t]+)?motie\b",
    re.IGNORECASE | re.MULTILINE,
)
_HEADING_WINDOW = 700
_SIGNATURE_RE = re.compile(
    r"^[ \t]*(?:(?:De|de)[ \t]+(?:[Mm]inister|[Ss]taatssecretaris)[^\n]{0,80},[ \t]*$"
    r"|Hoogachtend,?[ \t]*$)",
    re.MULTILINE,
)

_FOOTNOTE_START_RE = re.compile(r"^[ \t]*(?P<n>\d{1,3})[ \t]+(?P<text>\S.*)$")
_MONTH_START_RE = re.compile(rf"^{_MONTH}\b", re.IGNORECASE)

_LETTER_RE = re.compile(
    r"Geachte\s+[Vv]oorzitter|BRIEF VAN DE|Aan de [Vv]oorzitter van de Tweede Kamer|"
    r"^[ \t]*De [Mm]inister (?:van|voor)\b",
    re.MULTILINE,
)
_MOTION_DOC_RE = re.compile(r"De\s+Kamer,\s+gehoord\s+de\s+beraadslaging", re.IGNORECASE)
_LETTER_DATE_RE = re.compile(
    rf"^[ \t]*(?:Datum|Den\s+Haag,|['’]s-Gravenhage,)[ \t]*{_DATE}", re.IGNORECASE | re.MULTILINE
)
_PROPOSED_DATE_RE = re.compile(rf"Voorgesteld\s+(?:op\s+)?{_DATE}", re.IGNORECASE)
_BETREFT_RE = re.compile(r"^[ \t]*Betreft[ \t]+(?P<title>\S[^\n]*)$", re.MULTILINE)
_OWN_ID_LINE_RE = re.compile(
    r"^[ \t]*kst-[\w-]+[ \t]*$|Tweede Kamer, vergaderjaar \d{4}\s*[-–]\s*\d{4},[^\n]*",
    re.MULTILINE | re.IGNORECASE,
)
_MOTION_TITLE_LINE_RE = re.compile(
    r"^[ \t]*(?:Nr\.\s*\d+\s+)?(?P<title>(?:(?:NADER\s+)?GEWIJZIGDE\s+)?MOTIE\s+VAN\b[^\n]*"
    r"|(?:(?:Nader\s+)?[Gg]ewijzigde\s+)?[Mm]otie van (?:het lid|de leden)\b[^\n]*)$",
    re.MULTILINE,
)
_OPERATIVE_START_RE = re.compile(
    r"^[ \t]*(?:verzoekt|roept|spreekt|draagt|besluit|vraagt|dringt|geeft)\b",
    re.IGNORECASE | re.MULTILINE,
)
_ORDER_OF_DAY_RE = re.compile(
    r"^[^\n]*gaat over tot de orde van de dag[^\n]*$", re.IGNORECASE | re.MULTILINE
)
_SIGNATURE_NAME_RE = re.compile(rf"^\s*(?:{_NAME})\s*$")

# --- execution status: one regex per rank, matched on a whitespace-normalised sentence --------
_NOT_APPLICABLE_RE = re.compile(
    r"\bniet\s+(?:langer|meer)\s+(?:van\s+toepassing|relevant|aan\s+de\s+orde|nodig)"
    r"|\b(?:is|zijn)\s+(?:hiermee\s+)?(?:komen\s+te\s+)?vervallen\b|\bachterhaald\b"
    r"|\bzonder\s+voorwerp\b|\boverbodig\s+geworden\b",
    re.IGNORECASE,
)
_DECLINED_RE = re.compile(
    r"\b(?:zal|zullen|kan|kunnen)\s+(?:\w+\s+){0,5}?(?:de|deze|die)\s+motie\s+niet\s+(?:uitvoeren|uit\s+te\s+voeren)"
    r"|\b(?:voert|voeren)\s+(?:de|deze)\s+motie\s+niet\s+uit"
    r"|\bgeen\s+uitvoering\s+(?:\w+\s+){0,3}?(?:geven|te\s+geven|gegeven)\b"
    r"|\bniet\s+(?:over\s*)?gaan\s+tot\s+(?:de\s+)?uitvoering"
    r"|\b(?:ziet|zien|zag)\s+(?:\w+\s+){0,3}?af\s+van\s+(?:de\s+)?uitvoering"
    r"|\buitvoering\s+(?:van\s+(?:de|deze)\s+motie\s+)?(?:is\s+)?niet\s+(?:wenselijk|opportuun|haalbaar|verstandig|uitvoerbaar)"
    r"|\bacht\w*\s+(?:\w+\s+){0,3}?(?:motie|uitvoering)\s+(?:\w+\s+){0,4}?niet\s+(?:wenselijk|opportuun|uitvoerbaar|haalbaar)"
    r"|\bmotie\s+(?:is\s+)?niet\s+uitvoerbaar",
    re.IGNORECASE,
)
_EXECUTED_STRONG_RE = re.compile(
    r"\buitvoering\s+(?:\w+\s+){0,2}?gegeven\s+aan\s+(?:de|deze|die)\s+(?:gewijzigde\s+)?motie"
    r"|\b(?:de|deze|die)\s+(?:gewijzigde\s+)?motie\s+(?:is|werd|was)\s+(?:\w+\s+){0,3}?"
    r"(?:uitgevoerd|afgedaan|afgerond|volbracht)"
    r"|\b(?:beschouw\w*|acht\w*)\s+(?:\w+\s+){0,3}?(?:de|deze)\s+motie\s+(?:\w+\s+){0,2}?"
    r"(?:als\s+)?(?:uitgevoerd|afgedaan)"
    r"|\bals\s+(?:uitgevoerd|afgedaan)\s+(?:beschouwd|gezien|aangemerkt)"
    r"|\b(?:hiermee|daarmee|hierbij|hiermede)\s+(?:\w+\s+){0,4}?(?:is|wordt|heeft)\s+(?:\w+\s+){0,4}?"
    r"(?:invulling|uitvoering)\s+(?:\w+\s+){0,2}?gegeven"
    r"|\bvoldaan\s+aan\s+(?:de|deze)\s+motie",
    re.IGNORECASE,
)
_NOT_APPLICABLE_WORDS = (
    "niet langer",
    "niet meer",
    "vervallen",
    "achterhaald",
    "voorwerp",
    "overbodig",
)
_EXECUTED_WORDS = (
    "uitvoering",
    "uitgevoerd",
    "invulling",
    "afgedaan",
    "afgerond",
    "volbracht",
    "voldaan",
)
_EFFORT = (
    r"(?:blijven|inzetten|hardmaken|hard\s+maken|pleiten|aandringen|oproepen|aankaarten|agenderen|"
    r"bepleiten|benadrukken|onderstrepen|opbrengen|aandacht|steunen|ondersteunen|doen|volgen|"
    r"aanspreken|uitvoeren|werken|bezien|onderzoeken|verkennen)"
)
_GOVERNMENT = r"(?:het\s+kabinet|kabinet|Nederland|de\s+regering|regering|ik|wij|we)"
_NOT_YET_RE = re.compile(
    r"\bnog\s+niet\b(?:\s+[\w-]+){0,3}?\s+(?:tot\s+stand\s+gekomen|gerealiseerd|afgerond|bereikt|"
    r"uitgevoerd|voltooid|gelukt|geïmplementeerd|ingevoerd|verwezenlijkt)",
    re.IGNORECASE,
)
_BEING_DONE_RE = re.compile(
    r"\b(?:wordt|worden)\s+(?:momenteel|thans|nog|nu|verder)\s+(?:\w+\s+){0,2}?(?:uitgevoerd|"
    r"uitgewerkt|bezien|onderzocht|voorbereid)\b"
    r"|\bmotie\s+wordt\s+(?!als\b)(?:\w+\s+){0,2}?uitgevoerd\b",
    re.IGNORECASE,
)
_WILL_EXECUTE_RE = re.compile(
    r"\b(?:zal|zullen)\s+(?:\w+\s+){0,6}?(?:uitvoeren|uitvoering\s+geven|invulling\s+geven|uitwerken)\b",
    re.IGNORECASE,
)
_CONTINUE_RE = re.compile(
    rf"\b(?:zal|zullen|blijft|blijven)\s+{_GOVERNMENT}\b.*?\b{_EFFORT}\b"
    rf"|\b{_GOVERNMENT}\s+(?:zal|zullen|blijft|blijven|blijf)\b.*?\b{_EFFORT}\b",
    re.IGNORECASE,
)
_CONFORM_RE = re.compile(
    r"(?:\bconform|\bin\s+lijn\s+(?:is\s+|zijn\s+)?met|\bovereenkomstig|\bin\s+de\s+geest\s+van|"
    r"\bter\s+uitvoering\s+van|\bin\s+navolging\s+van)\s+(?:de\s+|deze\s+|die\s+)?(?:gewijzigde\s+)?"
    r"motie\b(?!\s*\d)",
    re.IGNORECASE,
)
_NORMATIVE_RE = re.compile(r"\b(?:van\s+(?:groot\s+)?belang|belangrijk)\s+dat\b", re.IGNORECASE)
# Word sets rather than regex alternations: one set lookup per word is much faster.
_PAST_AUX = frozenset(["heeft", "hebben", "had", "hadden", "is", "zijn", "werd", "werden"])
_ACTORS = _words(
    "kabinet nederland regering minister ministers voorganger ambtsvoorganger "
    "staatssecretaris premier minister-president ik wij we hij zij ambassade ambassadeur"
)
_PAST_ACTIONS = _words(
    "gepleit pleitte pleitten benadrukt benadrukte onderstreept onderstreepte opgeroepen "
    "riep riepen besproken besprak uitgesproken sprak spraken aangeboden bood geuit uitte "
    "verkondigd verkondigde aangekaart kaartte opgebracht gevraagd vroeg gedaan deed "
    "hardgemaakt gemaakt ingezet zette veroordeeld veroordeelde gestuurd stuurde gesteld "
    "stelde aangedrongen drong geagendeerd agendeerde overgebracht gedeeld deelde "
    "aangesproken gesteund steunde bijgedragen droeg verstrekt gefinancierd verleend "
    "gevoerd aangegeven gaf ingediend uitgevoerd"
)
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

# --- sentences ------------------------------------------------------------------------------
_SENTENCE_END_RE = re.compile(
    r"[.!?](?:\d{1,3}(?!\d))?[\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9À-Þ])|\n[ \t]*\n"
)
_ABBREVIATIONS = _words(
    "jl a.s c.s t.a.v o.a d.d nr i.h.k.v t.b.v m.n bijv o.b.v o.l.v e.a ca resp mr dr drs "
    "prof ir mw dhr i.p.v m.b.t t.v.v vs incl excl zgn z.g i.v.m evt etc blz p art lid"
)
_TRAILING_MARKER_RE = re.compile(r"(?<=[.!?])\d{1,3}$")


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """What ``extract_document`` read from one letter or motion."""

    source: str
    kind: DocumentKind
    kamerstuk: str | None
    date: datetime.date | None
    title: str | None
    motions: tuple[CitedMotion, ...]
    references: tuple[str, ...]
    operative_text: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        """Return the ``kamerwacht extract --json`` object for this document."""
        out: dict[str, object] = {
            "source": self.source,
            "kind": self.kind.value,
            "kamerstuk": self.kamerstuk,
            "date": self.date.isoformat() if self.date else None,
            "motions": [
                {
                    "id": m.id,
                    "title": m.title,
                    "submitters": list(m.submitters),
                    "date": m.date.isoformat() if m.date else None,
                    "status": m.status.value if m.status else None,
                    "evidence": m.evidence,
                }
                for m in self.motions
            ],
            "references": list(self.references),
        }
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(slots=True)
class _Found:
    """A motion being assembled while a letter is read (mutable scratch, never returned)."""

    id: str
    position: int
    title: str | None = None
    submitters: tuple[str, ...] = ()
    date: datetime.date | None = None
    section: tuple[int, int] | None = None  # a numbered heading's section (body offsets)
    mentions: list[int] = field(default_factory=list)  # body offsets that cite or name it

    def merge(
        self, title: str | None, submitters: tuple[str, ...], date: datetime.date | None
    ) -> None:
        """Fill what is still missing from another citation of the same motion."""
        self.title = self.title or title
        self.submitters = self.submitters or submitters
        self.date = self.date or date


@dataclass(frozen=True, slots=True)
class _Footnote:
    number: int
    text: str


@dataclass(frozen=True, slots=True)
class _XmlFacts:
    """Structured metadata from official-publication XML."""

    kamerstuk: str | None = None
    kind: DocumentKind | None = None
    date: datetime.date | None = None
    title: str | None = None
    signatures: tuple[str, ...] = ()


def extract_document(text: str, *, source: str = "", xml: bytes | None = None) -> ExtractedDocument:
    """Read a letter's or motion's text (and its official XML, if given) into a document."""
    facts = _xml_facts(xml) if xml else _XmlFacts()
    if not text.strip() and xml:
        try:
            text = xml_to_text(xml)
        except ValueError as exc:
            return _failed(source, str(exc))
    text = clean_text(text)
    kind = facts.kind or _kind_of(text)
    if kind is DocumentKind.MOTION:
        return _extract_motion(text, source, facts)
    own_id = facts.kamerstuk or _own_id(text)
    date = facts.date or _letter_date(text)
    betreft = _BETREFT_RE.search(text)
    title = facts.title or (" ".join(betreft["title"].split()) if betreft else None)
    body, notes = _split_footnotes(text)
    motions, references = _read_motions(body, notes, own_id)
    return ExtractedDocument(
        source=source,
        kind=kind,
        kamerstuk=own_id,
        date=date,
        title=title,
        motions=motions,
        references=references,
    )


def extract_file(path: Path) -> ExtractedDocument:
    """Read a .txt/.pdf/.html/.xml file and extract it; failures come back as ``error``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        logger.warning("cannot read %s: %s", path, exc)
        return _failed(str(path), f"cannot read file: {exc.strerror or exc}")
    try:
        text = to_text(data, filename=path.name)
    except ValueError as exc:
        logger.warning("cannot extract %s: %s", path, exc)
        return _failed(str(path), str(exc))
    official_xml = data.lstrip()[:1] == b"<" and b"<officiele-publicatie" in data[:4096]
    return extract_document(text, source=str(path), xml=data if official_xml else None)


def to_letter(
    doc: ExtractedDocument,
    *,
    letter_id: str | None = None,
    url: str | None = None,
    source: str = "tweedekamer",
    title: str | None = None,
) -> Letter:
    """Turn an extracted document into a ``state.models.Letter``; needs an id from somewhere."""
    if doc.error is not None:
        raise ValueError(f"{doc.source or 'document'}: extraction failed: {doc.error}")
    ident = letter_id or doc.kamerstuk
    if not ident:
        raise ValueError(
            f"{doc.source or 'document'}: no letter id given and no Kamerstuk id found"
        )
    document_nummer = (
        letter_id if letter_id and re.fullmatch(r"(?:19|20)\d{2}D\d{5}", letter_id) else None
    )
    when = doc.date.isoformat() if doc.date else "zonder datum"
    return Letter(
        id=ident,
        title=title or doc.title or f"Kamerbrief {doc.kamerstuk or ident} ({when})",
        date=doc.date,
        kind=doc.kind,
        kamerstuk=doc.kamerstuk,
        document_nummer=document_nummer,
        url=url,
        source=source,
        motions=doc.motions,
        references=doc.references,
    )


def _failed(source: str, error: str) -> ExtractedDocument:
    return ExtractedDocument(
        source=source,
        kind=DocumentKind.OTHER,
        kamerstuk=None,
        date=None,
        title=None,
        motions=(),
        references=(),
        error=error,
    )


# --- document-level facts ---------------------------------------------------------------------


def _kind_of(text: str) -> DocumentKind:
    if "beraadslaging" in text and _MOTION_DOC_RE.search(text):
        return DocumentKind.MOTION
    if _LETTER_RE.search(text):
        return DocumentKind.LETTER
    return DocumentKind.OTHER


def _date_of(match: re.Match[str] | None) -> datetime.date | None:
    if match is None:
        return None
    try:
        return datetime.date(int(match["year"]), _MONTHS[match["month"].lower()], int(match["day"]))
    except ValueError:
        return None


def _letter_date(text: str) -> datetime.date | None:
    if not any(word in text for word in ("Datum", "DATUM", "Haag", "Gravenhage")):
        return None
    return _date_of(_LETTER_DATE_RE.search(text))


def _own_id(text: str) -> str | None:
    """The document's own id, from the official footer (``kst-…``, ``… vergaderjaar …, nr. 22``)."""
    if "kst-" not in text and "KST-" not in text and "vergaderjaar" not in text:
        return None
    for line in _OWN_ID_LINE_RE.finditer(text):
        citations = find_citations(line.group())
        if citations:
            return citations[-1].id
    return None


# --- footnotes ---------------------------------------------------------------------------------


def _split_footnotes(text: str) -> tuple[str, list[_Footnote]]:
    """Separate the body from the footnotes PDF text puts at the foot of each page."""
    body: list[str] = []
    notes: list[tuple[int, list[str]]] = []
    expected = 1
    in_note = False
    after_blank = True
    for line in text.split("\n"):
        if PAGE_BREAK in line:
            in_note = False
            after_blank = True
            continue
        stripped = line.strip()
        if not stripped:
            after_blank = True
            if not in_note:
                body.append("")
            continue
        start = _FOOTNOTE_START_RE.match(line)
        if start and _starts_footnote(start, expected, after_blank or in_note, body):
            while body and not body[-1].strip():
                body.pop()  # the gap above the footnotes is not a paragraph break
            expected = int(start["n"]) + 1
            notes.append((int(start["n"]), [start["text"].strip()]))
            in_note = True
            after_blank = False
            continue
        if in_note and line[:1] not in " \t":
            notes[-1][1].append(stripped)
            continue
        in_note = False
        after_blank = False
        body.append(line)
    return "\n".join(body), [_Footnote(n, "\n".join(lines)) for n, lines in notes]


def _starts_footnote(start: re.Match[str], expected: int, after_gap: bool, body: list[str]) -> bool:
    """Whether "4 Motie 21 501-20, Nr. 1630" starts footnote 4 rather than continuing the body.

    Footnotes are numbered in order and follow a blank line or another footnote; without a blank
    line (or after skipped numbers) the marker must be glued to the text above ("c.s.4 zich").
    """
    number = int(start["n"])
    if number < expected or number > expected + 20 or _MONTH_START_RE.match(start["text"]):
        return False
    if after_gap and number <= expected + 2:
        return True
    recent = "\n".join(body[-40:])
    return re.search(rf"[^\s\d]{number}(?!\d)", recent) is not None


# --- motions -------------------------------------------------------------------------------------


def _read_motions(
    body: str, notes: list[_Footnote], own_id: str | None
) -> tuple[tuple[CitedMotion, ...], tuple[str, ...]]:
    """Find the motions a letter reports on and everything else it cites."""
    found: dict[str, _Found] = {}
    references: list[str] = []
    heading_spans: list[tuple[int, int]] = []

    body_citations = find_citations(body)
    for item, span in _numbered_sections(body, body_citations):
        heading_spans.append(span)
        existing = found.get(item.id)
        if existing is None:
            found[item.id] = item
        else:
            existing.merge(item.title, item.submitters, item.date)
            existing.section = existing.section or item.section

    motie_positions = [m.start() for m in _MOTIE_WORD_RE.finditer(body)]
    named = list(_named_mentions(body))
    for citation in body_citations:
        if any(a <= citation.start < b for a, b in heading_spans):
            continue
        phrase = _motion_phrase(body, citation, motie_positions)
        if phrase is None:
            references.append(citation.id)
            continue
        names, title, date = phrase
        date = date or _date_of(_AFTER_CITATION_DATE_RE.match(body, citation.end))
        _add(found, citation.id, citation.start, title, names, date).mentions.append(citation.start)

    end_of_body = len(body)
    for note in notes:
        note_motie = [m.start() for m in _MOTIE_WORD_RE.finditer(note.text)]
        for citation in find_citations(note.text):
            phrase = _motion_phrase(note.text, citation, note_motie)
            if phrase is None:
                references.append(citation.id)
                continue
            names, title, date = phrase
            marker = next((pos for pos, ns, n in named if n == note.number), None)
            if marker is not None and not names:
                names = next(ns for pos, ns, n in named if pos == marker)
            position = marker if marker is not None else end_of_body + note.number
            item = _add(found, citation.id, position, title, names, date)
            if marker is not None:
                item.mentions.append(marker)

    for item in found.values():  # "de motie Omtzigt/Van Helvert" elsewhere in the letter
        if item.section is None and item.submitters:
            wanted = frozenset(item.submitters)
            item.mentions.extend(pos for pos, ns, _ in named if frozenset(ns) == wanted)

    sentences = _Sentences(body)
    motions = tuple(
        _finish(item, sentences) for item in sorted(found.values(), key=lambda f: f.position)
    )
    motion_ids = {m.id for m in motions}
    refs = tuple(dict.fromkeys(r for r in references if r not in motion_ids and r != own_id))
    return motions, refs


def _add(
    found: dict[str, _Found],
    motion_id: str,
    position: int,
    title: str | None,
    names: tuple[str, ...],
    date: datetime.date | None,
) -> _Found:
    item = found.get(motion_id)
    if item is None:
        item = found[motion_id] = _Found(motion_id, position, title, names, date)
    else:
        item.merge(title, names, date)
    return item


def _numbered_sections(
    body: str, citations: list[Citation]
) -> Iterator[tuple[_Found, tuple[int, int]]]:
    """Yield each numbered motion heading with its section and the heading's span."""
    citation_starts = [c.start for c in citations]
    starts = [m.start() for m in _HEADING_RE.finditer(body)]
    signature = _SIGNATURE_RE.search(body, starts[-1]) if starts else None
    limit = signature.start() if signature else len(body)
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else limit
        window_end = min(stop, start + _HEADING_WINDOW)
        heading = _HEADING_RE.match(body, start)
        if heading is None:  # pragma: no cover - starts come from the same regex
            continue
        first = bisect.bisect_left(citation_starts, heading.end())
        if first == len(citations) or citations[first].end > window_end:
            continue
        citation = citations[first]
        head = body[heading.end() : citation.start].rstrip(" \t\n(")
        names, title = _parse_heading(head)
        date_match = _AFTER_CITATION_DATE_RE.match(body, citation.end, window_end)
        heading_end = date_match.end() if date_match else citation.end
        item = _Found(citation.id, start, title, names, _date_of(date_match))
        item.section = (heading_end, stop)
        yield item, (start, heading_end)


def _parse_heading(head: str) -> tuple[tuple[str, ...], str | None]:
    """Split "van de leden Segers en Van der Lee over …" into submitters and title."""
    rest = " ".join(head.split())
    lid = _LID_RE.match(rest)
    if lid:
        rest = rest[lid.end() :]
    names: tuple[str, ...] = ()
    match = _NAMES_RE.match(rest)
    if match:
        names = _split_names(match.group())
        rest = rest[match.end() :]
    rest = _CS_RE.sub("", rest).strip(" ,")
    if rest.lower().startswith("over "):
        rest = rest[5:]
    return names, (rest.strip(" ,") or None)


def _split_names(names: str) -> tuple[str, ...]:
    return tuple(n for n in (" ".join(p.split()) for p in _NAME_SPLIT_RE.split(names)) if n)


def _motion_phrase(
    text: str, citation: Citation, motie_positions: list[int]
) -> tuple[tuple[str, ...], str | None, datetime.date | None] | None:
    """If a motion phrase ends right where ``citation`` starts, return its names, title, date."""
    right = bisect.bisect_left(motie_positions, citation.start)
    for pos in reversed(motie_positions[max(0, right - 3) : right]):
        if citation.start - pos > 400:
            break
        match = _MOTION_PHRASE_RE.match(text, pos, citation.start)
        if match:
            names = _split_names(match["names"]) if match["names"] else ()
            title = " ".join(match["title"].split()) if match["title"] else None
            return names, title or None, _date_of(_DATE_RE.search(match["date"] or ""))
    return None


def _named_mentions(body: str) -> Iterator[tuple[int, tuple[str, ...], int | None]]:
    """Yield (offset, names, footnote marker) for every "motie <names>" in the body."""
    for match in _MOTIE_NAMES_RE.finditer(body):
        marker = int(match["marker"]) if match["marker"] else None
        yield match.start(), _split_names(match["names"]), marker


# --- status -------------------------------------------------------------------------------------


class _Sentences:
    """A text split into sentences, findable by offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = [0]
        for match in _SENTENCE_END_RE.finditer(text):
            if match.group().startswith("\n") or not _is_abbreviation(text, match.start()):
                self.starts.append(match.end())

    def between(self, start: int, end: int) -> list[str]:
        """The sentences that start in ``[start, end)``, cut off at ``end``."""
        first = bisect.bisect_right(self.starts, start) - 1
        bounds = [start, *(b for b in self.starts[first + 1 :] if b < end), end]
        return [self.text[a:b] for a, b in itertools.pairwise(bounds) if self.text[a:b].strip()]

    def around(self, offset: int) -> str:
        """The sentence that contains ``offset``."""
        i = bisect.bisect_right(self.starts, offset) - 1
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[i] : end]


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    before = text[max(0, dot - 16) : dot].split()
    word = before[-1].rsplit("(", 1)[-1] if before else ""
    if word.lower() in _ABBREVIATIONS:
        return True
    return len(word) <= 2 and word[:1].isupper() and word.replace(".", "").isalpha()  # initials


def _classify(sentence: str) -> tuple[int, ExecutionStatus] | None:
    """Rank and status a sentence supports (lower rank wins), or None."""
    low = sentence.lower()  # cheap keyword gates first: most sentences say nothing about status
    if _has(low, _NOT_APPLICABLE_WORDS) and _NOT_APPLICABLE_RE.search(sentence):
        return 0, ExecutionStatus.NOT_APPLICABLE
    negated = "niet" in low or "geen" in low
    about_execution = "motie" in low or "uitvoering" in low
    refused = negated or " af van" in low
    if refused and about_execution and _DECLINED_RE.search(sentence):
        return 1, ExecutionStatus.DECLINED
    if not negated and _has(low, _EXECUTED_WORDS) and _EXECUTED_STRONG_RE.search(sentence):
        return 2, ExecutionStatus.EXECUTED
    if _in_progress(low, sentence):
        return 3, ExecutionStatus.IN_PROGRESS
    if "belang" in low and _NORMATIVE_RE.search(sentence):
        return None
    words = frozenset(_WORD_RE.findall(low))
    if "motie" in low and _CONFORM_RE.search(sentence) and not words.isdisjoint(_PAST_AUX):
        return 4, ExecutionStatus.EXECUTED
    if not words.isdisjoint(_PAST_ACTIONS) and not words.isdisjoint(_ACTORS):
        return 5, ExecutionStatus.EXECUTED
    return None


def _in_progress(low: str, sentence: str) -> bool:
    """Whether the sentence says the work goes on and its result is not reached yet."""
    if "in uitvoering" in low or "in voorbereiding" in low:
        return True
    if "nog niet" in low and _NOT_YET_RE.search(sentence):
        return True
    if (
        "word" in low
        and _has(low, ("momenteel", "thans", " nog ", " nu ", "verder", "uitgevoerd"))
        and _BEING_DONE_RE.search(sentence)
    ):
        return True
    future = "zal" in low or "zullen" in low
    if (
        future
        and _has(low, ("uitvoer", "invulling", "uitwerk"))
        and _WILL_EXECUTE_RE.search(sentence)
    ):
        return True
    return (future or "blijf" in low or "blijv" in low) and _CONTINUE_RE.search(
        sentence
    ) is not None


def _has(low: str, words: tuple[str, ...]) -> bool:
    return any(word in low for word in words)


def _decide(sentences: Iterable[str]) -> tuple[ExecutionStatus | None, str | None]:
    best: tuple[int, ExecutionStatus, str] | None = None
    for raw in sentences:
        sentence = " ".join(raw.split())
        verdict = _classify(sentence)
        if verdict and (best is None or verdict[0] < best[0]):
            best = (verdict[0], verdict[1], sentence)
    if best is None:
        return None, None
    return best[1], _TRAILING_MARKER_RE.sub("", best[2])


def _finish(item: _Found, sentences: _Sentences) -> CitedMotion:
    if item.section is not None:
        texts = sentences.between(*item.section)
    else:
        texts = list(dict.fromkeys(sentences.around(pos) for pos in sorted(item.mentions)))
    status, evidence = _decide(texts)
    return CitedMotion(
        id=item.id,
        title=item.title,
        submitters=item.submitters,
        date=item.date,
        status=status,
        evidence=evidence,
    )


# --- motion documents ---------------------------------------------------------------------------


def _extract_motion(text: str, source: str, facts: _XmlFacts) -> ExtractedDocument:
    own_id = facts.kamerstuk or _own_id(text) or _first_id(text[:1500])
    date = facts.date or _date_of(_PROPOSED_DATE_RE.search(text))
    heading = _MOTION_TITLE_LINE_RE.search(text)
    doc_title = facts.title or (" ".join(heading["title"].split()) if heading else None)
    motion_title = None
    if doc_title and " over " in doc_title:
        motion_title = doc_title.split(" over ", 1)[1].strip() or None
    submitters = facts.signatures or _signatures(text)
    operative = _operative_text(text)
    motions: tuple[CitedMotion, ...] = ()
    if own_id:
        motions = (CitedMotion(id=own_id, title=motion_title, submitters=submitters, date=date),)
    references = tuple(dict.fromkeys(c.id for c in find_citations(text) if c.id != own_id))
    return ExtractedDocument(
        source=source,
        kind=DocumentKind.MOTION,
        kamerstuk=own_id,
        date=date,
        title=doc_title,
        motions=motions,
        references=references,
        operative_text=operative,
    )


def _first_id(head: str) -> str | None:
    for citation in find_citations(head):
        if "t.v.v" not in head[max(0, citation.start - 12) : citation.start]:
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
        if PAGE_BREAK in line or not _SIGNATURE_NAME_RE.match(line):
            break
        names.append(" ".join(line.split()))
    return tuple(names)


def _operative_text(text: str) -> str | None:
    """The operative part: from "verzoekt de regering …" up to "en gaat over tot de orde …"."""
    end = _ORDER_OF_DAY_RE.search(text)
    start = _OPERATIVE_START_RE.search(text, 0, end.start() if end else len(text))
    if start is None:
        return None
    body = text[start.start() : end.start() if end else len(text)]
    return " ".join(body.split()) or None


def _xml_facts(xml: bytes) -> _XmlFacts:
    """Structured metadata of official-publication XML; empty facts when it cannot be read."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        logger.warning("ignoring unreadable XML metadata: %s", exc)
        return _XmlFacts()
    meta: dict[str, list[str]] = {}
    for el in root.iter():
        local = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
        name, content = el.get("name"), el.get("content")
        if local in {"meta", "metadata"} and name and content is not None:
            meta.setdefault(name, []).append(content.strip())
    kamerstuk = kamerstuk_from_xml(root)
    if kamerstuk is None:
        for ident in meta.get("DC.identifier", []):
            kamerstuk = normalize_motion_id(ident)
            if kamerstuk:
                break
    return _XmlFacts(
        kamerstuk=kamerstuk,
        kind=_xml_kind(root, meta),
        date=_xml_date(root, meta),
        title=next(iter(meta.get("OVERHEIDop.documenttitel", [])), None) or None,
        signatures=_xml_signatures(root),
    )


def _xml_kind(root: ET.Element, meta: dict[str, list[str]]) -> DocumentKind | None:
    types = {t.lower() for t in meta.get("DC.type", [])}
    titel = (root.findtext(".//stuk/titel") or "").strip().upper()
    if "motie" in types or titel.startswith(
        ("MOTIE", "GEWIJZIGDE MOTIE", "NADER GEWIJZIGDE MOTIE")
    ):
        return DocumentKind.MOTION
    if titel.startswith("BRIEF") or any("brief" in t for t in types):
        return DocumentKind.LETTER
    return None


def _xml_date(root: ET.Element, meta: dict[str, list[str]]) -> datetime.date | None:
    candidates = [el.get("isodatum") for el in root.iter("datum")]
    candidates += meta.get("DCTERMS.issued", [])
    for value in candidates:
        if value:
            try:
                return datetime.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def _xml_signatures(root: ET.Element) -> tuple[str, ...]:
    group = root.find(".//al-groep")
    if group is not None:
        return tuple(" ".join("".join(al.itertext()).split()) for al in group.iter("al"))
    paragraphs = [" ".join("".join(al.itertext()).split()) for al in root.iter("al")]
    for i, para in enumerate(paragraphs):
        if "orde van de dag" in para.lower():
            return tuple(p for p in paragraphs[i + 1 :] if p and _SIGNATURE_NAME_RE.match(p))
    return ()
