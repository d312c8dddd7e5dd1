"""The verbatim record (Handelingen) and pages of vote results → motions, decisions, party votes.

Handelingen are where motions are submitted and voted on. What is read:

- vote sections: "In stemming komt de motie-Van Tongeren (33400-A, nr. 45, was nr. 42)." and the
  chair's "Ik constateer dat de (aanwezige) leden van de fracties van X, Y en Z voor deze motie
  hebben gestemd en die van de overige fracties ertegen, zodat zij is aangenomen" (or "verworpen",
  "met algemene stemmen", "de stemmen staken"); the older single-motion form "te weten: - de
  motie-… (…)." followed by the outcome. An outcome belongs to the nearest motion cited before it;
- the lists of motions put to the vote ("te weten: - de motie-Van Aalst/Remco Dijkstra over …
  (35300-A, nr. 15);"): id, submitters, title;
- submissions: the motion read out, then "Deze motie is voorgesteld door het lid Graus." and
  "Zij krijgt nr. 203 (28286)."; "Zij krijgt nr. 45, was nr. 42 (33400-A)." and "De motie-… (…) is
  in die zin gewijzigd …" renumber a motion on the spot (the old number is replaced);
- procedure: "haar motie (26407, nr. 31) van de agenda af te voeren" (withdrawn), "is ingetrokken",
  "(opnieuw) aan te houden" (held), and lists of bare ids ("moties opnieuw aan te houden:
  29911-226; 31015-168; …") — motions when the sentence says "moties", references otherwise.

A minister's "ik ontraad de motie" / "oordeel Kamer" is the appraisal before a vote: it gives no
decision and no execution status. Handelingen are not Kamerstukken: no own id.

Vote pages (tweedekamer.nl "Stemmingsuitslagen") list per motion its compact id ("33308-13"), its
submitter ("Indiener: Lilian Helder, Kamerlid PVV"), the outcome and the parties for and against.
"""

from __future__ import annotations

import bisect
import datetime
import re
from dataclasses import dataclass, replace

from scrapers import vocab
from scrapers.citations import Citation, find_citations, normalize_motion_id, render_id
from scrapers.document import ExtractedDocument
from scrapers.execution import Sentences
from scrapers.motiondocs import DECISION_WORDS, page_votes
from state.models import CitedMotion, DocumentKind, ParliamentaryStatus

__all__ = ["extract_handelingen"]

# "Tweede Kamer, 14e vergadering, woensdag 25 oktober 2017" / "Donderdag 6 juli 2023" at the top
_WEEKDAY_DATE_RE = re.compile(
    rf"(?:^|vergadering,?)[ \t]*(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)"
    rf"\s+{vocab.DATE}",
    re.IGNORECASE | re.MULTILINE,
)
_MEETING_DATE_RE = re.compile(
    r"Datum\s+vergadering\b(?P<rest>[^\n]{0,40}(?:\n[^\n]{0,80}){0,2})", re.I
)

_SUBMISSION_RE = re.compile(
    r"Zij\s+krijgt\s+nr\.\s*(?P<n>[1-9]\d{0,4})(?:\s*,\s*was\s+nr\.\s*(?P<was>[1-9]\d{0,4}))?"
    r"\s*\(\s*(?P<d>\d{2}\s?\d{3,4})(?:\s*[-\s]\s*(?P<t>[0-9]{1,2}|[A-Z]{1,5}))?\s*\)"
)
_PROPOSED_BY_RE = re.compile(
    rf"(?:voorgesteld|ondertekend)\s+door\s+(?:{vocab.LID})?(?P<names>{vocab.NAMES})"
)
_SPEAKER_RE = re.compile(
    rf"^[ \t]*(?:De\s+heer|Mevrouw|Minister|Staatssecretaris)\s+(?P<name>{vocab.NAME})"
    r"(?:\s*\([^)\n]{1,40}\))?\s*:",
    re.MULTILINE,
)
_WAS_NR_RE = re.compile(r"\s*,\s*was\s+nr\.\s*(?P<n>[1-9]\d{0,4})")
_AMENDED_RE = re.compile(r"\bis\s+in\s+die\s+zin\s+gewijzigd\b")
# "zijn motie op stuknummer 47 (31200-VI)", "de motie op stuk nr. 70 (27565)"
_STUKNUMMER_RE = re.compile(
    r"[Mm]otie\s+op\s+stuk(?:nummer|\s+nr\.?)\s*(?P<n>[1-9]\d{0,4})\s*\(\s*(?P<d>\d{5,6})"
    r"(?:\s*-\s*(?P<t>[0-9]{1,2}|[A-Z]{1,5}))?\s*\)"
)

_CONSTATEER_RE = re.compile(
    r"constateer,?\s+dat\s+(?P<body>.{0,900}?)(?:,?\s*zodat\s+(?:zij|hij|deze\s+(?:\w+\s+)?motie)"
    r"\s+is\s+(?P<o>aangenomen|verworpen)|\s+met\s+algemene\s+stemmen\s+is\s+(?P<u>aangenomen)"
    r"|(?P<tie>de\s+stemmen\s+staken))",
    re.IGNORECASE | re.DOTALL,
)
_MEMBERS = (
    r"(?:(?:de|die)\s+)?(?:aanwezige\s+)?"
    r"(?:leden\s+van\s+(?:de\s+)?fracties?\s+van|het\s+lid|de\s+leden|leden\s+van)"
)
_SIDE_RE = re.compile(
    rf"{_MEMBERS}\s+(?P<list>.+?)\s+(?P<v>voor|tegen)\s+(?:deze|die|de)\s+(?:(?:nader\s+)?gewijzigde\s+)?"
    r"motie\s+(?:hebben|heeft)\s+gestemd",
    re.IGNORECASE | re.DOTALL,
)
_OTHER_RE = re.compile(
    r"\ben\s+(?:die|de\s+(?:aanwezige\s+)?leden)\s+van\s+(?:de\s+)?(?:(?P<rest>overige\s+fracties)"
    r"|fracties?\s+van\s+(?P<list>.+?))\s+(?P<v>ertegen|ervoor|tegen|voor)\b",
    re.IGNORECASE | re.DOTALL,
)
# "… moties opnieuw aan te houden: 29911-226; 31015-168; …" (ids, zaak numbers, odd forms)
_ID_LIST_RE = re.compile(r":\s*(?P<list>(?:[\w()-]+\s*;\s*)+[\w()-]+)")
_LOCAL_DECISIONS: tuple[tuple[re.Pattern[str], ParliamentaryStatus], ...] = (
    (re.compile(r"\bin\s+die\s+zin\s+gewijzigd\b", re.I), ParliamentaryStatus.REPLACED),
    (
        re.compile(r"\bingetrokken\b|\bin\s+te\s+trekken\b|\btrekt?\b[^.]{0,60}\bin\b", re.I),
        ParliamentaryStatus.WITHDRAWN,
    ),
    (re.compile(r"\bvan\s+de\s+agenda\s+af\s+te\s+voeren\b", re.I), ParliamentaryStatus.WITHDRAWN),
    (
        re.compile(
            r"(?<!de )(?<!het )\b(?:opnieuw\s+)?aan\s+te\s+houden\b|\bwordt\s+aangehouden\b", re.I
        ),
        ParliamentaryStatus.HELD,
    ),
)
_LIST_DECISIONS: tuple[tuple[re.Pattern[str], ParliamentaryStatus], ...] = (
    (re.compile(r"aan\s+te\s+houden|aangehouden", re.I), ParliamentaryStatus.HELD),
    (re.compile(r"ingetrokken", re.I), ParliamentaryStatus.WITHDRAWN),
    (re.compile(r"vervallen|af\s+te\s+voeren", re.I), ParliamentaryStatus.LAPSED),
)
_INDIENER_RE = re.compile(r"Indiener\s*:?\s*(?P<name>[^,\n]{2,60})", re.IGNORECASE)
# Stemmingsuitslagen pages: each motion's block opens with its title line ("Motie van het lid
# Helder over …", "Gewijzigde motie van het lid Verhoeven (t.v.v. 33 308, nr. 14) over …") and
# carries its compact id on a line of its own ("33308-13"), then the motion's date.
_PAGE_HEADING_RE = re.compile(
    r"^[ \t]*(?:(?:Tweede\s+)?(?:[Nn]ader\s+)?[Gg]ewijzigde\s+)?[Mm]otie\s+van\s+"
    r"(?:het\s+lid|de\s+leden)\b",
    re.MULTILINE,
)
_ID_LINE_RE = re.compile(r"^[ \t]*\d{4,6}(?:-[A-Z0-9]{1,5})?-\d{1,5}[ \t]*$", re.MULTILINE)
_TVV_RE = re.compile(r"\(\s*t\.\s?v\.\s?v\.\s*(?P<body>[^)\n]{3,40})\)", re.IGNORECASE)
_PLENARY_DATE_RE = re.compile(rf"Plenaire\s+vergadering\s+(?:van\s+)?{vocab.DATE}", re.I)


@dataclass(slots=True)
class _Motion:
    """A motion being assembled (mutable scratch)."""

    position: int
    title: str | None = None
    submitters: tuple[str, ...] = ()
    date: datetime.date | None = None
    facts: vocab.MotionFacts | None = None


def extract_handelingen(
    text: str, source: str, kind: DocumentKind, date: datetime.date | None = None
) -> ExtractedDocument:
    """Read the verbatim record (or a page of vote results) into motions with their decisions."""
    date = date or _meeting_date(text)
    found: dict[str, _Motion] = {}
    references: list[str] = []
    citations = find_citations(text)
    handled: set[int] = set()

    _procedural_lists(text, citations, found, references, handled)
    _submissions(text, found, date)
    motie_positions = [m.start() for m in vocab.MOTIE_WORD_RE.finditer(text)]
    motion_cites: list[tuple[int, str]] = []
    for citation in citations:
        if citation.start in handled:
            continue
        phrase = vocab.motion_phrase(text, citation, motie_positions)
        if phrase is None and kind is not DocumentKind.VOTE_LIST:
            references.append(citation.id)
            continue
        names, title, when = phrase or ((), None, None)
        item = _add(found, citation.id, citation.start, title, names, when)
        motion_cites.append((citation.start, citation.id))
        was = _WAS_NR_RE.match(text, citation.end)
        if was:
            _set_facts(item, citation.id, replaces=_renumber(citation, int(was["n"])))
    for match in _STUKNUMMER_RE.finditer(text):
        ident = render_id(match["d"], match["t"], int(match["n"]))
        _add(found, ident, match.start(), None, (), None)
        motion_cites.append((match.start(), ident))
    motion_cites.sort()

    sentences = Sentences(text)
    for pos, ident in motion_cites:
        _local_decision(sentences.around(pos), found[ident], ident)
    _outcomes(text, motion_cites, found)
    if kind is DocumentKind.VOTE_LIST:
        _vote_page(text, motion_cites, found)

    ordered = sorted(found.items(), key=lambda kv: kv[1].position)
    motions = tuple(
        CitedMotion(id=ident, title=m.title, submitters=m.submitters, date=m.date)
        for ident, m in ordered
    )
    facts = tuple(m.facts for _, m in ordered if m.facts is not None)
    ids = set(found)
    return ExtractedDocument(
        source=source,
        kind=kind,
        kamerstuk=None,
        date=date,
        title=None,
        motions=motions,
        references=tuple(dict.fromkeys(r for r in references if r not in ids)),
        facts=facts,
    )


def _meeting_date(text: str) -> datetime.date | None:
    head = text[:3000]
    plenary = vocab.date_of(_PLENARY_DATE_RE.search(head))
    if plenary:
        return plenary
    labelled = _MEETING_DATE_RE.search(head)
    if labelled:
        rest = labelled["rest"]
        when = vocab.date_of(vocab.DATE_RE.search(rest)) or vocab.numeric_date(rest)
        if when:
            return when
    first_turn = head.find("De voorzitter:")
    return vocab.date_of(_WEEKDAY_DATE_RE.search(head, 0, first_turn if first_turn >= 0 else 600))


def _add(
    found: dict[str, _Motion],
    ident: str,
    position: int,
    title: str | None,
    names: tuple[str, ...],
    when: datetime.date | None,
) -> _Motion:
    item = found.get(ident)
    if item is None:
        item = found[ident] = _Motion(position, title, names, when)
    else:
        item.title = item.title or title
        item.submitters = item.submitters or names
        item.date = item.date or when
    return item


def _set_facts(item: _Motion, ident: str, **changes: object) -> None:
    kept = {k: v for k, v in changes.items() if v is not None and v != ()}
    if item.facts is None:
        item.facts = vocab.MotionFacts(ident, **kept)  # type: ignore[arg-type]
    else:
        item.facts = replace(item.facts, **kept)  # type: ignore[arg-type]


def _renumber(citation: Citation, number: int) -> str:
    return render_id(citation.dossier, citation.toevoeging, number)


def _procedural_lists(
    text: str,
    citations: list[Citation],
    found: dict[str, _Motion],
    references: list[str],
    handled: set[int],
) -> None:
    """Lists of bare ids after a colon: motions (with the decision the sentence names) or not."""
    if ";" not in text:
        return
    starts = [c.start for c in citations]
    for match in _ID_LIST_RE.finditer(text):
        begin = max(text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
        intro = text[begin : match.start()]
        lo = bisect.bisect_left(starts, match.start("list"))
        hi = bisect.bisect_left(starts, match.end("list"))
        if lo == hi:
            continue
        are_motions = "motie" in intro.lower()
        decision = next((d for p, d in _LIST_DECISIONS if p.search(intro)), None)
        evidence = " ".join(intro.split()) or None
        for citation in citations[lo:hi]:
            handled.add(citation.start)
            if not are_motions:
                references.append(citation.id)
                continue
            item = _add(found, citation.id, citation.start, None, (), None)
            if decision is not None and item.facts is None:
                item.facts = vocab.MotionFacts(citation.id, decision, evidence=evidence)


def _submissions(text: str, found: dict[str, _Motion], date: datetime.date | None) -> None:
    """ "Zij krijgt nr. 203 (28286)." after a motion is read out and proposed."""
    if "krijgt nr" not in text:
        return
    for match in _SUBMISSION_RE.finditer(text):
        ident = render_id(match["d"], match["t"], int(match["n"]))
        window = text[max(0, match.start() - 3000) : match.start()]
        names: tuple[str, ...] = ()
        proposed = list(_PROPOSED_BY_RE.finditer(window))
        if proposed:
            names = vocab.split_names(proposed[-1]["names"])
        else:
            speakers = [s for s in _SPEAKER_RE.finditer(window) if "oorzitter" not in s.group()]
            if speakers:
                names = (" ".join(speakers[-1]["name"].split()),)
        item = _add(found, ident, match.start(), None, names, date)
        replaces = None
        if match["was"]:
            replaces = render_id(match["d"], match["t"], int(match["was"]))
        else:
            amended = list(_AMENDED_RE.finditer(window[-1500:]))
            if amended:
                offset = match.start() - len(window[-1500:])
                before = find_citations(
                    text[max(0, offset + amended[-1].start() - 300) : offset + amended[-1].start()]
                )
                if before:
                    replaces = before[-1].id
        evidence = " ".join(match.group().split())
        _set_facts(item, ident, replaces=replaces, evidence=evidence)
        if replaces:
            old = _add(found, replaces, match.start() - 1, None, (), None)
            if old.facts is None or old.facts.decision is None:
                _set_facts(old, replaces, decision=ParliamentaryStatus.REPLACED, evidence=evidence)


def _local_decision(sentence: str, item: _Motion, ident: str) -> None:
    """A decision stated in the sentence that cites the motion (withdrawn, held, amended)."""
    if item.facts is not None and item.facts.decision is not None:
        return
    low = sentence.lower()
    if "motie" not in low or not any(
        w in low for w in ("ingetrokken", "trek", "agenda", "houden", "gewijzigd")
    ):
        return
    if (
        "motie-" in low
        and "aangehouden motie" in low
        and "houden" not in low.replace("aangehouden", "")
    ):
        return
    for pattern, decision in _LOCAL_DECISIONS:
        if pattern.search(sentence):
            _set_facts(item, ident, decision=decision, evidence=" ".join(sentence.split()))
            return


def _outcomes(text: str, motion_cites: list[tuple[int, str]], found: dict[str, _Motion]) -> None:
    """ "Ik constateer dat … zodat zij is aangenomen": the decision and the parties' votes."""
    if "onstateer" not in text or not motion_cites:
        return
    positions = [pos for pos, _ in motion_cites]
    for match in _CONSTATEER_RE.finditer(text):
        i = bisect.bisect_left(positions, match.start()) - 1
        if i < 0:
            continue
        ident = motion_cites[i][1]
        body = " ".join(match["body"].split())
        pro: list[str] = []
        con: list[str] = []
        others = None
        side = _SIDE_RE.search(body)
        if side:
            (pro if side["v"].lower() == "voor" else con).extend(vocab.parties(side["list"]))
            other = _OTHER_RE.search(body, side.end())
            if other:
                voted_for = other["v"].lower() in ("ervoor", "voor")
                if other["rest"]:
                    others = "for" if voted_for else "against"
                else:
                    (pro if voted_for else con).extend(vocab.parties(other["list"]))
        if match["tie"]:
            decision = ParliamentaryStatus.TIED
        elif match["u"]:
            decision, others = ParliamentaryStatus.ADOPTED, "for"
        else:
            decision = DECISION_WORDS[match["o"].lower()]
        start = text.rfind("Ik ", max(0, match.start() - 20), match.start())
        evidence = " ".join(text[start if start >= 0 else match.start() : match.end()].split())
        _set_facts(
            found[ident],
            ident,
            decision=decision,
            parties_for=tuple(pro),
            parties_against=tuple(con),
            others=others,
            evidence=evidence,
        )


def _vote_page(text: str, motion_cites: list[tuple[int, str]], found: dict[str, _Motion]) -> None:
    """A page of vote results: per motion its outcome, submitter and the parties' votes.

    Two layouts: a block per motion that opens with its title line and carries its id on a line of
    its own further down (tweedekamer.nl), or a block that opens with the id.
    """
    if _heading_blocks(text, found):
        return
    bounds = [pos for pos, _ in motion_cites] + [len(text)]
    for (pos, ident), end in zip(motion_cites, bounds[1:], strict=True):
        _read_block(text[pos:end], found[ident], ident)


def _heading_blocks(text: str, found: dict[str, _Motion]) -> bool:
    """Blocks that open with the motion's title line; False when the page is not laid out so."""
    heads = [m.start() for m in _PAGE_HEADING_RE.finditer(text)]
    first_id = _ID_LINE_RE.search(text)
    if not heads or first_id is None or first_id.start() < heads[0]:
        return False
    for start, end in zip(heads, [*heads[1:], len(text)], strict=True):
        block = text[start:end]
        line = _ID_LINE_RE.search(block)
        if line is None:
            continue
        ident = normalize_motion_id(line.group().strip())
        if ident is None or ident not in found:
            continue
        item = found[ident]
        _read_block(block, item, ident)
        when = vocab.DATE_RE.search(block, line.end(), line.end() + 80)
        item.date = item.date or vocab.date_of(when)
        tvv = _TVV_RE.search(block, 0, line.start())
        if tvv is None:
            continue
        old = [c.id for c in find_citations(tvv["body"]) if c.id != ident and c.id in found]
        if old:
            _set_facts(item, ident, replaces=old[0])
            replaced = found[old[0]]
            if replaced.facts is None or replaced.facts.decision is None:
                evidence = " ".join(block[: tvv.end()].split())
                _set_facts(
                    replaced, old[0], decision=ParliamentaryStatus.REPLACED, evidence=evidence
                )
    return True


def _read_block(block: str, item: _Motion, ident: str) -> None:
    indiener = _INDIENER_RE.search(block)
    if indiener:
        item.submitters = (" ".join(indiener["name"].split()),)
    votes = page_votes(block, ident)
    if votes is not None and (item.facts is None or item.facts.decision is None):
        _set_facts(
            item,
            ident,
            decision=votes.decision,
            parties_for=votes.parties_for,
            parties_against=votes.parties_against,
            evidence=votes.evidence,
        )
