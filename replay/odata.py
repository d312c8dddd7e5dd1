"""A small OData v4 evaluator over an in-memory entity graph, for the replay server.

It answers the subset of the Gegevensmagazijn's query language that kamerwacht and tkapi use:
``$filter`` (``eq ne gt ge lt le``, ``and or not``, ``contains startswith endswith tolower toupper
trim length year month day``, ``any``/``all`` lambdas over navigations, ``null``), ``$expand``
(nested, with ``;``-separated options), ``$select``, ``$orderby``, ``$top``/``$skip``, ``$count``,
server-driven paging at 250 rows with ``@odata.nextLink`` ``$skiptoken=Id-<guid>``, key access
``Zaak(<guid>)`` and navigation paths ``Zaak(<guid>)/Besluit``. Minimal JSON metadata by default,
``odata.metadata=full`` (navigation links, ``@odata.id``) on request, as tkapi asks for.

String comparison is case-insensitive, like the real service (a ``Relatie eq 'MedeIndiener'``
filter returns ``Medeindiener`` rows). Entity types and their navigations come from the recorded
``$metadata``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PAGE_SIZE",
    "Entity",
    "Graph",
    "ODataError",
    "Query",
    "Record",
    "Schema",
    "parse_expand",
    "parse_filter",
    "run_collection",
    "serialize_entity",
]

from replay.odata_filter import Node, fold, matches, parse_filter, typed
from replay.odata_graph import NAMESPACE, Entity, Graph, ODataError, Record, Schema

PAGE_SIZE = 250


# ---------------------------------------------------------------------------------------------
# query options


def _split(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses and quotes."""
    parts: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and ch == sep:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


@dataclass
class Query:
    """The options of one (possibly nested) collection request."""

    filter: Node | None = None
    select: list[str] | None = None
    expand: dict[str, Query] = field(default_factory=dict)
    orderby: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    top: int | None = None
    skip: int = 0
    count: bool = False
    skiptoken: str | None = None

    @classmethod
    def from_options(cls, options: dict[str, str]) -> Query:
        """Build from ``$name → value`` options."""
        query = cls()
        for raw_key, value in options.items():
            key = raw_key.strip().lower()
            if key == "$filter":
                query.filter = parse_filter(value) if value.strip() else None
            elif key == "$select":
                query.select = [s.strip() for s in value.split(",") if s.strip()]
            elif key == "$expand":
                query.expand = parse_expand(value)
            elif key == "$orderby":
                for part in _split(value, ","):
                    words = part.split()
                    descending = len(words) > 1 and words[1].lower() == "desc"
                    query.orderby.append((words[0], descending))
            elif key in ("$top", "$skip"):
                try:
                    number = int(value)
                except ValueError:
                    raise ODataError(f"Invalid value '{value}' for {raw_key}.") from None
                if key == "$top":
                    query.top = number
                else:
                    query.skip = number
            elif key == "$count":
                query.count = value.strip().lower() == "true"
            elif key == "$skiptoken":
                query.skiptoken = value
        return query


def parse_expand(text: str) -> dict[str, Query]:
    """``Nav1($filter=…;$expand=Nav2),Nav3`` → {nav: Query}."""
    out: dict[str, Query] = {}
    for item in _split(text, ","):
        name, _, rest = item.partition("(")
        options: dict[str, str] = {}
        if rest:
            if not rest.endswith(")"):
                raise ODataError(f"Unbalanced parentheses in $expand '{item}'.")
            for opt in _split(rest[:-1], ";"):
                key, _, value = opt.partition("=")
                options[key] = value
        out[name.strip()] = Query.from_options(options)
    return out


def _sort(items: list[Record], orderby: list[tuple[str, bool]], props: dict[str, str]) -> None:
    for prop, descending in reversed(orderby):
        if prop not in props:
            raise ODataError(f"Could not find a property named '{prop}'.")
        edm = props[prop]

        def key(r: Record, prop: str = prop, edm: str = edm) -> tuple[bool, Any]:
            value = typed(edm, r.get(prop))
            return (value is not None, fold(value) if value is not None else 0)

        items.sort(key=key, reverse=descending)


@dataclass
class Output:
    """How to write entities: the service root and the JSON metadata level."""

    root: str
    full: bool = False


def serialize_entity(
    graph: Graph, entity_set: str, record: Record, query: Query, out: Output
) -> Record:
    """One entity as JSON: selected properties, expansions, annotations for full metadata."""
    etype = graph.schema.entity(entity_set)
    key = record["Id"]
    body: Record = {}
    if out.full:
        body["@odata.type"] = f"#{NAMESPACE}.{entity_set}"
        body["@odata.id"] = f"{out.root}/{entity_set}({key})"
        body["@odata.editLink"] = f"{entity_set}({key})"
    names = query.select if query.select and "*" not in query.select else list(etype.properties)
    for name in names:
        if name not in etype.properties:
            if name in etype.navigations:
                continue
            raise ODataError(f"Could not find a property named '{name}' on type '{entity_set}'.")
        body[name] = record.get(name)
    if out.full and entity_set in ("Document", "DocumentPublicatie", "DocumentPublicatieMetadata"):
        body[f"#{NAMESPACE}.Resource"] = {
            "title": "Resource",
            "target": f"{out.root}/{entity_set}({key})/Resource",
        }
    for nav_name, nav in etype.navigations.items():
        if out.full:
            body[f"{nav_name}@odata.navigationLink"] = f"{out.root}/{entity_set}({key})/{nav_name}"
        sub = query.expand.get(nav_name)
        if sub is None:
            continue
        related = graph.related(entity_set, record, nav_name)
        if nav.collection:
            rows = [r for _, r in related if matches(graph, sub.filter, nav.target, r)]
            _sort(rows, sub.orderby, graph.schema.entity(nav.target).properties)
            rows = rows[sub.skip :]
            if sub.top is not None:
                rows = rows[: sub.top]
            body[nav_name] = [serialize_entity(graph, nav.target, r, sub, out) for r in rows]
        else:
            body[nav_name] = (
                serialize_entity(graph, nav.target, related[0][1], sub, out) if related else None
            )
    for name in query.expand:
        if name not in etype.navigations:
            raise ODataError(f"Could not find a property named '{name}' on type '{entity_set}'.")
    return body


def run_collection(
    graph: Graph,
    entity_set: str,
    records: Iterable[Record],
    query: Query,
    out: Output,
    *,
    context: str,
    next_link: Callable[[str], str],
) -> Record:
    """Filter, order, page and serialize a collection; returns the JSON response object."""
    props = graph.schema.entity(entity_set).properties
    items = [r for r in records if matches(graph, query.filter, entity_set, r)]
    _sort(items, query.orderby, props)
    total = len(items)
    items = items[query.skip :]
    more_after: str | None = None
    if query.top is not None:
        items = items[: query.top]
    else:
        if query.skiptoken:
            token = query.skiptoken.removeprefix("Id-").lower()
            ids = [str(r["Id"]).lower() for r in items]
            items = items[ids.index(token) + 1 :] if token in ids else []
        if len(items) > PAGE_SIZE:
            items = items[:PAGE_SIZE]
            more_after = str(items[-1]["Id"])
    response: Record = {"@odata.context": context}
    if query.count:
        response["@odata.count"] = total
    response["value"] = [serialize_entity(graph, entity_set, r, query, out) for r in items]
    if more_after:
        response["@odata.nextLink"] = next_link(f"Id-{more_after}")
    return response
