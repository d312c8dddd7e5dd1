"""Routing by kind (issue 17, point 4) for email: the manage page's per-class choices, and the
digests that follow them (real SMTP on loopback, real SQLite)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from bot.email.sender import Mailer
from bot.email.service import send_digests
from bot.email.tokens import MANAGE, make_token
from state.models import ChangeKind, Frequency
from state.routing import Route, RouteClass, class_of
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


def _selected(html: str, cls: str) -> str:
    block = re.search(rf'<select id="route_{cls}".*?</select>', html, re.S)
    assert block, html
    [value] = re.findall(r'<option value="(\w+)" selected>', block[0])
    return value


async def test_manage_page_routes_round_trip(client: httpx.AsyncClient, repo) -> None:
    sub = add_email_subscriber(repo, "soorten@example.org")
    token = make_token(SECRET, MANAGE, sub.id, ttl=timedelta(days=1), now=datetime.now(UTC))
    url = f"/abonnement/{token}"
    page = (await client.get(url)).text
    assert "Per soort wijziging" in page
    assert _selected(page, "documents") == "default"
    assert "aanbevolen: wekelijks" in page  # new documents: at most weekly by default
    assert "aanbevolen: dagelijks" in page
    assert '<option value="instant"' not in page  # email is a digest service

    r = await client.post(
        url, data={"action": "routes", "route_documents": "weekly", "route_execution": "off"}
    )
    assert r.status_code == 303
    assert repo.routes(sub.id) == {
        RouteClass.DOCUMENTS: Route.WEEKLY,
        RouteClass.EXECUTION: Route.OFF,
    }
    page = (await client.get(url)).text
    assert _selected(page, "documents") == "weekly"
    assert _selected(page, "execution") == "off"
    assert _selected(page, "status") == "default"

    r = await client.post(url, data={"action": "routes", "route_status": "instant"})
    assert r.status_code == 422
    assert "route_status: default, daily, weekly, off" in r.text
    assert repo.routes(sub.id) == {
        RouteClass.DOCUMENTS: Route.WEEKLY,
        RouteClass.EXECUTION: Route.OFF,
    }

    r = await client.post(url, data={"action": "routes", "route_execution": "default"})
    assert r.status_code == 303
    assert repo.routes(sub.id) == {RouteClass.DOCUMENTS: Route.WEEKLY}
    english = (await client.get(url, params={"lang": "en"})).text
    assert "By kind of change" in english


async def test_digests_follow_the_routes(repo, settings, smtp: SmtpServer, mailer: Mailer) -> None:
    plain = add_email_subscriber(repo, "alles@example.org")
    routed = add_email_subscriber(repo, "soorten@example.org")
    repo.set_routes(
        routed.id, {RouteClass.DOCUMENTS: Route.WEEKLY, RouteClass.EXECUTION: Route.OFF}
    )
    second(repo)
    changes = repo.changes(FIRST_POLL_AT)
    documents = [c for c in changes if class_of(c.kind) is RouteClass.DOCUMENTS]
    reports = [c for c in changes if c.kind is ChangeKind.EXECUTION_REPORTED]
    rest = [c for c in changes if c not in documents and c not in reports]
    assert documents
    assert reports
    assert rest
    app = AppStub(settings, repo)
    send_at = SECOND_POLL_AT + timedelta(hours=20)

    await send_digests(app, mailer, frequency=Frequency.DAILY, now=send_at)
    (daily,) = smtp.handler.to(routed.address)
    text = daily.get_body(preferencelist=("plain",)).get_content()
    for change in rest:
        assert change_summary(change) in text
    for change in (*documents, *reports):
        assert change_summary(change) not in text
    # no routes: the defaults of a daily subscriber, everything daily but new documents weekly
    (unrouted,) = smtp.handler.to(plain.address)
    text = unrouted.get_body(preferencelist=("plain",)).get_content()
    for change in (*rest, *reports):
        assert change_summary(change) in text
    for change in documents:
        assert change_summary(change) not in text

    await send_digests(app, mailer, frequency=Frequency.WEEKLY, now=send_at)
    _, weekly = smtp.handler.to(routed.address)
    text = weekly.get_body(preferencelist=("plain",)).get_content()
    for change in documents:
        assert change_summary(change) in text
    for change in reports:
        assert change_summary(change) not in text  # off: never queued
    _, weekly = smtp.handler.to(plain.address)
    text = weekly.get_body(preferencelist=("plain",)).get_content()
    for change in documents:
        assert change_summary(change) in text
    for change in (*rest, *reports):
        assert change_summary(change) not in text
