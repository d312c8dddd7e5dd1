"""The cabinet's commitments (issue 17, point 2): statuses, changes, storage and routing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from scrapers.tweedekamer_commitments import parse_commitment
from state.commitments import (
    Commitment,
    CommitmentStatus,
    commitment_status,
    diff_commitments,
    fulfilment_sentence,
)
from state.models import ChangeKind, Channel, SubscriptionKind
from state.repository import Repository

from .factories import NOW

OPEN = Commitment(
    id="c1",
    number="TZ202110-001",
    text="De minister zal de Kamer informeren over de uitvoering van de moties (Nagorno-Karabach).",
    status=CommitmentStatus.OPEN,
    status_raw="Openstaand",
    ministry="Buitenlandse Zaken",
    made=date(2021, 10, 14),
)
DONE = replace(
    OPEN,
    status=CommitmentStatus.FULFILLED,
    status_raw="Voldaan",
    letter="2021D41766",
    evidence="Conform mijn toezegging … informeer ik u.",
)


def test_status_values_map_to_codes() -> None:
    assert commitment_status("Openstaand") is CommitmentStatus.OPEN
    assert commitment_status("Deels  voldaan") is CommitmentStatus.PARTLY
    assert commitment_status("Voldaan") is CommitmentStatus.FULFILLED
    assert commitment_status("Vervallen") is CommitmentStatus.LAPSED
    assert commitment_status(None) is CommitmentStatus.OTHER


def test_a_record_of_the_metadata_shape_parses() -> None:
    row = {
        "Id": "6B1D0000-0000-0000-0000-000000000001",
        "Nummer": "TZ202110-001",
        "Tekst": "  De minister zal …  ",
        "Status": "Openstaand",
        "Titulatuur": None,
        "Initialen": "W.B.",
        "Tussenvoegsel": None,
        "Achternaam": "Hoekstra",
        "Functie": "minister van Buitenlandse Zaken",
        "Ministerie": "Buitenlandse Zaken",
        "Aanmaakdatum": "2021-10-14T00:00:00+02:00",
        "DatumNakoming": "2021-12-31T00:00:00+01:00",
        "KamerbriefNakoming": None,
        "ActiviteitNummer": "2021A05841",
    }
    item = parse_commitment(row)
    assert item.id == "6b1d0000-0000-0000-0000-000000000001"
    assert (item.text, item.minister, item.made, item.due) == (
        "De minister zal …",
        "W.B. Hoekstra",
        date(2021, 10, 14),
        date(2021, 12, 31),
    )


def test_new_and_status_changes_once() -> None:
    first = diff_commitments({}, [OPEN], now=NOW)
    [new] = first.changes
    assert (new.kind, new.subject, new.new, new.old) == (
        ChangeKind.COMMITMENT_NEW,
        "TZ202110-001",
        "open",
        None,
    )
    assert diff_commitments({OPEN.id: OPEN}, [OPEN], now=NOW).changes == ()
    [done] = diff_commitments({OPEN.id: OPEN}, [DONE], now=NOW).changes
    assert (done.kind, done.old, done.new, done.letter_id) == (
        ChangeKind.COMMITMENT_STATUS,
        "open",
        "fulfilled",
        "2021D41766",
    )
    assert done.evidence == DONE.evidence
    # a later poll without the letter's text keeps the evidence and changes nothing
    assert diff_commitments({DONE.id: DONE}, [replace(DONE, evidence=None)], now=NOW).upserts == ()


def test_the_sentence_naming_the_commitment_wins() -> None:
    text = "Geachte voorzitter,\n\nIk schrijf u. Met deze brief kom ik TZ202110-001 na. Dank."
    assert fulfilment_sentence(text, OPEN) == "Met deze brief kom ik TZ202110-001 na."
    assert fulfilment_sentence("Geen woord erover.", OPEN) is None


def test_stored_listed_and_routed_to_followers(repo: Repository) -> None:
    sub = repo.get_or_create_subscriber(Channel.TELEGRAM, "42")
    other = repo.get_or_create_subscriber(Channel.TELEGRAM, "43")
    repo.subscribe(sub.id, SubscriptionKind.COMMITMENT, "TZ202110-001")
    [new] = repo.apply_commitments([OPEN], cursor="2021-10-15T09:00:00Z", now=NOW)
    assert new.id is not None
    assert new.subject == "TZ202110-001"
    [changed] = repo.apply_commitments([DONE], now=NOW)
    assert repo.changes(motion_id=None)[-1].subject == "TZ202110-001"
    assert [d.change_id for d in repo.deliveries(subscriber_id=sub.id)] == [new.id, changed.id]
    assert repo.deliveries(subscriber_id=other.id) == []
    assert repo.apply_commitments([DONE], now=NOW) == []
    assert [c.number for c in repo.commitments()] == ["TZ202110-001"]
    found = repo.get_commitment("tz202110-001")
    assert found is not None
    assert found.status is CommitmentStatus.FULFILLED
    assert found.evidence == DONE.evidence
    assert repo.get_cursors("tweedekamer-toezeggingen") == {"toezegging": "2021-10-15T09:00:00Z"}
