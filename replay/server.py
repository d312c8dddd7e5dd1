"""A loopback HTTP server that replays recorded upstream payloads at the real APIs' paths.

One server stands in for every upstream, each under its own path prefix:

* ``/OData/v4/2.0/…`` — the Tweede Kamer Gegevensmagazijn (an OData evaluator over the recorded
  records, see ``replay.odata`` and ``replay.scenarios``), incl. ``$metadata`` and ``Resource``;
* ``/OData/v5/…`` — the same records in the DERIVED v5 dialect (``replay.v5``): renamed
  properties, its own ``$metadata``, ``$top`` above 100 answered with HTTP 400;
* ``/SyncFeed/2.0/Feed`` and ``/SyncFeed/2.0/Entiteiten/<id>`` — the Tweede Kamer SyncFeed,
  CONSTRUCTED from the same records (see ``replay.syncfeed``);
* ``/repository/sru`` and ``/repository/frbr/…`` — repository.overheid.nl (SRU 2.0 over the
  recorded records, CQL subset) and the publications' XML;
* ``/zoek/rss`` — the officiële-bekendmakingen RSS search feed (the recorded feed, any ``q``);
* ``/rijksoverheid/api/rss`` — rijksoverheid.nl's search feed since June 2026: a DERIVED feed
  (``rijksoverheid_api-rss_DERIVED.xml``, made from the recorded legacy documents) for any search
  in the reported query form; it neither searches nor applies the period;
* ``/rijksoverheid/v1/sources/rijksoverheid/documents[/<id>]`` — the recorded rijksoverheid.nl
  open-data documents (the legacy API, the only rijksoverheid payloads ever recorded).

This module holds the HTTP side (connections, faults, lifecycle); ``replay.routes`` answers each
path and ``replay.responses`` builds the answers.

It is a plain asyncio HTTP/1.1 server (keep-alive, chunked streaming), so it runs in the caller's
event loop (tests, the demo) or standalone (``kamerwacht replay``). ``advance()`` moves a
scenario to its next snapshot; ``GET /_replay/advance`` does the same over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from urllib.parse import unquote, urlsplit

from replay.responses import HTML_ERROR, REASONS, Response, huge_stream, json_response
from replay.routes import (
    ODATA,
    ODATA_V5,
    RIJKSOVERHEID,
    RIJKSOVERHEID_RSS,
    RSS_PATH,
    SYNCFEED,
    TK_DIALECTS,
    Serving,
    route,
)
from replay.scenarios import SCENARIOS, Snapshot, snapshot
from replay.scenarios import scenario as get_scenario

__all__ = [
    "ODATA",
    "ODATA_V5",
    "RIJKSOVERHEID",
    "SCENARIOS",
    "ReplayServer",
    "Response",
    "serve_forever",
]

logger = logging.getLogger(__name__)

SLOW_SECONDS = 25.0


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
            return json_response({"scenario": self.scenario, "step": self.step})
        if path == "/_replay/status":
            return json_response(
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

    def _route(self, snap: Snapshot, path: str, query: str, headers: dict[str, str]) -> Response:
        return route(Serving(self.base_url, self.scenario, self.step), snap, path, query, headers)

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
            return Response(content_type="application/json", stream=huge_stream())
        if fault == "truncated-json":
            full = self._route(snapshot(self.scenario, 1), path, query, headers)
            return Response(
                status=full.status,
                body=full.body[: max(1, len(full.body) // 2)],
                content_type=full.content_type,
                headers=full.headers,
            )
        raise AssertionError(fault)


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
