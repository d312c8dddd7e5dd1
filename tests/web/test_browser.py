"""End to end in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Load the board, filter it, open a motion, subscribe with the motion's form, confirm through the
link in the mail caught by aiosmtpd (pressing the button), follow everything from the manage
page, receive a digest and unsubscribe through its link. Screenshots go to tests/_artifacts/.
Without chromium the test is skipped locally and fails in CI (the CI env var is set).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from bot.email.service import send_digests
from state.models import Channel, Observation, SubscriptionKind
from tests.web.facts import letter_196
from tests.web.fixtures import AppStub, LiveServer, SmtpServer, second

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need_chromium() -> None:
    missing = not Path(CHROMIUM).exists() or shutil.which("chromium") is None
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")


def _link(smtp: SmtpServer, base: str, path: str) -> str:
    text = smtp.handler.messages[-1].get_body(preferencelist=("plain",)).get_content()
    match = re.search(rf"{re.escape(base)}{path}/\S+", text)
    assert match, text
    return match[0]


async def test_board_motion_subscribe_confirm_unsubscribe(
    live: LiveServer, smtp: SmtpServer, mailer
) -> None:
    _need_chromium()
    from playwright.async_api import async_playwright, expect

    ARTIFACTS.mkdir(exist_ok=True)
    repo = live.repo
    second(repo)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900})
            page.set_default_timeout(10_000)

            # the board
            await page.goto(f"{live.url}/")
            await expect(page.locator("#board tbody tr")).to_have_count(5)
            await page.screenshot(path=ARTIFACTS / "1-board.png", full_page=True)

            # filter: adopted motions only (a plain GET form, no JavaScript)
            await page.select_option("select[name=status]", "adopted")
            await page.click("form.filters button[type=submit]")
            await page.wait_for_url(re.compile(r"status=adopted"))
            await expect(page.locator("#board tbody tr")).to_have_count(1)
            await page.screenshot(path=ARTIFACTS / "2-board-adopted.png", full_page=True)

            # open the motion: its vote chart is there
            await page.click("text=21501-02-3067")
            await page.wait_for_url(f"{live.url}/motie/21501-02-3067")
            await expect(page.locator("h1")).to_contain_text("Ceder")
            await expect(page.locator("figure.chart svg rect")).to_have_count(17)
            await page.screenshot(path=ARTIFACTS / "3-motion.png", full_page=True)

            # subscribe with the motion's form
            await page.fill("#follow-email", "lezer@example.org")
            await page.check("#follow input[value=weekly]")
            await page.click("#follow button[type=submit]")
            await expect(page.locator("h1")).to_have_text("Kijk in je mailbox")
            sub = repo.get_subscriber(Channel.EMAIL, "lezer@example.org")
            assert sub is not None
            assert not sub.confirmed

            # confirm through the mail's link: the page has a button; the click confirms
            confirm = _link(smtp, live.url, "/bevestigen")
            await page.goto(confirm)
            await page.screenshot(path=ARTIFACTS / "4-confirm.png", full_page=True)
            assert not repo.get_subscriber_by_id(sub.id).confirmed
            await page.click("#confirm-button")
            await expect(page.locator("h1")).to_have_text("Aanmelding bevestigd")
            assert repo.get_subscriber_by_id(sub.id).confirmed

            # the manage page: follow everything as well
            await page.click("text=Je abonnement")
            await page.check("#add input[value=all]")
            await page.click("#add button[type=submit]")
            await expect(page.locator("p.notice")).to_have_text("Opgeslagen.")
            kinds = {s.kind for s in repo.subscriptions(sub.id)}
            assert kinds == {SubscriptionKind.MOTION, SubscriptionKind.ALL}
            await page.screenshot(path=ARTIFACTS / "5-manage.png", full_page=True)

            # news arrives, a digest goes out; its unsubscribe link opens a page with a button
            repo.apply_poll(Observation(letters=(letter_196(),)))
            report = await send_digests(AppStub(live.settings, repo), mailer)
            assert report.digests == 1
            unsubscribe = _link(smtp, live.url, "/afmelden")
            await page.goto(unsubscribe)
            assert repo.get_subscriber_by_id(sub.id).active
            await page.click("#unsubscribe-button")
            await expect(page.locator("h1")).to_have_text("Afgemeld")
            await page.screenshot(path=ARTIFACTS / "6-unsubscribed.png", full_page=True)
            assert not repo.get_subscriber_by_id(sub.id).active
        finally:
            await browser.close()
