"""Every list pages: at most ``limit`` items (default 100, at most 1000), an RFC 8288
``Link: <…>; rel="next"`` while more follow, the body still a JSON list; the board and the
letters page the same way, and pages are built off the event loop."""

from __future__ import annotations

import re
import threading
from html import unescape
from typing import Any

import httpx
import pytest

from bot.present import motion_json
from bot.web import pages
from state.models import Observation
from tests.web.fixtures import second

BASE = "http://kamerwacht.test"


def _next(response: httpx.Response) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    match = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert match, link
    assert match[1].startswith(BASE + "/")
    return match[1]


async def _follow(client: httpx.AsyncClient, url: str) -> tuple[list[Any], int]:
    items: list[Any] = []
    pages_seen = 0
    next_url: str | None = url
    while next_url:
        r = await client.get(next_url)
        assert r.status_code == 200
        body = r.json()
        assert isinstance(body, list)
        items += body
        pages_seen += 1
        next_url = _next(r)
    return items, pages_seen


async def test_api_motions_pages_with_link_headers(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    everything = [motion_json(e) for e in repo.board()]
    assert len(everything) == 5
    first = await client.get("/api/motions?limit=2&status=")
    assert len(first.json()) == 2
    assert "cursor=2" in (_next(first) or "")
    assert "limit=2" in (_next(first) or "")
    items, count = await _follow(client, "/api/motions?limit=2")
    assert items == everything
    assert count == 3
    whole = await client.get("/api/motions")
    assert whole.json() == everything
    assert "link" not in whole.headers
    huge = await client.get("/api/motions?limit=5000")
    assert huge.json() == everything  # clamped to 1000, not refused
    adopted, _ = await _follow(client, "/api/motions?limit=1&status=adopted")
    assert [m["id"] for m in adopted] == ["21501-02-3067"]
    for bad in ("limit=abc", "cursor=-1", "limit=1.5"):
        r = await client.get(f"/api/motions?{bad}")
        assert r.status_code == 400, bad
        assert bad.split("=")[0] in r.json()["error"]


async def test_api_changes_pages_forward(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    ids = [c.id for c in repo.changes()]
    assert len(ids) > 5
    items, count = await _follow(client, "/api/changes?limit=4")
    assert [c["id"] for c in items] == ids
    assert count == -(-len(ids) // 4)
    after, _ = await _follow(client, f"/api/changes?limit=2&since={ids[2]}")
    assert [c["id"] for c in after] == ids[3:]


async def test_board_and_letters_page_with_links(client: httpx.AsyncClient, repo) -> None:
    from tests.web.facts import letter_35570_v_22

    second(repo)
    repo.apply_poll(Observation(letters=(letter_35570_v_22(),)))
    by_id = [e.motion.id for e in repo.board()]
    seen: list[str] = []
    url: str | None = "/?sort=id&order=asc&limit=2"
    while url:
        r = await client.get(url)
        html = unescape(r.text)
        body = html.split("<tbody>", 1)[1]
        seen += re.findall(r'<td class="id"><a href="/motie/([^"]+)">', body)
        assert "5 / 5 moties" in html
        url = _next(r)
        if url:
            assert f'href="{url.removeprefix(BASE)}" rel="next"'.replace("&", "&amp;") in r.text
    assert seen == by_id
    assert "3–4 van 5 / 5" in unescape(
        (await client.get("/?sort=id&order=asc&limit=2&cursor=2")).text
    )
    first = await client.get("/brieven?limit=1")
    assert first.text.count('class="letter"') == 1
    assert _next(first) == f"{BASE}/brieven?limit=1&cursor=1"
    second_page = await client.get("/brieven?limit=1&cursor=1")
    assert second_page.text.count('class="letter"') == 1
    assert 'rel="prev"' in second_page.text
    assert "brief-35570-V-22" in second_page.text
    assert _next(second_page) is None
    junk = await client.get("/?limit=lots&cursor=x")  # pages ignore bad paging, as bad filters
    assert junk.status_code == 200


@pytest.mark.parametrize("path", ["/", "/brieven", "/motie/21501-02-3067", "/feed.atom"])
async def test_pages_render_off_the_event_loop(
    client: httpx.AsyncClient, repo, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    second(repo)
    threads: list[bool] = []
    name = {"/feed.atom": "render", "/": "render_page"}.get(path, "page")
    real_render = getattr(pages, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return real_render(*args, **kwargs)

    monkeypatch.setattr(pages, name, spy)
    r = await client.get(path)
    assert r.status_code == 200
    assert threads == [False]


async def test_a_reloaded_board_is_not_rendered_again_until_the_store_changes(
    client: httpx.AsyncClient, repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A visitor reloading the board gets the page rendered for the store as it is; a poll that
    changes the store, another language or another query renders anew."""
    renders: list[str] = []
    real = pages.render_page

    def counting(request: Any, template: str, **context: Any) -> str:
        renders.append(str(request.url))
        return real(request, template, **context)

    monkeypatch.setattr(pages, "render_page", counting)
    first = await client.get("/?limit=2")
    again = await client.get("/?limit=2")
    assert len(renders) == 1
    assert again.text == first.text
    assert _next(again) == _next(first) is not None  # the Link header is kept with the page
    english = await client.get("/?limit=2&lang=en")
    assert len(renders) == 2
    assert english.text != first.text
    assert english.headers.get("set-cookie", "").startswith("kw_lang=en")  # not from the cache
    await client.get("/?limit=2&lang=en")
    assert len(renders) == 2
    second(repo)  # the vote on 21501-02-3067 and a letter: the store changed
    after = await client.get("/?limit=2")
    assert len(renders) == 3
    assert after.text != first.text
