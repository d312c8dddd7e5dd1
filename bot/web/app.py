"""The ASGI app: routes, error pages and security headers (Starlette).

Pages are server-rendered Jinja2 (``templates/web/``) and need no JavaScript: filters, search
and sort are query parameters, forms post plainly. Repository calls run in worker threads.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.email.links import Links
from bot.email.sender import Mailer
from bot.metrics import Metrics
from bot.settings import Settings
from bot.web import agenda, api, pages, subscribe
from bot.web.site import Site, json_response, page
from state.repository import Repository

__all__ = ["ROUTES", "SecurityHeaders", "create_app"]

ROUTES = [
    Route("/", pages.board, methods=["GET"], name="board"),
    Route("/motie/{motion_id}", pages.motion, methods=["GET"], name="motion"),
    Route("/motie/{motion_id}/feed.atom", pages.feed_motion, methods=["GET"], name="motion_feed"),
    Route("/brieven", pages.letters, methods=["GET"], name="letters"),
    Route("/agenda", agenda.agenda_page, methods=["GET"], name="agenda"),
    Route("/agenda.ics", agenda.agenda_ics, methods=["GET"], name="agenda_ics"),
    Route("/motie/{motion_id}/agenda.ics", agenda.motion_agenda_ics, methods=["GET"]),
    Route("/toezeggingen", agenda.commitments_page, methods=["GET"], name="commitments"),
    Route("/toezeggingen/feed.atom", agenda.commitments_feed, methods=["GET"]),
    Route("/feed.atom", pages.feed_all, methods=["GET"], name="feed"),
    Route("/api/motions", api.api_motions, methods=["GET"], name="api_motions"),
    Route("/api/motions/{motion_id}", api.api_motion, methods=["GET"], name="api_motion"),
    Route("/api/changes", api.api_changes, methods=["GET"], name="api_changes"),
    Route("/healthz", api.healthz, methods=["GET"], name="healthz"),
    Route("/openapi.json", api.openapi, methods=["GET"], name="openapi"),
    Route("/metrics", api.metrics, methods=["GET"], name="metrics"),
    Route("/favicon.ico", pages.favicon, methods=["GET"], name="favicon"),
    Route("/robots.txt", pages.robots, methods=["GET"], name="robots"),
    Route("/abonneren", subscribe.subscribe_form, methods=["GET"], name="subscribe"),
    Route("/abonneren", subscribe.subscribe_post, methods=["POST"], name="subscribe_post"),
    Route("/abonnement", subscribe.subscribe_form, methods=["GET"], name="manage_start"),
    Route("/abonnement", subscribe.manage_request, methods=["POST"], name="manage_request"),
    Route("/bevestigen/{token}", subscribe.confirm_form, methods=["GET"], name="confirm"),
    Route("/bevestigen/{token}", subscribe.confirm_post, methods=["POST"], name="confirm_post"),
    Route("/afmelden/{token}", subscribe.unsubscribe_form, methods=["GET"], name="unsubscribe"),
    Route(
        "/afmelden/{token}", subscribe.unsubscribe_post, methods=["POST"], name="unsubscribe_post"
    ),
    Route("/abonnement/{token}", subscribe.manage_form, methods=["GET"], name="manage"),
    Route("/abonnement/{token}", subscribe.manage_post, methods=["POST"], name="manage_post"),
]

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
]


class SecurityHeaders:
    """Pure ASGI middleware: no scripts, no framing, no referrer (tokens live in URLs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to every HTTP response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    response = _http_error_body(request, exc, status)
    headers = dict(getattr(exc, "headers", None) or {})
    if status == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    for name, value in headers.items():  # e.g. the Allow header of a 405
        response.headers[name] = value
    return response


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves on this path (GET and POST routes are separate ones)."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:  # the path matches (the method, here, never does)
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def _http_error_body(request: Request, exc: Exception, status: int) -> Response:
    if request.url.path.startswith("/api/"):
        return json_response({"error": getattr(exc, "detail", "error")}, status_code=status)
    if status == 404:
        return pages.not_found(request)
    return page(
        request,
        "message.html",
        status_code=status,
        title_key="error.title",
        text=str(getattr(exc, "detail", "")),
    )


async def _server_error(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return json_response({"error": "internal error"}, status_code=500)
    return page(request, "message.html", status_code=500, title_key="error.title", text="")


def create_app(
    settings: Settings,
    repo: Repository,
    *,
    mailer: Mailer | None = None,
    metrics: Metrics | None = None,
) -> Starlette:
    """The web app over ``repo``; without ``mailer`` the subscription form says email is off.

    ``metrics`` are the process counters shown at ``/metrics`` (a fresh set when not given).
    """
    routes = list(ROUTES)
    if settings.telegram_webhook_url:  # the bot, in this process, receives updates here
        from bot.telegram.webhook import webhook_routes

        routes += webhook_routes(settings)
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, 500: _server_error},
    )
    # a path with a trailing slash is not one of ours: 404, never a redirect (a token that ends in
    # "/" must not be bounced to another URL)
    app.router.redirect_slashes = False
    app.state.site = Site(
        settings=settings, repo=repo, mailer=mailer, links=Links.from_settings(settings, repo)
    )
    app.state.metrics = metrics if metrics is not None else Metrics()
    app.add_middleware(SecurityHeaders)
    return app
