"""The pages: board (filter, search, sort), a motion's page, letters, 404s, escaping, language."""

from __future__ import annotations

import re
from html import unescape

import httpx

from state.models import Motion, Observation, Submitter
from tests.web.fixtures import second


def _ids(html: str) -> list[str]:
    """The motion ids of the board's rows, in order."""
    body = html.split("<tbody>", 1)[1] if "<tbody>" in html else ""
    return re.findall(r'<td class="id"><a href="/motie/([^"]+)">', body)


async def test_board_lists_every_motion_with_its_statuses(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    r = await client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert set(_ids(r.text)) == {e.motion.id for e in repo.board()}
    html = unescape(r.text)
    row = html[html.index("/motie/21501-02-3067") :].split("</tr>")[0]
    assert "Motie van het lid Ceder c.s." in row
    assert "Ceder" in row
    assert "aangenomen" in row
    assert "geen uitvoeringsbericht" in row
    row = html[html.index("/motie/21501-02-2234") :].split("</tr>")[0]
    assert "in uitvoering" in row
    assert "4 november 2021" in row
    assert "<script" not in r.text  # no JavaScript anywhere


async def test_board_filters_and_searches_by_query_parameters(
    client: httpx.AsyncClient, repo
) -> None:
    second(repo)
    assert _ids((await client.get("/?status=adopted")).text) == ["21501-02-3067"]
    assert sorted(_ids((await client.get("/?execution=in_progress")).text)) == [
        "21501-02-2234",
        "21501-02-2370",
    ]
    assert _ids((await client.get("/?execution=not_applicable")).text) == ["21501-20-1714"]
    assert sorted(_ids((await client.get("/?q=omtzigt")).text)) == [
        "21501-02-2228",
        "21501-02-2234",
    ]
    assert _ids((await client.get("/?q=omtzigt+helvert")).text) == ["21501-02-2234"]
    assert _ids((await client.get("/?q=krijgsgevangenen&status=adopted")).text) == ["21501-02-3067"]
    none = await client.get("/?q=zzzz")
    assert _ids(none.text) == []
    assert "Geen moties gevonden." in none.text
    junk = await client.get("/?status=<x>&sort=drop+table&order=sideways")  # ignored, not errors
    assert junk.status_code == 200
    assert len(_ids(junk.text)) == 5


async def test_board_sorts_by_any_column_both_ways(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    by_id = _ids((await client.get("/?sort=id&order=asc")).text)
    assert by_id == [
        "21501-02-2228",
        "21501-02-2234",
        "21501-02-2370",
        "21501-02-3067",
        "21501-20-1714",
    ]
    assert _ids((await client.get("/?sort=id&order=desc")).text) == by_id[::-1]
    assert _ids((await client.get("/")).text)[0] == "21501-02-3067"  # newest date first
    assert _ids((await client.get("/?sort=date&order=asc")).text)[0] == "21501-02-2228"
    titles = _ids((await client.get("/?sort=title&order=asc")).text)
    assert titles[0] == "21501-02-2234"  # "Gewijzigde motie …" sorts before "Motie …"
    page = (await client.get("/?sort=title&order=asc")).text
    assert 'aria-sort="ascending"' in page
    assert "sort=title&amp;order=desc" in page


async def test_motion_page_shows_text_votes_timeline_and_sources(
    client: httpx.AsyncClient, repo
) -> None:
    second(repo)
    r = await client.get("/motie/21501-02-3067")
    assert r.status_code == 200
    html = unescape(r.text)
    assert "Motie van het lid Ceder c.s. over aandringen op goede behandeling" in html
    assert "D.G.M. Ceder (ChristenUnie)" in html
    assert "Oordeel Kamer" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<rect") == 15 + 2  # 15 parties, summary bar: for and against
    for party, seats, vote in (("PVV", 37, "tegen"), ("VVD", 24, "voor"), ("JA21", 1, "voor")):
        assert f">{party}</text>" in svg
        assert f">{seats} {vote}</text>" in svg
    assert "113 zetels voor, 37 tegen" in html
    assert "https://www.tweedekamer.nl/kamerstukken/moties/detail?id=2025Z04608" in html
    assert "/motie/21501-02-3067/feed.atom" in html

    r = await client.get("/motie/21501-02-2234")
    html = unescape(r.text)
    timeline = html[html.index('class="timeline"') :]
    assert "zal het kabinet zich blijven hardmaken voor waarheidsvinding" in timeline
    assert "https://zoek.officielebekendmakingen.nl/kst-21501-02-2423.html" in timeline
    assert "Uitvoering van alle moties gerelateerd aan het conflict" in timeline
    assert 'href="/motie/21501-02-2228"' in html  # vervangt


async def test_unknown_motion_is_a_404_page(client: httpx.AsyncClient) -> None:
    for path in ("/motie/21501-02-9999", "/motie/not-an-id", "/motie/..%2F..%2Fetc", "/nergens"):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("text/html")
        assert "Niet gevonden" in r.text
    assert "21501-02-9999" in (await client.get("/motie/21501-02-9999")).text


async def test_letters_newest_first_with_the_motions_they_report_on(
    client: httpx.AsyncClient, repo
) -> None:
    from tests.web.facts import letter_35570_v_22

    second(repo)
    repo.apply_poll(Observation(letters=(letter_35570_v_22(),)))
    r = await client.get("/brieven")
    html = unescape(r.text)
    assert html.index('id="brief-21501-02-2423"') < html.index('id="brief-35570-V-22"')
    letter = html[html.index('id="brief-21501-02-2423"') : html.index('id="brief-35570-V-22"')]
    for motion_id in ("21501-02-2234", "21501-20-1714", "21501-02-2370"):
        assert f'href="/motie/{motion_id}"' in letter
    assert "niet langer van toepassing" in letter
    assert "Het kabinet acht de uitvoering van deze motie niet langer van toepassing" in letter


async def test_every_upstream_string_is_escaped(client: httpx.AsyncClient, repo) -> None:
    evil = '<script>alert("kw")</script>'
    repo.apply_poll(
        Observation(
            motions=(
                Motion(
                    id="21501-02-9998",
                    title=f"Motie {evil}",
                    submitters=(Submitter(f"Lid {evil}", "<b>P</b>"),),
                    text=f"verzoekt de regering {evil}",
                    cabinet_appraisal=evil,
                ),
            )
        )
    )
    for path in ("/", "/motie/21501-02-9998", "/feed.atom", "/motie/21501-02-9998/feed.atom"):
        body = (await client.get(path)).text
        assert "<script>" not in body, path
        assert "&lt;script&gt;" in body, path
    api = (await client.get("/api/motions/21501-02-9998")).json()
    assert api["title"] == f"Motie {evil}"  # JSON carries the data as it is


async def test_english_toggle_sets_a_cookie(client: httpx.AsyncClient, repo) -> None:
    second(repo)
    r = await client.get("/?lang=en")
    assert 'lang="en"' in r.text
    assert "Execution" in r.text
    assert "adopted" in r.text
    assert "kw_lang=en" in r.headers["set-cookie"]
    r = await client.get("/motie/21501-02-3067")  # the cookie keeps English
    assert "Vote per party" in r.text
    assert "113 seats for, 37 against" in r.text
    r = await client.get("/?lang=nl")
    assert 'lang="nl"' in r.text
    assert "Uitvoering" in r.text


async def test_security_headers(client: httpx.AsyncClient) -> None:
    r = await client.get("/")
    assert "script-src" not in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_motion_page_says_a_letter_cited_it_under_a_probable_typo(
    client: httpx.AsyncClient, repo
) -> None:
    """Issue 16, 6: the letter of 16 June 2021 cites "33570-V-42" for 35570-V-42 (Ploumen)."""
    from tests.state.factories import cited, letter, motion

    ploumen = motion("35570-V-42", submitters=(Submitter("L.K. Ploumen", "PvdA", "Indiener"),))
    repo.apply_poll(Observation(motions=(ploumen,)))
    typo = cited("33570-V-42", status=None, submitters=("Ploumen",))
    repo.apply_poll(Observation(letters=(letter("2021D23613", typo),)))

    def words(html: str) -> str:
        return unescape(re.sub(r"<[^>]+>", "", html))

    html = words((await client.get("/motie/35570-V-42")).text)
    assert "geciteerd als 33570-V-42: waarschijnlijk een tikfout voor 35570-V-42" in html
    english = words((await client.get("/motie/35570-V-42?lang=en")).text)
    assert "cited as 33570-V-42: probable typo for 35570-V-42" in english
    assert (await client.get("/motie/33570-V-42")).status_code == 404  # no motion of its own
