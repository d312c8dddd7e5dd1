"""SRU 2.0 ``searchRetrieve`` over the replay's record pool: a CQL subset and the response envelope.

The envelope is the one of the recorded repository.overheid.nl responses (namespaces, element
order, ``numberOfRecords``, ``nextRecordPosition``, ``echoedSearchRetrieveRequest``); the records
are the recorded (or derived) ``<sru:record>`` elements that match the query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from replay.scenarios import MULTI, REPOSITORY, SRU_INDEXES, SruRecord

__all__ = ["parse_cql", "search_response"]

NAMESPACES = (
    'xmlns:overheidwetgeving="http://standaarden.overheid.nl/wetgeving/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:cd="http://standaarden.overheid.nl/cup/data" '
    'xmlns:sru="http://docs.oasis-open.org/ns/search-ws/sruResponse" '
    'xmlns:gzd="http://standaarden.overheid.nl/sru" '
    'xmlns:diag="http://docs.oasis-open.org/ns/search-ws/diagnostic" '
    'xmlns:facet="http://docs.oasis-open.org/ns/search-ws/facetedResults" '
    'xmlns:c="http://standaarden.overheid.nl/collectie/"'
)


def search_response(
    records: Iterable[SruRecord], options: Mapping[str, str], repository: str
) -> bytes:
    """The searchRetrieve response for ``options`` (``query``, ``startRecord``, …) as bytes.

    Absolute repository.overheid.nl URLs in the records point at ``repository`` instead.
    ``ValueError`` for a query outside the supported CQL subset.
    """
    cql = options.get("query", "")
    predicate = parse_cql(cql)
    start = max(1, int(options.get("startRecord", "1") or 1))
    size = max(0, min(1000, int(options.get("maximumRecords", "10") or 10)))
    hits = [r for r in records if predicate(r.fields)]
    sort = options.get("sortKeys", "") or _sort_by(cql)
    if sort:
        index, _, order = sort.partition("/")
        hits.sort(key=lambda r: r.fields.get(index, ""), reverse="descending" in order)
    page = hits[start - 1 : start - 1 + size]
    out = []
    for i, record in enumerate(page, start):
        xml = record.xml.replace(REPOSITORY, repository)
        xml = re.sub(
            r"<sru:recordPosition>\d+</sru:recordPosition>",
            f"<sru:recordPosition>{i}</sru:recordPosition>",
            xml,
        )
        out.append(xml)
    nxt = start + len(page)
    more = (
        f"    <sru:nextRecordPosition>{nxt}</sru:nextRecordPosition>\n" if nxt <= len(hits) else ""
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<sru:searchRetrieveResponse {NAMESPACES}>\n"
        "    <sru:version>2.0</sru:version>\n"
        f"    <sru:numberOfRecords>{len(hits)}</sru:numberOfRecords>\n"
        "    <sru:records>\n        " + "\n        ".join(out) + "\n    </sru:records>\n"
        f"{more}"
        "    <sru:echoedSearchRetrieveRequest>\n"
        f"        <sru:query>{_xml_escape(cql)}</sru:query>\n"
        f"        <sru:startRecord>{start}</sru:startRecord>\n"
        f"        <sru:maximumRecords>{size}</sru:maximumRecords>\n"
        "        <sru:recordXMLEscaping>xml</sru:recordXMLEscaping>\n"
        "        <sru:recordSchema>http://standaarden.overheid.nl/sru/</sru:recordSchema>\n"
        "    </sru:echoedSearchRetrieveRequest>\n"
        "    <sru:resultCountPrecision>info:srw/vocabulary/resultCountPrecision/1/estimate"
        "</sru:resultCountPrecision>\n</sru:searchRetrieveResponse>\n"
    )
    return body.encode("utf-8")


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sort_by(cql: str) -> str:
    match = re.search(r"\bsortBy\s+([\w.-]+)(?:/sort\.(ascending|descending))?", cql)
    return f"{match.group(1)}/{match.group(2) or 'ascending'}" if match else ""


# ---------------------------------------------------------------------------------------------
# CQL (the subset kamerwacht and the recorded queries use)

Predicate = Callable[[Mapping[str, str]], bool]

_CQL_TOKEN = re.compile(r'\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|(==|>=|<=|<>|=|>|<)|([^\s()=<>"]+))')


def parse_cql(text: str) -> Predicate:
    """A predicate over a record's index values for ``a==b and (c>=d or …)`` queries."""
    body = re.split(r"\bsortBy\b", text, maxsplit=1)[0]
    tokens: list[str] = []
    pos = 0
    body = body.strip()
    while pos < len(body):
        match = _CQL_TOKEN.match(body, pos)
        if not match or match.end() == pos:
            raise ValueError(f"CQL syntax error at {pos}: {body!r}")
        tokens.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    if not tokens:
        return lambda fields: True
    parser = _CqlParser(tokens)
    predicate = parser.or_expr()
    if parser.i != len(tokens):
        raise ValueError(f"CQL syntax error near {tokens[parser.i]!r}")
    return predicate


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda f: a(f) or b(f)


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda f: a(f) and b(f)


def _negated(a: Predicate) -> Predicate:
    return lambda f: not a(f)


_RELATIONS: dict[str, Callable[[str, str], bool]] = {
    "==": lambda a, b: a.lower() == b.lower(),
    "=": lambda a, b: b.lower() in a.lower(),
    "<>": lambda a, b: a.lower() != b.lower(),
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


class _CqlParser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise ValueError("unexpected end of CQL query")
        self.i += 1
        return tok

    def or_expr(self) -> Predicate:
        left = self.and_expr()
        while (self.peek() or "").lower() == "or":
            self.take()
            right = self.and_expr()
            left = _either(left, right)
        return left

    def and_expr(self) -> Predicate:
        left = self.clause()
        while (self.peek() or "").lower() in ("and", "not"):
            negate = self.take().lower() == "not"
            right = self.clause()
            left = _both(left, _negated(right) if negate else right)
        return left

    def clause(self) -> Predicate:
        if self.peek() == "(":
            self.take()
            inner = self.or_expr()
            if self.take() != ")":
                raise ValueError("unbalanced parentheses in CQL")
            return inner
        index = self.take().lower()
        op = self.take()
        value = self.take().strip('"')
        if index == "cql.textandindexes" or index == "cql.anywhere":
            return lambda f: any(value.lower() in v.lower() for v in f.values())
        if index not in SRU_INDEXES:
            raise ValueError(f"unsupported CQL index {index!r}")
        compare = _RELATIONS.get(op)
        if compare is None:
            raise ValueError(f"unsupported CQL relation {op!r}")
        # an index a record repeats (behandeldDossier) matches when one of its values does
        return lambda f: index in f and any(compare(v, value) for v in f[index].split(MULTI))
