"""Full-text search keys: diacritics folding, Dutch stemming, and the board's natural sort key.

Pure helpers; the repository stores :func:`search_body` in ``motions.search_text`` and queries it
with the database's own full-text search: an FTS5 table on SQLite, a ``tsvector`` GIN index with
the ``dutch`` configuration on PostgreSQL. Folding happens here (so PostgreSQL needs no
``unaccent`` extension, which an ordinary database owner may not be allowed to create), and
SQLite's FTS5 has no Dutch stemmer, so the body carries each word both as written (folded) and
as its Snowball Dutch stem — the algorithm PostgreSQL's ``dutch`` configuration uses. A query
word matches a word that starts with it or with its stem: ``oorlog`` finds ``oorlogsrecht``,
``moties`` finds ``motie``, ``Şahin`` finds ``Sahin``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from state.models import MOTION_ID_RE

__all__ = ["fold", "fts5_query", "natural_key", "search_body", "terms", "tsquery"]

_WORD = re.compile(r"\w+")
MAX_TERMS = 12  # words of one query that are used; the rest are ignored
_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import snowballstemmer  # type: ignore[import-untyped]

    return snowballstemmer.stemmer("dutch")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball Dutch stem of a folded word (cached: vocabularies repeat)."""
    if word.isdigit() or len(word) < 3:
        return word
    result: str = _stemmer().stemWord(word)  # type: ignore[attr-defined]
    return result


def fold(text: str) -> str:
    """Case-folded text without diacritics (``Ümit Çağlar`` → ``umit caglar``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return [w.replace("_", "") for w in _WORD.findall(fold(text)) if w.strip("_")]


def search_body(parts: Iterable[str | None]) -> str:
    """The indexed text of a motion: every word folded, plus the stem of each that has one."""
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        for word in _words(part):
            out.append(word)
            stemmed = stem(word)
            if stemmed != word:
                out.append(stemmed)
    return " ".join(out)


def terms(query: str) -> list[tuple[str, str]]:
    """The (word, stem) pairs of a search query, at most :data:`MAX_TERMS`, duplicates dropped."""
    seen: dict[str, str] = {}
    for word in _words(query):
        if word not in seen:
            seen[word] = stem(word)
    return list(seen.items())[:MAX_TERMS]


def fts5_query(pairs: Iterable[tuple[str, str]]) -> str:
    """An FTS5 MATCH expression: every term, as a prefix of the word or of its stem."""
    groups = []
    for word, stemmed in pairs:
        options = {word, stemmed}
        groups.append("(" + " OR ".join(f'"{w}"*' for w in sorted(options)) + ")")
    return " AND ".join(groups)


def tsquery(pairs: Iterable[tuple[str, str]]) -> str:
    """A PostgreSQL ``to_tsquery`` text: the same prefix terms as :func:`fts5_query`."""
    groups = []
    for word, stemmed in pairs:
        options = {word, stemmed}
        groups.append("(" + " | ".join(f"'{w}':*" for w in sorted(options)) + ")")
    return " & ".join(groups)


def natural_key(motion_id: str) -> str:
    """A text that sorts motion ids naturally: dossier number, toevoeging, volgnummer.

    The same order as :func:`bot.web.board.motion_sort_key`, as one indexable string.
    """
    match = MOTION_ID_RE.match(motion_id)
    if match is None:
        return "0" * 10 + motion_id
    toevoeging = (match["toevoeging"] or "").rjust(5, "0")
    return f"{int(match['dossier']):010d}{toevoeging}{int(match['nr']):06d}"
