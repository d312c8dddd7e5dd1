"""Routing by kind (issue 17, point 4) per follow on the email manage page: each thing the
address follows carries routes of its own (``action=follow_routes``), set over the real app
(httpx ASGI, real SQLite), refused for another subscriber's follow, and followed by the digests
sent over real SMTP on loopback (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from bot.email.sender import Mailer
from bot.email.service import send_digests
from bot.email.tokens import MANAGE, make_token
from state.models import ChangeKind, Channel, Frequency, Subscriber, SubscriptionKind
from state.repository import Repository
from state.routing import Route, RouteClass
from templates.render import change_summary
from tests.web.fixtures import (
    FIRST_POLL_AT,
    SECOND_POLL_AT,
    SECRET,
    AppStub,
    SmtpServer,
    add_email_subscriber,
    second,
)

VOTED = (SubscriptionKind.MOTION, "21501-02-3067")  # voted on in the second poll (status)
REPORTED = (SubscriptionKind.MOTION, "21501-02-2234")  # an execution report in the second poll


def _url(sub: Subscriber) -> str:
    token = make_token(SECRET, MANAGE, sub.id, ttl=timedelta(days=1), now=datetime.now(UTC))
    return f"/abonnement/{token}"


def _follow_ids(repo: Repository, sub: Subscriber) -> list[int]:
    return [f.id or 0 for f in repo.subscriptions(sub.id)]


def _selected(html: str, follow: int, cls: str) -> str:
    block = re.search(rf'<select id="route_{follow}_{cls}".*?</select>', html, re.S)
    assert block, html
    [value] = re.findall(r'<option value="(\w+)" selected>', block[0])
    return value


def _now(html: str, follow: int, cls: str) -> str:
    found = re.search(
        rf'<span class="small muted" id="effective_{follow}_{cls}">([^<]*)</span>', html
    )
    assert found, html
    return found[1]


async def test_follow_routes_round_trip(client: httpx.AsyncClient, repo: Repository) -> None:
    sub = add_email_subscriber(repo, "per-volg@example.org", VOTED, REPORTED)
    voted, reported = _follow_ids(repo, sub)
    url = _url(sub)
    page = (await client.get(url)).text
    assert "Per ding dat je volgt" in page
    assert "<summary>Eén motie: 21501-02-3067</summary>" in page
    for follow in (voted, reported):
        assert _selected(page, follow, "status") == "inherit"
        assert _now(page, follow, "status") == "nu: dagelijks"
        assert _now(page, follow, "documents") == "nu: wekelijks"  # the default's cap
    assert "zoals het adres: dagelijks" in page
    assert f'<input type="hidden" name="follow_id" value="{voted}">' in page
    assert '<option value="instant"' not in page  # email is a digest service

    r = await client.post(
        url,
        data={
            "action": "follow_routes",
            "follow_id": str(voted),
            "route_status": "weekly",
            "route_execution": "off",
        },
    )
    assert r.status_code == 303
    assert repo.follow_routes(voted) == {
        RouteClass.STATUS: Route.WEEKLY,
        RouteClass.EXECUTION: Route.OFF,
    }
    assert repo.follow_routes(reported) == {}
    assert repo.routes(sub.id) == {}  # the address's own choices are untouched
    page = (await client.get(url)).text
    assert _selected(page, voted, "status") == "weekly"
    assert _now(page, voted, "status") == "nu: wekelijks"
    assert _now(page, voted, "execution") == "nu: uit"
    assert _selected(page, reported, "status") == "inherit"
    assert _now(page, reported, "status") == "nu: dagelijks"
    assert f'<details id="follow-{voted}" open>' in page
    assert f'<details id="follow-{reported}">' in page

    # the address's choice shows through where a follow has none of its own
    r = await client.post(url, data={"action": "routes", "route_status": "off"})
    assert r.status_code == 303
    page = (await client.get(url)).text
    assert _now(page, reported, "status") == "nu: uit"
    assert _now(page, voted, "status") == "nu: wekelijks"
    assert "zoals het adres: uit" in page

    # "as the address" forgets the follow's own route of that class
    r = await client.post(
        url, data={"action": "follow_routes", "follow_id": str(voted), "route_status": "inherit"}
    )
    assert r.status_code == 303
    assert repo.follow_routes(voted) == {RouteClass.EXECUTION: Route.OFF}

    english = (await client.get(url, params={"lang": "en"})).text
    assert "Per thing you follow" in english
    assert "as the address: off" in english
    assert _now(english, voted, "execution") == "now: off"

    # removing the follow forgets its routes (a later follow never inherits them)
    r = await client.post(url, data={"action": "remove", "kind": "motion", "value": VOTED[1]})
    assert r.status_code == 303
    assert repo.follow_routes(voted) == {}
    page = (await client.get(url)).text
    assert f'name="follow_id" value="{voted}"' not in page
    assert f'name="follow_id" value="{reported}"' in page


async def test_bad_values_are_refused_with_the_allowed_ones(
    client: httpx.AsyncClient, repo: Repository
) -> None:
    sub = add_email_subscriber(repo, "fout@example.org", VOTED, REPORTED)
    voted, reported = _follow_ids(repo, sub)
    url = _url(sub)
    for value in ("instant", "default", "WEEKLY", ""):
        r = await client.post(
            url,
            data={
                "action": "follow_routes",
                "follow_id": str(voted),
                "route_documents": "weekly",
                "route_status": value,
            },
        )
        assert r.status_code == 422, value
        assert "route_status: inherit, daily, weekly, off" in r.text
    for follow in ("", "abc", "-1", "0", "1.5", " 1", "9999999999", "9" * 40):
        r = await client.post(
            url, data={"action": "follow_routes", "follow_id": follow, "route_status": "weekly"}
        )
        assert r.status_code == 422, follow
        assert f"follow_id: {voted}, {reported}" in r.text
    r = await client.post(url, data={"action": "follow_routes", "route_status": "weekly"})
    assert r.status_code == 422
    # a refused addition shows the page again, with every follow's choices
    r = await client.post(url, data={"action": "add", "follow": "motion", "value": "x"})
    assert r.status_code == 400
    assert _selected(r.text, voted, "status") == "inherit"
    assert _selected(r.text, reported, "status") == "inherit"
    assert repo.follow_routes(voted) == {}
    assert repo.follow_routes(reported) == {}
    assert repo.routes(sub.id) == {}


async def test_another_subscribers_follow_is_refused(
    client: httpx.AsyncClient, repo: Repository
) -> None:
    owner = add_email_subscriber(repo, "eigenaar@example.org", VOTED)
    [theirs] = _follow_ids(repo, owner)
    chat = repo.get_or_create_subscriber(Channel.TELEGRAM, "4242")
    repo.subscribe(chat.id, *REPORTED)
    [chats] = _follow_ids(repo, chat)
    forger = add_email_subscriber(repo, "vervalser@example.org", REPORTED)
    [own] = _follow_ids(repo, forger)
    url = _url(forger)
    for follow in (theirs, chats, max(theirs, chats, own) + 1000):
        r = await client.post(
            url, data={"action": "follow_routes", "follow_id": str(follow), "route_status": "off"}
        )
        assert r.status_code == 404, follow
        assert "Dit abonnement bestaat niet (meer)." in r.text
    assert repo.follow_routes(theirs) == {}
    assert repo.follow_routes(chats) == {}
    assert repo.follow_routes(own) == {}
    # the page of the forger lists its own follow only
    page = (await client.get(url)).text
    assert f'name="follow_id" value="{own}"' in page
    assert f'name="follow_id" value="{theirs}"' not in page
    # a bad or foreign token stores nothing either (the checks every manage action has)
    r = await client.post(
        "/abonnement/not-a-token",
        data={"action": "follow_routes", "follow_id": str(theirs), "route_status": "off"},
    )
    assert r.status_code == 400
    chat_token = make_token(SECRET, MANAGE, chat.id, ttl=timedelta(days=1), now=datetime.now(UTC))
    r = await client.post(
        f"/abonnement/{chat_token}",
        data={"action": "follow_routes", "follow_id": str(chats), "route_status": "off"},
    )
    assert r.status_code == 404  # mail links act on email subscribers only
    expired = make_token(
        SECRET, MANAGE, owner.id, ttl=timedelta(days=1), now=datetime.now(UTC) - timedelta(days=9)
    )
    r = await client.post(
        f"/abonnement/{expired}",
        data={"action": "follow_routes", "follow_id": str(theirs), "route_status": "off"},
    )
    assert r.status_code == 400
    assert repo.follow_routes(theirs) == {}
    assert repo.follow_routes(chats) == {}


async def test_daily_digest_leaves_out_the_follow_routed_weekly(
    client: httpx.AsyncClient,
    repo: Repository,
    settings,
    smtp: SmtpServer,
    mailer: Mailer,
) -> None:
    routed = add_email_subscriber(repo, "wekelijks-per-volg@example.org", VOTED, REPORTED)
    plain = add_email_subscriber(repo, "zonder@example.org", VOTED, REPORTED)
    # follows the voted motion (routed weekly) and its whole dossier (no route of its own)
    both = add_email_subscriber(
        repo, "beide@example.org", VOTED, (SubscriptionKind.DOSSIER, "21501-02")
    )
    for sub in (routed, both):
        voted = _follow_ids(repo, sub)[0]
        r = await client.post(
            _url(sub),
            data={"action": "follow_routes", "follow_id": str(voted), "route_status": "weekly"},
        )
        assert r.status_code == 303
        assert repo.follow_routes(voted) == {RouteClass.STATUS: Route.WEEKLY}
        assert repo.routes(sub.id) == {}
    second(repo)
    changes = repo.changes(FIRST_POLL_AT)
    [vote] = [c for c in changes if c.motion_id == VOTED[1]]
    [report] = [c for c in changes if c.motion_id == REPORTED[1]]
    assert vote.kind is ChangeKind.VOTE_RECORDED
    assert report.kind is ChangeKind.EXECUTION_REPORTED
    app = AppStub(settings, repo)
    send_at = SECOND_POLL_AT + timedelta(hours=20)

    await send_digests(app, mailer, frequency=Frequency.DAILY, now=send_at)
    (daily,) = smtp.handler.to(routed.address)
    text = daily.get_body(preferencelist=("plain",)).get_content()
    assert change_summary(report) in text  # the other follow's change: daily as before
    assert change_summary(vote) not in text  # its follow is routed weekly
    (control,) = smtp.handler.to(plain.address)
    text = control.get_body(preferencelist=("plain",)).get_content()
    assert change_summary(report) in text
    assert change_summary(vote) in text
    # the dossier's follow brings the same vote daily: a weekly follow does not hold it back
    (brought,) = smtp.handler.to(both.address)
    assert change_summary(vote) in brought.get_body(preferencelist=("plain",)).get_content()

    await send_digests(app, mailer, frequency=Frequency.WEEKLY, now=send_at)
    _, weekly = smtp.handler.to(routed.address)
    text = weekly.get_body(preferencelist=("plain",)).get_content()
    assert change_summary(vote) in text
    assert change_summary(report) not in text
    assert len(smtp.handler.to(plain.address)) == 1  # nothing of its was routed weekly
    _, weekly = smtp.handler.to(both.address)  # the dossier's new letter (documents: weekly)
    assert change_summary(vote) not in weekly.get_body(preferencelist=("plain",)).get_content()


async def test_openapi_describes_the_follow_form(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    post = spec["paths"]["/abonnement/{token}"]["post"]
    schema = post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    fields = schema["properties"]
    assert "follow_routes" in fields["action"]["enum"]
    assert fields["follow_id"]["pattern"] == "^[1-9][0-9]{0,8}$"
    assert fields["route_status"]["enum"] == ["default", "inherit", "daily", "weekly", "off"]
    assert "follow_id" in post["responses"]["404"]["description"]
    assert "follow_id" in post["responses"]["422"]["description"]
