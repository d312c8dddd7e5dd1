"""rijksoverheid.nl: its document search feed and document pages — a best-effort third source.

The feed URL is a setting (``KAMERWACHT_RIJKSOVERHEID_FEED_URL``). Since the site moved to a new
platform on 2 June 2026 the open-data API (``opendata.rijksoverheid.nl/v1/…/documents``) answers
404; the site's search is served as RSS at ``/api/rss?query=<JSON>``. The query form is taken from
public client code written against the live endpoint in 2026 (see ``replay/data/README.md``,
"rijksoverheid.nl since June 2026"), as is its reported behaviour: at most 20 items per request,
relevance-ranked, no paging; items carry only ``title``, ``link``, ``description``, ``pubDate`` and
``guid``; ``pubDate`` is the shown date at Amsterdam midnight; a ``sort_date`` range needs full
ISO instants. So the source asks once per search word of the topic (``TopicProfile.search_words``)
for what appeared in the last ``LOOKBACK`` days (all content types: ``filters`` holds only the
period, ``pageTitle`` is ``Zoeken``), keeps items whose link is a Kamerstuk or letter page and that
name the topic, and reads those pages (HTML → text) for ``scrapers.letters``.

A URL that already carries a ``query``, or the legacy list (XML ``<documents>``, the only
rijksoverheid shape ever recorded), is fetched as it is, conditionally. Failures raise
``SourceError`` with one line that names the feed and the search word; the poll cycle records it
and carries on with the other sources.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXParseException
from zoneinfo import ZoneInfo

import feedparser  # type: ignore[import-untyped]

from scrapers.base import ParseError, SourceError, SourceResult
from scrapers.http import FetchResult, HttpClient, Validators, same_host
from scrapers.letters import extract_document, to_letter
from scrapers.text import to_text
from scrapers.topics import TopicProfile
from state.models import DocumentKind, Letter

__all__ = ["LOOKBACK", "FeedItem", "RijksoverheidSource", "parse_feed", "search_query"]

logger = logging.getLogger(__name__)

LETTER_TYPES = frozenset({"kamerstuk", "brief", "kamerbrief"})
# the link's path is the only type signal of an RSS item: Kamerstukken (incl. Kamerbrieven) and
# letters (the path of the recorded legacy documents of type ``brief``)
_KAMERSTUK_PATH = re.compile(r"/documenten/(?:kamerstukken|brieven)/")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LOOKBACK = timedelta(days=60)  # each search asks for what appeared in this period
RETIRED = "the open-data API was retired on 2 June 2026; use https://www.rijksoverheid.nl/api/rss"


def search_query(term: str, since: datetime | None = None) -> str:
    """The JSON ``query`` of ``/api/rss``: all content types matching ``term``, since ``since``.

    ``sort_date`` takes full ISO instants (date-only strings were answered with HTTP 500).
    """
    filters: list[dict[str, object]] = []
    if since is not None:
        instant = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        filters.append(
            {
                "field": "sort_date",
                "values": [{"name": "specificPeriod", "from": instant}],
                "type": "all",
            }
        )
    query = {"filters": filters, "resultSearchTerm": term, "pageTitle": "Zoeken"}
    return json.dumps(query, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One document in the feed."""

    id: str
    title: str
    link: str | None
    summary: str
    date: date | None
    kind: str | None  # legacy ``type`` (kamerstuk, brief, rapport, …) or None for RSS
    detail_url: str | None  # legacy ``dataurl``

    @property
    def is_letter(self) -> bool:
        """Whether the item is a Kamerstuk / letter (type, or the link's path)."""
        if self.kind:
            return self.kind.casefold() in LETTER_TYPES
        return bool(self.link and _KAMERSTUK_PATH.search(self.link))


def _strip_html(text: str | None) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text or "")).split())


def _legacy_items(root: ET.Element) -> list[FeedItem]:
    items: list[FeedItem] = []
    for doc in root.iterfind("document"):
        ident = (doc.findtext("id") or "").strip()
        if not ident:
            continue
        stamp = (doc.findtext("frontenddate") or doc.findtext("available") or "").strip()
        items.append(
            FeedItem(
                id=ident,
                title=(doc.findtext("title") or "").strip(),
                link=(doc.findtext("canonical") or "").strip() or None,
                summary=_strip_html(doc.findtext("introduction")),
                date=date.fromisoformat(stamp[:10]) if len(stamp) >= 10 else None,
                kind=(doc.findtext("type") or "").strip() or None,
                detail_url=(doc.findtext("dataurl") or "").strip() or None,
            )
        )
    return items


def _entry_date(entry: Mapping[str, object]) -> date | None:
    """The date the site shows: ``pubDate`` is local midnight, so the Amsterdam calendar day
    (``Sun, 05 Mar 2023 23:00:00 GMT`` is 6 March)."""
    raw = entry.get("published") or entry.get("updated")
    if not isinstance(raw, str):
        return None
    try:
        stamp = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        try:
            stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
    if stamp.tzinfo is None:
        return stamp.date()
    return stamp.astimezone(AMSTERDAM).date()


def parse_feed(result: FetchResult) -> list[FeedItem]:
    """The items of an RSS/Atom feed or of a legacy ``<documents>`` list."""
    head = result.content.lstrip()[:400]
    if b"<documents" in head:
        try:
            return _legacy_items(ET.fromstring(result.content))
        except ET.ParseError as exc:
            raise ParseError(result.url, f"invalid documents XML: {exc}") from exc
    feed = feedparser.parse(result.content, response_headers=dict(result.headers))
    not_a_feed = f"not a feed ({result.content_type or 'no content type'})"
    if not feed.entries and not feed.get("version"):
        raise ParseError(result.url, not_a_feed)
    problem = feed.get("bozo_exception")
    if isinstance(problem, SAXParseException):  # feedparser would guess; we do not
        raise ParseError(result.url, f"malformed feed XML: {problem.getMessage()}")
    if not feed.entries and feed.bozo:
        raise ParseError(result.url, not_a_feed)
    items = []
    for entry in feed.entries:
        link = str(entry.get("link") or "") or None
        ident = str(entry.get("id") or entry.get("guid") or link or entry.get("title") or "")
        items.append(
            FeedItem(
                id=ident,
                title=str(entry.get("title") or ""),
                link=link,
                summary=_strip_html(str(entry.get("summary") or "")),
                date=_entry_date(entry),
                kind=None,
                detail_url=None,
            )
        )
    return items


def _detail_text(content: bytes) -> str:
    """Title, introduction and content blocks of a legacy document detail, as HTML."""
    root = ET.fromstring(content)
    parts = [f"<h1>{html.escape(root.findtext('title') or '')}</h1>"]
    parts.append(root.findtext("introduction") or "")
    for block in root.iterfind("content/contentblock"):
        parts.append(f"<h2>{html.escape(block.findtext('paragraphtitle') or '')}</h2>")
        parts.append(block.findtext("paragraph") or "")
    return "\n".join(parts)


class RijksoverheidSource:
    """The rijksoverheid.nl document feed; on-topic documents become letters."""

    name = "rijksoverheid"

    def __init__(self, feed_url: str, topic: TopicProfile) -> None:
        self.feed_url = feed_url
        self.topic = topic

    @property
    def searches(self) -> bool:
        """Whether the URL is the 2026 ``/api/rss`` search without a query of its own."""
        parts = urlsplit(self.feed_url)
        return parts.path.rstrip("/").endswith("/api/rss") and "query=" not in parts.query

    def search_words(self) -> tuple[str, ...]:
        """What the search is asked for: the topic's search words, else its name."""
        return self.topic.search_words or (self.topic.name.replace("-", " "),)

    def requests_for(self, now: datetime) -> list[tuple[str, dict[str, str] | None]]:
        """``(what, params)`` of each feed request of one poll at ``now``."""
        if not self.searches:
            return [(self.feed_url, None)]
        since = now - LOOKBACK
        return [
            (f"{self.feed_url} (search {word!r})", {"query": search_query(word, since)})
            for word in self.search_words()
        ]

    async def _feed(
        self,
        client: HttpClient,
        what: str,
        params: dict[str, str] | None,
        validators: Validators | None,
    ) -> tuple[FetchResult, list[FeedItem]]:
        """One feed request and its items; a failure is one line naming the feed and the search
        word (not the URL-encoded JSON)."""
        try:
            result = await client.get(
                self.feed_url,
                params=params,
                headers={"Accept": "application/rss+xml, application/atom+xml;q=0.9, */*;q=0.1"},
                validators=validators,
            )
            return result, ([] if result.not_modified else parse_feed(result))
        except SourceError as exc:
            cause = exc.cause
            legacy = "opendata.rijksoverheid.nl" in self.feed_url or "/v1/" in self.feed_url
            if exc.status == 404 and legacy:
                cause = f"{cause} ({RETIRED})"
            raise type(exc)(what, cause, status=exc.status) from None

    async def probe(self, client: HttpClient) -> str:
        """One feed request as a poll makes it (``sources --check``): what it found, in words;
        a failure raises the poll's one-line ``SourceError``."""
        what, params = self.requests_for(datetime.now(UTC))[0]
        _, items = await self._feed(client, what, params, None)
        return f"feed parses ({len(items)} items)"

    async def poll(
        self, client: HttpClient, cursors: Mapping[str, str], watchlist: frozenset[str]
    ) -> SourceResult:
        """Read the feed (every search of the topic; a fixed URL conditionally); new on-topic
        documents become letters."""
        started = client.requests_made
        notes: list[str] = []
        plan = self.requests_for(datetime.now(UTC))
        conditional = not self.searches
        items: dict[str, FeedItem] = {}
        last: FetchResult | None = None
        for what, params in plan:
            last, found = await self._feed(
                client,
                what,
                params,
                Validators(cursors.get("etag"), cursors.get("last_modified"))
                if conditional
                else None,
            )
            if last.not_modified:
                return SourceResult(
                    source=self.name,
                    cursors=dict(cursors),
                    requests=client.requests_made - started,
                )
            for item in found:
                items.setdefault(item.id, item)
        done = set((cursors.get("seen") or "").split())
        wanted = [
            i
            for i in items.values()
            if i.is_letter and self.topic.matches(f"{i.title} {i.summary}")
        ]
        letters: dict[str, Letter] = {}
        for item in wanted:
            if item.id in done:
                continue
            letter = await self._letter(client, item, notes)
            letters[letter.id] = letter
        for note in notes:
            logger.info("rijksoverheid: %s", note)
        validators = last.validators if conditional and last is not None else Validators()
        return SourceResult(
            source=self.name,
            letters=tuple(letters[k] for k in sorted(letters)),
            cursors={
                **cursors,
                "etag": validators.etag or "",
                "last_modified": validators.last_modified or "",
                "seen": " ".join(sorted(i.id for i in wanted)),
            },
            items_seen=len(items),
            requests=client.requests_made - started,
            skipped=tuple(notes),
        )

    async def _letter(self, client: HttpClient, item: FeedItem, notes: list[str]) -> Letter:
        plain = Letter(
            id=f"rijksoverheid:{item.id}",
            title=item.title,
            date=item.date,
            kind=DocumentKind.LETTER,
            url=item.link,
            source=self.name,
        )
        url = item.detail_url or item.link
        if not url:
            return plain
        if not same_host(url, self.feed_url):
            notes.append(f"{item.id}: document not on the feed's host, not fetched")
            return plain
        page = await self._get(client, url, item, notes)
        if page is None:
            return plain
        try:
            if item.detail_url:
                markup = _detail_text(page.content).encode("utf-8")
                pdf = _detail_pdf(page.content)
                kind: str | None = "text/html"
            else:
                markup, kind = page.content, page.content_type
                pdf = _page_pdf(page.content, page.url)
            text = to_text(markup, kind)
        except (ValueError, ET.ParseError) as exc:
            notes.append(f"{item.id}: text unreadable ({exc})")
            return plain
        if pdf and not same_host(pdf, self.feed_url):
            notes.append(f"{item.id}: PDF not on the feed's host, not fetched")
        elif pdf:
            attachment = await self._get(client, pdf, item, notes)
            if attachment is not None:
                try:
                    text = to_text(attachment.content, attachment.content_type, pdf)
                except ValueError as exc:
                    notes.append(f"{item.id}: attachment unreadable ({exc}); using the page")
        doc = extract_document(text, source=url)
        letter = to_letter(
            doc,
            letter_id=doc.kamerstuk or plain.id,
            url=item.link,
            source=self.name,
            title=item.title,
        )
        return dataclasses.replace(letter, date=letter.date or item.date, kind=DocumentKind.LETTER)

    @staticmethod
    async def _get(
        client: HttpClient, url: str, item: FeedItem, notes: list[str]
    ) -> FetchResult | None:
        try:
            return await client.get(url)
        except SourceError as exc:
            if exc.status in (403, 404, 410):
                notes.append(f"{item.id}: nothing at {url} (HTTP {exc.status})")
                return None
            raise


def _detail_pdf(content: bytes) -> str | None:
    """The first PDF file of a legacy document detail."""
    for node in ET.fromstring(content).iterfind("files/file"):
        if (node.findtext("mimetype") or "").strip() == "application/pdf":
            return (node.findtext("fileurl") or "").strip() or None
    return None


def _page_pdf(content: bytes, base: str) -> str | None:
    """The first PDF a document page links to (its download list)."""
    match = re.search(rb'href="([^"]+?\.pdf)"', content)
    if not match:
        return None
    return urljoin(base, html.unescape(match.group(1).decode("utf-8", "replace")))
