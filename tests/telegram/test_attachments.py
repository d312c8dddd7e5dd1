"""The file sent next to a push (issue 17) against the fake Bot API: sent after the message,
silently; a refused or flood-limited file never turns a delivered message into a failure."""

from __future__ import annotations

import logging

import pytest

from bot.telegram.attachments import calendar_filename
from bot.telegram.notifier import SendStatus, TelegramNotifier
from bot.telegram.outgoing import Outgoing
from tests.telegram.fake_bot_api import FakeBotAPI

CHAT = 1801
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def _out(document: tuple[str, bytes] | None) -> Outgoing:
    parts = ("Op de stemmingslijst",)
    return Outgoing(str(CHAT), parts, delivery_ids=(1,), lang="nl", document=document)


async def test_the_file_follows_the_message(fake: FakeBotAPI, notifier: TelegramNotifier) -> None:
    result = await notifier.send(_out(("kamerwacht-2025Z08365.ics", ICS)))
    assert result.status is SendStatus.SENT
    assert [c.method for c in fake.calls if c.method in ("sendMessage", "sendDocument")] == [
        "sendMessage",
        "sendDocument",
    ]
    [document] = fake.documents
    assert document == {
        "chat": CHAT,
        "filename": "kamerwacht-2025Z08365.ics",
        "content": ICS,
        "silent": True,
    }
    assert (await notifier.send(_out(None))).status is SendStatus.SENT
    assert len(fake.documents) == 1  # no file, no sendDocument


async def test_a_refused_file_leaves_the_message_delivered(
    fake: FakeBotAPI, notifier: TelegramNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next(400, "Bad Request: file is too big", method="sendDocument")
    with caplog.at_level(logging.WARNING):
        result = await notifier.send(_out(("x.ics", ICS)))
    assert result.status is SendStatus.SENT
    assert len(fake.sent) == 1
    assert fake.documents == []
    assert "attachment x.ics not sent: File is too big" in caplog.text
    # a flood wait on the file is waited out once
    fake.fail_next(429, method="sendDocument")
    assert (await notifier.send(_out(("y.ics", ICS)))).status is SendStatus.SENT
    assert [d["filename"] for d in fake.documents] == ["y.ics"]


def test_file_names_are_safe() -> None:
    assert calendar_filename("21501-02-2228") == "kamerwacht-21501-02-2228.ics"
    assert calendar_filename("../x y") == "kamerwacht----x-y.ics"
