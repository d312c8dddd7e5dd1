"""What the replay server answers: a ``Response`` and the helpers that build common ones."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

HUGE_BODY = 50 * 1024 * 1024
STATIC_LAST_MODIFIED = "Mon, 06 Oct 2025 08:00:00 GMT"
REASONS = {
    200: "OK",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>Onderhoud</title></head><body><h1>Service tijdelijk "
    b"niet beschikbaar</h1><p>Probeer het later opnieuw.</p></body></html>"
)


@dataclass
class Response:
    """What the server answers to one request."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; odata.metadata=minimal; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    stream: AsyncIterator[bytes] | None = None
    hang: bool = False


def json_response(obj: object, status: int = 200) -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status=status, body=body)


def odata_error(message: str, status: int = 400) -> Response:
    return json_response({"error": {"code": "", "message": message}}, status)


def static(body: bytes, content_type: str, request_headers: dict[str, str]) -> Response:
    """A file with validators; a matching conditional GET gets 304."""
    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    headers = {"ETag": etag, "Last-Modified": STATIC_LAST_MODIFIED}
    if request_headers.get("if-none-match") == etag or (
        "if-none-match" not in request_headers
        and request_headers.get("if-modified-since") == STATIC_LAST_MODIFIED
    ):
        return Response(status=304, content_type="", headers=headers)
    return Response(body=body, content_type=content_type, headers=headers)


async def huge_stream() -> AsyncIterator[bytes]:
    chunk = b'{"value":[' + b" " * (1024 * 1024 - 10)
    filler = b" " * (1024 * 1024)
    sent = 0
    while sent < HUGE_BODY:
        yield chunk if sent == 0 else filler
        sent += 1024 * 1024
