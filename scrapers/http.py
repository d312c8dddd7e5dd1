"""The one shared, polite HTTP client every source fetches through.

``HttpClient`` wraps a single ``httpx.AsyncClient`` and adds what the upstreams deserve and what the
poll cycle needs:

* a User-Agent naming kamerwacht and a contact (``user_agent``), explicit connect/read timeouts;
* at most ``per_host`` requests in flight per host and ``min_interval`` seconds between the starts
  of two requests to one host;
* retries with exponential backoff and full jitter on connect errors, timeouts, dropped
  connections, 429 and 5xx, honouring ``Retry-After`` (capped at ``max_retry_after``); a
  ``Retry-After`` holds back every request to that host, not only the one that got it;
* a timeout is retried at most ``timeout_retries`` times (within ``retries``): a request that
  already waited a whole read timeout is expensive, and five of them made a slow server cost
  minutes per source;
* a cap on the response size, enforced while streaming (a 50 MB body is never held in memory);
* conditional GET: pass the ``Validators`` of the previous response and a 304 comes back as
  ``FetchResult.not_modified``.

Every failure is raised as ``SourceError`` with the URL and the cause; nothing returns ``{}``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import httpx

from scrapers.errors import SourceError

__all__ = ["VERSION", "FetchResult", "HttpClient", "Validators", "same_host", "user_agent"]

logger = logging.getLogger(__name__)

VERSION = "0.1.0"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_TRANSIENT = (
    httpx.ConnectError,
    httpx.TimeoutException,  # ConnectTimeout, ReadTimeout, WriteTimeout, PoolTimeout
    httpx.RemoteProtocolError,
    httpx.ReadError,
)


# The request count of the running poll of one source (see HttpClient.counting); tasks a source
# starts copy the context, so they share its counter.
_COUNTER: ContextVar[list[int] | None] = ContextVar("kamerwacht_http_requests", default=None)


def user_agent(contact: str) -> str:
    """The User-Agent kamerwacht sends: ``kamerwacht/<version> (+<contact>)``."""
    return f"kamerwacht/{VERSION} (+{contact})"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def same_host(url: str, base: str) -> bool:
    """Whether ``url`` is an http(s) URL on the host and port of ``base``.

    Sources follow links found in upstream payloads (a record's XML, a feed item's page, a PDF,
    an OData ``nextLink``) only when this holds for their configured base URL, so a payload can
    never make kamerwacht fetch from anywhere else.
    """
    try:
        target, home = httpx.URL(url), httpx.URL(base)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    if target.scheme not in _DEFAULT_PORTS or not target.host:
        return False
    return target.host.lower() == home.host.lower() and (
        target.port or _DEFAULT_PORTS[target.scheme]
    ) == (home.port or _DEFAULT_PORTS.get(home.scheme))


def _site(host: str) -> str:
    """The part of a host name a site owns (its last two labels); an IP address whole."""
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if ":" in host or all(label.isdigit() for label in labels):
        return host
    return ".".join(labels[-2:])


async def _refuse_off_site_redirect(response: httpx.Response) -> None:
    """A redirect may change scheme and subdomain, never the site (data.example → evil.example)."""
    if not response.has_redirect_location:
        return
    origin = response.request.url
    target = origin.join(response.headers["location"])
    if target.scheme not in _DEFAULT_PORTS or _site(target.host) != _site(origin.host):
        raise SourceError(str(origin), f"redirected off-site to {target.host or target}")


@dataclass(frozen=True, slots=True)
class Validators:
    """Cache validators of an earlier response, sent back for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """The ``If-None-Match`` / ``If-Modified-Since`` headers for these validators."""
        out: dict[str, str] = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One successful (2xx or 304) response, body read in full."""

    url: str
    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case (``""`` when absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def validators(self) -> Validators:
        """The validators to send with the next request for the same URL."""
        return Validators(self.etag, self.last_modified)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Host:
    """Per-host politeness: a concurrency limit and a minimum interval between request starts."""

    def __init__(self, per_host: int) -> None:
        self.slots = asyncio.Semaphore(per_host)
        self.lock = asyncio.Lock()
        self.next_start = 0.0

    async def pace(self, min_interval: float) -> None:
        async with self.lock:
            for _ in range(2):  # twice: a Retry-After may push next_start while we sleep
                wait = self.next_start - time.monotonic()
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self.next_start = time.monotonic() + min_interval

    def hold_off(self, seconds: float) -> None:
        """No request to this host starts within ``seconds`` (the host asked to wait)."""
        self.next_start = max(self.next_start, time.monotonic() + seconds)


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(
        self,
        cause: str,
        *,
        status: int | None = None,
        wait: float | None = None,
        timeout: bool = False,
    ):
        super().__init__(cause)
        self.cause = cause
        self.status = status
        self.wait = wait
        self.timeout = timeout


class HttpClient:
    """The shared async HTTP client: polite, bounded, retrying, typed failures."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = 20.0,
        max_bytes: int = 20_000_000,
        min_interval: float = 0.2,
        retries: int = 4,
        per_host: int = 2,
        max_retry_after: float = 300.0,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        timeout_retries: int = 1,
    ) -> None:
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.min_interval = min_interval
        self.retries = retries
        self.per_host = per_host
        self.max_retry_after = max_retry_after
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout_retries = timeout_retries
        self.requests_total = 0
        self._hosts: dict[str, _Host] = {}
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=True,
            event_hooks={"response": [_refuse_off_site_redirect]},
            transport=transport,
            limits=httpx.Limits(
                max_connections=max(per_host * 8, 10), max_keepalive_connections=10
            ),
        )

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    @property
    def requests_made(self) -> int:
        """Requests sent: within ``counting()`` those of that scope, else all of this client's.

        Sources polled concurrently share the client; each is polled inside its own
        ``counting()`` scope, so ``requests_made`` differences a source takes count its own
        requests only.
        """
        counter = _COUNTER.get()
        return counter[0] if counter is not None else self.requests_total

    @contextmanager
    def counting(self, counter: list[int] | None = None) -> Iterator[None]:
        """Count the requests of this task (and the tasks it starts) apart from the others, in
        ``counter[0]`` when given (readable even when the task is cancelled)."""
        token = _COUNTER.set(counter if counter is not None else [0])
        try:
            yield
        finally:
            _COUNTER.reset(token)

    def _host(self, url: httpx.URL) -> _Host:
        key = f"{url.scheme}://{url.host}:{url.port or ''}"
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(self.per_host)
        return host

    def _delay(self, attempt: int, wait: float | None) -> float:
        if wait is not None:
            return min(wait, self.max_retry_after)
        ceiling = min(self.max_backoff, self.backoff * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        validators: Validators | None = None,
    ) -> FetchResult:
        """GET ``url``; return the body, or raise ``SourceError`` once retries are spent."""
        request_headers: dict[str, str] = dict(headers or {})
        if validators:
            request_headers.update(validators.headers())
        target = httpx.URL(url)
        if params:
            target = target.copy_merge_params(dict(params))
        shown = str(target)
        host = self._host(target)
        attempt = timeouts = 0
        while True:
            try:
                async with host.slots:
                    await host.pace(self.min_interval)
                    self.requests_total += 1
                    if (counter := _COUNTER.get()) is not None:
                        counter[0] += 1
                    return await self._attempt(target, shown, request_headers)
            except _Retry as retry:
                timeouts += retry.timeout
                if attempt >= self.retries or timeouts > self.timeout_retries:
                    raise SourceError(
                        shown, f"{retry.cause} (after {attempt + 1} attempts)", status=retry.status
                    ) from None
                delay = self._delay(attempt, retry.wait)
                if retry.wait is not None:
                    host.hold_off(delay)  # the host asked every client request to wait
                logger.info(
                    "retrying %s in %.2fs after %s (attempt %d of %d)",
                    target.host,
                    delay,
                    retry.cause,
                    attempt + 1,
                    self.retries + 1,
                )
                attempt += 1
                await asyncio.sleep(delay)

    async def _attempt(self, url: httpx.URL, shown: str, headers: dict[str, str]) -> FetchResult:
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 304:
                    return self._result(shown, response, b"", not_modified=True)
                if status in RETRY_STATUSES:
                    wait = _retry_after(response.headers.get("retry-after"))
                    raise _Retry(f"HTTP {status}", status=status, wait=wait)
                if status >= 400:
                    raise SourceError(shown, f"HTTP {status}", status=status)
                declared = response.headers.get("content-length")
                if (
                    declared
                    and declared.isascii()
                    and declared.isdigit()
                    and int(declared) > self.max_bytes
                ):
                    raise SourceError(
                        shown,
                        f"response of {declared} bytes exceeds {self.max_bytes}",
                        status=status,
                    )
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise SourceError(
                            shown, f"response exceeds {self.max_bytes} bytes", status=status
                        )
                    chunks.append(chunk)
                return self._result(shown, response, b"".join(chunks))
        except _TRANSIENT as exc:
            raise _Retry(
                f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
                timeout=isinstance(exc, httpx.TimeoutException),
            ) from exc
        except httpx.HTTPError as exc:
            raise SourceError(shown, f"{type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _result(
        shown: str, response: httpx.Response, content: bytes, *, not_modified: bool = False
    ) -> FetchResult:
        headers: dict[str, Any] = {k.lower(): v for k, v in response.headers.items()}
        return FetchResult(
            url=str(response.url) or shown,
            status=response.status_code,
            content=content,
            headers=headers,
            not_modified=not_modified,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
