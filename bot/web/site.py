"""What every web handler shares: the collaborators, the page language and page rendering."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar, cast
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from bot.email.links import Links
from bot.email.sender import Mailer
from bot.settings import Settings
from state.repository import Repository
from templates.render import render
from templates.web_texts import LANGUAGES, translator

__all__ = [
    "LANG_COOKIE",
    "Site",
    "html_response",
    "json_response",
    "page",
    "render_page",
    "request_lang",
    "site",
]

LANG_COOKIE = "kw_lang"
THROTTLE_SECONDS = 60.0
PAGE_CACHE = 64  # rendered pages kept (the board's are ~50 KB each)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Site:
    """The web app's collaborators, built once by ``create_app``."""

    settings: Settings
    repo: Repository
    mailer: Mailer | None
    links: Links
    _recent_mail: dict[str, float] = field(default_factory=dict)
    # Rendered pages by (page, store revision, day, language, query): a visitor reloading the
    # board costs two index look-ups, not a render that holds the GIL from the sending loop.
    _pages: OrderedDict[tuple[Any, ...], tuple[str, dict[str, str]]] = field(
        default_factory=OrderedDict
    )

    _pages_lock: threading.Lock = field(default_factory=threading.Lock)  # pages render in threads

    def cached_page(self, key: tuple[Any, ...]) -> tuple[str, dict[str, str]] | None:
        """A page rendered for ``key`` before (its HTML and extra headers), if still kept."""
        with self._pages_lock:
            hit = self._pages.get(key)
            if hit is not None:
                self._pages.move_to_end(key)
            return hit

    def keep_page(self, key: tuple[Any, ...], html: str, headers: dict[str, str]) -> None:
        """Keep a rendered page; the least recently used beyond :data:`PAGE_CACHE` goes."""
        with self._pages_lock:
            self._pages[key] = (html, headers)
            self._pages.move_to_end(key)
            while len(self._pages) > PAGE_CACHE:
                self._pages.popitem(last=False)

    async def db(self, func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a blocking repository call in a worker thread."""
        return await asyncio.to_thread(func, *args, **kwargs)

    def may_mail(self, address: str) -> bool:
        """False when a mail went to ``address`` less than a minute ago (and note this one)."""
        now = time.monotonic()
        if len(self._recent_mail) > 10_000:
            self._recent_mail = {
                a: t for a, t in self._recent_mail.items() if now - t < THROTTLE_SECONDS
            }
        last = self._recent_mail.get(address)
        if last is not None and now - last < THROTTLE_SECONDS:
            return False
        self._recent_mail[address] = now
        return True


def site(request: Request) -> Site:
    """The Site of the app handling ``request``."""
    return cast(Site, request.app.state.site)


def request_lang(request: Request) -> str:
    """``?lang=`` if given, else the language cookie, else Dutch."""
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "nl"
    return lang if lang in LANGUAGES else "nl"


def _toggle_url(request: Request, lang: str) -> str:
    params = dict(request.query_params)
    params["lang"] = "en" if lang == "nl" else "nl"
    return f"{request.url.path}?{urlencode(params)}"


def page(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``templates/web/<template>`` in the request's language."""
    return html_response(request, render_page(request, template, **context), status_code)


def render_page(request: Request, template: str, **context: Any) -> str:
    """The HTML of ``templates/web/<template>`` in the request's language."""
    lang = request_lang(request)
    return render(
        f"web/{template}",
        lang=lang,
        t=translator(lang),
        path=request.url.path,
        toggle_url=_toggle_url(request, lang),
        public_url=site(request).links.public_url,
        **context,
    )


def html_response(request: Request, html: str, status_code: int = 200) -> HTMLResponse:
    """``html`` as the response (a ``?lang=`` choice is remembered in a cookie)."""
    lang = request_lang(request)
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def json_response(data: Any, status_code: int = 200) -> JSONResponse:
    """JSON with non-ASCII kept readable."""
    return _JSON(data, status_code=status_code)


class _JSON(JSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """UTF-8 JSON, indented for people reading it in a browser."""
        return json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8")
