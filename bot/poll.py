"""One poll cycle: every source polled concurrently, what they saw diffed and stored at once.

``poll_once`` polls the sources concurrently (through the one polite client, whose limits are
per host); failures are recorded per source (never fatal); a source still unfinished at the
cycle's deadline (``poll_deadline``) is cancelled and fails that cycle; what the others observed
is diffed and stored with its cursors and outbox rows in one transaction. The agenda and the
commitments (issue 17) go with a full poll. Its collaborators come from the composition root
(:class:`bot.app.App`), which this module knows only by the shape :class:`PollApp`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from bot.errors import STORE_ERRORS
from bot.metrics import Metrics
from bot.settings import Settings
from scrapers.base import Source, SourceResult
from scrapers.errors import SourceError
from scrapers.http import HttpClient
from scrapers.tweedekamer_agenda import AgendaSource
from scrapers.tweedekamer_commitments import CommitmentSource
from state.merge import with_reading
from state.models import Change, DocumentKind, Letter, Motion, Observation
from state.repository import Repository
from templates.render import change_summary

__all__ = [
    "PollApp",
    "PollReport",
    "SourceOutcome",
    "merge_results",
    "observed_since",
    "poll_agenda",
    "poll_commitments",
    "poll_once",
    "record_overdue",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """How one source fared in one poll."""

    name: str
    ok: bool
    motions: int = 0
    letters: int = 0
    items_seen: int = 0
    requests: int = 0
    error: str | None = None
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PollReport:
    """What one poll cycle did."""

    outcomes: tuple[SourceOutcome, ...]
    changes: tuple[Change, ...]
    stored: bool = True
    error: str | None = None


class PollApp(Protocol):
    """What a poll cycle uses of the composition root (:class:`bot.app.App`)."""

    settings: Settings
    repo: Repository
    client: HttpClient
    sources: list[Source]
    metrics: Metrics
    agenda: AgendaSource | None
    commitments: CommitmentSource | None
    overdue_checked: date | None


def merge_results(results: Iterable[SourceResult]) -> Observation:
    """One Observation from several sources: the first source to report a motion or letter wins,
    except that a decision read from the Handelingen joins the motion's record.

    Letters are the same letter when their ids or their Kamerstuk ids agree. A motion's own
    document (officielebekendmakingen lists motions among its Kamerstukken) is not a letter
    reporting on that motion: motions come from the Tweede Kamer source, so those are left out.
    """
    motions: dict[str, Motion] = {}
    letters: dict[str, Letter] = {}
    seen_kamerstuk: set[str] = set()
    for result in results:
        for motion in result.motions:
            first = motions.get(motion.id)
            # a reading of the Handelingen joins the record of the same motion (issue 16)
            motions[motion.id] = with_reading(first, motion) if first else motion
        for letter in result.letters:
            if letter.kind is DocumentKind.MOTION:
                continue
            if letter.id in letters or (letter.kamerstuk and letter.kamerstuk in seen_kamerstuk):
                continue
            letters[letter.id] = letter
            if letter.kamerstuk:
                seen_kamerstuk.add(letter.kamerstuk)
    return Observation(motions=tuple(motions.values()), letters=tuple(letters.values()))


async def _poll_source(
    app: PollApp,
    source: Source,
    watchlist: frozenset[str],
    cursors: dict[str, str],
    counter: list[int] | None = None,
) -> tuple[SourceOutcome, SourceResult | None]:
    counter = [0] if counter is None else counter
    try:
        with app.client.counting(counter):  # its own requests, apart from the concurrent others
            result = await source.poll(app.client, cursors, watchlist)
    except SourceError as exc:
        logger.warning("source %s failed: %s", source.name, exc, extra={"source": source.name})
        return SourceOutcome(source.name, ok=False, requests=counter[0], error=str(exc)), None
    except Exception as exc:  # the edge of one source's task: a bug in one scraper (anything
        # but a SourceError) must not stop the others nor lose what they saw
        logger.exception("source %s crashed", source.name, extra={"source": source.name})
        error = f"internal error: {exc!r}"
        return SourceOutcome(source.name, ok=False, requests=counter[0], error=error), None
    requests = counter[0]
    for problem in result.skipped:
        logger.info("source %s skipped: %s", source.name, problem, extra={"source": source.name})
    outcome = SourceOutcome(
        source.name,
        ok=True,
        motions=len(result.motions),
        letters=len(result.letters),
        items_seen=result.items_seen,
        requests=result.requests or requests,
        skipped=result.skipped,
    )
    return outcome, result


async def _poll_sources(
    app: PollApp,
    chosen: Sequence[Source],
    watchlist: frozenset[str],
    cursors_of: dict[str, dict[str, str]],
    on_source: Callable[[SourceOutcome], None] | None,
) -> list[tuple[SourceOutcome, SourceResult | None]]:
    """Poll ``chosen`` concurrently; one unfinished at the deadline is cancelled and fails.

    The outcomes come back in the order of ``chosen`` (the primary source first, whose records
    win when sources overlap); ``on_source`` hears of each as it finishes.
    """
    deadline = app.settings.poll_deadline

    counters = {s.name: [0] for s in chosen}

    async def one(source: Source) -> tuple[SourceOutcome, SourceResult | None]:
        counter = counters[source.name]
        done = await _poll_source(app, source, watchlist, cursors_of[source.name], counter)
        if on_source is not None:
            on_source(done[0])
        return done

    tasks = [asyncio.create_task(one(s), name=f"poll {s.name}") for s in chosen]
    try:
        if tasks:
            await asyncio.wait(tasks, timeout=deadline)
    finally:  # at the deadline, or when the cycle itself is cancelled: nothing keeps running
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    polled: list[tuple[SourceOutcome, SourceResult | None]] = []
    for source, task in zip(chosen, tasks, strict=True):
        if not task.cancelled():
            polled.append(task.result())
            continue
        error = f"unfinished at the {deadline:g} s poll deadline: nothing stored"
        logger.warning("source %s failed: %s", source.name, error, extra={"source": source.name})
        requests = counters[source.name][0]
        outcome = SourceOutcome(source.name, ok=False, requests=requests, error=error)
        if on_source is not None:
            on_source(outcome)
        polled.append((outcome, None))
    return polled


def observed_since(observation: Observation, since: date) -> Observation:
    """Only the motions and letters dated on or after ``since`` (undated ones are kept)."""
    return Observation(
        motions=tuple(m for m in observation.motions if m.date is None or m.date >= since),
        letters=tuple(x for x in observation.letters if x.date is None or x.date >= since),
    )


async def record_overdue(
    app: PollApp, *, notify: bool = True, now: datetime, changed: bool = True
) -> list[Change]:
    """Record the adopted motions that became overdue (issue 17); never fatal to a poll.

    Due dates are days, so the check runs with the first poll of each day and with every poll
    that ``changed`` the store (a newly adopted motion); its cost grows with the adopted motions
    (bench/bench_ahead.py). A report withdraws a motion from the list at once, since the list is
    computed when asked for.
    """
    if app.overdue_checked == now.date() and not changed:
        return []
    try:
        changes = await asyncio.to_thread(
            app.repo.apply_overdue,
            today=now.date(),
            months=app.settings.overdue_months,
            notify=notify,
            now=now,
        )
    except STORE_ERRORS:  # the next poll retries; the poll's own records are stored already
        logger.exception("recording overdue motions failed")
        return []
    app.overdue_checked = now.date()
    return changes


async def _side_fetch(app: PollApp, source: AgendaSource | CommitmentSource) -> Any:
    """Fetch a side source (agenda, commitments) within the poll deadline, its requests counted
    apart; run as a task next to the main sources."""
    cursors = await asyncio.to_thread(app.repo.get_cursors, source.name)
    with app.client.counting():
        return await asyncio.wait_for(source.poll(app.client, cursors), app.settings.poll_deadline)


async def _side_failed(app: PollApp, name: str, error: str, now: datetime) -> None:
    logger.warning("source %s failed: %s", name, error, extra={"source": name})
    app.metrics.inc("kamerwacht_polls_total", source=name, outcome="error")
    with contextlib.suppress(*STORE_ERRORS):
        await asyncio.to_thread(app.repo.record_source_failure, name, error, now=now)


async def _poll_side(
    app: PollApp,
    source: AgendaSource | CommitmentSource,
    store: Callable[[Any], list[Change]],
    items: Callable[[Any], int],
    *,
    what: str,
    now: datetime,
    fetched: Awaitable[Any] | None,
) -> list[Change]:
    """Fetch (or await) a side source, ``store`` what it found; a failure is recorded, never
    fatal to a poll."""
    try:
        result = await (fetched if fetched is not None else _side_fetch(app, source))
        changes = await asyncio.to_thread(store, result)
    except TimeoutError:
        deadline = app.settings.poll_deadline
        await _side_failed(app, source.name, f"no answer within {deadline:g} s", now)
        return []
    except SourceError as exc:
        await _side_failed(app, source.name, str(exc), now)
        return []
    except Exception as exc:  # the edge of a side source's task (as for every source): a bug
        # in it must not lose the rest of the cycle (the main sources' health, the metrics)
        logger.exception("%s poll failed", what, extra={"source": source.name})
        with contextlib.suppress(*STORE_ERRORS):
            await asyncio.to_thread(
                app.repo.record_source_failure, source.name, f"internal error: {exc!r}", now=now
            )
        return []
    app.metrics.inc("kamerwacht_polls_total", source=source.name, outcome="ok")
    await asyncio.to_thread(
        app.repo.record_source_success, source.name, items_seen=items(result), now=now
    )
    return changes


async def poll_agenda(
    app: PollApp, *, notify: bool = True, now: datetime, fetched: Awaitable[Any] | None = None
) -> list[Change]:
    """Poll the agenda (issue 17) and store it; a failure is recorded, never fatal to a poll.

    ``fetched``: the agenda already being fetched (a task started next to the main sources).
    """
    if app.agenda is None:
        return []

    def store(result: Any) -> list[Change]:
        return app.repo.apply_agenda(
            result.items,
            activities=result.activities,
            cursor=result.cursor,
            notify=notify,
            now=now,
        )

    return await _poll_side(
        app, app.agenda, store, lambda r: len(r.items), what="agenda", now=now, fetched=fetched
    )


async def poll_commitments(
    app: PollApp, *, notify: bool = True, now: datetime, fetched: Awaitable[Any] | None = None
) -> list[Change]:
    """Poll the topic's commitments (issue 17) and store them; never fatal to a poll.

    ``fetched``: the commitments already being fetched (a task started next to the sources).
    """
    if app.commitments is None:
        return []

    def store(result: Any) -> list[Change]:
        return app.repo.apply_commitments(
            result.commitments, cursor=result.cursor, notify=notify, now=now
        )

    return await _poll_side(
        app,
        app.commitments,
        store,
        lambda r: len(r.commitments),
        what="commitment",
        now=now,
        fetched=fetched,
    )


async def poll_once(
    app: PollApp,
    *,
    notify: bool = True,
    sources: Sequence[Source] | None = None,
    since: date | None = None,
    on_source: Callable[[SourceOutcome], None] | None = None,
) -> PollReport:
    """Poll every source once (concurrently, within ``poll_deadline``), then diff and store
    what the sources that finished saw, in one transaction.

    ``notify=False`` stores changes without queueing deliveries (backfill); ``since`` keeps only
    records dated on or after it; ``on_source`` is called as each source finishes (progress).
    """
    chosen = list(sources if sources is not None else app.sources)
    try:
        watchlist = frozenset(app.settings.watchlist) | await asyncio.to_thread(app.repo.watchlist)
        cursors_of = {s.name: await asyncio.to_thread(app.repo.get_cursors, s.name) for s in chosen}
    except STORE_ERRORS as exc:  # the store is unreachable: fetch nothing, the next poll retries
        logger.exception("reading the store failed; nothing polled")
        for source in chosen:
            app.metrics.inc("kamerwacht_polls_total", source=source.name, outcome="error")
        return PollReport((), (), stored=False, error=f"store unreachable: {exc!r}")
    side: dict[str, asyncio.Task[Any]] = {}
    if sources is None:  # issue 17: the agenda and commitments go with a full poll, concurrently
        for name, side_source in (("agenda", app.agenda), ("commitments", app.commitments)):
            if side_source is not None:
                side[name] = asyncio.create_task(_side_fetch(app, side_source), name=name)
    try:
        return await _poll_and_store(
            app, chosen, watchlist, cursors_of, on_source, side, notify, since
        )
    finally:
        for task in side.values():  # never left running (a store failure returns early)
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task


async def _poll_and_store(
    app: PollApp,
    chosen: list[Source],
    watchlist: frozenset[str],
    cursors_of: dict[str, dict[str, str]],
    on_source: Callable[[SourceOutcome], None] | None,
    side: dict[str, asyncio.Task[Any]],
    notify: bool,
    since: date | None,
) -> PollReport:
    polled = await _poll_sources(app, chosen, watchlist, cursors_of, on_source)
    outcomes = [outcome for outcome, _ in polled]
    results = [result for _, result in polled if result is not None]
    observation = merge_results(results)
    if since is not None:
        observation = observed_since(observation, since)
    cursors = {
        (result.source, entity): value
        for result in results
        for entity, value in result.cursors.items()
    }
    now = datetime.now(UTC)
    try:
        tk_records = tuple(r for result in results for r in result.tk_records)
        changes = await asyncio.to_thread(
            app.repo.apply_poll,
            observation,
            cursors=cursors,
            notify=notify,
            now=now,
            tk_records=tk_records,
        )
    except STORE_ERRORS as exc:  # the store refused: nothing advanced, the next poll retries
        logger.exception("storing the poll failed; state and cursors unchanged")
        for outcome in outcomes:
            app.metrics.inc("kamerwacht_polls_total", source=outcome.name, outcome="error")
            app.metrics.inc("kamerwacht_source_errors_total", source=outcome.name)
            with contextlib.suppress(*STORE_ERRORS):  # best effort: the store just failed
                await asyncio.to_thread(
                    app.repo.record_source_failure, outcome.name, f"store failed: {exc!r}", now=now
                )
        return PollReport(tuple(outcomes), (), stored=False, error=repr(exc))
    changes = [*changes, *await record_overdue(app, notify=notify, now=now, changed=bool(changes))]
    if "agenda" in side:
        changes += await poll_agenda(app, notify=notify, now=now, fetched=side["agenda"])
    if "commitments" in side:
        changes += await poll_commitments(app, notify=notify, now=now, fetched=side["commitments"])
    for change in changes:
        app.metrics.inc("kamerwacht_changes_total", kind=change.kind.value)
        logger.info(
            "change %s: %s",
            change.kind.value,
            change_summary(change),
            extra={"motion_id": change.motion_id, "change_id": change.id},
        )
    for outcome in outcomes:
        app.metrics.inc(
            "kamerwacht_polls_total", source=outcome.name, outcome="ok" if outcome.ok else "error"
        )
        if outcome.ok:
            await asyncio.to_thread(
                app.repo.record_source_success, outcome.name, items_seen=outcome.items_seen, now=now
            )
        else:
            app.metrics.inc("kamerwacht_source_errors_total", source=outcome.name)
            await asyncio.to_thread(
                app.repo.record_source_failure, outcome.name, outcome.error or "failed", now=now
            )
    logger.info(
        "poll stored: %d motions, %d letters, %d changes",
        len(observation.motions),
        len(observation.letters),
        len(changes),
    )
    return PollReport(tuple(outcomes), tuple(changes))
