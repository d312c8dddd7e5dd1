"""The public pages: the motion board, a motion's page, the letters, and the Atom feeds."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.web.board import (
    EXECUTION_FILTERS,
    OVERDUE,
    SORTS,
    entry_date,
    link_header,
    page_url,
    parse_paging,
    parse_query,
)
from bot.web.charts import vote_chart
from bot.web.site import html_response, page, render_page, request_lang, site
from state.models import (
    Change,
    ExecutionReport,
    Motion,
    ParliamentaryStatus,
    TimelineKind,
    is_motion_key,
)
from state.timeline import build, by_date, latest_status_report
from templates.render import change_summary, label, render
from templates.web_texts import translator

__all__ = [
    "FEED_LIMIT",
    "Event",
    "board",
    "events",
    "favicon",
    "feed_all",
    "feed_motion",
    "letters",
    "motion",
    "motion_links",
    "not_found",
    "robots",
]

FEED_LIMIT = 1000  # newest changes in the site-wide feed (the topic has far fewer)
ATOM = "application/atom+xml; charset=utf-8"
# Atom ids must never change (RFC 4287 §4.2.6), so they do not depend on KAMERWACHT_PUBLIC_URL:
# tag: URIs (RFC 4151) minted under the project's name and the year it started.
TAG = "tag:kamerwacht,2026:"
_AMSTERDAM = ZoneInfo("Europe/Amsterdam")


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
    """A motion's life in date order (:mod:`state.timeline`): submitted, decisions, replacement,
    execution reports; undated last. A decision inferred from the status alone is not shown."""
    by_letter = {r.letter_id: r for r in reports}
    found: list[Event] = []
    for entry in by_date(build(motion, reports)):
        if entry.kind is TimelineKind.DECISION and not entry.inferred:
            found.append(
                Event(entry.date, "decision", status=entry.status, text=entry.decision_text)
            )
        elif entry.kind is TimelineKind.EXECUTION_REPORT:
            report = by_letter.get(entry.letter_id or "")
            found.append(Event(entry.date, "execution_report", status=entry.status, report=report))
        elif entry.kind is not TimelineKind.DECISION:  # submitted, replaces, replaced_by
            found.append(Event(entry.date, entry.kind.value, other=entry.motion_id))
    return found


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
    """``/``: the tracked motions, a page at a time; filter, search and sort by query parameters.

    The database filters, searches, sorts and pages; the queries and the rendering run in a
    worker thread, so that a visitor never holds up the event loop that sends to Telegram.
    """
    s = site(request)
    query = parse_query(request.query_params)
    paging = parse_paging(request.query_params)
    months = s.settings.overdue_months
    params = dict(request.query_params)

    lang = request_lang(request)

    def build() -> Response:
        today = datetime.now(UTC).date()
        key = ("board", s.repo.board_revision(), today, lang, request.url.query)
        if (hit := s.cached_page(key)) is not None:  # the store has not changed since
            cached = html_response(request, hit[0])
            cached.headers.update(hit[1])
            return cached
        # issue 17: the overdue motions, for the "achterstallig" filter and column
        overdue = {o.motion.id: o for o in s.repo.overdue(today=today, months=months)}
        ids = overdue.keys() if query.execution == OVERDUE else None
        execution = None if query.execution == OVERDUE else query.execution
        rows, more = s.repo.board_page(
            ids=ids,
            status=query.status,
            execution=execution,
            words=query.q,
            sort=query.sort,
            order=query.order,
            limit=paging.limit,
            offset=paging.offset,
        )
        total, status_n, execution_n, updated = s.repo.board_summary()
        if overdue:
            execution_n = {**execution_n, "overdue": len(overdue)}
        filtered = bool(query.status or query.execution or query.q)
        matched = (
            s.repo.board_count(status=query.status, execution=execution, words=query.q, ids=ids)
            if filtered
            else total
        )
        next_url = page_url("", "/", params, paging.next_cursor) if more else None
        prev_cursor = paging.previous_cursor
        html = render_page(
            request,
            "board.html",
            rows=rows,
            total=total,
            matched=matched,
            first=paging.offset + 1,
            query=query,
            sorts=SORTS,
            statuses=[st.value for st in ParliamentaryStatus if status_n.get(st.value)],
            status_counts=status_n,
            executions=[e for e in EXECUTION_FILTERS if execution_n.get(e)],
            execution_counts=execution_n,
            entry_date=entry_date,
            updated=updated,
            next_url=next_url,
            prev_url=page_url("", "/", params, prev_cursor) if prev_cursor else None,
            overdue=overdue,
        )
        headers = link_header(s.links.public_url + next_url) if next_url else {}
        s.keep_page(key, html, headers)
        response = html_response(request, html)
        response.headers.update(headers)
        return response

    return await asyncio.to_thread(build)


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
    latest_report = latest_status_report(reports)
    decision = found.final_decision
    return await asyncio.to_thread(
        page,
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
    """``/brieven``: the letters on the topic, newest first and a page at a time, with the motions
    each reports on (queries and rendering in a worker thread, as the board)."""
    s = site(request)
    paging = parse_paging(request.query_params)
    params = dict(request.query_params)

    def build() -> Response:
        found, more = s.repo.letters_page(limit=paging.limit, offset=paging.offset)
        tracked = s.repo.existing_motions(c.id for letter in found for c in letter.motions)
        next_url = page_url("", "/brieven", params, paging.next_cursor) if more else None
        prev_cursor = paging.previous_cursor
        response = page(
            request,
            "letters.html",
            letters=found,
            tracked=tracked,
            next_url=next_url,
            prev_url=page_url("", "/brieven", params, prev_cursor) if prev_cursor else None,
        )
        if next_url:
            response.headers.update(link_header(s.links.public_url + next_url))
        return response

    return await asyncio.to_thread(build)


def _atom_time(value: datetime | None) -> str:
    moment = value or datetime(1970, 1, 1, tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.utcoffset():  # a local date keeps its offset: 2021-11-04T00:00:00+01:00
        return moment.isoformat(timespec="seconds")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def change_time(change: Change) -> datetime:
    """When a change happened: its own date (midnight in Amsterdam), else when it was seen."""
    if change.occurred is not None:
        return datetime.combine(change.occurred, time(0), _AMSTERDAM)
    return change.created or datetime(1970, 1, 1, tzinfo=UTC)


def change_tag(change: Change) -> str:
    """The change's Atom id, the same wherever the site is served from."""
    return f"{TAG}change:{change.id}"


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
        "id": change_tag(change),
        "title": title,
        "updated": _atom_time(change_time(change)),
        "link": link,
        "summary": change_summary(change, lang),
        "evidence": change.evidence,
        "kind": change.kind.value,
    }


def _feed(
    request: Request,
    changes: Sequence[Change],
    *,
    title: str,
    self_path: str,
    alt_path: str,
    feed_id: str,
) -> Response:
    s = site(request)
    base = s.links.public_url
    lang = request_lang(request)
    newest_first = sorted(changes, key=lambda c: c.id or 0, reverse=True)
    body = render(
        "web/feed.atom",
        title=title,
        feed_id=feed_id,
        self_url=f"{base}{self_path}",
        alternate_url=f"{base}{alt_path}",
        updated=_atom_time(max((change_time(c) for c in changes), default=None)),
        entries=[_entry(c, base, lang) for c in newest_first],
        lang=lang,
    )
    return Response(body + "\n", media_type=ATOM)


async def feed_all(request: Request) -> Response:
    """``/feed.atom``: every change, newest first."""
    s = site(request)
    changes: list[Change] = await s.db(s.repo.changes, None, limit=FEED_LIMIT)
    return await asyncio.to_thread(
        _feed,
        request,
        changes,
        title="kamerwacht",
        self_path="/feed.atom",
        alt_path="/",
        feed_id=f"{TAG}feed",
    )


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
    return await asyncio.to_thread(
        _feed,
        request,
        changes,
        title=translator(request_lang(request))("feed.motion", id=motion_id, title=found.title),
        self_path=f"/motie/{motion_id}/feed.atom",
        alt_path=f"/motie/{motion_id}",
        feed_id=f"{TAG}motion:{motion_id}",
    )


def _png(size: int, draw: Callable[[int, int], tuple[int, int, int, int]]) -> bytes:
    """A small RGBA PNG (no dependency): ``draw(x, y)`` gives each pixel."""
    rows = b"".join(b"\x00" + b"".join(bytes(draw(x, y)) for x in range(size)) for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _favicon_pixel(x: int, y: int) -> tuple[int, int, int, int]:
    """The site's blue square with a white "k" (32×32)."""
    stem = 9 <= x <= 12 and 6 <= y <= 25
    arm = abs((x - 13) - abs(y - 16)) <= 1 and 13 <= x <= 23 and 6 <= y <= 25
    if stem or arm:
        return (255, 255, 255, 255)
    return (11, 92, 173, 255)


def _ico(png: bytes, size: int) -> bytes:
    """An ICO file holding one PNG image (supported by every current browser)."""
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), 22)
    return struct.pack("<HHH", 0, 1, 1) + entry + png


FAVICON = _ico(_png(32, _favicon_pixel), 32)
ROBOTS = (
    "User-agent: *\n"
    "Disallow: /bevestigen/\n"
    "Disallow: /afmelden/\n"
    "Disallow: /abonnement/\n"
    "Disallow: /api/\n"
    "Allow: /\n"
)


async def favicon(request: Request) -> Response:
    """``/favicon.ico``."""
    return Response(
        FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )


async def robots(request: Request) -> Response:
    """``/robots.txt``: the pages with tokens in their links are not for crawlers."""
    return Response(ROBOTS, media_type="text/plain; charset=utf-8")
