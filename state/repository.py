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
    repo.search_motions(words, limit=10) -> list[Motion]
    repo.board() -> list[BoardEntry]                 every tracked motion, ordered by id
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
                           confirmed=None) -> Subscriber
    repo.delete_subscriber(subscriber_id) -> None    forget subscriptions, deliveries, the row
    repo.subscribe(subscriber_id, kind, value="") -> bool       True when new
    repo.unsubscribe(subscriber_id, kind, value="") -> bool     True when it existed
    repo.subscriptions(subscriber_id) -> list[Subscription]
    repo.subscriber_counts() -> dict[str, int]       {"telegram": n, "email": n, "active": n}
    repo.record_bounce(subscriber_id) -> int         bounce count after this one

outbox
    repo.claim_deliveries(channel, *, limit=100, worker="w", now=None,
                          frequency=None) -> list[ClaimedDelivery]
    repo.mark_sent(delivery_ids, *, now=None) -> None
    repo.mark_failed(delivery_id, error, *, retry_at=None, now=None) -> None
        retry_at=None → permanent: status failed. Otherwise back to pending at retry_at,
        or failed after MAX_ATTEMPTS.
    repo.release(delivery_ids) -> None               claimed → pending (shutdown)
    repo.requeue_stale_claims(older_than) -> int     claimed rows of a dead worker → pending
    repo.outbox_counts() -> dict[str, int]           by DeliveryStatus value
"""

from __future__ import annotations
