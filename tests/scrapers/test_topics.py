"""Topic profiles: spelling variants, exclusions, the registry."""

from __future__ import annotations

import pytest

from scrapers.topics import NAGORNO_KARABACH, TopicProfile, get_topic, normalize
from tests.scrapers.replay_helpers import zaak_file


def test_default_topic() -> None:
    topic = get_topic()
    assert topic is NAGORNO_KARABACH
    assert topic.name == "nagorno-karabach"
    assert "21501-02" in topic.dossiers
    assert get_topic(" Nagorno-Karabach ") is topic


def test_unknown_topic_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="nagorno-karabach"):
        get_topic("oekraine")


@pytest.mark.parametrize(
    "text",
    [
        "De situatie in Nagorno-Karabach",
        "het conflict in Nagorno-Karabakh",
        "vrijlating van Armeense krijgsgevangenen",
        "Armeniërs op de vlucht",
        "ARMENIË en AZERBEIDZJAN",
        "de Azerbeidzjaanse president",
        "de Lachin-corridor",
        "humanitaire hulp voor Artsakh",
        "stabiliteit in de Zuid-Kaukasus",
    ],
)
def test_matches_spelling_variants(text: str) -> None:
    assert NAGORNO_KARABACH.matches(text)


@pytest.mark.parametrize(
    "text",
    [
        "Landenbeleid Azerbeidzjan",
        "Uitspraken president van Azerbeidzjan tijdens de COP29",
        "Landgebonden asielbeleid Noordelijke Kaukasus",
        "Toetreding Azerbeidzjan tot het Haags Alimentatieverdrag 2007",
        "Verslag van de Landbouw- en Visserijraad",
        "",
        None,
    ],
)
def test_exclusions_and_unrelated_texts(text: str | None) -> None:
    assert not NAGORNO_KARABACH.matches(text)


def test_every_recorded_topic_motion_matches() -> None:
    motions = [z for z in zaak_file() if z["Soort"] == "Motie"]
    assert len(motions) == 32
    assert all(NAGORNO_KARABACH.matches(z["Onderwerp"]) for z in motions)


def test_normalize_and_custom_profiles() -> None:
    assert normalize("Armenië") == "armenie"
    custom = TopicProfile("test", ("Kenniscoalitie",), exclusions=("concept",))
    assert custom.matches("Antwoord van KENNISCOALITIE")
    assert not custom.matches("Kenniscoalitie concept")
