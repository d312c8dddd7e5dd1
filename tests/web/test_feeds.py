"""Atom feeds: all changes and one per motion, valid Atom 1.0 with links to the pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

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
    ids = [int(e.find("a:id", NS).text.rsplit("#", 1)[1]) for e in entries]  # type: ignore[union-attr]
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
    assert "21501-02-3067" in (root.find("a:title", NS).text or "")  # type: ignore[union-attr]
    assert (await client.get("/motie/21501-02-9999/feed.atom")).status_code == 404
