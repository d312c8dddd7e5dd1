"""Pure planning of pushes: one message per change, grouped reports, escaping, 4096 split."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from bot.telegram.outgoing import Outgoing, plan_digest, plan_messages
from state.models import (
    Change,
    ChangeFacts,
    ChangeKind,
    Channel,
    CitedMotion,
    ClaimedDelivery,
    Delivery,
    DeliveryStatus,
    Frequency,
    Letter,
    Motion,
    Subscriber,
)
from tests.telegram import data
from tests.telegram.fake_bot_api import check_html

NOW = datetime(2021, 11, 4, 12, tzinfo=UTC)
URL = "https://kw.example"


def _item(n: int, chat: str, change: Change, lang: str = "nl") -> ClaimedDelivery:
    return ClaimedDelivery(
        delivery=Delivery(id=n, subscriber_id=int(chat), change_id=change.id or 0,
                          status=DeliveryStatus.CLAIMED),
        subscriber=Subscriber(id=int(chat), channel=Channel.TELEGRAM, address=chat, language=lang),
        change=change,
    )  # fmt: skip


def _report(cited: CitedMotion, change_id: int, letter: Letter) -> Change:
    assert cited.status is not None
    return Change(
        kind=ChangeKind.EXECUTION_REPORTED,
        motion_id=cited.id,
        letter_id=letter.id,
        new=cited.status.value,
        evidence=cited.evidence,
        created=NOW,
        id=change_id,
    )


def _records() -> tuple[Letter, dict[str, Motion], dict[str, Letter]]:
    letter = data.letter_2423()
    motions = {m.id: m for m in (data.motion_2228(), data.motion_2234(), data.motion_2949())}
    return letter, motions, {letter.id: letter}


def test_reports_from_one_letter_to_one_chat_are_grouped_but_others_are_not() -> None:
    letter, motions, letters = _records()
    reports = [_report(c, 10 + i, letter) for i, c in enumerate(letter.motions)]
    new_letter = Change(ChangeKind.NEW_LETTER, letter_id=letter.id, id=9)
    items = [
        _item(1, "7", new_letter),
        *(_item(2 + i, "7", r) for i, r in enumerate(reports)),  # chat 7 follows everything
        _item(9, "8", reports[2]),  # chat 8 follows 21501-02-2234 only
    ]
    plan = plan_messages(items, motions=motions, letters=letters, public_url=URL)
    assert [(o.chat_id, o.delivery_ids) for o in plan] == [
        ("7", (1,)),
        ("7", (2, 3, 4)),
        ("8", (9,)),
    ]
    grouped = plan[1].parts[0]
    for cited in letter.motions:
        assert f'<a href="{URL}/motie/{cited.id}">{cited.id}</a>' in grouped
    assert "<b>uitgevoerd</b>" in grouped
    assert "<b>niet langer van toepassing</b>" in grouped
    assert "P.H. Omtzigt, CDA; M.R.H. van Helvert, CDA" in grouped
    assert f'<a href="{data.LETTER_URL}">' in grouped
    single = plan[2].parts[0]
    assert "Uitvoering gemeld" in single
    assert f'href="{URL}/motie/21501-02-2234"' in single
    assert all(check_html(p) <= 4096 for o in plan for p in o.parts)


def test_every_row_is_in_exactly_one_message() -> None:
    letter, motions, letters = _records()
    reports = [_report(c, 10 + i, letter) for i, c in enumerate(letter.motions)]
    items = [_item(n, str(100 + n % 3), reports[n % 3]) for n in range(30)]
    plan = plan_messages(items, motions=motions, letters=letters, public_url=URL)
    ids = [i for o in plan for i in o.delivery_ids]
    assert sorted(ids) == list(range(30))


def test_upstream_markup_is_escaped_and_a_javascript_link_dropped() -> None:
    evil = '<b onclick="x">&</b><script>alert(1)</script>'
    motion = Motion(id="35570-V-31", title=evil)
    letter = Letter(id="L1", title=evil, url="javascript:alert(1)")
    change = Change(
        ChangeKind.EXECUTION_REPORTED, motion_id=motion.id, letter_id="L1",
        new="executed", evidence=evil, id=1, facts=ChangeFacts(title=evil, submitter=evil),
    )  # fmt: skip
    [out] = plan_messages(
        [_item(1, "5", change)],
        motions={motion.id: motion},
        letters={"L1": letter},
        public_url=URL,
    )
    text = "\n".join(out.parts)
    assert "<script>" not in text
    assert "javascript:" not in text
    assert "&lt;script&gt;" in text
    check_html(text)  # Telegram would accept it


def test_a_long_grouped_message_is_split_on_lines_under_4096() -> None:
    letter, motions, _letters = _records()
    long_evidence = " ".join([data.sentence("Hoewel de kans klein is")] * 12)
    cited = [
        replace(c, id=f"21501-02-{3000 + i}", evidence=long_evidence)
        for i, c in enumerate(letter.motions * 6)
    ]
    big = replace(letter, motions=tuple(cited))
    items = [_item(i, "5", _report(c, i, big)) for i, c in enumerate(cited)]
    [out] = plan_messages(items, motions=motions, letters={big.id: big}, public_url=URL)
    assert len(out.parts) > 1
    assert all(len(p) <= 4096 for p in out.parts)
    for part in out.parts:
        check_html(part)  # no tag is cut in two
    joined = "\n".join(out.parts)
    assert len(re.findall(r"<blockquote>", joined)) == 18


def test_english_subscribers_get_english_labels() -> None:
    letter, motions, letters = _records()
    change = _report(letter.motions[2], 1, letter)
    [out] = plan_messages(
        [_item(1, "5", change, lang="en")], motions=motions, letters=letters, public_url=URL
    )
    assert out == Outgoing(out.chat_id, out.parts, (1,), "en")
    assert "Execution reported" in out.parts[0]
    assert "<b>in progress</b>" in out.parts[0]


def test_a_digest_is_one_message_per_chat() -> None:
    letter, motions, _letters = _records()
    reports = [_report(c, 10 + i, letter) for i, c in enumerate(letter.motions)]
    items = [_item(i, "5" if i < 2 else "6", r) for i, r in enumerate(reports)]
    plan = plan_digest(items, motions=motions, frequency=Frequency.WEEKLY, public_url=URL)
    assert [(o.chat_id, o.delivery_ids) for o in plan] == [("5", (0, 1)), ("6", (2,))]
    assert plan[0].parts[0].startswith("<b>Weekoverzicht</b> · 2 wijzigingen")
    assert "<b>Weekoverzicht</b> · 1 wijziging\n" in plan[1].parts[0]
