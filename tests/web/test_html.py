"""Issue 14, point 16 and the HTML checks: every page is well-formed HTML with a title, a meta
description and an icon; /favicon.ico and /robots.txt exist; on a phone the board's status
columns are on screen (headless Chromium)."""

from __future__ import annotations

import struct
from html.parser import HTMLParser

import httpx
import pytest

from tests.web.fixtures import LiveServer, second
from tests.web.test_browser import ARGS, CHROMIUM, _need_chromium

VOID = {
    *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"),
    *("source", "track", "wbr"),
}
# elements whose end tag HTML lets the parser imply
IMPLIED_END = {"p", "li", "dt", "dd", "option", "tr", "td", "th", "thead", "tbody"}


class Checker(HTMLParser):
    """Collects the problems the Nu Html Checker would report most often."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.doctype = False
        self.lang = ""
        self.titles = 0
        self.meta: dict[str, str] = {}
        self.icon = False
        self.labelled: set[str] = set()
        self.inputs: list[tuple[str, bool]] = []  # (id, inside a <label>)

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [n for n, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"duplicate attribute on <{tag}>: {names}")
        a = {n: v or "" for n, v in attrs}
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append(f"duplicate id {a['id']!r}")
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "title" and "svg" not in self.stack:  # an SVG <title> is a tooltip
            self.titles += 1
        elif tag == "meta" and "name" in a:
            self.meta[a["name"]] = a.get("content", "")
        elif tag == "link" and "icon" in a.get("rel", "").split():
            self.icon = True
        elif tag == "img" and "alt" not in a:
            self.problems.append("<img> without alt")
        elif tag == "label" and "for" in a:
            self.labelled.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.inputs.append((a.get("id", ""), "label" in self.stack))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"end tag for void element </{tag}>")
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in IMPLIED_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"stray </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()

    def report(self) -> list[str]:
        out = list(self.problems)
        if not self.doctype:
            out.append("no <!doctype html>")
        if self.lang not in ("nl", "en"):
            out.append(f"<html lang> is {self.lang!r}")
        if self.titles != 1:
            out.append(f"{self.titles} <title> elements")
        if len(self.meta.get("description", "")) < 50:
            out.append("no meta description")
        if "viewport" not in self.meta:
            out.append("no meta viewport")
        if not self.icon:
            out.append("no icon link")
        open_ = [t for t in self.stack if t not in IMPLIED_END]
        if open_:
            out.append(f"unclosed elements: {open_}")
        for input_id, wrapped in self.inputs:
            if not wrapped and input_id not in self.labelled:
                out.append(f"form control without a label: {input_id!r}")
        return out


PAGES = [
    "/",
    "/?lang=en",
    "/?status=adopted&sort=title&order=asc",
    "/motie/21501-02-3067",
    "/motie/21501-02-2234",
    "/brieven",
    "/abonneren",
    "/abonnement",
    "/motie/99999-9",  # the 404 page
    "/afmelden/not-a-token",  # the bad-token page
]


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_is_well_formed_html(client: httpx.AsyncClient, repo, path: str) -> None:
    second(repo)
    r = await client.get(path)
    assert r.headers["content-type"].startswith("text/html")
    checker = Checker()
    checker.feed(r.text)
    checker.close()
    assert checker.report() == [], path


async def test_favicon_and_robots(client: httpx.AsyncClient) -> None:
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    reserved, kind, count = struct.unpack("<HHH", icon.content[:6])
    assert (reserved, kind, count) == (0, 1, 1)
    size, offset = struct.unpack("<II", icon.content[14:22])
    assert icon.content[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
    assert offset + size == len(icon.content)
    robots = await client.get("/robots.txt")
    assert robots.status_code == 200
    assert robots.headers["content-type"].startswith("text/plain")
    lines = robots.text.splitlines()
    assert lines[0] == "User-agent: *"
    for private in ("/bevestigen/", "/afmelden/", "/abonnement/"):
        assert f"Disallow: {private}" in lines


@pytest.mark.browser
async def test_on_a_phone_the_boards_status_columns_are_on_screen(live: LiveServer) -> None:
    _need_chromium()
    from playwright.async_api import async_playwright

    second(live.repo)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 375, "height": 740})
            await page.goto(f"{live.url}/")
            width = await page.evaluate("document.documentElement.clientWidth")
            for cell in ("td.status .badge", "td.execution .badge"):
                boxes = [await b.bounding_box() for b in await page.locator(cell).all()]
                assert boxes
                for box in boxes:
                    assert box is not None
                    assert box["x"] >= 0
                    assert box["x"] + box["width"] <= width, (cell, box, width)
            scroll = await page.evaluate(
                "Math.max(...[...document.querySelectorAll('.scroll')].map(e => e.scrollWidth"
                " - e.clientWidth), 0)"
            )
            assert scroll == 0  # nothing hidden behind a sideways scroll
        finally:
            await browser.close()
