"""Signed, expiring tokens: genuine ones read back; forged, altered, expired, misused don't."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.email.tokens import CONFIRM, MANAGE, UNSUBSCRIBE, InvalidToken, make_token, read_token

SECRET = "s3cret"
NOW = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_a_token_reads_back_as_its_subscriber() -> None:
    token = make_token(SECRET, CONFIRM, 42, ttl=DAY, now=NOW)
    assert read_token(SECRET, CONFIRM, token, now=NOW + timedelta(hours=23)) == 42
    assert token.replace("-", "").replace("_", "").replace(".", "").isalnum()  # urlsafe


def test_expired_token_is_refused_even_if_genuine() -> None:
    token = make_token(SECRET, UNSUBSCRIBE, 7, ttl=DAY, now=NOW)
    with pytest.raises(InvalidToken, match="expired"):
        read_token(SECRET, UNSUBSCRIBE, token, now=NOW + DAY)
    with pytest.raises(InvalidToken, match="expired"):
        read_token(SECRET, UNSUBSCRIBE, token, now=NOW + 30 * DAY)  # a replay long after


def test_forged_signature_is_refused() -> None:
    token = make_token("another key", CONFIRM, 42, ttl=DAY, now=NOW)
    with pytest.raises(InvalidToken, match="signature"):
        read_token(SECRET, CONFIRM, token, now=NOW)


@pytest.mark.parametrize("part", [0, 1, 2])
def test_altering_any_part_is_refused(part: int) -> None:
    token = make_token(SECRET, MANAGE, 42, ttl=DAY, now=NOW)
    pieces = token.split(".")
    if part == 0:
        pieces[0] = format(43, "x")  # another subscriber
    elif part == 1:
        pieces[1] = format(int(pieces[1], 16) + 86400 * 365, "x")  # a later expiry
    else:
        pieces[2] = ("A" if pieces[2][0] != "A" else "B") + pieces[2][1:]
    with pytest.raises(InvalidToken):
        read_token(SECRET, MANAGE, ".".join(pieces), now=NOW)


def test_a_token_only_serves_its_purpose() -> None:
    token = make_token(SECRET, UNSUBSCRIBE, 42, ttl=DAY, now=NOW)
    with pytest.raises(InvalidToken):
        read_token(SECRET, CONFIRM, token, now=NOW)
    with pytest.raises(InvalidToken):
        read_token(SECRET, MANAGE, token, now=NOW)


@pytest.mark.parametrize(
    "junk", ["", "abc", "1.2", "1.2.3", "../etc/passwd", "x" * 500, "1.2." + "=" * 43]
)
def test_malformed_tokens_are_refused(junk: str) -> None:
    with pytest.raises(InvalidToken):
        read_token(SECRET, CONFIRM, junk, now=NOW)
