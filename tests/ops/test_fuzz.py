"""Bad input everywhere, generated with hypothesis: nothing crashes, errors are the declared ones.

Targets:

* citations and ids: ``find_citations``, ``normalize_motion_id``, ``find_zaak_numbers``,
  ``find_document_numbers`` — never raise, and what they return is canonical;
* what people type to the bot: ``parse_motion_ref``, ``parse_target``, ``parse_deep_link``,
  ``parse_frequency``, ``parse_language``, button data (``callbacks.decode``) — never raise;
  and the running bot (the real Application against the fake Bot API) answers every generated
  command and button without reaching its error handler;
* upstream payloads: ``read_json`` + ``fetch_all`` pages, ``parse_sru``, ``parse_feed``,
  ``to_text``, ``extract_document``, and each whole source polled against a loopback upstream
  (httpx MockTransport) that answers generated JSON / XML / feeds — a poll either returns a
  result or raises ``SourceError`` (``ParseError``), never anything else;
* the web app: generated form fields for subscribe / manage, tokens in every token route,
  query parameters of the board, the API and the feeds — never a 5xx;
* tokens: ``read_token`` of generated or altered tokens raises only ``InvalidToken``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from functools import partial
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.email.tokens import CONFIRM, UNSUBSCRIBE, InvalidToken, make_token, read_token
from bot.settings import Settings
from bot.telegram import callbacks
from bot.telegram.parsing import (
    parse_deep_link,
    parse_frequency,
    parse_language,
    parse_motion_ref,
    parse_target,
)
from bot.web.app import create_app
from bot.web.subscribe import normalise_email, parse_choice
from scrapers.base import SourceError, SourceResult
from scrapers.citations import (
    find_citations,
    find_document_numbers,
    find_zaak_numbers,
    normalize_motion_id,
)
from scrapers.http import FetchResult, HttpClient, user_agent
from scrapers.letters import extract_document
from scrapers.odata import fetch_all, read_json
from scrapers.officielebekendmakingen import OfficieleBekendmakingenSource, parse_sru
from scrapers.rijksoverheid import RijksoverheidSource, parse_feed
from scrapers.text import to_text
from scrapers.topics import get_topic
from scrapers.tweedekamer import TweedeKamerSource
from state.models import MOTION_ID_RE, Channel, SubscriptionKind
from state.repository import Repository

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FEW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Text that looks like what the parsers look for, mixed with anything at all.
PIECES = [
    "21501-02",
    "21 501-02",
    "nr.",
    "Nr. 2228",
    "kst-",
    "35570-V-31",
    "35 570 V, nr. 22",
    "(t.v.v. ",
    "2021Z19031",
    "2020D43526",
    "dossier ",
    "trefwoord ",
    "alles",
    "volg_",
    "-",
    "‐",
    "–",
    " ",
    "\u00a0",
    "\u2009",
    "²",
    "٣",
    "\n",
    "0",
    "99999999999999999999",
]
texty = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=12).map("".join),
)


# ------------------------------------------------------------------ citations and commands


@FUZZ
@given(texty)
def test_citation_finders_never_raise_and_return_canonical_ids(text: str) -> None:
    for citation in find_citations(text):
        assert MOTION_ID_RE.match(citation.id), citation
    motion_id = normalize_motion_id(text)
    if motion_id is not None:
        assert MOTION_ID_RE.match(motion_id)
        assert normalize_motion_id(motion_id) == motion_id  # canonical is a fixed point
    for zaak in find_zaak_numbers(text):
        assert zaak[4] == "Z"
    find_document_numbers(text)


@FUZZ
@given(texty)
def test_command_parsers_never_raise(text: str) -> None:
    ref = parse_motion_ref(text)
    if ref is not None:
        assert ref.value
    target = parse_target(text)
    if target is not None:
        assert target.kind is SubscriptionKind.ALL or target.value
        assert len(target.value) <= 200
    link = parse_deep_link(text)
    if link is not None:
        assert link.kind in (
            SubscriptionKind.ALL,
            SubscriptionKind.MOTION,
            SubscriptionKind.DOSSIER,
        )
    parse_frequency(text)
    parse_language(text)


@FUZZ
@given(st.one_of(texty, st.from_regex(r"\A[fuFUxs]:[mdka]?:?.{0,70}\Z")))
def test_button_data_decodes_or_is_refused(data: str) -> None:
    decoded = callbacks.decode(data)
    if decoded is not None and decoded.target is not None:
        assert callbacks.encode(decoded) in (data, None) or decoded.redraw


# ------------------------------------------------------------------ upstream payloads

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "Motie",
            "Brief regering",
            "Stemmen - aangenomen",
            "Indiener",
            "2021-11-04T00:00:00+01:00",
            "2025-10-06T08:00:00Z",
            "Nagorno-Karabach",
            "Xml",
            "kst-21501-02-2423",
            "Voor",
            "Tegen",
        ]
    ),
)
ODATA_KEYS = [
    "Id",
    "Soort",
    "Nummer",
    "Onderwerp",
    "Titel",
    "GestartOp",
    "Volgnummer",
    "Toevoeging",
    "ApiGewijzigdOp",
    "GewijzigdOp",
    "Verwijderd",
    "Kamerstukdossier",
    "ZaakActor",
    "Besluit",
    "Stemming",
    "BesluitSoort",
    "BesluitTekst",
    "StemmingsSoort",
    "ActorNaam",
    "ActorFractie",
    "Relatie",
    "FractieGrootte",
    "Vergissing",
    "VervangenDoor",
    "VervangenVanuit",
    "Datum",
    "DocumentNummer",
    "HuidigeDocumentVersie",
    "DocumentPublicatie",
    "DocumentType",
    "FileName",
    "ExterneIdentifier",
    "Zaak",
    "Agendapunt",
    "@odata.nextLink",
]
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(ODATA_KEYS) | st.text(max_size=5), inner, max_size=6),
    ),
    max_leaves=25,
)
odata_record = st.dictionaries(st.sampled_from(ODATA_KEYS), json_values, max_size=10)
odata_page = st.one_of(
    st.fixed_dictionaries({"value": st.lists(odata_record, max_size=4)}),
    st.dictionaries(st.sampled_from(["value", "@odata.nextLink", "error"]), json_values),
    json_values,
)


def page_bytes(draw: Callable[[Any], Any]) -> bytes:
    """A generated OData answer: usually JSON, sometimes cut off or not JSON at all."""
    body = json.dumps(draw(odata_page)).encode()
    mode = draw(st.sampled_from(["whole", "whole", "whole", "cut", "junk"]))
    if mode == "cut":
        return body[: draw(st.integers(0, len(body)))]
    if mode == "junk":
        return bytes(draw(st.binary(max_size=40)))
    return body


@FUZZ
@given(st.data())
def test_read_json_and_pages_raise_only_parse_errors(data: st.DataObject) -> None:
    body = page_bytes(data.draw)
    kind = data.draw(st.sampled_from(["application/json", "text/html", "", "application/xml"]))
    result = FetchResult("http://upstream.test/Zaak", 200, body, {"content-type": kind})
    try:
        page = read_json(result)
    except SourceError:
        return
    assert isinstance(page, dict)


xmlish = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.sampled_from(
            [
                "<?xml version='1.0'?>",
                "<sru:searchRetrieveResponse xmlns:sru='http://docs.oasis-open.org/ns/search-ws/"
                "sruResponse'>",
                "</sru:searchRetrieveResponse>",
                "<sru:record>",
                "</sru:record>",
                "<dcterms:identifier xmlns:dcterms='http://purl.org/dc/terms/'>kst-1-2"
                "</dcterms:identifier>",
                "<sru:numberOfRecords>",
                "</sru:numberOfRecords>",
                "<sru:nextRecordPosition>",
                "</sru:nextRecordPosition>",
                "<rss version='2.0'><channel>",
                "</channel></rss>",
                "<item><title>Nagorno-Karabach</title><link>",
                "</link></item>",
                "<documents>",
                "</documents>",
                "<document><id>x</id><type>kamerstuk</type><frontenddate>",
                "</frontenddate></document>",
                "<feed xmlns='http://www.w3.org/2005/Atom'>",
                "</feed>",
                "<entry><title>Armenië</title></entry>",
                "999999999999999999999",
                "²",
                "٣",
                "<dossiernr>",
                "</dossiernr>",
                "<ondernummer>",
                "</ondernummer>",
                "2021-13-45",
                "&amp;",
                "&bogus;",
                "<![CDATA[",
                "]]>",
                "<",
                "\x00",
            ]
        )
        | st.text(max_size=8),
        max_size=20,
    ).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
)


field = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["²", "٣", "12", "0", "-1", "99999999999999999999", "2021-11-04", "kst-1-2"]),
)


def _x(value: str) -> str:
    return escape(value.replace("\x00", ""))


def _sru(total: str, nxt: str, records: list[dict[str, str]]) -> bytes:
    items = "".join(
        "<sru:record><sru:recordData><gzd:gzd><gzd:originalData><ow:meta>"
        f"<dcterms:identifier>{_x(r['id'])}</dcterms:identifier>"
        f"<dcterms:title>{_x(r['title'])}</dcterms:title>"
        f"<dcterms:modified>{_x(r['modified'])}</dcterms:modified>"
        f"<dcterms:date>{_x(r['date'])}</dcterms:date>"
        f"<ow:subrubriek>{_x(r['sub'])}</ow:subrubriek>"
        "</ow:meta></gzd:originalData><gzd:enrichedData>"
        f'<gzd:itemUrl manifestation="xml">{_x(r["url"])}</gzd:itemUrl>'
        "</gzd:enrichedData></gzd:gzd></sru:recordData></sru:record>"
        for r in records
    )
    return (
        '<sru:searchRetrieveResponse xmlns:sru="http://docs.oasis-open.org/ns/search-ws/sruResponse"'
        ' xmlns:dcterms="http://purl.org/dc/terms/" xmlns:ow="http://standaarden.overheid.nl/'
        'wetgeving/" xmlns:gzd="http://standaarden.overheid.nl/sru">'
        f"<sru:numberOfRecords>{_x(total)}</sru:numberOfRecords><sru:records>{items}"
        f"</sru:records><sru:nextRecordPosition>{_x(nxt)}</sru:nextRecordPosition>"
        "</sru:searchRetrieveResponse>"
    ).encode()


def _official(dossier: str, raad: str, number: str, body: str) -> bytes:
    return (
        "<kamerstuk><kamerstukkop><dossiernummer>"
        f"<dossiernr>{_x(dossier)}</dossiernr><raadnr>{_x(raad)}</raadnr></dossiernummer>"
        f"<ondernummer>{_x(number)}</ondernummer></kamerstukkop>"
        f"<brief><al>{_x(body)}</al></brief></kamerstuk>"
    ).encode()


def _rss(items: list[dict[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{_x(i['title'])}</title><link>{_x(i['url'])}</link>"
        f"<pubDate>{_x(i['date'])}</pubDate><description>{_x(i['sub'])}</description></item>"
        for i in items
    )
    return f'<rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'.encode()


record = st.fixed_dictionaries(
    {
        "id": st.one_of(field, st.just("kst-21501-02-2423")),
        "title": st.one_of(field, st.just("Brief regering; Nagorno-Karabach")),
        "modified": field,
        "date": field,
        "sub": st.one_of(field, st.sampled_from(["brief", "motie"])),
        "url": st.one_of(
            field,
            st.just("http://upstream.test/repository/frbr/x.xml"),
            st.just("http://upstream.test/documenten/kamerstukken/2021/x"),
        ),
    }
)
structured = st.one_of(
    st.builds(_sru, field, field, st.lists(record, max_size=3)),
    st.builds(_official, field, field, field, texty),
    st.builds(_rss, st.lists(record, max_size=3)),
)
xmlish = st.one_of(xmlish, structured)


@FUZZ
@given(xmlish)
def test_sru_parser_raises_only_parse_errors(body: bytes) -> None:
    try:
        records, total, nxt = parse_sru(body, "http://upstream.test/sru")
    except SourceError:
        return
    assert total >= 0
    assert nxt is None or nxt >= 0
    assert all(r.identifier for r in records)


@FUZZ
@given(xmlish, st.sampled_from(["application/rss+xml", "application/xml", "text/html", ""]))
def test_feed_parser_raises_only_parse_errors(body: bytes, kind: str) -> None:
    result = FetchResult("http://upstream.test/feed", 200, body, {"content-type": kind})
    try:
        parse_feed(result)
    except SourceError:
        return


@FUZZ
@given(
    st.one_of(xmlish, st.binary(max_size=300), st.just(b"%PDF-1.4\n%junk")),
    st.sampled_from(["application/pdf", "text/html", "application/xml", "text/plain", None]),
    st.sampled_from(["x.pdf", "x.xml", "x.html", None]),
)
def test_to_text_raises_only_value_errors(body: bytes, kind: str | None, name: str | None) -> None:
    try:
        text = to_text(body, kind, name)
    except ValueError as exc:
        error = str(exc)
    else:
        error = ""
        extract_document(text, source="fuzz")
        extract_document(text, source="fuzz", xml=body)  # as the sources call it for XML
    assert "int()" not in error  # a declared "unreadable", not a stray conversion


@FUZZ
@given(texty)
def test_letter_extraction_never_raises(text: str) -> None:
    doc = extract_document(text, source="fuzz")
    for motion in doc.motions:
        assert MOTION_ID_RE.match(motion.id)


METADATA = (Path(__file__).parents[2] / "replay/data/metadata.xml").read_bytes()


def fake_upstream(answer: Callable[[httpx.Request], httpx.Response]) -> HttpClient:
    """The shared client, answered in-process by ``answer`` (no sockets at all)."""
    return HttpClient(
        user_agent=user_agent("https://example.org/fuzz"),
        transport=httpx.MockTransport(answer),
        retries=0,
        min_interval=0.0,
        timeout=1.0,
    )


def poll(source: Any, client: HttpClient, cursors: dict[str, str]) -> SourceResult | None:
    async def go() -> SourceResult | None:
        async with client:
            try:
                return await asyncio.wait_for(source.poll(client, cursors, frozenset()), 10)  # type: ignore[no-any-return]
            except SourceError:
                return None

    return asyncio.run(go())


TOPIC = get_topic("nagorno-karabach")
CURSORS: st.SearchStrategy[dict[str, str]] = st.one_of(
    st.just({}),
    st.just({"zaak": "2025-01-01T00:00:00Z", "document": "2025-01-01T00:00:00Z"}),
    st.dictionaries(
        st.sampled_from(["zaak", "besluit", "stemming", "zaakactor", "document", "seen"]),
        st.text(max_size=25),
        max_size=4,
    ),
)


@FUZZ
@given(st.data(), CURSORS)
def test_tweedekamer_poll_of_generated_payloads_fails_only_with_source_errors(
    data: st.DataObject, cursors: dict[str, str]
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/$metadata"):
            body = data.draw(st.sampled_from([METADATA, METADATA, METADATA, b"<html>", b""]))
            return httpx.Response(200, content=body, headers={"content-type": "application/xml"})
        if request.url.path.endswith(("/Resource", "/resource")):
            body = data.draw(st.one_of(xmlish, st.binary(max_size=100)))
            return httpx.Response(200, content=body, headers={"content-type": "application/xml"})
        status = data.draw(st.sampled_from([200, 200, 200, 200, 404, 500]))
        return httpx.Response(
            status, content=page_bytes(data.draw), headers={"content-type": "application/json"}
        )

    source = TweedeKamerSource("http://upstream.test/OData/v4/2.0", TOPIC)
    result = poll(source, fake_upstream(answer), cursors)
    if result is not None:
        assert all(MOTION_ID_RE.match(m.id) or m.zaak_nummer for m in result.motions)


@FUZZ
@given(st.data())
def test_officielebekendmakingen_poll_of_generated_payloads(data: st.DataObject) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        kind = data.draw(st.sampled_from(["application/xml", "application/rss+xml", "text/html"]))
        status = data.draw(st.sampled_from([200, 200, 200, 304, 404, 500]))
        return httpx.Response(status, content=data.draw(xmlish), headers={"content-type": kind})

    source = OfficieleBekendmakingenSource(
        "http://upstream.test/repository", "http://upstream.test/zoek/rss", TOPIC
    )
    poll(source, fake_upstream(answer), {})


@FUZZ
@given(st.data())
def test_rijksoverheid_poll_of_generated_payloads(data: st.DataObject) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        kind = data.draw(st.sampled_from(["application/xml", "application/rss+xml", "text/html"]))
        status = data.draw(st.sampled_from([200, 200, 200, 304, 403, 500]))
        return httpx.Response(status, content=data.draw(xmlish), headers={"content-type": kind})

    source = RijksoverheidSource("http://upstream.test/rijksoverheid/documents", TOPIC)
    poll(source, fake_upstream(answer), {})


header_value = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=20),
    st.sampled_from(["²", "1", "0", "-5", "99999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "1.5"]),
)


@FUZZ
@given(
    st.sampled_from([200, 304, 404, 429, 500, 503]),
    st.dictionaries(
        st.sampled_from(["retry-after", "content-length", "etag", "last-modified"]),
        header_value,
        max_size=3,
    ),
)
def test_http_client_survives_generated_status_and_headers(
    status: int, headers: dict[str, str]
) -> None:
    """Upstream headers are the upstream's to get wrong: only SourceError may come out."""

    def answer(request: httpx.Request) -> httpx.Response:
        raw = [(k.encode(), v.encode("latin-1")) for k, v in headers.items()]
        return httpx.Response(status, headers=raw, stream=httpx.ByteStream(b'{"value": []}'))

    async def go() -> None:
        async with fake_upstream(answer) as client:
            client.max_retry_after = 0.0
            try:
                await asyncio.wait_for(client.get("http://upstream.test/x"), 10)
            except SourceError:
                return

    asyncio.run(go())


@FEW
@given(st.data())
def test_fetch_all_follows_generated_pages_or_fails_cleanly(data: st.DataObject) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=page_bytes(data.draw), headers={"content-type": "application/json"}
        )

    async def go() -> None:
        async with fake_upstream(answer) as client:
            try:
                rows = await asyncio.wait_for(
                    fetch_all(client, "http://upstream.test/OData/v4/2.0/Zaak", {}), 10
                )
            except SourceError:
                return
            assert all(isinstance(r, dict) for r in rows)

    asyncio.run(go())


# ------------------------------------------------------------------ tokens and web forms

SECRET = "fuzz-secret-key-for-tokens"
TOKEN_SHAPE = r"\A[0-9a-f]{1,20}\.[0-9a-f]{1,20}\.[A-Za-z0-9_-]{40,45}\s?\Z"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@FUZZ
@given(
    st.one_of(texty, st.from_regex(r"\A[0-9a-f]{1,20}\.[0-9a-f]{1,20}\.[A-Za-z0-9_-]{40,45}\s?\Z"))
)
def test_read_token_raises_only_invalid_token(token: str) -> None:
    for purpose in (CONFIRM, UNSUBSCRIBE):
        try:
            read_token(SECRET, purpose, token, now=NOW)
        except InvalidToken:
            continue
        raise AssertionError(f"a made-up token was accepted: {token!r}")


@FUZZ
@given(st.integers(0, 2**40), st.integers(0, 120), st.data())
def test_altered_tokens_are_refused(subscriber: int, offset: int, data: st.DataObject) -> None:
    token = make_token(SECRET, CONFIRM, subscriber, ttl=timedelta(days=2), now=NOW)
    position = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from(string.ascii_letters + string.digits + "-_."))
    altered = token[:position] + replacement + token[position + 1 :]
    assume(altered != token)
    with pytest.raises(InvalidToken):
        read_token(SECRET, CONFIRM, altered, now=NOW + timedelta(minutes=offset))


form_value = st.one_of(
    texty,
    st.sampled_from(["all", "motion", "dossier", "keyword", "daily", "weekly", "instant", ""]),
)
form = st.dictionaries(
    st.sampled_from(["email", "follow", "value", "frequency", "action", "kind", "language"]),
    form_value,
    max_size=7,
)


@FUZZ
@given(form)
def test_form_parsers_never_raise(fields: dict[str, str]) -> None:
    choice, errors = parse_choice(fields)
    assert (choice is None) == bool(errors)
    if choice is not None and choice.kind is not SubscriptionKind.ALL:
        assert choice.value
    address = normalise_email(fields.get("email", ""))
    if address is not None:
        assert "@" in address
        assert len(address) <= 254


class MemoryMailer:
    """Stands in for the SMTP Mailer: keeps what the web app would have sent."""

    from_address = "kamerwacht@example.org"

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, msg: EmailMessage) -> None:
        self.sent.append(msg)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The web app in-process over a small real store, with one confirmed subscriber."""
    path = tmp_path_factory.mktemp("fuzz-web") / "w.db"
    repo = Repository.from_url(f"sqlite:///{path}")
    repo.upgrade()
    from tests.web.facts import first_poll

    repo.apply_poll(first_poll(), notify=False)
    sub = repo.get_or_create_subscriber(Channel.EMAIL, "lezer@example.org", confirmed=True)
    repo.subscribe(sub.id, SubscriptionKind.ALL)
    settings_ = Settings(
        _env_file=None,  # type: ignore[call-arg]
        public_url="http://kamerwacht.test",
        secret_key=SECRET,
    )
    app = create_app(settings_, repo, mailer=MemoryMailer())  # type: ignore[arg-type]
    yield app, sub.id
    repo.close()


def request(app: Any, method: str, url: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://kamerwacht.test") as c:
            return await c.request(method, url, **kwargs)

    return asyncio.run(go())


path_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=60)


@FUZZ
@given(
    st.sampled_from(["/bevestigen/", "/afmelden/", "/abonnement/"]),
    st.one_of(path_text, st.from_regex(r"\A[0-9a-f]{1,16}\.[0-9a-f]{1,16}\.[A-Za-z0-9_-]{43}\Z")),
    st.sampled_from(["GET", "POST"]),
    form,
)
@example(route="/bevestigen/", token="0/", method="GET", fields={})  # was a 307 redirect
def test_token_routes_never_fail_with_made_up_tokens(
    web: Any, route: str, token: str, method: str, fields: dict[str, str]
) -> None:
    app, _ = web
    response = request(app, method, route + quote(token, safe=""), data=fields)
    assert response.status_code in (400, 404, 405), (route, token, response.status_code)


@FUZZ
@given(form, st.sampled_from(["/abonneren", "/abonnement"]))
def test_subscribe_forms_never_fail(web: Any, fields: dict[str, str], route: str) -> None:
    app, _ = web
    response = request(app, "POST", route, data=fields)
    assert response.status_code < 500, response.text[:300]


@FUZZ
@given(form)
def test_manage_form_with_a_genuine_token_never_fails(web: Any, fields: dict[str, str]) -> None:
    app, subscriber_id = web
    fields = {k: v for k, v in fields.items() if not (k == "action" and v == "delete")}
    fields.setdefault("action", "add")
    token = make_token(
        SECRET, "manage", subscriber_id, ttl=timedelta(days=1), now=datetime.now(UTC)
    )
    response = request(app, "POST", f"/abonnement/{token}", data=fields)
    assert response.status_code < 500, response.text[:300]


query_value = st.one_of(
    texty,
    st.sampled_from(
        ["adopted", "executed", "none", "id", "date", "asc", "desc", "12", "2025-01-01", "-1"]
    ),
    st.from_regex(r"\A[0-9]{15,30}\Z"),
    st.just("²"),
)


@pytest.mark.parametrize(
    "path", ["/", "/api/motions", "/api/changes", "/feed.atom", "/brieven", "/abonneren"]
)
@FEW
@given(
    params=st.dictionaries(
        st.sampled_from(["status", "execution", "q", "sort", "order", "since", "motion", "lang"]),
        query_value,
        max_size=5,
    ),
)
def test_query_parameters_never_fail(web: Any, path: str, params: dict[str, str]) -> None:
    app, _ = web
    response = request(app, "GET", path, params=params)
    assert response.status_code < 500, (path, params, response.text[:300])


@FUZZ
@given(
    path_text, st.sampled_from(["/motie/", "/api/motions/"]), st.sampled_from(["", "/feed.atom"])
)
def test_motion_pages_never_fail(web: Any, motion: str, prefix: str, suffix: str) -> None:
    app, _ = web
    response = request(app, "GET", prefix + quote(motion, safe="") + suffix)
    assert response.status_code < 500, (motion, response.text[:300])


# ------------------------------------------------------------------ the running bot

BOT_COMMANDS = ["/status", "/volg", "/ontvolg", "/digest", "/taal", "/start", "/lijst", "/nieuw"]


@pytest.mark.slow
async def test_the_bot_answers_generated_commands_without_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Generated commands, free text and button data through the real Application."""
    from bot.telegram.notifier import FloodLimiter
    from bot.telegram.service import build_application, register_commands
    from tests.telegram.fake_bot_api import TOKEN, FakeBotAPI
    from tests.web.facts import first_poll

    rng = random.Random(20261122)
    texts = [_generated_command(rng) for _ in range(60)]
    texts += [
        "/volg x:²",
        "/status ²",
        "/digest ²",
        "/taal ²",
        "/start volg_²",
        "/volg " + "a" * 5000,
    ]
    buttons = [_generated_button(rng) for _ in range(25)]
    buttons += ["x:²", "x:99999999999999999999999", "s:", "f:k:", "u:m:nope", "x:-1", "F:a:"]
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'bot.db'}")
    repo.upgrade()
    repo.apply_poll(first_poll(), notify=False)
    caplog.set_level(logging.ERROR)
    async with FakeBotAPI() as fake:
        config = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite:///{tmp_path / 'bot.db'}",
            telegram_token=TOKEN,  # type: ignore[arg-type]
            telegram_api_url=fake.base_url,
            public_url="https://kamerwacht.example",
        )
        limiter = FloodLimiter(messages_per_second=1000, group_messages_per_minute=6000)
        application = build_application(config, repo, rate_limiter=limiter)
        async with application:
            await register_commands(application)
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0.0, timeout=10)
            try:
                for i, text in enumerate(texts):
                    chat = 5000 + i
                    before = len(fake.sent)
                    fake.push_text(chat, text)
                    await fake.wait_sent(1, chat_id=chat, after=before, within=10)
                first = fake.sent[0]
                for data in buttons:
                    answered = len(fake.answers)
                    fake.push_callback(int(first["chat"]["id"]), first, data)
                    await fake.wait_for(partial(more_than, fake.answers, answered), within=10)
            finally:
                await fake.release_polls()
                await application.updater.stop()
                await application.stop()
    repo.close()
    errors = [r for r in caplog.records if "error while handling an update" in r.getMessage()]
    assert not errors, [r.exc_text or r.getMessage() for r in errors][:3]


def more_than(items: list[Any], n: int) -> bool:
    """Whether ``items`` grew past ``n``."""
    return len(items) > n


def _noise(rng: random.Random, size: int) -> str:
    alphabet = string.printable + "éëü’“”‐–²٣\u00a0\u2009<>&\"'\x00🙂"
    return "".join(rng.choice(alphabet) for _ in range(size))


def _generated_command(rng: random.Random) -> str:
    """A command (or free text) with arguments mixed from parser-shaped pieces and noise."""
    words = [
        rng.choice(PIECES) if rng.random() < 0.6 else _noise(rng, rng.randint(0, 12))
        for _ in range(rng.randint(0, 4))
    ]
    text = f"{rng.choice([*BOT_COMMANDS, ''])} {' '.join(words)}".strip()
    return text or "x"


def _generated_button(rng: random.Random) -> str:
    """Callback data of the right shape with generated contents."""
    code = rng.choice("fuFUxs")
    kind = rng.choice("mdka")
    return f"{code}:{kind}:{_noise(rng, rng.randint(0, 40))}"[:64]
