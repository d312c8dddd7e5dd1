"""Links cannot be forged: each deployment has its own random key, tokens act on their channel.

The service is built as ``kamerwacht run`` builds it (no ``KAMERWACHT_SECRET_KEY``): the key is
the one ``kamerwacht db upgrade`` made and stored in the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.app import with_signing_key
from bot.email.links import Links
from bot.email.tokens import CONFIRM, MANAGE, UNSUBSCRIBE, make_token
from bot.settings import Settings
from bot.web.app import create_app
from state.models import Channel, SubscriptionKind
from state.repository import Repository
from tests.web.fixtures import add_email_subscriber

PUBLISHED_DEFAULT = "change-me-in-production"  # the key every old deployment shared
DAY = timedelta(days=1)


def deployment(path: Path) -> Repository:
    """A fresh deployment with the same data as any other: email subscriber 1, Telegram 2."""
    repo = Repository.from_url(f"sqlite:///{path}")
    repo.upgrade()
    add_email_subscriber(repo, "lezer@example.org")
    chat = repo.get_or_create_subscriber(Channel.TELEGRAM, "5550001")
    repo.subscribe(chat.id, SubscriptionKind.ALL)
    return repo


def unconfigured() -> Settings:
    return Settings(_env_file=None, public_url="http://kamerwacht.test")  # type: ignore[call-arg]


@pytest.fixture
def repos(tmp_path: Path) -> list[Repository]:
    made = [deployment(tmp_path / "a.db"), deployment(tmp_path / "b.db")]
    yield made  # type: ignore[misc]
    for repo in made:
        repo.close()


def client_for(repo: Repository) -> httpx.AsyncClient:
    app = create_app(unconfigured(), repo)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://kamerwacht.test"
    )


@pytest.fixture
async def client(repos: list[Repository]) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(repos[0]) as c:
        yield c


def test_there_is_no_default_key_and_each_deployment_has_its_own(repos: list[Repository]) -> None:
    assert Settings(_env_file=None).secret_key is None  # type: ignore[call-arg]
    first, second = (r.signing_key() for r in repos)
    assert first != second
    assert len(first) >= 40
    assert PUBLISHED_DEFAULT not in (first, second)
    again = with_signing_key(unconfigured(), repos[0]).secret_key
    assert again is not None
    assert again.get_secret_value() == first


async def test_a_token_made_with_the_published_default_key_is_refused(
    client: httpx.AsyncClient, repos: list[Repository]
) -> None:
    repo = repos[0]
    now = datetime.now(UTC)
    for purpose, path in ((MANAGE, "/abonnement"), (CONFIRM, "/bevestigen")):
        forged = make_token(PUBLISHED_DEFAULT, purpose, 1, ttl=DAY, now=now)
        assert (await client.get(f"{path}/{forged}")).status_code == 400
    forged = make_token(PUBLISHED_DEFAULT, MANAGE, 1, ttl=DAY, now=now)
    r = await client.post(f"/abonnement/{forged}", data={"action": "delete"})
    assert r.status_code == 400
    assert "lezer@example.org" not in r.text
    assert repo.get_subscriber_by_id(1) is not None


async def test_two_deployments_with_the_same_data_refuse_each_others_tokens(
    repos: list[Repository],
) -> None:
    now = datetime.now(UTC)
    links_a = Links.from_settings(unconfigured(), repos[0])
    links_b = Links.from_settings(unconfigured(), repos[1])
    token_a = links_a.manage(1, now).rsplit("/", 1)[1]
    token_b = links_b.manage(1, now).rsplit("/", 1)[1]
    assert token_a != token_b
    async with client_for(repos[0]) as a, client_for(repos[1]) as b:
        assert (await a.get(f"/abonnement/{token_a}")).status_code == 200
        assert (await b.get(f"/abonnement/{token_b}")).status_code == 200
        refused = await b.get(f"/abonnement/{token_a}")
        assert refused.status_code == 400
        assert "lezer@example.org" not in refused.text
        unsub = links_a.unsubscribe_token(1, now)
        assert (await b.post(f"/afmelden/{unsub}")).status_code == 400
    assert repos[1].get_subscriber_by_id(1).active  # type: ignore[union-attr]


async def test_a_genuine_token_acts_only_on_its_own_channel(
    client: httpx.AsyncClient, repos: list[Repository]
) -> None:
    repo = repos[0]
    key = repo.signing_key()
    now = datetime.now(UTC)
    chat = repo.get_subscriber(Channel.TELEGRAM, "5550001")
    assert chat is not None
    # signed with the real key, for the Telegram subscriber's id: a mail link never acts on it
    manage = make_token(key, MANAGE, chat.id, ttl=DAY, now=now)
    assert (await client.get(f"/abonnement/{manage}")).status_code == 404
    r = await client.post(f"/abonnement/{manage}", data={"action": "delete"})
    assert r.status_code == 404
    unsub = make_token(key, UNSUBSCRIBE, chat.id, ttl=DAY, now=now)
    await client.post(f"/afmelden/{unsub}", data={"List-Unsubscribe": "One-Click"})
    kept = repo.get_subscriber_by_id(chat.id)
    assert kept is not None
    assert kept.active
    assert repo.subscriptions(chat.id) != []
    # and a token bound to another channel does not pass the signature check at all
    other = make_token(key, MANAGE, 1, ttl=DAY, now=now, channel="telegram")
    assert (await client.get(f"/abonnement/{other}")).status_code == 400


async def test_altered_and_expired_tokens_of_the_deployment_are_refused(
    client: httpx.AsyncClient, repos: list[Repository]
) -> None:
    key = repos[0].signing_key()
    now = datetime.now(UTC)
    good = make_token(key, MANAGE, 1, ttl=DAY, now=now)
    assert (await client.get(f"/abonnement/{good}")).status_code == 200
    expired = make_token(key, MANAGE, 1, ttl=DAY, now=now - timedelta(days=2))
    altered = good[:-1] + ("A" if good[-1] != "A" else "B")
    other_id = "2." + good.split(".", 1)[1]
    for token in (expired, altered, other_id):
        assert (await client.get(f"/abonnement/{token}")).status_code == 400, token
