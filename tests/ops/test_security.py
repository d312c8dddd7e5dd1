"""Security: what upstream writes stays text, commands and subscriptions stay with their owners,
tokens cannot be made or reused, and the scrapers fetch only from the configured source hosts.

1. **No markup injection.** A motion, its submitters, a letter, its link and an evidence sentence
   full of ``<script>``, ``<a href="javascript:…">``, ``<img onerror>`` and Telegram's own tags
   go through the store into every output: the Telegram pushes (as planned by the worker, as
   accepted by a strict fake Bot API, and the bot's /status answer), the web pages and Atom feeds,
   and the email digest (both parts, its headers). Every output must show the text escaped, carry
   no tag or attribute from upstream, and link only to http(s) URLs.
2. **Admin commands.** /stats answers only admin chats; in groups only administrators change what
   the group follows.
3. **Chats are separate.** A chat cannot list, unfollow (by command or forged button) or erase
   another chat's subscriptions; a web manage link acts on its own subscriber only, and asking
   for a manage link never reveals whether an address is subscribed.
4. **Tokens.** Confirm / unsubscribe / manage tokens cannot be forged (other key, altered id,
   other purpose, anything appended) and are refused once expired — also when replayed later.
5. **Resource hosts.** Links in upstream payloads (a DocumentPublicatie, an OData nextLink, an
   SRU record's XML, a feed item's page, a page's PDF, a legacy detail and its file) are followed
   only to the configured source's host.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

import httpx
import pytest

from bot.delivery import deliver_telegram_once
from bot.email.service import send_digests
from bot.email.tokens import (
    CONFIRM,
    CONFIRM_TTL,
    MANAGE,
    UNSUBSCRIBE,
    InvalidToken,
    make_token,
    read_token,
)
from bot.settings import Settings
from bot.telegram.notifier import FloodLimiter, TelegramNotifier, build_bot
from bot.telegram.outgoing import plan_digest, plan_messages
from bot.telegram.service import BotApplication, build_application, register_commands
from bot.web import subscribe
from bot.web.app import create_app
from scrapers.base import SourceError
from scrapers.http import HttpClient, same_host, user_agent
from scrapers.officielebekendmakingen import OfficieleBekendmakingenSource
from scrapers.rijksoverheid import RijksoverheidSource
from scrapers.topics import get_topic
from scrapers.tweedekamer import TweedeKamerSource
from state.models import (
    Channel,
    CitedMotion,
    DeliveryStatus,
    ExecutionStatus,
    Frequency,
    Letter,
    Motion,
    Observation,
    Submitter,
    SubscriptionKind,
)
from state.repository import Repository
from state.routing import Route, RouteClass
from tests.conftest import ROOT
from tests.telegram.fake_bot_api import TOKEN, FakeBotAPI, check_html
from tests.telegram.helpers import buttons, say, subscriptions_of, tap
from tests.web.fixtures import AppStub, SmtpServer, make_settings, smtp  # noqa: F401

SECRET = "security-test-secret"
PUBLIC = "https://kamerwacht.example"
ADMIN = 4242
EVIL = "evil.example"
PAYLOAD = (
    '<script>alert("x")</script><a href="javascript:alert(1)">klik</a>'
    "<img src=x onerror=alert(2)><b>vet</b><tg-spoiler>geheim</tg-spoiler> &amp; &lt;i&gt; "
    "\"'><svg onload=alert(3)>"
)
MOTION_ID = "21501-02-9999"
LETTER_ID = "21501-02-9998"
JS_URL = "javascript:alert(document.cookie)"


def hostile_first() -> Observation:
    """A motion whose every upstream string is hostile (its topic word keeps it on the board)."""
    return Observation(
        motions=(
            Motion(
                id=MOTION_ID,
                title=f"Motie over Nagorno-Karabach {PAYLOAD}",
                submitters=(Submitter(f"A. {PAYLOAD}", PAYLOAD, "Indiener"),),
                date=date(2025, 3, 1),
                url=JS_URL,
                text=PAYLOAD,
            ),
        )
    )


def hostile_second() -> Observation:
    """A letter with a hostile title and link reporting on the motion with hostile evidence."""
    return Observation(
        letters=(
            Letter(
                id=LETTER_ID,
                title=f"Kamerbrief {PAYLOAD}\r\nBcc: victim@{EVIL}",
                date=date(2025, 4, 1),
                kamerstuk=LETTER_ID,
                url=JS_URL,
                motions=(
                    CitedMotion(
                        MOTION_ID,
                        title=PAYLOAD,
                        status=ExecutionStatus.EXECUTED,
                        evidence=f"Het kabinet heeft dit gedaan. {PAYLOAD}",
                    ),
                ),
            ),
        )
    )


class Markup(HTMLParser):
    """Every tag and attribute of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)


def assert_inert(markup: str, *, allowed_tags: set[str] | None = None) -> Markup:
    """No upstream tag, no script, no event handler, only http(s)/relative/mailto links."""
    parsed = Markup()
    parsed.feed(markup)
    parsed.close()
    assert not {"script", "img", "svg", "iframe", "tg-spoiler"} & set(parsed.tags)
    if allowed_tags is not None:
        assert set(parsed.tags) <= allowed_tags, set(parsed.tags) - allowed_tags
    for name, value in parsed.attrs:
        assert not name.startswith("on"), (name, value)
        if name in ("href", "src", "action"):
            assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
            assert value.startswith(("http://", "https://", "/", "#", "?", "mailto:")), value
    return parsed


def assert_shown_as_text(markup: str) -> None:
    """The hostile text is there for the reader, escaped."""
    assert "&lt;script&gt;" in markup or "&lt;script" in markup


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Iterator[Repository]:
    """A store with the hostile motion, letter and report, a Telegram chat and an email reader
    following everything (one instantly, one daily)."""
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'hostile.db'}")
    repo.upgrade()
    chat = repo.get_or_create_subscriber(Channel.TELEGRAM, "7001")
    repo.subscribe(chat.id, SubscriptionKind.ALL)
    daily = repo.get_or_create_subscriber(Channel.TELEGRAM, "7002")
    repo.update_subscriber(daily.id, frequency=Frequency.DAILY)
    repo.subscribe(daily.id, SubscriptionKind.ALL)
    mail = repo.get_or_create_subscriber(Channel.EMAIL, "lezer@example.org", confirmed=True)
    repo.update_subscriber(mail.id, frequency=Frequency.DAILY)
    repo.subscribe(mail.id, SubscriptionKind.ALL)
    for sub, every in ((chat, Route.INSTANT), (daily, Route.DAILY), (mail, Route.DAILY)):
        # every kind at the chat's own frequency, so that every message type carries the
        # hostile text (issue 17's default sends new documents weekly)
        repo.set_routes(sub.id, dict.fromkeys(RouteClass, every))
    repo.apply_poll(hostile_first())
    repo.apply_poll(hostile_second())
    yield repo
    repo.close()


TELEGRAM_TAGS = {"b", "i", "a", "code", "blockquote", "u", "s", "pre"}


def test_pushes_escape_upstream_text(hostile_repo: Repository) -> None:
    repo = hostile_repo
    claimed = repo.claim_deliveries(Channel.TELEGRAM, limit=100, frequency=Frequency.INSTANT)
    motions = {MOTION_ID: repo.get_motion(MOTION_ID)}
    letters = {LETTER_ID: repo.get_letter(LETTER_ID)}
    plan = plan_messages(claimed, motions=motions, letters=letters, public_url=PUBLIC)  # type: ignore[arg-type]
    daily = repo.claim_deliveries(Channel.TELEGRAM, limit=100, frequency=Frequency.DAILY)
    digest = plan_digest(daily, motions=motions, frequency=Frequency.DAILY, public_url=PUBLIC)  # type: ignore[arg-type]
    assert len(plan) >= 3
    assert digest
    for out in (*plan, *digest):
        for part in out.parts:
            check_html(part)  # Telegram would parse it
            parsed = assert_inert(part, allowed_tags=TELEGRAM_TAGS)
            links = [v for n, v in parsed.attrs if n == "href"]
            assert all(v.startswith(PUBLIC) for v in links), links  # the javascript: link is gone
    text = "\n".join(p for out in plan for p in out.parts)
    assert_shown_as_text(text)


async def test_the_bot_api_accepts_every_hostile_push(
    hostile_repo: Repository, tmp_path: Path
) -> None:
    async with FakeBotAPI() as fake:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_token=TOKEN,  # type: ignore[arg-type]
            telegram_api_url=fake.base_url,
            public_url=PUBLIC,
        )
        limiter = FloodLimiter(messages_per_second=1000, group_messages_per_minute=6000)
        async with TelegramNotifier(build_bot(settings, rate_limiter=limiter)) as notifier:
            report = await deliver_telegram_once(AppStub(settings, hostile_repo), notifier)  # type: ignore[arg-type]
        assert report.sent == report.claimed > 0
        assert report.failed == 0
        assert fake.rejected[400] == 0  # no "can't parse entities"
        for message in fake.sent:
            assert_inert(message["html"], allowed_tags=TELEGRAM_TAGS)


@dataclass
class Bot:
    """The real bot (python-telegram-bot Application) polling the fake Bot API."""

    fake: FakeBotAPI
    application: BotApplication
    repo: Repository


@pytest.fixture
async def bot_on(tmp_path: Path) -> AsyncIterator[Callable[[Repository], Any]]:
    """Start the real bot over a given repository (admin chat: ADMIN)."""
    started: list[tuple[FakeBotAPI, BotApplication]] = []

    async def start(repo: Repository) -> Bot:
        fake = FakeBotAPI()
        await fake.start()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_token=TOKEN,  # type: ignore[arg-type]
            telegram_api_url=fake.base_url,
            admin_chat_ids=[ADMIN],
            public_url=PUBLIC,
        )
        limiter = FloodLimiter(messages_per_second=1000, group_messages_per_minute=6000)
        application = build_application(settings, repo, rate_limiter=limiter)
        await application.initialize()
        await register_commands(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=10)
        started.append((fake, application))
        return Bot(fake, application, repo)

    yield start
    for fake, application in started:
        await fake.release_polls()
        assert application.updater is not None
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await fake.stop()


async def test_bot_answers_escape_upstream_and_user_text(
    hostile_repo: Repository, bot_on: Callable[[Repository], Any]
) -> None:
    bot: Bot = await bot_on(hostile_repo)
    for text in (
        f"/status {MOTION_ID}",
        "/status Nagorno-Karabach",
        "/nieuw",
        f"/volg trefwoord {PAYLOAD[:80]}",
        "/lijst",
        f"/status {PAYLOAD}",
        f"/volg {PAYLOAD}",
        PAYLOAD,
    ):
        for message in await say(bot.fake, 7100, text):
            check_html(message["html"])
            assert_inert(message["html"], allowed_tags=TELEGRAM_TAGS)
    [status] = await say(bot.fake, 7100, f"/status {MOTION_ID}")
    assert_shown_as_text(status["html"])


@pytest.fixture
async def web_client(hostile_repo: Repository) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(public_url=PUBLIC)
    app = create_app(settings, hostile_repo, mailer=None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as client:
        yield client


@pytest.mark.parametrize(
    "path",
    ["/", f"/motie/{MOTION_ID}", "/brieven", "/?q=script", f"/motie/{MOTION_ID}?lang=en"],
)
async def test_web_pages_escape_upstream_text(web_client: httpx.AsyncClient, path: str) -> None:
    response = await web_client.get(path)
    assert response.status_code == 200
    assert "script-src" not in response.headers["content-security-policy"]  # none allowed
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert_inert(response.text)
    assert_shown_as_text(response.text)


@pytest.mark.parametrize("path", ["/feed.atom", f"/motie/{MOTION_ID}/feed.atom"])
async def test_feeds_escape_upstream_text(web_client: httpx.AsyncClient, path: str) -> None:
    response = await web_client.get(path)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # well-formed whatever the titles hold
    atom = "{http://www.w3.org/2005/Atom}"
    assert {el.tag for el in root.iter()} <= {
        f"{atom}{name}"
        for name in (
            "feed", "title", "id", "updated", "link", "author", "name", "entry", "summary",
            "content", "subtitle", "generator", "category", "published",
        )
    }  # fmt: skip
    for link in root.iter(f"{atom}link"):
        assert link.get("href", "").startswith(PUBLIC)
    texts = " ".join(el.text or "" for el in root.iter())
    assert "<script>" in texts or "script" in texts  # carried as text, not as elements


async def test_api_returns_upstream_text_as_json_data(web_client: httpx.AsyncClient) -> None:
    response = await web_client.get(f"/api/motions/{MOTION_ID}")
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert PAYLOAD in response.json()["title"]  # data, for the client to escape


async def test_email_digest_escapes_upstream_text(
    hostile_repo: Repository,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    from bot.email.sender import Mailer

    settings = make_settings(public_url=PUBLIC, smtp_port=smtp.port)
    mailer = Mailer(smtp.host, smtp.port, sender=settings.smtp_from, start_tls=False)
    try:
        report = await send_digests(AppStub(settings, hostile_repo), mailer)  # type: ignore[arg-type]
    finally:
        await mailer.aclose()
    assert report.digests == 1
    [raw] = smtp.handler.raw
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert msg["Bcc"] is None
    assert f"victim@{EVIL}" not in str(msg["To"]) + str(msg["Cc"] or "")
    assert all("\n" not in str(value) for value in msg.values())
    html_part = msg.get_body(preferencelist=("html",))
    text_part = msg.get_body(preferencelist=("plain",))
    assert html_part is not None
    assert text_part is not None
    html = html_part.get_content()
    assert_inert(html)
    assert_shown_as_text(html)
    assert JS_URL not in text_part.get_content()  # no javascript: link in the text part either


# ------------------------------------------------------------------ admin commands and chats


@pytest.fixture
def topic_repo(tmp_path: Path) -> Iterator[Repository]:
    from tests.web.facts import first_poll

    repo = Repository.from_url(f"sqlite:///{tmp_path / 'topic.db'}")
    repo.upgrade()
    repo.apply_poll(first_poll(), notify=False)
    yield repo
    repo.close()


async def test_only_admin_chats_reach_admin_commands(
    topic_repo: Repository, bot_on: Callable[[Repository], Any]
) -> None:
    bot: Bot = await bot_on(topic_repo)
    topic_repo.record_source_failure("tweedekamer", "HTTP 503")
    [denied] = await say(bot.fake, 7200, "/stats")
    assert "tweedekamer" not in denied["html"]
    assert "/stats" in denied["html"]  # the unknown-command answer
    [as_group] = await say(
        bot.fake, 7200, "/stats@kamerwacht_test_bot", chat_id=-100900, chat_type="supergroup"
    )
    assert "tweedekamer" not in as_group["html"]
    [help_text] = await say(bot.fake, 7200, "/help")
    assert "/stats" not in help_text["html"]
    [allowed] = await say(bot.fake, ADMIN, "/stats")
    assert "tweedekamer" in allowed["html"]
    assert "HTTP 503" in allowed["html"]


@pytest.mark.parametrize(
    "command",
    [
        "/volg alles",
        "/ontvolg alles",
        "/digest dagelijks",
        "/taal en",
        "/stop",
        "/start volg_alles",
    ],
)
async def test_group_members_cannot_change_the_group(
    topic_repo: Repository, bot_on: Callable[[Repository], Any], command: str
) -> None:
    bot: Bot = await bot_on(topic_repo)
    group, member, admin = -100901, 7301, 7302
    bot.fake.set_admins(group, {admin})
    await say(bot.fake, admin, "/volg 21501-02-2234", chat_id=group, chat_type="supergroup")
    before = subscriptions_of(topic_repo, group)
    subscriber = topic_repo.get_subscriber(Channel.TELEGRAM, str(group))
    assert subscriber is not None
    replies = await say(bot.fake, member, command, chat_id=group, chat_type="supergroup")
    assert any("alleen beheerders" in r["html"] for r in replies)
    after = topic_repo.get_subscriber(Channel.TELEGRAM, str(group))
    assert after is not None
    assert (after.frequency, after.language) == (subscriber.frequency, subscriber.language)
    assert subscriptions_of(topic_repo, group) == before


async def test_a_chat_cannot_see_or_change_another_chats_subscriptions(
    topic_repo: Repository, bot_on: Callable[[Repository], Any]
) -> None:
    bot: Bot = await bot_on(topic_repo)
    alice, mallory = 7401, 7402
    await say(bot.fake, alice, "/volg 21501-02-2234")
    await say(bot.fake, alice, "/volg trefwoord geheimwoord")
    own = subscriptions_of(topic_repo, alice)
    assert len(own) == 2
    [listing] = await say(bot.fake, mallory, "/lijst")
    assert "geheimwoord" not in listing["html"]
    assert "2234" not in listing["html"]
    # forged buttons: Alice's subscription ids, pressed in Mallory's chat
    [mine] = await say(bot.fake, mallory, "/volg alles")
    for sub in own:
        await tap(bot.fake, mallory, mine, f"x:{sub.id}")
    await tap(bot.fake, mallory, mine, "u:m:21501-02-2234")
    await tap(bot.fake, mallory, mine, "u:k:geheimwoord")
    await say(bot.fake, mallory, "/ontvolg 21501-02-2234")
    await say(bot.fake, mallory, "/stop")
    assert subscriptions_of(topic_repo, alice) == own
    assert subscriptions_of(topic_repo, mallory) == []
    # and Alice's own list still shows and removes only her rows
    [alices] = await say(bot.fake, alice, "/lijst")
    assert "geheimwoord" in alices["html"]
    assert len(buttons(alices)) == 2


# ------------------------------------------------------------------ the web: subscribers and tokens


@dataclass
class Web:
    client: httpx.AsyncClient
    repo: Repository
    alice: int
    bob: int
    mailer: Any


class MemoryMailer:
    """Keeps the mails the web app sends."""

    from_address = "kamerwacht@example.org"

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def send(self, msg: Any) -> None:
        self.sent.append(msg)


@pytest.fixture
async def web(topic_repo: Repository) -> AsyncIterator[Web]:
    repo = topic_repo
    alice = repo.get_or_create_subscriber(Channel.EMAIL, "alice@example.org", confirmed=True)
    repo.subscribe(alice.id, SubscriptionKind.MOTION, "21501-02-2234")
    bob = repo.get_or_create_subscriber(Channel.EMAIL, "bob@example.org", confirmed=True)
    repo.subscribe(bob.id, SubscriptionKind.KEYWORD, "bobs-geheim")
    repo.subscribe(bob.id, SubscriptionKind.MOTION, "21501-02-2234")
    settings = make_settings(public_url=PUBLIC).model_copy(update={"secret_key": settings_secret()})
    mailer = MemoryMailer()
    app = create_app(settings, repo, mailer=mailer)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as client:
        yield Web(client, repo, alice.id, bob.id, mailer)


def settings_secret() -> Any:
    from pydantic import SecretStr

    return SecretStr(SECRET)


def token(purpose: str, subscriber_id: int, *, secret: str = SECRET, **when: Any) -> str:
    now = when.get("now", datetime.now(UTC))
    ttl = when.get("ttl", timedelta(days=1))
    return make_token(secret, purpose, subscriber_id, ttl=ttl, now=now)


ROUTES = {CONFIRM: "/bevestigen/", UNSUBSCRIBE: "/afmelden/", MANAGE: "/abonnement/"}


async def test_manage_link_acts_on_its_own_subscriber_only(web: Web) -> None:
    bobs = web.repo.subscriptions(web.bob)
    page = await web.client.get(ROUTES[MANAGE] + token(MANAGE, web.alice))
    assert page.status_code == 200
    assert "bobs-geheim" not in page.text
    url = ROUTES[MANAGE] + token(MANAGE, web.alice)
    for form in (
        {"action": "remove", "kind": "keyword", "value": "bobs-geheim"},
        {"action": "remove", "kind": "motion", "value": "21501-02-2234"},
        {"action": "frequency", "frequency": "weekly", "subscriber": str(web.bob)},
        {"action": "unsubscribe", "id": str(web.bob)},
    ):
        response = await web.client.post(url, data=form)
        assert response.status_code in (200, 303)
    assert web.repo.subscriptions(web.bob) == bobs
    bob = web.repo.get_subscriber_by_id(web.bob)
    assert bob is not None
    assert (bob.active, bob.frequency) == (True, Frequency.INSTANT)
    assert web.repo.subscriptions(web.alice) == []  # Alice's own link did act on Alice


async def test_asking_for_a_manage_link_reveals_nothing(web: Web) -> None:
    known = await web.client.post("/abonnement", data={"email": "bob@example.org"})
    unknown = await web.client.post("/abonnement", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r"\s+")
    assert strip.sub(" ", known.text) == strip.sub(" ", unknown.text)
    assert "bobs-geheim" not in known.text
    assert [str(m["To"]) for m in web.mailer.sent] == ["bob@example.org"]  # only to the owner


@pytest.mark.parametrize("purpose", [CONFIRM, UNSUBSCRIBE, MANAGE])
async def test_forged_tokens_are_refused(web: Web, purpose: str) -> None:
    genuine = token(purpose, web.bob)
    body, sig = genuine.rsplit(".", 1)
    other_purpose = next(p for p in (CONFIRM, UNSUBSCRIBE, MANAGE) if p != purpose)
    forged = [
        token(purpose, web.bob, secret="guessed-secret"),  # another key
        f"{web.alice:x}.{body.split('.')[1]}.{sig}",  # Bob's signature on Alice's id
        token(other_purpose, web.bob),  # made for something else
        genuine + "\n",  # anything appended
        genuine + "0",
        genuine.upper(),
        " " + genuine,
        f"{body}.{'A' * 43}",
        "",
    ]
    for bad in forged:
        for method in ("GET", "POST"):
            data = {"List-Unsubscribe": "One-Click", "action": "unsubscribe"}
            response = await web.client.request(
                method, ROUTES[purpose] + quote(bad, safe=""), data=data
            )
            # an empty one is another route: the slash redirect of /abonnement/ or 404/405
            assert response.status_code in (400, 404, 405, 307), (bad, method)
    bob = web.repo.get_subscriber_by_id(web.bob)
    assert bob is not None
    assert (bob.active, bob.confirmed) == (True, True)
    assert len(web.repo.subscriptions(web.bob)) == 2
    for bad in forged:
        with pytest.raises(InvalidToken):
            read_token(SECRET, purpose, bad, now=datetime.now(UTC))
    assert (await web.client.get(ROUTES[purpose] + genuine)).status_code == 200  # not vacuous


@pytest.mark.parametrize("purpose", [CONFIRM, UNSUBSCRIBE, MANAGE])
async def test_expired_tokens_are_refused_and_cannot_be_replayed(
    web: Web, purpose: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    web.repo.update_subscriber(web.bob, confirmed=False, active=False)
    old = token(purpose, web.bob, now=datetime.now(UTC) - timedelta(days=400), ttl=CONFIRM_TTL)
    for method in ("GET", "POST"):
        response = await web.client.request(
            method, ROUTES[purpose] + old, data={"List-Unsubscribe": "One-Click"}
        )
        assert response.status_code == 400, method
    # a token valid now is refused when it comes back after its expiry
    fresh = token(purpose, web.bob, ttl=timedelta(hours=1))
    assert (await web.client.get(ROUTES[purpose] + fresh)).status_code == 200
    later = datetime.now(UTC) + timedelta(hours=1, seconds=5)
    monkeypatch.setattr(subscribe, "_now", lambda: later)
    for method in ("GET", "POST"):
        response = await web.client.request(
            method, ROUTES[purpose] + fresh, data={"action": "resume"}
        )
        assert response.status_code == 400, method
    bob = web.repo.get_subscriber_by_id(web.bob)
    assert bob is not None
    assert (bob.active, bob.confirmed) == (False, False)  # nothing confirmed or resumed
    assert len(web.repo.subscriptions(web.bob)) == 2  # nothing unsubscribed


# ------------------------------------------------------------------ resource hosts


class Upstream:
    """A loopback upstream in-process (httpx MockTransport) that records every host asked."""

    def __init__(self, routes: dict[str, tuple[str, bytes]]) -> None:
        self.routes = routes  # path suffix → (content type, body)
        self.hosts: list[str] = []
        self.paths: list[str] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        self.paths.append(request.url.path)
        if request.url.host != "upstream.test":
            return httpx.Response(200, content=b"%PDF-1.4 stolen", headers={})
        for suffix, (kind, body) in self.routes.items():
            if request.url.path.endswith(suffix):
                return httpx.Response(200, content=body, headers={"content-type": kind})
        return httpx.Response(404, content=b"not found")

    def client(self) -> HttpClient:
        return HttpClient(
            user_agent=user_agent("https://example.org/security-tests"),
            transport=httpx.MockTransport(self.answer),
            retries=0,
            min_interval=0.0,
        )


TOPIC = get_topic("nagorno-karabach")
# the recorded $metadata: the source reads the server's schema before it queries
METADATA = ("application/xml", (ROOT / "replay/data/metadata.xml").read_bytes())
OFFICIAL_XML = (
    b"<kamerstuk><kamerstukkop><dossiernummer><dossiernr>21 501</dossiernr><raadnr>02</raadnr>"
    b"</dossiernummer><ondernummer>9998</ondernummer></kamerstukkop><brief><al>Nagorno-Karabach."
    b"</al></brief></kamerstuk>"
)


def odata_document(publicatie: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "value": [
                {
                    "Id": "0a0a0a0a-0000-0000-0000-000000000001",
                    "Soort": "Brief regering",
                    "Onderwerp": "Nagorno-Karabach",
                    "Datum": "2025-04-01T00:00:00+02:00",
                    "DocumentNummer": "2025D00001",
                    "Volgnummer": 9998,
                    "ApiGewijzigdOp": "2025-04-01T10:00:00Z",
                    "Kamerstukdossier": [{"Nummer": 21501, "Toevoeging": "02"}],
                    "HuidigeDocumentVersie": {
                        "Id": "0a0a0a0a-0000-0000-0000-000000000002",
                        "ExterneIdentifier": "kst-21501-02-9998",
                        "DocumentPublicatie": [publicatie],
                    },
                }
            ]
        }
    ).encode()


async def poll_with(source: Any, upstream: Upstream) -> Any:
    async with upstream.client() as client:
        return await asyncio.wait_for(source.poll(client, {}, frozenset()), 10)


@pytest.mark.parametrize(
    "publicatie",
    [
        {"Id": f"x)/../../../..//{EVIL}/steal(", "DocumentType": "Xml", "FileName": "x.xml"},
        {"Id": f"@{EVIL}", "DocumentType": "Xml", "Url": f"http://{EVIL}/x.xml"},
        {"Id": f"http://{EVIL}/x", "DocumentType": "Xml", "Url": f"https://{EVIL}/x.xml"},
    ],
)
async def test_tweedekamer_fetches_documents_from_its_own_host_only(
    publicatie: dict[str, Any],
) -> None:
    upstream = Upstream(
        {
            "/$metadata": METADATA,
            "/Zaak": ("application/json", b'{"value": []}'),
            "/Document": ("application/json", odata_document(publicatie)),
            "/Resource": ("application/xml", OFFICIAL_XML),
        }
    )
    source = TweedeKamerSource("http://upstream.test/OData/v4/2.0", TOPIC)
    result = await poll_with(source, upstream)
    assert set(upstream.hosts) == {"upstream.test"}
    assert [letter.id for letter in result.letters] == ["21501-02-9998"]


async def test_an_odata_next_link_to_another_host_is_not_followed() -> None:
    page = {"value": [], "@odata.nextLink": f"http://{EVIL}/OData/v4/2.0/Zaak?$skiptoken=1"}
    upstream = Upstream(
        {"/$metadata": METADATA, "/Zaak": ("application/json", json.dumps(page).encode())}
    )
    source = TweedeKamerSource("http://upstream.test/OData/v4/2.0", TOPIC)
    with pytest.raises(SourceError, match="nextLink"):
        await poll_with(source, upstream)
    assert set(upstream.hosts) == {"upstream.test"}


def sru_answer(xml_url: str) -> bytes:
    return (
        '<sru:searchRetrieveResponse xmlns:sru="http://docs.oasis-open.org/ns/search-ws/'
        'sruResponse" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:ow="http://standaarden.'
        'overheid.nl/wetgeving/" xmlns:gzd="http://standaarden.overheid.nl/sru">'
        "<sru:numberOfRecords>1</sru:numberOfRecords><sru:records><sru:record><sru:recordData>"
        "<gzd:gzd><gzd:originalData><ow:meta>"
        "<dcterms:identifier>kst-21501-02-9998</dcterms:identifier>"
        "<dcterms:title>Brief regering; Nagorno-Karabach</dcterms:title>"
        "<ow:subrubriek>brief</ow:subrubriek><dcterms:modified>2025-04-01</dcterms:modified>"
        "</ow:meta></gzd:originalData><gzd:enrichedData>"
        f'<gzd:itemUrl manifestation="xml">{xml_url}</gzd:itemUrl>'
        "</gzd:enrichedData></gzd:gzd></sru:recordData></sru:record></sru:records>"
        "</sru:searchRetrieveResponse>"
    ).encode()


EMPTY_RSS = b'<rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.mark.parametrize(
    ("xml_url", "fetched"),
    [
        (f"https://{EVIL}/frbr/kst-21501-02-9998.xml", False),
        ("http://upstream.test.evil.example/frbr/x.xml", False),
        ("http://upstream.test:8443/frbr/x.xml", False),
        ("ftp://upstream.test/frbr/x.xml", False),
        ("http://upstream.test/repository/frbr/kst-21501-02-9998.xml", True),
    ],
)
async def test_officielebekendmakingen_fetches_xml_from_its_own_host_only(
    xml_url: str, fetched: bool
) -> None:
    upstream = Upstream(
        {
            "/sru": ("application/xml", sru_answer(xml_url)),
            "/rss": ("application/rss+xml", EMPTY_RSS),
            ".xml": ("application/xml", OFFICIAL_XML),
        }
    )
    source = OfficieleBekendmakingenSource(
        "http://upstream.test/repository", "http://upstream.test/zoek/rss", TOPIC
    )
    result = await poll_with(source, upstream)
    assert set(upstream.hosts) == {"upstream.test"}
    assert any(p.endswith(".xml") for p in upstream.paths) is fetched
    assert [letter.id for letter in result.letters] == ["21501-02-9998"]  # still reported
    if not fetched:
        assert any("not fetched" in note or "no xml" in note for note in result.skipped)


def rss(*links: str) -> bytes:
    items = "".join(
        f"<item><title>Kamerbrief over Nagorno-Karabach {i}</title><link>{link}</link>"
        f"<guid>item-{i}</guid></item>"
        for i, link in enumerate(links)
    )
    return f'<rss version="2.0"><channel><title>r</title>{items}</channel></rss>'.encode()


async def test_rijksoverheid_follows_feed_and_page_links_on_its_host_only() -> None:
    page = (
        b"<html><body><h1>Kamerbrief over Nagorno-Karabach</h1><p>Tekst.</p>"
        b'<a href="https://evil.example/documenten/brief.pdf">download</a></body></html>'
    )
    upstream = Upstream(
        {
            "/api/rss": (
                "application/rss+xml",
                rss(
                    f"https://{EVIL}/documenten/kamerstukken/2025/04/01/brief",
                    "http://upstream.test/documenten/kamerstukken/2025/04/01/eigen",
                ),
            ),
            "/eigen": ("text/html", page),
        }
    )
    source = RijksoverheidSource("http://upstream.test/api/rss", TOPIC)
    result = await poll_with(source, upstream)
    assert set(upstream.hosts) == {"upstream.test"}
    assert "/documenten/kamerstukken/2025/04/01/eigen" in upstream.paths  # own host: fetched
    assert len(result.letters) == 2
    assert sum("not fetched" in note for note in result.skipped) == 2  # the page and the PDF


async def test_rijksoverheid_legacy_details_and_files_on_its_host_only() -> None:
    listing = (
        "<documents><document><id>d1</id><type>kamerstuk</type>"
        "<title>Kamerbrief over Nagorno-Karabach</title><frontenddate>2025-04-01</frontenddate>"
        f"<dataurl>https://{EVIL}/v1/documents/d1</dataurl></document>"
        "<document><id>d2</id><type>kamerstuk</type><title>Brief Nagorno-Karabach 2</title>"
        "<frontenddate>2025-04-02</frontenddate>"
        "<dataurl>http://upstream.test/v1/documents/d2</dataurl></document></documents>"
    ).encode()
    detail = (
        "<document><title>Brief Nagorno-Karabach 2</title><introduction>Intro</introduction>"
        "<files><file><mimetype>application/pdf</mimetype>"
        f"<fileurl>https://{EVIL}/binaries/brief.pdf</fileurl></file></files></document>"
    ).encode()
    upstream = Upstream(
        {"/v1/documents": ("application/xml", listing), "/d2": ("application/xml", detail)}
    )
    source = RijksoverheidSource("http://upstream.test/v1/documents", TOPIC)
    result = await poll_with(source, upstream)
    assert set(upstream.hosts) == {"upstream.test"}
    assert "/v1/documents/d2" in upstream.paths
    assert len(result.letters) == 2


@pytest.mark.parametrize(
    ("url", "base", "same"),
    [
        ("https://repository.overheid.nl/frbr/x.xml", "https://repository.overheid.nl", True),
        ("https://REPOSITORY.overheid.nl:443/x", "https://repository.overheid.nl/sru", True),
        ("http://repository.overheid.nl/x", "https://repository.overheid.nl", False),
        ("https://repository.overheid.nl.evil.example/x", "https://repository.overheid.nl", False),
        (
            "https://evil.example/?https://repository.overheid.nl",
            "https://repository.overheid.nl",
            False,
        ),
        ("https://user@evil.example/x", "https://evil.example.nl", False),
        ("javascript:alert(1)", "https://repository.overheid.nl", False),
        ("/relative/x.xml", "https://repository.overheid.nl", False),
        ("http://[::1", "https://repository.overheid.nl", False),
        ("http://127.0.0.1:8090/x", "http://127.0.0.1:8090/repository", True),
        ("http://127.0.0.1:8091/x", "http://127.0.0.1:8090/repository", False),
    ],
)
def test_same_host(url: str, base: str, same: bool) -> None:
    assert same_host(url, base) is same


def test_delivery_rows_of_the_hostile_store_are_sane(hostile_repo: Repository) -> None:
    """The hostile strings are data to the store too (the outbox is intact)."""
    counts = hostile_repo.outbox_counts()
    assert counts[DeliveryStatus.PENDING.value] > 0
    assert counts[DeliveryStatus.FAILED.value] == 0
