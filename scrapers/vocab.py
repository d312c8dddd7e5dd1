"""Dutch parliamentary vocabulary shared by the extractors: dates, names, parties, motion facts.

``scrapers.letters`` (letters), ``scrapers.motiondocs`` (motion texts), ``scrapers.handelingen``
(the verbatim record and vote pages) and ``scrapers.annexes`` (budget and annual-report tables)
all read the same pieces of language: "17 juni 2021" and "27-02-2008", member names such as
"Van der Graaf" or "Remco Dijkstra", party lists such as "de SP, GroenLinks en de PvdD".
``MotionFacts`` is what a vote section, a vote page or a table row says about one motion beyond
what ``state.models.CitedMotion`` holds: the House's decision, who voted for and against, which
motion it replaces.
"""

from __future__ import annotations

import bisect
import datetime
import re
from dataclasses import dataclass

from scrapers.citations import Citation
from state.models import ParliamentaryStatus

__all__ = [
    "DATE_PLAIN",
    "DATE_RE",
    "LID",
    "LID_RE",
    "MOTIE_WORD_RE",
    "NAME",
    "NAMES",
    "NAMES_RE",
    "MotionFacts",
    "date_of",
    "motion_phrase",
    "numeric_date",
    "parties",
    "split_names",
]

_MONTH_NAMES = [
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
]
MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
MONTH = "(?:" + "|".join(_MONTH_NAMES) + ")"
DATE = rf"(?P<day>\d{{1,2}})\s+(?P<month>{MONTH})\s+(?P<year>(?:19|20)\d{{2}})"
DATE_RE = re.compile(DATE, re.IGNORECASE)
DATE_PLAIN = rf"\d{{1,2}}\s+{MONTH}\s+(?:19|20)\d{{2}}"
# "27-02-2008", "19-6-2008", "2021-06-22"
_NUMERIC_DATE_RE = re.compile(
    r"(?<![\d-])(?:(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>(?:19|20)\d{2})"
    r"|(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2}))(?![\d-])"
)

# Names as documents write them: "Eppink", "Van der Graaf", "Inge van Dijk", "Rikkers-Oosterkamp".
PARTICLE = r"(?:[Vv]an|[Dd]e[nr]?|[Tt]e[rn]?|[Ii]n\s+['’]t|['’]t|[Vv]on|[Dd]u|[Ll]a|[Ll]e)"
CAPWORD = r"[A-ZÀ-ÖØ-Þ](?:[^\W\d_]|['’](?=[^\W\d_])|-(?=[^\W\d_]))*"
NAME = rf"(?:(?:[A-Z]\.){{1,4}}\s?)?(?:{PARTICLE}\s+)*{CAPWORD}(?:\s+(?:{PARTICLE}\s+)*{CAPWORD})*"
NAMES = rf"{NAME}(?:\s*(?:,|\ben\b|/|&)\s*{NAME})*"
NAMES_RE = re.compile(NAMES)
_NAME_SPLIT_RE = re.compile(r"\s*(?:,|\ben\b|/|&)\s*")
_BY_RE = re.compile(r"^van\s+(?=[A-ZÀ-Þ])")
LID = r"(?:van\s+){0,2}(?:het\s+lid|de\s+leden|lid|leden)\s+"
LID_RE = re.compile(LID, re.IGNORECASE)

# "de fracties van de SP, GroenLinks en de PvdD", "het lid Verdonk", "Lid Omtzigt"
_PARTY_SPLIT_RE = re.compile(r"\s*(?:,|\ben\b)\s*")
_PARTY_ARTICLE_RE = re.compile(r"^(?:de|het)\s+(?=\S)")
_PARTY_MEMBER_RE = re.compile(r"^(?:(?:de|het)\s+)?(?:leden|lid)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MotionFacts:
    """What a vote section, vote page or table row says about one motion.

    ``others`` is how "de overige fracties" voted ("for" / "against"), when the text names only
    one side. ``replaces`` is the motion a renumbered or amended motion takes the place of.
    ``evidence`` is the sentence the decision was read from.
    """

    motion_id: str
    decision: ParliamentaryStatus | None = None
    parties_for: tuple[str, ...] = ()
    parties_against: tuple[str, ...] = ()
    others: str | None = None
    replaces: str | None = None
    evidence: str | None = None


def date_of(match: re.Match[str] | None) -> datetime.date | None:
    """The date a ``DATE_RE``-style match (groups day, month, year) spells, or None."""
    if match is None:
        return None
    try:
        return datetime.date(int(match["year"]), MONTHS[match["month"].lower()], int(match["day"]))
    except (ValueError, KeyError):
        return None


def numeric_date(text: str) -> datetime.date | None:
    """The first "27-02-2008" / "2008-02-27" date in ``text``, or None."""
    for match in _NUMERIC_DATE_RE.finditer(text):
        try:
            if match["y"]:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            return datetime.date(int(match["iy"]), int(match["im"]), int(match["id"]))
        except ValueError:
            continue
    return None


def split_names(names: str) -> tuple[str, ...]:
    """Split "Segers en Van der Lee" / "Omtzigt/Van Helvert" into names."""
    out = (" ".join(p.split()) for p in _NAME_SPLIT_RE.split(names))
    # "Motie van Haverkamp" (annexes) / "motie van Van der Graaf": "van" there means "by"
    return tuple(_BY_RE.sub("", n) for n in out if n)


def parties(text: str) -> tuple[str, ...]:
    """Split a party list ("de SP, GroenLinks en de PvdD") into names without articles."""
    out: list[str] = []
    for part in _PARTY_SPLIT_RE.split(" ".join(text.split())):
        part = part.strip(" .;:")
        if not part:
            continue
        part = _PARTY_MEMBER_RE.sub("", part)
        part = _PARTY_ARTICLE_RE.sub("", part)
        if part and part[0].isalnum():
            out.append(part)
    return tuple(dict.fromkeys(out))


# "motie Omtzigt/Van Helvert (21501-02, nr. 2228)", "Motie 21 501-20, Nr. 1630",
# "de gewijzigde motie van het lid Omtzigt over … (21501-02-2234)", "de motie-Van Aalst/Remco
# Dijkstra over … (35300-A, nr. 15)": matched from "motie" up to the citation's start
# (``endpos``), so the phrase must end exactly where the citation begins.
_MOTION_PHRASE_RE = re.compile(
    rf"""
    [Mm]otie(?:[\s-]+|(?=\())
    (?:{LID})?
    (?:(?P<names>{NAMES})(?:\s+c\.\s?s\.)?)?
    (?:[\s,]*(?:van|d\.d\.)\s+(?P<date>{DATE_PLAIN}))?
    (?:[\s,]+over\s+(?P<title>(?:[^()\n]|\n(?![ \t]*\n))*?))?
    [\s,(]*(?:t\.v\.v\.\s*|(?:Kamerstuk(?:ken)?|kst)\s+)?
    \Z
    """,
    re.VERBOSE,
)
MOTIE_WORD_RE = re.compile(r"[Mm](?<!\w[Mm])otie\b")  # starts with a letter: fast scan
# "over het tweebestuurslagenprincipe, die uw Kamer heeft aangenomen op …, met kenmerk"
_TITLE_TAIL_RE = re.compile(
    r",\s+(?:die|dat|welke|met\s+kenmerk|aangenomen)\b.*$|\s+met\s+kenmerk$"
)


def motion_phrase(
    text: str, citation: Citation, motie_positions: list[int]
) -> tuple[tuple[str, ...], str | None, datetime.date | None] | None:
    """If a motion phrase ends right where ``citation`` starts, return its names, title, date.

    ``motie_positions`` are the offsets of ``MOTIE_WORD_RE`` matches in ``text``, sorted.
    """
    right = bisect.bisect_left(motie_positions, citation.start)
    for pos in reversed(motie_positions[max(0, right - 3) : right]):
        if citation.start - pos > 400:
            break
        match = _MOTION_PHRASE_RE.match(text, pos, citation.start)
        if match:
            names = split_names(match["names"]) if match["names"] else ()
            title = " ".join(match["title"].split()) if match["title"] else None
            if title:
                title = _TITLE_TAIL_RE.sub("", title).strip(" ,")
            return names, title or None, date_of(DATE_RE.search(match["date"] or ""))
    return None
