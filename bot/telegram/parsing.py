"""Pure parsing of what people type: motion references, follow targets, deep links, options.

Nothing here touches the store. A *motion reference* is what ``/status`` accepts (a canonical id
or any citation spelling, a Zaak number, or search words); a *target* is what ``/volg`` accepts
(a motion, a dossier, a keyword or everything).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from scrapers.citations import find_citations, find_zaak_numbers, normalize_motion_id
from state.models import MOTION_ID_RE, ZAAK_NUMMER_RE, Frequency, SubscriptionKind

__all__ = [
    "DEEP_LINK_PREFIX",
    "LANGUAGES",
    "MAX_DEEP_LINK",
    "MAX_KEYWORD",
    "MIN_KEYWORD",
    "MotionRef",
    "RefKind",
    "Target",
    "deep_link_payload",
    "parse_deep_link",
    "parse_frequency",
    "parse_language",
    "parse_motion_ref",
    "parse_motion_refs",
    "parse_target",
    "search_words",
]

LANGUAGES = ("nl", "en")
DEEP_LINK_PREFIX = "volg_"
MAX_DEEP_LINK = 64  # Telegram's limit on a /start payload
MIN_KEYWORD = 3
MAX_KEYWORD = 100

_ALL_WORDS = frozenset({"alles", "all", "everything", "allemaal", "*"})
_DOSSIER_WORDS = ("dossier", "kamerstuk", "kamerstukken")
_KEYWORD_WORDS = ("trefwoord", "keyword", "woord", "word")
# 21501-02, 21 501-02, 35570-V, 35570 V, 21501, 36600-IXB
_DOSSIER_RE = re.compile(
    r"^(?P<d>\d{2}\s?\d{3,4})(?:\s*[-\u2010-\u2013]?\s*(?P<t>\d{1,2}|[A-Za-z]{1,5}))?$"
)
_SUBDOSSIER_PARENTS = frozenset({"21501"})  # dossiers whose Kamerstukken carry a toevoeging
_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

_FREQUENCIES = {
    "direct": Frequency.INSTANT,
    "meteen": Frequency.INSTANT,
    "instant": Frequency.INSTANT,
    "immediately": Frequency.INSTANT,
    "dagelijks": Frequency.DAILY,
    "daily": Frequency.DAILY,
    "dag": Frequency.DAILY,
    "wekelijks": Frequency.WEEKLY,
    "weekly": Frequency.WEEKLY,
    "week": Frequency.WEEKLY,
}
_LANGUAGES = {
    "nl": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "en": "en",
    "engels": "en",
    "english": "en",
}


class RefKind(StrEnum):
    """How a ``/status`` argument names a motion."""

    ID = "id"  # a canonical motion id (from any citation spelling)
    ZAAK = "zaak"  # a Tweede Kamer Zaak number, e.g. 2020Z21194
    WORDS = "words"  # search words


@dataclass(frozen=True, slots=True)
class MotionRef:
    """A parsed ``/status`` argument."""

    kind: RefKind
    value: str


@dataclass(frozen=True, slots=True)
class Target:
    """Something a chat can follow: ``(kind, value)`` as the repository stores it."""

    kind: SubscriptionKind
    value: str = ""


def _clean(text: str) -> str:
    return " ".join(text.split())


def parse_motion_ref(text: str) -> MotionRef | None:
    """What a ``/status`` argument means; None for empty input."""
    text = _clean(text)
    if not text:
        return None
    refs = parse_motion_refs(text)
    if len(refs) == 1:
        return refs[0]
    motion_id = normalize_motion_id(text)
    if motion_id:
        return MotionRef(RefKind.ID, motion_id)
    zaken = find_zaak_numbers(text)
    if len(zaken) == 1 and zaken[0] == text.strip("() ").upper():
        return MotionRef(RefKind.ZAAK, zaken[0])
    return MotionRef(RefKind.WORDS, text[:MAX_KEYWORD])


# "Kamerstukken II 2020/21," before a citation; "Handelingen" style years.
_CITATION_HEAD_RE = re.compile(
    r"\b(?:kamerstuk(?:ken)?|kst)\s*(?:i{1,2}\b)?\s*(?:\d{4}\s*[/\u2010-\u2013-]\s*\d{2,4})?\s*,?",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
# What may stand between several ids typed in one message.
_BETWEEN_RE = re.compile(
    r"(?:\s|[()\[\],.:;'\"+&/]|en|and|of|or|motie|moties|gewijzigde|kamerstuk(?:ken)?|kst|"
    r"t\.?v\.?v\.?|ii|nr|zaak|id)*",
    re.IGNORECASE,
)
MAX_REFS = 5  # ids answered from one message


def parse_motion_refs(text: str) -> list[MotionRef]:
    """Every motion id or Zaak number a message names, in order; [] when it is not only ids.

    Accepts the standard citation (``Kamerstukken II 2020/21, 21501-02, nr. 2228``), pasted
    links (an officielebekendmakingen ``kst-…`` page, a tweedekamer.nl ``?id=2020Z21194`` URL)
    and several ids in one message (``21501-02-2228 21501-02-2234``).
    """
    text = _clean(text)
    if not text:
        return []
    urls = _URL_RE.findall(text)
    spans: list[tuple[int, int, MotionRef]] = []
    rest = _URL_RE.sub(" ", text)
    for url in urls:
        for c in find_citations(url):
            spans.append((-1, -1, MotionRef(RefKind.ID, c.id)))
        for z in find_zaak_numbers(url.replace("=", " ").replace("&", " ")):
            spans.append((-1, -1, MotionRef(RefKind.ZAAK, z.upper())))
    if urls and not spans:
        return []
    rest = _CITATION_HEAD_RE.sub(" ", rest)
    for c in find_citations(rest):
        spans.append((c.start, c.end, MotionRef(RefKind.ID, c.id)))
    for m in re.finditer(r"(?<![\w-])(?:19|20)\d{2}[Zz]\d{5}(?!\w)", rest):
        spans.append((m.start(), m.end(), MotionRef(RefKind.ZAAK, m.group().upper())))
    if not spans:
        return []
    leftover = rest
    for start, end, _ in sorted(spans, key=lambda x: -x[0]):
        if start >= 0:
            leftover = leftover[:start] + " " + leftover[end:]
    if not _BETWEEN_RE.fullmatch(leftover):
        return []
    ordered = sorted(spans, key=lambda x: x[0])
    refs: list[MotionRef] = []
    for _, _, ref in ordered:
        if ref not in refs:
            refs.append(ref)
    return refs[:MAX_REFS]


# Words that carry no search meaning: articles, question words, auxiliaries (nl + en).
_STOPWORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "of",
        "van",
        "over",
        "voor",
        "met",
        "in",
        "op",
        "aan",
        "bij",
        "uit",
        "tot",
        "om",
        "te",
        "door",
        "naar",
        "als",
        "dat",
        "die",
        "dit",
        "deze",
        "wat",
        "wie",
        "waar",
        "wanneer",
        "hoe",
        "welke",
        "waarom",
        "is",
        "zijn",
        "was",
        "waren",
        "wordt",
        "worden",
        "werd",
        "heeft",
        "hebben",
        "had",
        "kan",
        "kun",
        "kunt",
        "kunnen",
        "zal",
        "zou",
        "moet",
        "mag",
        "ik",
        "je",
        "jij",
        "u",
        "we",
        "wij",
        "ze",
        "zij",
        "hij",
        "er",
        "ook",
        "nog",
        "al",
        "niet",
        "geen",
        "wel",
        "mij",
        "me",
        "mijn",
        "iets",
        "gebeurd",
        "gebeurde",
        "gedaan",
        "stand",
        "status",
        "zoek",
        "zoeken",
        "vind",
        "vinden",
        "graag",
        "alsjeblieft",
        "aub",
        "ken",
        "weet",
        "weten",
        "vertel",
        "laat",
        "zien",
        "toon",
        "motie",
        "gewijzigde",
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "about",
        "for",
        "with",
        "in",
        "on",
        "at",
        "by",
        "to",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "what",
        "who",
        "where",
        "when",
        "how",
        "which",
        "why",
        "can",
        "could",
        "will",
        "would",
        "should",
        "do",
        "does",
        "did",
        "i",
        "you",
        "me",
        "my",
        "any",
        "show",
        "find",
        "tell",
        "please",
        "search",
        "happened",
        "motion",
    ]
)
_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def _fold(word: str) -> str:
    """Lower case without diacritics (``één`` → ``een``)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _plain_word(word: str) -> str:
    """A folded word without its possessive ending or apostrophes (``Omtzigt's`` → ``omtzigt``)."""
    word = word.replace("’", "'")
    if word.endswith("'s"):  # Omtzigt's, auto's
        word = word[:-2]
    return word.replace("'", "")  # d'Hondt → dhondt


def search_words(text: str) -> list[str]:
    """The words a search looks for: folded, without stop words (unless only those), once each.

    Stems, prefixes and ranking are the database's full-text search's
    (:func:`state.search.find_motions`); emoji and punctuation are dropped.
    """
    folded = text.casefold() if text.isascii() else _fold(text)
    words = [w for w in (_plain_word(t) for t in _TOKEN_RE.findall(folded)) if w]
    meaningful = [w for w in words if w not in _STOPWORDS and len(w) > 1]
    return list(dict.fromkeys(meaningful or words))


def _dossier(text: str, *, explicit: bool) -> str | None:
    """The canonical dossier named by ``text`` (``21 501-2`` → ``21501-02``), or None.

    Without ``explicit`` (the word "dossier" before it) a number-only toevoeging counts only
    when it has a leading zero or the dossier always has one (``21501-20``): ``35373-23`` is
    Kamerstuk 23 of dossier 35373, not a dossier.
    """
    m = _DOSSIER_RE.match(text)
    if not m:
        return None
    dossier = m["d"].replace(" ", "")
    if not 4 <= len(dossier) <= 6:
        return None
    toevoeging = m["t"]
    if toevoeging is None:
        return dossier
    if toevoeging.isdigit():
        if not (explicit or toevoeging.startswith("0") or dossier in _SUBDOSSIER_PARENTS):
            return None
        return f"{dossier}-{toevoeging.zfill(2)}"
    return f"{dossier}-{toevoeging.upper()}"


def parse_target(text: str) -> Target | None:
    """What a ``/volg`` or ``/ontvolg`` argument means; None when it cannot be followed.

    Order: ``alles``; ``dossier …`` / ``trefwoord …`` prefixes; a motion (any citation
    spelling, or a Zaak number given as ``MOTION`` of its id by the caller); a dossier; a keyword
    of at least three characters.
    """
    text = _clean(text)
    if not text:
        return None
    lowered = text.casefold()
    if lowered in _ALL_WORDS:
        return Target(SubscriptionKind.ALL)
    head, _, rest = text.partition(" ")
    if head.casefold() in _DOSSIER_WORDS and rest:
        dossier = _dossier(rest, explicit=True)
        if dossier:
            return Target(SubscriptionKind.DOSSIER, dossier)
        motion_id = normalize_motion_id(rest)
        return Target(SubscriptionKind.MOTION, motion_id) if motion_id else None
    if head.casefold() in _KEYWORD_WORDS and rest:
        return _keyword(rest)
    motion_id = normalize_motion_id(text)
    if motion_id:
        return Target(SubscriptionKind.MOTION, motion_id)
    dossier = _dossier(text, explicit=False)
    if dossier:
        return Target(SubscriptionKind.DOSSIER, dossier)
    return _keyword(text)


def _keyword(text: str) -> Target | None:
    word = text.strip("\"'“”‘’ ")
    if len(word) < MIN_KEYWORD or len(word) > MAX_KEYWORD:
        return None
    return Target(SubscriptionKind.KEYWORD, word.casefold())


def deep_link_payload(target: Target) -> str | None:
    """The ``/start`` payload that follows ``target`` (``volg_21501-02-2228``), if it fits."""
    if target.kind is SubscriptionKind.ALL:
        payload = DEEP_LINK_PREFIX + "alles"
    elif target.kind in (SubscriptionKind.MOTION, SubscriptionKind.DOSSIER):
        payload = DEEP_LINK_PREFIX + target.value
    else:
        return None
    return payload if _PAYLOAD_RE.match(payload) else None


def parse_deep_link(payload: str) -> Target | None:
    """The target of a ``/start`` payload (``volg_21501-02-2228``, ``volg_alles``), or None."""
    if not _PAYLOAD_RE.match(payload) or not payload.startswith(DEEP_LINK_PREFIX):
        return None
    value = payload[len(DEEP_LINK_PREFIX) :]
    if value.casefold() in _ALL_WORDS:
        return Target(SubscriptionKind.ALL)
    if (MOTION_ID_RE.match(value) and normalize_motion_id(value) == value) or ZAAK_NUMMER_RE.match(
        value
    ):
        return Target(SubscriptionKind.MOTION, value)
    dossier = _dossier(value, explicit=True)
    return Target(SubscriptionKind.DOSSIER, dossier) if dossier else None


def parse_frequency(text: str) -> Frequency | None:
    """``direct`` / ``dagelijks`` / ``wekelijks`` (or English) → a Frequency."""
    return _FREQUENCIES.get(_clean(text).casefold())


def parse_language(text: str) -> str | None:
    """``nl`` / ``en`` (or their names) → a language code."""
    return _LANGUAGES.get(_clean(text).casefold())
