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

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "PAGE_SIZE",
    "Graph",
    "ODataError",
    "Query",
    "Schema",
    "parse_expand",
    "parse_filter",
    "run_collection",
    "serialize_entity",
]

PAGE_SIZE = 250
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
NAMESPACE = "TK.DA.GGM.OData"

Record = dict[str, Any]
Entity = tuple[str, Record]  # (entity set, record)


class ODataError(Exception):
    """A request the evaluator cannot answer; becomes an HTTP 400/404 OData error body."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class NavProperty:
    """A navigation property: its target entity set and whether it is a collection."""

    target: str
    collection: bool


@dataclass
class EntityType:
    """Properties (name → Edm type, in $metadata order) and navigations of one entity type."""

    name: str
    properties: dict[str, str] = field(default_factory=dict)
    navigations: dict[str, NavProperty] = field(default_factory=dict)


class Schema:
    """Entity types parsed from a CSDL ``$metadata`` document."""

    def __init__(self, metadata: bytes) -> None:
        root = ET.fromstring(metadata)
        self.types: dict[str, EntityType] = {}
        for node in root.iter(f"{EDM}EntityType"):
            entity = EntityType(node.get("Name", ""))
            for prop in node.findall(f"{EDM}Property"):
                entity.properties[prop.get("Name", "")] = prop.get("Type", "")
            for nav in node.findall(f"{EDM}NavigationProperty"):
                kind = nav.get("Type", "")
                collection = kind.startswith("Collection(")
                target = kind.removeprefix("Collection(").removesuffix(")").rsplit(".", 1)[-1]
                entity.navigations[nav.get("Name", "")] = NavProperty(target, collection)
            self.types[entity.name] = entity

    def entity(self, name: str) -> EntityType:
        """The entity type of entity set ``name`` (sets are named after their type here)."""
        try:
            return self.types[name]
        except KeyError:
            raise ODataError(f"Resource not found for the segment '{name}'.", 404) from None


class Graph:
    """Entity sets (records keyed by lower-case Id) and navigation links between them."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.sets: dict[str, dict[str, Record]] = {}
        self.links: dict[tuple[str, str, str], list[str]] = {}

    def add(self, entity_set: str, record: Record) -> Record:
        """Add (or replace) a record, its properties completed to the $metadata shape."""
        props = self.schema.entity(entity_set).properties
        shaped = {name: record.get(name) for name in props}
        key = str(shaped["Id"]).lower()
        self.sets.setdefault(entity_set, {})[key] = shaped
        return shaped

    def get(self, entity_set: str, key: str) -> Record | None:
        """The record with Id ``key`` (any case), or None."""
        return self.sets.get(entity_set, {}).get(key.lower())

    def link(self, a_set: str, a_id: str, a_nav: str, b_id: str, b_nav: str | None = None) -> None:
        """Link ``a.a_nav → b`` (and ``b.b_nav → a`` when given); ids of existing records."""
        target = self.schema.entity(a_set).navigations[a_nav].target
        self._add_link(a_set, a_id, a_nav, b_id)
        if b_nav:
            self._add_link(target, b_id, b_nav, a_id)

    def _add_link(self, entity_set: str, key: str, nav: str, other: str) -> None:
        ids = self.links.setdefault((entity_set, key.lower(), nav), [])
        if other.lower() not in ids:
            ids.append(other.lower())

    def related(self, entity_set: str, record: Record, nav: str) -> list[Entity]:
        """The records ``record.nav`` points to (existing ones, in link order)."""
        info = self.schema.entity(entity_set).navigations.get(nav)
        if info is None:
            raise ODataError(f"Could not find a property named '{nav}' on '{entity_set}'.")
        ids = self.links.get((entity_set, str(record["Id"]).lower(), nav), [])
        found = (self.get(info.target, i) for i in ids)
        return [(info.target, r) for r in found if r is not None]


# ---------------------------------------------------------------------------------------------
# $filter


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>'(?:[^']|'')*')
  | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)
  | (?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)
  | (?P<date>\d{4}-\d{2}-\d{2}\b)
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<name>[A-Za-z_$][A-Za-z0-9_.]*)
  | (?P<punct>[()/,:])
    )""",
    re.VERBOSE,
)
_COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS = {
    "contains",
    "startswith",
    "endswith",
    "tolower",
    "toupper",
    "trim",
    "length",
    "year",
    "month",
    "day",
    "date",
}

Node = tuple[Any, ...]


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ODataError(f"Syntax error at position {pos} in '{text}'.")
        pos = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "str":
            out.append(("lit", value[1:-1].replace("''", "'")))
        elif kind == "guid":
            out.append(("lit", value.lower()))
        elif kind == "dt":
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            out.append(("lit", parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)))
        elif kind == "date":
            out.append(("lit", date.fromisoformat(value)))
        elif kind == "num":
            out.append(("lit", float(value) if "." in value else int(value)))
        elif kind == "name":
            keyword = {"true": True, "false": False, "null": None}
            if value in keyword:
                out.append(("lit", keyword[value]))
            else:
                out.append(("name", value))
        else:
            out.append(("punct", value))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, offset: int = 0) -> tuple[str, Any] | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def take(self, kind: str | None = None, value: Any = None) -> tuple[str, Any]:
        tok = self.peek()
        if tok is None or (kind and tok[0] != kind) or (value is not None and tok[1] != value):
            raise ODataError(f"Syntax error in '{self.text}' near token {self.i}.")
        self.i += 1
        return tok

    def is_word(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "name" and tok[1] in words

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise ODataError(f"Syntax error in '{self.text}': unexpected {self.peek()}.")
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.is_word("or"):
            self.take()
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.unary()
        while self.is_word("and"):
            self.take()
            node = ("and", node, self.unary())
        return node

    def unary(self) -> Node:
        if self.is_word("not"):
            self.take()
            return ("not", self.unary())
        left = self.primary()
        if self.is_word(*_COMPARE):
            op = self.take()[1]
            return ("cmp", op, left, self.primary())
        return left

    def primary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise ODataError(f"Unexpected end of '{self.text}'.")
        if tok == ("punct", "("):
            self.take()
            node = self.or_expr()
            self.take("punct", ")")
            return node
        if tok[0] == "lit":
            self.take()
            return ("lit", tok[1])
        name = self.take("name")[1]
        if name in _COMPARE or name in ("and", "or", "not"):
            raise ODataError(f"Syntax error in '{self.text}': unexpected '{name}'.")
        if name in _FUNCTIONS and self.peek() == ("punct", "("):
            self.take()
            args = [self.or_expr()]
            while self.peek() == ("punct", ","):
                self.take()
                args.append(self.or_expr())
            self.take("punct", ")")
            return ("call", name, args)
        segments = [name]
        while self.peek() == ("punct", "/"):
            self.take()
            seg = self.take("name")[1]
            if seg in ("any", "all") and self.peek() == ("punct", "("):
                self.take()
                if self.peek() == ("punct", ")"):
                    self.take()
                    return (seg, segments, None, None)
                var = self.take("name")[1]
                self.take("punct", ":")
                body = self.or_expr()
                self.take("punct", ")")
                return (seg, segments, var, body)
            segments.append(seg)
        return ("path", segments)


def parse_filter(text: str) -> Node:
    """Parse a ``$filter`` expression into a small tuple AST."""
    return _Parser(text).parse()


@dataclass
class _Ctx:
    graph: Graph
    env: dict[str, Entity]


def _walk(ctx: _Ctx, segments: list[str], current: Entity) -> Any:
    """Resolve a member path: a value, an entity, None, or ('many', set, [records])."""
    first = segments[0]
    node: Any = current
    rest = segments
    if first in ctx.env:
        node = ctx.env[first]
        rest = segments[1:]
    elif first == "$it":
        rest = segments[1:]
    for i, seg in enumerate(rest):
        if node is None:
            return None
        if not isinstance(node, tuple) or node[0] == "many":
            raise ODataError(f"Cannot navigate '{seg}' from a collection or a value.")
        entity_set, record = node
        etype = ctx.graph.schema.entity(entity_set)
        if seg in etype.properties:
            if i != len(rest) - 1:
                raise ODataError(f"'{seg}' is a property, not a navigation.")
            return _typed(etype.properties[seg], record.get(seg))
        nav = etype.navigations.get(seg)
        if nav is None:
            raise ODataError(f"Could not find a property named '{seg}' on type '{entity_set}'.")
        related = ctx.graph.related(entity_set, record, seg)
        if nav.collection:
            node = ("many", nav.target, [r for _, r in related])
        else:
            node = related[0] if related else None
    return node


def _typed(edm: str, value: Any) -> Any:
    if value is None:
        return None
    if edm == "Edm.DateTimeOffset" and isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if edm == "Edm.Guid" and isinstance(value, str):
        return value.lower()
    return value


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, tuple) or isinstance(right, tuple):  # an entity against null
        present = left if isinstance(left, tuple) else right
        other = right if present is left else left
        if other is not None or op not in ("eq", "ne"):
            raise ODataError("Entities can only be compared with null.")
        return op == "ne"
    if isinstance(left, datetime) and isinstance(right, date) and not isinstance(right, datetime):
        left = left.date()
    if isinstance(right, datetime) and isinstance(left, date) and not isinstance(left, datetime):
        right = right.date()
    left, right = _fold(left), _fold(right)
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        return bool(
            {
                "gt": left > right,
                "ge": left >= right,
                "lt": left < right,
                "le": left <= right,
            }[op]
        )
    except TypeError as exc:
        raise ODataError(f"Cannot compare {left!r} and {right!r}.") from exc


def _call(name: str, args: list[Any]) -> Any:
    if name in ("contains", "startswith", "endswith"):
        hay, needle = args
        if hay is None or needle is None:
            return False
        hay, needle = str(hay).casefold(), str(needle).casefold()
        if name == "contains":
            return needle in hay
        return hay.startswith(needle) if name == "startswith" else hay.endswith(needle)
    (arg,) = args
    if arg is None:
        return None
    simple: dict[str, Callable[[Any], Any]] = {
        "tolower": lambda v: str(v).lower(),
        "toupper": lambda v: str(v).upper(),
        "trim": lambda v: str(v).strip(),
        "length": lambda v: len(str(v)),
        "year": lambda v: v.year,
        "month": lambda v: v.month,
        "day": lambda v: v.day,
        "date": lambda v: v.date() if isinstance(v, datetime) else v,
    }
    return simple[name](arg)


def _eval(ctx: _Ctx, node: Node, current: Entity) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "path":
        value = _walk(ctx, node[1], current)
        if isinstance(value, tuple) and value and value[0] == "many":
            raise ODataError("A collection needs any() or all().")
        return value
    if kind == "and":
        return bool(_eval(ctx, node[1], current)) and bool(_eval(ctx, node[2], current))
    if kind == "or":
        return bool(_eval(ctx, node[1], current)) or bool(_eval(ctx, node[2], current))
    if kind == "not":
        return not _eval(ctx, node[1], current)
    if kind == "cmp":
        return _compare(node[1], _eval(ctx, node[2], current), _eval(ctx, node[3], current))
    if kind == "call":
        return _call(node[1], [_eval(ctx, a, current) for a in node[2]])
    if kind in ("any", "all"):
        _, segments, var, body = node
        many = _walk(ctx, segments, current)
        if many is None:
            return kind == "all"
        if not (isinstance(many, tuple) and many[0] == "many"):
            raise ODataError(f"{kind}() needs a collection navigation.")
        _, target, records = many
        if var is None:
            return bool(records) if kind == "any" else True
        results = (
            bool(_eval(_Ctx(ctx.graph, {**ctx.env, var: (target, r)}), body, (target, r)))
            for r in records
        )
        return any(results) if kind == "any" else all(results)
    raise ODataError(f"Unsupported expression {kind}.")


def matches(graph: Graph, node: Node | None, entity_set: str, record: Record) -> bool:
    """Whether ``record`` satisfies the parsed filter ``node`` (None = no filter)."""
    if node is None:
        return True
    return bool(_eval(_Ctx(graph, {}), node, (entity_set, record)))


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
            value = _typed(edm, r.get(prop))
            return (value is not None, _fold(value) if value is not None else 0)

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
