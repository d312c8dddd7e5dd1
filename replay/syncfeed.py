"""A CONSTRUCTED Tweede Kamer SyncFeed 2.0 built from the replay's entity graph.

No recorded SyncFeed Atom page exists (see
``shared/fixtures/upstream/tweedekamer-syncfeed/SYNCFEED_SHAPE.md``). Everything served here is
CONSTRUCTED from the replay's OData records (``replay.scenarios.snapshot(name, step).graph``:
same ids, same values) in the shape established by this evidence:

* the official tkData v1-0 XSDs (OpenDataPortaal ``xsd/``, in the shared fixtures'
  ``upstream/tweedekamer-syncfeed/xsd-official/``): root element name, camelCase child elements
  in the schema's sequence order (relations first, as ``<zaak ref="guid"/>``),
  ``xsi:nil="true"`` for a null nillable value, elements the schema lacks left out;
  attributes ``id``, ``tk:bijgewerkt``, ``tk:verwijderd`` (and ``tk:contentType``,
  ``tk:contentLength`` on a document, as tkconv.cc reads them);
* the real 2026 entity quoted in OpenDataPortaal issue #193: default namespace plus ``tk:`` bound to
  the same URI, ``tk:bijgewerkt`` without a zone and with 7 fraction digits (Amsterdam local time);
* SYNCFEED_SHAPE.md and berthubert/tkconv (``tkgetxml.cc``, ``tkconv.cc``): 250 entries a page,
  a feed-level ``rel="next"`` link ``Feed?skiptoken=M&category=C``, each entry's own
  ``rel="next"`` link with its skiptoken, ``<title>`` = GUID, ``<id>`` = ``…/Entiteiten/<guid>``,
  ``<category term="zaak"/>``, ``tk:bijgewerkt`` also as ``…Z``, some categories with the ``ns1:``
  prefix (here: Kamerstukdossier) so that clients must parse by namespace URI; a deleted entity is
  the root with ``tk:verwijderd="true"`` and no children; a caught-up page has no entries and a
  feed-level ``rel="resume"`` link (seen by a 2026 client).

What is invented (and says so): the skiptoken values (one global increasing sequence over all
categories, starting near 21,000,000 with gaps, like the real ``20127222`` in tkgetxml.cc), the
feed-level title/id, which entities get the ``Z`` form of ``tk:bijgewerkt`` (by id), the
``tk:bijgewerkt`` of records without any timestamp (DERIVED Kamerstukdossiers: the newest stamp of
their linked Zaken/Documents) and of an entity that vanished from the graph (``REPLAY_NOW``).

Events: step 0 of a scenario = every entity of the snapshot in ``ApiGewijzigdOp`` order (records
without one first); each later step appends an entry for every entity that is new, changed (any
field or relation differs) or removed / ``Verwijderd`` (a deleted entry) compared with the previous
step. Everything is built lazily and cached per (scenario, step).
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from replay.odata import Graph
from replay.scenarios import REPLAY_NOW, scenario, snapshot
from replay.syncfeed_categories import CATEGORIES, Category

__all__ = [
    "CATEGORIES",
    "FIRST_SKIPTOKEN",
    "NS",
    "PAGE_SIZE",
    "Event",
    "Feed",
    "SyncFeedError",
    "entity_xml",
    "feed",
]

NS = "http://www.tweedekamer.nl/xsd/tkData/v1-0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ATOM = "http://www.w3.org/2005/Atom"
PAGE_SIZE = 250
FIRST_SKIPTOKEN = 21_043_211
BASE = "\x00BASE\x00"  # replaced by "<server>/SyncFeed/2.0" when a page is rendered
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NO_STAMP = "2000-01-01T00:00:00Z"


class SyncFeedError(Exception):
    """A request the SyncFeed answers with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------------------------------------
# entity XML per the tkData v1-0 XSDs

_BY_LOWER = {name.lower(): name for name in CATEGORIES}


_STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?")


def _split(text: str) -> tuple[str, str, str]:
    """(seconds part, fraction digits, zone) of an OData Edm.DateTimeOffset; no zone = UTC."""
    match = _STAMP.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a timestamp: {text!r}")
    head, frac, zone = match.groups()
    return head, frac or "", "+00:00" if zone in (None, "Z") else zone


def _parse_instant(text: str) -> datetime:
    """An OData Edm.DateTimeOffset (any precision, ``Z`` or offset) as an aware datetime."""
    head, frac, zone = _split(text)
    return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}{zone}")


def _fraction7(text: str) -> str:
    """The 7-digit fraction of an OData timestamp's text (no rounding, zero-padded)."""
    return (_split(text)[1] + "0000000")[:7]


def _bijgewerkt(stamp: str, key: str) -> str:
    """``tk:bijgewerkt``: mostly local time, 7 digits, no zone; for about a third (by id) ``…Z``."""
    instant = _parse_instant(stamp)
    if zlib.crc32(key.encode()) % 3 == 0:
        return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    local = instant.astimezone(AMSTERDAM)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + _fraction7(stamp)


def _updated(stamp: str) -> str:
    """Atom ``<updated>``: UTC with 7 fraction digits."""
    instant = _parse_instant(stamp).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + _fraction7(stamp) + "Z"


def _text(kind: str, value: Any) -> str | None:
    """The XML text of one value, or None when it is to be treated as absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if kind == "token" and not text.strip():
        return None  # xs:token minLength 1: an empty value can only be nil / absent
    return text


def _links(graph: Graph, category: str, key: str, nav: str) -> list[str]:
    return graph.links.get((category, key, nav), [])


def _render(
    graph: Graph, cat: Category, record: dict[str, Any], stamp: str, deleted: bool = False
) -> str:
    """The entity XML of ``record`` (a deleted one: the root only)."""
    key = str(record["Id"]).lower()
    p = "ns1:" if cat.ns1 else ""
    a = "ns1:" if cat.ns1 else "tk:"
    if cat.ns1:
        open_ = f'<ns1:{cat.element} xmlns:ns1="{NS}" xmlns:xsi="{XSI}"'
    else:
        open_ = f'<{cat.element} xmlns:tk="{NS}" xmlns:xsi="{XSI}" xmlns="{NS}"'
    attrs = (
        f' id="{key}" {a}bijgewerkt="{_bijgewerkt(stamp, key)}"'
        f' {a}verwijderd="{"true" if deleted else "false"}"'
    )
    if deleted:
        return f"{open_}{attrs} />"
    if cat.download and record.get("ContentType"):
        attrs += f" {a}contentType={quoteattr(str(record['ContentType']))}"
        if record.get("ContentLength") is not None:
            attrs += f' {a}contentLength="{int(record["ContentLength"])}"'
    parts = [open_, attrs, ">"]
    for element, kind, source, nillable in cat.fields:
        if kind in ("ref", "refs"):
            if kind == "ref" and record.get(source):
                refs = [str(record[source]).lower()]
            else:
                nav = source.removesuffix("_Id")
                refs = _links(graph, cat.name, key, nav)
                refs = refs[:1] if kind == "ref" else refs
            parts.extend(f'<{p}{element} ref="{ref}" />' for ref in refs)
            continue
        text = _text(kind, record.get(source))
        if text is None:
            if nillable:
                parts.append(f'<{p}{element} xsi:nil="true" />')
            continue
        parts.append(f"<{p}{element}>{escape(text)}</{p}{element}>")
    parts.append(f"</{p}{cat.element}>")
    return "".join(parts)


def _stamp(graph: Graph, cat: Category, record: dict[str, Any]) -> tuple[str, str]:
    """(``bijgewerkt`` source, ordering/``updated`` source) of a record: GewijzigdOp and
    ApiGewijzigdOp, each falling back to the other; a record with neither (the DERIVED
    Kamerstukdossiers) takes the newest stamp of its linked Zaken and Documents."""
    changed = record.get("GewijzigdOp") or record.get("ApiGewijzigdOp")
    api = record.get("ApiGewijzigdOp") or record.get("GewijzigdOp")
    if changed and api:
        return str(changed), str(api)
    stamps = [
        str(r.get("ApiGewijzigdOp"))
        for nav in ("Zaak", "Document")
        for _, r in graph.related(cat.name, record, nav)
        if r.get("ApiGewijzigdOp")
    ]
    if stamps:
        newest = max(stamps, key=_parse_instant)
        return newest, newest
    return NO_STAMP, NO_STAMP


# ---------------------------------------------------------------------------------------------
# events


@dataclass(frozen=True, slots=True)
class Event:
    """One feed entry: an entity's state at one skiptoken."""

    token: int
    category: str
    id: str  # lower-case GUID
    updated: str  # Atom <updated>
    xml: str  # the entity XML
    deleted: bool
    enclosure: bool = False  # a file is served at ``Resources/<id>``


@dataclass(frozen=True, slots=True)
class _State:
    record: dict[str, Any]
    xml: str
    stamp: str  # ordering stamp (ApiGewijzigdOp)
    deleted: bool
    enclosure: bool = False


@cache
def _states(name: str, step: int) -> dict[tuple[str, str], _State]:
    snap = snapshot(name, step)
    graph = snap.graph
    out: dict[tuple[str, str], _State] = {}
    for cat in CATEGORIES.values():
        for key, record in graph.sets.get(cat.name, {}).items():
            changed, api = _stamp(graph, cat, record)
            deleted = bool(record.get("Verwijderd"))
            xml = _render(graph, cat, record, changed, deleted)
            enclosure = not deleted and (cat.name, key) in snap.resources
            out[(cat.name, key)] = _State(dict(record), xml, api, deleted, enclosure)
    return out


def _order(item: tuple[tuple[str, str], _State]) -> tuple[datetime, str, str]:
    (category, key), state = item
    return _parse_instant(state.stamp), category, key


def _next_token(previous: int, category: str, key: str, step: int) -> int:
    """The next skiptoken: increasing, with gaps (other categories' entries in a real feed)."""
    return previous + 1 + zlib.crc32(f"{category}/{key}/{step}".encode()) % 23


@cache
def _events(name: str, step: int) -> tuple[Event, ...]:
    current = _states(name, step)
    if step == 0:
        changes = sorted(current.items(), key=_order)
        events: list[Event] = []
        token = FIRST_SKIPTOKEN
    else:
        before = _states(name, step - 1)
        events = list(_events(name, step - 1))
        token = events[-1].token if events else FIRST_SKIPTOKEN
        changes = sorted(
            (
                (k, s)
                for k, s in current.items()
                if k not in before or before[k].record != s.record or before[k].xml != s.xml
            ),
            key=_order,
        )
        graph = snapshot(name, step).graph
        for category, key in sorted(set(before) - set(current)):
            if before[(category, key)].deleted:
                continue
            cat = CATEGORIES[category]
            gone = {**before[(category, key)].record, "Verwijderd": True}
            xml = _render(graph, cat, gone, REPLAY_NOW, deleted=True)
            changes.append(((category, key), _State(gone, xml, REPLAY_NOW, True)))
    for i, ((category, key), state) in enumerate(changes):
        token = _next_token(token, category, key, step) if events or i else token
        updated = _updated(state.stamp)
        events.append(
            Event(token, category, key, updated, state.xml, state.deleted, state.enclosure)
        )
    return tuple(events)


# ---------------------------------------------------------------------------------------------
# pages


@dataclass(frozen=True, slots=True, eq=False)
class Feed:
    """The SyncFeed of one (scenario, step): pages per category and entities by id."""

    events: tuple[Event, ...]

    @property
    def head(self) -> int:
        """The highest skiptoken of any category."""
        return self.events[-1].token if self.events else 0

    def category_events(self, category: str | None) -> tuple[list[int], list[Event]]:
        """Skiptokens and events of one category (all categories for None)."""
        return _by_category(self, category)

    def page(self, category: str | None, skiptoken: int | None, base: str) -> bytes:
        """Atom page: up to 250 entries with token > ``skiptoken``, in token order."""
        tokens, events = self.category_events(category)
        start = bisect_right(tokens, skiptoken) if skiptoken is not None else 0
        chosen = events[start : start + PAGE_SIZE]
        more = start + PAGE_SIZE < len(events)
        cat_q = f"&amp;category={category}" if category else ""
        self_q = "&amp;".join(
            q
            for q in (
                f"category={category}" if category else "",
                f"skiptoken={skiptoken}" if skiptoken is not None else "",
            )
            if q
        )
        updated = chosen[-1].updated if chosen else _updated(REPLAY_NOW)
        title = f"SyncFeed {category}" if category else "SyncFeed"
        out = [
            '<?xml version="1.0" encoding="utf-8"?>',
            f'<feed xmlns="{ATOM}">',
            f"<title>{escape(title)}</title>",
            f"<id>{BASE}/Feed{'?category=' + category if category else ''}</id>",
            f"<updated>{updated}</updated>",
            "<author><name>Tweede Kamer der Staten-Generaal</name></author>",
            f'<link rel="self" href="{BASE}/Feed{"?" + self_q if self_q else ""}" />',
        ]
        if chosen and more:
            out.append(
                f'<link rel="next" href="{BASE}/Feed?skiptoken={chosen[-1].token}{cat_q}" />'
            )
        if not chosen:
            token = skiptoken if skiptoken is not None else 0
            out.append(f'<link rel="resume" href="{BASE}/Feed?skiptoken={token}{cat_q}" />')
        out.extend(_entry(event) for event in chosen)
        out.append("</feed>")
        return "\n".join(out).replace(BASE, base).encode("utf-8")

    def has_resource(self, key: str) -> bool:
        """Whether ``Resources/<key>`` serves a file (the entity's latest entry has one)."""
        found = _latest(self).get(key.lower())
        return found is not None and found.enclosure

    def entity(self, key: str) -> bytes | None:
        """The current XML of the entity with GUID ``key``, or None."""
        found = _latest(self).get(key.lower())
        if found is None:
            return None
        return ('<?xml version="1.0" encoding="utf-8"?>\n' + found.xml).encode("utf-8")


def _entry(event: Event) -> str:
    cat = CATEGORIES[event.category]
    enclosure = f'<link rel="enclosure" href="{BASE}/Resources/{event.id}" />'
    return "".join(
        (
            "<entry>",
            f"<title>{event.id}</title>",
            f"<id>{BASE}/Entiteiten/{event.id}</id>",
            "<author><name>Tweede Kamer der Staten-Generaal</name></author>",
            f"<updated>{event.updated}</updated>",
            f'<category term="{cat.element}" />',
            f'<link rel="next" href="{BASE}/Feed?skiptoken={event.token}'
            f'&amp;category={event.category}" />',
            enclosure if event.enclosure else "",
            f'<content type="application/xml">{event.xml}</content>',
            "</entry>",
        )
    )


@cache
def _by_category(f: Feed, category: str | None) -> tuple[list[int], list[Event]]:
    events = [e for e in f.events if category is None or e.category == category]
    return [e.token for e in events], events


@cache
def _latest(f: Feed) -> dict[str, Event]:
    return {e.id: e for e in f.events}


@cache
def feed(name: str, step: int) -> Feed:
    """The SyncFeed scenario ``name`` serves at ``step`` (clamped to its last step)."""
    step = max(0, min(step, scenario(name).steps - 1))
    return Feed(_events(name, step))


def category_name(value: str | None) -> str | None:
    """The category a ``category=`` value names (case-insensitive), None for absent/empty."""
    if not value:
        return None
    found = _BY_LOWER.get(value.lower())
    if found is None:
        known = ", ".join(CATEGORIES)
        raise SyncFeedError(400, f"Unknown category '{value}'. Known here: {known}.")
    return found


def entity_xml(name: str, step: int, key: str) -> bytes | None:
    """``GET /SyncFeed/2.0/Entiteiten/<key>`` of scenario ``name`` at ``step``."""
    return feed(name, step).entity(key)
