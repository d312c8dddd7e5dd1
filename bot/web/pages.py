"""The public pages: the motion board, a motion's page, the letters, and the Atom feeds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.web.board import (
    EXECUTION_FILTERS,
    SORTS,
    entry_date,
    filter_board,
    latest,
    parse_query,
    status_counts,
)
from bot.web.charts import vote_chart
from bot.web.site import page, request_lang, site
from bot.web.texts import translator
from state.models import (
    BoardEntry,
    Change,
    ExecutionReport,
    Motion,
    ParliamentaryStatus,
    is_motion_key,
)
from state.overdue import overdue_motions
from templates.render import label, render

__all__ = [
    "FEED_LIMIT",
    "Event",
    "board",
    "events",
    "feed_all",
    "feed_motion",
    "letters",
    "motion",
    "motion_links",
    "not_found",
]

FEED_LIMIT = 1000  # newest changes in the site-wide feed (the topic has far fewer)
ATOM = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a motion's timeline, localised by the template."""

    date: date | None
    kind: str  # submitted | replaces | decision | replaced_by | execution_report
    status: str | None = None  # a status code for ``label``
    text: str | None = None  # the decision text, e.g. "Aangenomen."
    other: str | None = None  # the other motion of replaces / replaced_by
    report: ExecutionReport | None = None


def events(motion: Motion, reports: Sequence[ExecutionReport]) -> list[Event]:
    """A motion's life in date order: submitted, decisions, replacement, execution reports."""
    found: list[Event] = [Event(motion.date, "submitted")]
    if motion.replaces:
        found.append(Event(motion.date, "replaces", other=motion.replaces))
    for decision in motion.decisions:
        if decision.final:
            found.append(
                Event(decision.date, "decision", status=decision.status.value, text=decision.text)
            )
    if motion.replaced_by:
        found.append(Event(None, "replaced_by", other=motion.replaced_by))
    for report in reports:
        found.append(
            Event(
                report.date,
                "execution_report",
                status=report.status.value if report.status else None,
                report=report,
            )
        )
    return sorted(found, key=lambda e: (e.date is None, e.date or date.min))


def motion_links(motion: Motion) -> list[tuple[str, str]]:
    """(label, URL) of the motion at its sources."""
    links: list[tuple[str, str]] = []
    if motion.url:
        links.append((motion.url, motion.url))
    if motion.zaak_nummer:
        url = f"https://www.tweedekamer.nl/kamerstukken/moties/detail?id={motion.zaak_nummer}"
        links.append((f"tweedekamer.nl ({motion.zaak_nummer})", url))
    links.append(
        (
            f"officielebekendmakingen.nl (kst-{motion.id})",
            f"https://zoek.officielebekendmakingen.nl/kst-{motion.id}.html",
        )
    )
    seen: set[str] = set()
    unique = []
    for text, url in links:
        if url not in seen:
            seen.add(url)
            unique.append((text, url))
    return unique


def not_found(request: Request, detail: str | None = None) -> Response:
    """The 404 page."""
    return page(request, "404.html", status_code=404, detail=detail)


async def board(request: Request) -> Response:
    """``/``: every tracked motion; filter, search and sort by query parameters."""
    s = site(request)
    entries: list[BoardEntry] = await s.db(s.repo.board)
    query = parse_query(request.query_params)
    overdue = {
        o.motion.id: o
        for o in overdue_motions(
            entries, today=datetime.now(UTC).date(), months=s.settings.overdue_months
        )
    }
    rows = filter_board(entries, query, overdue=overdue)
    status_n, execution_n = status_counts(entries)
    if overdue:
        execution_n = {**execution_n, "overdue": len(overdue)}
    return page(
        request,
        "board.html",
        rows=rows,
        total=len(entries),
        query=query,
        sorts=SORTS,
        statuses=[st.value for st in ParliamentaryStatus if status_n.get(st.value)],
        status_counts=status_n,
        executions=[e for e in EXECUTION_FILTERS if execution_n.get(e)],
        execution_counts=execution_n,
        entry_date=entry_date,
        updated=latest(entries),
        overdue=overdue,
    )


async def motion(request: Request) -> Response:
    """``/motie/{id}``: one motion in full; an unknown id is the 404 page."""
    s = site(request)
    motion_id = request.path_params["motion_id"]
    lang = request_lang(request)
    if not is_motion_key(motion_id):
        return not_found(request, _unknown_motion(lang, motion_id))
    found: Motion | None = await s.db(s.repo.get_motion, motion_id)
    if found is None:
        return not_found(request, _unknown_motion(lang, motion_id))
    reports: list[ExecutionReport] = await s.db(s.repo.execution_reports, motion_id)
    latest_report = next((r for r in reversed(reports) if r.status is not None), None)
    decision = found.final_decision
    return page(
        request,
        "motion.html",
        motion=found,
        decision=decision,
        chart=vote_chart(decision),
        reports=reports,
        latest=latest_report,
        events=events(found, reports),
        sources=motion_links(found),
    )


def _unknown_motion(lang: str, motion_id: str) -> str:
    return translator(lang)("notfound.motion", id=motion_id)


async def letters(request: Request) -> Response:
    """``/brieven``: the letters on the topic, newest first, with the motions each reports on."""
    s = site(request)
    found = await s.db(s.repo.letters)
    entries: list[BoardEntry] = await s.db(s.repo.board)
    tracked = {e.motion.id for e in entries}
    return page(request, "letters.html", letters=found, tracked=tracked)


def _atom_time(value: datetime | None) -> str:
    moment = value or datetime(1970, 1, 1, tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _entry(change: Change, base: str, lang: str) -> dict[str, Any]:
    if change.motion_id:
        link = f"{base}/motie/{change.motion_id}"
    elif change.letter_id:
        link = f"{base}/brieven#brief-{change.letter_id}"
    else:
        link = f"{base}/"
    title = label(change.kind, lang)
    if change.motion_id:
        title += f" · {change.motion_id}"
    return {
        "id": f"{base}/api/changes#{change.id}",
        "title": title,
        "updated": _atom_time(change.created),
        "link": link,
        "summary": change.summary,
        "evidence": change.evidence,
        "kind": change.kind.value,
    }


def _feed(
    request: Request, changes: Sequence[Change], *, title: str, self_path: str, alt_path: str
) -> Response:
    s = site(request)
    base = s.links.public_url
    lang = request_lang(request)
    newest_first = sorted(changes, key=lambda c: c.id or 0, reverse=True)
    body = render(
        "web/feed.atom",
        title=title,
        feed_id=f"{base}{self_path}",
        self_url=f"{base}{self_path}",
        alternate_url=f"{base}{alt_path}",
        updated=_atom_time(max((c.created for c in changes if c.created), default=None)),
        entries=[_entry(c, base, lang) for c in newest_first],
        lang=lang,
    )
    return Response(body + "\n", media_type=ATOM)


async def feed_all(request: Request) -> Response:
    """``/feed.atom``: every change, newest first."""
    s = site(request)
    changes: list[Change] = await s.db(s.repo.changes, None, limit=FEED_LIMIT)
    return _feed(request, changes, title="kamerwacht", self_path="/feed.atom", alt_path="/")


async def feed_motion(request: Request) -> Response:
    """``/motie/{id}/feed.atom``: one motion's changes."""
    s = site(request)
    motion_id = request.path_params["motion_id"]
    found: Motion | None = (
        await s.db(s.repo.get_motion, motion_id) if is_motion_key(motion_id) else None
    )
    if found is None:
        raise HTTPException(404)
    changes: list[Change] = await s.db(s.repo.changes, None, motion_id=motion_id)
    return _feed(
        request,
        changes,
        title=f"kamerwacht · motie {motion_id}: {found.title}",
        self_path=f"/motie/{motion_id}/feed.atom",
        alt_path=f"/motie/{motion_id}",
    )
