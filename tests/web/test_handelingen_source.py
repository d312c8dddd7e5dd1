"""A decision read from the Handelingen shows its source on the API, the motion page and /status.

The real vote section h-tk-20072008-7103-7103 (tests/scrapers/realtexts) decides 26407-34: adopted,
with the parties for; the Tweede Kamer's Besluit for it (constructed here) has no Stemming rows.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import httpx

from scrapers.letters import extract_file
from scrapers.officielebekendmakingen import motions_from_handelingen
from state.models import Decision, Motion, Observation, ParliamentaryStatus
from state.repository import Repository
from tests.web.fixtures import SECOND_POLL_AT

TEXT = Path(__file__).parents[1] / "scrapers" / "realtexts" / "h-tk-20072008-7103-7103.txt"
URL = "https://zoek.officielebekendmakingen.nl/h-tk-20072008-7103-7103.html"
WHEN = datetime.date(2008, 6, 24)


async def test_handelingen_decision_on_api_and_page(
    client: httpx.AsyncClient, repo: Repository
) -> None:
    besluit = Decision(
        "b-26407-34", "26407-34", ParliamentaryStatus.ADOPTED, "Stemmen - aangenomen", date=WHEN
    )
    tracked = Motion(
        id="26407-34",
        title="Gewijzigde motie van het lid Polderman c.s. over biodiversiteit",
        parliamentary_status=ParliamentaryStatus.ADOPTED,
        decisions=(besluit,),
    )
    repo.apply_poll(Observation(motions=(tracked,)), now=SECOND_POLL_AT)
    found = motions_from_handelingen(
        extract_file(TEXT), "h-tk-20072008-7103-7103", URL, WHEN, lambda i: i == "26407-34"
    )
    repo.apply_poll(Observation(motions=tuple(found)), now=SECOND_POLL_AT)

    data = (await client.get("/api/motions/26407-34")).json()
    assert data["decision_source"] == URL
    assert data["decision_date"] == "2008-06-24"
    assert {v["party"] for v in data["votes"] if v["vote"] == "for"} == {
        "SP",
        "PvdA",
        "GroenLinks",
        "D66",
        "PvdD",
        "ChristenUnie",
    }
    assert data["tally"] is None  # parties without seats
    page = await client.get("/motie/26407-34")
    assert page.status_code == 200
    assert URL in page.text
    assert "Handelingen" in page.text
