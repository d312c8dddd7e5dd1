"""Issue 14, points 12, 13 and 16: the web app keeps HTTP's and its own contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.email.tokens import MANAGE, make_token
from bot.web.app import ROUTES
from state.models import Frequency
from state.repository import Repository
from tests.web.fixtures import SECRET, add_email_subscriber, second


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.path}:{sorted(r.methods or ())}")
async def test_405_names_the_allowed_methods(client: httpx.AsyncClient, route) -> None:
    path = route.path.replace("{motion_id}", "21501-02-3067").replace("{token}", "x")
    allowed = {m for r in ROUTES if r.path == route.path for m in (r.methods or ())}
    r = await client.request("DELETE", path)
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= allowed - {"HEAD"}


@pytest.mark.parametrize(
    ("param", "value"),
    [("status", "AAA"), ("execution", "AAA"), ("sort", "AAA"), ("order", "sideways")],
)
async def test_invalid_list_values_are_422_with_the_allowed_values(
    client: httpx.AsyncClient, repo: Repository, param: str, value: str
) -> None:
    second(repo)
    r = await client.get("/api/motions", params={param: value})
    assert r.status_code == 422
    body = r.json()
    assert body["parameter"] == param
    assert body["allowed"]
    assert value not in body["allowed"]
    ok = await client.get("/api/motions", params={param: body["allowed"][0]})
    assert ok.status_code == 200


async def test_a_bad_frequency_on_the_manage_page_is_422(
    client: httpx.AsyncClient, repo: Repository
) -> None:
    sub = add_email_subscriber(repo, "a@example.org", frequency=Frequency.DAILY)
    token = make_token(SECRET, MANAGE, sub.id, ttl=timedelta(days=1), now=datetime.now(UTC))
    r = await client.post(
        f"/abonnement/{token}", data={"action": "frequency", "frequency": "hourly"}
    )
    assert r.status_code == 422
    assert "daily" in r.text
    assert "weekly" in r.text
    stored = repo.get_subscriber_by_id(sub.id)
    assert stored is not None
    assert stored.frequency is Frequency.DAILY
