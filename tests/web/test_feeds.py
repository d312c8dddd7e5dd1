"""Atom feeds: all changes and one per motion, valid Atom 1.0 with links to the pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import feedparser
import httpx

from bot.settings import Settings
from bot.web.app import create_app
from state.repository import Repository
from tests.web.fixtures import second

NS = {"a": "http://www.w3.org/2005/Atom"}


def _parse(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:title", "a:id", "a:updated"):
        assert root.find(required, NS) is not None, required
    for entry in root.findall("a:entry", NS):
        for required in ("a:title", "a:id", "a:updated", "a:link"):
            assert entry.find(required, NS) is not None, required
    return root


async def test_feed_of_all_changes_newest_first(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    r = await client.get("/feed.atom")
    assert r.headers["content-type"].startswith("application/atom+xml")
    root = _parse(r.content)
    entries = root.findall("a:entry", NS)
    assert len(entries) == len(repo.changes())
    ids = [int(e.find("a:id", NS).text.rsplit(":", 1)[1]) for e in entries]  # type: ignore[union-attr]
    assert ids == sorted(ids, reverse=True)
    links = {e.find("a:link", NS).get("href") for e in entries}  # type: ignore[union-attr]
    assert "http://kamerwacht.test/motie/21501-02-3067" in links
    assert "http://kamerwacht.test/brieven#brief-21501-02-2423" in links
    summaries = " ".join(e.find("a:summary", NS).text or "" for e in entries)  # type: ignore[union-attr]
    assert (
        "Het kabinet zal dit blijven doen totdat al deze Armeense gevangenen vrij zijn."
        in summaries
    )
    assert root.find("a:link[@rel='self']", NS).get("href") == "http://kamerwacht.test/feed.atom"  # type: ignore[union-attr]


async def test_feed_of_one_motion(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    root = _parse((await client.get("/motie/21501-02-3067/feed.atom")).content)
    entries = root.findall("a:entry", NS)
    assert {e.find("a:link", NS).get("href") for e in entries} == {  # type: ignore[union-attr]
        "http://kamerwacht.test/motie/21501-02-3067"
    }
    assert "vote_recorded" in {e.find("a:category", NS).get("term") for e in entries}  # type: ignore[union-attr]
    assert (root.find("a:title", NS).text or "").startswith("kamerwacht · motie 21501-02-3067: ")  # type: ignore[union-attr]
    english = _parse((await client.get("/motie/21501-02-3067/feed.atom?lang=en")).content)
    assert (english.find("a:title", NS).text or "").startswith(
        "kamerwacht · motion 21501-02-3067: "
    )  # type: ignore[union-attr]
    assert (await client.get("/motie/21501-02-9999/feed.atom")).status_code == 404


# RFC 4151 tag URI: tag:authority,date:specific
_TAG_RE = re.compile(r"^tag:[a-z0-9.-]+,\d{4}(?:-\d{2}){0,2}:\S+$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$")


async def _feed_at(settings: Settings, repo: Repository, public_url: str, path: str) -> bytes:
    app = create_app(settings.model_copy(update={"public_url": public_url}), repo)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=public_url) as c:
        return (await c.get(path)).content


async def test_feeds_validate_with_stable_ids_and_each_changes_own_time(
    settings: Settings, repo: Repository
) -> None:
    second(repo)
    for path in ("/feed.atom", "/motie/21501-02-3067/feed.atom"):
        here = await _feed_at(settings, repo, "http://kamerwacht.test", path)
        moved = await _feed_at(settings, repo, "https://elders.example", path)
        parsed = feedparser.parse(here)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == "atom10"
        # RFC 4287 §4.2.6: ids never change, wherever the site is served from
        ids = [e.id for e in parsed.entries]
        assert [e.id for e in feedparser.parse(moved).entries] == ids
        assert parsed.feed.id == feedparser.parse(moved).feed.id
        assert all(_TAG_RE.match(i) for i in [*ids, parsed.feed.id])
        assert len(set(ids)) == len(ids)
        # §3.3 dates; each entry's updated is its change's own time, not one poll time
        root = ET.fromstring(here)
        updated = [u.text or "" for u in root.iter("{http://www.w3.org/2005/Atom}updated")]
        assert all(_RFC3339.match(u) for u in updated)
        entry_times = updated[1:]
        if path == "/feed.atom":
            assert len(set(entry_times)) > 1
        assert datetime.fromisoformat(updated[0]) == max(map(datetime.fromisoformat, entry_times))
    letter_entry = next(
        e
        for e in feedparser.parse(
            await _feed_at(settings, repo, "http://x.test", "/feed.atom")
        ).entries
        if "brieven" in e.link
    )
    letter = repo.get_letter(letter_entry.link.rsplit("#brief-", 1)[1])
    assert letter is not None
    assert letter.date is not None
    assert letter_entry.updated.startswith(letter.date.isoformat())
