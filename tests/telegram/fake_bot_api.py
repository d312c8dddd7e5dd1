"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests and the benchmark.

Real HTTP (starlette + uvicorn, in the caller's event loop), the real wire format
(``/bot<token>/<method>``, form-urlencoded with JSON-encoded values, JSON bodies, query strings)
and Telegram's real answers where bots must cope with them:

* ``getMe`` (with ``is_bot``), ``deleteWebhook``/``setWebhook``/``getWebhookInfo``;
* ``getUpdates`` with offset confirmation and long polling (``release_polls()`` ends the waits
  so that ``Updater.stop()`` does not sit out the poll timeout);
* ``sendMessage``: 400 for an empty or too long text (> 4096 characters after entity parsing) and
  for HTML outside Telegram's tag set, 403 for a chat that blocked the bot, 400 "chat not found",
  injected failures (``fail_next``) and flood control (``rate_limit``: more than N messages in
  any one-second window → 429 with ``retry_after``, and every request is refused until it has
  passed);
* ``editMessageText`` / ``editMessageReplyMarkup`` (400 "message is not modified" for an
  identical edit), ``answerCallbackQuery``, ``getChatMember``, ``set/get/deleteMyCommands``.

Test helpers push updates as a person would (``push_text`` adds the ``bot_command`` entity that
PTB's CommandHandler needs) and wait for the bot's answers without sleeping (``wait_sent``).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import socket
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["TOKEN", "Call", "FakeBotAPI"]

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
BOT_ID = 123456789
MAX_TEXT = 4096

_JSON_FIELDS = {
    "reply_markup",
    "commands",
    "entities",
    "allowed_updates",
    "scope",
    "link_preview_options",
    "reply_parameters",
}
_BOOL_FIELDS = {"show_alert", "disable_notification", "drop_pending_updates", "protect_content"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}
_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "tg-time",
    "code",
    "pre",
    "blockquote",
}
_NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}
_ENTITY_RE = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


class _TelegramError(Exception):
    def __init__(self, code: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class _TelegramHTML(HTMLParser):
    """Checks Telegram's HTML subset and measures the text after entity parsing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.length = 0
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.error:
            return
        if tag not in _ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}" at byte offset {self.getpos()[1]}'
            return
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.error:
            return
        if not self.stack or self.stack[-1] != tag:
            self.error = f'Unexpected end tag "{tag}" at byte offset {self.getpos()[1]}'
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.length += len(data)


def check_html(text: str) -> int:
    """The length of ``text`` after Telegram parses it; raises ``_TelegramError`` like Telegram."""
    for name in _ENTITY_RE.findall(text):
        if name not in _NAMED_ENTITIES:
            raise _TelegramError(
                400, f'Bad Request: can\'t parse entities: Unsupported entity "&{name};"'
            )
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.error:
        raise _TelegramError(400, f"Bad Request: can't parse entities: {parser.error}")
    if parser.stack:
        raise _TelegramError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{parser.stack[-1]}"',
        )
    return parser.length


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Failure:
    code: int
    description: str
    method: str
    chat_id: int | str | None
    parameters: dict[str, Any]
    remaining: int


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handling (the test runner owns the signals)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class FakeBotAPI:
    """The fake server and its state. ``async with FakeBotAPI() as fake: …``."""

    def __init__(self, token: str = TOKEN, *, username: str = "kamerwacht_test_bot") -> None:
        self.token = token
        self.username = username
        self.port = 0
        self.calls: list[Call] = []
        self.sent: list[dict[str, Any]] = []  # every message delivered (raw HTML in "html")
        self.edits: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []  # answerCallbackQuery calls
        self.documents: list[dict[str, Any]] = []  # sendDocument: chat, filename, content (bytes)
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.blocked: set[int] = set()
        self.missing: set[int] = set()
        self.admins: dict[int, set[int]] = {}
        self.chat_types: dict[int, str] = {}
        self.count_429 = 0
        self.rejected: Counter[int] = Counter()  # error answers by HTTP status
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._message_ids: Counter[int] = Counter()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._failures: list[_Failure] = []
        self._rate: float | None = None
        self._retry_after: float = 1
        self._window: deque[float] = deque()
        self._flood_until = 0.0
        self.answer_delay = 0.0  # seconds added before every sendMessage answer (round trip)
        self.accepted_at: list[float] = []  # arrival times of the sendMessages flood control let by
        self._released = False
        self._cond: asyncio.Condition | None = None
        self._server: _QuietServer | None = None
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """What ``ApplicationBuilder.base_url`` / ``telegram_api_url`` takes."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        """Listen on an ephemeral loopback port in the running event loop."""
        self._cond = asyncio.Condition()
        route = Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])
        stats = Route("/__fake/stats", self._stats, methods=["GET"])
        sent = Route("/__fake/sent", self._sent_list, methods=["GET"])
        app = Starlette(routes=[route, stats, sent])
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=1,
            timeout_keep_alive=60,
        )
        self._server = _QuietServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        """End every long poll and shut the server down."""
        await self.release_polls()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    async def __aenter__(self) -> FakeBotAPI:
        """Start."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop."""
        await self.stop()

    # ------------------------------------------------------------------ test controls

    @property
    def cond(self) -> asyncio.Condition:
        """Notified after every request and every pushed update."""
        assert self._cond is not None, "start() first"
        return self._cond

    async def _notify(self) -> None:
        async with self.cond:
            self.cond.notify_all()

    async def release_polls(self) -> None:
        """Answer every waiting (and every later) getUpdates at once."""
        self._released = True
        if self._cond is not None:
            await self._notify()

    def block(self, chat_id: int) -> None:
        """The user behind ``chat_id`` blocks the bot: sendMessage answers 403."""
        self.blocked.add(int(chat_id))

    def unblock(self, chat_id: int) -> None:
        """The user unblocks the bot."""
        self.blocked.discard(int(chat_id))

    def forget_chat(self, chat_id: int) -> None:
        """The chat no longer exists: sendMessage answers 400 "chat not found"."""
        self.missing.add(int(chat_id))

    def set_admins(self, chat_id: int, user_ids: set[int]) -> None:
        """Who getChatMember reports as administrators of a group."""
        self.admins[int(chat_id)] = set(user_ids)

    def fail_next(
        self,
        code: int = 429,
        description: str = "Too Many Requests: retry after 1",
        *,
        method: str = "sendMessage",
        chat_id: int | str | None = None,
        count: int = 1,
        **parameters: Any,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (to ``chat_id``) with an error."""
        if code == 429 and "retry_after" not in parameters:
            parameters["retry_after"] = 1
        self._failures.append(_Failure(code, description, method, chat_id, parameters, count))

    def rate_limit(self, per_second: float | None, *, retry_after: float = 1) -> None:
        """Flood control: > ``per_second`` messages in any 1-second window → 429."""
        self._rate = per_second
        self._retry_after = retry_after
        self._window.clear()
        self._flood_until = 0.0

    def _push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {**update, "update_id": next(self._update_ids)}
        self._updates.append(update)
        if self._cond is not None:
            asyncio.get_running_loop().create_task(self._notify())
        return update

    @staticmethod
    def _user(user_id: int, language_code: str = "nl") -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
            "language_code": language_code,
        }

    def _chat(self, chat_id: int, chat_type: str) -> dict[str, Any]:
        self.chat_types[chat_id] = chat_type
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User{chat_id}"
        else:
            chat["title"] = f"Group {chat_id}"
        return chat

    def push_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        *,
        language_code: str = "nl",
    ) -> dict[str, Any]:
        """A person sends ``text``; a leading ``/command`` gets its bot_command entity."""
        chat_id = user_id if chat_id is None else chat_id
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type),
            "from": self._user(user_id, language_code),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._push({"message": message})

    def push_callback(
        self, user_id: int, message: dict[str, Any], data: str, *, language_code: str = "nl"
    ) -> dict[str, Any]:
        """A person presses the button carrying ``data`` under the bot's ``message``."""
        chat_id = int(message["chat"]["id"])
        current = self._messages.get((chat_id, int(message["message_id"])), message)
        return self._push(
            {
                "callback_query": {
                    "id": str(next(self._callback_ids)),
                    "from": self._user(user_id, language_code),
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                    "message": {k: v for k, v in current.items() if k != "html"},
                }
            }
        )

    def push_my_chat_member(self, user_id: int, status: str = "kicked") -> dict[str, Any]:
        """The user blocks (``kicked``) or unblocks (``member``) the bot in their private chat."""
        return self._push(self.my_chat_member_update(user_id, status))

    def my_chat_member_update(self, user_id: int, status: str = "kicked") -> dict[str, Any]:
        """The ``my_chat_member`` update Telegram sends when a user blocks or unblocks the bot."""
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "kamerwacht", "username": self.username}
        old = "member" if status == "kicked" else "kicked"
        member = {"status": status, "user": bot}
        if status == "kicked":
            member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        return {
            "update_id": 0,
            "my_chat_member": {
                "chat": self._chat(user_id, "private"),
                "from": self._user(user_id),
                "date": int(time.time()),
                "old_chat_member": old_member,
                "new_chat_member": member,
            },
        }

    def messages_to(self, chat_id: int | str) -> list[dict[str, Any]]:
        """Messages delivered to ``chat_id``, oldest first (current text after edits)."""
        cid = int(chat_id)
        return [self._messages[(cid, m["message_id"])] for m in self.sent if m["chat"]["id"] == cid]

    def calls_of(self, method: str) -> list[Call]:
        """The requests made to ``method``."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        """Wait until ``predicate()`` holds (checked after every request and update)."""
        async with self.cond:
            await asyncio.wait_for(self.cond.wait_for(predicate), within)

    async def wait_sent(
        self, n: int = 1, *, chat_id: int | None = None, within: float = 5.0, after: int = 0
    ) -> list[dict[str, Any]]:
        """Wait until ``n`` messages (to ``chat_id``) were sent after index ``after``."""

        def found() -> list[dict[str, Any]]:
            return [
                m for m in self.sent[after:] if chat_id is None or m["chat"]["id"] == int(chat_id)
            ]

        await self.wait_for(lambda: len(found()) >= n, within)
        return found()

    async def wait_calls(self, method: str, n: int = 1, within: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called ``n`` times."""
        await self.wait_for(lambda: len(self.calls_of(method)) >= n, within)
        return self.calls_of(method)

    def duplicates(self) -> int:
        """Messages delivered more than once to the same chat (same text)."""
        counts = Counter((m["chat"]["id"], m["html"]) for m in self.sent)
        return sum(n - 1 for n in counts.values() if n > 1)

    def stats(self) -> dict[str, Any]:
        """Counters for a benchmark driving this server from another process."""
        accepted = [c.at for c in self.calls if c.method == "sendMessage"]
        return {
            "sent": len(self.sent),
            "chats": sorted({m["chat"]["id"] for m in self.sent}),
            "duplicates": self.duplicates(),
            "count_429": self.count_429,
            "rejected": {str(k): v for k, v in self.rejected.items()},
            "first_send": min(accepted, default=0.0),
            "tightest_window_ms": self._tightest_window(),
            "last_send": max(accepted, default=0.0),
        }

    def _tightest_window(self) -> float | None:
        """The shortest span (ms) holding ``rate`` + 1 accepted sends: under 1000 means 429s."""
        if self._rate is None:
            return None
        n = int(self._rate)
        at = self.accepted_at
        spans = [at[i + n] - at[i] for i in range(len(at) - n)]
        return round(min(spans) * 1000, 1) if spans else None

    # ------------------------------------------------------------------ HTTP

    async def _stats(self, request: Request) -> Response:
        return Response(json.dumps(self.stats()), media_type="application/json")

    async def _sent_list(self, request: Request) -> Response:
        """Every delivered message as ``[chat id, html]``, in the order they arrived."""
        body = [[m["chat"]["id"], m["html"]] for m in self.sent]
        return Response(json.dumps(body), media_type="application/json")

    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        kind = request.headers.get("content-type", "")
        if body:
            if kind.startswith("application/json"):
                params.update(json.loads(body))
            elif kind.startswith("application/x-www-form-urlencoded"):
                params.update(parse_qsl(body.decode(), keep_blank_values=True))
            elif kind.startswith("multipart/form-data"):
                form = await request.form()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
                for k, v in form.items():  # uploaded files (sendDocument): name and bytes
                    if not isinstance(v, str):
                        params[k] = {"filename": v.filename, "content": await v.read()}
        for key in _JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        for key in _BOOL_FIELDS & params.keys():
            if isinstance(params[key], str):
                params[key] = params[key].lower() == "true"
        for key in _INT_FIELDS & params.keys():
            with contextlib.suppress(TypeError, ValueError):
                params[key] = int(params[key])
        return params

    async def _endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return self._error(_TelegramError(401, "Unauthorized"))
        method = request.path_params["method"]
        params = await self._params(request)
        handler = getattr(self, f"_m_{method.lower()}", None)
        self.calls.append(Call(method, params))
        try:
            if handler is None:
                raise _TelegramError(404, "Not Found: method not found")
            self._inject(method, params)
            result = await handler(params)
        except _TelegramError as exc:
            response = self._error(exc)
        else:
            response = Response(
                json.dumps({"ok": True, "result": result}), media_type="application/json"
            )
        await self._notify()
        return response

    def _error(self, exc: _TelegramError) -> Response:
        self.rejected[exc.code] += 1
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": exc.code,
            "description": exc.description,
        }
        if exc.parameters:
            payload["parameters"] = exc.parameters
        return Response(json.dumps(payload), status_code=exc.code, media_type="application/json")

    def _inject(self, method: str, params: dict[str, Any]) -> None:
        for failure in self._failures:
            if failure.method != method or failure.remaining <= 0:
                continue
            if failure.chat_id is not None and params.get("chat_id") != failure.chat_id:
                continue
            failure.remaining -= 1
            if failure.code == 429:
                self.count_429 += 1
            raise _TelegramError(failure.code, failure.description, **failure.parameters)

    def _flood_control(self) -> None:
        if self._rate is None:
            return
        now = time.monotonic()
        if now < self._flood_until:
            self.count_429 += 1
            wait = (
                max(1, round(self._flood_until - now))
                if self._retry_after >= 1
                else self._retry_after
            )
            raise _TelegramError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self._rate:
            self.count_429 += 1
            self._flood_until = now + self._retry_after
            wait = self._retry_after
            raise _TelegramError(429, f"Too Many Requests: retry after {wait:g}", retry_after=wait)
        self._window.append(now)
        self.accepted_at.append(now)

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] += 1
        return self._message_ids[chat_id]

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "kamerwacht", "username": self.username}

    def _target_chat(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise _TelegramError(400, "Bad Request: chat not found")
        if chat_id in self.missing:
            raise _TelegramError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise _TelegramError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    @staticmethod
    def _checked_text(params: dict[str, Any]) -> str:
        text = str(params.get("text", ""))
        if not text.strip():
            raise _TelegramError(400, "Bad Request: message text is empty")
        length = check_html(text) if params.get("parse_mode") == "HTML" else len(text)
        if length > MAX_TEXT:
            raise _TelegramError(400, "Bad Request: message is too long")
        return text

    # ------------------------------------------------------------------ Bot API methods

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        url = self.webhook.get("url", "") if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_close(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0 and not self._released:
            with contextlib.suppress(TimeoutError):
                async with self.cond:
                    await asyncio.wait_for(
                        self.cond.wait_for(lambda: bool(self._updates) or self._released),
                        timeout,
                    )
        return self._updates[:limit]

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._target_chat(params)
        text = self._checked_text(params)
        self._flood_control()
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(
                chat_id, self.chat_types.get(chat_id, "private" if chat_id > 0 else "group")
            ),
            "from": self._bot_user(),
            "text": _plain(text) if params.get("parse_mode") == "HTML" else text,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        stored = {**message, "html": text}
        self._messages[(chat_id, message["message_id"])] = stored
        self.sent.append(stored)
        return message

    async def _m_senddocument(self, params: dict[str, Any]) -> Any:
        chat_id = self._target_chat(params)
        upload = params.get("document")
        if not isinstance(upload, dict) or not upload.get("content"):
            raise _TelegramError(400, "Bad Request: there is no document in the request")
        self._flood_control()
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(
                chat_id, self.chat_types.get(chat_id, "private" if chat_id > 0 else "group")
            ),
            "from": self._bot_user(),
            "document": {
                "file_id": f"doc{len(self.documents) + 1}",
                "file_unique_id": f"udoc{len(self.documents) + 1}",
                "file_name": upload["filename"],
                "file_size": len(upload["content"]),
            },
        }
        self.documents.append(
            {
                "chat": chat_id,
                "filename": upload["filename"],
                "content": upload["content"],
                "silent": params.get("disable_notification") is True,
            }
        )
        return message

    def _stored(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id") or 0), int(params.get("message_id") or 0))
        if key not in self._messages:
            raise _TelegramError(400, "Bad Request: message to edit not found")
        return self._messages[key]

    async def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        stored = self._stored(params)
        text = self._checked_text(params)
        markup = params.get("reply_markup")
        if text == stored["html"] and markup == stored.get("reply_markup"):
            raise _TelegramError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        stored["html"] = text
        stored["text"] = _plain(text) if params.get("parse_mode") == "HTML" else text
        if markup:
            stored["reply_markup"] = markup
        else:
            stored.pop("reply_markup", None)
        self.edits.append({**stored})
        return {k: v for k, v in stored.items() if k != "html"}

    async def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        stored = self._stored(params)
        markup = params.get("reply_markup")
        if markup == stored.get("reply_markup"):
            raise _TelegramError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        if markup:
            stored["reply_markup"] = markup
        else:
            stored.pop("reply_markup", None)
        self.edits.append({**stored})
        return {k: v for k, v in stored.items() if k != "html"}

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        self.answers.append(params)
        return True

    async def _m_getchatmember(self, params: dict[str, Any]) -> Any:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        user = self._user(user_id)
        if user_id in self.admins.get(chat_id, set()):
            rights = {
                name: False
                for name in (
                    "can_be_edited",
                    "is_anonymous",
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_promote_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                )
            }
            return {"status": "administrator", "user": user, **rights}
        return {"status": "member", "user": user}

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        self.commands[params.get("language_code") or None] = list(params.get("commands", []))
        return True

    async def _m_getmycommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(params.get("language_code") or None, [])

    async def _m_deletemycommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(params.get("language_code") or None, None)
        return True


async def _serve_forever(rate_limit: float, retry_after: float, delay: float = 0.0) -> None:
    fake = FakeBotAPI()
    fake.answer_delay = delay
    await fake.start()
    if rate_limit:
        fake.rate_limit(rate_limit, retry_after=retry_after)
    print(f"READY {fake.port}", flush=True)  # the parent process reads this line
    await asyncio.Event().wait()


def main() -> None:
    """Run the fake server on its own (for the benchmark): prints ``READY <port>``."""
    import argparse

    parser = argparse.ArgumentParser(description="fake Telegram Bot API on 127.0.0.1")
    parser.add_argument("--rate-limit", type=float, default=0.0, help="messages per second")
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument(
        "--delay", type=float, default=0.0, help="seconds added to every sendMessage answer"
    )
    args = parser.parse_args()
    asyncio.run(_serve_forever(args.rate_limit, args.retry_after, args.delay))


if __name__ == "__main__":
    main()
