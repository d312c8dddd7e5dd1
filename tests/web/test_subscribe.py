"""Subscription: double opt-in via a real SMTP server, POST-only changes, tokens, manage page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from bot.email.tokens import CONFIRM, MANAGE, UNSUBSCRIBE, make_token
from state.models import Channel, Frequency, SubscriptionKind
from tests.web.fixtures import SECRET, SmtpServer, add_email_subscriber

FORM = {
    "email": "nieuw@example.org",
    "follow": "motion",
    "value": "21501-02-3067",
    "frequency": "weekly",
}


def _link(smtp: SmtpServer, path: str) -> str:
    """The first link to ``path`` in the last mail (text part)."""
    text = smtp.handler.messages[-1].get_body(preferencelist=("plain",)).get_content()
    match = re.search(rf"http://kamerwacht\.test({path}/[^\s]+)", text)
    assert match, text
    return match[1]


async def test_double_opt_in_confirms_only_on_post(
    client: httpx.AsyncClient, repo, smtp: SmtpServer
) -> None:
    r = await client.post("/abonneren", data=FORM)
    assert r.status_code == 200
    assert "Kijk in je mailbox" in r.text
    sub = repo.get_subscriber(Channel.EMAIL, "nieuw@example.org")
    assert sub is not None
    assert not sub.confirmed
    assert not sub.active
    assert sub.frequency is Frequency.WEEKLY
    assert [(s.kind, s.value) for s in repo.subscriptions(sub.id)] == [
        (SubscriptionKind.MOTION, "21501-02-3067")
    ]
    (mail,) = smtp.handler.messages
    assert mail["To"] == "nieuw@example.org"
    assert "Bevestig" in mail["Subject"]
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    confirm = _link(smtp, "/bevestigen")

    page = await client.get(confirm)  # what a mail scanner does: nothing changes
    assert page.status_code == 200
    assert 'id="confirm-button"' in page.text
    assert "Eén motie: 21501-02-3067" in page.text
    assert not repo.get_subscriber_by_id(sub.id).confirmed

    done = await client.post(confirm)
    assert done.status_code == 200
    assert "Aanmelding bevestigd" in done.text
    sub = repo.get_subscriber_by_id(sub.id)
    assert sub.confirmed
    assert sub.active
    again = await client.get(confirm)
    assert "al bevestigd" in again.text


async def test_form_errors_are_shown_not_stored(
    client: httpx.AsyncClient, repo, smtp: SmtpServer
) -> None:
    for bad in (
        {**FORM, "email": "geen-adres"},
        {**FORM, "value": "21501-02"},  # a dossier is not a motion id
        {**FORM, "follow": "dossier", "value": "abc"},
        {**FORM, "follow": "keyword", "value": "x"},
        {**FORM, "frequency": "hourly"},
    ):
        r = await client.post("/abonneren", data=bad)
        assert r.status_code == 400, bad
        assert 'class="errors"' in r.text, bad
    assert repo.subscriber_counts()["email"] == 0
    assert smtp.handler.messages == []


async def test_a_second_request_within_a_minute_is_throttled(
    client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    assert (await client.post("/abonneren", data=FORM)).status_code == 200
    assert (await client.post("/abonneren", data=FORM)).status_code == 429
    assert len(smtp.handler.messages) == 1


async def test_existing_subscriber_gets_a_manage_link_and_nothing_changes(
    client: httpx.AsyncClient, repo, smtp: SmtpServer
) -> None:
    sub = add_email_subscriber(repo, "bestaand@example.org")
    r = await client.post("/abonneren", data={**FORM, "email": "bestaand@example.org"})
    assert r.status_code == 200
    assert "Kijk in je mailbox" in r.text
    assert [(s.kind, s.value) for s in repo.subscriptions(sub.id)] == [(SubscriptionKind.ALL, "")]
    assert repo.get_subscriber_by_id(sub.id).frequency is Frequency.DAILY
    manage = _link(smtp, "/abonnement")
    assert (await client.get(manage)).status_code == 200


async def test_forged_expired_and_misused_tokens_are_refused(
    client: httpx.AsyncClient, repo
) -> None:
    sub = add_email_subscriber(repo, "lezer@example.org")
    now = datetime.now(UTC)
    good = make_token(SECRET, UNSUBSCRIBE, sub.id, ttl=timedelta(days=1), now=now)
    forged = make_token("a guessed key", UNSUBSCRIBE, sub.id, ttl=timedelta(days=1), now=now)
    expired = make_token(
        SECRET, UNSUBSCRIBE, sub.id, ttl=timedelta(days=1), now=now - timedelta(days=2)
    )
    altered = f"{sub.id + 1:x}." + good.split(".", 1)[1]
    for token in (forged, expired, altered, "zomaar-iets"):
        for method in ("GET", "POST"):
            r = await client.request(
                method, f"/afmelden/{token}", data={"List-Unsubscribe": "One-Click"}
            )
            assert r.status_code == 400, (token, method)
            assert "Link ongeldig of verlopen" in r.text, (token, method)
    # an unsubscribe token neither confirms nor opens the manage page
    assert (await client.post(f"/bevestigen/{good}")).status_code == 400
    assert (await client.get(f"/abonnement/{good}")).status_code == 400
    assert repo.get_subscriber_by_id(sub.id).active


async def test_unsubscribe_page_then_button(client: httpx.AsyncClient, repo) -> None:
    sub = add_email_subscriber(repo, "lezer@example.org")
    token = make_token(SECRET, UNSUBSCRIBE, sub.id, ttl=timedelta(days=1), now=datetime.now(UTC))
    page = await client.get(f"/afmelden/{token}")
    assert page.status_code == 200
    assert 'id="unsubscribe-button"' in page.text
    assert repo.get_subscriber_by_id(sub.id).active  # GET changed nothing
    done = await client.post(f"/afmelden/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "Afgemeld" in done.text
    assert not repo.get_subscriber_by_id(sub.id).active
    assert repo.subscriptions(sub.id) == []
    assert (await client.post(f"/afmelden/{token}")).status_code == 200  # idempotent


async def test_manage_page_changes_happen_on_post(client: httpx.AsyncClient, repo) -> None:
    sub = add_email_subscriber(repo, "lezer@example.org")
    token = make_token(SECRET, MANAGE, sub.id, ttl=timedelta(days=1), now=datetime.now(UTC))
    url = f"/abonnement/{token}"
    page = await client.get(url)
    assert page.status_code == 200
    assert "lezer@example.org" in page.text
    r = await client.post(url, data={"action": "frequency", "frequency": "weekly"})
    assert r.status_code == 303
    assert r.headers["location"].endswith("?saved=1")
    r = await client.post(url, data={"action": "add", "follow": "dossier", "value": "21501-02"})
    assert r.status_code == 303
    r = await client.post(url, data={"action": "add", "follow": "motion", "value": "nope"})
    assert r.status_code == 400
    r = await client.post(url, data={"action": "remove", "kind": "all", "value": ""})
    r = await client.post(url, data={"action": "language", "language": "en"})
    sub = repo.get_subscriber_by_id(sub.id)
    assert (sub.frequency, sub.language) == (Frequency.WEEKLY, "en")
    assert [(s.kind, s.value) for s in repo.subscriptions(sub.id)] == [
        (SubscriptionKind.DOSSIER, "21501-02")
    ]
    assert "Opgeslagen" in (await client.get(f"{url}?saved=1")).text
    r = await client.post(url, data={"action": "unsubscribe"})
    assert not repo.get_subscriber_by_id(sub.id).active
    r = await client.post(url, data={"action": "resume"})
    assert repo.get_subscriber_by_id(sub.id).active
    r = await client.post(url, data={"action": "delete"})
    assert r.status_code == 200
    assert repo.get_subscriber_by_id(sub.id) is None
    assert (await client.get(url)).status_code == 404


async def test_confirm_token_made_for_someone_else_cannot_be_reused(
    client: httpx.AsyncClient, repo
) -> None:
    first = repo.get_or_create_subscriber(Channel.EMAIL, "een@example.org", confirmed=False)
    token = make_token(SECRET, CONFIRM, first.id, ttl=timedelta(days=2), now=datetime.now(UTC))
    tampered = f"{first.id + 100:x}." + token.split(".", 1)[1]
    assert (await client.post(f"/bevestigen/{tampered}")).status_code == 400
    assert (await client.post(f"/bevestigen/{token}")).status_code == 200
    assert repo.get_subscriber_by_id(first.id).confirmed


async def test_manage_link_request_answers_the_same_for_unknown_addresses(
    client: httpx.AsyncClient, repo, smtp: SmtpServer
) -> None:
    add_email_subscriber(repo, "bekend@example.org")
    known = await client.post("/abonnement", data={"email": "bekend@example.org"})
    unknown = await client.post("/abonnement", data={"email": "onbekend@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    assert [m["To"] for m in smtp.handler.messages] == ["bekend@example.org"]
