"""SQLAlchemy Core tables: the shape of kamerwacht's store on SQLite and PostgreSQL.

The Alembic migrations in ``state/migrations/versions`` create exactly these tables; a test
compares the two. Dates are ``Date``; instants are aware UTC datetimes (:class:`UTCDateTime`).
JSON-ish columns (submitters, references) are plain ``Text`` holding JSON so that ``LIKE`` works on
both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

__all__ = [
    "CLAIMED",
    "PENDING",
    "SEARCH_INDEX",
    "SEARCH_TABLE",
    "SENT",
    "SETTLED",
    "UTCDateTime",
    "agenda_items",
    "change_targets",
    "changes",
    "commitments",
    "cursors",
    "decisions",
    "deliveries",
    "deployment",
    "letter_motions",
    "letters",
    "metadata",
    "motions",
    "source_status",
    "subscriber_routes",
    "subscribers",
    "subscription_routes",
    "subscriptions",
    "telegram_budget",
    "votes",
]

NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite stores it as naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store UTC (naive on SQLite so text comparison orders)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: kamerwacht stores aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Partial-index predicates. Queries repeat them literally (not as bound parameters) so that
# SQLite's planner can prove they imply the index's WHERE clause.
PENDING = "status = 'pending'"
CLAIMED = "status = 'claimed'"
SENT = "status = 'sent'"
SETTLED = "status IN ('failed', 'skipped')"

MOTION_ID = 40
LETTER_ID = 64
CODE = 24

motions = Table(
    "motions",
    metadata,
    Column("id", String(MOTION_ID), primary_key=True),
    Column("title", Text, nullable=False),
    Column("submitters", Text, nullable=False),  # JSON list of [name, party, role]
    Column("date", Date),
    Column("parliamentary_status", String(CODE), nullable=False),
    Column("status_raw", String(200)),
    Column("cabinet_appraisal", Text),
    Column("afgedaan", Boolean),
    Column("replaced_by", String(MOTION_ID)),
    Column("replaces", String(MOTION_ID)),
    Column("text", Text),
    Column("zaak_id", String(64), index=True),
    Column("zaak_nummer", String(32), index=True),
    Column("url", Text),
    Column("source", String(40), nullable=False),
    Column("content_hash", String(32), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),  # when the shown content last changed
    # Board keys, derived by the repository whenever a motion or a report on it is written, so
    # that the board filters, sorts and pages in the database (see state/search.py).
    Column("sort_key", String(80)),  # natural order of the id
    Column("execution_status", String(CODE)),  # the latest execution report's status
    Column("execution_date", Date),  # … and its letter's date
    Column("board_date", Date),  # the board's date: execution_date, else the motion's date
    Column("search_text", Text),  # folded words and their Dutch stems (full-text indexed)
    Index("ix_motions_sort_key", "sort_key"),
    Index("ix_motions_board_date", "board_date", "sort_key"),
    Index("ix_motions_parliamentary_status", "parliamentary_status", "sort_key"),
    Index("ix_motions_execution_status", "execution_status", "sort_key"),
    Index("ix_motions_updated", "updated"),
)

# Full-text search objects the migrations create outside this metadata (a test leaves them out
# of the schema comparison): on SQLite an FTS5 table over motions.search_text (external content,
# kept in step by triggers), on PostgreSQL a GIN index on to_tsvector('dutch', search_text).
# The FTS5 table refers to motions by rowid, which a VACUUM may renumber (motions has a text key):
# after a VACUUM, run  INSERT INTO motion_fts(motion_fts) VALUES ('rebuild').  kamerwacht itself
# never vacuums.
SEARCH_TABLE = "motion_fts"
SEARCH_INDEX = "ix_motions_search"

decisions = Table(
    "decisions",
    metadata,
    Column("motion_id", String(MOTION_ID), ForeignKey("motions.id", ondelete="CASCADE")),
    Column("id", String(LETTER_ID)),
    Column("position", Integer, nullable=False),
    Column("status", String(CODE), nullable=False),
    Column("raw_kind", String(200), nullable=False),
    Column("text", Text),
    Column("date", Date),
    Column("final", Boolean, nullable=False),
    Column("source", Text),  # the Handelingen item a decision was read from; NULL for a Besluit
    PrimaryKeyConstraint("motion_id", "id"),
)

votes = Table(
    "votes",
    metadata,
    Column("motion_id", String(MOTION_ID)),
    Column("decision_id", String(LETTER_ID)),
    Column("position", Integer),
    Column("actor", String(200), nullable=False),
    Column("party", String(100)),
    Column("choice", String(CODE), nullable=False),
    Column("seats", Integer, nullable=False),
    Column("mistake", Boolean, nullable=False),
    PrimaryKeyConstraint("motion_id", "decision_id", "position"),
    ForeignKeyConstraint(
        ["motion_id", "decision_id"],
        ["decisions.motion_id", "decisions.id"],
        ondelete="CASCADE",
        name="fk_votes_decision_decisions",
    ),
)

letters = Table(
    "letters",
    metadata,
    Column("id", String(LETTER_ID), primary_key=True),
    Column("title", Text, nullable=False),
    Column("date", Date),
    Column("kind", String(CODE), nullable=False),
    Column("kamerstuk", String(MOTION_ID), index=True),
    Column("document_nummer", String(32), index=True),
    Column("url", Text),
    Column("source", String(40), nullable=False),
    Column("references", Text, nullable=False),  # JSON list of kamerstuk ids
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
)

letter_motions = Table(
    "letter_motions",
    metadata,
    Column("letter_id", String(LETTER_ID), ForeignKey("letters.id", ondelete="CASCADE")),
    Column("motion_id", String(MOTION_ID), ForeignKey("motions.id", ondelete="CASCADE")),
    Column("position", Integer, nullable=False),
    Column("title", Text),
    Column("submitters", Text, nullable=False),  # JSON list of names as the letter spells them
    Column("date", Date),
    Column("status", String(CODE)),  # ExecutionStatus or NULL (mentioned only)
    Column("evidence", Text),
    Column("created", UTCDateTime, nullable=False),
    Column("cited_as", String(MOTION_ID)),  # the id as written, when a probable typo for motion_id
    PrimaryKeyConstraint("letter_id", "motion_id"),
    Index("ix_letter_motions_motion_id", "motion_id"),
)

changes = Table(
    "changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(CODE), nullable=False),
    Column("summary", Text, nullable=False),
    Column("motion_id", String(MOTION_ID), index=True),
    Column("letter_id", String(LETTER_ID)),
    Column("old", String(200)),
    Column("new", String(200)),
    Column("evidence", Text),
    Column("created", UTCDateTime, nullable=False, index=True),
    Column("occurred", Date),  # the event's own date (letter, vote, submission), when known
    Column("subject", String(64), index=True),  # issue 17: a commitment number
    Column("facts", Text),  # JSON of state.models.ChangeFacts; NULL on rows before 0009
)

# The subscription keys (kind, value) a change matched when it was written: its motion, its
# dossiers and the subscribed keywords found in its text. The outbox joins these to subscriptions.
change_targets = Table(
    "change_targets",
    metadata,
    Column("change_id", Integer, ForeignKey("changes.id", ondelete="CASCADE")),
    Column("kind", String(CODE)),
    Column("value", String(200)),
    PrimaryKeyConstraint("change_id", "kind", "value"),
)

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(CODE), nullable=False),
    Column("address", String(320), nullable=False),
    Column("language", String(8), nullable=False),
    Column("frequency", String(CODE), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("confirmed", Boolean, nullable=False),
    Column("bounces", Integer, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    UniqueConstraint("channel", "address"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "subscriber_id",
        Integer,
        ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(CODE), nullable=False),
    Column("value", String(200), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    UniqueConstraint("subscriber_id", "kind", "value"),
    Index("ix_subscriptions_kind_value", "kind", "value"),
)

# Issue 17, routing by kind: per subscriber and class of change kinds (state.routing.RouteClass)
# how often it is delivered (instant / daily / weekly / off). No row: the subscriber's frequency.
subscriber_routes = Table(
    "subscriber_routes",
    metadata,
    Column(
        "subscriber_id",
        Integer,
        ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("route_class", String(CODE), nullable=False),
    Column("frequency", String(CODE), nullable=False),
    PrimaryKeyConstraint("subscriber_id", "route_class"),
)

# Issue 17, per-follow routes: one follow (subscription) may override its subscriber's route of
# a class. No row: the subscriber's route, else the default (state.routing.default_route).
subscription_routes = Table(
    "subscription_routes",
    metadata,
    Column(
        "subscription_id",
        Integer,
        ForeignKey("subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("route_class", String(CODE), nullable=False),
    Column("frequency", String(CODE), nullable=False),
    PrimaryKeyConstraint("subscription_id", "route_class"),
)

# The outbox. Deliberately lean, because one poll may write hundreds of thousands of rows: no
# foreign keys (the repository deletes a subscriber's rows itself; changes are never deleted), no
# timestamp of its own (the change has one), and partial indexes that only hold the rows a worker
# looks for (pending ones in claim order, claimed ones by age), so they stay small as rows are sent.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscriber_id", Integer, nullable=False),
    Column("change_id", Integer, nullable=False),
    Column("channel", String(CODE), nullable=False),
    Column("status", String(CODE), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("next_attempt_at", UTCDateTime),
    Column("claimed_by", String(64)),
    Column("claimed_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("frequency", String(CODE)),  # issue 17: the route's frequency; NULL: the subscriber's
    UniqueConstraint("subscriber_id", "change_id"),
    # Partial indexes: the migrations create each with its WHERE clause (``info["where"]``) on
    # both databases. The clause is not given here as ``sqlite_where=`` / ``postgresql_where=``:
    # SQLAlchemy would import the PostgreSQL dialect package to check that argument in every
    # process, ~20 ms of each CLI command on SQLite, and this metadata never creates tables.
    Index("ix_deliveries_pending", "channel", "id", info={"where": PENDING}),
    Index("ix_deliveries_claimed", "claimed_at", info={"where": CLAIMED}),
    # Sent rows by time (retention pruning, the last send for health checks) and the rows that
    # ended otherwise (counted cheaply, pruned by change); new pending rows enter neither.
    Index("ix_deliveries_sent", "sent_at", info={"where": SENT}),
    Index("ix_deliveries_settled", "status", "change_id", info={"where": SETTLED}),
)

cursors = Table(
    "cursors",
    metadata,
    Column("source", String(40)),
    Column("entity", String(64)),
    Column("value", Text, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("source", "entity"),
)

source_status = Table(
    "source_status",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("last_success", UTCDateTime),
    Column("last_error", Text),
    Column("last_error_at", UTCDateTime),
    Column("items_seen", Integer, nullable=False),
    Column("consecutive_failures", Integer, nullable=False),
)

# One row per deployment: the random key that signs the links in mails (and the webhook's secret
# token). Written once by the migration that creates the table, so every process of a deployment
# reads the same key and two deployments never share one.
deployment = Table(
    "deployment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("signing_key", Text, nullable=False),
    Column("created", UTCDateTime, nullable=False),
)

# Telegram's 30 messages a second are per bot, not per process: on PostgreSQL every process takes
# its send slots from this one row (the time, in seconds on the database's clock, at which the
# next message may start; a 429's retry_after pushes it forward for everybody).
telegram_budget = Table(
    "telegram_budget",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("next_at", Float, nullable=False),
)

# issue 17: the agenda (Zaken on planned vote lists and debates)
agenda_items = Table(
    "agenda_items",
    metadata,
    Column("activity_id", String(64)),
    Column("zaak_id", String(64)),
    Column("activity_nummer", String(32), nullable=False),
    Column("kind", String(200), nullable=False),
    Column("subject", Text, nullable=False),
    Column("status", String(CODE), nullable=False),
    Column("status_raw", String(200)),
    Column("day", Date),
    Column("start", UTCDateTime),
    Column("end", UTCDateTime),
    Column("date_kind", String(CODE), nullable=False),
    Column("agendapunt_id", String(64)),
    Column("agendapunt_subject", Text),
    Column("zaak_nummer", String(32), index=True),
    Column("zaak_kind", String(100)),
    Column("title", Text),
    Column("appraisal", String(200)),
    Column("dossier", String(MOTION_ID)),
    Column("proposal", Boolean, nullable=False),
    Column("motion_id", String(MOTION_ID), index=True),
    Column("location", String(200)),
    Column("updated", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("activity_id", "zaak_id"),
)

# issue 17: the cabinet's commitments (toezeggingen) on the topic
commitments = Table(
    "commitments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("number", String(32), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("status", String(CODE), nullable=False),
    Column("status_raw", String(100)),
    Column("ministry", String(200)),
    Column("minister", String(200)),
    Column("function", String(200)),
    Column("made", Date),
    Column("due", Date),
    Column("letter", String(LETTER_ID)),
    Column("activity", String(32)),
    Column("evidence", Text),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
)

# The relevant part of the Tweede Kamer's entities (tracked motions' Zaak, dossiers, submitters,
# decisions, votes), in the v4/2.0 vocabulary, so that either Tweede Kamer path (OData or the
# SyncFeed) can rebuild a motion whole from one changed entity. See ``state.mirror``.
tk_mirror = Table(
    "tk_mirror",
    metadata,
    Column("entity", String(40)),
    Column("id", String(64)),
    Column("zaak_id", String(64)),
    Column("parent_id", String(64)),
    Column("data", Text, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("entity", "id"),
    Index("ix_tk_mirror_zaak", "zaak_id"),
    Index("ix_tk_mirror_parent", "parent_id"),
)
