"""Kamerstuk citations in every spelling found in real documents → canonical ids.

A canonical id is ``{dossier}[-{toevoeging}]-{volgnummer}`` (``21501-02-2228``, ``35570-V-31``,
``35373-23``; see ``state.models.MOTION_ID_RE``). Documents spell the same Kamerstuk as
``21 501-02, nr. 2228``, ``Kamerstuk 21 501-02 Nr. 2228``, ``35 570 V, nr. 22``,
``(35300-A, nr. 15)``, ``kst-21501-02-2228``, ``(t.v.v. 21501-02-2228)`` or, in official XML,
``<dossiernr>21 501</dossiernr>-<raadnr>02</raadnr> … <ondernummer>2228</ondernummer>``; PDF text
adds line breaks and thin spaces inside them. Zaak numbers (``2021Z19031``) and document numbers
(``2020D43526``) are a different kind of identifier and have their own finders.

Two normalisations make ids comparable: a numeric toevoeging is zero-padded to two digits, as the
official ``raadnr`` is (``21 501-2 Nr. 2244`` → ``21501-02-2244``), and a letter toevoeging is upper
case (``V``, ``XVI``, ``A``). Dossier ``21501`` always has a toevoeging, so a bare ``21501-20`` is a
dossier, not Kamerstuk 20.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from state.models import MOTION_ID_RE
from state.typos import probable_typo_for, typo_neighbours

__all__ = [
    "Citation",
    "find_citations",
    "find_document_numbers",
    "find_zaak_numbers",
    "normalize_motion_id",
    "probable_typo_for",
    "render_id",
    "typo_neighbours",
]

logger = logging.getLogger(__name__)

# Dossiers whose Kamerstukken always carry a toevoeging (21501-02, 21501-20, …).
_SUBDOSSIER_PARENTS = frozenset({"21501"})

_HY = r"[-\u2010\u2011\u2012\u2013]"  # hyphen, non-breaking hyphen, figure dash, en dash
# 5-digit dossier, compact or split as "21 501" (any whitespace: space, NBSP, thin space).
_DOSSIER = r"(?:\d{2}\s\d{3}(?!\d)|\d{5,6}(?!\d))"
_NUMBER = r"[1-9]\d{0,4}(?!\d)"
_NR = r"(?:[Nn][Rr]\.?|nummer)"

_CITATION_RE = re.compile(
    rf"""
    (?=[\dKk])  # every spelling starts with a digit or "kst": lets the scanner skip ahead
    (?:
        # kst-21501-02-2228, kst-32545-143 (also inside URLs)
        (?<![\w-])(?i:kst){_HY}(?P<kd>\d{{4,6}})(?:{_HY}(?P<kt>[0-9A-Za-z]{{1,5}}))?{_HY}(?P<kn>{_NUMBER})
    |
        # 21 501-02, nr. 2228 · 35 570 V, nr. 22 · 35300-A, nr. 15 · 26150 Nr. 196
        (?<![\w/\-\u2010-\u2013])(?<!\d[.,])
        (?P<d1>{_DOSSIER})
        (?:(?:\s*{_HY}\s*|\s+)(?P<t1>\d{{1,2}}|[A-Z]{{1,5}}))?
        \s*,?\s*{_NR}\s*(?P<n1>{_NUMBER})
    |
        # 21501-20-1736 · 35570-V-31 · 35373-23 (a hyphen may end a line)
        (?<![\w/\-\u2010-\u2013])(?<!\d[.,])
        (?P<d2>{_DOSSIER})
        (?:{_HY}[ \t]*\n?[ \t]*(?P<t2>\d{{1,2}}|[A-Za-z]{{1,5}}))?
        {_HY}[ \t]*\n?[ \t]*(?P<n2>{_NUMBER})
    )
    (?![\w\-\u2010-\u2013])
    """,
    re.VERBOSE,
)

# <dossiernr>21 501</dossiernr>-<raadnr>02</raadnr></dossiernummer>
#   … <ondernummer kamer="2">3067</ondernummer>
_XML_CITATION_RE = re.compile(
    r"<dossiernr>\s*(?P<d>\d[\d\s]{3,7}?)\s*</dossiernr>\s*-?\s*"
    r"(?:<(?P<tag>raadnr|begrotingshoofdstuk)>\s*(?P<t>[0-9A-Za-z]{1,5})\s*</(?P=tag)>)?"
    r"(?:(?!<dossiernr>)[\s\S]){0,800}?"
    r"<ondernummer\b[^>]*>\s*(?P<n>[1-9]\d{0,4})\s*</ondernummer>"
)

_ZAAK_RE = re.compile(r"(?<![\w-])(?:19|20)\d{2}Z\d{5}(?!\w)")
_DOCUMENT_RE = re.compile(r"(?<![\w-])(?:19|20)\d{2}D\d{5}(?!\w)")

# What may surround a single citation typed by a person: "Motie (t.v.v. kst-…)", "Kamerstuk …".
_FILLER_RE = re.compile(
    r"(?:\s|[()\[\],.:;'\"]|motie|gewijzigde|kamerstuk(?:ken)?|kst|t\.?v\.?v\.?|ii|nr)*",
    re.IGNORECASE,
)
_MAX_USER_INPUT = 200


@dataclass(frozen=True, slots=True)
class Citation:
    """One Kamerstuk citation found in a text, with its span in that text."""

    id: str
    dossier: str
    toevoeging: str | None
    number: int
    start: int
    end: int


def render_id(dossier: str, toevoeging: str | None, number: int) -> str:
    """Render the canonical id ``{dossier}[-{toevoeging}]-{volgnummer}``."""
    dossier = "".join(dossier.split())
    if toevoeging:
        toevoeging = toevoeging.strip()
        toevoeging = toevoeging.zfill(2) if toevoeging.isdigit() else toevoeging.upper()
        return f"{dossier}-{toevoeging}-{number}"
    return f"{dossier}-{number}"


def _make(dossier: str, toevoeging: str | None, number: str, start: int, end: int) -> Citation:
    dossier = "".join(dossier.split())
    canonical = render_id(dossier, toevoeging, int(number))
    toev = canonical.split("-")[1] if toevoeging else None
    return Citation(canonical, dossier, toev, int(number), start, end)


def find_citations(text: str) -> list[Citation]:
    """Return every Kamerstuk citation in ``text``, in order of appearance."""
    found: list[Citation] = []
    for m in _CITATION_RE.finditer(text):
        if m.group("kd") is not None:
            found.append(_make(m["kd"], m["kt"], m["kn"], m.start(), m.end()))
        elif m.group("d1") is not None:
            found.append(_make(m["d1"], m["t1"], m["n1"], m.start(), m.end()))
        else:
            dossier = "".join(m["d2"].split())
            if m["t2"] is None and dossier in _SUBDOSSIER_PARENTS:
                continue  # "21501-20" names a dossier, not a Kamerstuk
            found.append(_make(dossier, m["t2"], m["n2"], m.start(), m.end()))
    if "<dossiernr" in text:
        for m in _XML_CITATION_RE.finditer(text):
            found.append(_make(m["d"], m["t"], m["n"], m.start(), m.end()))
        found.sort(key=lambda c: c.start)
    return [c for c in found if MOTION_ID_RE.match(c.id)]


def normalize_motion_id(text: str) -> str | None:
    """Return the canonical id of the one citation ``text`` consists of, else ``None``."""
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if not stripped or len(stripped) > _MAX_USER_INPUT:
        return None
    citations = find_citations(stripped)
    if len(citations) != 1:
        return None
    only = citations[0]
    rest = stripped[: only.start] + " " + stripped[only.end :]
    if not _FILLER_RE.fullmatch(rest):
        logger.debug("not a single citation: %r", stripped)
        return None
    return only.id


def find_zaak_numbers(text: str) -> list[str]:
    """Return the Tweede Kamer zaak numbers (``2021Z19031``) in ``text``, in order."""
    return _ZAAK_RE.findall(text)


def find_document_numbers(text: str) -> list[str]:
    """Return the Tweede Kamer document numbers (``2020D43526``) in ``text``, in order."""
    return _DOCUMENT_RE.findall(text)
