"""The agenda diff (issue 17, point 1): scheduled once, moved, cancelled, taken off, held."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from state.agenda import AgendaItem, AgendaStatus, DateKind, agenda_status, date_kind, diff_agenda
from state.models import ChangeKind, Channel, SubscriptionKind
from state.repository import Repository

NOW = datetime(2025, 10, 1, 12, tzinfo=UTC)
ITEM = AgendaItem(
    activity_id="ad15b461",
    zaak_id="d9658e92",
    activity_nummer="2025A06526",
    kind="Stemmingen",
    subject="STEMMINGEN",
    status=AgendaStatus.PLANNED,
    day=date(2025, 10, 2),
    start=datetime(2025, 10, 2, 20, 30, tzinfo=UTC),
    zaak_nummer="2025Z08365",
    title="Motie van het lid Rikkers-Oosterkamp over pgb",
    appraisal="Ontraden",
    motion_id="2025Z08365",
)


def _diff(stored: list[AgendaItem], observed: list[AgendaItem]):  # type: ignore[no-untyped-def]
    return diff_agenda({i.key: i for i in stored}, observed, activities=[ITEM.activity_id], now=NOW)


def test_upstream_values_map_to_codes() -> None:
    assert agenda_status("Gepland") is AgendaStatus.PLANNED
    assert agenda_status("Verplaatst") is AgendaStatus.MOVED
    assert agenda_status("Geannuleerd") is AgendaStatus.CANCELLED
    assert agenda_status("Uitgevoerd") is AgendaStatus.HELD
    assert agenda_status("iets anders") is AgendaStatus.OTHER
    assert date_kind("Weeknummer") is DateKind.WEEK
    assert date_kind("Nog geen datum bekend") is DateKind.UNKNOWN


def test_a_new_item_on_a_planned_vote_is_scheduled_once() -> None:
    first = _diff([], [ITEM])
    [change] = first.changes
    assert change.kind is ChangeKind.VOTE_SCHEDULED
    assert (change.motion_id, change.new, change.evidence, change.letter_id) == (
        "2025Z08365",
        "2025-10-02T20:30:00+00:00",
        "Ontraden",
        "2025A06526",
    )
    assert first.upserts == (ITEM,)
    again = _diff([ITEM], [ITEM])
    assert again.changes == ()
    assert again.upserts == ()


def test_a_debate_is_scheduled_as_a_debate_and_a_week_as_a_week() -> None:
    debate = replace(ITEM, kind="Commissiedebat", date_kind=DateKind.WEEK, day=date(2025, 11, 24))
    [change] = _diff([], [debate]).changes
    assert change.kind is ChangeKind.DEBATE_SCHEDULED
    assert change.new == "2025-W48"


def test_untracked_items_are_stored_without_changes_until_followed() -> None:
    untracked = replace(ITEM, motion_id=None)
    first = _diff([], [untracked])
    assert first.changes == ()
    assert first.upserts == (untracked,)
    [change] = _diff([untracked], [ITEM]).changes  # now followed, still planned
    assert change.kind is ChangeKind.VOTE_SCHEDULED


def test_moved_cancelled_removed_and_held() -> None:
    later = replace(
        ITEM, status=AgendaStatus.MOVED, start=datetime(2025, 10, 9, 20, 30, tzinfo=UTC)
    )
    [moved] = _diff([ITEM], [later]).changes
    assert (moved.kind, moved.old, moved.new) == (
        ChangeKind.AGENDA_MOVED,
        "2025-10-02T20:30:00+00:00",
        "2025-10-09T20:30:00+00:00",
    )
    [cancelled] = _diff([ITEM], [replace(ITEM, status=AgendaStatus.CANCELLED)]).changes
    assert cancelled.kind is ChangeKind.AGENDA_CANCELLED
    removed = _diff([ITEM], [])
    assert [c.kind for c in removed.changes] == [ChangeKind.AGENDA_REMOVED]
    assert removed.removed == (ITEM,)
    held = _diff([ITEM], [replace(ITEM, status=AgendaStatus.HELD)])
    assert held.changes == ()  # the result follows as a vote
    assert held.upserts[0].status is AgendaStatus.HELD
    # another activity's items are not touched by this one's observation
    other = replace(ITEM, activity_id="other")
    assert _diff([other], []).removed == ()


LETTER = replace(  # a letter of dossier 21501-02 on a committee debate (scenario agenda-debate)
    ITEM,
    activity_id="783deadf",
    zaak_id="92af4c83",
    activity_nummer="2025A03873",
    kind="Commissiedebat",
    subject="Raad Buitenlandse Zaken 15 december 2025",
    day=date(2025, 12, 10),
    start=datetime(2025, 12, 10, 9, tzinfo=UTC),
    zaak_nummer="2021Z10879",
    zaak_kind="Brief regering",
    title="Reactie op verzoek commissie over het conflict tussen Azerbeidzjan en Armenië",
    appraisal=None,
    dossier="21501-02",
    motion_id=None,
)


def test_a_followed_dossiers_letter_on_a_debate_is_no_motion() -> None:
    def by_dossier(item: AgendaItem) -> bool:
        return item.motion_id is not None or item.dossier == "21501-02"

    result = diff_agenda(
        {}, [LETTER], activities=[LETTER.activity_id], now=NOW, relevant=by_dossier
    )
    [change] = result.changes
    assert change.kind is ChangeKind.DEBATE_SCHEDULED
    assert change.motion_id is None  # the Zaak number of a letter is no motion id
    assert change.letter_id == "2025A03873"
    assert change.facts is not None
    assert (change.facts.ident, change.facts.title) == ("2021Z10879", LETTER.title)
    assert (change.facts.session, change.facts.session_subject) == (
        "Commissiedebat",
        "Raad Buitenlandse Zaken 15 december 2025",
    )
    [route] = result.routes
    assert route.dossiers == frozenset({"21501-02"})
    # an untracked motion of a followed dossier keeps its Zaak number as the motion
    motion = replace(LETTER, zaak_kind="Motie", zaak_nummer="2025Z18663")
    [change] = diff_agenda(
        {}, [motion], activities=[LETTER.activity_id], now=NOW, relevant=by_dossier
    ).changes
    assert change.motion_id == "2025Z18663"
    # a voting session's change names no session (its push is unchanged)
    [vote] = _diff([], [ITEM]).changes
    assert vote.facts is not None
    assert vote.facts.session is None


def test_a_followed_dossiers_debate_item_is_listed_and_routed(repo: Repository) -> None:
    other = repo.get_or_create_subscriber(Channel.TELEGRAM, "52")
    repo.subscribe(other.id, SubscriptionKind.DOSSIER, "21501-20")
    seen = replace(LETTER, activity_id="a-debate-seen-before")
    assert repo.apply_agenda([seen], activities=[seen.activity_id], now=NOW) == []
    assert repo.agenda() == []  # stored, but nobody follows its dossier
    assert [i.zaak_nummer for i in repo.agenda(include_untracked=True)] == ["2021Z10879"]
    follower = repo.get_or_create_subscriber(Channel.TELEGRAM, "51")
    repo.subscribe(follower.id, SubscriptionKind.DOSSIER, "21501-02")
    assert [i.activity_id for i in repo.agenda()] == [seen.activity_id]
    [change] = repo.apply_agenda([LETTER], activities=[LETTER.activity_id], now=NOW)
    assert change.kind is ChangeKind.DEBATE_SCHEDULED
    assert [d.change_id for d in repo.deliveries(subscriber_id=follower.id)] == [change.id]
    assert repo.deliveries(subscriber_id=other.id) == []
    assert repo.apply_agenda([LETTER], activities=[LETTER.activity_id], now=NOW) == []
