"""Intent-named queries over the store; the only module with SQL.

The repository is synchronous (SQLAlchemy Core on a pooled engine). Async callers run its methods
in a worker thread: ``await asyncio.to_thread(repo.board)``. It works on SQLite (WAL, the default)
and PostgreSQL with the same code.

API CONTRACT (other packages code against these names; keep them):

construction / schema
    Repository.from_url(url) -> Repository          create engine (SQLite: WAL pragmas)
    repo.upgrade() -> None                          alembic upgrade head (``kamerwacht db upgrade``)
    repo.check_schema() -> None                     raises SchemaOutOfDate with a message
    repo.close() -> None

poll ingestion (diff + store + outbox in ONE transaction)
    repo.apply_poll(observation, *, cursors=None, notify=True, now=None) -> list[Change]
        cursors: {(source, entity): value} stored in the same transaction.
        notify=False stores state and changes but writes no outbox rows (backfill).
    repo.get_cursors(source) -> dict[str, str]
    repo.record_source_success(name, *, items_seen, now=None) -> None
    repo.record_source_failure(name, error, *, now=None) -> None
    repo.source_statuses() -> list[SourceStatus]

reading
    repo.get_motion(motion_id) -> Motion | None
    repo.find_motion_by_zaak(zaak_nummer) -> Motion | None
    repo.search_motions(words, limit=10) -> list[Motion]   full-text (state/search.py)
    repo.board() -> list[BoardEntry]                 every tracked motion, ordered by id
    repo.board_entry(motion_id) -> BoardEntry | None one motion's board entry
    repo.status_counts() -> dict[str, dict[str, int]]  by parliamentary status; adopted
                                                     ones by execution status
    repo.execution_reports(motion_id) -> list[ExecutionReport]   oldest first
    repo.timeline(motion_id) -> list[TimelineEntry]  ordered by date
    repo.letters() -> list[Letter]                   newest first
    repo.get_letter(letter_id) -> Letter | None
    repo.changes(since=None, *, motion_id=None, limit=None) -> list[Change]   oldest first
    repo.watchlist() -> frozenset[str]               motion ids followed by any subscriber

subscribers
    repo.get_or_create_subscriber(channel, address, *, language="nl", confirmed=True) -> Subscriber
    repo.get_subscriber(channel, address) -> Subscriber | None
    repo.get_subscriber_by_id(subscriber_id) -> Subscriber | None
    repo.update_subscriber(subscriber_id, *, active=None, language=None, frequency=None,
                           confirmed=None, address=None) -> Subscriber
    repo.delete_subscriber(subscriber_id) -> None    forget subscriptions, deliveries, the row
    repo.subscribe(subscriber_id, kind, value="") -> bool       True when new
    repo.unsubscribe(subscriber_id, kind, value="") -> bool     True when it existed
    repo.subscriptions(subscriber_id) -> list[Subscription]
    repo.subscriber_counts() -> dict[str, int]       {"telegram": n, "email": n, "active": n}
    repo.record_bounce(subscriber_id) -> int         bounce count after this one

outbox
    repo.claim_deliveries(channel, *, limit=100, worker="w", now=None,
                          frequency=None) -> list[ClaimedDelivery]
    repo.mark_sent(delivery_ids, *, now=None, worker=None) -> int   rows updated
    repo.mark_failed(delivery_id, error, *, retry_at=None, now=None) -> None
        retry_at=None → permanent: status failed. Otherwise back to pending at retry_at,
        or failed after MAX_ATTEMPTS.
    repo.release(delivery_ids) -> None               claimed → pending (shutdown)
    repo.requeue_stale_claims(older_than) -> int     claimed rows of a dead worker → pending
    repo.outbox_counts() -> dict[str, int]           by DeliveryStatus value

ADDITIONS (beyond the contract)
    Repository(engine)                               wrap an existing engine
    repo.dialect -> str                              "sqlite" | "postgresql"
    repo.schema_revisions() -> tuple[str | None, str]   (database revision, code head)
    repo.deliveries(*, subscriber_id=None, change_id=None, status=None) -> list[Delivery]
    repo.overdue(*, today, months=6) -> list[Overdue]   adopted motions past due, no report
    repo.apply_overdue(*, today, months=6, notify=True, now=None) -> list[Change]
                                                     one motion_overdue change per due date
    repo.apply_agenda(items, *, activities, cursor=None, notify=True, now=None) -> list[Change]
    repo.agenda(*, since=None, motion_id=None, include_untracked=False) -> list[AgendaItem]
    repo.apply_commitments(items, *, cursor=None, notify=True, now=None) -> list[Change]
    repo.commitments() -> list[Commitment]; repo.get_commitment(number) -> Commitment | None
    repo.requeue_stale_claims(older_than, *, now=None)  older_than: timedelta or a datetime cutoff
    repo.due_count(*, now=None) -> int               pending rows of instant subscribers, due now
    repo.touch_claims(ids, worker) -> int            a live worker renews its claims
    repo.release_claims_of(workers) -> int           claims of ended workers → pending
    repo.claim_owners() -> list[str]                 workers holding claims
    repo.signing_key() -> str                        the deployment's random signing key
    repo.reserve_telegram_slot(interval) -> (slot, now)   PostgreSQL: this send's slot, DB clock
    repo.pause_telegram(seconds) -> None             PostgreSQL: a 429 pauses every process
    repo.database_clock() -> float                   PostgreSQL: the clock the slots are on
    repo.board_page(*, status, execution, words, sort, order, limit=100, offset=0)
        -> (list[BoardEntry], more)                  one page of the board, filtered, searched,
                                                     sorted and paged in the database
    repo.board_count(*, status, execution, words) -> int
    repo.board_summary() -> (total, by status, by execution, last update)   cached per change
    repo.letters_page(*, limit=100, offset=0) -> (list[Letter], more)
    repo.existing_motions(ids) -> set[str]
    repo.outbox_health(*, now=None) -> dict[str, int]   pending, claimed, failed, skipped, due,
                                                     last_sent: through partial indexes only
    repo.prune_outbox(older_than, *, now=None) -> int   delete settled rows past the retention

Transactions: every method is one transaction. On SQLite, writers start with ``BEGIN IMMEDIATE``
(the write lock is taken up front, so a read-then-write never fails with SQLITE_BUSY half-way);
on PostgreSQL ``apply_poll`` holds a transaction-scoped advisory lock so that two pollers never
diff against the same snapshot, and ``claim_deliveries`` holds another one so that several
delivery workers share the outbox chat by chat.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    case,
    create_engine,
    delete,
    event,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    true,
    union,
    update,
)
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ColumnElement

if TYPE_CHECKING:
    from alembic.config import Config

from state import mirror, routing
from state import schema as t
from state.agenda import AgendaItem, AgendaStatus, DateKind, diff_agenda
from state.commitments import Commitment, CommitmentStatus, diff_commitments
from state.diff import (
    EXECUTION_LABELS,
    DiffResult,
    StoredState,
    content_hash,
    decision_label,
    diff,
    letter_keys,
)
from state.errors import NotFound, SchemaOutOfDate, StateError
from state.models import (
    BoardEntry,
    Change,
    ChangeKind,
    Channel,
    CitedMotion,
    ClaimedDelivery,
    Decision,
    Delivery,
    DeliveryStatus,
    DocumentKind,
    ExecutionReport,
    ExecutionStatus,
    Frequency,
    Letter,
    Motion,
    Observation,
    ParliamentaryStatus,
    PartyVote,
    SourceStatus,
    Submitter,
    Subscriber,
    Subscription,
    SubscriptionKind,
    TimelineEntry,
    VoteChoice,
)
from state.outbox import MAX_ATTEMPTS, normalise_value, targets
from state.overdue import DEFAULT_MONTHS, Overdue, overdue_changes, overdue_motions
from state.search import fts5_query, natural_key, search_body, terms, tsquery
from state.typos import typo_neighbours

__all__ = ["MAX_ATTEMPTS", "NotFound", "Repository", "SchemaOutOfDate", "StateError"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
Rec = Any  # a result row (sqlalchemy.Row); attribute access by column name

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
    "busy_timeout=5000",
    "temp_store=MEMORY",  # the outbox fan-out de-duplicates in a temp b-tree; keep it off disk
)
CHUNK = 2000  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
POLL_LOCK = 0x6B616D6572  # PostgreSQL advisory lock key serialising apply_poll ("kamer")
CLAIM_LOCK = 0x636C61696D  # PostgreSQL advisory lock key serialising outbox claims ("claim")
MAX_VALUE = 200  # characters of a subscription value
PG_WORK_MEM = "64MB"  # per sort/hash node, for apply_poll's transaction only


def _utcnow(now: datetime | None = None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware UTC datetime")
    return now.astimezone(UTC)


def _chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _install_sqlite_events(engine: Engine) -> None:
    """Pragmas on every new connection; explicit BEGIN (IMMEDIATE for writers)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver must not BEGIN on its own; we do it
        cursor = dbapi_conn.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


_REVISION = re.compile(r"^revision(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN_REVISION = re.compile(r"^down_revision(?::[^=]*)?=\s*(?:[\"']([^\"']+)[\"']|None)", re.M)


def _code_head() -> str:
    """The head revision of the migrations, read from the files (Alembic's answer if unsure)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        down = _DOWN_REVISION.search(source)
        if found is None or down is None:
            continue
        revisions.add(found.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    if len(heads) == 1:
        return heads.pop()
    from alembic.config import Config  # pragma: no cover - merge revisions and the like
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise StateError(f"no Alembic revisions found in {MIGRATIONS}")
    return head


# --------------------------------------------------------------------------- row mapping


def _dump_submitters(submitters: Sequence[Submitter]) -> str:
    return json.dumps([[s.name, s.party, s.role] for s in submitters], ensure_ascii=False)


def _load_submitters(raw: str) -> tuple[Submitter, ...]:
    return tuple(Submitter(name, party, role) for name, party, role in json.loads(raw))


def _motion_row(m: Motion, digest: str, now: datetime) -> dict[str, Any]:
    return {
        "id": m.id,
        "title": m.title,
        "submitters": _dump_submitters(m.submitters),
        "date": m.date,
        "parliamentary_status": m.parliamentary_status.value,
        "status_raw": m.status_raw,
        "cabinet_appraisal": m.cabinet_appraisal,
        "afgedaan": m.afgedaan,
        "replaced_by": m.replaced_by,
        "replaces": m.replaces,
        "text": m.text,
        "zaak_id": m.zaak_id,
        "zaak_nummer": m.zaak_nummer,
        "url": m.url,
        "source": m.source,
        "content_hash": digest,
        "created": now,
        "updated": now,
    }


def _letter_row(letter: Letter, now: datetime) -> dict[str, Any]:
    return {
        "id": letter.id,
        "title": letter.title,
        "date": letter.date,
        "kind": letter.kind.value,
        "kamerstuk": letter.kamerstuk,
        "document_nummer": letter.document_nummer,
        "url": letter.url,
        "source": letter.source,
        "references": json.dumps(list(letter.references), ensure_ascii=False),
        "created": now,
        "updated": now,
    }


def _cited_from(row: Rec) -> CitedMotion:
    return CitedMotion(
        id=row.motion_id,
        title=row.title,
        submitters=tuple(json.loads(row.submitters)),
        date=row.date,
        status=ExecutionStatus(row.status) if row.status else None,
        evidence=row.evidence,
        cited_as=row.cited_as,
    )


def _letter_from(row: Rec, cited: Sequence[CitedMotion]) -> Letter:
    return Letter(
        id=row.id,
        title=row.title,
        date=row.date,
        kind=DocumentKind(row.kind),
        kamerstuk=row.kamerstuk,
        document_nummer=row.document_nummer,
        url=row.url,
        source=row.source,
        motions=tuple(cited),
        references=tuple(json.loads(row.references)),
    )


def _change_row(c: Change) -> dict[str, Any]:
    return {
        "kind": c.kind.value,
        "summary": c.summary,
        "motion_id": c.motion_id,
        "letter_id": c.letter_id,
        "old": c.old,
        "new": c.new,
        "evidence": c.evidence,
        "created": c.created,
        "occurred": c.occurred,
        "subject": c.subject,
    }


def _change_from(row: Rec) -> Change:
    return Change(
        kind=ChangeKind(row.kind),
        summary=row.summary,
        motion_id=row.motion_id,
        letter_id=row.letter_id,
        old=row.old,
        new=row.new,
        evidence=row.evidence,
        created=row.created,
        id=row.id,
        occurred=row.occurred,
        subject=row.subject,
    )


def _subscriber_from(row: Rec) -> Subscriber:
    return Subscriber(
        id=row.id,
        channel=Channel(row.channel),
        address=row.address,
        language=row.language,
        frequency=Frequency(row.frequency),
        active=bool(row.active),
        confirmed=bool(row.confirmed),
        created=row.created,
    )


def _delivery_from(row: Rec) -> Delivery:
    return Delivery(
        id=row.id,
        subscriber_id=row.subscriber_id,
        change_id=row.change_id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
    )


def _report_from(row: Rec) -> ExecutionReport:
    return ExecutionReport(
        motion_id=row.motion_id,
        letter_id=row.letter_id,
        status=ExecutionStatus(row.status) if row.status else None,
        evidence=row.evidence,
        date=row.letter_date,
        letter_title=row.letter_title,
        letter_url=row.letter_url,
    )


def _report_order(row: Rec) -> tuple[bool, date, datetime, str]:
    """Oldest first by letter date (undated last), then by when kamerwacht stored it."""
    return (row.letter_date is None, row.letter_date or date.min, row.created, row.letter_id)


AGENDA_SOURCE = "tweedekamer-agenda"  # the agenda source's name in the cursors table


def _agenda_row(item: AgendaItem, now: datetime) -> dict[str, Any]:
    return {
        "activity_id": item.activity_id,
        "zaak_id": item.zaak_id,
        "activity_nummer": item.activity_nummer,
        "kind": item.kind,
        "subject": item.subject,
        "status": item.status.value,
        "status_raw": item.status_raw,
        "day": item.day,
        "start": item.start,
        "end": item.end,
        "date_kind": item.date_kind.value,
        "agendapunt_id": item.agendapunt_id,
        "agendapunt_subject": item.agendapunt_subject,
        "zaak_nummer": item.zaak_nummer,
        "zaak_kind": item.zaak_kind,
        "title": item.title,
        "appraisal": item.appraisal,
        "dossier": item.dossier,
        "proposal": item.proposal,
        "motion_id": item.motion_id,
        "location": item.location,
        "updated": now,
    }


def _agenda_from(row: Rec) -> AgendaItem:
    return AgendaItem(
        activity_id=row.activity_id,
        zaak_id=row.zaak_id,
        activity_nummer=row.activity_nummer,
        kind=row.kind,
        subject=row.subject,
        status=AgendaStatus(row.status),
        status_raw=row.status_raw,
        day=row.day,
        start=row.start,
        end=row.end,
        date_kind=DateKind(row.date_kind),
        agendapunt_id=row.agendapunt_id,
        agendapunt_subject=row.agendapunt_subject,
        zaak_nummer=row.zaak_nummer,
        zaak_kind=row.zaak_kind,
        title=row.title,
        appraisal=row.appraisal,
        dossier=row.dossier,
        proposal=bool(row.proposal),
        motion_id=row.motion_id,
        location=row.location,
    )


COMMITMENT_SOURCE = "tweedekamer-toezeggingen"  # the commitment source's name in cursors


def _commitment_row(item: Commitment, now: datetime) -> dict[str, Any]:
    return {
        "id": item.id,
        "number": item.number,
        "text": item.text,
        "status": item.status.value,
        "status_raw": item.status_raw,
        "ministry": item.ministry,
        "minister": item.minister,
        "function": item.function,
        "made": item.made,
        "due": item.due,
        "letter": item.letter,
        "activity": item.activity,
        "evidence": item.evidence,
        "created": now,
        "updated": now,
    }


def _commitment_from(row: Rec) -> Commitment:
    return Commitment(
        id=row.id,
        number=row.number,
        text=row.text,
        status=CommitmentStatus(row.status),
        status_raw=row.status_raw,
        ministry=row.ministry,
        minister=row.minister,
        function=row.function,
        made=row.made,
        due=row.due,
        letter=row.letter,
        activity=row.activity,
        evidence=row.evidence,
    )


def _deliverable(sub: Subscriber) -> bool:
    return sub.active and (sub.channel is not Channel.EMAIL or sub.confirmed)


# --------------------------------------------------------------------------- board keys

BoardSummary = tuple[int, dict[str, int], dict[str, int], datetime | None]
BOARD_KEYS = ("sort_key", "execution_status", "execution_date", "board_date", "search_text")
BOARD_SORTS = ("id", "title", "status", "execution", "date", "updated")
EXECUTION_RANK = {"executed": 0, "in_progress": 1, "declined": 2, "not_applicable": 3}
MAX_PAGE = 1000


def _latest_status_reports(rows: Iterable[Rec]) -> dict[str, Rec]:
    """Each motion's latest report row that carries a status (undated reports count as oldest)."""
    latest: dict[str, Rec] = {}
    for row in sorted(
        (r for r in rows if r.status),
        key=lambda r: (
            r.letter_date is not None,
            r.letter_date or date.min,
            r.created,
            r.letter_id,
        ),
    ):
        latest[row.motion_id] = row
    return latest


def _searchable(source: Motion | StoredState, motion_id: str = "") -> tuple[object, ...] | None:
    """What a motion's board keys derive from besides its reports (None: not stored before)."""
    m = source if isinstance(source, Motion) else source.motions.get(motion_id)
    if m is None:
        return None
    return (m.title, m.text, m.submitters, m.zaak_nummer, m.date)


def refresh_board_keys(conn: Connection, ids: Iterable[str] | None) -> int:
    """Derive the board keys of motions ``ids`` (every motion when None); returns how many.

    Run after a motion or a report on it is written: the board filters, sorts, pages and
    searches on these columns in the database.
    """
    m, lm, lt = t.motions, t.letter_motions, t.letters
    if ids is None:
        ids = list(conn.scalars(select(m.c.id)))
    stmt = (
        update(m)
        .where(m.c.id == bindparam("motion_key"))
        .values({k: bindparam(k) for k in BOARD_KEYS})
    )
    done = 0
    for batch in _chunks(sorted(set(ids))):
        rows = conn.execute(
            select(m.c.id, m.c.title, m.c.submitters, m.c.text, m.c.zaak_nummer, m.c.date).where(
                m.c.id.in_(batch)
            )
        ).all()
        reports = conn.execute(
            select(
                lm.c.motion_id,
                lm.c.letter_id,
                lm.c.status,
                lm.c.evidence,
                lm.c.created,
                lt.c.date.label("letter_date"),
            )
            .select_from(lm.join(lt, lt.c.id == lm.c.letter_id))
            .where(lm.c.motion_id.in_(batch), lm.c.status.is_not(None))
        ).all()
        latest = _latest_status_reports(reports)
        values = []
        for row in rows:
            report = latest.get(row.id)
            people = json.loads(row.submitters)
            body = search_body(
                [
                    row.id,
                    row.title,
                    row.zaak_nummer,
                    row.text,
                    *(name for name, _party, _role in people),
                    *(party for _name, party, _role in people),
                    report.evidence if report is not None else None,
                ]
            )
            execution_date = report.letter_date if report is not None else None
            values.append(
                {
                    "motion_key": row.id,
                    "sort_key": natural_key(row.id),
                    "execution_status": report.status if report is not None else None,
                    "execution_date": execution_date,
                    "board_date": execution_date or row.date,
                    "search_text": body,
                }
            )
        if values:
            conn.execute(stmt, values)
            done += len(values)
    return done


# --------------------------------------------------------------------------- the repository


class Repository:
    """kamerwacht's store: records, changes, subscribers and the outbox."""

    def __init__(self, engine: Engine) -> None:
        """Wrap an engine (use :meth:`from_url` to get the SQLite pragmas)."""
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._summary: tuple[tuple[Any, ...], BoardSummary] | None = None
        self._overdue: tuple[tuple[Any, ...], list[Overdue]] | None = None

    @classmethod
    def from_url(cls, url: str, **engine_options: Any) -> Repository:
        """Create the engine for ``sqlite:///path`` or ``postgresql+psycopg://…``."""
        sa_url = make_url(url)
        if sa_url.get_backend_name() == "sqlite":
            database = sa_url.database or ""
            options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
            if database in ("", ":memory:"):
                options["poolclass"] = StaticPool
            elif not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(sa_url, **(options | engine_options))
            _install_sqlite_events(engine)
        else:
            engine = create_engine(sa_url, **({"pool_pre_ping": True} | engine_options))
        return cls(engine)

    @property
    def dialect(self) -> str:
        """The backend's name: ``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            if self._sqlite:
                conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def _insert(self, table: Table) -> Any:
        """A dialect ``INSERT`` that supports ``ON CONFLICT``."""
        if self._sqlite:
            return sqlite_dialect.insert(table)
        from sqlalchemy.dialects import postgresql  # imported on demand: ~60 ms, PG only

        return postgresql.insert(table)

    def _upsert(
        self,
        conn: Connection,
        table: Table,
        rows: Sequence[Mapping[str, Any]],
        keys: Sequence[str],
        keep: Collection[str] = ("created",),
    ) -> None:
        if not rows:
            return
        stmt = self._insert(table)
        changed = {
            c.name: stmt.excluded[c.name]
            for c in table.columns
            if c.name not in keys and c.name not in keep
        }
        conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changed), rows)

    # ----------------------------------------------------------------------- schema

    def _alembic_config(self) -> Config:
        from alembic.config import Config  # imported on demand: workers never need Alembic

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    def schema_revisions(self) -> tuple[str | None, str]:
        """The database's Alembic revision (None when empty) and the code's head revision.

        Cheap enough for every command: one query and a read of the migration files' headers;
        Alembic itself is imported only when the files do not name a single head.
        """
        head = _code_head()
        with self._read() as conn:
            if not self._engine.dialect.has_table(conn, "alembic_version"):
                return None, head
            current = conn.scalar(text("SELECT version_num FROM alembic_version"))
        return current, head

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision``: the newest by default (``kamerwacht db upgrade``)."""
        from alembic import command

        config = self._alembic_config()
        with self._write() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        logger.info("database schema upgraded to %s", self.schema_revisions()[0])

    def check_schema(self) -> None:
        """Raise :class:`SchemaOutOfDate` unless the database is at the code's head revision."""
        current, head = self.schema_revisions()
        if current != head:
            raise SchemaOutOfDate(current, head)

    # ----------------------------------------------------------------------- loading records

    def _load_motions(self, conn: Connection, ids: Iterable[str] | None) -> dict[str, Motion]:
        """Full motions (decisions, votes) for ``ids``, or for every motion when None."""
        m, d, v = t.motions, t.decisions, t.votes
        batches: Iterable[list[str] | None] = [None] if ids is None else _chunks(sorted(set(ids)))
        out: dict[str, Motion] = {}
        for batch in batches:
            mq, dq, vq = select(m), select(d), select(v)
            if batch is not None:
                mq = mq.where(m.c.id.in_(batch))
                dq = dq.where(d.c.motion_id.in_(batch))
                vq = vq.where(v.c.motion_id.in_(batch))
            votes: dict[tuple[str, str], list[PartyVote]] = defaultdict(list)
            for row in conn.execute(vq.order_by(v.c.motion_id, v.c.decision_id, v.c.position)):
                votes[row.motion_id, row.decision_id].append(
                    PartyVote(
                        actor=row.actor,
                        party=row.party,
                        choice=VoteChoice(row.choice),
                        seats=row.seats,
                        mistake=bool(row.mistake),
                    )
                )
            decisions: dict[str, list[Decision]] = defaultdict(list)
            for row in conn.execute(dq.order_by(d.c.motion_id, d.c.position)):
                decisions[row.motion_id].append(
                    Decision(
                        id=row.id,
                        motion_id=row.motion_id,
                        status=ParliamentaryStatus(row.status),
                        raw_kind=row.raw_kind,
                        text=row.text,
                        date=row.date,
                        final=bool(row.final),
                        votes=tuple(votes.get((row.motion_id, row.id), ())),
                        source=row.source,
                    )
                )
            for row in conn.execute(mq.order_by(m.c.id)):
                out[row.id] = Motion(
                    id=row.id,
                    title=row.title,
                    submitters=_load_submitters(row.submitters),
                    date=row.date,
                    parliamentary_status=ParliamentaryStatus(row.parliamentary_status),
                    status_raw=row.status_raw,
                    cabinet_appraisal=row.cabinet_appraisal,
                    afgedaan=row.afgedaan,
                    decisions=tuple(decisions.get(row.id, ())),
                    replaced_by=row.replaced_by,
                    replaces=row.replaces,
                    text=row.text,
                    zaak_id=row.zaak_id,
                    zaak_nummer=row.zaak_nummer,
                    url=row.url,
                    source=row.source,
                )
        return out

    def _load_letters(self, conn: Connection, where: Any = None) -> list[Letter]:
        lt, lm = t.letters, t.letter_motions
        query = select(lt) if where is None else select(lt).where(where)
        rows = conn.execute(query).all()
        cited: dict[str, list[CitedMotion]] = defaultdict(list)
        for batch in _chunks(r.id for r in rows):
            q = select(lm).where(lm.c.letter_id.in_(batch)).order_by(lm.c.letter_id, lm.c.position)
            for row in conn.execute(q):
                cited[row.letter_id].append(_cited_from(row))
        return [_letter_from(row, cited.get(row.id, ())) for row in rows]

    def _stored_state(self, conn: Connection, observation: Observation) -> StoredState:
        """What the diff needs, for the ids the observation mentions only."""
        m = t.motions
        observed = {mo.id for mo in observation.motions}
        cited = {c.id for letter in observation.letters for c in letter.motions}
        hashes: dict[str, str] = {}
        for batch in _chunks(observed | cited):
            q = select(m.c.id, m.c.content_hash).where(m.c.id.in_(batch))
            hashes.update((row.id, row.content_hash) for row in conn.execute(q))
        # a cited id nobody tracks may be a typo: load its tracked one-character neighbours
        unknown = cited - hashes.keys() - observed
        neighbours = {n for i in unknown for n in typo_neighbours(i)} - hashes.keys()
        for batch in _chunks(neighbours):
            q = select(m.c.id, m.c.content_hash).where(m.c.id.in_(batch))
            found = {row.id: row.content_hash for row in conn.execute(q)}
            hashes.update(found)
            cited |= found.keys()
        need = {
            mo.id
            for mo in observation.motions
            if hashes.get(mo.id, "") not in ("", content_hash(mo))
        }
        need |= cited & hashes.keys()
        motions = self._load_motions(conn, need)

        keys = {k for letter in observation.letters for k in letter_keys(letter)}
        letters: dict[str, Letter] = {}
        lt = t.letters
        for batch in _chunks(keys):
            where = or_(
                lt.c.id.in_(batch), lt.c.kamerstuk.in_(batch), lt.c.document_nummer.in_(batch)
            )
            letters.update((letter.id, letter) for letter in self._load_letters(conn, where))
        return StoredState(motions=motions, hashes=hashes, letters=letters)

    # ----------------------------------------------------------------------- poll ingestion

    def apply_poll(
        self,
        observation: Observation,
        *,
        cursors: Mapping[tuple[str, str], str] | None = None,
        notify: bool = True,
        now: datetime | None = None,
        tk_records: Sequence[mirror.MirrorRecord] = (),
    ) -> list[Change]:
        """Diff an observation against the store and write records, changes, outbox, cursors.

        ``tk_records`` are the Tweede Kamer entities the sources saw (``state.mirror``).
        Everything happens in one transaction: a crash leaves the previous state intact.
        Returns the stored changes (with ids), oldest first.
        """
        now = _utcnow(now)
        with self._write() as conn:
            if not self._sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(POLL_LOCK)))
                # the fan-out de-duplicates and sorts up to ~10⁶ rows: keep that in memory
                conn.exec_driver_sql(f"SET LOCAL work_mem = '{PG_WORK_MEM}'")
            stored = self._stored_state(conn, observation)
            result = diff(stored, observation, now=now)
            self._write_motions(conn, result, now)
            self._write_letters(conn, result.letters, now)
            refresh_board_keys(
                conn,
                {mo.id for mo in result.motions if _searchable(mo) != _searchable(stored, mo.id)}
                | {c.id for letter in result.letters for c in letter.motions},
            )
            untouched = result.touched - result.hashes.keys()
            for batch in _chunks(untouched):
                conn.execute(update(t.motions).where(t.motions.c.id.in_(batch)).values(updated=now))
            changes, deliveries = self._write_changes(conn, result, notify=notify)
            mirror.write(conn, tk_records, now, self._insert)
            if cursors:
                self._upsert(
                    conn,
                    t.cursors,
                    [
                        {"source": source, "entity": entity, "value": value, "updated": now}
                        for (source, entity), value in cursors.items()
                    ],
                    ("source", "entity"),
                    keep=(),
                )
        logger.info(
            "poll stored: %d motions, %d letters written; %d changes, %d deliveries",
            len(result.motions),
            len(result.letters),
            len(changes),
            deliveries,
        )
        return changes

    def _write_motions(self, conn: Connection, result: DiffResult, now: datetime) -> None:
        if not result.motions:
            return
        self._upsert(
            conn,
            t.motions,
            [_motion_row(mo, result.hashes[mo.id], now) for mo in result.motions],
            ("id",),
            keep=("created", *BOARD_KEYS),  # refresh_board_keys derives them after the writes
        )
        ids = [mo.id for mo in result.motions]
        for batch in _chunks(ids):
            conn.execute(delete(t.votes).where(t.votes.c.motion_id.in_(batch)))
            conn.execute(delete(t.decisions).where(t.decisions.c.motion_id.in_(batch)))
        decision_rows: list[dict[str, Any]] = []
        vote_rows: list[dict[str, Any]] = []
        for mo in result.motions:
            seen: set[str] = set()
            for i, dec in enumerate(mo.decisions):
                if dec.id in seen:
                    continue
                seen.add(dec.id)
                decision_rows.append(
                    {
                        "motion_id": mo.id,
                        "id": dec.id,
                        "position": i,
                        "status": dec.status.value,
                        "raw_kind": dec.raw_kind,
                        "text": dec.text,
                        "date": dec.date,
                        "final": dec.final,
                        "source": dec.source,
                    }
                )
                vote_rows.extend(
                    {
                        "motion_id": mo.id,
                        "decision_id": dec.id,
                        "position": j,
                        "actor": vote.actor,
                        "party": vote.party,
                        "choice": vote.choice.value,
                        "seats": vote.seats,
                        "mistake": vote.mistake,
                    }
                    for j, vote in enumerate(dec.votes)
                )
        if decision_rows:
            conn.execute(insert(t.decisions), decision_rows)
        if vote_rows:
            conn.execute(insert(t.votes), vote_rows)

    def _write_letters(self, conn: Connection, letters: Sequence[Letter], now: datetime) -> None:
        if not letters:
            return
        self._upsert(conn, t.letters, [_letter_row(lt, now) for lt in letters], ("id",))
        rows = [
            {
                "letter_id": lt.id,
                "motion_id": c.id,
                "position": i,
                "title": c.title,
                "submitters": json.dumps(list(c.submitters), ensure_ascii=False),
                "date": c.date,
                "status": c.status.value if c.status else None,
                "evidence": c.evidence,
                "created": now,
                "cited_as": c.cited_as,
            }
            for lt in letters
            for i, c in enumerate(lt.motions)
        ]
        self._upsert(conn, t.letter_motions, rows, ("letter_id", "motion_id"))

    def _write_changes(
        self, conn: Connection, result: DiffResult, *, notify: bool
    ) -> tuple[list[Change], int]:
        """Insert changes and their targets; with ``notify``, fan them out to the outbox."""
        if not result.changes:
            return [], 0
        stmt = insert(t.changes).returning(t.changes.c.id, sort_by_parameter_order=True)
        ids = list(conn.execute(stmt, [_change_row(c) for c in result.changes]).scalars())
        changes = [replace(c, id=i) for c, i in zip(result.changes, ids, strict=True)]
        keywords = list(
            conn.scalars(
                select(t.subscriptions.c.value)
                .where(t.subscriptions.c.kind == SubscriptionKind.KEYWORD.value)
                .distinct()
            )
        )
        target_rows = [
            {"change_id": c.id, "kind": kind, "value": value[:MAX_VALUE]}
            for c, route in zip(changes, result.routes, strict=True)
            for kind, value in sorted(targets(c, route, keywords))
        ]
        if target_rows:
            conn.execute(insert(t.change_targets), target_rows)
        if not notify:
            return changes, 0
        return changes, self._fan_out(conn, min(ids), max(ids))

    def _fan_out(self, conn: Connection, first: int, last: int) -> int:
        """One pending delivery per (subscriber, change) for changes ``first..last``."""
        c, ct, sub, d = t.changes, t.change_targets, t.subscriptions, t.deliveries
        sb = t.subscribers
        everything = (
            select(sub.c.subscriber_id.label("subscriber_id"), c.c.id.label("change_id"))
            .select_from(c.join(sub, true()))
            .where(c.c.id.between(first, last), sub.c.kind == SubscriptionKind.ALL.value)
        )
        targeted = (
            select(sub.c.subscriber_id.label("subscriber_id"), ct.c.change_id.label("change_id"))
            .select_from(ct.join(sub, and_(sub.c.kind == ct.c.kind, sub.c.value == ct.c.value)))
            .where(ct.c.change_id.between(first, last))
        )
        matched = union(everything, targeted).subquery("matched")
        source = (
            select(
                matched.c.subscriber_id,
                matched.c.change_id,
                sb.c.channel,
                literal_column(f"'{DeliveryStatus.PENDING.value}'"),
                literal_column("0"),
            )
            .select_from(matched.join(sb, sb.c.id == matched.c.subscriber_id))
            .where(sb.c.active, or_(sb.c.channel != Channel.EMAIL.value, sb.c.confirmed))
        )
        columns = ["subscriber_id", "change_id", "channel", "status", "attempts"]
        source, columns = routing.route_fan_out(  # issue 17: routes by kind (off, frequency)
            conn, source, columns, matched.c.subscriber_id, matched.c.change_id
        )
        if not self._sqlite:
            # Delivery ids follow change order per subscriber, so that workers claiming by id
            # send each subscriber's changes in order. SQLite's UNION already yields rows sorted
            # by (subscriber, change); sorting again would cost ~10% of the fan-out.
            source = source.order_by(matched.c.subscriber_id, matched.c.change_id)
        stmt = insert(d).from_select(columns, source).execution_options(preserve_rowcount=True)
        return max(int(conn.execute(stmt).rowcount or 0), 0)

    def get_cursors(self, source: str) -> dict[str, str]:
        """The stored cursors of one source: ``{entity: value}``."""
        q = select(t.cursors.c.entity, t.cursors.c.value).where(t.cursors.c.source == source)
        with self._read() as conn:
            return {row.entity: row.value for row in conn.execute(q)}

    def record_source_success(
        self, name: str, *, items_seen: int, now: datetime | None = None
    ) -> None:
        """Note a successful fetch of a source (resets its failure count)."""
        now = _utcnow(now)
        stmt = self._insert(t.source_status).values(
            name=name,
            last_success=now,
            items_seen=items_seen,
            consecutive_failures=0,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"last_success": now, "items_seen": items_seen, "consecutive_failures": 0},
        )
        with self._write() as conn:
            conn.execute(stmt)

    def record_source_failure(self, name: str, error: str, *, now: datetime | None = None) -> None:
        """Note a failed fetch of a source (counts consecutive failures)."""
        now = _utcnow(now)
        ss = t.source_status
        stmt = self._insert(ss).values(
            name=name,
            last_error=error,
            last_error_at=now,
            items_seen=0,
            consecutive_failures=1,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "last_error": error,
                "last_error_at": now,
                "consecutive_failures": ss.c.consecutive_failures + 1,
            },
        )
        with self._write() as conn:
            conn.execute(stmt)

    def source_statuses(self) -> list[SourceStatus]:
        """Health of every source seen so far, by name, with its cursors in ``extra``."""
        with self._read() as conn:
            rows = conn.execute(select(t.source_status).order_by(t.source_status.c.name)).all()
            cursor_rows = conn.execute(select(t.cursors).order_by(t.cursors.c.updated)).all()
        cursors: dict[str, dict[str, str]] = defaultdict(dict)
        for row in cursor_rows:
            cursors[row.source][row.entity] = row.value
        out = []
        for row in rows:
            extra = cursors.get(row.name, {})
            out.append(
                SourceStatus(
                    name=row.name,
                    last_success=row.last_success,
                    last_error=row.last_error,
                    last_error_at=row.last_error_at,
                    items_seen=row.items_seen,
                    consecutive_failures=row.consecutive_failures,
                    cursor=next(reversed(extra.values()), None) if extra else None,
                    extra=dict(extra),
                )
            )
        return out

    # ----------------------------------------------------------------------- reading

    def get_motion(self, motion_id: str) -> Motion | None:
        """One motion with its decisions and votes, or None."""
        with self._read() as conn:
            return self._load_motions(conn, [motion_id]).get(motion_id)

    def find_motion_by_zaak(self, zaak_nummer: str) -> Motion | None:
        """The motion with this Zaak number (``2020Z21194``) or Zaak GUID, or None."""
        m = t.motions
        q = select(m.c.id).where(or_(m.c.zaak_nummer == zaak_nummer, m.c.zaak_id == zaak_nummer))
        with self._read() as conn:
            motion_id = conn.scalars(q.limit(1)).first()
            if motion_id is None:
                return None
            return self._load_motions(conn, [motion_id]).get(motion_id)

    def search_motions(self, words: str | Sequence[str], limit: int = 10) -> list[Motion]:
        """Motions containing every word, newest first (full-text search, see :mod:`state.search`).

        Words are matched case- and diacritics-insensitively, as word prefixes, and by their
        Dutch stem, in the id, title, submitters and parties, Zaak number, text and the latest
        execution report's evidence.
        """
        query = words if isinstance(words, str) else " ".join(words)
        clause = self._search_clause(query)
        if clause is None:
            return []
        m = t.motions
        q = select(m.c.id).where(clause).order_by(m.c.date.desc().nulls_last(), m.c.id)
        with self._read() as conn:
            ids = list(conn.scalars(q.limit(limit)))
            found = self._load_motions(conn, ids)
        return [found[i] for i in ids if i in found]

    def search_rows(self) -> list[tuple[str, str, str, str | None]]:
        """(id, title, submitter names, Zaak number) of every motion, newest first (bot search)."""
        m = t.motions
        q = select(m.c.id, m.c.title, m.c.submitters, m.c.zaak_nummer).order_by(
            m.c.date.desc().nulls_last(), m.c.id
        )
        with self._read() as conn:
            return [
                (
                    row.id,
                    row.title,
                    " ".join(s.name for s in _load_submitters(row.submitters)),
                    row.zaak_nummer,
                )
                for row in conn.execute(q)
            ]

    def motions_version(self) -> tuple[int, datetime | None]:
        """(how many motions, when one last changed): a cheap "has anything changed" probe."""
        m = t.motions
        with self._read() as conn:
            row = conn.execute(select(func.count(), func.max(m.c.updated))).one()
        return int(row[0] or 0), row[1]

    def get_motions(self, motion_ids: Sequence[str]) -> list[Motion]:
        """The stored motions among ``motion_ids``, in that order."""
        with self._read() as conn:
            found = self._load_motions(conn, list(motion_ids))
        return [found[i] for i in motion_ids if i in found]

    def missed_changes(self, subscriber_id: int) -> int:
        """Changes for this subscriber's subscriptions since the last one sent to it.

        What a chat that blocked the bot missed meanwhile (changes from before it subscribed
        are not counted).
        """
        c, ct, sub, d, sb = (
            t.changes,
            t.change_targets,
            t.subscriptions,
            t.deliveries,
            t.subscribers,
        )
        with self._read() as conn:
            created = conn.scalar(select(sb.c.created).where(sb.c.id == subscriber_id))
            if created is None:
                return 0
            last = conn.scalar(
                select(func.max(d.c.change_id)).where(
                    d.c.subscriber_id == subscriber_id,
                    d.c.status == DeliveryStatus.SENT.value,
                )
            )
            kinds = {
                (row.kind, row.value)
                for row in conn.execute(
                    select(sub.c.kind, sub.c.value).where(sub.c.subscriber_id == subscriber_id)
                )
            }
            if not kinds:
                return 0
            window = and_(c.c.id > (last or 0), c.c.created >= created)
            if (SubscriptionKind.ALL.value, "") in kinds:
                return int(conn.scalar(select(func.count()).select_from(c).where(window)) or 0)
            own = and_(
                sub.c.kind == ct.c.kind,
                sub.c.value == ct.c.value,
                sub.c.subscriber_id == subscriber_id,
            )
            matched = (
                select(func.count(func.distinct(ct.c.change_id)))
                .select_from(ct.join(sub, own).join(c, c.c.id == ct.c.change_id))
                .where(window)
            )
            return int(conn.scalar(matched) or 0)

    def _report_rows(self, conn: Connection, motion_ids: Iterable[str] | None) -> list[Rec]:
        lm, lt = t.letter_motions, t.letters
        q = select(
            lm.c.motion_id,
            lm.c.letter_id,
            lm.c.status,
            lm.c.evidence,
            lm.c.created,
            lt.c.date.label("letter_date"),
            lt.c.title.label("letter_title"),
            lt.c.url.label("letter_url"),
        ).select_from(lm.join(lt, lt.c.id == lm.c.letter_id))
        if motion_ids is None:
            return sorted(conn.execute(q).all(), key=_report_order)
        rows: list[Rec] = []
        for batch in _chunks(motion_ids):
            rows.extend(conn.execute(q.where(lm.c.motion_id.in_(batch))).all())
        return sorted(rows, key=_report_order)

    @staticmethod
    def _latest_reports(reports: Iterable[Rec]) -> dict[str, ExecutionReport]:
        """Each motion's latest report that carries a status."""
        latest: dict[str, ExecutionReport] = {}
        for row in sorted(
            (r for r in reports if r.status),
            key=lambda r: (r.letter_date is not None, r.letter_date or date.min, r.created),
        ):
            latest[row.motion_id] = _report_from(row)
        return latest

    def _board(self, motion_ids: list[str] | None) -> list[BoardEntry]:
        with self._read() as conn:
            motions = self._load_motions(conn, motion_ids)
            q = select(t.motions.c.id, t.motions.c.updated)
            if motion_ids is not None:
                q = q.where(t.motions.c.id.in_(motion_ids))
            updated = {r.id: r.updated for r in conn.execute(q)}
            reports = self._report_rows(conn, motion_ids)
        latest = self._latest_reports(reports)
        return [
            BoardEntry(motion=mo, execution=latest.get(mid), updated=updated[mid])
            for mid, mo in sorted(motions.items())
        ]

    def board(self) -> list[BoardEntry]:
        """Every tracked motion, ordered by id, with its latest execution report."""
        return self._board(None)

    def _search_clause(self, words: str) -> Any:
        """Motions containing every word (full-text: folded, Dutch stems, prefixes), or None."""
        pairs = terms(words)
        if not pairs:
            return None
        if self._sqlite:
            return literal_column("motions.rowid").in_(
                select(literal_column("rowid"))
                .select_from(text(t.SEARCH_TABLE))
                .where(text(f"{t.SEARCH_TABLE} MATCH :fts").bindparams(fts=fts5_query(pairs)))
            )
        return text(
            "to_tsvector('dutch'::regconfig, coalesce(motions.search_text, ''))"
            " @@ to_tsquery('dutch'::regconfig, :tsq)"
        ).bindparams(tsq=tsquery(pairs))

    def _board_where(
        self,
        status: str | None,
        execution: str | None,
        words: str,
        ids: Collection[str] | None = None,
    ) -> list[Any]:
        m = t.motions
        where: list[Any] = []
        if ids is not None:  # issue 17: the overdue filter (ids from state.overdue)
            where.append(m.c.id.in_(sorted(ids)) if ids else false())
        if status:
            where.append(m.c.parliamentary_status == status)
        if execution == "none":
            where.append(m.c.execution_status.is_(None))
        elif execution:
            where.append(m.c.execution_status == execution)
        clause = self._search_clause(words) if words.strip() else None
        if clause is not None:
            where.append(clause)
        return where

    def _board_order(self, sort: str, order: str) -> list[Any]:
        m = t.motions
        desc = order == "desc"

        def by(col: Any) -> Any:
            return col.desc() if desc else col.asc()

        key = by(m.c.sort_key)
        if sort == "id":
            return [key]
        if sort == "title":
            return [by(func.lower(m.c.title)), key]
        if sort == "status":
            return [by(m.c.parliamentary_status), key]
        if sort == "execution":
            rank = case(EXECUTION_RANK, value=m.c.execution_status, else_=len(EXECUTION_RANK))
            return [by(rank), key]
        if sort == "updated":
            return [by(m.c.updated), key]
        # date, undated rows last in either order (SQLite's DESC already puts NULLs last,
        # so the (board_date, sort_key) index serves the default view)
        if desc and self._sqlite:
            return [m.c.board_date.desc(), key]
        return [by(m.c.board_date).nulls_last(), key]

    def board_page(
        self,
        *,
        status: str | None = None,
        execution: str | None = None,
        words: str = "",
        sort: str = "date",
        order: str = "desc",
        limit: int = 100,
        offset: int = 0,
        ids: Collection[str] | None = None,
    ) -> tuple[list[BoardEntry], bool]:
        """One page of the board, filtered, searched and sorted in the database.

        ``execution`` is an ExecutionStatus value or ``"none"``; ``words`` must all occur
        (full-text: case and diacritics folded, Dutch stems, word prefixes). Returns the entries
        and whether more follow. The order is the board's (:mod:`bot.web.board`).
        """
        m = t.motions
        limit = max(1, min(limit, MAX_PAGE))
        q = (
            select(m.c.id)
            .where(*self._board_where(status, execution, words, ids))
            .order_by(*self._board_order(sort if sort in BOARD_SORTS else "date", order))
            .limit(limit + 1)
            .offset(max(offset, 0))
        )
        with self._read() as conn:
            ids = list(conn.scalars(q))
            more = len(ids) > limit
            ids = ids[:limit]
            entries = {e.motion.id: e for e in self._board_entries(conn, ids)}
        return [entries[i] for i in ids if i in entries], more

    def board_count(
        self,
        *,
        status: str | None = None,
        execution: str | None = None,
        words: str = "",
        ids: Collection[str] | None = None,
    ) -> int:
        """How many motions pass the board's filters and search (and are among ``ids``)."""
        where = self._board_where(status, execution, words, ids)
        q = select(func.count()).select_from(t.motions).where(*where)
        with self._read() as conn:
            return int(conn.scalar(q) or 0)

    def board_summary(self) -> BoardSummary:
        """(motions, per parliamentary status, per execution status or "none", last change).

        Cached until the store changes: the key is the newest change id and the newest motion
        update (two index look-ups), as every write that moves a count also records a change.
        """
        m, c = t.motions, t.changes
        with self._read() as conn:
            key = (
                conn.scalar(select(func.max(c.c.id))),
                conn.scalar(select(func.max(m.c.updated))),
            )
            cached = self._summary
            if cached is not None and cached[0] == key:
                return cached[1]
            status = {
                str(r[0]): int(r[1])
                for r in conn.execute(
                    select(m.c.parliamentary_status, func.count()).group_by(
                        m.c.parliamentary_status
                    )
                )
            }
            execution = {
                str(r[0] or "none"): int(r[1])
                for r in conn.execute(
                    select(m.c.execution_status, func.count()).group_by(m.c.execution_status)
                )
            }
        updated = key[1]
        summary = (sum(status.values()), status, execution, updated)
        self._summary = (key, summary)
        return summary

    def _board_entries(self, conn: Connection, motion_ids: list[str]) -> list[BoardEntry]:
        if not motion_ids:
            return []
        motions = self._load_motions(conn, motion_ids)
        updated: dict[str, datetime] = {}
        for batch in _chunks(motion_ids):
            q = select(t.motions.c.id, t.motions.c.updated).where(t.motions.c.id.in_(batch))
            updated.update((r.id, r.updated) for r in conn.execute(q))
        latest = self._latest_reports(self._report_rows(conn, motion_ids))
        return [
            BoardEntry(motion=mo, execution=latest.get(mid), updated=updated[mid])
            for mid, mo in sorted(motions.items())
        ]

    def board_entry(self, motion_id: str) -> BoardEntry | None:
        """One motion's board entry (None when it is not tracked)."""
        entries = self._board([motion_id])
        return entries[0] if entries else None

    def status_counts(self) -> dict[str, dict[str, int]]:
        """Motions per parliamentary status, and the adopted ones per latest execution status.

        ``execution`` counts only adopted motions ("none": no report with a status yet). Answers
        the topic summary without loading every motion.
        """
        mo = t.motions
        with self._read() as conn:
            parliamentary = {
                str(r.parliamentary_status): int(r.n)
                for r in conn.execute(
                    select(mo.c.parliamentary_status, func.count().label("n")).group_by(
                        mo.c.parliamentary_status
                    )
                )
            }
            adopted = set(
                conn.scalars(
                    select(mo.c.id).where(
                        mo.c.parliamentary_status == ParliamentaryStatus.ADOPTED.value
                    )
                )
            )
            latest = self._latest_reports(self._report_rows(conn, None))
        execution: dict[str, int] = {}
        for motion_id in adopted:
            report = latest.get(motion_id)
            key = report.status.value if report is not None and report.status else "none"
            execution[key] = execution.get(key, 0) + 1
        return {"parliamentary": parliamentary, "execution": execution}

    def execution_reports(self, motion_id: str) -> list[ExecutionReport]:
        """Every letter's report on a motion (status None: mentioned only), oldest first."""
        with self._read() as conn:
            return [_report_from(row) for row in self._report_rows(conn, [motion_id])]

    def timeline(self, motion_id: str) -> list[TimelineEntry]:
        """A motion's life: submitted, decisions, replacement, execution reports; by date."""
        with self._read() as conn:
            motion = self._load_motions(conn, [motion_id]).get(motion_id)
            if motion is None:
                return []
            related = [i for i in (motion.replaced_by, motion.replaces) if i]
            query = select(t.motions.c.id, t.motions.c.date).where(t.motions.c.id.in_(related))
            dates = {r.id: r.date for r in conn.execute(query)}
            reports = self._report_rows(conn, [motion_id])
        entries: list[TimelineEntry] = []
        submitted = "ingediend"
        if motion.submitters:
            names = ", ".join(s.name for s in motion.submitters)
            submitted += f" door {names}"
        entries.append(TimelineEntry(motion.date, "submitted", submitted, url=motion.url))
        if motion.replaces:
            entries.append(
                TimelineEntry(motion.date, "replaces", f"vervangt motie {motion.replaces}")
            )
        for dec in motion.decisions:
            if dec.final:
                entries.append(TimelineEntry(dec.date, "decision", decision_label(dec)))
        if motion.replaced_by:
            entries.append(
                TimelineEntry(
                    dates.get(motion.replaced_by),
                    "replaced_by",
                    f"vervangen door motie {motion.replaced_by}",
                )
            )
        for row in reports:
            status = EXECUTION_LABELS[ExecutionStatus(row.status)] if row.status else None
            detail = f"uitvoering gemeld — {status}" if status else "genoemd in brief"
            detail += f" ({row.letter_title})" if row.letter_title else ""
            if row.evidence:
                detail += f": “{row.evidence}”"
            entries.append(
                TimelineEntry(
                    row.letter_date,
                    "execution_report",
                    detail,
                    letter_id=row.letter_id,
                    url=row.letter_url,
                )
            )
        # stable sort: same-day entries keep their natural order (submitted before decision …)
        return sorted(entries, key=lambda e: (e.date is None, e.date or date.min))

    def letters(self) -> list[Letter]:
        """Every stored letter with the motions it cites, newest first (undated last)."""
        with self._read() as conn:
            found = self._load_letters(conn)
        return sorted(found, key=lambda lt: (lt.date or date.min, lt.id), reverse=True)

    def letters_page(self, *, limit: int = 100, offset: int = 0) -> tuple[list[Letter], bool]:
        """One page of :meth:`letters` (newest first, undated last) and whether more follow."""
        lt = t.letters
        limit = max(1, min(limit, MAX_PAGE))
        newest = lt.c.date.desc() if self._sqlite else lt.c.date.desc().nulls_last()
        q = select(lt.c.id).order_by(newest, lt.c.id.desc()).limit(limit + 1).offset(offset)
        with self._read() as conn:
            ids = list(conn.scalars(q))
            more = len(ids) > limit
            ids = ids[:limit]
            found = {x.id: x for x in self._load_letters(conn, lt.c.id.in_(ids))} if ids else {}
        return [found[i] for i in ids if i in found], more

    def existing_motions(self, motion_ids: Iterable[str]) -> set[str]:
        """Those of ``motion_ids`` that are tracked."""
        m = t.motions
        out: set[str] = set()
        with self._read() as conn:
            for batch in _chunks(set(motion_ids)):
                out.update(conn.scalars(select(m.c.id).where(m.c.id.in_(batch))))
        return out

    def get_letter(self, letter_id: str) -> Letter | None:
        """A letter by id, or by its kamerstuk id or document number."""
        lt = t.letters
        with self._read() as conn:
            found = self._load_letters(conn, lt.c.id == letter_id)
            if not found:
                found = self._load_letters(
                    conn, or_(lt.c.kamerstuk == letter_id, lt.c.document_nummer == letter_id)
                )
        return found[0] if found else None

    def changes(
        self,
        since: datetime | int | None = None,
        *,
        motion_id: str | None = None,
        limit: int | None = None,
    ) -> list[Change]:
        """Stored changes, oldest first.

        ``since`` is a datetime (changes created after it) or a change id (changes after it);
        with ``since`` the ``limit`` oldest are returned (paging forward), without it the
        ``limit`` newest.
        """
        c = t.changes
        q = select(c)
        if isinstance(since, datetime):
            q = q.where(c.c.created > _utcnow(since))
        elif since is not None:
            q = q.where(c.c.id > since)
        if motion_id is not None:
            q = q.where(c.c.motion_id == motion_id)
        newest_first = since is None and limit is not None
        q = q.order_by(c.c.id.desc() if newest_first else c.c.id)
        if limit is not None:
            q = q.limit(limit)
        with self._read() as conn:
            found = [_change_from(row) for row in conn.execute(q)]
        return found[::-1] if newest_first else found

    def mirror_tracked(self) -> mirror.Tracked:
        """The Zaak, Besluit and dossier ids of the Tweede Kamer mirror."""
        with self._read() as conn:
            return mirror.tracked(conn)

    def mirror_load(self, zaak_ids: Iterable[str]) -> list[mirror.MirrorRecord]:
        """The mirrored entities of the given Zaken."""
        with self._read() as conn:
            return mirror.load(conn, zaak_ids)

    def mirror_ids(self, entity: str, ids: Iterable[str]) -> list[mirror.MirrorRecord]:
        """Mirrored entities of one kind by id."""
        with self._read() as conn:
            return mirror.load_ids(conn, entity, ids)

    def watchlist(self) -> frozenset[str]:
        """Motion ids that any active subscriber follows."""
        sub, sb = t.subscriptions, t.subscribers
        q = (
            select(sub.c.value)
            .select_from(sub.join(sb, sb.c.id == sub.c.subscriber_id))
            .where(sub.c.kind == SubscriptionKind.MOTION.value, sb.c.active)
            .distinct()
        )
        with self._read() as conn:
            return frozenset(conn.scalars(q))

    def outbox_health(self, *, now: datetime | None = None) -> dict[str, int]:
        """Cheap outbox gauges for /healthz, /metrics and the heartbeat (no full scan).

        Counts the rows still to do (``pending``, ``claimed``, ``due``) and those that ended
        otherwise than sent (``failed``, ``skipped``), each through its partial index, plus
        ``last_sent``: the Unix time of the latest send (0: none), which moves while delivery
        makes progress. Sent rows are not counted: they are history, pruned after the retention.
        """
        d = t.deliveries
        with self._read() as conn:
            counts = {
                "pending": conn.scalar(select(func.count()).select_from(d).where(text(t.PENDING))),
                "claimed": conn.scalar(select(func.count()).select_from(d).where(text(t.CLAIMED))),
            }
            settled = conn.execute(
                select(d.c.status, func.count()).where(text(t.SETTLED)).group_by(d.c.status)
            )
            counts |= {str(status): n for status, n in settled}
            last_sent = conn.scalar(select(func.max(d.c.sent_at)).where(text(t.SENT)))
        out = {k: int(counts.get(k) or 0) for k in ("pending", "claimed", "failed", "skipped")}
        out["due"] = self.due_count(now=now) if out["pending"] else 0
        out["last_sent"] = int(last_sent.timestamp()) if last_sent is not None else 0
        return out

    def prune_outbox(
        self, older_than: timedelta, *, now: datetime | None = None, batch: int = CHUNK
    ) -> int:
        """Delete settled outbox rows older than ``older_than``; returns how many.

        Sent rows go by their send time; failed and skipped rows with their change's age.
        Pending and claimed rows are never pruned. Deletes in batches of ``batch`` rows, one
        transaction each, so that senders and pollers are not held up.
        """
        cutoff = _utcnow(now) - older_than
        d, c = t.deliveries, t.changes
        with self._read() as conn:
            first_recent = conn.scalar(select(func.min(c.c.id)).where(c.c.created >= cutoff))
            if first_recent is None:
                first_recent = int(conn.scalar(select(func.max(c.c.id))) or 0) + 1
        selections = (
            select(d.c.id).where(text(t.SENT), d.c.sent_at < cutoff),
            select(d.c.id).where(text(t.SETTLED), d.c.change_id < first_recent),
        )
        total = 0
        for chosen in selections:
            while True:
                with self._write() as conn:
                    ids = list(conn.scalars(chosen.limit(batch)))
                    if ids:
                        conn.execute(delete(d).where(d.c.id.in_(ids)))
                total += len(ids)
                if len(ids) < batch:
                    break
        if total:
            logger.info("outbox: pruned %d settled rows older than %s", total, older_than)
        return total

    # ----------------------------------------------------------------------- subscribers

    def get_or_create_subscriber(
        self, channel: Channel, address: str, *, language: str = "nl", confirmed: bool = True
    ) -> Subscriber:
        """The subscriber for (channel, address), created when new (existing rows unchanged)."""
        stmt = (
            self._insert(t.subscribers)
            .values(
                channel=Channel(channel).value,
                address=address,
                language=language,
                frequency=Frequency.INSTANT.value,
                active=True,
                confirmed=confirmed,
                bounces=0,
                created=_utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["channel", "address"])
        )
        with self._write() as conn:
            conn.execute(stmt)
            row = conn.execute(self._subscriber_query(channel, address)).one()
        return _subscriber_from(row)

    @staticmethod
    def _subscriber_query(channel: Channel, address: str) -> Any:
        sb = t.subscribers
        return select(sb).where(sb.c.channel == Channel(channel).value, sb.c.address == address)

    def get_subscriber(self, channel: Channel, address: str) -> Subscriber | None:
        """The subscriber for (channel, address), or None."""
        with self._read() as conn:
            row = conn.execute(self._subscriber_query(channel, address)).first()
        return _subscriber_from(row) if row else None

    def get_subscriber_by_id(self, subscriber_id: int) -> Subscriber | None:
        """The subscriber with this id, or None."""
        sb = t.subscribers
        with self._read() as conn:
            row = conn.execute(select(sb).where(sb.c.id == subscriber_id)).first()
        return _subscriber_from(row) if row else None

    def update_subscriber(
        self,
        subscriber_id: int,
        *,
        active: bool | None = None,
        language: str | None = None,
        frequency: Frequency | None = None,
        confirmed: bool | None = None,
        address: str | None = None,
    ) -> Subscriber:
        """Change a subscriber's settings; raises :class:`NotFound` for an unknown id.

        ``address`` moves the subscriber to a new chat id (a group that became a supergroup).
        """
        sb = t.subscribers
        values: dict[str, Any] = {}
        if address is not None:
            values["address"] = address
        if active is not None:
            values["active"] = active
            if active:
                values["bounces"] = 0
        if language is not None:
            values["language"] = language
        if frequency is not None:
            values["frequency"] = Frequency(frequency).value
        if confirmed is not None:
            values["confirmed"] = confirmed
        with self._write() as conn:
            if values:
                conn.execute(update(sb).where(sb.c.id == subscriber_id).values(**values))
            row = conn.execute(select(sb).where(sb.c.id == subscriber_id)).first()
        if row is None:
            raise NotFound("subscriber", subscriber_id)
        return _subscriber_from(row)

    def delete_subscriber(self, subscriber_id: int) -> None:
        """Forget a subscriber: its deliveries, subscriptions and the row itself."""
        with self._write() as conn:
            conn.execute(delete(t.deliveries).where(t.deliveries.c.subscriber_id == subscriber_id))
            conn.execute(
                delete(t.subscriptions).where(t.subscriptions.c.subscriber_id == subscriber_id)
            )
            conn.execute(delete(t.subscribers).where(t.subscribers.c.id == subscriber_id))

    def subscribe(self, subscriber_id: int, kind: SubscriptionKind, value: str = "") -> bool:
        """Follow something; True when the subscription is new."""
        kind = SubscriptionKind(kind)
        value = normalise_value(kind, value)
        if kind is not SubscriptionKind.ALL and not value:
            raise ValueError(f"a {kind.value} subscription needs a value")
        if len(value) > MAX_VALUE:
            raise ValueError(f"subscription value longer than {MAX_VALUE} characters")
        stmt = (
            self._insert(t.subscriptions)
            .values(subscriber_id=subscriber_id, kind=kind.value, value=value, created=_utcnow())
            .on_conflict_do_nothing(index_elements=["subscriber_id", "kind", "value"])
            .returning(t.subscriptions.c.id)
        )
        sb = t.subscribers
        with self._write() as conn:
            if conn.scalar(select(sb.c.id).where(sb.c.id == subscriber_id)) is None:
                raise NotFound("subscriber", subscriber_id)
            return conn.execute(stmt).first() is not None

    def unsubscribe(self, subscriber_id: int, kind: SubscriptionKind, value: str = "") -> bool:
        """Stop following something; True when the subscription existed."""
        kind = SubscriptionKind(kind)
        sub = t.subscriptions
        stmt = delete(sub).where(
            sub.c.subscriber_id == subscriber_id,
            sub.c.kind == kind.value,
            sub.c.value == normalise_value(kind, value),
        )
        with self._write() as conn:
            return bool(conn.execute(stmt).rowcount)

    # issue 17: routing by kind (the logic is in state.routing)
    def routes(self, subscriber_id: int) -> dict[routing.RouteClass, routing.Route]:
        """The routes a subscriber stored per class (a class without one: its frequency)."""
        with self._read() as conn:
            return routing.load_routes(conn, subscriber_id)

    def set_routes(
        self, subscriber_id: int, routes: Mapping[routing.RouteClass, routing.Route | None]
    ) -> dict[routing.RouteClass, routing.Route]:
        """Store routes per class (None: forget the class's route); returns the stored ones."""
        with self._write() as conn:
            for cls, route in routes.items():
                routing.store_route(conn, subscriber_id, cls, route)
            return routing.load_routes(conn, subscriber_id)

    def subscriptions(self, subscriber_id: int) -> list[Subscription]:
        """What a subscriber follows, in the order subscribed."""
        sub = t.subscriptions
        q = select(sub).where(sub.c.subscriber_id == subscriber_id).order_by(sub.c.id)
        with self._read() as conn:
            return [
                Subscription(
                    subscriber_id=row.subscriber_id,
                    kind=SubscriptionKind(row.kind),
                    value=row.value,
                    id=row.id,
                )
                for row in conn.execute(q)
            ]

    def subscriber_counts(self) -> dict[str, int]:
        """``{"telegram": n, "email": n, "active": n}`` (active: reachable right now)."""
        sb = t.subscribers
        reachable = and_(sb.c.active, or_(sb.c.channel != Channel.EMAIL.value, sb.c.confirmed))
        with self._read() as conn:
            query = select(sb.c.channel, func.count().label("n")).group_by(sb.c.channel)
            by_channel = {r.channel: int(r.n) for r in conn.execute(query)}
            active = conn.scalar(select(func.count()).select_from(sb).where(reachable)) or 0
        counts = {ch.value: int(by_channel.get(ch.value, 0)) for ch in Channel}
        counts["active"] = int(active)
        return counts

    def record_bounce(self, subscriber_id: int) -> int:
        """Count a bounced email; returns the subscriber's bounce count after this one."""
        sb = t.subscribers
        with self._write() as conn:
            conn.execute(
                update(sb).where(sb.c.id == subscriber_id).values(bounces=sb.c.bounces + 1)
            )
            count = conn.scalar(select(sb.c.bounces).where(sb.c.id == subscriber_id))
        if count is None:
            raise NotFound("subscriber", subscriber_id)
        return int(count)

    # ----------------------------------------------------------------------- outbox

    def claim_deliveries(
        self,
        channel: Channel,
        *,
        limit: int = 100,
        worker: str = "w",
        now: datetime | None = None,
        frequency: Frequency | None = None,
    ) -> list[ClaimedDelivery]:
        """Claim the due pending deliveries of whole chats (subscribers), oldest first: as many
        chats as fit in ``limit`` rows (at least one, whatever its number of rows).

        Claims are per chat: a chat's due rows are claimed together (so one letter's reports
        travel in one grouped message whatever the batch size), and a chat that has a claimed
        row, or a pending row waiting for its retry time, is left alone, so one chat's changes
        go out in order whatever the number of workers. Rows of subscribers who became inactive
        (or are unconfirmed emails) are marked ``skipped`` instead. On PostgreSQL claims are
        serialised with a transaction-scoped advisory lock.
        """
        now = _utcnow(now)
        d, sb, c = t.deliveries, t.subscribers, t.changes
        ch = Channel(channel).value
        due = or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at <= now)
        other = d.alias("other")
        busy = (
            select(other.c.id)
            .where(
                other.c.subscriber_id == d.c.subscriber_id,
                other.c.channel == ch,
                or_(
                    and_(  # another worker is sending this chat (this worker's own leftovers
                        # are not in flight: it runs one pass at a time)
                        other.c.status == DeliveryStatus.CLAIMED.value,
                        or_(other.c.claimed_by.is_(None), other.c.claimed_by != worker),
                    ),
                    and_(
                        other.c.status == DeliveryStatus.PENDING.value,
                        other.c.next_attempt_at > now,
                    ),
                ),
            )
            .exists()
        )
        q = (  # oldest rows first, through the partial index of pending rows
            select(d.c.subscriber_id)
            .where(text(t.PENDING), d.c.channel == ch, due, ~busy)
            .order_by(d.c.id)
            .limit(limit * 4)
        )
        wanted = routing.frequency_is(frequency)  # issue 17: a row's route, else its subscriber's
        q = q.where(wanted)
        with self._write() as conn:
            if not self._sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))
            candidates = list(dict.fromkeys(conn.scalars(q)))
            if not candidates:
                return []
            sizes = {
                row.subscriber_id: int(row.n)
                for batch in _chunks(candidates)
                for row in conn.execute(
                    select(d.c.subscriber_id, func.count().label("n"))
                    .where(d.c.subscriber_id.in_(batch), text(t.PENDING), d.c.channel == ch, due)
                    .where(wanted)
                    .group_by(d.c.subscriber_id)
                )
            }
            chats: list[int] = []
            rows_taken = 0
            for chat in candidates:  # whole chats, oldest first, until about `limit` rows
                if chats and rows_taken + sizes.get(chat, 0) > limit:
                    break
                chats.append(chat)
                rows_taken += sizes.get(chat, 0)
            rows: list[Any] = []
            for batch in _chunks(chats):
                rows.extend(
                    conn.execute(
                        select(d)
                        .where(
                            d.c.subscriber_id.in_(batch), text(t.PENDING), d.c.channel == ch, due
                        )
                        .where(wanted)
                    ).all()
                )
            rows.sort(key=lambda r: r.id)
            subs = {
                row.id: _subscriber_from(row)
                for batch in _chunks(chats)
                for row in conn.execute(select(sb).where(sb.c.id.in_(batch)))
            }
            changes = {
                row.id: _change_from(row)
                for batch in _chunks({r.change_id for r in rows})
                for row in conn.execute(select(c).where(c.c.id.in_(batch)))
            }
            live = [r for r in rows if _deliverable(subs[r.subscriber_id])]
            dead = [r.id for r in rows if not _deliverable(subs[r.subscriber_id])]
            for batch in _chunks(dead):
                conn.execute(
                    update(d)
                    .where(d.c.id.in_(batch))
                    .values(status=DeliveryStatus.SKIPPED.value, last_error="subscriber inactive")
                )
            for batch in _chunks([r.id for r in live]):
                conn.execute(
                    update(d)
                    .where(d.c.id.in_(batch))
                    .values(status=DeliveryStatus.CLAIMED.value, claimed_by=worker, claimed_at=now)
                )
        return [
            ClaimedDelivery(
                delivery=replace(_delivery_from(r), status=DeliveryStatus.CLAIMED),
                subscriber=subs[r.subscriber_id],
                change=changes[r.change_id],
            )
            for r in live
        ]

    def mark_sent(
        self,
        delivery_ids: Iterable[int],
        *,
        now: datetime | None = None,
        worker: str | None = None,
    ) -> int:
        """Record deliveries as sent; returns how many rows were updated.

        With ``worker`` only rows this worker still holds are updated: a row whose stale claim
        was requeued (and maybe claimed by another worker) is left to its new owner.
        """
        now = _utcnow(now)
        d = t.deliveries
        count = 0
        with self._write() as conn:
            for batch in _chunks(delivery_ids):
                where: list[ColumnElement[bool]] = [d.c.id.in_(batch)]
                if worker is not None:
                    where += [d.c.status == DeliveryStatus.CLAIMED.value, d.c.claimed_by == worker]
                result = conn.execute(
                    update(d)
                    .where(*where)
                    .values(
                        status=DeliveryStatus.SENT.value,
                        sent_at=now,
                        claimed_by=None,
                        next_attempt_at=None,
                    )
                )
                count += int(result.rowcount or 0)
        return count

    def touch_claims(
        self, delivery_ids: Iterable[int], worker: str, *, now: datetime | None = None
    ) -> int:
        """Renew ``worker``'s claims on ``delivery_ids`` (it is alive and still sending them)."""
        now = _utcnow(now)
        d = t.deliveries
        count = 0
        with self._write() as conn:
            for batch in _chunks(delivery_ids):
                result = conn.execute(
                    update(d)
                    .where(
                        d.c.id.in_(batch),
                        d.c.status == DeliveryStatus.CLAIMED.value,
                        d.c.claimed_by == worker,
                    )
                    .values(claimed_at=now)
                )
                count += int(result.rowcount or 0)
        return count

    def release_claims_of(self, workers: Iterable[str]) -> int:
        """Put every row claimed by ``workers`` back to pending (their process has ended)."""
        names = sorted(set(workers))
        if not names:
            return 0
        d = t.deliveries
        with self._write() as conn:
            result = conn.execute(
                update(d)
                .where(text(t.CLAIMED), d.c.claimed_by.in_(names))
                .values(status=DeliveryStatus.PENDING.value, claimed_by=None, claimed_at=None)
            )
        count = int(result.rowcount or 0)
        if count:
            logger.warning("released %d claims of ended workers %s", count, ", ".join(names))
        return count

    def claim_owners(self) -> list[str]:
        """The workers that hold claimed rows."""
        d = t.deliveries
        with self._read() as conn:
            query = select(d.c.claimed_by).where(text(t.CLAIMED)).distinct()
            return sorted(str(w) for w in conn.scalars(query) if w is not None)

    def change_counts(self) -> dict[str, int]:
        """Recorded changes per kind (the poller's work, for /metrics)."""
        c = t.changes
        with self._read() as conn:
            query = select(c.c.kind, func.count().label("n")).group_by(c.c.kind)
            return {str(r.kind): int(r.n) for r in conn.execute(query)}

    def subscriber_counts_by_channel(self) -> dict[str, tuple[int, int]]:
        """Per channel: ``(subscribers, reachable now)`` (for /metrics)."""
        sb = t.subscribers
        reachable = and_(sb.c.active, or_(sb.c.channel != Channel.EMAIL.value, sb.c.confirmed))
        with self._read() as conn:
            query = select(
                sb.c.channel,
                func.count().label("n"),
                func.sum(case((reachable, 1), else_=0)).label("r"),
            ).group_by(sb.c.channel)
            found = {r.channel: (int(r.n), int(r.r or 0)) for r in conn.execute(query)}
        return {ch.value: found.get(ch.value, (0, 0)) for ch in Channel}

    def signing_key(self) -> str:
        """This deployment's random signing key (written once by migration 0004)."""
        with self._read() as conn:
            key = conn.scalar(select(t.deployment.c.signing_key).where(t.deployment.c.id == 1))
        if not key:
            raise StateError("the database has no signing key: run `kamerwacht db upgrade`")
        return str(key)

    def reserve_telegram_slot(self, interval: float) -> tuple[float, float]:
        """Take the next Telegram send slot of this deployment: ``(slot, now)``.

        Both are seconds on the database's clock (its epoch): the slot's start and the moment
        it was taken. Slots are ``interval`` seconds apart, shared by every process
        (PostgreSQL only: SQLite runs one process and keeps its budget in memory).
        """
        with self._write() as conn:
            row = conn.execute(
                text(
                    "WITH now AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t) "
                    "UPDATE telegram_budget SET next_at = GREATEST(next_at, now.t) + :interval "
                    "FROM now WHERE id = 1 RETURNING next_at - :interval AS slot, now.t AS now"
                ),
                {"interval": interval},
            ).first()
        if row is None:
            raise StateError("the database has no Telegram budget: run `kamerwacht db upgrade`")
        return float(row.slot), float(row.now)

    def database_clock(self) -> float:
        """The database's clock (seconds since its epoch): calibrates the Telegram slots."""
        with self._read() as conn:
            value = conn.scalar(text("SELECT extract(epoch FROM clock_timestamp())::float8"))
        return float(value or 0.0)

    def pause_telegram(self, seconds: float) -> None:
        """Telegram answered 429: no process of this deployment sends for ``seconds``."""
        with self._write() as conn:
            conn.execute(
                text(
                    "UPDATE telegram_budget SET next_at = GREATEST(next_at, "
                    "extract(epoch FROM clock_timestamp())::float8 + :s) WHERE id = 1"
                ),
                {"s": seconds},
            )

    def mark_failed(
        self,
        delivery_id: int,
        error: str,
        *,
        retry_at: datetime | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record a failed send: retry at ``retry_at``, or ``failed`` (permanent / too many)."""
        _utcnow(now)
        d = t.deliveries
        with self._write() as conn:
            attempts = conn.scalar(select(d.c.attempts).where(d.c.id == delivery_id))
            if attempts is None:
                raise NotFound("delivery", delivery_id)
            attempts += 1
            give_up = retry_at is None or attempts >= MAX_ATTEMPTS
            conn.execute(
                update(d)
                .where(d.c.id == delivery_id)
                .values(
                    status=(DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING).value,
                    attempts=attempts,
                    last_error=error[:2000],
                    next_attempt_at=None if give_up else _utcnow(retry_at),
                    claimed_by=None,
                    claimed_at=None,
                )
            )
        if give_up:
            logger.warning("delivery %s failed after %d attempts: %s", delivery_id, attempts, error)

    def release(self, delivery_ids: Iterable[int]) -> None:
        """Put claimed deliveries back to pending (a worker shutting down)."""
        d = t.deliveries
        with self._write() as conn:
            for batch in _chunks(delivery_ids):
                conn.execute(
                    update(d)
                    .where(d.c.id.in_(batch), d.c.status == DeliveryStatus.CLAIMED.value)
                    .values(status=DeliveryStatus.PENDING.value, claimed_by=None, claimed_at=None)
                )

    def requeue_stale_claims(
        self, older_than: timedelta | datetime, *, now: datetime | None = None
    ) -> int:
        """Claims older than ``older_than`` (a dead worker's) go back to pending; returns count."""
        cutoff = (
            _utcnow(now) - older_than if isinstance(older_than, timedelta) else _utcnow(older_than)
        )
        d = t.deliveries
        with self._write() as conn:
            result = conn.execute(
                update(d)
                .where(text(t.CLAIMED), d.c.claimed_at <= cutoff)
                .values(status=DeliveryStatus.PENDING.value, claimed_by=None, claimed_at=None)
            )
        count = int(result.rowcount or 0)
        if count:
            logger.warning("requeued %d stale delivery claims", count)
        return count

    def outbox_counts(self) -> dict[str, int]:
        """Number of outbox rows per :class:`DeliveryStatus` value."""
        d = t.deliveries
        with self._read() as conn:
            query = select(d.c.status, func.count().label("n")).group_by(d.c.status)
            found = {r.status: int(r.n) for r in conn.execute(query)}
        return {s.value: int(found.get(s.value, 0)) for s in DeliveryStatus}

    def due_count(self, *, now: datetime | None = None) -> int:
        """Pending rows a worker should be sending now: instant subscribers, retry time passed.

        Rows of daily and weekly subscribers wait for their digest and are not counted.
        """
        now = _utcnow(now)
        d = t.deliveries
        q = (
            select(func.count())
            .select_from(d)
            .where(
                d.c.status == DeliveryStatus.PENDING.value,
                routing.frequency_is(Frequency.INSTANT),  # issue 17: a row's route counts
                or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at <= now),
            )
        )
        with self._read() as conn:
            return int(conn.scalar(q) or 0)

    def deliveries(
        self,
        *,
        subscriber_id: int | None = None,
        change_id: int | None = None,
        status: DeliveryStatus | None = None,
    ) -> list[Delivery]:
        """Outbox rows, filtered, by id."""
        d = t.deliveries
        q = select(d).order_by(d.c.id)
        if subscriber_id is not None:
            q = q.where(d.c.subscriber_id == subscriber_id)
        if change_id is not None:
            q = q.where(d.c.change_id == change_id)
        if status is not None:
            q = q.where(d.c.status == DeliveryStatus(status).value)
        with self._read() as conn:
            return [_delivery_from(row) for row in conn.execute(q)]

    # ----------------------------------------------------------------------- overdue (issue 17)

    def adopted_entries(self) -> list[BoardEntry]:
        """Board entries of the adopted motions (what :func:`state.overdue` reads)."""
        mo = t.motions
        q = select(mo.c.id).where(mo.c.parliamentary_status == ParliamentaryStatus.ADOPTED.value)
        with self._read() as conn:
            ids = sorted(conn.scalars(q))
            motions = self._load_motions(conn, ids)
            updated: dict[str, datetime] = {}
            for batch in _chunks(ids):
                uq = select(mo.c.id, mo.c.updated).where(mo.c.id.in_(batch))
                updated.update((r.id, r.updated) for r in conn.execute(uq))
            latest = self._latest_reports(self._report_rows(conn, ids))
        return [
            BoardEntry(motion=m, execution=latest.get(mid), updated=updated[mid])
            for mid, m in sorted(motions.items())
        ]

    def overdue(self, *, today: date, months: int = DEFAULT_MONTHS) -> list[Overdue]:
        """Adopted motions without an execution report past their due date on ``today``.

        Cached until the store changes (the same key as ``board_summary``) or the day does: the
        board asks on every page view, and computing it reads every adopted motion.
        """
        m, c = t.motions, t.changes
        with self._read() as conn:
            key = (
                today,
                months,
                conn.scalar(select(func.max(c.c.id))),
                conn.scalar(select(func.max(m.c.updated))),
            )
        cached = self._overdue
        if cached is not None and cached[0] == key:
            return cached[1]
        found = overdue_motions(self.adopted_entries(), today=today, months=months)
        self._overdue = (key, found)
        return found

    def apply_overdue(
        self,
        *,
        today: date,
        months: int = DEFAULT_MONTHS,
        notify: bool = True,
        now: datetime | None = None,
    ) -> list[Change]:
        """Record one ``motion_overdue`` change per motion and due date (never twice).

        Like ``apply_poll``, changes, targets and outbox rows are written in one transaction;
        ``notify=False`` records without queueing deliveries.
        """
        now = _utcnow(now)
        overdue = self.overdue(today=today, months=months)
        if not overdue:
            return []
        c = t.changes
        ids = [o.motion.id for o in overdue]
        with self._write() as conn:
            if not self._sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(POLL_LOCK)))
            already: dict[str, set[str]] = defaultdict(set)
            for batch in _chunks(ids):
                q = select(c.c.motion_id, c.c.new).where(
                    c.c.kind == ChangeKind.MOTION_OVERDUE.value, c.c.motion_id.in_(batch)
                )
                for row in conn.execute(q):
                    already[row.motion_id].add(row.new)
            found = overdue_changes(overdue, {k: frozenset(v) for k, v in already.items()}, now=now)
            if not found:
                return []
            result = DiffResult(
                changes=tuple(ch for ch, _ in found), routes=tuple(r for _, r in found)
            )
            changes, deliveries = self._write_changes(conn, result, notify=notify)
        logger.info("overdue: %d new of %d; %d deliveries", len(changes), len(overdue), deliveries)
        return changes

    # ----------------------------------------------------------------------- agenda (issue 17)

    def apply_agenda(
        self,
        items: Sequence[AgendaItem],
        *,
        activities: Iterable[str],
        cursor: str | None = None,
        notify: bool = True,
        now: datetime | None = None,
    ) -> list[Change]:
        """Store the observed agenda of ``activities``; changes for the tracked motions on it.

        An item's motion is the stored motion with its Zaak (by Id or number), else its Zaak
        number when someone follows that. Items of a followed dossier count too. ``cursor`` is
        stored as the agenda source's ``activiteit`` cursor in the same transaction.
        """
        now = _utcnow(now)
        activity_ids = sorted(set(activities))
        a, mo, sub = t.agenda_items, t.motions, t.subscriptions
        with self._write() as conn:
            if not self._sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(POLL_LOCK)))
            stored: dict[tuple[str, str], AgendaItem] = {}
            for batch in _chunks(activity_ids):
                for row in conn.execute(select(a).where(a.c.activity_id.in_(batch))):
                    item = _agenda_from(row)
                    stored[item.key] = item
            by_zaak: dict[str, str] = {}
            zaak_ids = sorted({i.zaak_id for i in items})
            nummers = sorted({i.zaak_nummer for i in items if i.zaak_nummer})
            for batch in _chunks(zaak_ids):
                q = select(mo.c.id, mo.c.zaak_id).where(mo.c.zaak_id.in_(batch))
                by_zaak.update((r.zaak_id.lower(), r.id) for r in conn.execute(q))
            for batch in _chunks(nummers):
                q = select(mo.c.id, mo.c.zaak_nummer).where(mo.c.zaak_nummer.in_(batch))
                by_zaak.update((r.zaak_nummer, r.id) for r in conn.execute(q))
            followed = {
                (r.kind, r.value)
                for r in conn.execute(
                    select(sub.c.kind, sub.c.value).where(
                        sub.c.kind.in_(
                            [SubscriptionKind.MOTION.value, SubscriptionKind.DOSSIER.value]
                        )
                    )
                )
            }
            resolved: list[AgendaItem] = []
            for item in items:
                motion_id = by_zaak.get(item.zaak_id.lower()) or by_zaak.get(item.zaak_nummer or "")
                followed_zaak = (SubscriptionKind.MOTION.value, item.zaak_nummer or "")
                if motion_id is None and item.zaak_nummer and followed_zaak in followed:
                    motion_id = item.zaak_nummer
                resolved.append(replace(item, motion_id=motion_id))

            def relevant(item: AgendaItem) -> bool:
                if item.motion_id is not None:
                    return True
                return (SubscriptionKind.DOSSIER.value, item.dossier or "") in followed

            result = diff_agenda(
                stored, resolved, activities=activity_ids, now=now, relevant=relevant
            )
            self._upsert(
                conn,
                a,
                [_agenda_row(i, now) for i in result.upserts],
                ("activity_id", "zaak_id"),
                keep=(),
            )
            for item in result.removed:
                conn.execute(
                    delete(a).where(
                        a.c.activity_id == item.activity_id, a.c.zaak_id == item.zaak_id
                    )
                )
            changes: list[Change] = []
            if result.changes:
                diff_result = DiffResult(changes=result.changes, routes=result.routes)
                changes, _ = self._write_changes(conn, diff_result, notify=notify)
            if cursor:
                self._upsert(
                    conn,
                    t.cursors,
                    [
                        {
                            "source": AGENDA_SOURCE,
                            "entity": "activiteit",
                            "value": cursor,
                            "updated": now,
                        }
                    ],
                    ("source", "entity"),
                    keep=(),
                )
        logger.info(
            "agenda stored: %d items written; %d changes", len(result.upserts), len(changes)
        )
        return changes

    def agenda(
        self,
        *,
        since: date | None = None,
        motion_id: str | None = None,
        include_untracked: bool = False,
    ) -> list[AgendaItem]:
        """Planned (or moved) agenda items (on or after ``since`` if given), soonest first.

        A session leaves the list when the agenda source sees it held or cancelled.

        Only the tracked motions' items unless ``include_untracked``; ``motion_id`` limits it
        to one motion.
        """
        a = t.agenda_items
        q = select(a).where(a.c.status.in_([AgendaStatus.PLANNED.value, AgendaStatus.MOVED.value]))
        if since is not None:
            q = q.where(or_(a.c.day.is_(None), a.c.day >= since))
        if motion_id is not None:
            q = q.where(a.c.motion_id == motion_id)
        elif not include_untracked:
            q = q.where(a.c.motion_id.is_not(None))
        with self._read() as conn:
            found = [_agenda_from(row) for row in conn.execute(q)]
        return sorted(
            found,
            key=lambda i: (
                i.day is None,
                i.day or date.max,
                i.start or datetime.max.replace(tzinfo=UTC),
                i.ref,
            ),
        )

    # ----------------------------------------------------------------------- commitments (17)

    def apply_commitments(
        self,
        items: Sequence[Commitment],
        *,
        cursor: str | None = None,
        notify: bool = True,
        now: datetime | None = None,
    ) -> list[Change]:
        """Store observed commitments; a change for each new one and each status change.

        ``cursor`` is stored as the commitment source's ``toezegging`` cursor in the same
        transaction.
        """
        now = _utcnow(now)
        c = t.commitments
        with self._write() as conn:
            if not self._sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(POLL_LOCK)))
            stored: dict[str, Commitment] = {}
            for batch in _chunks(sorted({i.id for i in items})):
                for row in conn.execute(select(c).where(c.c.id.in_(batch))):
                    stored[row.id] = _commitment_from(row)
            result = diff_commitments(stored, items, now=now)
            self._upsert(conn, c, [_commitment_row(i, now) for i in result.upserts], ("id",))
            changes: list[Change] = []
            if result.changes:
                diff_result = DiffResult(changes=result.changes, routes=result.routes)
                changes, _ = self._write_changes(conn, diff_result, notify=notify)
            if cursor:
                mark = {"source": COMMITMENT_SOURCE, "entity": "toezegging", "value": cursor}
                self._upsert(
                    conn, t.cursors, [{**mark, "updated": now}], ("source", "entity"), keep=()
                )
        logger.info("commitments stored: %d written; %d changes", len(result.upserts), len(changes))
        return changes

    def commitments(self) -> list[Commitment]:
        """The topic's commitments, newest first (by the date they were made)."""
        with self._read() as conn:
            found = [_commitment_from(row) for row in conn.execute(select(t.commitments))]
        return sorted(found, key=lambda i: (i.made or date.min, i.number), reverse=True)

    def get_commitment(self, number: str) -> Commitment | None:
        """One commitment by its number (case-insensitive) or Id."""
        c = t.commitments
        key = number.strip()
        q = select(c).where(or_(func.upper(c.c.number) == key.upper(), c.c.id == key.lower()))
        with self._read() as conn:
            row = conn.execute(q).first()
        return _commitment_from(row) if row is not None else None
