"""Topic profiles: which words and dossiers make a motion or letter part of the watched topic.

A profile lists search terms (word stems and spelling variants, matched case- and
accent-insensitively inside words, so ``Armeni`` finds "Armenië" and "Armeniërs"), exclusions that
veto a match (a text about asylum country policy names Azerbaijan but is not about the conflict),
and the Kamerstuk dossiers where the topic's motions and letters are filed (used by the
officiële-bekendmakingen search). Motions on a subscriber's watch list are tracked whatever their
title says; that is the sources' job, not the profile's.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property

__all__ = ["NAGORNO_KARABACH", "TOPICS", "TopicProfile", "get_topic", "normalize"]


def normalize(text: str) -> str:
    """Case-fold and strip accents: ``"Armenië"`` → ``"armenie"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class TopicProfile:
    """One watched topic."""

    name: str
    terms: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    dossiers: tuple[str, ...] = ()
    # whole words to ask a site's own search for (its index matches words, not our stems);
    # without them the profile's name is asked for
    search_words: tuple[str, ...] = ()
    # budget chapters of the ministries whose begrotingen and jaarverslagen report on the topic's
    # motions (their motion overviews are read as execution reports)
    ministries: tuple[str, ...] = ()

    @cached_property
    def _folded(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return tuple(normalize(t) for t in self.terms), tuple(normalize(t) for t in self.exclusions)

    def matches(self, text: str | None) -> bool:
        """Whether ``text`` names the topic (a term occurs and no exclusion does)."""
        if not text:
            return False
        folded = normalize(text)
        terms, exclusions = self._folded
        return any(t in folded for t in terms) and not any(x in folded for x in exclusions)


NAGORNO_KARABACH = TopicProfile(
    name="nagorno-karabach",
    terms=(
        "Karabach",
        "Karabakh",
        "Karabagh",
        "Nagorno",
        "Artsach",
        "Artsakh",
        "Lachin",
        "Latsjin",
        "Stepanakert",
        "Armeni",  # Armenië, Armeniërs
        "Armeens",  # Armeense krijgsgevangenen
        "Azerbeidzja",  # Azerbeidzjan, Azerbeidzjaanse
        "Azerbaijan",
        "Azerbaidzjan",
        "Zuid-Kaukasus",
    ),
    exclusions=(
        "landenbeleid",  # asylum country policy
        "alimentatieverdrag",  # Hague maintenance convention accession
        "cop29",  # the climate summit in Baku
        "noordelijke kaukasus",
        "songfestival",
    ),
    dossiers=("21501-02", "21501-20", "35570-V", "35373"),
    search_words=("Nagorno-Karabach", "Armenië", "Azerbeidzjan"),
    ministries=("V", "XVII", "X"),  # Buitenlandse Zaken, BHO, Defensie
)

TOPICS: dict[str, TopicProfile] = {NAGORNO_KARABACH.name: NAGORNO_KARABACH}


def get_topic(name: str = "nagorno-karabach") -> TopicProfile:
    """The profile called ``name``; ``ValueError`` names the known ones otherwise."""
    try:
        return TOPICS[name.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(TOPICS))
        raise ValueError(f"unknown topic {name!r}; known topics: {known}") from None
