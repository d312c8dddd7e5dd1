"""The JSON API (the same shapes as ``kamerwacht motions/status/changes --json``) and /healthz."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.metrics import render_prometheus, store_gauges
from bot.present import change_json, motion_json, status_json
from bot.web.board import (
    EXECUTION_FILTERS,
    SORTS,
    PageError,
    link_header,
    page_url,
    parse_paging,
    parse_query,
)
from bot.web.openapi import SPEC
from bot.web.site import json_response, site
from state.errors import StateError
from state.models import BoardEntry, Change, ParliamentaryStatus, is_motion_key

__all__ = ["api_change", "api_changes", "api_motion", "api_motions", "healthz", "openapi"]

logger = logging.getLogger(__name__)

MAX_CHANGE_ID = 2**63 - 1  # larger ids overflow the database's integer


def _error(status: int, message: str) -> Response:
    return json_response({"error": message}, status_code=status)


# The closed sets of values the list endpoint's query parameters take.
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "status": tuple(s.value for s in ParliamentaryStatus),
    "execution": tuple(EXECUTION_FILTERS),
    "sort": tuple(SORTS),
    "order": ("asc", "desc"),
}


def zero_limit(params: Any) -> Response | None:
    """400 for ``limit=0``: the description says a page holds at least one item."""
    raw = (params.get("limit") or "").strip()
    if raw.isascii() and raw.isdigit() and int(raw[:10]) == 0:
        return _error(400, "limit: at least 1")
    return None


def invalid_value(params: Any) -> Response | None:
    """422 naming the allowed values when a closed-set parameter has another value."""
    for name, allowed in ALLOWED_VALUES.items():
        value = params.get(name)
        if value and value not in allowed:  # empty: no filter, the default order
            return json_response(
                {
                    "error": f"{name}: {value[:100]!r} is not one of the allowed values",
                    "parameter": name,
                    "allowed": list(allowed),
                },
                status_code=422,
            )
    return None


# RFC 3339 date-time (what the OpenAPI "date-time" format means); a "+" sent unencoded in a
# query string arrives as a space.
_RFC3339_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}):(\d{2})(\.\d+)?([Zz]|[+\- ]\d{2}:\d{2})$"
)


def parse_rfc3339(raw: str) -> datetime | None:
    """An RFC 3339 date-time (UTC offset kept), or None when ``raw`` is not one."""
    m = _RFC3339_RE.match(raw)
    if m is None:
        return None
    day, hour_minute, second, fraction, offset = m.groups()
    second = "59" if second == "60" else second  # a leap second
    fraction = (fraction or "")[:7]
    offset = "+00:00" if offset in ("Z", "z") else offset.replace(" ", "+")
    try:
        return datetime.fromisoformat(f"{day}T{hour_minute}:{second}{fraction}{offset}")
    except ValueError:
        return None


def api_change(change: Change, public_url: str) -> dict[str, Any]:
    """``changes --json`` plus the change id, old/new values, evidence and the page URL."""
    data = change_json(change)
    data["id"] = change.id
    data["old"] = change.old
    data["new"] = change.new
    data["evidence"] = change.evidence
    data["url"] = f"{public_url}/motie/{change.motion_id}" if change.motion_id else None
    return data


def _paged(request: Request, items: list[Any], next_cursor: str | None) -> Response:
    """A JSON list, with ``Link: <…>; rel="next"`` when ``next_cursor`` says more follow."""
    response = json_response(items)
    if next_cursor is not None:
        url = page_url(
            site(request).links.public_url,
            request.url.path,
            dict(request.query_params),
            next_cursor,
        )
        response.headers.update(link_header(url))
    return response


async def api_motions(request: Request) -> Response:
    """``/api/motions``: the board (``status``/``execution``/``q``/``sort`` apply), paged.

    At most ``limit`` motions (default 100, at most 1000); when more follow, a ``Link`` header
    with ``rel="next"`` gives the URL of the next page.
    """
    invalid = invalid_value(request.query_params) or zero_limit(request.query_params)
    if invalid is not None:
        return invalid
    s = site(request)
    params = dict(request.query_params)
    try:
        paging = parse_paging(params, strict=True)
    except PageError as exc:
        return _error(400, str(exc))
    params.setdefault("sort", "id")
    params.setdefault("order", "asc")
    query = parse_query(params)

    def build() -> Response:
        rows, more = s.repo.board_page(
            status=query.status,
            execution=query.execution,
            words=query.q,
            sort=query.sort,
            order=query.order,
            limit=paging.limit,
            offset=paging.offset,
        )
        return _paged(request, [motion_json(e) for e in rows], paging.next_cursor if more else None)

    return await asyncio.to_thread(build)


async def api_motion(request: Request) -> Response:
    """``/api/motions/{id}``: one motion with votes, evidence, letter and timeline."""
    s = site(request)
    motion_id = request.path_params["motion_id"]
    if not is_motion_key(motion_id):
        return _error(404, f"unknown motion: {motion_id}")
    entry: BoardEntry | None = await s.db(s.repo.board_entry, motion_id)
    if entry is None:
        return _error(404, f"unknown motion: {motion_id}")
    reports = await s.db(s.repo.execution_reports, motion_id)
    timeline = await s.db(s.repo.timeline, motion_id)
    data = status_json(entry, reports, timeline)
    data["url"] = f"{s.links.public_url}/motie/{motion_id}"
    return json_response(data)


async def api_changes(request: Request) -> Response:
    """``/api/changes?since=``: changes after an ISO time (or a change id), oldest first, paged
    (``limit``, and ``cursor`` from the ``Link: rel="next"`` header)."""
    s = site(request)
    given = request.query_params.get("since")
    raw = (given or "").strip()
    since: datetime | int | None = None
    if given is not None and not raw:
        return _error(400, "since: empty; give an RFC 3339 time or a change id")
    if raw.isascii() and raw.isdigit():  # not "²", which isdigit() but int() refuses
        since = min(int(raw), MAX_CHANGE_ID)
    elif raw:
        moment = parse_rfc3339(raw)
        if moment is None:
            return _error(400, f"since: not an RFC 3339 time or a change id: {raw!r}")
        since = moment
    try:
        paging = parse_paging(request.query_params, strict=True)
    except PageError as exc:
        return _error(400, str(exc))
    zero = zero_limit(request.query_params)
    if zero is not None:
        return zero
    motion_id = request.query_params.get("motion") or None
    # Pages go forward, oldest first: a cursor is the id of the last change already seen.
    after: datetime | int = paging.offset if paging.offset else (since or 0)
    changes: list[Change] = await s.db(
        s.repo.changes, after, motion_id=motion_id, limit=paging.limit + 1
    )
    more = len(changes) > paging.limit
    changes = changes[: paging.limit]
    next_cursor = str(changes[-1].id) if more and changes else None
    return _paged(request, [api_change(c, s.links.public_url) for c in changes], next_cursor)


async def healthz(request: Request) -> Response:
    """``/healthz``: 200 when the database answers, with each source's last successful poll."""
    s = site(request)
    try:
        statuses = await s.db(s.repo.source_statuses)
        outbox = await s.db(s.repo.outbox_health)
    except StateError as exc:  # any database failure makes the service unhealthy
        logger.warning("healthz: database unreachable: %r", exc)
        return json_response({"status": "error", "database": "unreachable"}, status_code=503)
    return json_response(
        {
            "status": "ok",
            "database": "ok",
            "email": s.mailer is not None,
            "sources": [
                {
                    "source": st.name,
                    "last_success": st.last_success.isoformat() if st.last_success else None,
                    "last_error": st.last_error,
                    "last_error_at": st.last_error_at.isoformat() if st.last_error_at else None,
                    "consecutive_failures": st.consecutive_failures,
                }
                for st in statuses
            ],
            "outbox": outbox,
        }
    )


async def openapi(request: Request) -> Response:
    """``/openapi.json``: the API description (servers set to the public URL)."""
    spec = dict(SPEC)
    spec["servers"] = [{"url": site(request).links.public_url}]
    return json_response(spec)


async def metrics(request: Request) -> Response:
    """``/metrics``: Prometheus text with the store's gauges (every role's work, read from the
    database through cheap queries) and this process's counters."""
    s = site(request)
    gauges: dict[str, list[tuple[dict[str, str], float]]] = {}
    try:
        gauges = await s.db(store_gauges, s.repo)
    except StateError as exc:  # metrics still answer: the counters say what the process saw
        logger.warning("metrics: database unreachable: %r", exc)
    body = render_prometheus(request.app.state.metrics, gauges)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
