"""A loopback HTTP server that replays recorded upstream payloads at the real APIs' paths.

One server stands in for every upstream, each under its own path prefix:

* ``/OData/v4/2.0/…`` — the Tweede Kamer Gegevensmagazijn (an OData evaluator over the recorded
  records, see ``replay_odata`` and ``replay_scenarios``), incl. ``$metadata`` and ``Resource``;
* ``/OData/v5/…`` — the same records in the DERIVED v5 dialect (``replay_v5``): renamed
  properties, its own ``$metadata``, ``$top`` above 100 answered with HTTP 400;
* ``/SyncFeed/2.0/Feed`` and ``/SyncFeed/2.0/Entiteiten/<id>`` — the Tweede Kamer SyncFeed,
  CONSTRUCTED from the same records (see ``replay_syncfeed``);
* ``/repository/sru`` and ``/repository/frbr/…`` — repository.overheid.nl (SRU 2.0 over the
  recorded records, CQL subset) and the publications' XML;
* ``/zoek/rss`` — the officiële-bekendmakingen RSS search feed (the recorded feed, any ``q``);
* ``/rijksoverheid/api/rss`` — rijksoverheid.nl's search feed since June 2026: a DERIVED feed
  (``rijksoverheid_api-rss_DERIVED.xml``, made from the recorded legacy documents) for any search
  in the reported query form; it neither searches nor applies the period;
* ``/rijksoverheid/v1/sources/rijksoverheid/documents[/<id>]`` — the recorded rijksoverheid.nl
  open-data documents (the legacy API, the only rijksoverheid payloads ever recorded).

It is a plain asyncio HTTP/1.1 server (keep-alive, chunked streaming), so it runs in the caller's
event loop (tests, the demo) or standalone (``kamerwacht replay``). ``advance()`` moves a
scenario to its next snapshot; ``GET /_replay/advance`` does the same over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import parse_qsl, unquote, urlsplit

from replay.odata import (
    ODataError,
    Output,
    Query,
    run_collection,
    serialize_entity,
)
from replay.scenarios import (
    DATA,
    SCENARIOS,
    Resource,
    Snapshot,
    SruRecord,
    data_file,
    snapshot,
)
from replay.scenarios import scenario as get_scenario
from replay.sru import search_response
from replay.syncfeed import SyncFeedError, category_name, feed
from replay.v5 import MAX_TOP, v5_graph, v5_metadata

__all__ = ["SCENARIOS", "ReplayServer", "serve_forever"]

logger = logging.getLogger(__name__)

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
HUGE_BODY = 50 * 1024 * 1024
SLOW_SECONDS = 25.0
STATIC_LAST_MODIFIED = "Mon, 06 Oct 2025 08:00:00 GMT"
RSS_FILE = "zoek.officielebekendmakingen.nl_rss_150-kamerstuk-items_2022-04-25..05-02.xml"
RO_LIST_FILE = "documents_list_URLS-REWRITTEN-TO-__MOCK_SERVICE__.xml"
REASONS = {
    200: "OK",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>Onderhoud</title></head><body><h1>Service tijdelijk "
    b"niet beschikbaar</h1><p>Probeer het later opnieuw.</p></body></html>"
)


@dataclass
class Response:
    """What the server answers to one request."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; odata.metadata=minimal; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    stream: AsyncIterator[bytes] | None = None
    hang: bool = False


def _json(obj: object, status: int = 200) -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status=status, body=body)


def _odata_error(message: str, status: int = 400) -> Response:
    return _json({"error": {"code": "", "message": message}}, status)


def _static(body: bytes, content_type: str, request_headers: dict[str, str]) -> Response:
    """A file with validators; a matching conditional GET gets 304."""
    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    headers = {"ETag": etag, "Last-Modified": STATIC_LAST_MODIFIED}
    if request_headers.get("if-none-match") == etag or (
        "if-none-match" not in request_headers
        and request_headers.get("if-modified-since") == STATIC_LAST_MODIFIED
    ):
        return Response(status=304, content_type="", headers=headers)
    return Response(body=body, content_type=content_type, headers=headers)


async def _huge_stream() -> AsyncIterator[bytes]:
    chunk = b'{"value":[' + b" " * (1024 * 1024 - 10)
    filler = b" " * (1024 * 1024)
    sent = 0
    while sent < HUGE_BODY:
        yield chunk if sent == 0 else filler
        sent += 1024 * 1024


class ReplayServer:
    """The replay server; ``urls`` has one base URL per ``Settings`` field."""

    def __init__(
        self,
        scenario: str = "default",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tk_dialect: str = "v5",
    ):
        if tk_dialect not in TK_DIALECTS:
            raise ValueError(f"unknown OData dialect {tk_dialect!r}; known: v2, v5")
        self.scenario = get_scenario(scenario).name
        self.tk_dialect = tk_dialect
        self.host = host
        self.port = port
        self.step = 0
        self.request_count = 0
        self.bytes_sent = 0  # response bodies written (not streamed ones)
        self.request_log: list[str] = []
        self.fault_after = 0  # requests answered normally in a faulty step before the fault
        self.delay = 0.0  # seconds every answer waits (to observe client concurrency)
        self.slow_seconds = SLOW_SECONDS  # how long the ``slow`` fault keeps each answer
        self.in_flight = 0
        self.max_in_flight = 0
        self.request_headers: list[dict[str, str]] = []
        self._served_in_step = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and start serving in the running event loop."""
        self._server = await asyncio.start_server(self._connection, self.host, self.port)
        sock = self._server.sockets[0]
        self.port = sock.getsockname()[1]
        logger.info("replay server (%s) on %s", self.scenario, self.base_url)

    async def stop(self) -> None:
        """Stop serving; open connections (also hanging ones) are closed."""
        if self._server is None:
            return
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 1.0)
        self._server = None

    async def __aenter__(self) -> ReplayServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the server."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def urls(self) -> dict[str, str]:
        """Base URLs keyed by the ``Settings`` field they go in."""
        base = self.base_url
        return {
            "tweedekamer_url": base + TK_DIALECTS[self.tk_dialect],
            "tweedekamer_syncfeed_url": base + SYNCFEED,
            "officielebekendmakingen_url": base + "/repository",
            "officielebekendmakingen_rss_url": base + RSS_PATH,
            "rijksoverheid_feed_url": base + RIJKSOVERHEID_RSS,
        }

    def advance(self) -> None:
        """Move to the scenario's next snapshot (stays on the last one)."""
        self.step = min(self.step + 1, get_scenario(self.scenario).steps - 1)
        self._served_in_step = 0

    @property
    def snapshot(self) -> Snapshot:
        """What the current step serves."""
        return snapshot(self.scenario, self.step)

    # -- HTTP -----------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)  # type: ignore[arg-type]
        self._writers.add(writer)
        try:
            while True:
                line = await reader.readline()
                if not line.strip():
                    break
                parts = line.decode("latin-1").split()
                if len(parts) != 3:
                    break
                method, target, _ = parts
                headers: dict[str, str] = {}
                while True:
                    raw = await reader.readline()
                    if raw in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = raw.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = headers.get("content-length", "0")
                if length.isdigit() and int(length):
                    await reader.readexactly(int(length))
                self.request_count += 1
                self.request_log.append(f"{method} {target}")
                self.request_headers.append(headers)
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
                try:
                    if self.delay:
                        await asyncio.sleep(self.delay)
                    response = await self._respond(method, target, headers)
                finally:
                    self.in_flight -= 1
                if response.hang:
                    await asyncio.sleep(3600)
                    break
                keep = headers.get("connection", "").lower() != "close"
                await self._write(writer, response, keep)
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            if task is not None:
                self._tasks.discard(task)  # type: ignore[arg-type]

    async def _write(self, writer: asyncio.StreamWriter, response: Response, keep: bool) -> None:
        lines = [f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Status')}"]
        if response.content_type:
            lines.append(f"Content-Type: {response.content_type}")
        lines.append("Server: kamerwacht-replay")
        lines.append(f"Connection: {'keep-alive' if keep else 'close'}")
        lines.extend(f"{k}: {v}" for k, v in response.headers.items())
        if response.stream is not None:
            lines.append("Transfer-Encoding: chunked")
        elif response.status != 304:
            lines.append(f"Content-Length: {len(response.body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if response.stream is not None:
            async for chunk in response.stream:
                writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                await writer.drain()
            writer.write(b"0\r\n\r\n")
        elif response.status != 304:
            writer.write(response.body)
            self.bytes_sent += len(response.body)
        await writer.drain()

    async def _respond(self, method: str, target: str, headers: dict[str, str]) -> Response:
        split = urlsplit(target)
        path = unquote(split.path)
        if path == "/_replay/advance":
            self.advance()
            return _json({"scenario": self.scenario, "step": self.step})
        if path == "/_replay/status":
            return _json(
                {
                    "scenario": self.scenario,
                    "step": self.step,
                    "requests": self.request_count,
                    "bytes": self.bytes_sent,
                }
            )
        if method not in ("GET", "HEAD"):
            return Response(status=405, body=b"", content_type="text/plain")
        snap = self.snapshot
        if snap.fault and self._served_in_step >= self.fault_after:
            return await self._fault(snap.fault, path, split.query, headers)
        self._served_in_step += 1
        return self._route(snap, path, split.query, headers)

    async def _fault(self, fault: str, path: str, query: str, headers: dict[str, str]) -> Response:
        if fault == "http500":
            return Response(status=500, body=b"Internal Server Error", content_type="text/plain")
        if fault == "http429":
            return Response(
                status=429,
                body=b"Too Many Requests",
                content_type="text/plain",
                headers={"Retry-After": "1"},
            )
        if fault == "timeout":
            return Response(hang=True)
        if fault == "slow":  # a slow but working upstream: the real answer, late
            await asyncio.sleep(self.slow_seconds)
            return self._route(snapshot(self.scenario, 1), path, query, headers)
        if fault == "html-200":
            return Response(body=HTML_ERROR, content_type="text/html; charset=utf-8")
        if fault == "huge-body":
            return Response(content_type="application/json", stream=_huge_stream())
        if fault == "truncated-json":
            full = self._route(snapshot(self.scenario, 1), path, query, headers)
            return Response(
                status=full.status,
                body=full.body[: max(1, len(full.body) // 2)],
                content_type=full.content_type,
                headers=full.headers,
            )
        raise AssertionError(fault)

    def _route(self, snap: Snapshot, path: str, query: str, headers: dict[str, str]) -> Response:
        try:
            if path == ODATA or path.startswith(ODATA + "/"):
                return self._odata(snap, path[len(ODATA) :].lstrip("/"), query, headers)
            if path == ODATA_V5 or path.startswith(ODATA_V5 + "/"):
                rest = path[len(ODATA_V5) :].lstrip("/")
                return self._odata(snap, rest, query, headers, dialect="v5")
            if path.startswith(SYNCFEED + "/"):
                return self._syncfeed(snap, path[len(SYNCFEED) :], query)
            if path == SRU_PATH:
                return self._sru(snap, query)
            if path.startswith(FRBR):
                return self._frbr(snap, path, headers)
            if path == RSS_PATH:
                return _static(data_file(RSS_FILE), "application/rss+xml; charset=utf-8", headers)
            if path == RIJKSOVERHEID_RSS:
                return self._rijksoverheid_rss(query, headers)
            if path == RIJKSOVERHEID or path.startswith(RIJKSOVERHEID + "/"):
                return self._rijksoverheid(path[len(RIJKSOVERHEID) :].strip("/"), headers)
        except ODataError as exc:
            return _odata_error(exc.message, exc.status)
        except SyncFeedError as exc:
            return Response(exc.status, exc.message.encode(), "text/plain; charset=utf-8")
        return Response(status=404, body=b"Not Found", content_type="text/plain")

    # -- Tweede Kamer SyncFeed ------------------------------------------------------------------

    def _syncfeed(self, snap: Snapshot, rest: str, query: str) -> Response:
        current = feed(snap.name or self.scenario, snap.step)
        if rest == "/Feed":
            options = dict(parse_qsl(query, keep_blank_values=True))
            token = options.get("skiptoken") or None
            if token is not None and not token.isdigit():
                raise SyncFeedError(400, f"Invalid skiptoken '{token}'.")
            category = category_name(options.get("category"))
            base = self.base_url + SYNCFEED
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
        self,
        snap: Snapshot,
        rest: str,
        query: str,
        headers: dict[str, str],
        *,
        dialect: str = "v2",
    ) -> Response:
        root = self.base_url + TK_DIALECTS[dialect]
        step = min(self.step, get_scenario(self.scenario).steps - 1)
        graph = v5_graph(self.scenario, step) if dialect == "v5" else snap.graph
        if rest in ("", "$metadata"):
            if rest == "":
                sets = sorted(graph.schema.types)
                return _json(
                    {
                        "@odata.context": f"{root}/$metadata",
                        "value": [{"name": s, "kind": "EntitySet", "url": s} for s in sets],
                    }
                )
            metadata = (
                v5_metadata(self.scenario, step) if dialect == "v5" else data_file("metadata.xml")
            )
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
                p
                for p in query.split("&")
                if p and unquote(p.split("=", 1)[0]).lower() != "$skiptoken"
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
            return _json(
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
            return _odata_error(f"Resource not found for the segment '{entity_set}'.", 404)
        if nav and nav.lower() == "resource":
            return self._resource(snap, entity_set, str(record["Id"]))
        if nav is None:
            body = serialize_entity(graph, entity_set, record, q, out)
            return _json({"@odata.context": f"{root}/$metadata#{entity_set}/$entity", **body})
        info = etype.navigations.get(nav)
        if info is None:
            raise ODataError(f"Resource not found for the segment '{nav}'.", 404)
        related = [r for _, r in graph.related(entity_set, record, nav)]
        if info.collection:
            return _json(
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
        return _json({"@odata.context": f"{root}/$metadata#{info.target}/$entity", **body})

    def _resource(self, snap: Snapshot, entity_set: str, key: str) -> Response:
        found: Resource | None = snap.resources.get((entity_set, key.lower()))
        if found is None:
            return _odata_error("No resource was recorded for this entity.", 404)
        return Response(body=data_file(found.file), content_type=found.content_type)

    # -- officiële bekendmakingen ---------------------------------------------------------------

    def _sru(self, snap: Snapshot, query: str) -> Response:
        options = dict(parse_qsl(query, keep_blank_values=True))
        try:
            body = search_response(snap.sru, options, self.base_url + "/repository")
        except ValueError as exc:
            return Response(status=400, body=str(exc).encode(), content_type="text/plain")
        return Response(body=body, content_type="application/xml; charset=utf-8")

    def _frbr(self, snap: Snapshot, path: str, headers: dict[str, str]) -> Response:
        wanted = path.removeprefix("/repository")
        record: SruRecord | None = next(
            (r for r in snap.sru if r.resource_path == wanted and r.resource), None
        )
        if record is None or record.resource is None:
            return Response(status=404, body=b"Not Found", content_type="text/plain")
        return _static(data_file(record.resource.file), record.resource.content_type, headers)

    # -- rijksoverheid --------------------------------------------------------------------------

    def _rijksoverheid_rss(self, query: str, headers: dict[str, str]) -> Response:
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
        text = text.replace("https://www.rijksoverheid.nl", self.base_url + "/rijksoverheid")
        return _static(text.encode("utf-8"), "application/rss+xml; charset=utf-8", headers)

    def _rijksoverheid(self, rest: str, headers: dict[str, str]) -> Response:
        base = self.base_url + "/rijksoverheid"
        if not rest:
            text = data_file(RO_LIST_FILE).decode("utf-8")
            text = text.replace("http://__MOCK_SERVICE__/opendata.rijksoverheid.nl", base)
            return _static(text.encode("utf-8"), "application/xml; charset=utf-8", headers)
        key = rest.split("/", 1)[0].lower()
        for name in sorted(p for p in _data_names() if p.startswith("document_")):
            prefix = name.split("_")[1]
            if key.startswith(prefix):
                text = data_file(name).decode("utf-8")
                text = text.replace("https://opendata.rijksoverheid.nl", base)
                return _static(text.encode("utf-8"), "application/xml; charset=utf-8", headers)
        return Response(status=404, body=b"Not Found", content_type="text/plain")


def _data_names() -> list[str]:
    return [p.name for p in DATA.iterdir()]


async def serve_forever(scenario: str, host: str, port: int, tk_dialect: str = "v5") -> None:
    """Run a replay server until cancelled, printing the settings that point kamerwacht at it."""
    server = ReplayServer(scenario, host=host, port=port, tk_dialect=tk_dialect)
    await server.start()
    try:
        print(f"kamerwacht replay: scenario {server.scenario!r} on {server.base_url}")  # noqa: T201
        print("# put these in the environment (or .env) of kamerwacht:")  # noqa: T201
        for name, url in server.urls.items():
            print(f"KAMERWACHT_{name.upper()}={url}")  # noqa: T201
        steps = get_scenario(server.scenario).steps
        if steps > 1:
            print(  # noqa: T201
                f"# {steps} snapshots; GET {server.base_url}/_replay/advance moves to the next"
            )
        print("# Ctrl-C stops", flush=True)  # noqa: T201
        await asyncio.Event().wait()
    finally:
        await server.stop()
