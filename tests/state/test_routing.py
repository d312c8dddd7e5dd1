"""Routing by kind (issue 17, point 4) on SQLite and PostgreSQL: routes, fan-out, claims."""

from __future__ import annotations

import pytest

from state import routing
from state.errors import NotFound
from state.models import (
    ChangeKind,
    Channel,
    DeliveryStatus,
    Frequency,
    Observation,
    SubscriptionKind,
)
from state.repository import Repository
from state.routing import Route, RouteClass

from .factories import NOW, cited, letter, motion, voted
from .test_outbox import received, subscriber


def test_every_change_kind_has_one_class() -> None:
    assert set(routing.CLASS_OF) == set(ChangeKind)
    assert routing.class_of("status_changed") is RouteClass.STATUS
    assert routing.class_of(ChangeKind.NEW_LETTER) is RouteClass.DOCUMENTS
    assert routing.class_of(ChangeKind.VOTE_SCHEDULED) is RouteClass.AGENDA
    assert Route.INSTANT not in routing.choices(Channel.EMAIL)


def test_the_default_rule_is_the_subscribers_frequency_capped_per_class() -> None:
    instant = routing.defaults(Frequency.INSTANT)
    assert instant == {
        RouteClass.STATUS: Route.INSTANT,
        RouteClass.EXECUTION: Route.INSTANT,
        RouteClass.DOCUMENTS: Route.WEEKLY,
        RouteClass.AGENDA: Route.INSTANT,
        RouteClass.COMMITMENTS: Route.INSTANT,
        RouteClass.OVERDUE: Route.DAILY,
    }
    daily = routing.defaults(Frequency.DAILY)
    assert daily[RouteClass.DOCUMENTS] is Route.WEEKLY
    assert {daily[c] for c in RouteClass if c is not RouteClass.DOCUMENTS} == {Route.DAILY}
    # nothing comes more often than the subscriber asked for
    assert set(routing.defaults(Frequency.WEEKLY).values()) == {Route.WEEKLY}
    # a daily email subscriber: its defaults are all routes email offers
    assert set(daily.values()) <= set(routing.choices(Channel.EMAIL))


def test_without_routes_a_class_gets_its_default() -> None:
    eff = routing.effective({RouteClass.DOCUMENTS: Route.OFF}, Frequency.DAILY)
    assert eff[RouteClass.DOCUMENTS] is Route.OFF
    assert eff[RouteClass.STATUS] is Route.DAILY
    eff = routing.effective({RouteClass.STATUS: Route.WEEKLY}, Frequency.INSTANT)
    assert eff[RouteClass.STATUS] is Route.WEEKLY
    assert eff[RouteClass.DOCUMENTS] is Route.WEEKLY  # the default
    assert eff[RouteClass.EXECUTION] is Route.INSTANT
    assert routing.effective({}, Frequency.INSTANT) == routing.defaults(Frequency.INSTANT)


def _poll(repo: Repository) -> list[ChangeKind]:
    changes = repo.apply_poll(
        Observation(
            motions=(motion("35570-V-31", title="Motie Van Helvert over sancties"),),
            letters=(letter("36000-V-99", cited("21501-02-2228")),),
        ),
        now=NOW,
    )
    return [c.kind for c in changes]


def test_routes_are_stored_replaced_and_forgotten(repo: Repository) -> None:
    sub = subscriber(repo, "1", (SubscriptionKind.ALL, ""))
    assert repo.routes(sub.id) == {}
    stored = repo.set_routes(sub.id, {RouteClass.DOCUMENTS: Route.WEEKLY})
    assert stored == {RouteClass.DOCUMENTS: Route.WEEKLY}
    stored = repo.set_routes(
        sub.id, {RouteClass.DOCUMENTS: Route.OFF, RouteClass.STATUS: Route.INSTANT}
    )
    assert stored == {RouteClass.DOCUMENTS: Route.OFF, RouteClass.STATUS: Route.INSTANT}
    assert repo.set_routes(sub.id, {RouteClass.DOCUMENTS: None}) == {
        RouteClass.STATUS: Route.INSTANT
    }
    repo.delete_subscriber(sub.id)
    assert repo.routes(sub.id) == {}


def test_off_gets_nothing_and_a_weekly_class_waits_for_the_weekly_claim(
    repo: Repository,
) -> None:
    plain = subscriber(repo, "1", (SubscriptionKind.ALL, ""))
    routed = subscriber(repo, "2", (SubscriptionKind.ALL, ""))
    silent = subscriber(repo, "3", (SubscriptionKind.ALL, ""))
    repo.set_routes(routed.id, {RouteClass.DOCUMENTS: Route.WEEKLY})
    repo.set_routes(silent.id, {RouteClass.DOCUMENTS: Route.OFF, RouteClass.EXECUTION: Route.OFF})
    kinds = _poll(repo)
    assert kinds == [ChangeKind.NEW_MOTION, ChangeKind.NEW_LETTER, ChangeKind.EXECUTION_REPORTED]
    assert len(received(repo, plain)) == 3  # no routes: every kind, by the default rule
    assert len(received(repo, routed)) == 3
    assert received(repo, silent) == []  # both classes off: no row at all
    # instant pass: each chat's execution report only (new documents: weekly by default too)
    instant = repo.claim_deliveries(
        Channel.TELEGRAM, limit=100, worker="w", now=NOW, frequency=Frequency.INSTANT
    )
    by_sub = {
        s: sorted(c.change.kind for c in instant if c.subscriber.id == s)
        for s in (plain.id, routed.id)
    }
    assert by_sub[plain.id] == [ChangeKind.EXECUTION_REPORTED]
    assert by_sub[routed.id] == [ChangeKind.EXECUTION_REPORTED]
    repo.mark_sent([c.delivery.id for c in instant], now=NOW)
    assert repo.due_count(now=NOW) == 0  # the weekly rows are not "due" now
    assert repo.claim_deliveries(Channel.TELEGRAM, now=NOW, frequency=Frequency.DAILY) == []
    weekly = repo.claim_deliveries(Channel.TELEGRAM, now=NOW, frequency=Frequency.WEEKLY)
    for chat in (plain, routed):
        assert sorted(c.change.kind for c in weekly if c.subscriber.id == chat.id) == [
            ChangeKind.NEW_LETTER,
            ChangeKind.NEW_MOTION,
        ]
    assert {c.subscriber.id for c in weekly} == {plain.id, routed.id}
    repo.mark_sent([c.delivery.id for c in weekly], now=NOW)
    statuses = {d.status for d in repo.deliveries(subscriber_id=routed.id)}
    assert statuses == {DeliveryStatus.SENT}


def test_an_instant_route_goes_out_at_once_for_a_weekly_subscriber(repo: Repository) -> None:
    weekly = subscriber(repo, "1", (SubscriptionKind.ALL, ""), frequency=Frequency.WEEKLY)
    repo.set_routes(weekly.id, {RouteClass.EXECUTION: Route.INSTANT})
    _poll(repo)
    assert repo.due_count(now=NOW) == 1
    instant = repo.claim_deliveries(Channel.TELEGRAM, now=NOW, frequency=Frequency.INSTANT)
    assert [c.change.kind for c in instant] == [ChangeKind.EXECUTION_REPORTED]
    rest = repo.claim_deliveries(Channel.TELEGRAM, now=NOW, worker="w2", frequency=Frequency.WEEKLY)
    assert len(rest) == 0  # the chat is busy: another worker still holds its instant row
    repo.mark_sent([c.delivery.id for c in instant], now=NOW)
    rest = repo.claim_deliveries(Channel.TELEGRAM, now=NOW, frequency=Frequency.WEEKLY)
    assert sorted(c.change.kind for c in rest) == [ChangeKind.NEW_LETTER, ChangeKind.NEW_MOTION]


@pytest.mark.parametrize(
    ("frequency", "count"), [(None, 3), (Frequency.DAILY, 1), (Frequency.WEEKLY, 2)]
)
def test_claiming_without_routes_follows_the_defaults(
    repo: Repository, frequency: Frequency | None, count: int
) -> None:
    """A daily email subscriber: the execution report in the daily digest, the new motion and
    letter in the weekly one (the default rule); a claim without frequency takes every row."""
    sub = subscriber(repo, "a@example.org", (SubscriptionKind.ALL, ""), frequency=Frequency.DAILY)
    _poll(repo)
    claimed = repo.claim_deliveries(Channel.EMAIL, now=NOW, frequency=frequency)
    assert len(claimed) == count
    assert {c.subscriber.id for c in claimed} == {sub.id}


def _status_and_document(repo: Repository) -> None:
    """A status-class change (the vote on a stored motion) and a new letter in one poll."""
    repo.apply_poll(Observation(motions=(motion("35570-V-31"),)), now=NOW, notify=False)
    changes = repo.apply_poll(
        Observation(
            motions=(voted(motion("35570-V-31")),),
            letters=(letter("36000-V-99", cited("21501-02-2228")),),
        ),
        now=NOW,
    )
    kinds = {c.kind for c in changes}
    assert {ChangeKind.VOTE_RECORDED, ChangeKind.NEW_LETTER} <= kinds


def _claimed(repo: Repository, frequency: Frequency) -> set[tuple[str, ChangeKind]]:
    claimed = repo.claim_deliveries(Channel.TELEGRAM, now=NOW, frequency=frequency)
    repo.mark_sent([c.delivery.id for c in claimed], now=NOW)
    return {(c.subscriber.address, c.change.kind) for c in claimed}


def test_a_new_chat_gets_status_at_once_and_documents_weekly(repo: Repository) -> None:
    """No route stored: the defaults derived from the chat's own frequency decide."""
    subscriber(repo, "new", (SubscriptionKind.ALL, ""))  # a new chat: instant
    subscriber(repo, "daily", (SubscriptionKind.ALL, ""), frequency=Frequency.DAILY)
    subscriber(repo, "weekly", (SubscriptionKind.ALL, ""), frequency=Frequency.WEEKLY)
    _status_and_document(repo)
    instant = _claimed(repo, Frequency.INSTANT)
    assert ("new", ChangeKind.VOTE_RECORDED) in instant
    assert ("new", ChangeKind.NEW_LETTER) not in instant
    assert {chat for chat, _ in instant} == {"new"}
    daily = _claimed(repo, Frequency.DAILY)
    assert ("daily", ChangeKind.VOTE_RECORDED) in daily
    assert ("daily", ChangeKind.NEW_LETTER) not in daily  # documents: weekly unless less often
    assert {chat for chat, _ in daily} == {"daily"}
    weekly = _claimed(repo, Frequency.WEEKLY)
    assert ("new", ChangeKind.NEW_LETTER) in weekly
    assert ("daily", ChangeKind.NEW_LETTER) in weekly
    assert ("weekly", ChangeKind.NEW_LETTER) in weekly
    assert ("weekly", ChangeKind.VOTE_RECORDED) in weekly
    assert not any(k is ChangeKind.VOTE_RECORDED for chat, k in weekly if chat != "weekly")
    assert repo.outbox_counts()["pending"] == 0


def test_a_stored_route_overrides_the_default_and_digest_follows_it(repo: Repository) -> None:
    """A stored route beats the default; forgetting it brings the default back, which then
    follows the chat's /digest frequency (no stored route overrides it)."""
    chat = subscriber(repo, "chat", (SubscriptionKind.ALL, ""))
    repo.set_routes(chat.id, {RouteClass.DOCUMENTS: Route.INSTANT})
    _status_and_document(repo)
    assert ("chat", ChangeKind.NEW_LETTER) in _claimed(repo, Frequency.INSTANT)
    repo.set_routes(chat.id, {RouteClass.DOCUMENTS: None})
    repo.update_subscriber(chat.id, frequency=Frequency.DAILY)
    repo.apply_poll(
        Observation(motions=(voted(motion("35570-V-32")),), letters=(letter("36000-V-98"),)),
        now=NOW,
    )
    assert _claimed(repo, Frequency.INSTANT) == set()
    daily = _claimed(repo, Frequency.DAILY)
    assert ("chat", ChangeKind.NEW_MOTION) not in daily
    assert {k for _, k in _claimed(repo, Frequency.WEEKLY)} == {
        ChangeKind.NEW_MOTION,
        ChangeKind.NEW_LETTER,
    }


def test_a_route_change_leaves_rows_already_queued_alone(repo: Repository) -> None:
    """Rows queued before a route change are delivered as they were queued; only changes fanned
    out afterwards follow the new routes (routes are read at fan-out, never at claim time)."""
    chat = subscriber(repo, "chat", (SubscriptionKind.ALL, ""))
    repo.apply_poll(
        Observation(motions=(motion("35570-V-31"), motion("35570-V-32"))), now=NOW, notify=False
    )
    first = repo.apply_poll(
        Observation(
            motions=(voted(motion("35570-V-31")),),
            letters=(letter("36000-V-99", cited("35570-V-31")),),
        ),
        now=NOW,
    )
    old = {c.id: c.kind for c in first}
    assert set(old.values()) == {
        ChangeKind.VOTE_RECORDED,
        ChangeKind.NEW_LETTER,
        ChangeKind.EXECUTION_REPORTED,
    }
    # queued by the defaults: the vote and the report at once, the letter weekly; now the chat
    # turns everything around
    repo.set_routes(
        chat.id,
        {
            RouteClass.STATUS: Route.WEEKLY,
            RouteClass.DOCUMENTS: Route.INSTANT,
            RouteClass.EXECUTION: Route.OFF,
        },
    )
    second = repo.apply_poll(
        Observation(
            motions=(voted(motion("35570-V-32")),),
            letters=(letter("36000-V-98", cited("35570-V-32")),),
        ),
        now=NOW,
    )
    new = {c.id: c.kind for c in second}
    assert ChangeKind.EXECUTION_REPORTED in new.values()  # a change of an "off" class…
    queued = {d.change_id for d in repo.deliveries(subscriber_id=chat.id)}
    assert not any(new[i] is ChangeKind.EXECUTION_REPORTED for i in queued if i in new)  # …no row

    def claim(frequency: Frequency) -> set[int]:
        claimed = repo.claim_deliveries(Channel.TELEGRAM, now=NOW, frequency=frequency)
        repo.mark_sent([c.delivery.id for c in claimed], now=NOW)
        return {c.change.id for c in claimed if c.change.id is not None}

    instant = claim(Frequency.INSTANT)
    assert {old[i] for i in instant if i in old} == {
        ChangeKind.VOTE_RECORDED,  # queued at once before the change: still at once
        ChangeKind.EXECUTION_REPORTED,  # queued before "off": still delivered
    }
    assert {new[i] for i in instant if i in new} == {ChangeKind.NEW_LETTER}  # the new route
    weekly = claim(Frequency.WEEKLY)
    assert {old[i] for i in weekly if i in old} == {ChangeKind.NEW_LETTER}  # queued weekly
    assert {new[i] for i in weekly if i in new} == {ChangeKind.VOTE_RECORDED}  # the new route
    assert claim(Frequency.DAILY) == set()
    assert repo.outbox_counts()["pending"] == 0


def _follow_id(repo: Repository, sub_id: int, kind: SubscriptionKind, value: str) -> int:
    [found] = [s.id for s in repo.subscriptions(sub_id) if (s.kind, s.value) == (kind, value)]
    assert found is not None
    return found


def test_follow_routes_are_stored_per_follow_and_checked_for_their_owner(
    repo: Repository,
) -> None:
    chat = subscriber(repo, "1", (SubscriptionKind.MOTION, "35570-V-31"))
    other = subscriber(repo, "2", (SubscriptionKind.ALL, ""))
    follow = _follow_id(repo, chat.id, SubscriptionKind.MOTION, "35570-V-31")
    assert repo.follow_routes(follow) == {}
    stored = repo.set_follow_routes(chat.id, follow, {RouteClass.DOCUMENTS: Route.INSTANT})
    assert stored == {RouteClass.DOCUMENTS: Route.INSTANT}
    with pytest.raises(NotFound):  # another chat's follow
        repo.set_follow_routes(other.id, follow, {RouteClass.STATUS: Route.OFF})
    assert repo.follow_routes(follow) == {RouteClass.DOCUMENTS: Route.INSTANT}
    assert repo.set_follow_routes(chat.id, follow, {RouteClass.DOCUMENTS: None}) == {}
    repo.set_follow_routes(chat.id, follow, {RouteClass.STATUS: Route.WEEKLY})
    repo.unsubscribe(chat.id, SubscriptionKind.MOTION, "35570-V-31")  # the routes go with it
    assert repo.follow_routes(follow) == {}
    eff = routing.follow_effective(
        {RouteClass.STATUS: Route.OFF}, {RouteClass.EXECUTION: Route.WEEKLY}, Frequency.INSTANT
    )
    assert eff[RouteClass.STATUS] is Route.OFF  # the follow's own
    assert eff[RouteClass.EXECUTION] is Route.WEEKLY  # the chat's
    assert eff[RouteClass.DOCUMENTS] is Route.WEEKLY  # the default
    assert eff[RouteClass.AGENDA] is Route.INSTANT


def test_fan_out_takes_the_follow_route_then_the_subscriber_route_then_the_default(
    repo: Repository,
) -> None:
    """Follow route → subscriber route → default; a change several follows of a chat match
    comes by the most frequent of their routes, and "off" only when all of them say so."""
    # a: follows the dossier with documents at once (its own), status off (its own)
    a = subscriber(repo, "a", (SubscriptionKind.DOSSIER, "35570-V"))
    repo.set_follow_routes(
        a.id,
        _follow_id(repo, a.id, SubscriptionKind.DOSSIER, "35570-V"),
        {RouteClass.DOCUMENTS: Route.INSTANT, RouteClass.STATUS: Route.OFF},
    )
    # b: same follow without own routes; the chat's own route: status weekly
    b = subscriber(repo, "b", (SubscriptionKind.DOSSIER, "35570-V"))
    repo.set_routes(b.id, {RouteClass.STATUS: Route.WEEKLY})
    # c: follows the dossier (status off there) and everything (no own routes)
    c = subscriber(repo, "c", (SubscriptionKind.DOSSIER, "35570-V"), (SubscriptionKind.ALL, ""))
    repo.set_follow_routes(
        c.id,
        _follow_id(repo, c.id, SubscriptionKind.DOSSIER, "35570-V"),
        {RouteClass.STATUS: Route.OFF, RouteClass.EXECUTION: Route.DAILY},
    )
    # d: no routes anywhere (the defaults)
    subscriber(repo, "d", (SubscriptionKind.DOSSIER, "35570-V"))
    repo.apply_poll(Observation(motions=(motion("35570-V-31"),)), now=NOW, notify=False)
    changes = repo.apply_poll(
        Observation(
            motions=(voted(motion("35570-V-31")),),
            letters=(letter("36000-V-99", cited("35570-V-31")),),
        ),
        now=NOW,
    )
    kinds = {ch.id: ch.kind for ch in changes}
    assert set(kinds.values()) == {
        ChangeKind.VOTE_RECORDED,
        ChangeKind.NEW_LETTER,
        ChangeKind.EXECUTION_REPORTED,
    }

    # each row's effective frequency, by the claim that takes it
    got: dict[str, dict[ChangeKind, Frequency]] = {}
    for frequency in (Frequency.INSTANT, Frequency.DAILY, Frequency.WEEKLY):
        claimed = repo.claim_deliveries(Channel.TELEGRAM, now=NOW, frequency=frequency)
        repo.mark_sent([x.delivery.id for x in claimed], now=NOW)
        for x in claimed:
            if x.change.id in kinds:
                got.setdefault(x.subscriber.address, {})[x.change.kind] = frequency
    assert repo.outbox_counts()["pending"] == 0
    i, w = Frequency.INSTANT, Frequency.WEEKLY
    # a: the follow's documents at once; no status row at all (the follow turned it off)
    assert got["a"] == {ChangeKind.NEW_LETTER: i, ChangeKind.EXECUTION_REPORTED: i}
    # b: the chat's own status route, the default for documents
    assert got["b"] == {
        ChangeKind.VOTE_RECORDED: w,
        ChangeKind.NEW_LETTER: w,
        ChangeKind.EXECUTION_REPORTED: i,
    }
    # c: status off and reports daily on the dossier, but "everything" brings both at once
    assert got["c"] == {
        ChangeKind.VOTE_RECORDED: i,
        ChangeKind.NEW_LETTER: w,
        ChangeKind.EXECUTION_REPORTED: i,
    }
    # d: the defaults
    assert got["d"] == {
        ChangeKind.VOTE_RECORDED: i,
        ChangeKind.NEW_LETTER: w,
        ChangeKind.EXECUTION_REPORTED: i,
    }
