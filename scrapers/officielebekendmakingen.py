"""officiële bekendmakingen (repository.overheid.nl): new Kamerstukken on the topic's dossiers.

Two ways in, one way out:

* **SRU** ``searchRetrieve`` (CQL) on the topic's dossiers, modified since the cursor date:
  ``w.publicatienaam=="Kamerstuk" and (w.dossiernummer=="21501-02" or …) and dt.modified>="…"``,
  paged with ``startRecord``/``nextRecordPosition``;
* the **RSS** search feed (fetched as bytes with validators, parsed by feedparser): items that
  name the topic and were not in the SRU answer are looked up in SRU by ``dt.identifier``.

Each on-topic letter or motion is read from its official XML (the record's ``xml`` manifestation)
and handed to ``scrapers.letters``. Letters carry their Kamerstuk id (``kst-21501-02-2423`` →
``21501-02-2423``), which is how the poll cycle de-duplicates them against the Tweede Kamer source.

The **Handelingen** of the topic's dossiers and of the watched motions come in the same search
(``w.publicatienaam=="Handelingen"`` with ``w.behandeldDossier``, the motions or bills an item
handles) and are read the same way: a vote section gives, for each watched motion and each
motion of the topic's dossiers whose title in the section names the topic, its decision with the
date of the meeting and the parties named as voting for and against
(``motions_from_handelingen``) — what many older motions lack upstream, where the Besluit has no
Stemming rows. Such a decision carries the Handelingen item's URL as its ``source``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import feedparser  # type: ignore[import-untyped]

from scrapers.base import ParseError, SourceError, SourceResult
from scrapers.budgets import budget_letter, budget_query, is_budget_dossier
from scrapers.document import ExtractedDocument
from scrapers.http import HttpClient, Validators, same_host
from scrapers.letters import extract_document, to_letter
from scrapers.sru_queries import dossier_clause, publications_clause, quote
from scrapers.text import to_text
from scrapers.topics import TopicProfile
from state.models import (
    MOTION_ID_RE,
    Decision,
    DocumentKind,
    Letter,
    Motion,
    ParliamentaryStatus,
    PartyVote,
    Submitter,
    VoteChoice,
    dossier_of,
)

__all__ = [
    "OfficieleBekendmakingenSource",
    "SruRecord",
    "motions_from_handelingen",
    "parse_sru",
]

logger = logging.getLogger(__name__)

NS = {
    "sru": "http://docs.oasis-open.org/ns/search-ws/sruResponse",
    "dcterms": "http://purl.org/dc/terms/",
    "ow": "http://standaarden.overheid.nl/wetgeving/",
    "gzd": "http://standaarden.overheid.nl/sru",
    "diag": "http://docs.oasis-open.org/ns/search-ws/diagnostic",
}
PAGE = 100
MAX_PAGES = 50
ID_BATCH = 20
_ITEM_ID_RE = re.compile(r"/((?:kst|blg|h|stb|stcrt)-[\w.-]+?)(?:\.html?)?$")


@dataclass(frozen=True, slots=True)
class SruRecord:
    """The parts of one SRU record kamerwacht uses."""

    identifier: str
    title: str
    documenttitel: str | None
    subrubriek: str | None
    dossier: str | None
    modified: str | None
    date: date | None
    xml_url: str | None
    preferred_url: str | None

    @property
    def kamerstuk(self) -> str | None:
        """``kst-21501-02-2423`` → ``21501-02-2423`` (None for ``kst-1027687`` style ids)."""
        ident = self.identifier.removeprefix("kst-")
        return ident if self.identifier.startswith("kst-") and MOTION_ID_RE.match(ident) else None

    @property
    def kind(self) -> DocumentKind:
        """Letter, motion or something else, from the subrubriek or the title."""
        sub = (self.subrubriek or "").casefold()
        if sub == "motie" or "; motie;" in self.title.casefold():
            return DocumentKind.MOTION
        if sub == "brief" or "; brief regering;" in self.title.casefold():
            return DocumentKind.LETTER
        return DocumentKind.OTHER


def _text(node: ET.Element, path: str) -> str | None:
    found = node.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def parse_sru(content: bytes, url: str) -> tuple[list[SruRecord], int, int | None]:
    """Records, numberOfRecords and nextRecordPosition of a searchRetrieve response."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise ParseError(url, f"invalid SRU XML: {exc}") from exc
    if not root.tag.endswith("searchRetrieveResponse"):
        raise ParseError(url, f"not an SRU searchRetrieveResponse: <{root.tag}>")
    diagnostic = root.find(".//diag:message", NS)
    if diagnostic is not None and diagnostic.text:
        raise ParseError(url, f"SRU diagnostic: {diagnostic.text.strip()}")
    records: list[SruRecord] = []
    for rec in root.iterfind(".//sru:record", NS):
        ident = _text(rec, ".//dcterms:identifier")
        if not ident:
            continue
        xml_url = None
        for item in rec.iterfind(".//gzd:itemUrl", NS):
            if item.get("manifestation") == "xml" and item.text:
                xml_url = item.text.strip()
        records.append(
            SruRecord(
                identifier=ident,
                title=_text(rec, ".//dcterms:title") or ident,
                documenttitel=_text(rec, ".//ow:documenttitel"),
                subrubriek=_text(rec, ".//ow:subrubriek"),
                dossier=_text(rec, ".//ow:dossiernummer"),
                modified=_text(rec, ".//dcterms:modified"),
                date=_date(_text(rec, ".//dcterms:date") or _text(rec, ".//dcterms:issued")),
                xml_url=xml_url or _text(rec, ".//gzd:url"),
                preferred_url=_text(rec, ".//gzd:preferredUrl"),
            )
        )
    total = _text(root, "sru:numberOfRecords") or "0"
    if not _is_count(total):
        raise ParseError(url, f"SRU numberOfRecords is not a number: {total[:40]!r}")
    nxt = _text(root, "sru:nextRecordPosition")
    return records, int(total), int(nxt) if nxt and _is_count(nxt) else None


def _is_count(value: str) -> bool:
    """ASCII digits only (``"²".isdigit()`` is true, but ``int("²")`` fails)."""
    return value.isascii() and value.isdigit()


class OfficieleBekendmakingenSource:
    """SRU + RSS on the topic's dossiers; yields letters (and motion documents) with their text."""

    name = "officielebekendmakingen"

    def __init__(
        self,
        base_url: str,
        rss_url: str,
        topic: TopicProfile,
        *,
        lookback: timedelta | None = None,
    ) -> None:
        self.sru_url = base_url.rstrip("/") + "/sru"
        self.rss_url = rss_url
        self.topic = topic
        self.lookback = lookback

    def _dossier_clause(self) -> str:
        return dossier_clause(self.topic.dossiers)

    async def _search(self, client: HttpClient, query: str) -> tuple[list[SruRecord], int]:
        records: list[SruRecord] = []
        start = 1
        for _ in range(MAX_PAGES):
            params = {
                "operation": "searchRetrieve",
                "version": "2.0",
                "recordSchema": "gzd",
                "query": query,
                "startRecord": str(start),
                "maximumRecords": str(PAGE),
            }
            result = await client.get(self.sru_url, params=params)
            page, _, nxt = parse_sru(result.content, result.url)
            records.extend(page)
            if nxt is None or nxt <= start or not page:
                return records, len(records)
            start = nxt
        raise ParseError(self.sru_url, f"more than {MAX_PAGES} SRU pages")

    async def poll(
        self, client: HttpClient, cursors: Mapping[str, str], watchlist: frozenset[str]
    ) -> SourceResult:
        """New Kamerstukken since the cursor date, from SRU and the RSS feed."""
        started = client.requests_made
        notes: list[str] = []
        new_cursors = dict(cursors)
        since = cursors.get("modified")
        if since is None and self.lookback is not None:
            since = (date.today() - self.lookback).isoformat()  # noqa: DTZ011 - a calendar date
        clauses = [publications_clause(self.topic.dossiers, watchlist)]
        if since:
            clauses.append(f'dt.modified>="{since}"')
        records, seen = await self._search(client, " and ".join(clauses))
        found = {r.identifier: r for r in records}
        rss_ids, rss_seen = await self._rss(client, cursors, new_cursors, notes)
        seen += rss_seen
        missing = sorted(i for i in rss_ids if i not in found)
        for i in range(0, len(missing), ID_BATCH):
            batch = " or ".join(f"dt.identifier=={i_}" for i_ in missing[i : i + ID_BATCH])
            extra, count = await self._search(client, batch)
            seen += count
            found.update({r.identifier: r for r in extra})
        done = set((cursors.get("seen") or "").split())
        budget_records, count = await self._budget_records(client, since, new_cursors, notes)
        seen += count
        budget_records = {k: r for k, r in budget_records.items() if k not in found}
        found.update(budget_records)
        latest = max([since or "", *(r.modified or "" for r in found.values())])
        letters: dict[str, Letter] = {}
        for record in sorted(found.values(), key=lambda r: r.identifier):
            key = f"{record.identifier}@{record.modified or ''}"
            if key in done or record.kind is DocumentKind.OTHER:
                continue
            if not (self.topic.matches(record.title) or record.identifier in rss_ids):
                continue
            letter = await self._letter(client, record, notes)
            if letter is not None:
                letters[letter.id] = letter
        for record in sorted(budget_records.values(), key=lambda r: r.identifier):
            if f"{record.identifier}@{record.modified or ''}" in done:
                continue
            budget = await self._budget(client, record, notes)
            if budget is not None:
                letters.setdefault(budget.id, budget)
        handelingen = [r for r in records if r.identifier.startswith("h-")]
        motions = await self._handelingen(client, handelingen, watchlist, done, notes)
        if latest:
            new_cursors["modified"] = latest
            new_cursors["seen"] = " ".join(
                sorted(
                    f"{r.identifier}@{r.modified or ''}"
                    for r in found.values()
                    if (r.modified or "") >= latest
                )
            )
        for note in notes:
            logger.info("officielebekendmakingen: %s", note)
        return SourceResult(
            source=self.name,
            letters=tuple(letters[k] for k in sorted(letters)),
            motions=tuple(motions),
            cursors=new_cursors,
            items_seen=seen,
            requests=client.requests_made - started,
            skipped=tuple(notes),
        )

    async def _handelingen(
        self,
        client: HttpClient,
        records: list[SruRecord],
        watchlist: frozenset[str],
        done: set[str],
        notes: list[str],
    ) -> list[Motion]:
        """Decisions and party votes from the Handelingen items the SRU search found."""
        dossiers = set(self.topic.dossiers)

        def wanted(motion_id: str) -> bool:
            return motion_id in watchlist or dossier_of(motion_id) in dossiers

        out: dict[str, Motion] = {}
        for record in sorted(records, key=lambda r: r.identifier):
            if f"{record.identifier}@{record.modified or ''}" in done or not record.xml_url:
                continue
            fetched = await self._fetch_text(client, record, notes)
            if fetched is None:
                continue
            text = fetched[0]
            doc = extract_document(text, source=record.xml_url)
            url = record.preferred_url or record.xml_url
            for motion in motions_from_handelingen(
                doc, record.identifier, url, record.date, wanted
            ):
                # a vote section of a topic dossier decides many other motions too (21501-02 is
                # every Foreign Affairs Council): only a watched one or one whose title as the
                # section lists it names the topic is reported
                if motion.id in watchlist or self.topic.matches(motion.title):
                    out[motion.id] = motion
        return [out[k] for k in sorted(out)]

    async def _rss(
        self,
        client: HttpClient,
        cursors: Mapping[str, str],
        new_cursors: dict[str, str],
        notes: list[str],
    ) -> tuple[set[str], int]:
        """Identifiers of on-topic feed items not handled before, and the number of items."""
        terms = " or ".join(f"cql.textAndIndexes={quote(t)}" for t in self.topic.terms[:4])
        query = " or ".join(c for c in (self._dossier_clause(), f"({terms})") if c)
        validators = Validators(cursors.get("rss_etag"), cursors.get("rss_last_modified"))
        result = await client.get(
            self.rss_url,
            params={"q": query},
            headers={"Accept": "application/rss+xml, application/atom+xml;q=0.9, */*;q=0.1"},
            validators=validators,
        )
        if result.not_modified:
            return set(), 0
        feed = feedparser.parse(result.content, response_headers=dict(result.headers))
        if feed.bozo and not feed.entries:
            raise ParseError(result.url, f"not a feed: {feed.get('bozo_exception')!s}")
        new_cursors["rss_etag"] = result.etag or ""
        new_cursors["rss_last_modified"] = result.last_modified or ""
        done = set((cursors.get("rss_seen") or "").split())
        wanted: set[str] = set()
        for entry in feed.entries:
            link = str(entry.get("link") or "")
            match = _ITEM_ID_RE.search(link)
            if not match:
                continue
            text = f"{entry.get('title', '')} {entry.get('summary', '')}"
            if self.topic.matches(text):
                wanted.add(match.group(1))
        new_cursors["rss_seen"] = " ".join(sorted(wanted))
        return wanted - done, len(feed.entries)

    async def _fetch_text(
        self, client: HttpClient, record: SruRecord, notes: list[str]
    ) -> tuple[str, bytes] | None:
        """The text of a record's xml manifestation (and its bytes); None with a note if not."""
        if not record.xml_url:
            notes.append(f"{record.identifier}: no xml manifestation")
            return None
        if not same_host(record.xml_url, self.sru_url):
            notes.append(f"{record.identifier}: xml not on the source's host, not fetched")
            return None
        try:
            result = await client.get(record.xml_url)
        except SourceError as exc:
            if exc.status in (404, 410):
                notes.append(f"{record.identifier}: xml not available (HTTP {exc.status})")
                return None
            raise
        try:
            name = record.xml_url.rsplit("/", 1)[-1]
            return to_text(result.content, result.content_type, name), result.content
        except ValueError as exc:
            notes.append(f"{record.identifier}: text unreadable ({exc})")
            return None

    async def _budget_records(
        self, client: HttpClient, since: str | None, new_cursors: dict[str, str], notes: list[str]
    ) -> tuple[dict[str, SruRecord], int]:
        """Begrotingen and jaarverslagen of the topic's ministries; searched once a day."""
        today = date.today().isoformat()  # noqa: DTZ011 - a calendar date
        if not self.topic.ministries or new_cursors.get("budgets_searched", "") >= today:
            return {}, 0
        try:
            records, count = await self._search(client, budget_query(since))
        except ParseError as exc:
            notes.append(f"begrotingen/jaarverslagen not searched: {exc}")
            return {}, 0
        new_cursors["budgets_searched"] = today
        chapters = self.topic.ministries
        return {r.identifier: r for r in records if is_budget_dossier(r.dossier, chapters)}, count

    async def _budget(
        self, client: HttpClient, record: SruRecord, notes: list[str]
    ) -> Letter | None:
        """A begroting's or jaarverslag's motion overview as a letter of reports (or None)."""
        fetched = await self._fetch_text(client, record, notes)
        if fetched is None:
            return None
        letter = budget_letter(
            fetched[0],
            identifier=record.identifier,
            kamerstuk=record.kamerstuk,
            title=record.title,
            url=record.preferred_url or record.xml_url,
            date=record.date,
            source=self.name,
        )
        if letter is None:
            notes.append(f"{record.identifier}: no motion overview with a status")
        return letter

    async def _letter(
        self, client: HttpClient, record: SruRecord, notes: list[str]
    ) -> Letter | None:
        ident = record.kamerstuk or record.identifier
        title = record.documenttitel or record.title
        plain = Letter(
            id=ident,
            title=title,
            date=record.date,
            kind=record.kind,
            kamerstuk=record.kamerstuk,
            url=record.preferred_url,
            source=self.name,
        )
        fetched = await self._fetch_text(client, record, notes)
        if fetched is None:
            return plain
        text, content = fetched
        is_xml = content.lstrip()[:1] == b"<"
        doc = extract_document(text, source=record.xml_url or "", xml=content if is_xml else None)
        letter = to_letter(
            doc, letter_id=ident, url=record.preferred_url, source=self.name, title=title
        )
        return dataclasses.replace(
            letter,
            date=letter.date or record.date,
            kamerstuk=record.kamerstuk or letter.kamerstuk,
            kind=record.kind,
        )


def motions_from_handelingen(
    doc: ExtractedDocument,
    identifier: str,
    url: str,
    when: date | None,
    wanted: Callable[[str], bool],
) -> list[Motion]:
    """The motions a Handelingen item decides, each with that decision and the parties' votes.

    Only decisions taken in the meeting count (adopted, rejected, withdrawn, held, tied …); a
    motion merely put to the vote or mentioned gives nothing. Parties are named without seats.
    """
    if doc.kind is not DocumentKind.HANDELINGEN:
        return []
    cited = {m.id: m for m in doc.motions}
    out: list[Motion] = []
    for fact in doc.facts:
        if fact.decision is None or fact.decision is ParliamentaryStatus.REPLACED:
            continue
        if not wanted(fact.motion_id):
            continue
        votes = tuple(
            PartyVote(actor=p, party=p, choice=choice, seats=0)
            for names, choice in (
                (fact.parties_for, VoteChoice.FOR),
                (fact.parties_against, VoteChoice.AGAINST),
            )
            for p in names
        )
        decision = Decision(
            id=f"{identifier}#{fact.motion_id}",
            motion_id=fact.motion_id,
            status=fact.decision,
            raw_kind=f"Handelingen: {fact.decision.value}",
            text=fact.evidence,
            date=when or doc.date,
            final=True,
            votes=votes,
            source=url,
        )
        cite = cited.get(fact.motion_id)
        out.append(
            Motion(
                id=fact.motion_id,
                title=(cite.title or "") if cite else "",
                submitters=tuple(Submitter(n) for n in (cite.submitters if cite else ())),
                parliamentary_status=fact.decision,
                decisions=(decision,),
                source=OfficieleBekendmakingenSource.name,
            )
        )
    return out
