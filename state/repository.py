"""The store's one facade: :class:`Repository`, composed of one part per job.

The SQL lives in the parts (mixins over :class:`state.db.Database`, which owns the engine and
the transactions and wraps driver errors as :class:`~state.errors.DatabaseUnavailable`):
:mod:`state.ingest` (apply_poll and the other writes of observed state), :mod:`state.board` and
:mod:`state.reads` (queries), :mod:`state.subscribers`, :mod:`state.outbox` (fan-out, claims,
sends), :mod:`state.health` (sources, gauges), :mod:`state.deployment` (signing key, Telegram
budget); rows map to records in :mod:`state.records`; timelines come from :mod:`state.timeline`.

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
    repo.timeline(motion_id) -> list[TimelineEntry]  codes and facts (state.timeline), by date
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

Errors: a database-driver error (connection refused or lost, server gone, database locked, a URL
that does not parse) leaves every method as ``DatabaseUnavailable`` (a ``StateError``), one line,
no password; the driver's exception is its ``__cause__``. ``NotFound`` and ``SchemaOutOfDate`` as
documented; ``ValueError`` for bad arguments (a naive datetime, an empty subscription value).
"""

from __future__ import annotations

from state.board import refresh_board_keys
from state.db import MIGRATIONS
from state.deployment import Deployment
from state.errors import DatabaseUnavailable, NotFound, SchemaOutOfDate, StateError
from state.health import Health
from state.ingest import Ingest
from state.outbox import MAX_ATTEMPTS, Outbox
from state.reads import Reads
from state.subscribers import Subscribers

__all__ = [
    "MAX_ATTEMPTS",
    "MIGRATIONS",
    "DatabaseUnavailable",
    "NotFound",
    "Repository",
    "SchemaOutOfDate",
    "StateError",
    "refresh_board_keys",
]


class Repository(Ingest, Reads, Subscribers, Outbox, Health, Deployment):
    """kamerwacht's store: records, changes, subscribers and the outbox."""
