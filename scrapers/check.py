"""``kamerwacht sources --check``: probe every configured upstream now, one row per source.

* Tweede Kamer OData: ``$metadata`` read and resolved (dialect found, missing required and optional
  properties) and one small query that must answer JSON;
* Tweede Kamer SyncFeed: every category reachable and parseable, with its head skiptoken;
* officielebekendmakingen: one SRU searchRetrieve that must parse;
* rijksoverheid: the feed must parse (best effort: its failure does not fail the check);
* Tweede Kamer commitments (``Toezegging``): the live ``$metadata`` still has every property the
  commitment source reads (not required: a mismatch warns).

Probes never raise: every failure becomes a row that says why.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from scrapers.base import KamerwachtError, Source
from scrapers.errors import SourceError
from scrapers.http import HttpClient
from scrapers.odata import read_json
from scrapers.odata_schema import SchemaMismatch
from scrapers.officielebekendmakingen import OfficieleBekendmakingenSource, parse_sru
from scrapers.rijksoverheid import RijksoverheidSource
from scrapers.sru_queries import handelingen_clause
from scrapers.tweedekamer import TweedeKamerSource
from scrapers.tweedekamer_commitments import SOURCE_NAME as COMMITMENTS
from scrapers.tweedekamer_commitments import check_schema
from scrapers.tweedekamer_sync import CATEGORIES, TweedeKamerSyncSource, find_head

__all__ = ["CheckRow", "check_commitments", "check_sources"]

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 120.0  # seconds for one source's whole probe


@dataclass(frozen=True, slots=True)
class CheckRow:
    """How one upstream answered the probe."""

    source: str
    ok: bool
    required: bool
    detail: str


async def _odata(client: HttpClient, source: TweedeKamerSource) -> str:
    dialect = await source.dialect(client, refresh=True)
    probe = await client.get(
        f"{source.base_url}/Zaak",
        params={
            "$top": "1",
            "$select": dialect.p("Zaak", "Id"),
            "$orderby": dialect.p("Zaak", "Id"),
        },
    )
    read_json(probe)
    optional = ", ".join(dialect.missing_optional) or "none"
    return f"dialect {dialect.label}; all required properties present; optional missing: {optional}"


async def _syncfeed(client: HttpClient, source: TweedeKamerSyncSource) -> str:
    heads = []
    for category in CATEGORIES:
        heads.append(f"{category} {await find_head(client, source.base_url, category)}")
    return "head skiptokens: " + ", ".join(heads)


async def _sru(client: HttpClient, source: OfficieleBekendmakingenSource) -> str:
    """One search for Kamerstukken, and one with the index the poll asks Handelingen by
    (``w.behandeldDossier``, never seen answering live when this was written)."""

    async def total(query: str) -> int:
        params = {
            "operation": "searchRetrieve",
            "version": "2.0",
            "recordSchema": "gzd",
            "query": query,
            "maximumRecords": "1",
        }
        result = await client.get(source.sru_url, params=params)
        return parse_sru(result.content, result.url)[1]

    kamerstukken = await total('w.publicatienaam=="Kamerstuk"')
    dossiers = source.topic.dossiers
    if not dossiers:
        return f"SRU answers ({kamerstukken} Kamerstukken)"
    handled = await total(handelingen_clause(dossiers))
    return (
        f"SRU answers ({kamerstukken} Kamerstukken; {handled} Handelingen items by "
        f"w.behandeldDossier on {', '.join(dossiers)})"
    )


async def _rijksoverheid(client: HttpClient, source: RijksoverheidSource) -> str:
    return await source.probe(client)


def _probe(client: HttpClient, source: Source) -> tuple[bool, Callable[[], Awaitable[str]]] | None:
    if isinstance(source, TweedeKamerSource):
        return True, lambda: _odata(client, source)
    if isinstance(source, TweedeKamerSyncSource):
        return True, lambda: _syncfeed(client, source)
    if isinstance(source, OfficieleBekendmakingenSource):
        return True, lambda: _sru(client, source)
    if isinstance(source, RijksoverheidSource):
        return False, lambda: _rijksoverheid(client, source)
    return None


async def _row(name: str, required: bool, probe: Callable[[], Awaitable[str]]) -> CheckRow:
    try:
        detail = await asyncio.wait_for(probe(), PROBE_TIMEOUT)
    except SchemaMismatch as exc:
        return CheckRow(name, False, required, exc.cause)
    except KamerwachtError as exc:
        return CheckRow(name, False, required, str(exc))
    except TimeoutError:
        return CheckRow(name, False, required, f"no answer within {PROBE_TIMEOUT:.0f} s")
    except Exception as exc:  # a probe must report, never crash the check
        logger.debug("probe of %s failed", name, exc_info=True)
        return CheckRow(name, False, required, f"unexpected answer: {exc!r}")
    return CheckRow(name, True, required, detail)


async def check_sources(client: HttpClient, sources: Sequence[Source]) -> list[CheckRow]:
    """Probe every source concurrently; one row each, in the sources' order."""
    probes = [(s.name, _probe(client, s)) for s in sources]
    return list(
        await asyncio.gather(*(_row(name, p[0], p[1]) for name, p in probes if p is not None))
    )


async def check_commitments(client: HttpClient, tweedekamer_url: str) -> CheckRow:
    """Does the live ``$metadata`` still have every ``Toezegging`` property the commitment source
    reads? (Not required: a mismatch warns.)"""
    try:
        answer = await client.get(tweedekamer_url.rstrip("/") + "/$metadata")
        problems = check_schema(answer.content)
    except SourceError as exc:
        problems = [f"$metadata unreachable: {exc.cause}"]
    detail = "; ".join(problems) or "Toezegging: every property read is in the live schema"
    return CheckRow(COMMITMENTS, not problems, False, detail)
