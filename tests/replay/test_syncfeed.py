"""The replay's CONSTRUCTED Tweede Kamer SyncFeed 2.0, over real HTTP.

Evidence for the shape (see ``replay/syncfeed.py``): the official tkData v1-0 XSDs in
``../shared/fixtures/upstream/tweedekamer-syncfeed/xsd-official/`` (every served entity is
validated against them here), ``SYNCFEED_SHAPE.md`` in that folder, the real 2026 entity quoted in
OpenDataPortaal #193, and berthubert/tkconv's ``tkgetxml.cc`` / ``tkconv.cc``.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import feedparser
import httpx
import pytest
import xmlschema

from replay.scenarios import ADOPTED_BESLUIT, REPLAY_NOW, SCENARIOS, scenario, snapshot
from replay.server import ReplayServer
from replay.syncfeed import CATEGORIES, FIRST_SKIPTOKEN, PAGE_SIZE, feed
from tests.conftest import UPSTREAM
from tests.scrapers.replay_helpers import replay

XSD = UPSTREAM / "tweedekamer-syncfeed" / "xsd-official" / "tkData-v1-0.xsd"
NS = "http://www.tweedekamer.nl/xsd/tkData/v1-0"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
A = "{http://www.w3.org/2005/Atom}"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MOTION_3067 = "453b400d-84f9-48e2-a4e7-936368383ee0"
VALIDATED = ("default", "adopted", "besluit-deleted")


@cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def lower_camel(name: str) -> str:
    return name[0].lower() + name[1:]


# ------------------------------------------------------------------------------------- client


class Page:
    """One Atom page, parsed by namespace URI."""

    def __init__(self, body: bytes) -> None:
        self.root = ET.fromstring(body)
        assert self.root.tag == A + "feed"
        self.entries = self.root.findall(A + "entry")

    def link(self, rel: str) -> str | None:
        found = [x.get("href") for x in self.root.findall(A + "link") if x.get("rel") == rel]
        assert len(found) <= 1
        return found[0] if found else None

    def tokens(self) -> list[int]:
        return [entry_token(e) for e in self.entries]


def token_of(href: str) -> int:
    return int(parse_qs(urlsplit(href).query)["skiptoken"][0])


def entry_token(entry: ET.Element) -> int:
    links = [x for x in entry.findall(A + "link") if x.get("rel") == "next"]
    assert len(links) == 1
    href = links[0].get("href")
    assert href is not None
    return token_of(href)


def entity_of(entry: ET.Element) -> ET.Element:
    content = entry.find(A + "content")
    assert content is not None
    assert content.get("type") == "application/xml"
    children = list(content)
    assert len(children) == 1
    return children[0]


async def walk(
    http: httpx.AsyncClient, base: str, category: str | None, skiptoken: int | None = None
) -> tuple[list[ET.Element], list[Page]]:
    """Follow feed-level ``next`` links from ``skiptoken`` until a page has none."""
    params = {"category": category} if category else {}
    if skiptoken is not None:
        params["skiptoken"] = str(skiptoken)
    r = await http.get(base + "/Feed", params=params)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    pages = [Page(r.content)]
    while (nxt := pages[-1].link("next")) is not None:
        r = await http.get(nxt)
        assert r.status_code == 200
        pages.append(Page(r.content))
    return [e for p in pages for e in p.entries], pages


# --------------------------------------------------------------------------------------- XSD


def served_entities(name: str) -> Iterator[tuple[int, str, str]]:
    """(step, category, entity XML) of every entity a scenario's feed serves, each once."""
    seen: set[str] = set()
    for step in range(scenario(name).steps):
        for event in feed(name, step).events:
            if event.xml not in seen:
                seen.add(event.xml)
                yield step, event.category, event.xml


@pytest.mark.parametrize("name", VALIDATED)
def test_every_served_entity_validates_against_the_official_xsd(name: str) -> None:
    checked: dict[str, int] = {}
    for step, category, xml in served_entities(name):
        errors = list(schema().iter_errors(xml))
        assert not errors, f"{name} step {step} {category}: {errors[0]}\n{xml}"
        root = ET.fromstring(xml)
        assert root.tag == f"{{{NS}}}{lower_camel(category)}"
        checked[category] = checked.get(category, 0) + 1
    assert set(checked) == set(CATEGORIES)


async def test_entities_as_served_over_http_validate(shared_fixtures: Path) -> None:
    assert XSD.is_file()
    async with replay("besluit-deleted") as server, httpx.AsyncClient() as http:
        base = server.urls["tweedekamer_syncfeed_url"]
        for step in (0, 1):
            if step:
                server.advance()
            for category in CATEGORIES:
                entries, _ = await walk(http, base, category)
                assert entries
                for entry in entries:
                    entity = entity_of(entry)
                    assert schema().is_valid(ET.ElementTree(entity)), ET.tostring(entity)
        r = await http.get(f"{base}/Entiteiten/{ADOPTED_BESLUIT}")
        assert r.status_code == 200
        assert schema().is_valid(r.text.split("\n", 1)[1])


def test_the_schema_check_can_fail() -> None:
    xml = feed("default", 0).category_events("Besluit")[1][0].xml
    assert schema().is_valid(xml)
    swapped = re.sub(
        r"(<stemmingsSoort>.*?</stemmingsSoort>)(<besluitSoort>.*?</besluitSoort>)", r"\2\1", xml
    )
    assert swapped != xml
    assert not schema().is_valid(swapped)  # sequence order matters
    alien = "<hoogsteVolgnummer>1</hoogsteVolgnummer>"  # a Kamerstukdossier element
    assert not schema().is_valid(xml.replace("<opmerking", alien + "<opmerking"))
    assert not schema().is_valid(xml.replace(' tk:verwijderd="false"', ""))


# -------------------------------------------------------------------------------- Atom pages


async def test_pages_next_links_and_resume() -> None:
    async with replay("bulk-rewrite") as server, httpx.AsyncClient() as http:
        server.advance()  # every entity twice: Stemming has 2 x 127 entries
        base = server.urls["tweedekamer_syncfeed_url"]
        entries, pages = await walk(http, base, "Stemming")
        assert len(entries) == 2 * 127
        assert [len(p.entries) for p in pages] == [PAGE_SIZE, 2 * 127 - PAGE_SIZE]
        first = pages[0]
        nxt = first.link("next")
        assert nxt == f"{base}/Feed?skiptoken={first.tokens()[-1]}&category=Stemming"
        assert first.link("resume") is None
        assert pages[-1].link("next") is None
        tokens = [entry_token(e) for e in entries]
        assert tokens == sorted(tokens)
        assert len(set(tokens)) == len(tokens)
        for entry in entries:
            guid = entry.findtext(A + "title")
            assert guid is not None
            assert re.fullmatch(r"[0-9a-f-]{36}", guid)
            assert entry.findtext(A + "id") == f"{base}/Entiteiten/{guid}"
            category = entry.find(A + "category")
            assert category is not None
            assert category.get("term") == "stemming"
            updated = entry.findtext(A + "updated") or ""
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", updated)
            assert entity_of(entry).get("id") == guid
            href = next(x.get("href") for x in entry.findall(A + "link") if x.get("rel") == "next")
            assert href == f"{base}/Feed?skiptoken={entry_token(entry)}&category=Stemming"
        # caught up: no entries, a resume link with the same skiptoken
        head = tokens[-1]
        r = await http.get(base + "/Feed", params={"category": "Stemming", "skiptoken": head})
        caught_up = Page(r.content)
        assert caught_up.entries == []
        assert caught_up.link("resume") == f"{base}/Feed?skiptoken={head}&category=Stemming"
        assert caught_up.link("next") is None
        # the skiptoken is exclusive: resuming from any entry gives exactly what follows it
        middle = tokens[100]
        r = await http.get(base + "/Feed", params={"category": "Stemming", "skiptoken": middle})
        assert Page(r.content).tokens() == tokens[101 : 101 + PAGE_SIZE]
        r = await http.get(base + "/Feed", params={"category": "Stemming", "skiptoken": middle - 1})
        assert Page(r.content).tokens()[0] == middle


async def test_feedparser_reads_a_page() -> None:
    async with replay() as server, httpx.AsyncClient() as http:
        base = server.urls["tweedekamer_syncfeed_url"]
        r = await http.get(base + "/Feed", params={"category": "Zaak"})
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo
    assert len(parsed.entries) == 124
    entry = parsed.entries[0]
    assert entry.link  # feedparser takes the rel="next" link as the entry's
    assert entry.tags[0].term == "zaak"
    assert entry.id == f"{base}/Entiteiten/{entry.title}"


def test_skiptokens_one_global_sequence_from_about_21_million() -> None:
    for name in SCENARIOS:
        for step in range(scenario(name).steps):
            tokens = [e.token for e in feed(name, step).events]
            assert tokens[0] == FIRST_SKIPTOKEN > 21_000_000
            assert all(a < b for a, b in itertools.pairwise(tokens))
            assert any(b - a > 1 for a, b in itertools.pairwise(tokens))  # gaps


def test_later_steps_only_append() -> None:
    for name in SCENARIOS:
        for step in range(1, scenario(name).steps):
            before, after = feed(name, step - 1).events, feed(name, step).events
            assert after[: len(before)] == before


def test_step_zero_is_every_entity_in_api_gewijzigd_op_order() -> None:
    graph = snapshot("default", 0).graph
    events = feed("default", 0).events
    assert {(e.category, e.id) for e in events} == {
        (c, key) for c in CATEGORIES for key in graph.sets[c]
    }
    assert len(events) == sum(len(graph.sets[c]) for c in CATEGORIES)
    stamps = [graph.sets[e.category][e.id]["ApiGewijzigdOp"] for e in events]
    known = [parse(s) for s in stamps if s]
    assert known == sorted(known)


async def test_requests_are_counted_and_errors_are_short() -> None:
    async with replay() as server, httpx.AsyncClient() as http:
        base = server.urls["tweedekamer_syncfeed_url"]
        assert base == server.base_url + "/SyncFeed/2.0"
        before = server.request_count
        r = await http.get(base + "/Feed", params={"category": "Agendapunt"})
        assert r.status_code == 400
        assert "Agendapunt" in r.text
        assert len(r.text) < 200
        assert (await http.get(base + "/Feed?category=Zaak&skiptoken=abc")).status_code == 400
        missing = await http.get(base + "/Entiteiten/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404
        assert (await http.get(base + "/Elders")).status_code == 404
        assert server.request_count == before + 4


@pytest.mark.parametrize(("name", "status"), [("http500", 500), ("html-200", 200)])
async def test_faults_apply_to_the_syncfeed(name: str, status: int) -> None:
    async with replay(name) as server, httpx.AsyncClient() as http:
        url = server.urls["tweedekamer_syncfeed_url"] + "/Feed?category=Zaak"
        r = await http.get(url)
        assert r.status_code == status
        assert not r.text.startswith("<?xml")
        server.advance()
        r = await http.get(url)
        assert r.status_code == 200
        assert len(Page(r.content).entries) == 124


# ----------------------------------------------------------------------- values and namespaces


def parse(stamp: str) -> datetime:
    """An OData timestamp or a ``tk:bijgewerkt`` (no zone = Amsterdam local time)."""
    text = stamp.replace("Z", "+00:00")
    match = re.fullmatch(r"(.{19})(?:\.(\d+))?([+-]\d\d:\d\d)?", text)
    assert match, stamp
    head, frac, zone = match.groups()
    micro = int(((frac or "") + "000000")[:6])
    value = datetime.fromisoformat(head).replace(microsecond=micro)
    if zone is None:
        return value.replace(tzinfo=AMSTERDAM)
    return value.replace(tzinfo=datetime.fromisoformat("2000-01-01T00:00:00" + zone).tzinfo)


def odata_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_entity(name: str, step: int, category: str, entity: ET.Element) -> None:
    graph = snapshot(name, step).graph
    key = entity.get("id")
    assert key is not None
    record = graph.get(category, key)
    assert record is not None, (category, key)
    cat = CATEGORIES[category]
    bijgewerkt = entity.get(f"{{{NS}}}bijgewerkt")
    assert bijgewerkt is not None
    deleted = entity.get(f"{{{NS}}}verwijderd")
    assert deleted == ("true" if record["Verwijderd"] else "false")
    if record["GewijzigdOp"]:
        got, want = parse(bijgewerkt), parse(record["GewijzigdOp"])
        if bijgewerkt.endswith("Z"):
            assert got == want.replace(microsecond=0)
        else:
            assert got == want
    if deleted == "true":
        assert list(entity) == []
        return
    children: dict[str, list[ET.Element]] = {}
    for child in entity:
        assert child.tag.startswith(f"{{{NS}}}")
        children.setdefault(child.tag.removeprefix(f"{{{NS}}}"), []).append(child)
    for element, kind, source, _ in cat.fields:
        found = children.pop(element, [])
        if kind in ("ref", "refs"):
            refs = [c.get("ref") for c in found]
            if kind == "ref" and record.get(source):
                assert refs == [str(record[source]).lower()]
            else:
                nav = source.removesuffix("_Id")
                links = graph.links.get((category, key, nav), [])
                assert refs == (links[:1] if kind == "ref" else links)
            continue
        want = odata_value(record[source])
        if want is None or (kind == "token" and not want.strip()):
            assert all(c.get(XSI_NIL) == "true" for c in found)
            assert len(found) <= 1
        else:
            assert [c.text for c in found] == [want], (category, key, element)
    assert not children


@pytest.mark.parametrize(("name", "step"), [("default", 0), ("adopted", 1), ("besluit-deleted", 1)])
async def test_values_equal_the_odata_records(name: str, step: int) -> None:
    async with replay(name) as server, httpx.AsyncClient() as http:
        for _ in range(step):
            server.advance()
        base = server.urls["tweedekamer_syncfeed_url"]
        seen: set[str] = set()
        for category in CATEGORIES:
            entries, _ = await walk(http, base, category)
            latest = {entity_of(e).get("id"): entity_of(e) for e in entries}
            for key, entity in latest.items():
                check_entity(name, step, category, entity)
                assert key is not None
                seen.add(key)
        # the same ids as the OData side serves
        r = await http.get(server.urls["tweedekamer_url"] + f"/Zaak({MOTION_3067})")
        assert r.json()["Id"] in seen
    graph = snapshot(name, step).graph
    assert seen == {key for c in CATEGORIES for key in graph.sets[c]}


async def test_kamerstukdossier_uses_the_ns1_prefix_and_parses_by_namespace() -> None:
    async with replay() as server, httpx.AsyncClient() as http:
        r = await http.get(
            server.urls["tweedekamer_syncfeed_url"] + "/Feed",
            params={"category": "Kamerstukdossier"},
        )
    assert "<ns1:kamerstukdossier " in r.text
    assert 'ns1:bijgewerkt="' in r.text
    entities = [entity_of(e) for e in Page(r.content).entries]
    assert len(entities) == 6
    assert all(e.tag == f"{{{NS}}}kamerstukdossier" for e in entities)
    assert {e.findtext(f"{{{NS}}}nummer") for e in entities} >= {"21501", "35570"}


def test_bijgewerkt_formats_vary_like_real_feeds() -> None:
    stamps = [
        m.group(1)
        for e in feed("default", 0).events
        for m in [re.search(r'(?:tk|ns1):bijgewerkt="([^"]+)"', e.xml)]
        if m
    ]
    local = [s for s in stamps if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}", s)]
    utc = [s for s in stamps if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s)]
    assert local
    assert utc
    assert len(local) + len(utc) == len(stamps)


# ---------------------------------------------------------------------------------- scenarios


async def test_adopted_appends_the_besluit_and_its_votes() -> None:
    async with replay("adopted") as server, httpx.AsyncClient() as http:
        base = server.urls["tweedekamer_syncfeed_url"]
        heads = {}
        for category in ("Besluit", "Stemming"):
            entries, _ = await walk(http, base, category)
            heads[category] = entry_token(entries[-1])
        server.advance()
        r = await http.get(
            base + "/Feed", params={"category": "Besluit", "skiptoken": heads["Besluit"]}
        )
        new = Page(r.content)
        assert [e.findtext(A + "title") for e in new.entries] == [ADOPTED_BESLUIT]
        besluit = entity_of(new.entries[0])
        assert besluit.findtext(f"{{{NS}}}besluitSoort") == "Stemmen - aangenomen"
        zaak = besluit.find(f"{{{NS}}}zaak")
        assert zaak is not None
        assert zaak.get("ref") == MOTION_3067
        entries, _ = await walk(http, base, "Stemming", heads["Stemming"])
        refs = {entity_of(e).find(f"{{{NS}}}besluit").get("ref") for e in entries}  # type: ignore[union-attr]
        assert refs == {ADOPTED_BESLUIT}
        assert len(entries) == len(snapshot("adopted", 1).graph.sets["Stemming"]) - len(
            snapshot("adopted", 0).graph.sets["Stemming"]
        )
        assert min(entry_token(e) for e in entries) > heads["Besluit"]  # one global sequence


async def test_besluit_deleted_gives_deleted_entries() -> None:
    async with replay("besluit-deleted") as server, httpx.AsyncClient() as http:
        base = server.urls["tweedekamer_syncfeed_url"]
        head = feed("besluit-deleted", 0).head
        votes = [r for r in snapshot("besluit-deleted", 0).graph.sets["Stemming"].values()
                 if r["Besluit_Id"] == ADOPTED_BESLUIT]  # fmt: skip
        assert votes
        # step 0: the Besluit as it was
        r = await http.get(f"{base}/Entiteiten/{ADOPTED_BESLUIT}")
        assert ET.fromstring(r.content).get(f"{{{NS}}}verwijderd") == "false"
        server.advance()
        r = await http.get(base + "/Feed", params={"category": "Besluit", "skiptoken": head})
        entries = Page(r.content).entries
        assert [e.findtext(A + "title") for e in entries] == [ADOPTED_BESLUIT]
        gone = entity_of(entries[0])
        assert gone.tag == f"{{{NS}}}besluit"
        assert gone.get(f"{{{NS}}}verwijderd") == "true"
        assert list(gone) == []
        assert parse(gone.get(f"{{{NS}}}bijgewerkt") or "") == parse(REPLAY_NOW)
        assert entries[0].findtext(A + "updated") == "2025-10-06T08:00:00.0000000Z"
        stemming, _ = await walk(http, base, "Stemming", head)
        assert {e.findtext(A + "title") for e in stemming} == {v["Id"] for v in votes}
        assert all(entity_of(e).get(f"{{{NS}}}verwijderd") == "true" for e in stemming)
        for category in ("Zaak", "ZaakActor", "Document", "Kamerstukdossier"):
            r = await http.get(base + "/Feed", params={"category": category, "skiptoken": head})
            assert Page(r.content).entries == []
        r = await http.get(f"{base}/Entiteiten/{ADOPTED_BESLUIT}")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/xml")
        alone = ET.fromstring(r.content)
        assert alone.get(f"{{{NS}}}verwijderd") == "true"
        assert list(alone) == []
        # the OData side serves the Gegevensmagazijn's tombstone
        odata = await http.get(server.urls["tweedekamer_url"] + f"/Besluit({ADOPTED_BESLUIT})")
        record = odata.json()
        assert record["Verwijderd"] is True
        assert record["ApiGewijzigdOp"] == REPLAY_NOW
        assert record["BesluitSoort"] is None


def test_bulk_rewrite_restamps_every_entity() -> None:
    before, after = feed("bulk-rewrite", 0).events, feed("bulk-rewrite", 1).events
    appended = after[len(before) :]
    assert sorted((e.category, e.id) for e in appended) == sorted(
        (e.category, e.id) for e in before
    )
    assert all(e.updated == "2025-10-07T08:00:00.0000000Z" for e in appended)


def test_unchanged_scenarios_append_nothing() -> None:
    assert feed("http500", 1).events == feed("http500", 0).events


async def test_entity_endpoint_serves_the_xml_alone() -> None:
    async with replay() as server, httpx.AsyncClient() as http:
        base = server.urls["tweedekamer_syncfeed_url"]
        r = await http.get(f"{base}/Entiteiten/{MOTION_3067.upper()}")
    assert r.status_code == 200
    assert r.text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<zaak ')
    root = ET.fromstring(r.content)
    assert root.findtext(f"{{{NS}}}nummer") == "2025Z04608"
    assert schema().is_valid(r.text.split("\n", 1)[1])


def test_server_url_entry() -> None:
    assert ReplayServer().urls["tweedekamer_syncfeed_url"].endswith("/SyncFeed/2.0")
    assert datetime(2025, 1, 1, tzinfo=UTC) < parse(REPLAY_NOW)


async def test_document_with_a_file_has_an_enclosure() -> None:
    graph = snapshot("default", 0).graph
    letter = next(r for r in graph.sets["Document"].values() if r["DocumentNummer"] == "2021D41766")
    async with replay() as server, httpx.AsyncClient() as http:
        base = server.urls["tweedekamer_syncfeed_url"]
        entries, _ = await walk(http, base, "Document")
        links = {
            e.findtext(A + "title"): [x.get("href") for x in e.findall(A + "link")
                                      if x.get("rel") == "enclosure"]
            for e in entries
        }  # fmt: skip
        assert links[letter["Id"]] == [f"{base}/Resources/{letter['Id']}"]
        assert sum(1 for v in links.values() if v) == 3  # the three DERIVED letters
        r = await http.get(f"{base}/Resources/{letter['Id']}")
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        assert "moties" in r.text
        without = next(k for k, v in links.items() if not v)
        assert (await http.get(f"{base}/Resources/{without}")).status_code == 404


async def test_feed_without_category_interleaves_all_categories() -> None:
    async with replay() as server, httpx.AsyncClient() as http:
        base = server.urls["tweedekamer_syncfeed_url"]
        entries, pages = await walk(http, base, None)
    assert len(pages) == 2
    assert pages[0].link("next") == f"{base}/Feed?skiptoken={pages[0].tokens()[-1]}"
    tokens = [entry_token(e) for e in entries]
    assert tokens == [e.token for e in feed("default", 0).events]
    terms = {e.find(A + "category").get("term") for e in entries}  # type: ignore[union-attr]
    assert terms == {lower_camel(c) for c in CATEGORIES}


async def find_head(http: httpx.AsyncClient, base: str, category: str) -> tuple[int, int]:
    """(head skiptoken, requests) without walking history: exponential probing, then bisection;
    a page with entries and no feed-level ``next`` names the head itself (its last entry)."""
    requests = 0

    async def probe(token: int) -> Page:
        nonlocal requests
        requests += 1
        r = await http.get(base + "/Feed", params={"category": category, "skiptoken": token})
        assert r.status_code == 200
        return Page(r.content)

    lo, hi = 0, 1 << 20  # lo: a token with entries after it; hi: probed until none after it
    while (page := await probe(hi)).entries:
        if page.link("next") is None:
            return page.tokens()[-1], requests
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        page = await probe(mid)
        if not page.entries:
            hi = mid
        elif page.link("next") is None:
            return page.tokens()[-1], requests
        else:
            lo = mid
    return hi, requests


@pytest.mark.parametrize("category", list(CATEGORIES))
async def test_the_head_can_be_found_without_walking_history(category: str) -> None:
    async with replay("bulk-rewrite") as server, httpx.AsyncClient() as http:
        server.advance()
        base = server.urls["tweedekamer_syncfeed_url"]
        head, requests = await find_head(http, base, category)
        assert head == feed("bulk-rewrite", 1).category_events(category)[0][-1]
        assert requests <= 32
        # an identical re-poll from the head costs one request and brings nothing
        r = await http.get(base + "/Feed", params={"category": category, "skiptoken": head})
        assert Page(r.content).entries == []


async def test_syncfeed_keeps_the_2_0_vocabulary_when_v5_loses_a_property() -> None:
    async with replay("v5-missing-property") as server, httpx.AsyncClient() as http:
        base = server.urls["tweedekamer_syncfeed_url"]
        head = feed("v5-missing-property", 0).head
        server.advance()
        r = await http.get(base + "/Feed", params={"category": "Besluit", "skiptoken": head})
    entries = Page(r.content).entries
    assert [e.findtext(A + "title") for e in entries] == [ADOPTED_BESLUIT]
    assert entity_of(entries[0]).findtext(f"{{{NS}}}besluitSoort") == "Stemmen - aangenomen"
