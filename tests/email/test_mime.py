"""The fast wire writer reads back (stdlib parser) exactly as the EmailMessage it replaces."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from bot.email.digest import DigestMail
from bot.email.mime import encode_header, multipart_alternative

TEXT = (
    "kamerwacht — overzicht 15 maart 2025\n\n"
    "== Motie 21501-02-2234: Gewijzigde motie … Nagorno-Karabach\n"
    ".begins with a dot\nFrom the start of a line\n= equals = signs =3D\ntrailing spaces   \n"
    + "lang " * 80
    + "\n“Hoewel de kans klein is …”\n"
)
HTML = '<!doctype html>\n<p style="color:#1b1f24">Één “citaat” &amp; <a href="https://x/?a=1&amp;b=2">link</a></p>\n'


def _mail(**headers: str) -> DigestMail:
    base = {
        "From": "kamerwacht <kamerwacht@example.org>",
        "To": "lezer@example.org",
        "Subject": "kamerwacht: 3 wijzigingen (15 maart 2025)",
        "Date": "Sat, 15 Mar 2025 07:00:00 +0000",
        "Message-ID": "<digest.0123456789abcdef@kamerwacht.example.org>",
        "Auto-Submitted": "auto-generated",
        "List-Unsubscribe": "<https://kamerwacht.example.org/afmelden/1.684bda80."
        "TyJBXukfFMgA-oCaNOvD5DTNvAqtAihwi2sPjtsceQw>, <mailto:kamerwacht@example.org"
        "?subject=unsubscribe-1.684bda80.TyJBXukfFMgA-oCaNOvD5DTNvAqtAihwi2sPjtsceQw>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    } | headers
    return DigestMail("lezer@example.org", base["Message-ID"], tuple(base.items()), TEXT, HTML)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {
            "From": "Kamerwacht – België <kamerwacht@example.org>",
            "Subject": "kamerwacht: één wijziging",
        },
        {"Subject": "week to 15 March 2025 — " + "x" * 120},
    ],
)
def test_wire_bytes_read_back_like_the_email_message(headers: dict[str, str]) -> None:
    mail = _mail(**headers)
    parse = BytesParser(policy=policy.default).parsebytes
    wire = parse(mail.as_bytes())
    built = mail.message()
    std = parse(built.as_bytes(policy=policy.SMTP))  # as the stdlib puts it on the wire
    for name, _ in mail.headers:
        assert str(wire[name]) == str(built[name]), name
    assert wire.get_content_type() == "multipart/alternative"
    wire_parts = [(p.get_content_type(), p.get_content()) for p in wire.iter_parts()]
    std_parts = [(p.get_content_type(), p.get_content()) for p in std.iter_parts()]
    assert wire_parts == std_parts
    contents = [text.replace("\r\n", "\n") for _, text in wire_parts]
    assert contents == [TEXT, HTML]


def test_wire_format_is_crlf_ascii_with_short_header_lines() -> None:
    data = _mail().as_bytes()
    data.decode("ascii")  # 7-bit clean: quoted-printable bodies, encoded headers
    head = data.split(b"\r\n\r\n", 1)[0]
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in head.split(b"\r\n")) <= 998
    for line in head.split(b"\r\n"):  # longer only where one word (a URL) cannot be broken
        assert len(line) <= 78 or line.strip().split(b": ", 1)[-1].count(b" ") == 0, line


def test_header_values_cannot_inject_headers() -> None:
    line = encode_header("Subject", "hallo\r\nBcc: iedereen@example.org")
    assert "\r\nBcc" not in line
    assert "\n" not in line.replace("\r\n ", "")
    raw = multipart_alternative([("Subject", "a\nX-Evil: 1")], "t", "h")
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["X-Evil"] is None


def test_digest_mail_from_the_service_reads_back(repo) -> None:
    from bot.email.digest import render_digest_mail
    from state.models import Change, ChangeFacts, ChangeKind
    from tests.web.facts import letter_2423, motion_3067

    change = Change(
        ChangeKind.EXECUTION_REPORTED,
        "21501-02-2234",
        "21501-02-2423",
        new="in_progress",
        evidence=letter_2423().motions[0].evidence,
        id=8,
        facts=ChangeFacts(submitter="Omtzigt", cosigned=True),
    )
    mail = render_digest_mail(
        to="lezer@example.org",
        sender="kamerwacht <kamerwacht@example.org>",
        changes=[change],
        motions={"21501-02-3067": motion_3067(decided=True)},
        letters={"21501-02-2423": letter_2423()},
        public_url="https://kamerwacht.example.org",
        manage_url="https://kamerwacht.example.org/abonnement/T",
        unsubscribe_url="https://kamerwacht.example.org/afmelden/T",
        period="15 maart 2025",
        now=datetime(2025, 3, 15, 7, tzinfo=UTC),
    )
    wire = BytesParser(policy=policy.default).parsebytes(mail.as_bytes())
    text = wire.get_body(preferencelist=("plain",)).get_content()
    html = wire.get_body(preferencelist=("html",)).get_content()
    assert (text.replace("\r\n", "\n"), html.replace("\r\n", "\n")) == (mail.text, mail.html)
    assert wire["List-Unsubscribe"] == "<https://kamerwacht.example.org/afmelden/T>"
