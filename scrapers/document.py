"""The extracted document, its kind, and what every form shares: own Kamerstuk id, XML metadata.

``ExtractedDocument`` is what ``scrapers.letters.extract_document`` returns for any form: a letter,
a motion text, the verbatim record (Handelingen), a page of vote results, a budget or annual-report
annex. ``kind_of`` tells the forms apart from their wording; ``own_id`` finds a Kamerstuk's own id
from its official footer ("kst-36180-42", "Tweede Kamer, vergaderjaar 2022–2023, 36 180, nr. 42")
or its header, also as the website and PDF text split it over lines ("35 570 V" … "Nr. 42"),
never from a document it cites. Handelingen and vote pages are not Kamerstukken: no own id.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from scrapers import vocab
from scrapers.citations import find_citations, normalize_motion_id, render_id
from scrapers.text import kamerstuk_from_xml
from state.models import CitedMotion, DocumentKind

__all__ = ["ExtractedDocument", "XmlFacts", "failed", "kind_of", "own_id", "xml_facts"]

logger = logging.getLogger(__name__)

_OWN_ID_LINE_RE = re.compile(
    r"^[ \t]*kst-[\w-]+[ \t]*$|Tweede Kamer, vergaderjaar \d{4}\s*[-–]\s*\d{4},[^\n]*"
    r"|officiële HTML versie \(kst-[\w-]+\)",
    re.MULTILINE | re.IGNORECASE,
)
# "35 777 Benoeming van een Voorzitter" / "Nr. 9"; "34 775" / "X" / … / "Nr. 112";
# "21 501-02 Raad Algemene Zaken …" / "Nr. 2822 BRIEF …"; "36 360V Jaarverslag …"
_HEADER_ID_RE = re.compile(
    r"^[ \t]*(?P<d>\d{2}[ \u00a0]?\d{3})(?!\d)"
    r"(?:(?:[ \t]*[-–][ \t]*|[ \t]*|[ \t]*\n[ \t]*)(?P<t>\d{1,2}|[A-Z]{1,5})(?![\w-]))?"
    r"[^\n]*\n(?:[^\n]*\n){0,8}?[ \t]*Nr\.[ \t]*(?P<n>[1-9]\d{0,4})(?!\d)",
    re.MULTILINE,
)
# "34775 V 57 MOTIE VAN HET LID VOORDEWIND C.S." (rijksbegroting.nl)
_HEADER_ONE_LINE_RE = re.compile(
    r"^[ \t]*(?P<d>\d{5})[ \t]+(?:(?P<t>[A-Z]{1,5}|\d{1,2})[ \t]+)?(?P<n>[1-9]\d{0,4})[ \t]+"
    r"(?:(?:TWEEDE[ \t]+)?(?:NADER[ \t]+)?GEWIJZIGDE[ \t]+)?(?:MOTIE|BRIEF)\b",
    re.MULTILINE,
)
# "Kamerstuk 35925-XV-41", "ID: 35925-XV-41" (openkamer.org)
_LABELLED_ID_RE = re.compile(
    r"^[ \t]*(?:Kamerstuk|ID:)[ \t]+(?P<id>\d{4,6}(?:-\w{1,5})?-\d{1,5})[ \t]*$", re.M
)
_HEADER_CHARS = 2500

_LETTER_RE = re.compile(
    r"Geachte\s+[Vv]oorzitter|BRIEF VAN DE|Aan de [Vv]oorzitter van de Tweede Kamer|"
    r"^[ \t]*Brief regering\b|^[ \t]*De [Mm]inister (?:van|voor)\b",
    re.MULTILINE,
)
_MOTION_DOC_RE = re.compile(r"De\s+Kamer,\s+gehoord\s+de\s+beraadslaging", re.IGNORECASE)
# The verbatim record: a speaker's turn, the chair's procedure, a vote, a number given.
_HANDELINGEN_RE = re.compile(
    r"^[ \t]*(?:De voorzitter:|Aan de orde (?:is|zijn)\b|In stemming komt\b|Zij krijgt nr\.|"
    r"Handeling[ \t]*$|Plenair verslag\b|Stenogram\b|"
    r"(?:De heer|Mevrouw) [^\n:]{2,60}\([^)\n]{1,30}\):)",
    re.MULTILINE,
)
_ANNEX_HEAD_RE = re.compile(r"moties\s+en\s+toezeggingen|aangenomen\s+moties", re.IGNORECASE)
_ANNEX_TABLE_RE = re.compile(r"\bVindplaats\b|\bStand\s+van\s+zaken\b|\bStatus\b", re.IGNORECASE)
_VOTE_PAGE_RE = re.compile(r"Stemmingsuitslag|^[ \t]*Indiener:", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """What ``extract_document`` read from one document."""

    source: str
    kind: DocumentKind
    kamerstuk: str | None
    date: datetime.date | None
    title: str | None
    motions: tuple[CitedMotion, ...]
    references: tuple[str, ...]
    operative_text: str | None = None
    error: str | None = None
    facts: tuple[vocab.MotionFacts, ...] = ()

    def facts_for(self, motion_id: str) -> vocab.MotionFacts | None:
        """The decision, votes and replacement the document gives for one motion."""
        return next((f for f in self.facts if f.motion_id == motion_id), None)

    def to_json(self) -> dict[str, object]:
        """Return the ``kamerwacht extract --json`` object for this document."""
        motions: list[dict[str, object]] = []
        for m in self.motions:
            entry: dict[str, object] = {
                "id": m.id,
                "title": m.title,
                "submitters": list(m.submitters),
                "date": m.date.isoformat() if m.date else None,
                "status": m.status.value if m.status else None,
                "evidence": m.evidence,
            }
            fact = self.facts_for(m.id)
            if fact is not None or self.kind in (DocumentKind.HANDELINGEN, DocumentKind.VOTE_LIST):
                fact = fact or vocab.MotionFacts(m.id)
                entry["decision"] = fact.decision.value if fact.decision else None
                entry["parties_for"] = list(fact.parties_for)
                entry["parties_against"] = list(fact.parties_against)
                entry["others"] = fact.others
                entry["replaces"] = fact.replaces
                entry["decision_evidence"] = fact.evidence
            motions.append(entry)
        out: dict[str, object] = {
            "source": self.source,
            "kind": self.kind.value,
            "kamerstuk": self.kamerstuk,
            "date": self.date.isoformat() if self.date else None,
            "motions": motions,
            "references": list(self.references),
        }
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True, slots=True)
class XmlFacts:
    """Structured metadata from official-publication XML."""

    kamerstuk: str | None = None
    kind: DocumentKind | None = None
    date: datetime.date | None = None
    title: str | None = None
    signatures: tuple[str, ...] = ()


def failed(source: str, error: str) -> ExtractedDocument:
    """A document that could not be read, with one line saying why."""
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


def kind_of(text: str) -> DocumentKind:
    """Tell the forms apart from their wording (clean text)."""
    head = text[:6000]
    if (
        _ANNEX_HEAD_RE.search(head)
        and _ANNEX_TABLE_RE.search(text)
        and "otie" in text
        and not _HANDELINGEN_RE.search(head)
    ):
        return DocumentKind.BUDGET_ANNEX
    if _HANDELINGEN_RE.search(text):
        return DocumentKind.HANDELINGEN
    motion_texts = len(_MOTION_DOC_RE.findall(text)) if "beraadslaging" in text else 0
    if motion_texts != 1 and _VOTE_PAGE_RE.search(text) and len(find_citations(text)) >= 2:
        return DocumentKind.VOTE_LIST
    if motion_texts:
        return DocumentKind.MOTION
    if _LETTER_RE.search(text):
        return DocumentKind.LETTER
    return DocumentKind.OTHER


def own_id(text: str) -> str | None:
    """A Kamerstuk's own id: official footer first, then its header; None for anything else."""
    if "kst-" in text or "KST-" in text or "vergaderjaar" in text:
        for line in _OWN_ID_LINE_RE.finditer(text):
            citations = find_citations(line.group())
            if citations:
                return citations[-1].id
    head = text[:_HEADER_CHARS]
    labelled = _LABELLED_ID_RE.search(head)
    if labelled:
        return normalize_motion_id(labelled["id"])
    for regex in (_HEADER_ID_RE, _HEADER_ONE_LINE_RE):
        match = regex.search(head)
        if match:
            return render_id(match["d"], match["t"], int(match["n"]))
    return None


# --- official-publication XML --------------------------------------------------------------------


def xml_facts(xml: bytes) -> XmlFacts:
    """Structured metadata of official-publication XML; empty facts when it cannot be read."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        logger.warning("ignoring unreadable XML metadata: %s", exc)
        return XmlFacts()
    meta: dict[str, list[str]] = {}
    for el in root.iter():
        local = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
        name, content = el.get("name"), el.get("content")
        if local in {"meta", "metadata"} and name and content is not None:
            meta.setdefault(name, []).append(content.strip())
    kind = _xml_kind(root, meta)
    kamerstuk = None
    if kind is not DocumentKind.HANDELINGEN:
        kamerstuk = kamerstuk_from_xml(root)
        if kamerstuk is None:
            for ident in meta.get("DC.identifier", []):
                kamerstuk = normalize_motion_id(ident)
                if kamerstuk:
                    break
    return XmlFacts(
        kamerstuk=kamerstuk,
        kind=kind,
        date=_xml_date(root, meta),
        title=next(iter(meta.get("OVERHEIDop.documenttitel", [])), None) or None,
        signatures=_xml_signatures(root),
    )


def _xml_kind(root: ET.Element, meta: dict[str, list[str]]) -> DocumentKind | None:
    types = {t.lower() for t in meta.get("DC.type", [])}
    titel = (root.findtext(".//stuk/titel") or "").strip().upper()
    if "handelingen" in types or root.tag.rsplit("}", 1)[-1] == "handelingen":
        return DocumentKind.HANDELINGEN
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


_SIGNATURE_NAME_RE = re.compile(rf"^\s*(?:{vocab.NAME})\s*$")


def _xml_signatures(root: ET.Element) -> tuple[str, ...]:
    group = root.find(".//al-groep")
    if group is not None:
        return tuple(" ".join("".join(al.itertext()).split()) for al in group.iter("al"))
    paragraphs = [" ".join("".join(al.itertext()).split()) for al in root.iter("al")]
    for i, para in enumerate(paragraphs):
        if "orde van de dag" in para.lower():
            return tuple(p for p in paragraphs[i + 1 :] if p and _SIGNATURE_NAME_RE.match(p))
    return ()
