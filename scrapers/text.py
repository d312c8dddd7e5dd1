"""PDF, HTML and official-publication XML → clean plain text.

``to_text`` sniffs what it was given and hands it to ``pdf_to_text`` (pypdf), ``html_to_text``
(the standard library's HTML parser) or ``xml_to_text`` (officiële-publicatie XML as served by
officielebekendmakingen and the Tweede Kamer ``DocumentPublicatie`` resource), or decodes plain
text. ``clean_text`` then removes what a PDF adds to the words: repeated page headers and footers,
page numbers, the dump of link-annotation URLs at the end of a page, and hyphens that only break
a word at a line end.

The result keeps the source's line breaks, except where a hyphenated word is rejoined. Pages are
separated by a form feed (``\\f``) on a line of its own, also where a page end could only be
inferred (a URL dump, a page header). Footnotes stay where the PDF put them (``4 Motie 21 501-20,
Nr. 1630`` at the foot of a page); XML footnotes are written the same way after the body, so
``scrapers.letters`` finds both alike.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

from scrapers.citations import render_id

__all__ = [
    "PAGE_BREAK",
    "clean_text",
    "html_to_text",
    "kamerstuk_from_xml",
    "pdf_to_text",
    "to_text",
    "xml_to_text",
]

logger = logging.getLogger(__name__)


def _words(text: str) -> frozenset[str]:
    """A word list written as one string."""
    return frozenset(text.split())


PAGE_BREAK = "\f"

_URL_LINE_RE = re.compile(r"^[ \t]*[(<]*(?:https?://|www\.)\S+[ \t]*$")
_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:(?:pagina|page)\s+\d+\s+(?:van|of)\s+\d+|-?\s*\d{1,3}\s*-?)\s*$", re.IGNORECASE
)
_ISSN_RE = re.compile(r"^\s*ISSN\s+\d{4}\s*[-–]\s*\d{3}[\dXx]\s*$")
_SIGNER_PLACEHOLDER_RE = re.compile(r"\[Ondertekenaar \d+\]")
_REFERENCE_LABEL_RE = re.compile(r"^\s*(?:onze|uw)\s+(?:referentie|kenmerk)\s*$", re.IGNORECASE)
_CODE_LINE_RE = re.compile(r"^\s*[\w./-]{4,60}\s*$")
# The footer of an officially published Kamerstuk: "’s-Gravenhage 2020 Tweede Kamer,
# vergaderjaar 2020–2021, 35 570 V, nr. 22 1" (page 1) and "Tweede Kamer, vergaderjaar …, nr. 22 2".
_KST_FOOTER_RE = re.compile(r"Tweede Kamer, vergaderjaar \d{4}\s*[-–]\s*\d{4},")
_KST_LINE_RE = re.compile(r"^\s*kst-[\w-]+\s*$", re.IGNORECASE)
_DIGITS_RE = re.compile(r"\d+")
# A hyphen that ends a line (a blank line or page break may follow) before a word continues.
_HYPHEN_BREAK_RE = re.compile(r"-(?<=\w-)[ \t]*\n(?:[ \t\f]*\n)?[ \t]*(?=(?P<next>\w))")
_SPACES_RE = re.compile(r"\s+")
_BLANK_RUN_RE = re.compile(r"\n(?:[ \t]*\n){2,}")

_EDGE_LINES = 3  # lines at the top and bottom of a page that may be a header or footer


def to_text(content: bytes, content_type: str | None = None, filename: str | None = None) -> str:
    """Sniff PDF / HTML / official XML / plain text and return its clean text."""
    if not content or not content.strip():
        raise ValueError("empty document")
    kind = _sniff(content, content_type, filename)
    if kind == "pdf":
        text = pdf_to_text(content)
    elif kind == "html":
        text = html_to_text(content)
    elif kind == "xml":
        text = xml_to_text(content)
    else:
        text = clean_text(_decode(content))
    if not text.strip(" \t\n\f"):
        raise ValueError(f"no text found in {kind} document")
    return text


def pdf_to_text(data: bytes) -> str:
    """Extract the text of a PDF with pypdf, one form feed between pages, and clean it."""
    from pypdf import PdfReader  # imported here: only PDF input needs it

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise ValueError(f"unreadable PDF: {exc}") from exc
    if not any(p.strip() for p in pages):
        raise ValueError("PDF has no extractable text (scanned images?)")
    logger.debug("extracted %d PDF pages, %d characters", len(pages), sum(map(len, pages)))
    return clean_text(f"\n{PAGE_BREAK}\n".join(pages))


def html_to_text(data: bytes | str) -> str:
    """Return the visible text of an HTML page, one line per block element, cleaned."""
    markup = _decode(data) if isinstance(data, bytes) else data
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    return clean_text(parser.text())


def xml_to_text(data: bytes) -> str:
    """Return the text of an official-publication XML document, footnotes after the body."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"unreadable XML: {exc}") from exc
    writer = _XmlWriter()
    try:
        writer.walk(root)
    except RecursionError as exc:
        raise ValueError("XML nested too deeply") from exc
    lines: list[str] = []
    kamerstuk = kamerstuk_from_xml(root)
    if kamerstuk:
        lines.append(f"kst-{kamerstuk}")
    lines.extend(writer.lines())
    if writer.notes:
        lines.append("")
        lines.extend(writer.notes)
    return clean_text("\n".join(lines))


def clean_text(text: str) -> str:
    """Drop page headers/footers and URL dumps, rejoin hyphenated line breaks, tidy blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "")
    if "[Ondertekenaar" in text:
        text = _SIGNER_PLACEHOLDER_RE.sub("", text)
    if PAGE_BREAK in text:
        text = _drop_repeated_edges(text)
    text = _HYPHEN_BREAK_RE.sub(_join_hyphenated, text)
    lines = _drop_noise_lines(text.split("\n"))
    text = "\n".join(line.rstrip(" \t") for line in lines)
    if PAGE_BREAK in text:
        pages = (page.strip(" \t\n") for page in text.split(PAGE_BREAK))
        text = f"\n{PAGE_BREAK}\n".join(page for page in pages if page)
    text = _BLANK_RUN_RE.sub("\n\n", text)
    return text.strip("\n\f")


def _join_hyphenated(match: re.Match[str]) -> str:
    """Keep the hyphen of a compound, a name or a URL; drop the one that only split a word."""
    text, end = match.string, match.start()
    floor = max(0, end - 200)
    begin = (
        max(
            text.rfind(" ", floor, end),
            text.rfind("\n", floor, end),
            text.rfind("\t", floor, end),
            floor - 1,
        )
        + 1
    )
    word, nxt = text[begin:end], match["next"]
    last_part = word.rsplit("-", 1)[-1].lstrip("([")
    keep = (
        nxt.isupper()
        or nxt.isdigit()
        or word[-1].isdigit()
        or "-" in word
        or "/" in word
        or (len(last_part) > 1 and last_part.isupper())
    )
    return "-" if keep else ""


def _edge_key(line: str) -> str:
    return _DIGITS_RE.sub("#", line.strip()).lower()


def _drop_repeated_edges(text: str) -> str:
    """Remove header/footer lines that recur at the edges of most pages (first one kept)."""
    pages = [page.split("\n") for page in text.split(PAGE_BREAK)]
    if len(pages) < 2:
        return text
    edges: list[set[int]] = []
    counts: Counter[str] = Counter()
    for lines in pages:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        at_edge = set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])
        edges.append(at_edge)
        counts.update({_edge_key(lines[i]) for i in at_edge if len(lines[i]) < 120})
    threshold = max(2, (len(pages) + 1) // 2)
    repeated = {key for key, n in counts.items() if n >= threshold}
    seen: set[str] = set()
    out: list[str] = []
    for lines, at_edge in zip(pages, edges, strict=True):
        kept: list[str] = []
        for i, line in enumerate(lines):
            key = _edge_key(line) if i in at_edge else ""
            if key in repeated:
                if key in seen or _PAGE_NUMBER_RE.match(line):
                    continue
                seen.add(key)
            kept.append(line)
        out.append("\n".join(kept))
    return PAGE_BREAK.join(out)


def _drop_noise_lines(lines: list[str]) -> list[str]:
    """Remove URL dumps, page numbers, ISSN and reference headers; dedupe Kamerstuk footers."""
    out: list[str] = []
    seen_urls: set[str] = set()
    seen_footers: set[str] = set()
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if ("http" in line or "www." in line) and _URL_LINE_RE.match(line):
            j = i
            while j < n and _URL_LINE_RE.match(lines[j]):
                j += 1
            run = [lines[k].strip() for k in range(i, j)]
            if len(run) >= 2:  # link annotations dumped at the end of a page
                seen_urls.update(run)
                out.append(PAGE_BREAK)
            elif run[0] not in seen_urls:
                seen_urls.add(run[0])
                out.append(line)
            i = j
            continue
        if len(line) < 40 and _is_page_furniture(lines, i):
            i += 1
            continue
        if ("eferentie" in line or "enmerk" in line) and _REFERENCE_LABEL_RE.match(line):
            # "Onze Referentie" and its code head every page after the first: drop, mark a page
            j = i + 1
            while j < n and not lines[j].strip():
                j += 1
            i = j + 1 if j < n and _CODE_LINE_RE.match(lines[j]) else i + 1
            out.append(PAGE_BREAK)
            continue
        if ("vergaderjaar" in line and _KST_FOOTER_RE.search(line)) or (
            "kst" in line and _KST_LINE_RE.match(line)
        ):
            key = _edge_key(line)
            if key not in seen_footers:
                seen_footers.add(key)
                out.append(line)
            if _KST_FOOTER_RE.search(line):
                out.append(PAGE_BREAK)
            i += 1
            continue
        out.append(line)
        i += 1
    return out


def _is_page_furniture(lines: list[str], i: int) -> bool:
    """An ISSN line, or a page number next to a page break."""
    line = lines[i]
    if "ISSN" in line:
        return _ISSN_RE.match(line) is not None
    return bool(line.strip()) and _PAGE_NUMBER_RE.match(line) is not None and _near_break(lines, i)


def _near_break(lines: list[str], i: int) -> bool:
    """Whether line ``i`` sits next to a page break (where page numbers live)."""
    return any(0 <= j < len(lines) and PAGE_BREAK in lines[j] for j in (i - 1, i + 1))


def _sniff(content: bytes, content_type: str | None, filename: str | None) -> str:
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    ctype = (content_type or "").lower()
    name = (filename or "").lower()
    if head.startswith(b"%pdf") or b"%pdf-" in head[:1024] or "pdf" in ctype:
        return "pdf"
    if (
        b"<html" in head
        or b"<!doctype html" in head
        or "html" in ctype
        or name.endswith((".html", ".htm"))
    ):
        return "html"
    if (
        head.startswith(b"<?xml")
        or "xml" in ctype
        or (head.startswith(b"<") and name.endswith(".xml"))
    ):
        return "xml"
    return "text"


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ValueError("binary content, not a text document")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if sample and controls > len(sample) // 20:
        raise ValueError("binary content, not a text document")
    return text


_BLOCK_TAGS = _words(
    "address article aside blockquote body br dd div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td th thead tr "
    "ul"
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg"})


class _TextParser(HTMLParser):
    """Collects visible text; block elements start new lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._parts.append(_SPACES_RE.sub(" ", data))

    def text(self) -> str:
        """The collected text, one line per block."""
        lines = ("".join(self._parts)).split("\n")
        return "\n".join(" ".join(line.split()) for line in lines)


# Officiële-publicatie elements that flow inside a line; every other element is a block.
_XML_INLINE = _words(
    "nadruk datum ondernummer dossiernr raadnr begrotingshoofdstuk extref intref sup inf "
    "sub nootref noot-ref afkorting"
)
_XML_SKIP = frozenset({"metadata", "meta"})


def _local(tag: object) -> str:
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1]


class _XmlWriter:
    """Walks an XML tree into lines; ``<noot>`` footnotes become markers plus numbered notes."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.notes: list[str] = []

    def walk(self, element: ET.Element) -> None:
        """Append the text of ``element`` and its descendants."""
        tag = _local(element.tag)
        if tag in _XML_SKIP:
            self._tail(element)
            return
        if tag == "noot":
            number = (element.findtext("noot-nr") or "").strip()
            body = " ".join(
                " ".join(t.split())
                for child in element
                if _local(child.tag) != "noot-nr"
                for t in child.itertext()
                if t.strip()
            )
            self._parts.append(number)
            self.notes.append(f"{number} {body}".strip())
            self._tail(element)
            return
        block = tag not in _XML_INLINE
        if block:
            self._parts.append("\n")
        if element.text:
            self._parts.append(element.text)
        for child in element:
            self.walk(child)
        if block:
            self._parts.append("\n")
        self._tail(element)

    def _tail(self, element: ET.Element) -> None:
        if element.tail:
            self._parts.append(element.tail)

    def lines(self) -> list[str]:
        """The collected text as lines, whitespace within each line collapsed."""
        raw = "".join(self._parts).split("\n")
        return [" ".join(line.split()) for line in raw if line.strip()]


def kamerstuk_from_xml(root: ET.Element) -> str | None:
    """Return the Kamerstuk id of an official-publication XML tree (dossiernr, ondernummer …)."""
    found: dict[str, str] = {}
    for el in root.iter():
        tag = _local(el.tag)
        if (
            tag in {"dossiernr", "raadnr", "begrotingshoofdstuk", "ondernummer"}
            and tag not in found
        ):
            value = "".join(el.itertext()).strip()
            if value:
                found[tag] = value
    dossier = "".join(found.get("dossiernr", "").split())
    number = found.get("ondernummer", "")
    digits = f"{dossier}{number}"
    # ASCII only: "²".isdigit() is true, but int("²") raises
    if not (digits.isascii() and dossier.isdigit() and number.isdigit() and int(number) > 0):
        return None
    toevoeging = found.get("raadnr") or found.get("begrotingshoofdstuk")
    return render_id(dossier, toevoeging, int(number))
