"""The officiële-bekendmakingen search asks Handelingen by what their items handle (issue 16)."""

from __future__ import annotations

import dataclasses

from replay.scenarios import MULTI
from replay.sru import parse_cql
from scrapers.officielebekendmakingen import OfficieleBekendmakingenSource
from scrapers.sru_queries import WATCH_INLINE, publications_clause
from scrapers.topics import get_topic
from tests.scrapers.replay_helpers import client, replay

# the indexes of the recorded Handelingen record h-tk-20202021-100-4 (no dossiernummer)
RECORDED = {
    "w.publicatienaam": "Handelingen",
    "w.behandelddossier": MULTI.join(["25295;1302", "25295;1382"]),
}


def test_handelingen_are_asked_by_behandeld_dossier() -> None:
    dossiers = get_topic().dossiers
    query = publications_clause(dossiers, ["25295-1382", "21501-02-2215", "not-an-id"])
    assert 'w.behandeldDossier=="25295;1382"' in query
    assert 'w.behandeldDossier="21501-02"' in query
    assert "2215" not in query  # a watched motion of a topic dossier: the dossier asks for it
    assert "w.dossiernummer" not in query.split("Handelingen")[1]
    assert parse_cql(query)(RECORDED)
    assert not parse_cql(publications_clause(dossiers, ["25295-1303"]))(RECORDED)
    topic = {"w.publicatienaam": "Handelingen", "w.behandelddossier": "21501-02;2215"}
    assert parse_cql(publications_clause(dossiers, []))(topic)
    kamerstuk = {"w.publicatienaam": "Kamerstuk", "w.dossiernummer": "21501-02"}
    assert parse_cql(query)(kamerstuk)
    assert not parse_cql(query)({**kamerstuk, "w.dossiernummer": "25295"})


def test_the_watch_list_is_capped_and_no_dossier_asks_every_handelingen() -> None:
    many = [f"26407-{n}" for n in range(1, 100)]
    assert publications_clause((), many).count("behandeldDossier") == WATCH_INLINE
    query = publications_clause((), [])
    assert query == '(w.publicatienaam=="Kamerstuk" or w.publicatienaam=="Handelingen")'


async def test_a_vote_section_reports_watched_and_topic_motions_only() -> None:
    """Over loopback (scenario handelingen-vote): the vote section of dossier 26407 decides
    26407-31 (taken off the agenda), 26407-33 and 26407-34. A motion is reported when watched, or
    when its title as the section lists it names the topic ("de motie-Ouwehand over een plan van
    aanpak voor meer biodiversiteit (26407, nr. 31)") — not merely because the topic follows its
    dossier. 26407-34, numbered in the meeting, has no listed title of its own."""
    dossier = dataclasses.replace(get_topic(), dossiers=("26407",))
    words = dataclasses.replace(dossier, terms=("biodiversiteit",))
    async with replay("handelingen-vote") as server, client() as http:
        urls = (
            server.urls["officielebekendmakingen_url"],
            server.urls["officielebekendmakingen_rss_url"],
        )
        found = {}
        for name, topic, watch in (
            ("dossier only", dossier, frozenset()),
            ("watched", get_topic(), frozenset({"26407-34"})),
            ("title names the topic", words, frozenset()),
        ):
            result = await OfficieleBekendmakingenSource(*urls, topic).poll(http, {}, watch)
            found[name] = {m.id for m in result.motions}
    assert found == {
        "dossier only": set(),
        "watched": {"26407-34"},
        "title names the topic": {"26407-31"},  # not 26407-33 ("… de Natuurbeschermingswet …")
    }
