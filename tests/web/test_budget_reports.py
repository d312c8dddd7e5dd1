"""A begroting's motion overview reports execution like a letter: API, motion page, changes.

The begroting 2010's real "8.1 Moties en Toezeggingen" (tests/scrapers/realtexts) says of the
motie-Çörüz (28 684, nr. 158): "Deze motie is in uitvoering en wordt opgepakt samen met
Justitie." Read as the officielebekendmakingen source reads it, the row is the evidence and the
begroting's page is the link.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from scrapers.budgets import budget_letter
from state.models import Motion, Observation, ParliamentaryStatus
from state.repository import Repository
from tests.web.fixtures import SECOND_POLL_AT

TEXT = (
    Path(__file__).parents[1] / "scrapers" / "realtexts" / "rijksbegroting-2010-kst132823b_23.txt"
)
PAGE = "http://rijksbegroting.minfin.nl/2010/voorbereiding/begroting,kst132823b_23.html"


async def test_budget_row_on_api_and_page(client: httpx.AsyncClient, repo: Repository) -> None:
    tracked = Motion(
        id="28684-158",
        title="Motie van het lid Çörüz over de uitvoering van taakstraffen door jongeren",
        parliamentary_status=ParliamentaryStatus.ADOPTED,
    )
    repo.apply_poll(Observation(motions=(tracked,)), now=SECOND_POLL_AT)
    letter = budget_letter(
        TEXT.read_text(encoding="utf-8"),
        identifier="kst-132823",
        kamerstuk=None,
        title="Begroting Binnenlandse Zaken en Koninkrijksrelaties 2010; Memorie van toelichting",
        url=PAGE,
        date=None,
        source="officielebekendmakingen",
    )
    assert letter is not None
    repo.apply_poll(Observation(letters=(letter,)), now=SECOND_POLL_AT)

    data = (await client.get("/api/motions/28684-158")).json()
    assert data["execution_status"] == "in_progress"
    assert data["evidence"] == "Deze motie is in uitvoering en wordt opgepakt samen met Justitie."
    assert data["letter"]["id"] == "kst-132823"
    assert data["letter"]["url"] == PAGE
    page = await client.get("/motie/28684-158")
    assert page.status_code == 200
    assert "Deze motie is in uitvoering" in page.text
    assert PAGE.replace("&", "&amp;") in page.text
