"""The one motion search (state.search.find_motions) behind the bot's /status <words>."""

from __future__ import annotations

from datetime import date

from state.models import Observation, Submitter
from state.repository import Repository
from state.search import find_motions, near_ids

from .factories import NOW, motion


def _store(repo: Repository) -> None:
    repo.apply_poll(
        Observation(
            motions=(
                motion(
                    "21501-02-2228",
                    title="Motie van het lid Omtzigt over oorlogsrecht en de Armeense genocide",
                    submitters=(Submitter("P.H. Omtzigt", "CDA", "Indiener"),),
                    date=date(2020, 11, 12),
                ),
                motion(
                    "21501-02-2234",
                    title="Motie van het lid Omtzigt over sancties tegen Azerbeidzjan",
                    submitters=(Submitter("P.H. Omtzigt", "CDA", "Indiener"),),
                    date=date(2020, 12, 1),
                ),
                motion(
                    "21501-02-2300",
                    title="Motie over het verzoek van de heer Şahin inzake krijgsgevangenen",
                    submitters=(Submitter("Ö. Çelik", "DENK", "Indiener"),),
                    date=date(2021, 1, 5),
                    zaak_nummer="2021Z01234",
                ),
            )
        ),
        now=NOW,
    )


def test_every_word_newest_first_folded_stemmed_and_as_prefixes(repo: Repository) -> None:
    _store(repo)
    engine = repo._engine

    def ids(*words: str, limit: int = 8) -> tuple[int, list[str], bool]:
        found = find_motions(engine, list(words), limit)
        return found.total, found.ids, found.complete

    assert ids("omtzigt") == (2, ["21501-02-2234", "21501-02-2228"], True)  # newest first
    assert ids("omtzigt", limit=1) == (2, ["21501-02-2234"], True)  # the count stays true
    assert ids("OMTZIGT", "oorlog") == (1, ["21501-02-2228"], True)  # a word prefix
    assert ids("sahin") == (1, ["21501-02-2300"], True)  # Ş folded
    assert ids("celik") == ids("Çelik")
    assert ids("sanctie") == (1, ["21501-02-2234"], True)  # Dutch stem of "sancties"
    assert ids("2021Z01234") == (1, ["21501-02-2300"], True)
    assert ids("'\"*) OR (") == (0, [], True)  # query syntax is data
    assert ids() == (0, [], True)


def test_without_a_motion_having_every_word_the_rarest_words_rank_first(
    repo: Repository,
) -> None:
    _store(repo)
    found = find_motions(repo._engine, ["motie", "omtzigt", "krijgsgevangenen", "xyzzy"], 8)
    assert not found.complete
    assert found.total == 3  # every motion has some of the words
    # "krijgsgevangenen" is in one motion (rarest), "omtzigt" in two, "motie" in all three
    assert found.ids == ["21501-02-2300", "21501-02-2234", "21501-02-2228"]
    assert find_motions(repo._engine, ["xyzzy", "plugh"], 8).total == 0


def test_near_ids_are_those_of_the_dossier_or_with_the_number(repo: Repository) -> None:
    _store(repo)
    engine = repo._engine
    everything = ["21501-02-2228", "21501-02-2234", "21501-02-2300"]
    assert sorted(near_ids(engine, "21501-02-228")) == everything  # a typo in the number
    assert near_ids(engine, "21051-02-2228") == ["21501-02-2228"]  # a typo in the dossier
    assert near_ids(engine, "33570-V-42") == []
    assert near_ids(engine, "2150%-9999") == []  # "%" is a character, not a LIKE wildcard
    assert near_ids(engine, "21501-0_-9999") == []
    assert near_ids(engine, "2228") == []
