"""A small, fast writer for one kind of mail: multipart/alternative, text + HTML, UTF-8.

The standard library's ``EmailMessage`` re-parses every header on assignment and re-folds it on
output; for ten thousand digests that costs more than rendering them. This writer produces the
same wire format directly: headers (RFC 2047 for non-ASCII, folded at spaces), both parts
quoted-printable (``binascii``), CRLF line endings. The boundary starts with ``=_``, which
quoted-printable text can never contain (it always writes ``=`` as ``=3D``).

``tests/email/test_mime.py`` checks that the standard parser reads back exactly what
``EmailMessage`` would have held.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Sequence
from email.header import Header
from email.utils import formataddr, parseaddr

__all__ = ["ADDRESS_HEADERS", "encode_header", "multipart_alternative"]

ADDRESS_HEADERS = frozenset({"from", "to", "cc", "reply-to", "sender"})
MAX_LINE = 78


def _one_line(value: str) -> str:
    """A header value cannot carry line breaks: collapse all whitespace runs (no injection)."""
    if "\r" in value or "\n" in value:
        return " ".join(value.split())
    return value


def _fold(line: str) -> str:
    """Fold an ASCII header line at spaces so lines stay under 78 characters where possible.

    The first word stays on the name's line: a fold right after ``Name:`` would read back
    with a leading space.
    """
    if len(line) <= MAX_LINE:
        return line
    name, first, *words = line.split(" ")
    out: list[str] = []
    current = f"{name} {first}"
    for word in words:
        if len(current) + 1 + len(word) > MAX_LINE:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}"
    out.append(current)
    return "\r\n ".join(out)


def _address(value: str) -> str:
    name, addr = parseaddr(value)
    if not addr:
        return value
    return formataddr((name, addr), charset="utf-8") if name else addr


def encode_header(name: str, value: str) -> str:
    """``Name: value`` ready for the wire (no trailing CRLF)."""
    value = _one_line(value)
    if name.lower() in ADDRESS_HEADERS:
        value = ", ".join(_address(v.strip()) for v in value.split(",")) if "@" in value else value
    if value.isascii():
        return _fold(f"{name}: {value}")
    encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}"


def _qp(text: str) -> bytes:
    body = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    return body.replace(b"\n", b"\r\n")


def multipart_alternative(
    headers: Sequence[tuple[str, str]], text: str, html: str, *, seed: str = ""
) -> bytes:
    """The complete message: ``headers``, then the text part and the HTML alternative."""
    boundary = (
        f"=_kw_{hashlib.blake2b(seed.encode() + text[:200].encode(), digest_size=12).hexdigest()}"
    )
    lines = [encode_header(name, value) for name, value in headers]
    lines.append("MIME-Version: 1.0")
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    part_head = (
        'Content-Type: text/{}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    return b"".join(
        (
            head,
            f"--{boundary}\r\n".encode(),
            part_head.format("plain").encode(),
            _qp(text),
            f"\r\n--{boundary}\r\n".encode(),
            part_head.format("html").encode(),
            _qp(html),
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )
