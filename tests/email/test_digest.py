"""Digest assembly (pure): grouping and order, each change once, both parts, headers, escaping."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.email.digest import (
    DigestGroup,
    digest_message_id,
    digest_subject,
    group_changes,
    render_digest_mail,
)
from state.models import Change, ChangeFacts, ChangeKind, Letter, Motion
from tests.web.facts import letter_2423, motion_2234, motion_3067

NOW = datetime(2025, 3, 15, 7, 0, tzinfo=UTC)
BASE = "https://kamerwacht.example.org"


def _changes() -> list[Change]:
    evidence = letter_2423().motions[0].evidence
    return [
        Change(
            ChangeKind.NEW_MOTION,
            "21501-20-1714",
            id=5,
            facts=ChangeFacts(submitter="Segers", cosigned=True),
        ),
        Change(
            ChangeKind.NEW_LETTER,
            letter_id="21501-02-2423",
            id=7,
            facts=ChangeFacts(title="Uitvoering van alle moties …", document="letter"),
        ),
        Change(
            ChangeKind.EXECUTION_REPORTED,
            "21501-02-2234",
            "21501-02-2423",
            new="in_progress",
            evidence=evidence,
            id=8,
            facts=ChangeFacts(submitter="Omtzigt", cosigned=True),
        ),
        Change(
            ChangeKind.VOTE_RECORDED,
            "21501-02-3067",
            old="submitted",
            new="adopted",
            id=4,
            facts=ChangeFacts(
                submitter="Ceder", decision="adopted", votes_for=113, votes_against=37
            ),
        ),
    ]


def _motions() -> dict[str, Motion]:
    return {m.id: m for m in (motion_2234(), motion_3067(decided=True))}


def _build(changes: list[Change], **extra: object) -> object:
    return render_digest_mail(
        to="lezer@example.org",
        sender="kamerwacht <kamerwacht@example.org>",
        changes=changes,
        motions=_motions(),
        letters={"21501-02-2423": letter_2423()},
        public_url=BASE,
        manage_url=f"{BASE}/abonnement/TOKEN",
        period="15 maart 2025",
        now=NOW,
        **extra,  # type: ignore[arg-type]
    ).message()


def test_groups_status_news_first_then_letters_then_new_motions() -> None:
    groups = group_changes(_changes(), _motions())
    assert [g.motion_id for g in groups] == [
        "21501-02-3067",
        "21501-02-2234",
        None,
        "21501-20-1714",
    ]
    assert groups[2].changes[0].kind is ChangeKind.NEW_LETTER


def test_each_change_appears_once_however_often_it_is_passed() -> None:
    changes = _changes()
    groups = group_changes(changes + changes[::-1], _motions())
    assert sum(len(g.changes) for g in groups) == len(changes)


def test_digest_has_text_then_html_with_links_and_evidence() -> None:
    msg = _build(
        _changes(),
        unsubscribe_url=f"{BASE}/afmelden/TOK",
    )
    assert msg.get_content_type() == "multipart/alternative"
    text, html = (p.get_content() for p in msg.iter_parts())
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    for body in (text, html):
        assert f"{BASE}/motie/21501-02-3067" in body
        assert f"{BASE}/abonnement/TOKEN" in body
        assert f"{BASE}/afmelden/TOK" in body
        assert "zal het kabinet zich blijven hardmaken voor waarheidsvinding" in body
        assert "https://zoek.officielebekendmakingen.nl/kst-21501-02-2423.html" in body
    # status news first: the vote on 3067 comes before the new letter and the new motion
    assert (
        text.index("21501-02-3067")
        < text.index("Nieuwe Kamerbrieven")
        < text.index("21501-20-1714")
    )
    assert "ingediend -> aangenomen" in text
    assert msg["List-Unsubscribe"] == f"<{BASE}/afmelden/TOK>"  # no mailto nothing reads
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Subject"] == "kamerwacht: 4 wijzigingen (15 maart 2025)"


def test_message_id_depends_only_on_recipient_and_changes() -> None:
    changes = _changes()
    a = _build(changes)
    b = _build(changes[::-1])
    assert a["Message-ID"] == b["Message-ID"]
    assert a["Message-ID"] == digest_message_id(
        "lezer@example.org", [4, 5, 7, 8], "kamerwacht.example.org"
    )
    assert _build(changes[:2])["Message-ID"] != a["Message-ID"]


def test_upstream_strings_are_escaped_in_the_html_part() -> None:
    evil = Motion(id="21501-02-9999", title='<script>alert("x")</script> & co')
    change = Change(
        ChangeKind.NEW_MOTION,
        evil.id,
        evidence="<img src=x>",
        id=1,
        facts=ChangeFacts(title="<b>nieuw</b>", submitter="<b>nieuw</b>"),
    )
    msg = render_digest_mail(
        to="lezer@example.org",
        sender="kamerwacht <kamerwacht@example.org>",
        changes=[change],
        motions={evil.id: evil},
        letters={"x": Letter(id="x", title="<i>brief</i>")},
        public_url=BASE,
        manage_url=f"{BASE}/abonnement/T",
        period="",
        now=NOW,
    ).message()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>nieuw</b>" not in html
    assert "<img src=x>" not in html
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert '<script>alert("x")</script>' in text  # plain text stays literal


def test_a_new_motion_title_appears_once_and_every_letter_has_a_link() -> None:
    from dataclasses import replace
    from datetime import date

    motion = replace(motion_2234(), id="35570-V-31", title="Motie Van Helvert over erkenning")
    new = Change(
        ChangeKind.NEW_MOTION,
        "35570-V-31",
        id=9,
        facts=ChangeFacts(title=motion.title, submitter="Van Helvert"),
        occurred=date(2020, 11, 12),
    )
    no_url = replace(letter_2423(), url=None)
    letter_change = Change(
        ChangeKind.NEW_LETTER,
        letter_id="21501-02-2423",
        id=10,
        facts=ChangeFacts(title="Uitvoering …", document="letter", ident="21501-02-2423"),
        occurred=date(2021, 11, 4),
    )
    msg = render_digest_mail(
        to="lezer@example.org",
        sender="kamerwacht <kamerwacht@example.org>",
        changes=[new, letter_change],
        motions={"35570-V-31": motion},
        letters={"21501-02-2423": no_url},
        public_url=BASE,
        manage_url=f"{BASE}/abonnement/TOKEN",
        period="15 maart 2025",
        now=NOW,
    ).message()
    text, html = (p.get_content() for p in msg.iter_parts())  # type: ignore[attr-defined]
    for body in (text, html):
        assert body.count("Motie Van Helvert over erkenning") == 1
        assert f"{BASE}/brieven#brief-21501-02-2423" in body
        assert "4 november 2021" in body  # the letter's own date


def test_agenda_and_commitment_changes_have_sections_of_their_own() -> None:
    """A debate with a followed dossier's letter on its agenda and a commitment are about no
    motion: they get sections of their own, not "Nieuwe Kamerbrieven", and an agenda change
    points to the agenda, never to a letter named after the Activiteit's number."""
    debate = Change(
        ChangeKind.DEBATE_SCHEDULED,
        None,
        "2025A03873",
        new="2025-12-10T09:00:00+00:00",
        id=11,
        facts=ChangeFacts(title="Reactie op verzoek commissie over het conflict"),
    )
    on_vote_list = Change(
        ChangeKind.VOTE_SCHEDULED,
        "21501-02-3067",
        "2025A06526",
        new="2025-10-02T20:30:00+00:00",
        id=12,
    )
    commitment = Change(
        ChangeKind.COMMITMENT_STATUS,
        letter_id="21501-02-2423",
        subject="TZ202501-001",
        old="open",
        new="fulfilled",
        id=13,
        facts=ChangeFacts(title="De minister informeert de Kamer"),
    )
    groups = group_changes([*_changes(), debate, on_vote_list, commitment], _motions())
    sections = {g.section: g for g in groups if g.motion_id is None}
    assert set(sections) == {"letters", "agenda", "commitments"}
    assert sections["agenda"].changes == [debate]
    assert sections["commitments"].changes == [commitment]
    assert [c.kind for c in sections["letters"].changes] == [ChangeKind.NEW_LETTER]
    msg = _build([*_changes(), debate, on_vote_list, commitment])
    text, html = (p.get_content() for p in msg.iter_parts())
    for body in (text, html):
        assert f"{BASE}/agenda" in body
        assert f"{BASE}/toezeggingen" in body
        assert "Activiteit 2025A03873" in body
        assert "Activiteit 2025A06526" in body  # under the motion it is about
        assert "brief-2025A" not in body  # no letter named after an Activiteit
    assert "== Agenda" in text
    assert "== Toezeggingen" in text
    assert text.count("== Nieuwe Kamerbrieven") == 1


def test_the_subject_is_told_in_the_readers_language() -> None:
    one = [DigestGroup(motion_id="21501-02-3067", changes=[Change(kind=ChangeKind.NEW_MOTION)])]
    two = [
        *one,
        DigestGroup(
            motion_id=None, section="letters", changes=[Change(kind=ChangeKind.NEW_LETTER)]
        ),
    ]
    assert digest_subject(one, "week tot 1 maart 2025", "nl") == (
        "kamerwacht: 1 wijziging bij motie 21501-02-3067 (week tot 1 maart 2025)"
    )
    assert digest_subject(one, "1 March 2025", "en") == (
        "kamerwacht: 1 change in motion 21501-02-3067 (1 March 2025)"
    )
    assert digest_subject(two, "", "en") == "kamerwacht: 2 changes in motion 21501-02-3067"
    assert digest_subject(two * 2, "", "nl") == "kamerwacht: 4 wijzigingen"
