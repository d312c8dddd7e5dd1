"""rijksoverheid.nl: its document feed and document pages — a best-effort third source.

The feed URL is a setting. The current public feed is RSS (``/api/rss?query=<JSON>``, at most 20
items, relevance-ranked); the legacy open-data list (``opendata.rijksoverheid.nl/v1/…/documents``,
XML ``<documents>``) was reported retired in June 2026 but is still understood, because it is the
only shape ever recorded. Items that name the topic are read from their detail (legacy XML) or
their page (HTML → text) and handed to ``scrapers.letters``.

Failures raise ``SourceError`` like any source; the poll cycle records them (last error, last
success, items seen) and carries on with the other sources. A 304 (the feed sends validators)
means nothing to do.
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
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import feedparser  # type: ignore[import-untyped]

from scrapers.base import ParseError, SourceError, SourceResult
from scrapers.http import FetchResult, HttpClient, Validators, same_host
from scrapers.letters import extract_document, to_letter
from scrapers.text import to_text
from scrapers.topics import TopicProfile
from state.models import DocumentKind, Letter

__all__ = ["FeedItem", "RijksoverheidSource", "parse_feed"]

logger = logging.getLogger(__name__)

LETTER_TYPES = frozenset({"kamerstuk", "brief", "kamerbrief"})
_KAMERSTUK_PATH = re.compile(r"/documenten/kamerstukken/")


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
    raw = entry.get("published") or entry.get("updated")
    if not isinstance(raw, str):
        return None
    try:
        return parsedate_to_datetime(raw).date()
    except (TypeError, ValueError):
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
        except ValueError:
            return None


def parse_feed(result: FetchResult) -> list[FeedItem]:
    """The items of an RSS/Atom feed or of a legacy ``<documents>`` list."""
    head = result.content.lstrip()[:400]
    if b"<documents" in head:
        try:
            return _legacy_items(ET.fromstring(result.content))
        except ET.ParseError as exc:
            raise ParseError(result.url, f"invalid documents XML: {exc}") from exc
    feed = feedparser.parse(result.content, response_headers=dict(result.headers))
    if not feed.entries and (feed.bozo or not feed.get("version")):
        raise ParseError(result.url, f"not a feed ({result.content_type or 'no content type'})")
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

    def _params(self) -> dict[str, str] | None:
        """The search JSON the 2026 ``/api/rss`` endpoint needs (when the URL has none)."""
        parts = urlsplit(self.feed_url)
        if parts.path.rstrip("/").endswith("/api/rss") and "query=" not in parts.query:
            query = {
                "filters": [],
                "resultSearchTerm": self.topic.name.replace("-", " "),
                "pageTitle": "Zoeken",
            }
            return {"query": json.dumps(query, separators=(",", ":"))}
        return None

    async def poll(
        self, client: HttpClient, cursors: Mapping[str, str], watchlist: frozenset[str]
    ) -> SourceResult:
        """Read the feed (conditionally); new on-topic documents become letters."""
        started = client.requests_made
        notes: list[str] = []
        result = await client.get(
            self.feed_url,
            params=self._params(),
            headers={"Accept": "application/rss+xml, application/atom+xml;q=0.9, */*;q=0.1"},
            validators=Validators(cursors.get("etag"), cursors.get("last_modified")),
        )
        if result.not_modified:
            return SourceResult(
                source=self.name, cursors=dict(cursors), requests=client.requests_made - started
            )
        items = parse_feed(result)
        done = set((cursors.get("seen") or "").split())
        wanted = [i for i in items if i.is_letter and self.topic.matches(f"{i.title} {i.summary}")]
        letters: dict[str, Letter] = {}
        for item in wanted:
            if item.id in done:
                continue
            letter = await self._letter(client, item, notes)
            letters[letter.id] = letter
        for note in notes:
            logger.info("rijksoverheid: %s", note)
        return SourceResult(
            source=self.name,
            letters=tuple(letters[k] for k in sorted(letters)),
            cursors={
                **cursors,
                "etag": result.etag or "",
                "last_modified": result.last_modified or "",
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
