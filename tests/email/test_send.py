"""Digests sent through a real SMTP server (aiosmtpd on loopback) and read back.

The repository is real SQLite filled from real facts; the web links in the received mails are
followed against the web app running for real (uvicorn on loopback).
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from bot.email.digest import digest_message_id
from bot.email.sender import Mailer
from bot.email.service import MAX_BOUNCES, format_report, send_digests
from state.models import (
    DeliveryStatus,
    Frequency,
    Observation,
    SubscriptionKind,
)
from state.routing import RouteClass, class_of
from templates.render import change_summary
from tests.web.facts import letter_196, letter_35570_v_22, motion_2228_replaced, second_poll
from tests.web.fixtures import (
    FIRST_POLL_AT,
    SECOND_POLL_AT,
    SENDER,
    AppStub,
    LiveServer,
    SmtpServer,
    add_email_subscriber,
    second,
)

SEND_AT = SECOND_POLL_AT + timedelta(hours=20)
LINK = re.compile(r"https?://[^\s\"<>]+")


async def test_each_subscriber_gets_one_digest_with_each_change_once(
    repo, settings, smtp: SmtpServer, mailer: Mailer
) -> None:
    everyone = add_email_subscriber(repo, "alles@example.org")
    overlap = add_email_subscriber(
        repo,
        "ceder-volger@example.org",
        (SubscriptionKind.ALL, ""),
        (SubscriptionKind.MOTION, "21501-02-3067"),
        (SubscriptionKind.DOSSIER, "21501-02"),
    )
    one = add_email_subscriber(repo, "een@example.org", (SubscriptionKind.MOTION, "21501-02-3067"))
    second(repo)
    changes = repo.changes(FIRST_POLL_AT)
    report = await send_digests(
        AppStub(settings, repo), mailer, frequency=Frequency.DAILY, now=SEND_AT
    )

    assert (report.subscribers, report.digests, report.bounces, report.temporary_failures) == (
        3,
        3,
        0,
        0,
    )
    assert len(smtp.handler.messages) == 3
    # daily subscribers: every change once, despite 3 matches; new documents (the default
    # routing, issue 17) in the weekly digest, every other change in the daily one
    documents = [c for c in changes if class_of(c.kind) is RouteClass.DOCUMENTS]
    assert documents
    for sub in (everyone, overlap):
        (msg,) = smtp.handler.to(sub.address)
        text = msg.get_body(preferencelist=("plain",)).get_content()
        for change in changes:
            line = change_summary(change)
            assert text.count(line) == (0 if change in documents else 1), line
    (msg,) = smtp.handler.to(one.address)
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "21501-02-3067" in text
    assert "21501-02-2234" not in text
    assert msg["Subject"] == "kamerwacht: 1 wijziging bij motie 21501-02-3067 (15 maart 2025)"
    assert "ingediend -> aangenomen" in text
    assert "aangenomen (113-37)" in text
    assert len(set(smtp.handler.peers)) == 1  # one reused SMTP connection for every digest
    assert mailer.connections == 1
    assert "3 sent to 3 subscriber(s)" in format_report(report)
    await send_digests(AppStub(settings, repo), mailer, frequency=Frequency.WEEKLY, now=SEND_AT)
    for sub in (everyone, overlap):
        _, msg = smtp.handler.to(sub.address)
        text = msg.get_body(preferencelist=("plain",)).get_content()
        for change in changes:
            line = change_summary(change)
            assert text.count(line) == (1 if change in documents else 0), line

    again = await send_digests(
        AppStub(settings, repo), mailer, frequency=Frequency.DAILY, now=SEND_AT
    )
    assert (again.subscribers, again.digests) == (0, 0)  # nothing changed: nothing sent
    assert len(smtp.handler.messages) == 3 + 2  # the daily digests and the two weekly ones


async def test_digest_headers_and_both_parts(
    repo, settings, smtp: SmtpServer, mailer: Mailer
) -> None:
    sub = add_email_subscriber(repo, "lezer@example.org")
    second(repo)
    change_ids = [c.id for c in repo.changes(FIRST_POLL_AT)]
    await send_digests(AppStub(settings, repo), mailer, now=SEND_AT)
    (msg,) = smtp.handler.messages
    base = settings.public_url

    assert msg["From"] == SENDER
    assert msg["To"] == "lezer@example.org"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # only the HTTPS one-click link (RFC 8058): no mailto: that nothing would read
    match = re.fullmatch(rf"<{re.escape(base)}/afmelden/(?P<t1>[^>]+)>", msg["List-Unsubscribe"])
    assert match
    assert "mailto:" not in msg["List-Unsubscribe"]
    assert msg["Message-ID"] == digest_message_id(f"s{sub.id}", change_ids, "kamerwacht.test")
    assert msg["List-Id"] == "kamerwacht <digest.kamerwacht.test>"
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    text, html = (p.get_content() for p in parts)
    for body in (text, html):
        assert f"{base}/motie/21501-02-3067" in body
        assert f"{base}/afmelden/{match['t1']}" in body
        assert f"{base}/abonnement/" in body
        assert (
            "Het kabinet zal dit blijven doen totdat al deze Armeense gevangenen vrij zijn." in body
        )
    # status news first, then the new letter, then the new motions
    order = [text.index(s) for s in ("== Motie 21501-02-3067", "== Nieuwe Kamerbrieven")]
    assert order == sorted(order)
    assert text.index("Uitvoering gemeld") < text.index("== Nieuwe Kamerbrieven")


async def test_dry_run_renders_but_sends_nothing_and_keeps_the_outbox(
    repo, settings, smtp: SmtpServer, mailer: Mailer
) -> None:
    add_email_subscriber(repo, "lezer@example.org")
    second(repo)
    before = repo.outbox_counts()
    report = await send_digests(AppStub(settings, repo), None, dry_run=True, now=SEND_AT)
    assert (report.digests, report.released) == (1, before["pending"])
    assert smtp.handler.messages == []
    assert repo.outbox_counts() == before
    with pytest.raises(ValueError, match="email is off"):
        await send_digests(AppStub(settings, repo), None, now=SEND_AT)


async def test_weekly_subscribers_wait_for_the_weekly_run(
    repo, settings, smtp: SmtpServer, mailer: Mailer
) -> None:
    add_email_subscriber(repo, "dag@example.org")
    add_email_subscriber(repo, "week@example.org", frequency=Frequency.WEEKLY)
    second(repo)
    app = AppStub(settings, repo)
    daily = await send_digests(app, mailer, frequency=Frequency.DAILY, now=SEND_AT)
    assert [m["To"] for m in smtp.handler.messages] == ["dag@example.org"]
    weekly = await send_digests(app, mailer, frequency=Frequency.WEEKLY, now=SEND_AT)
    # the weekly run: the weekly subscriber, and the daily one's new documents (issue 17's
    # default routes them weekly)
    assert (daily.digests, weekly.digests) == (1, 2)
    assert sorted(m["To"] for m in smtp.handler.messages[1:]) == [
        "dag@example.org",
        "week@example.org",
    ]
    assert all("week tot" in m["Subject"] for m in smtp.handler.messages[1:])


async def test_temporary_failure_is_retried_in_the_run(
    repo, settings, smtp: SmtpServer, mailer: Mailer
) -> None:
    add_email_subscriber(repo, "traag@example.org")
    second(repo)
    smtp.handler.refuse_once["traag@example.org"] = "451 4.7.1 try again later"
    report = await send_digests(AppStub(settings, repo), mailer, now=SEND_AT, retry_delays=(0.0,))
    assert (report.digests, report.temporary_failures) == (1, 0)
    assert smtp.handler.refused == ["traag@example.org"]
    assert len(smtp.handler.to("traag@example.org")) == 1


async def test_lasting_temporary_failure_is_left_for_a_later_run_with_the_same_message_id(
    repo, settings, smtp: SmtpServer, mailer: Mailer
) -> None:
    sub = add_email_subscriber(repo, "traag@example.org")
    second(repo)
    smtp.handler.refuse["traag@example.org"] = "451 4.7.1 greylisted"
    app = AppStub(settings, repo)
    report = await send_digests(app, mailer, now=SEND_AT, retry_delays=(0.0, 0.0))
    assert (report.digests, report.temporary_failures) == (0, 1)
    assert len(smtp.handler.refused) == 3  # first try and two retries
    rows = repo.deliveries(subscriber_id=sub.id)
    assert {d.status for d in rows} == {DeliveryStatus.PENDING}
    assert all(d.next_attempt_at is not None and d.attempts == 1 for d in rows)
    assert "greylisted" in format_report(report)

    early = await send_digests(app, mailer, now=SEND_AT + timedelta(seconds=1))
    assert early.deliveries == 0  # not due yet
    del smtp.handler.refuse["traag@example.org"]
    later = await send_digests(app, mailer, now=SEND_AT + timedelta(minutes=5))
    assert later.digests == 1
    (msg,) = smtp.handler.messages
    assert msg["Message-ID"] == digest_message_id(
        f"s{sub.id}", [c.id for c in repo.changes(FIRST_POLL_AT)], "kamerwacht.test"
    )


async def test_three_bounces_stop_mailing_an_address(
    repo, settings, smtp: SmtpServer, mailer: Mailer
) -> None:
    gone = add_email_subscriber(repo, "weg@example.org")
    stays = add_email_subscriber(repo, "blijft@example.org")
    smtp.handler.refuse["weg@example.org"] = "550 5.1.1 no such user"
    app = AppStub(settings, repo)
    polls = [
        second_poll(),
        Observation(letters=(letter_196(),)),
        Observation(motions=(motion_2228_replaced(),)),
    ]
    for day, observation in enumerate(polls, start=1):
        assert repo.apply_poll(observation), "each poll brings news"
        report = await send_digests(app, mailer, now=SEND_AT + timedelta(days=day))
        assert (report.bounces, report.digests) == (1, 1)  # refused for weg@, sent to blijft@
    assert report.deactivated == 1
    assert repo.get_subscriber_by_id(gone.id).active is False
    assert len(smtp.handler.refused) == MAX_BOUNCES
    assert all(d.status is DeliveryStatus.FAILED for d in repo.deliveries(subscriber_id=gone.id))

    # after the third bounce the address is not mailed again; the other subscriber still is
    assert repo.apply_poll(Observation(letters=(letter_35570_v_22(),)))
    report = await send_digests(app, mailer, now=SEND_AT + timedelta(days=9))
    assert (report.bounces, report.digests) == (0, 1)
    assert len(smtp.handler.refused) == MAX_BOUNCES
    assert len(smtp.handler.to(stays.address)) == 4


async def test_links_in_the_digest_work_and_one_click_unsubscribes(
    live: LiveServer, smtp: SmtpServer, mailer: Mailer
) -> None:
    repo = live.repo
    sub = add_email_subscriber(repo, "klikker@example.org")
    second(repo)
    await send_digests(AppStub(live.settings, repo), mailer)  # now: the tokens must be current
    (msg,) = smtp.handler.messages
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    ours = {u.rstrip(".,)") for u in LINK.findall(text + html) if u.startswith(live.url)}
    unsubscribe = re.search(r"<(http[^>]+)>", msg["List-Unsubscribe"])[1]  # type: ignore[index]
    assert unsubscribe in ours
    assert any("/abonnement/" in u for u in ours)
    assert any("/motie/" in u for u in ours)
    async with httpx.AsyncClient() as http:
        for url in sorted(ours):
            response = await http.get(url)
            assert response.status_code == 200, url
        # a bare GET (a mail scanner following links) changed nothing
        assert repo.get_subscriber_by_id(sub.id).active is True
        # RFC 8058 one-click: POST List-Unsubscribe=One-Click, no cookie, no redirect
        response = await http.post(
            unsubscribe,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 200
        assert not response.history
    assert repo.get_subscriber_by_id(sub.id).active is False
    assert repo.subscriptions(sub.id) == []
    # a new change reaches nobody now
    assert repo.apply_poll(Observation(letters=(letter_196(),)))
    report = await send_digests(AppStub(live.settings, repo), mailer)
    assert report.digests == 0
    assert len(smtp.handler.messages) == 1
