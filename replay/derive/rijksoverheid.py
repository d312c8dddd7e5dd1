"""The DERIVED rijksoverheid.nl ``/api/rss`` answer the replay server serves (part of
``replay.derive``).

No answer of the 2026 endpoint was ever recorded. Its reported shape (``rijksoverheid-website-2026/
API_SHAPE.md`` in the shared fixtures, and the public 2026 client code named in
``replay/data/README.md``) is RSS 2.0 whose items carry ``title``, ``link``,
``description``, ``pubDate`` and ``guid`` only, ``pubDate`` being the date the site shows at
Amsterdam midnight. The items here are the five documents of the one recorded list of the old
open-data API (``documents_list_URLS-REWRITTEN-TO-__MOCK_SERVICE__.xml``), each field taken from
its recorded counterpart; what is not recorded anywhere is said so in the file's own comment.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from replay.derive import UPSTREAM

NAME = "rijksoverheid_api-rss_DERIVED.xml"
LIST = (
    UPSTREAM / "rijksoverheid-opendata-v1" / "documents_list_URLS-REWRITTEN-TO-__MOCK_SERVICE__.xml"
)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

EVIDENCE = """\
DERIVED: no answer of www.rijksoverheid.nl/api/rss was ever recorded.
Shape (reported, not recorded): RSS 2.0; items carry title, link, description, pubDate and guid
only; pubDate is the date the site shows, at Amsterdam midnight (Sun, 05 Mar 2023 23:00:00 GMT =
6 March); at most 20 items, relevance-ranked. Sources: shared fixtures
rijksoverheid-website-2026/API_SHAPE.md; public 2026 clients WAINUTAI/NL-GOV-MCP
(src/sources/rijksoverheid.ts, tests/rijksoverheid.test.ts).
Values: the 5 documents of the recorded old open-data list
(rijksoverheid-opendata-v1/documents_list_URLS-REWRITTEN-TO-__MOCK_SERVICE__.xml):
title = title; link = canonical (the recorders' http://__MOCK_SERVICE__/ host put back to
https://); description = introduction (its HTML, escaped); pubDate = the Amsterdam day of
frontenddate at Amsterdam midnight, in GMT; guid = id, isPermaLink="false" (the real guid's form
is not reported). The channel's title, link and description are RSS 2.0's required elements with
values of our own: nothing of the real channel is reported."""


def _pub_date(frontenddate: str) -> str:
    shown = datetime.fromisoformat(frontenddate.replace("Z", "+00:00")).astimezone(AMSTERDAM)
    midnight = datetime.combine(date(shown.year, shown.month, shown.day), time(), AMSTERDAM)
    return format_datetime(midnight.astimezone(UTC), usegmt=True)


def derive_rijksoverheid_rss() -> bytes:
    """The feed: one item per recorded document, in the recorded order."""
    root = ET.parse(LIST).getroot()
    items = []
    for doc in root.iterfind("document"):
        canonical = (doc.findtext("canonical") or "").strip()
        canonical = canonical.replace("http://__MOCK_SERVICE__/", "https://")
        items.append(
            "  <item>\n"
            f"   <title>{escape((doc.findtext('title') or '').strip())}</title>\n"
            f"   <link>{escape(canonical)}</link>\n"
            f"   <description>{escape((doc.findtext('introduction') or '').strip())}"
            "</description>\n"
            f"   <pubDate>{_pub_date((doc.findtext('frontenddate') or '').strip())}</pubDate>\n"
            f'   <guid isPermaLink="false">{escape((doc.findtext("id") or "").strip())}</guid>\n'
            "  </item>\n"
        )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!--\n{EVIDENCE}\n-->\n"
        '<rss version="2.0">\n <channel>\n'
        "  <title>Rijksoverheid.nl (replay)</title>\n"
        "  <link>https://www.rijksoverheid.nl</link>\n"
        "  <description>kamerwacht replay: DERIVED, see the comment above</description>\n"
        + "".join(items)
        + " </channel>\n</rss>\n"
    )
    return text.encode("utf-8")


def rijksoverheid_files() -> dict[str, bytes]:
    """The files this module adds to ``replay/data``."""
    return {NAME: derive_rijksoverheid_rss()}
