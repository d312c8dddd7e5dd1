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

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, case, func, literal_column, or_, select, text

from state import schema
from state.models import MOTION_ID_RE

__all__ = [
    "Found",
    "find_motions",
    "fold",
    "fts5_query",
    "natural_key",
    "near_ids",
    "search_body",
    "terms",
    "tsquery",
]

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


# --------------------------------------------------------------------------- ranked search


@dataclass(frozen=True, slots=True)
class Found:
    """A ranked search: how many motions match, the first ids, and whether they match every word.

    ``complete`` is False when no motion has every word and ``ids`` are the motions with some of
    them, those with the rarest words first.
    """

    total: int
    ids: list[str]
    complete: bool


def _match(sqlite: bool, pair: tuple[str, str], name: str) -> Any:
    """The motions whose indexed text has one term (as a word prefix or by its stem)."""
    if sqlite:
        return literal_column("motions.rowid").in_(
            select(literal_column("rowid"))
            .select_from(text(schema.SEARCH_TABLE))
            .where(
                text(f"{schema.SEARCH_TABLE} MATCH :{name}").bindparams(
                    **{name: fts5_query([pair])}
                )
            )
        )
    return text(
        "to_tsvector('dutch'::regconfig, coalesce(motions.search_text, ''))"
        f" @@ to_tsquery('dutch'::regconfig, :{name})"
    ).bindparams(**{name: tsquery([pair])})


def find_motions(engine: Engine, words: Sequence[str], limit: int) -> Found:
    """Motions with every one of ``words`` (newest first), else those with some, rarest first.

    One search for the whole service: the database's full-text index (FTS5 on SQLite, the
    ``dutch`` ``tsvector`` on PostgreSQL) over ``motions.search_text``, matched as
    :func:`fts5_query` / :func:`tsquery` do (folded, Dutch stems, word prefixes). When no motion
    has every word, a motion's score is the sum of its words' rarity, ``log((N + 1) / n)``.
    """
    pairs = terms(" ".join(words))
    if not pairs:
        return Found(0, [], True)
    sqlite = engine.dialect.name == "sqlite"
    m = schema.motions
    order = (m.c.date.desc().nulls_last(), m.c.id)
    per_term = [_match(sqlite, pair, f"t{i}") for i, pair in enumerate(pairs)]

    def count(conn: Any, *where: Any) -> int:
        return int(conn.scalar(select(func.count()).select_from(m).where(*where)) or 0)

    with engine.connect() as conn:
        if sqlite:  # every word: in the FTS5 index alone (a join only for the page's ids)
            table = schema.SEARCH_TABLE
            expression = {"q": fts5_query(pairs), "n": limit}
            total = int(
                conn.scalar(
                    text(f"SELECT count(*) FROM {table} WHERE {table} MATCH :q"), expression
                )
                or 0
            )
            if total:
                ids = conn.scalars(
                    text(
                        f"SELECT m.id FROM {table} JOIN motions m ON m.rowid = {table}.rowid"
                        f" WHERE {table} MATCH :q ORDER BY m.date DESC, m.id LIMIT :n"
                    ),
                    expression,
                )
                return Found(total, list(ids), True)
        else:
            total = count(conn, *per_term)
            if total:
                ids = conn.scalars(select(m.c.id).where(*per_term).order_by(*order).limit(limit))
                return Found(total, list(ids), True)
        if len(per_term) == 1:
            return Found(0, [], True)
        everything = count(conn)
        weighted = []
        for clause in per_term:
            n = count(conn, clause)
            if n:
                weighted.append((clause, math.log((everything + 1) / n)))
        if not weighted:
            return Found(0, [], False)
        some = or_(*(clause for clause, _ in weighted))
        score: Any = sum(
            (case((clause, weight), else_=0.0) for clause, weight in weighted),
            start=literal_column("0.0"),
        )
        ids = conn.scalars(select(m.c.id).where(some).order_by(score.desc(), *order).limit(limit))
        return Found(count(conn, some), list(ids), False)


def near_ids(engine: Engine, motion_id: str) -> list[str]:
    """The stored ids a mistyped ``motion_id`` may have meant: those of its dossier (a typo in the
    number) and those with its number (a typo in the dossier, ``33570-V-42`` for ``35570-V-42``).

    Only these are compared for "did you mean", not every stored id: at 100,000 motions comparing
    all of them took a quarter of a second of CPU per unknown id.
    """
    dossier, _, number = motion_id.rpartition("-")
    if not dossier or not number:
        return []
    m = schema.motions
    same_dossier = m.c.id.like(f"{_like_escape(dossier)}-%", escape="\\")
    same_number = m.c.id.like(f"%-{_like_escape(number)}", escape="\\")
    with engine.connect() as conn:
        return list(conn.scalars(select(m.c.id).where(same_dossier | same_number)))


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
