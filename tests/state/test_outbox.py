"""The outbox on SQLite and PostgreSQL: matching, claiming, retries, crash recovery."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from state.models import (
    ChangeKind,
    Channel,
    DeliveryStatus,
    ExecutionStatus,
    Frequency,
    Observation,
    Subscriber,
    SubscriptionKind,
)
from state.outbox import MAX_ATTEMPTS, retry_at, targets
from state.repository import Repository
from templates.render import change_summary

from .factories import LATER, NOW, cited, letter, motion, voted


def subscriber(
    repo: Repository, address: str, *follows: tuple[SubscriptionKind, str], **kw: object
) -> Subscriber:
    channel = Channel.EMAIL if "@" in address else Channel.TELEGRAM
    sub = repo.get_or_create_subscriber(channel, address)
    if kw:
        sub = repo.update_subscriber(sub.id, **kw)  # type: ignore[arg-type]
    for kind, value in follows:
        repo.subscribe(sub.id, kind, value)
    return sub


def received(repo: Repository, sub: Subscriber) -> list[str]:
    """The summaries queued for one subscriber, in order."""
    by_id = {c.id: c for c in repo.changes()}
    return [change_summary(by_id[d.change_id]) for d in repo.deliveries(subscriber_id=sub.id)]


def test_matching_by_subscription_kind(repo: Repository) -> None:
    everyone = subscriber(repo, "1", (SubscriptionKind.ALL, ""))
    one_motion = subscriber(repo, "2", (SubscriptionKind.MOTION, "21501-02-2228"))
    dossier = subscriber(repo, "3", (SubscriptionKind.DOSSIER, "35570-V"))
    letter_dossier = subscriber(repo, "4", (SubscriptionKind.DOSSIER, "21501-02"))
    keyword = subscriber(repo, "5", (SubscriptionKind.KEYWORD, "ARMEENSE"))
    letter_keyword = subscriber(repo, "6", (SubscriptionKind.KEYWORD, "nagorno"))
    nothing = subscriber(repo, "7", (SubscriptionKind.MOTION, "1234-5"))
    changes = repo.apply_poll(
        Observation(
            motions=(motion("35570-V-31", title="Motie Van Helvert over sancties"),),
            letters=(letter("36000-V-99", cited("21501-02-2228")),),
        ),
        now=NOW,
    )
    kinds = [c.kind for c in changes]
    # the motion first seen in the letter is announced by the letter's changes, not as news
    assert kinds == [
        ChangeKind.NEW_MOTION,
        ChangeKind.NEW_LETTER,
        ChangeKind.EXECUTION_REPORTED,
    ]
    assert len(received(repo, everyone)) == 3
    assert received(repo, one_motion) == [change_summary(changes[2])]
    # the motion's dossier, and a letter citing a motion of it
    assert received(repo, dossier) == [change_summary(changes[0])]
    assert received(repo, letter_dossier) == [
        change_summary(changes[1]),
        change_summary(changes[2]),
    ]
    # case-insensitive, in the motion title of an execution report
    assert received(repo, keyword) == [change_summary(changes[2])]
    # the letter's own title ("Uitvoering moties over Nagorno-Karabach")
    assert received(repo, letter_keyword) == [
        change_summary(changes[1]),
        change_summary(changes[2]),
    ]
    assert received(repo, nothing) == []


def test_letters_own_dossier_matches(repo: Repository) -> None:
    own = subscriber(repo, "1", (SubscriptionKind.DOSSIER, "36000-V"))
    repo.apply_poll(Observation(letters=(letter("36000-V-99", cited()),)), now=NOW)
    assert len(received(repo, own)) == 1  # the new letter, not the report on 21501-02-2228


def test_one_delivery_per_subscriber_and_change(repo: Repository) -> None:
    sub = subscriber(
        repo,
        "1",
        (SubscriptionKind.ALL, ""),
        (SubscriptionKind.MOTION, "35570-V-31"),
        (SubscriptionKind.DOSSIER, "35570-V"),
        (SubscriptionKind.KEYWORD, "helvert"),
        (SubscriptionKind.KEYWORD, "karabach"),
    )
    other = subscriber(
        repo, "2", (SubscriptionKind.MOTION, "35570-V-31"), (SubscriptionKind.DOSSIER, "35570-V")
    )
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    repo.apply_poll(Observation(motions=(voted(motion()),)), now=LATER)
    assert len(repo.deliveries(subscriber_id=sub.id)) == 2
    assert len(repo.deliveries(subscriber_id=other.id)) == 2
    assert repo.outbox_counts()["pending"] == 4


def test_inactive_and_unconfirmed_get_nothing(repo: Repository) -> None:
    subscriber(repo, "1", (SubscriptionKind.ALL, ""), active=False)
    subscriber(repo, "a@example.org", (SubscriptionKind.ALL, ""), confirmed=False)
    ok = subscriber(repo, "b@example.org", (SubscriptionKind.ALL, ""))
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    assert [d.subscriber_id for d in repo.deliveries()] == [ok.id]


def test_claim_send_and_channels(repo: Repository) -> None:
    tg = subscriber(repo, "1", (SubscriptionKind.ALL, ""))
    mail = subscriber(repo, "a@example.org", (SubscriptionKind.ALL, ""))
    repo.apply_poll(Observation(motions=(motion(), motion("21501-02-2228"))), now=NOW)
    claimed = repo.claim_deliveries(Channel.TELEGRAM, limit=10, worker="w1", now=NOW)
    assert [c.subscriber.id for c in claimed] == [tg.id, tg.id]
    assert claimed[0].change.kind is ChangeKind.NEW_MOTION
    assert claimed[0].change.id is not None
    assert all(c.delivery.status is DeliveryStatus.CLAIMED for c in claimed)
    assert repo.claim_deliveries(Channel.TELEGRAM, now=NOW) == []  # already claimed
    repo.mark_sent([c.delivery.id for c in claimed], now=NOW)
    sent = repo.deliveries(subscriber_id=tg.id)
    assert {d.status for d in sent} == {DeliveryStatus.SENT}
    assert all(d.sent_at == NOW for d in sent)
    emails = repo.claim_deliveries(Channel.EMAIL, limit=1, now=NOW)  # one chat: all its rows
    assert [c.subscriber.id for c in emails] == [mail.id, mail.id]
    assert emails[0].delivery.change_id < emails[1].delivery.change_id
    assert repo.outbox_counts() == {
        "pending": 0,
        "claimed": 2,
        "sent": 2,
        "failed": 0,
        "skipped": 0,
    }


def test_frequency_filter_for_digests(repo: Repository) -> None:
    daily = subscriber(repo, "d@example.org", (SubscriptionKind.ALL, ""), frequency=Frequency.DAILY)
    weekly = subscriber(
        repo, "w@example.org", (SubscriptionKind.ALL, ""), frequency=Frequency.WEEKLY
    )
    # a vote (status: at the subscriber's frequency; a new motion would wait for the weekly
    # digest of both, issue 17's default for new documents)
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW, notify=False)
    repo.apply_poll(Observation(motions=(voted(motion()),)), now=NOW)
    got = repo.claim_deliveries(Channel.EMAIL, frequency=Frequency.DAILY, now=NOW)
    assert [c.subscriber.id for c in got] == [daily.id]
    got = repo.claim_deliveries(Channel.EMAIL, frequency=Frequency.WEEKLY, now=NOW)
    assert [c.subscriber.id for c in got] == [weekly.id]


def test_rows_of_deactivated_subscribers_are_skipped(repo: Repository) -> None:
    gone = subscriber(repo, "1", (SubscriptionKind.ALL, ""))
    stays = subscriber(repo, "2", (SubscriptionKind.ALL, ""))
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    repo.update_subscriber(gone.id, active=False)  # blocked the bot before we sent
    got = repo.claim_deliveries(Channel.TELEGRAM, now=NOW)
    assert [c.subscriber.id for c in got] == [stays.id]
    assert repo.deliveries(subscriber_id=gone.id)[0].status is DeliveryStatus.SKIPPED


def test_retry_with_backoff_then_failed(repo: Repository) -> None:
    subscriber(repo, "1", (SubscriptionKind.ALL, ""))
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (claimed,) = repo.claim_deliveries(Channel.TELEGRAM, now=now)
        when = retry_at(attempt, now)
        repo.mark_failed(claimed.delivery.id, f"timeout {attempt}", retry_at=when, now=now)
        (row,) = repo.deliveries()
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert row.status is DeliveryStatus.PENDING
            assert row.next_attempt_at == when
            assert repo.claim_deliveries(Channel.TELEGRAM, now=when - timedelta(seconds=1)) == []
            now = when
    (row,) = repo.deliveries()
    assert row.status is DeliveryStatus.FAILED
    assert row.last_error == f"timeout {MAX_ATTEMPTS}"
    assert repo.claim_deliveries(Channel.TELEGRAM, now=now + timedelta(days=1)) == []


def test_permanent_failure(repo: Repository) -> None:
    subscriber(repo, "1", (SubscriptionKind.ALL, ""))
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    (claimed,) = repo.claim_deliveries(Channel.TELEGRAM, now=NOW)
    repo.mark_failed(claimed.delivery.id, "Forbidden: bot was blocked by the user")
    (row,) = repo.deliveries()
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 1)
    assert row.last_error == "Forbidden: bot was blocked by the user"


def test_release_and_requeue_stale_claims(repo: Repository) -> None:
    subscriber(repo, "1", (SubscriptionKind.ALL, ""))
    repo.apply_poll(Observation(motions=(motion(), motion("21501-02-2228"))), now=NOW)
    first, second = repo.claim_deliveries(Channel.TELEGRAM, now=NOW)
    repo.release([first.delivery.id])
    assert repo.outbox_counts()["pending"] == 1
    # the worker holding `second` died; its claim is stale after 10 minutes
    assert repo.requeue_stale_claims(timedelta(minutes=10), now=NOW + timedelta(minutes=5)) == 0
    assert repo.requeue_stale_claims(timedelta(minutes=10), now=NOW + timedelta(minutes=11)) == 1
    assert repo.outbox_counts()["pending"] == 2
    again = repo.claim_deliveries(Channel.TELEGRAM, now=LATER)
    assert [c.delivery.id for c in again] == [first.delivery.id, second.delivery.id]
    assert all(c.delivery.attempts == 0 for c in again)


def test_concurrent_workers_never_share_a_row(repo: Repository) -> None:
    """Four threads drain the outbox; on PostgreSQL they use FOR UPDATE SKIP LOCKED."""
    for n in range(30):
        subscriber(repo, str(n), (SubscriptionKind.ALL, ""))
    repo.apply_poll(
        Observation(motions=tuple(motion(f"35570-V-{i}") for i in range(1, 11))), now=NOW
    )
    seen: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            while batch := repo.claim_deliveries(Channel.TELEGRAM, limit=7, worker=f"w{k}"):
                ids = [c.delivery.id for c in batch]
                seen[k].extend(ids)
                repo.mark_sent(ids)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    everything = [i for ids in seen for i in ids]
    assert len(everything) == len(set(everything)) == 300
    assert repo.outbox_counts()["sent"] == 300


def test_targets_helper() -> None:
    from state.changes import Route
    from state.models import Change, ChangeFacts

    change = Change(
        ChangeKind.EXECUTION_REPORTED,
        motion_id="21501-02-2228",
        facts=ChangeFacts(submitter="P.H. Omtzigt"),
    )
    route = Route(frozenset({"21501-02"}), ("Motie over Armenië",))
    assert targets(change, route, ["armenië", "omtzigt", "iran", ""]) == {
        ("motion", "21501-02-2228"),
        ("dossier", "21501-02"),
        ("keyword", "armenië"),
        ("keyword", "omtzigt"),
    }


def test_backoff_grows_and_is_capped() -> None:
    delays = [retry_at(n, NOW) - NOW for n in range(1, 10)]
    assert delays[0] == timedelta(seconds=30)
    assert delays[1] == timedelta(minutes=1)
    assert delays == sorted(delays)
    assert delays[-1] == timedelta(hours=1)


@pytest.mark.parametrize("status", list(ExecutionStatus))
def test_report_reaches_motion_followers(
    status: ExecutionStatus, db_url: Callable[..., str]
) -> None:
    repo = Repository.from_url(db_url("sqlite"))
    sub = subscriber(repo, "1", (SubscriptionKind.MOTION, "21501-02-2228"))
    repo.apply_poll(Observation(letters=(letter("21501-02-2423", cited(status=status)),)), now=NOW)
    assert len(repo.deliveries(subscriber_id=sub.id)) == 1  # the report (it announces the motion)
    repo.close()


def test_each_subscriber_gets_changes_in_order(repo: Repository) -> None:
    subs = [subscriber(repo, str(n), (SubscriptionKind.ALL, "")) for n in range(5)]
    subscriber(repo, "9", (SubscriptionKind.DOSSIER, "35570-V"))
    for batch in range(2):
        motions = tuple(motion(f"35570-V-{batch * 10 + i}") for i in range(1, 11))
        repo.apply_poll(Observation(motions=motions), now=NOW)
    for sub in subs:
        rows = repo.deliveries(subscriber_id=sub.id)
        assert len(rows) == 20
        assert [d.change_id for d in rows] == sorted(d.change_id for d in rows)
    claimed = repo.claim_deliveries(Channel.TELEGRAM, limit=1000, now=NOW)
    for sub in subs:
        mine = [c.change.id or 0 for c in claimed if c.subscriber.id == sub.id]
        assert mine == sorted(mine)
