"""The board in the database: filters, search, sort and paging equal the pure reference view;
full-text search folds diacritics and stems Dutch; the outbox's cheap gauges and its pruning."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.web.board import BoardQuery, filter_board, status_counts
from state.models import (
    Channel,
    ExecutionStatus,
    Observation,
    ParliamentaryStatus,
    Submitter,
    SubscriptionKind,
)
from state.repository import Repository
from state.routing import Route, RouteClass
from state.search import fold, fts5_query, natural_key, search_body, terms, tsquery

from .factories import LATER, NOW, cited, letter, motion, voted

STATUSES = [
    ParliamentaryStatus.SUBMITTED,
    ParliamentaryStatus.ADOPTED,
    ParliamentaryStatus.REJECTED,
    ParliamentaryStatus.WITHDRAWN,
]


def _fill(repo: Repository) -> None:
    """40 motions over several dossiers (some undated), 6 letters reporting on 15 of them."""
    rng = random.Random(5)
    motions = []
    for i in range(40):
        mid = f"{rng.choice(['21501-02', '35570-V', '9999', '21501-20'])}-{rng.randint(1, 2400)}"
        m = motion(
            mid,
            title=rng.choice(["Motie", "Gewijzigde motie", "motie"]) + f" over punt {i}",
            date=None if i % 9 == 0 else date(2020, 1, 1) + timedelta(days=rng.randint(0, 60)),
        )
        status = rng.choice(STATUSES)
        motions.append(voted(m, status) if status is not ParliamentaryStatus.SUBMITTED else m)
    unique = {m.id: m for m in motions}
    repo.apply_poll(Observation(motions=tuple(unique.values())), now=NOW)
    ids = sorted(unique)
    letters = []
    for n in range(6):
        reported = ids[n * 3 : n * 3 + 5]
        letters.append(
            letter(
                f"21501-02-{3000 + n}",
                *(
                    cited(mid, rng.choice([*ExecutionStatus, None]), title=unique[mid].title)
                    for mid in reported
                ),
                date=None if n == 5 else date(2021, 1, 1) + timedelta(days=n % 3),
            )
        )
    repo.apply_poll(Observation(letters=tuple(letters)), now=LATER)


QUERIES = [
    BoardQuery(sort=sort, order=order)
    for sort in ("id", "status", "execution", "date", "updated")
    for order in ("asc", "desc")
] + [
    BoardQuery(status="adopted"),
    BoardQuery(execution="none", sort="id"),
    BoardQuery(execution="executed", order="asc"),
    BoardQuery(q="gewijzigde", sort="title", order="asc"),
    BoardQuery(q="motie", sort="title", order="desc"),
    BoardQuery(q="helvert", status="rejected", sort="execution"),
]


@pytest.mark.parametrize(
    "query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.params().items()) or "default"
)
def test_board_page_equals_the_reference_view_and_pages_add_up(
    repo: Repository, query: BoardQuery
) -> None:
    _fill(repo)
    expected = [e.motion.id for e in filter_board(repo.board(), query)]
    assert expected or query.execution == "executed" or query.status  # the data exercise it
    filters = {"status": query.status, "execution": query.execution, "words": query.q}
    got, more = repo.board_page(**filters, sort=query.sort, order=query.order, limit=1000)
    assert [e.motion.id for e in got] == expected
    assert not more
    assert repo.board_count(**filters) == len(expected)
    paged: list[str] = []
    offset = 0
    while True:
        page, more = repo.board_page(
            **filters, sort=query.sort, order=query.order, limit=7, offset=offset
        )
        assert len(page) <= 7
        paged += [e.motion.id for e in page]
        offset += 7
        if not more:
            break
    assert paged == expected
    # the entries are the full ones
    full = {e.motion.id: e for e in repo.board()}
    assert all(e == full[e.motion.id] for e in got)


def test_board_summary_counts_like_the_reference(repo: Repository) -> None:
    _fill(repo)
    entries = repo.board()
    total, status, execution, updated = repo.board_summary()
    assert total == len(entries)
    assert (status, execution) == status_counts(entries)
    assert updated == max(e.updated for e in entries)


def test_search_folds_diacritics_stems_dutch_and_matches_word_prefixes(
    repo: Repository,
) -> None:
    m1 = motion(
        "21501-02-2228",
        title="Motie van het lid Omtzigt over oorlogsrecht en de Armeense genocide",
        submitters=(Submitter("P.H. Omtzigt", "CDA", "Indiener"),),
    )
    m2 = motion(
        "21501-02-2300",
        title="Motie over het verzoek van de heer Şahin inzake krijgsgevangenen",
        submitters=(Submitter("Ö. Çelik", "DENK", "Indiener"),),
        zaak_nummer="2021Z01234",
    )
    m3 = motion("21501-02-2400", title="Motie over de uitvoering van moties over Azerbeidzjan")
    repo.apply_poll(Observation(motions=(m1, m2, m3)), now=NOW)

    def found(words: str) -> list[str]:
        return sorted(m.id for m in repo.search_motions(words, limit=10))

    assert found("Omtzigt oorlogsrecht") == ["21501-02-2228"]
    assert found("OMTZIGT") == ["21501-02-2228"]
    assert found("oorlog") == ["21501-02-2228"]  # a word prefix
    assert found("sahin") == ["21501-02-2300"]  # Ş folded
    assert found("Çelik") == found("celik") == ["21501-02-2300"]
    assert found("krijgsgevangene") == ["21501-02-2300"]
    assert found("motie uitvoeringen") == ["21501-02-2400"]  # Dutch stems: uitvoering(en)
    assert found("2021Z01234") == ["21501-02-2300"]
    assert found("21501-02-2400") == ["21501-02-2400"]
    assert found("denk") == ["21501-02-2300"]  # the party
    assert found("omtzigt sahin") == []
    assert found("'\"*) OR (") == []  # query syntax is data, not an error
    assert found("") == []
    # a report's evidence is searchable once the letter arrives
    repo.apply_poll(
        Observation(
            letters=(
                letter(
                    "21501-02-2423",
                    cited("21501-02-2400", evidence="Het kabinet heeft de EU-waarnemers gesteund."),
                ),
            )
        ),
        now=LATER,
    )
    assert found("waarnemers") == ["21501-02-2400"]
    words, more = repo.board_page(words="Waarnemer", limit=10)
    assert [e.motion.id for e in words] == ["21501-02-2400"]
    assert not more


def test_search_helpers() -> None:
    assert fold("Ümit Çağlar ßtraße") == "umit caglar sstrasse"
    assert "uitvoer" in search_body(["uitvoering"]).split()
    pairs = terms("Moties  moties, Şahin!")
    assert pairs == [("moties", "motie"), ("sahin", "sahin")]
    assert fts5_query(pairs) == '("motie"* OR "moties"*) AND ("sahin"*)'
    assert tsquery(pairs) == "('motie':* | 'moties':*) & ('sahin':*)"
    ids = ["21501-02-2228", "21501-02-300", "2022Z19883", "35570-V-31", "35570-V-4", "35570-2"]
    from bot.web.board import motion_sort_key

    assert sorted(ids, key=natural_key) == sorted(ids, key=motion_sort_key)


def test_outbox_health_counts_through_indexes_and_pruning_keeps_recent_and_open_rows(
    repo: Repository,
) -> None:
    subs = [repo.get_or_create_subscriber(Channel.TELEGRAM, str(n)) for n in range(4)]
    for sub in subs:
        repo.subscribe(sub.id, SubscriptionKind.ALL)
        # new motions at once (by default they wait for the weekly digest, issue 17)
        repo.set_routes(sub.id, {RouteClass.DOCUMENTS: Route.INSTANT})
    repo.apply_poll(Observation(motions=(motion("21501-02-1"),)), now=NOW)
    repo.apply_poll(Observation(motions=(motion("21501-02-2"),)), now=NOW)
    health = repo.outbox_health(now=NOW)
    assert health == {
        "pending": 8,
        "claimed": 0,
        "failed": 0,
        "skipped": 0,
        "due": 8,
        "last_sent": 0,
    }
    repo.update_subscriber(subs[3].id, active=False)
    claimed = repo.claim_deliveries(Channel.TELEGRAM, limit=100, now=NOW)
    assert len(claimed) == 6
    first_change = min(c.change.id or 0 for c in claimed)
    sent = [c.delivery.id for c in claimed if c.change.id == first_change]
    repo.mark_sent(sent, now=NOW)
    failed = next(c.delivery.id for c in claimed if c.change.id != first_change)
    repo.mark_failed(failed, "blocked", now=NOW)
    health = repo.outbox_health(now=NOW)
    assert health["claimed"] == 2
    assert health["failed"] == 1
    assert health["skipped"] == 2
    assert health["last_sent"] == int(NOW.timestamp())
    assert repo.outbox_health()["pending"] == 0
    # nothing is older than the retention yet
    assert repo.prune_outbox(timedelta(days=30), now=NOW + timedelta(days=1)) == 0
    later = NOW + timedelta(days=31)
    repo.apply_poll(Observation(motions=(motion("21501-02-3"),)), now=later)
    # sent, failed and skipped rows of old changes go; claimed and new pending rows stay
    assert repo.prune_outbox(timedelta(days=30), now=later, batch=2) == 3 + 1 + 2
    left = repo.outbox_counts()
    assert left["sent"] == left["failed"] == left["skipped"] == 0
    assert left["claimed"] == 2
    assert left["pending"] == 3


@pytest.mark.parametrize("backend", ["sqlite"])
def test_check_schema_imports_no_alembic(db_url, backend: str) -> None:
    url = db_url(backend)
    code = (
        "import sys; from state.repository import Repository;"
        f" r = Repository.from_url({url!r}); r.check_schema();"
        " assert not [m for m in sys.modules if m.startswith('alembic')], 'alembic imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_board_keys_follow_a_motion_and_its_reports(repo: Repository) -> None:
    m = motion("21501-02-2234", date=date(2020, 11, 12))
    repo.apply_poll(Observation(motions=(m,)), now=NOW)
    [(entry)], _ = repo.board_page(execution="none")
    assert entry.motion.id == m.id
    repo.apply_poll(
        Observation(letters=(letter("21501-02-2423", cited(m.id, ExecutionStatus.IN_PROGRESS)),)),
        now=LATER,
    )
    assert repo.board_page(execution="none")[0] == []
    [(entry)], _ = repo.board_page(execution="in_progress")
    assert entry.execution is not None
    assert entry.execution.date == date(2021, 11, 4)
    retitled = replace(m, title="Gewijzigde motie over waarheidsvinding")
    repo.apply_poll(Observation(motions=(retitled,)), now=LATER)
    assert [e.motion.id for e in repo.board_page(words="waarheidsvinding")[0]] == [m.id]
    assert repo.board_page(words="Helvert Nagorno")[0] == []  # the old title is gone
    assert [e.motion.id for e in repo.board_page(execution="in_progress")[0]] == [m.id]
