"""What the replay server serves at each upstream's path: one function per upstream.

``route`` picks the upstream by path prefix (see ``replay.server`` for the list) and answers from
the scenario's current ``Snapshot``; OData and SyncFeed errors become the upstream's own error
bodies.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from replay.odata import ODataError, Output, Query, run_collection, serialize_entity
from replay.responses import Response, json_response, odata_error, static
from replay.scenarios import DATA, Resource, Snapshot, SruRecord, data_file
from replay.scenarios import scenario as get_scenario
from replay.sru import search_response
from replay.syncfeed import SyncFeedError, category_name, feed
from replay.v5 import MAX_TOP, v5_graph, v5_metadata

ODATA = "/OData/v4/2.0"
ODATA_V5 = "/OData/v5"
TK_DIALECTS = {"v2": ODATA, "v5": ODATA_V5}
SYNCFEED = "/SyncFeed/2.0"
SRU_PATH = "/repository/sru"
FRBR = "/repository/frbr/"
RSS_PATH = "/zoek/rss"
RIJKSOVERHEID = "/rijksoverheid/v1/sources/rijksoverheid/documents"
RIJKSOVERHEID_RSS = "/rijksoverheid/api/rss"
RO_RSS_FILE = "rijksoverheid_api-rss_DERIVED.xml"
# a sort_date bound must be a full instant (date-only strings were answered with HTTP 500)
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
RSS_FILE = "zoek.officielebekendmakingen.nl_rss_150-kamerstuk-items_2022-04-25..05-02.xml"
RO_LIST_FILE = "documents_list_URLS-REWRITTEN-TO-__MOCK_SERVICE__.xml"


@dataclass(frozen=True)
class Serving:
    """Where and what the server serves when it answers: its base URL, scenario and step."""

    base_url: str
    scenario: str
    step: int


def route(at: Serving, snap: Snapshot, path: str, query: str, headers: dict[str, str]) -> Response:
    try:
        if path == ODATA or path.startswith(ODATA + "/"):
            return _odata(at, snap, path[len(ODATA) :].lstrip("/"), query, headers)
        if path == ODATA_V5 or path.startswith(ODATA_V5 + "/"):
            rest = path[len(ODATA_V5) :].lstrip("/")
            return _odata(at, snap, rest, query, headers, dialect="v5")
        if path.startswith(SYNCFEED + "/"):
            return _syncfeed(at, snap, path[len(SYNCFEED) :], query)
        if path == SRU_PATH:
            return _sru(at, snap, query)
        if path.startswith(FRBR):
            return _frbr(snap, path, headers)
        if path == RSS_PATH:
            return static(data_file(RSS_FILE), "application/rss+xml; charset=utf-8", headers)
        if path == RIJKSOVERHEID_RSS:
            return _rijksoverheid_rss(at, query, headers)
        if path == RIJKSOVERHEID or path.startswith(RIJKSOVERHEID + "/"):
            return _rijksoverheid(at, path[len(RIJKSOVERHEID) :].strip("/"), headers)
    except ODataError as exc:
        return odata_error(exc.message, exc.status)
    except SyncFeedError as exc:
        return Response(exc.status, exc.message.encode(), "text/plain; charset=utf-8")
    return Response(status=404, body=b"Not Found", content_type="text/plain")


# -- Tweede Kamer SyncFeed ------------------------------------------------------------------


def _syncfeed(at: Serving, snap: Snapshot, rest: str, query: str) -> Response:
    current = feed(snap.name or at.scenario, snap.step)
    if rest == "/Feed":
        options = dict(parse_qsl(query, keep_blank_values=True))
        token = options.get("skiptoken") or None
        if token is not None and not token.isdigit():
            raise SyncFeedError(400, f"Invalid skiptoken '{token}'.")
        category = category_name(options.get("category"))
        base = at.base_url + SYNCFEED
        body = current.page(category, int(token) if token else None, base)
        return Response(body=body, content_type="application/atom+xml; charset=utf-8")
    if rest.startswith("/Entiteiten/"):
        found = current.entity(rest.removeprefix("/Entiteiten/"))
        if found is not None:
            return Response(body=found, content_type="application/xml; charset=utf-8")
    if rest.startswith("/Resources/"):
        key = rest.removeprefix("/Resources/").lower()
        if current.has_resource(key):
            file = snap.resources[("Document", key)]
            return Response(body=data_file(file.file), content_type=file.content_type)
    raise SyncFeedError(404, "Not Found")


# -- Tweede Kamer OData ---------------------------------------------------------------------


def _odata(
    at: Serving,
    snap: Snapshot,
    rest: str,
    query: str,
    headers: dict[str, str],
    *,
    dialect: str = "v2",
) -> Response:
    root = at.base_url + TK_DIALECTS[dialect]
    step = min(at.step, get_scenario(at.scenario).steps - 1)
    graph = v5_graph(at.scenario, step) if dialect == "v5" else snap.graph
    if rest in ("", "$metadata"):
        if rest == "":
            sets = sorted(graph.schema.types)
            return json_response(
                {
                    "@odata.context": f"{root}/$metadata",
                    "value": [{"name": s, "kind": "EntitySet", "url": s} for s in sets],
                }
            )
        metadata = v5_metadata(at.scenario, step) if dialect == "v5" else data_file("metadata.xml")
        return Response(body=metadata, content_type="application/xml")
    options = dict(parse_qsl(query, keep_blank_values=True))
    fmt = options.get("$format", "") + " " + headers.get("accept", "")
    out = Output(root=root, full="odata.metadata=full" in fmt)
    q = Query.from_options(options)
    if dialect == "v5" and q.top is not None and q.top > MAX_TOP:
        raise ODataError(f"The limit of '{MAX_TOP}' for Top query has been exceeded.")
    match = re.fullmatch(r"([A-Za-z]+)(?:\(([^)]*)\))?(?:/([A-Za-z]+))?", rest)
    if not match:
        raise ODataError(f"Resource not found for the segment '{rest}'.", 404)
    entity_set, key, nav = match.groups()
    etype = graph.schema.entity(entity_set)

    def next_link(token: str) -> str:
        kept = "&".join(
            p for p in query.split("&") if p and unquote(p.split("=", 1)[0]).lower() != "$skiptoken"
        )
        return (
            f"{root}/{rest}?{kept}&$skiptoken={token}"
            if kept
            else (f"{root}/{rest}?$skiptoken={token}")
        )

    if key is None:
        if nav:
            raise ODataError(f"Resource not found for the segment '{rest}'.", 404)
        records = graph.sets.get(entity_set, {}).values()
        return json_response(
            run_collection(
                graph,
                entity_set,
                records,
                q,
                out,
                context=f"{root}/$metadata#{entity_set}",
                next_link=next_link,
            )
        )
    if key.lower().startswith("guid'"):
        raise ODataError(f"The key value '{key}' is not a valid Guid literal.")
    record = graph.get(entity_set, key.strip("'"))
    if record is None:
        return odata_error(f"Resource not found for the segment '{entity_set}'.", 404)
    if nav and nav.lower() == "resource":
        return _resource(snap, entity_set, str(record["Id"]))
    if nav is None:
        body = serialize_entity(graph, entity_set, record, q, out)
        return json_response({"@odata.context": f"{root}/$metadata#{entity_set}/$entity", **body})
    info = etype.navigations.get(nav)
    if info is None:
        raise ODataError(f"Resource not found for the segment '{nav}'.", 404)
    related = [r for _, r in graph.related(entity_set, record, nav)]
    if info.collection:
        return json_response(
            run_collection(
                graph,
                info.target,
                related,
                q,
                out,
                context=f"{root}/$metadata#{info.target}",
                next_link=next_link,
            )
        )
    if not related:
        return Response(status=204, body=b"", content_type="")
    body = serialize_entity(graph, info.target, related[0], q, out)
    return json_response({"@odata.context": f"{root}/$metadata#{info.target}/$entity", **body})


def _resource(snap: Snapshot, entity_set: str, key: str) -> Response:
    found: Resource | None = snap.resources.get((entity_set, key.lower()))
    if found is None:
        return odata_error("No resource was recorded for this entity.", 404)
    return Response(body=data_file(found.file), content_type=found.content_type)


# -- officiële bekendmakingen ---------------------------------------------------------------


def _sru(at: Serving, snap: Snapshot, query: str) -> Response:
    options = dict(parse_qsl(query, keep_blank_values=True))
    try:
        body = search_response(snap.sru, options, at.base_url + "/repository")
    except ValueError as exc:
        return Response(status=400, body=str(exc).encode(), content_type="text/plain")
    return Response(body=body, content_type="application/xml; charset=utf-8")


def _frbr(snap: Snapshot, path: str, headers: dict[str, str]) -> Response:
    wanted = path.removeprefix("/repository")
    record: SruRecord | None = next(
        (r for r in snap.sru if r.resource_path == wanted and r.resource), None
    )
    if record is None or record.resource is None:
        return Response(status=404, body=b"Not Found", content_type="text/plain")
    return static(data_file(record.resource.file), record.resource.content_type, headers)


# -- rijksoverheid --------------------------------------------------------------------------


def _rijksoverheid_rss(at: Serving, query: str, headers: dict[str, str]) -> Response:
    """The DERIVED feed for a search in the reported form (``{"filters": [...],
    "resultSearchTerm": ..., "pageTitle": ...}``). Anything else gets 400 (the replay's own
    check: the real answer to it is not reported); a ``sort_date`` bound that is not a full
    ISO instant gets the 500 reported for it."""
    raw = dict(parse_qsl(query, keep_blank_values=True)).get("query", "")
    try:
        spec = json.loads(raw)
    except ValueError:
        spec = None
    if (
        not isinstance(spec, dict)
        or not isinstance(spec.get("filters"), list)
        or not isinstance(spec.get("resultSearchTerm"), str)
    ):
        return Response(status=400, body=b"Bad Request", content_type="text/plain")
    for spec_filter in spec["filters"]:
        if not isinstance(spec_filter, dict) or spec_filter.get("field") != "sort_date":
            continue
        for value in spec_filter.get("values") or []:
            bounds = [value.get(k) for k in ("from", "to") if k in value]
            if not all(isinstance(b, str) and _INSTANT.fullmatch(b) for b in bounds):
                return Response(status=500, body=b"Error", content_type="text/plain")
    text = data_file(RO_RSS_FILE).decode("utf-8")
    text = text.replace("https://www.rijksoverheid.nl", at.base_url + "/rijksoverheid")
    return static(text.encode("utf-8"), "application/rss+xml; charset=utf-8", headers)


def _rijksoverheid(at: Serving, rest: str, headers: dict[str, str]) -> Response:
    base = at.base_url + "/rijksoverheid"
    if not rest:
        text = data_file(RO_LIST_FILE).decode("utf-8")
        text = text.replace("http://__MOCK_SERVICE__/opendata.rijksoverheid.nl", base)
        return static(text.encode("utf-8"), "application/xml; charset=utf-8", headers)
    key = rest.split("/", 1)[0].lower()
    for name in sorted(p for p in _data_names() if p.startswith("document_")):
        prefix = name.split("_")[1]
        if key.startswith(prefix):
            text = data_file(name).decode("utf-8")
            text = text.replace("https://opendata.rijksoverheid.nl", base)
            return static(text.encode("utf-8"), "application/xml; charset=utf-8", headers)
    return Response(status=404, body=b"Not Found", content_type="text/plain")


def _data_names() -> list[str]:
    return [p.name for p in DATA.iterdir()]
