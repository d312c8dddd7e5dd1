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
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scrapers import vocab
from scrapers.annexes import extract_annex
from scrapers.citations import Citation, find_citations
from scrapers.document import ExtractedDocument, XmlFacts, failed, kind_of, own_id, xml_facts
from scrapers.execution import Sentences, decide
from scrapers.handelingen import extract_handelingen
from scrapers.motiondocs import extract_motion
from scrapers.text import PAGE_BREAK, clean_text, to_text, xml_to_text
from state.models import CitedMotion, DocumentKind, Letter

__all__ = ["ExtractedDocument", "extract_document", "extract_file", "to_letter"]

logger = logging.getLogger(__name__)


_MONTH = vocab.MONTH
_DATE = vocab.DATE
_DATE_RE = vocab.DATE_RE
_DATE_PLAIN = vocab.DATE_PLAIN
_NAME = vocab.NAME
_NAMES = vocab.NAMES
_NAMES_RE = vocab.NAMES_RE
_LID = vocab.LID
_LID_RE = vocab.LID_RE
_date_of = vocab.date_of
_split_names = vocab.split_names
_CS_RE = re.compile(r"^\s*c\.\s?s\.?")

# "motie Van der Graaf c.s.4", "motie Ploumen.6": a footnote marker glued to a motion's name.
_MOTIE_NAMES_RE = re.compile(
    rf"[Mm]otie[\s-]+(?:{_LID})?(?P<names>{_NAMES})(?P<cs>\s+c\.\s?s\.)?(?:\.?(?P<marker>\d{{1,3}})(?!\d))?"
)
_MOTIE_WORD_RE = vocab.MOTIE_WORD_RE
_motion_phrase = vocab.motion_phrase
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
_LETTER_DATE_RE = re.compile(
    rf"^[ \t]*(?:Datum|Den\s+Haag,|['’]s-Gravenhage,)[ \t]*{_DATE}", re.IGNORECASE | re.MULTILINE
)
_BETREFT_RE = re.compile(r"^[ \t]*Betreft[ \t]+(?P<title>\S[^\n]*)$", re.MULTILINE)


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


def extract_document(text: str, *, source: str = "", xml: bytes | None = None) -> ExtractedDocument:
    """Read any document's text (and its official XML, if given); never raises on bad text."""
    facts = xml_facts(xml) if xml else XmlFacts()
    if not text.strip() and xml:
        try:
            text = xml_to_text(xml)
        except ValueError as exc:
            return failed(source, str(exc))
    text = clean_text(text)
    kind = facts.kind or kind_of(text)
    if kind is DocumentKind.MOTION:
        return extract_motion(text, source, facts)
    if kind in (DocumentKind.HANDELINGEN, DocumentKind.VOTE_LIST):
        return extract_handelingen(text, source, kind, facts.date)
    if kind is DocumentKind.BUDGET_ANNEX:
        return extract_annex(text, source, facts.kamerstuk or own_id(text), facts.date)
    ident = facts.kamerstuk or own_id(text)
    date = facts.date or _letter_date(text)
    betreft = _BETREFT_RE.search(text)
    title = facts.title or (" ".join(betreft["title"].split()) if betreft else None)
    body, notes = _split_footnotes(text)
    motions, references = _read_motions(body, notes, ident)
    return ExtractedDocument(
        source=source,
        kind=kind,
        kamerstuk=ident,
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
        return failed(str(path), f"cannot read file: {exc.strerror or exc}")
    try:
        text = to_text(data, filename=path.name)
    except ValueError as exc:
        logger.warning("cannot extract %s: %s", path, exc)
        return failed(str(path), str(exc))
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


def _letter_date(text: str) -> datetime.date | None:
    if not any(word in text for word in ("Datum", "DATUM", "Haag", "Gravenhage")):
        return None
    return _date_of(_LETTER_DATE_RE.search(text))


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

    sentences = Sentences(body)
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


def _named_mentions(body: str) -> Iterator[tuple[int, tuple[str, ...], int | None]]:
    """Yield (offset, names, footnote marker) for every "motie <names>" in the body."""
    for match in _MOTIE_NAMES_RE.finditer(body):
        marker = int(match["marker"]) if match["marker"] else None
        yield match.start(), _split_names(match["names"]), marker


def _finish(item: _Found, sentences: Sentences) -> CitedMotion:
    if item.section is not None:
        texts = sentences.between(*item.section)
    else:
        texts = list(dict.fromkeys(sentences.around(pos) for pos in sorted(item.mentions)))
    status, evidence = decide(texts)
    return CitedMotion(
        id=item.id,
        title=item.title,
        submitters=item.submitters,
        date=item.date,
        status=status,
        evidence=evidence,
    )
