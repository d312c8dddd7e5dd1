"""Pure parts: arguments, deep links, callback data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.callbacks import MAX_CALLBACK_BYTES, Action, Callback, decode, encode
from bot.telegram.parsing import (
    MotionRef,
    RefKind,
    Target,
    deep_link_payload,
    parse_deep_link,
    parse_frequency,
    parse_language,
    parse_motion_ref,
    parse_target,
)
from state.models import Frequency, SubscriptionKind

M, D, K, ALL = (
    SubscriptionKind.MOTION,
    SubscriptionKind.DOSSIER,
    SubscriptionKind.KEYWORD,
    SubscriptionKind.ALL,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21501-02-2228", MotionRef(RefKind.ID, "21501-02-2228")),
        ("21501-02 nr. 2228", MotionRef(RefKind.ID, "21501-02-2228")),
        ("Kamerstuk 21 501-02, nr. 2228", MotionRef(RefKind.ID, "21501-02-2228")),
        ("kst-21501-02-2228", MotionRef(RefKind.ID, "21501-02-2228")),
        ("35 570 V, nr. 31", MotionRef(RefKind.ID, "35570-V-31")),
        ("2020Z21194", MotionRef(RefKind.ZAAK, "2020Z21194")),
        ("Omtzigt  oorlogsrecht", MotionRef(RefKind.WORDS, "Omtzigt oorlogsrecht")),
        ("   ", None),
    ],
)
def test_status_arguments(text: str, expected: MotionRef | None) -> None:
    assert parse_motion_ref(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alles", Target(ALL)),
        ("ALL", Target(ALL)),
        ("21501-02 nr. 2228", Target(M, "21501-02-2228")),
        ("35373-23", Target(M, "35373-23")),  # Kamerstuk 23 of dossier 35373
        ("21501-02", Target(D, "21501-02")),
        ("21 501-2", Target(D, "21501-02")),  # zero-padded like the official raadnr
        ("21501-20", Target(D, "21501-20")),  # 21501 always has a toevoeging
        ("35570 v", Target(D, "35570-V")),
        ("dossier 35373-23", Target(D, "35373-23")),  # explicitly a dossier
        ("trefwoord 21501", Target(K, "21501")),
        ("Oorlogsrecht", Target(K, "oorlogsrecht")),
        ("“Minsk Groep”", Target(K, "minsk groep")),
        ("ab", None),
        ("x" * 101, None),
        ("", None),
    ],
)
def test_follow_arguments(text: str, expected: Target | None) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    "target",
    [Target(M, "21501-02-2228"), Target(M, "35570-V-31"), Target(D, "21501-20"), Target(ALL)],
)
def test_deep_links_round_trip_within_64_characters(target: Target) -> None:
    payload = deep_link_payload(target)
    assert payload is not None
    assert len(payload) <= 64
    assert parse_deep_link(payload) == target


def test_bad_deep_links_are_ignored() -> None:
    assert parse_deep_link("volg_<script>") is None
    assert parse_deep_link("x" * 65) is None
    assert parse_deep_link("hallo") is None
    assert deep_link_payload(Target(K, "oorlogsrecht")) is None


def test_options() -> None:
    assert parse_frequency("Dagelijks") is Frequency.DAILY
    assert parse_frequency("weekly") is Frequency.WEEKLY
    assert parse_frequency("direct") is Frequency.INSTANT
    assert parse_frequency("soms") is None
    assert parse_language("EN") == "en"
    assert parse_language("nederlands") == "nl"
    assert parse_language("fr") is None


@pytest.mark.parametrize(
    "callback",
    [
        Callback(Action.FOLLOW, target=Target(M, "21501-02-2228")),
        Callback(Action.UNFOLLOW, target=Target(M, "36800-IXB-5"), redraw=True),
        Callback(Action.FOLLOW, target=Target(ALL)),
        Callback(Action.FOLLOW, target=Target(K, "oorlogsrecht: schending")),
        Callback(Action.UNFOLLOW_ID, subscription_id=123456),
        Callback(Action.SHOW, motion_id="35570-V-31"),
    ],
)
def test_callback_data_round_trips(callback: Callback) -> None:
    data = encode(callback)
    assert data is not None
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert decode(data) == callback


def test_a_callback_that_would_not_fit_is_left_out() -> None:
    assert encode(Callback(Action.FOLLOW, target=Target(K, "é" * 40))) is None


@given(st.text(max_size=100))
def test_decoding_never_raises(data: str) -> None:
    result = decode(data)
    assert result is None or isinstance(result, Callback)
