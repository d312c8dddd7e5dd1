"""Routing by kind (issue 17, point 4) on SQLite and PostgreSQL: routes, fan-out, claims."""

from __future__ import annotations

import pytest

from state import routing
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

from .factories import NOW, cited, letter, motion
from .test_outbox import received, subscriber


def test_every_change_kind_has_one_class() -> None:
    assert set(routing.CLASS_OF) == set(ChangeKind)
    assert routing.class_of("status_changed") is RouteClass.STATUS
    assert routing.class_of(ChangeKind.NEW_LETTER) is RouteClass.DOCUMENTS
    assert routing.class_of(ChangeKind.VOTE_SCHEDULED) is RouteClass.AGENDA
    assert set(routing.RECOMMENDED) == set(RouteClass)
    assert routing.RECOMMENDED[RouteClass.STATUS] is Route.INSTANT
    assert routing.RECOMMENDED[RouteClass.DOCUMENTS] is Route.WEEKLY
    # email is a digest service: the instant classes become daily there
    email = routing.recommended_for(Channel.EMAIL)
    assert email[RouteClass.STATUS] is Route.DAILY
    assert email[RouteClass.DOCUMENTS] is Route.WEEKLY
    assert Route.INSTANT not in routing.choices(Channel.EMAIL)


def test_without_routes_a_class_follows_the_subscribers_frequency() -> None:
    eff = routing.effective({RouteClass.DOCUMENTS: Route.OFF}, Frequency.DAILY)
    assert eff[RouteClass.DOCUMENTS] is Route.OFF
    assert eff[RouteClass.STATUS] is Route.DAILY


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
    assert len(received(repo, plain)) == 3  # no routes: everything, as before
    assert len(received(repo, routed)) == 3
    assert received(repo, silent) == []  # both classes off: no row at all
    # instant pass: the plain chat's three rows and the routed chat's execution report only
    instant = repo.claim_deliveries(
        Channel.TELEGRAM, limit=100, worker="w", now=NOW, frequency=Frequency.INSTANT
    )
    by_sub = {
        s: sorted(c.change.kind for c in instant if c.subscriber.id == s)
        for s in (plain.id, routed.id)
    }
    assert by_sub[plain.id] == sorted(kinds)
    assert by_sub[routed.id] == [ChangeKind.EXECUTION_REPORTED]
    repo.mark_sent([c.delivery.id for c in instant], now=NOW)
    assert repo.due_count(now=NOW) == 0  # the weekly rows are not "due" now
    assert repo.claim_deliveries(Channel.TELEGRAM, now=NOW, frequency=Frequency.DAILY) == []
    weekly = repo.claim_deliveries(Channel.TELEGRAM, now=NOW, frequency=Frequency.WEEKLY)
    assert sorted(c.change.kind for c in weekly) == [ChangeKind.NEW_LETTER, ChangeKind.NEW_MOTION]
    assert {c.subscriber.id for c in weekly} == {routed.id}
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


@pytest.mark.parametrize("frequency", [None, Frequency.DAILY])
def test_claiming_without_routes_is_unchanged(
    repo: Repository, frequency: Frequency | None
) -> None:
    sub = subscriber(repo, "a@example.org", (SubscriptionKind.ALL, ""), frequency=Frequency.DAILY)
    _poll(repo)
    claimed = repo.claim_deliveries(Channel.EMAIL, now=NOW, frequency=frequency)
    assert len(claimed) == 3
    assert {c.subscriber.id for c in claimed} == {sub.id}
