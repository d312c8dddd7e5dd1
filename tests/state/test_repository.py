"""The repository suite, run on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from state import ingest
from state.errors import NotFound, SchemaOutOfDate
from state.models import (
    ChangeKind,
    Channel,
    ExecutionStatus,
    Frequency,
    Observation,
    ParliamentaryStatus,
    Submitter,
    SubscriptionKind,
)
from state.repository import MIGRATIONS, Repository
from state.schema import SEARCH_INDEX, SEARCH_TABLE, metadata
from templates.timeline import detail

from .factories import LATER, NOW, cited, decision, letter, motion, voted


def test_fresh_database_is_out_of_date_until_upgraded(
    backend: str, db_url: Callable[..., str]
) -> None:
    repo = Repository.from_url(db_url(backend, migrated=False))
    head = repo.schema_revisions()[1]
    assert head == "0011"
    with pytest.raises(SchemaOutOfDate, match=rf"code needs {head}: run `kamerwacht db upgrade`"):
        repo.check_schema()
    repo.upgrade()
    repo.check_schema()
    repo.upgrade()  # idempotent
    assert repo.schema_revisions() == (head, head)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == head  # what files say
    repo.close()


def test_upgrade_from_the_first_schema_keeps_the_data(
    backend: str, db_url: Callable[..., str]
) -> None:
    from sqlalchemy import text

    repo = Repository.from_url(db_url(backend, migrated=False))
    repo.upgrade("0001")
    with repo._engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO motions (id, title, submitters, parliamentary_status, source,"
                " content_hash, created, updated) VALUES ('21501-02-2228', 'Motie Omtzigt',"
                " '[]', 'adopted', 'tweedekamer', 'x', :now, :now)"
            ),
            {"now": NOW},
        )
    head = repo.schema_revisions()[1]
    with pytest.raises(SchemaOutOfDate, match=rf"database schema is at 0001, code needs {head}"):
        repo.check_schema()
    repo.upgrade()
    repo.check_schema()
    kept = repo.get_motion("21501-02-2228")
    assert kept is not None
    assert kept.title == "Motie Omtzigt"
    assert kept.afgedaan is None
    repo.close()


def test_migrations_create_exactly_the_schema(backend: str, db_url: Callable[..., str]) -> None:
    engine = create_engine(db_url(backend))
    with engine.connect() as conn:
        # the full-text objects (an FTS5 table and its shadow tables on SQLite, a GIN index on an
        # expression on PostgreSQL) are created by the migration alone; see state/schema.py
        def include(name: str | None, kind: str, _parent: object) -> bool:
            return not (name or "").startswith((SEARCH_TABLE, SEARCH_INDEX))

        context = MigrationContext.configure(conn, opts={"include_name": include})
        diffs = compare_metadata(context, metadata)
    engine.dispose()
    assert diffs == []


def test_partial_indexes_carry_the_where_clause_the_schema_names(
    backend: str, db_url: Callable[..., str]
) -> None:
    """The outbox's partial indexes (``info["where"]`` in state/schema.py) are created partial,
    with that very clause, on both databases."""
    partial = {
        ix.name: ix.info["where"]
        for ix in metadata.tables["deliveries"].indexes
        if "where" in ix.info
    }
    assert len(partial) == 4
    engine = create_engine(db_url(backend))
    with engine.connect() as conn:
        if backend == "sqlite":
            rows = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            ).all()
        else:
            rows = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes")).all()
    engine.dispose()
    found = {name: sql for name, sql in rows if name in partial}
    assert set(found) == set(partial)
    for name, where in partial.items():
        clause = found[name].partition(" WHERE ")[2]
        assert clause, f"{name} is not partial"
        assert _normalised(clause) == _normalised(where), (name, clause, where)


def _normalised(sql: str) -> list[str]:
    """The column and the values a WHERE clause names, without the casts and the array form
    PostgreSQL writes (``status = ANY (ARRAY['failed'::text, …])`` for ``status IN (…)``)."""
    noise = {"in", "any", "array", "text", "character", "varying"}
    return sorted(w for w in re.findall(r"[a-z_]+", sql.lower()) if w not in noise)


def test_motion_round_trip(repo: Repository) -> None:
    m = replace(
        voted(motion()),
        cabinet_appraisal="Oordeel Kamer",
        text="verzoekt de regering …",
        zaak_id="0f6a1c9e-0000-4000-8000-000000000001",
        replaces="35570-V-20",
    )
    repo.apply_poll(Observation(motions=(m,)), now=NOW)
    assert repo.get_motion(m.id) == m
    assert repo.get_motion("1234-5") is None
    assert repo.find_motion_by_zaak("2020Z21194") == m
    assert repo.find_motion_by_zaak(m.zaak_id or "") == m
    assert repo.find_motion_by_zaak("2099Z00000") is None


def test_apply_poll_is_idempotent(repo: Repository) -> None:
    sub = repo.get_or_create_subscriber(Channel.TELEGRAM, "1")
    repo.subscribe(sub.id, SubscriptionKind.ALL)
    obs = Observation(motions=(voted(motion()),), letters=(letter("21501-02-2423", cited()),))
    first = repo.apply_poll(obs, now=NOW)
    assert [c.kind for c in first] == [
        ChangeKind.NEW_MOTION,
        ChangeKind.NEW_LETTER,
        ChangeKind.EXECUTION_REPORTED,
    ]
    assert all(c.id is not None for c in first)
    counts = repo.outbox_counts()
    assert counts["pending"] == 3
    assert repo.apply_poll(obs, now=LATER) == []
    assert repo.outbox_counts() == counts
    assert [c.id for c in repo.changes()] == [c.id for c in first]


def test_updated_is_when_shown_content_last_changed(repo: Repository) -> None:
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    repo.apply_poll(Observation(motions=(motion(),)), now=LATER)  # re-polled, unchanged
    (entry,) = repo.board()
    assert entry.updated == NOW
    third = NOW + timedelta(days=5)
    repo.apply_poll(Observation(letters=(letter("21501-02-2423", cited("35570-V-31")),)), now=third)
    (entry,) = repo.board()
    assert entry.updated == third  # a new execution report is shown content
    assert entry.execution is not None
    assert entry.execution.status is ExecutionStatus.EXECUTED
    assert entry.updated.tzinfo is UTC


def test_cursors_are_stored_with_the_poll(repo: Repository) -> None:
    repo.apply_poll(
        Observation(),
        cursors={("tweedekamer", "Zaak"): "2026-03-01T10:00:00Z", ("tweedekamer", "Document"): "x"},
        now=NOW,
    )
    assert repo.get_cursors("tweedekamer") == {
        "Zaak": "2026-03-01T10:00:00Z",
        "Document": "x",
    }
    repo.apply_poll(Observation(), cursors={("tweedekamer", "Zaak"): "later"}, now=LATER)
    assert repo.get_cursors("tweedekamer")["Zaak"] == "later"
    assert repo.get_cursors("rijksoverheid") == {}


def test_failed_poll_leaves_previous_state(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = repo.get_or_create_subscriber(Channel.TELEGRAM, "1")
    repo.subscribe(sub.id, SubscriptionKind.ALL)
    repo.apply_poll(Observation(motions=(motion(),)), cursors={("tk", "Zaak"): "1"}, now=NOW)
    before = (repo.board(), repo.changes(), repo.outbox_counts(), repo.get_cursors("tk"))

    def boom(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "fan_out", boom)  # the outbox fan-out, mid-transaction
    with pytest.raises(RuntimeError, match="disk full"):
        repo.apply_poll(
            Observation(motions=(voted(motion()), motion("21501-02-2228"))),
            cursors={("tk", "Zaak"): "2"},
            now=LATER,
        )
    assert (repo.board(), repo.changes(), repo.outbox_counts(), repo.get_cursors("tk")) == before


def test_notify_false_stores_changes_without_outbox(repo: Repository) -> None:
    sub = repo.get_or_create_subscriber(Channel.TELEGRAM, "1")
    repo.subscribe(sub.id, SubscriptionKind.ALL)
    changes = repo.apply_poll(Observation(motions=(motion(),)), notify=False, now=NOW)
    assert len(changes) == 1
    assert sum(repo.outbox_counts().values()) == 0


def test_board_timeline_and_reports(repo: Repository) -> None:
    original = replace(motion(), replaced_by=None)
    replacement = motion("35570-V-40", date=date(2020, 11, 19), replaces="35570-V-31")
    repo.apply_poll(Observation(motions=(original, motion("21501-02-2228"))), now=NOW)
    held = replace(
        original,
        parliamentary_status=ParliamentaryStatus.REPLACED,
        replaced_by="35570-V-40",
        decisions=(
            decision("35570-V-31", ParliamentaryStatus.HELD, id="b0", day=date(2020, 11, 17)),
        ),
    )
    vote = replace(voted(replacement).decisions[0], date=date(2020, 11, 24))
    adopted = replace(voted(replacement), decisions=(vote,))
    repo.apply_poll(Observation(motions=(held, adopted)), now=NOW)
    early = letter(
        "21501-02-2400",
        cited("35570-V-40", status=ExecutionStatus.IN_PROGRESS),
        date=date(2021, 2, 1),
        title="Eerste brief",
    )
    late = letter(
        "21501-02-2423",
        cited("35570-V-40", evidence="De motie is uitgevoerd."),
        date=date(2021, 11, 4),
        title="Tweede brief",
    )
    undated = letter("2022D00001", cited("35570-V-40", status=None), date=None, title="Z")
    repo.apply_poll(Observation(letters=(late, undated, early)), now=NOW)

    board = repo.board()
    assert [e.motion.id for e in board] == ["21501-02-2228", "35570-V-31", "35570-V-40"]
    latest = board[2].execution
    assert latest is not None
    assert (latest.letter_id, latest.status) == ("21501-02-2423", ExecutionStatus.EXECUTED)
    assert board[0].execution is None

    reports = repo.execution_reports("35570-V-40")
    assert [r.letter_id for r in reports] == ["21501-02-2400", "21501-02-2423", "2022D00001"]
    assert reports[1].evidence == "De motie is uitgevoerd."
    assert reports[1].letter_title == "Tweede brief"
    assert reports[2].status is None

    timeline = repo.timeline("35570-V-40")
    assert [e.kind for e in timeline] == [
        "submitted",
        "replaces",
        "decision",
        "execution_report",
        "execution_report",
        "execution_report",
    ]
    decided = timeline[2]
    assert (decided.status, decided.tally, decided.seats_known) == ("adopted", (76, 74), True)
    assert detail(decided) == "aangenomen (76-74)"
    assert timeline[1].motion_id == "35570-V-31"
    reported = timeline[4]
    assert (reported.letter_id, reported.status) == ("21501-02-2423", "executed")
    assert reported.evidence == "De motie is uitgevoerd."
    assert reported.letter_title == "Tweede brief"
    assert "uitgevoerd" in detail(reported)
    assert "De motie is uitgevoerd." in detail(reported)
    assert timeline[-1].date is None  # undated last
    assert timeline[-1].status is None  # a mention

    old = repo.timeline("35570-V-31")
    assert [(e.kind, e.date) for e in old] == [
        ("submitted", date(2020, 11, 12)),
        ("decision", date(2020, 11, 17)),
        ("replaced_by", date(2020, 11, 19)),
    ]
    assert repo.timeline("9999-1") == []

    # one entry, and the topic summary, agree with the whole board
    entry = repo.board_entry("35570-V-40")
    assert entry == board[2]
    assert repo.board_entry("9999-1") is None
    counts = repo.status_counts()
    assert counts["parliamentary"] == {"submitted": 1, "replaced": 1, "adopted": 1}
    assert counts["execution"] == {"executed": 1}  # among the adopted motions


def test_letters_and_aliases(repo: Repository) -> None:
    a = letter("21501-02-2400", cited(), date=date(2021, 2, 1), document_nummer="2021D01000")
    b = letter("21501-02-2423", cited(), date=date(2021, 11, 4))
    c = letter("2022D00001", date=None, kamerstuk=None)
    repo.apply_poll(Observation(letters=(a, b, c)), now=NOW)
    assert [lt.id for lt in repo.letters()] == ["21501-02-2423", "21501-02-2400", "2022D00001"]
    assert repo.get_letter("2021D01000") == repo.get_letter("21501-02-2400")
    stored = repo.get_letter("21501-02-2400")
    assert stored is not None
    assert stored.motions == a.motions
    assert repo.get_letter("nope") is None

    # the same letter from a second source: no new letter, the known letter is enriched
    again = letter("kst-21501-02-2423", cited(), kamerstuk="21501-02-2423", document_nummer="D9")
    assert repo.apply_poll(Observation(letters=(again,)), now=LATER) == []
    enriched = repo.get_letter("21501-02-2423")
    assert enriched is not None
    assert enriched.document_nummer == "D9"
    assert len(repo.letters()) == 3


def test_letter_created_motion_enriched_in_store(repo: Repository) -> None:
    repo.apply_poll(Observation(letters=(letter("21501-02-2423", cited()),)), now=NOW)
    placeholder = repo.get_motion("21501-02-2228")
    assert placeholder is not None
    assert placeholder.parliamentary_status is ParliamentaryStatus.UNKNOWN
    api = motion(
        "21501-02-2228",
        title="Motie van het lid Omtzigt over erkenning",
        submitters=(Submitter("P.H. Omtzigt", "CDA", "Indiener"),),
        date=None,
    )
    repo.apply_poll(Observation(motions=(voted(api),)), now=LATER)
    stored = repo.get_motion("21501-02-2228")
    assert stored is not None
    assert stored.submitters == api.submitters
    assert stored.date == date(2021, 3, 4)  # from the letter, kept
    assert stored.parliamentary_status is ParliamentaryStatus.ADOPTED
    kinds = [c.kind for c in repo.changes(motion_id="21501-02-2228")]
    assert kinds == [ChangeKind.EXECUTION_REPORTED, ChangeKind.VOTE_RECORDED]


def test_search_motions(repo: Repository) -> None:
    repo.apply_poll(
        Observation(
            motions=(
                motion("35570-V-31"),
                motion(
                    "21501-02-2228",
                    title="Motie Omtzigt over Armenië",
                    date=date(2021, 3, 4),
                    submitters=(Submitter("P.H. Omtzigt"),),
                ),
            )
        ),
        now=NOW,
    )
    assert [m.id for m in repo.search_motions("helvert")] == ["35570-V-31"]
    assert [m.id for m in repo.search_motions("OMTZIGT armenië")] == ["21501-02-2228"]
    assert [m.id for m in repo.search_motions(["motie"])] == ["21501-02-2228", "35570-V-31"]
    assert repo.search_motions("motie", limit=1)[0].id == "21501-02-2228"
    assert repo.search_motions("21501-02")[0].id == "21501-02-2228"
    assert repo.search_motions("100%") == []
    assert repo.search_motions("") == []


def test_changes_filters(repo: Repository) -> None:
    repo.apply_poll(Observation(motions=(motion(), motion("21501-02-2228"))), now=NOW)
    repo.apply_poll(Observation(motions=(voted(motion()),)), now=LATER)
    everything = repo.changes()
    assert [c.kind for c in everything] == [
        ChangeKind.NEW_MOTION,
        ChangeKind.NEW_MOTION,
        ChangeKind.VOTE_RECORDED,
    ]
    assert all(c.created is not None and c.created.tzinfo is UTC for c in everything)
    assert repo.changes(since=NOW) == everything[2:]
    assert repo.changes(since=everything[0].id) == everything[1:]
    assert repo.changes(motion_id="35570-V-31") == [everything[0], everything[2]]
    assert repo.changes(limit=2) == everything[1:]  # the newest two, oldest first
    assert repo.changes(since=0, limit=2) == everything[:2]  # paging forward


def test_subscribers(repo: Repository) -> None:
    tg = repo.get_or_create_subscriber(Channel.TELEGRAM, "42")
    assert repo.get_or_create_subscriber(Channel.TELEGRAM, "42") == tg
    assert tg.active
    assert tg.confirmed
    assert tg.frequency is Frequency.INSTANT
    assert tg.created is not None
    assert tg.created.tzinfo is UTC
    mail = repo.get_or_create_subscriber(
        Channel.EMAIL, "a@example.org", language="en", confirmed=False
    )
    assert (mail.language, mail.confirmed) == ("en", False)
    assert repo.get_subscriber(Channel.EMAIL, "a@example.org") == mail
    assert repo.get_subscriber(Channel.EMAIL, "b@example.org") is None
    assert repo.get_subscriber_by_id(tg.id) == tg
    assert repo.subscriber_counts() == {"telegram": 1, "email": 1, "active": 1}

    mail = repo.update_subscriber(mail.id, confirmed=True, frequency=Frequency.WEEKLY)
    assert mail.confirmed
    assert mail.frequency is Frequency.WEEKLY
    assert repo.subscriber_counts()["active"] == 2
    with pytest.raises(NotFound):
        repo.update_subscriber(9999, active=False)

    assert repo.subscribe(tg.id, SubscriptionKind.MOTION, "35570-V-31")
    assert not repo.subscribe(tg.id, SubscriptionKind.MOTION, " 35570-V-31 ")
    assert repo.subscribe(tg.id, SubscriptionKind.KEYWORD, "Karabach")
    assert not repo.subscribe(tg.id, SubscriptionKind.KEYWORD, "karabach")
    assert repo.subscribe(tg.id, SubscriptionKind.ALL)
    assert repo.subscribe(mail.id, SubscriptionKind.DOSSIER, "21501-02")
    with pytest.raises(ValueError, match="needs a value"):
        repo.subscribe(tg.id, SubscriptionKind.DOSSIER, "  ")
    with pytest.raises(NotFound):
        repo.subscribe(9999, SubscriptionKind.ALL)
    assert [(s.kind, s.value) for s in repo.subscriptions(tg.id)] == [
        (SubscriptionKind.MOTION, "35570-V-31"),
        (SubscriptionKind.KEYWORD, "karabach"),
        (SubscriptionKind.ALL, ""),
    ]
    assert repo.watchlist() == {"35570-V-31"}
    assert repo.unsubscribe(tg.id, SubscriptionKind.KEYWORD, "KARABACH")
    assert not repo.unsubscribe(tg.id, SubscriptionKind.KEYWORD, "karabach")

    assert repo.record_bounce(mail.id) == 1
    assert repo.record_bounce(mail.id) == 2
    with pytest.raises(NotFound):
        repo.record_bounce(9999)

    repo.update_subscriber(tg.id, active=False)
    assert repo.watchlist() == frozenset()
    repo.apply_poll(Observation(motions=(motion("21501-02-2228"),)), now=NOW)
    assert repo.outbox_counts()["pending"] == 1  # the email subscriber's dossier
    repo.delete_subscriber(mail.id)
    assert repo.get_subscriber_by_id(mail.id) is None
    assert repo.subscriptions(mail.id) == []
    assert sum(repo.outbox_counts().values()) == 0


def test_source_statuses(repo: Repository) -> None:
    repo.record_source_failure("tweedekamer", "HTTP 503", now=NOW)
    repo.record_source_failure("tweedekamer", "timeout", now=LATER)
    repo.apply_poll(Observation(), cursors={("tweedekamer", "Zaak"): "c1"}, now=NOW)
    (status,) = repo.source_statuses()
    assert (status.consecutive_failures, status.last_error) == (2, "timeout")
    assert status.last_error_at == LATER
    assert status.last_success is None
    assert status.cursor == "c1"
    assert status.extra == {"Zaak": "c1"}
    repo.record_source_success("tweedekamer", items_seen=12, now=LATER)
    repo.record_source_success("rijksoverheid", items_seen=3, now=LATER)
    statuses = {s.name: s for s in repo.source_statuses()}
    assert statuses["tweedekamer"].consecutive_failures == 0
    assert statuses["tweedekamer"].items_seen == 12
    assert statuses["tweedekamer"].last_error == "timeout"  # kept for the record
    assert statuses["rijksoverheid"].last_success == LATER


def test_naive_datetimes_are_refused(repo: Repository) -> None:
    with pytest.raises(ValueError, match="naive"):
        repo.apply_poll(Observation(), now=datetime(2026, 1, 1))
