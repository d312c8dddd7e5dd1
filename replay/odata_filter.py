"""``$filter`` of the replay's OData evaluator: a parser into a small tuple AST and its evaluation
against a record of the entity graph (case-insensitive string comparison, like the real service;
``any``/``all`` lambdas over navigations)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from replay.odata_graph import Entity, Graph, ODataError, Record

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
            return typed(etype.properties[seg], record.get(seg))
        nav = etype.navigations.get(seg)
        if nav is None:
            raise ODataError(f"Could not find a property named '{seg}' on type '{entity_set}'.")
        related = ctx.graph.related(entity_set, record, seg)
        if nav.collection:
            node = ("many", nav.target, [r for _, r in related])
        else:
            node = related[0] if related else None
    return node


def typed(edm: str, value: Any) -> Any:
    """``value`` as the Python value of its EDM type (instants and dates parsed)."""
    if value is None:
        return None
    if edm == "Edm.DateTimeOffset" and isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if edm == "Edm.Guid" and isinstance(value, str):
        return value.lower()
    return value


def fold(value: Any) -> Any:
    """Case-insensitive form of a string (other values as they are)."""
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
    left, right = fold(left), fold(right)
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
