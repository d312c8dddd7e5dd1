"""How far a text says the cabinet carried out a motion: ranked Dutch phrasings → ExecutionStatus.

Sentences about a motion (a letter's section on it, the sentences that cite it, a budget annex's
status cell) are matched against ranked phrasings; the lowest rank wins and its first sentence is
the evidence:

0. no longer applicable — "niet langer van toepassing", "is komen te vervallen", "achterhaald";
1. declined — "zal de motie niet uitvoeren", "wordt niet uitgevoerd", "ik zie geen mogelijkheid
   de motie uit te voeren", "uitvoering is niet wenselijk";
2. executed — "uitvoering gegeven aan deze motie", "beschouw ik de motie als uitgevoerd",
   "hiermee is uitvoering / opvolging gegeven aan", "de motie is afgedaan";
3. in progress — "in uitvoering", "zal … blijven", "nog niet tot stand gekomen", "wordt momenteel
   uitgewerkt", "de motie is overgedragen aan …" (carried on by another minister; the evidence
   says to whom);
4. executed — "conform deze motie" with a past tense;
5. executed — a reported past action of the cabinet ("onderstreepte Nederland …").

A minister's appraisal before a vote ("ik ontraad de motie", "oordeel Kamer") is never an
execution status. Budget and annual-report annexes state the status in a word or two
("Afgedaan", "In uitvoering", "Niet uitgevoerd", "Overgedragen aan …"); ``annex_status`` reads
those first ("Afgedaan. De uitvoering … is overgedragen aan het ministerie van SZW." is in progress
elsewhere: the evidence is the handover sentence). The phrasings were collected from the shared
letters and from real annexes and letters under tests/scrapers/realtexts/.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable

from state.models import ExecutionStatus

__all__ = ["Sentences", "annex_status", "classify", "decide"]


def _words(text: str) -> frozenset[str]:
    """A word list written as one string."""
    return frozenset(text.split())


# --- execution status: one regex per rank, matched on a whitespace-normalised sentence --------
_NOT_APPLICABLE_RE = re.compile(
    r"\bniet\s+(?:langer|meer)\s+(?:van\s+toepassing|relevant|aan\s+de\s+orde|nodig)"
    r"|\b(?:is|zijn)\s+(?:hiermee\s+)?(?:komen\s+te\s+)?vervallen\b|\bachterhaald\b"
    r"|\bzonder\s+voorwerp\b|\boverbodig\s+geworden\b",
    re.IGNORECASE,
)
_DECLINED_RE = re.compile(
    r"\b(?:zal|zullen|kan|kunnen)\s+(?:\w+\s+){0,5}?(?:de|deze|die)\s+motie\s+niet\s+(?:uitvoeren|uit\s+te\s+voeren)"
    r"|\b(?:voert|voeren)\s+(?:de|deze)\s+motie\s+niet\s+uit"
    r"|\bgeen\s+uitvoering\s+(?:\w+\s+){0,3}?(?:geven|te\s+geven|gegeven)\b"
    r"|\bniet\s+(?:over\s*)?gaan\s+tot\s+(?:de\s+)?uitvoering"
    r"|\b(?:ziet|zien|zag)\s+(?:\w+\s+){0,3}?af\s+van\s+(?:de\s+)?uitvoering"
    r"|\buitvoering\s+(?:van\s+(?:de|deze)\s+motie\s+)?(?:is\s+)?niet\s+(?:wenselijk|opportuun|haalbaar|verstandig|uitvoerbaar)"
    r"|\bacht\w*\s+(?:\w+\s+){0,3}?(?:motie|uitvoering)\s+(?:\w+\s+){0,4}?niet\s+(?:wenselijk|opportuun|uitvoerbaar|haalbaar)"
    r"|\bmotie\s+(?:is\s+)?niet\s+uitvoerbaar"
    r"|\b(?:wordt|worden|zal|zullen|is|werd)\s+(?:(?!nog\b)\w+\s+){0,2}?niet\s+(?:worden\s+)?uitgevoerd"
    r"|(?<!nog )\bniet\s+uitgevoerd\b"
    r"|\bgeen\s+(?:\w+\s+){0,1}?mogelijkhe(?:id|den)\s+(?:\w+\s+){0,5}?(?:uit\s+te\s+voeren|uitvoering)",
    re.IGNORECASE,
)
_EXECUTED_STRONG_RE = re.compile(
    r"\buitvoering\s+(?:\w+\s+){0,2}?gegeven\s+aan\s+(?:de|deze|die)\s+(?:gewijzigde\s+)?motie"
    r"|\b(?:de|deze|die)\s+(?:gewijzigde\s+)?motie\s+(?:is|werd|was)\s+(?:\w+\s+){0,3}?"
    r"(?:uitgevoerd|afgedaan|afgerond|volbracht)"
    r"|\b(?:beschouw\w*|acht\w*)\s+(?:\w+\s+){0,3}?(?:de|deze)\s+motie\s+(?:\w+\s+){0,2}?"
    r"(?:als\s+)?(?:uitgevoerd|afgedaan)"
    r"|\bals\s+(?:uitgevoerd|afgedaan)\s+(?:beschouwd|gezien|aangemerkt)"
    r"|\b(?:hiermee|daarmee|hierbij|hiermede)\s+(?:\w+\s+){0,4}?(?:is|wordt|heeft)\s+(?:\w+\s+){0,4}?"
    r"(?:invulling|uitvoering|opvolging|gevolg)\s+(?:\w+\s+){0,2}?gegeven"
    r"|\bvoldaan\s+aan\s+(?:de|deze)\s+motie",
    re.IGNORECASE,
)
# "ik ontraad de motie", "oordeel Kamer", "laat het oordeel aan de Kamer", "was ontraden"
_APPRAISAL_RE = re.compile(
    r"\bontra(?:ad|den|adt|dde)\b|\boordeel\s+(?:aan\s+de\s+)?kamer\b|\bappreciatie\b",
    re.IGNORECASE,
)
# "de motie is overgedragen aan de minister van Defensie": carried on elsewhere
_HANDED_OVER_RE = re.compile(
    r"\b(?:is|wordt|zijn|werd)\s+overgedragen\s+aan\b|^\s*overgedragen\s+aan\b", re.IGNORECASE
)
_NOT_APPLICABLE_WORDS = (
    "niet langer",
    "niet meer",
    "vervallen",
    "achterhaald",
    "voorwerp",
    "overbodig",
)
_EXECUTED_WORDS = (
    "opvolging",
    "gevolg",
    "uitvoering",
    "uitgevoerd",
    "invulling",
    "afgedaan",
    "afgerond",
    "volbracht",
    "voldaan",
)
_EFFORT = (
    r"(?:blijven|inzetten|hardmaken|hard\s+maken|pleiten|aandringen|oproepen|aankaarten|agenderen|"
    r"bepleiten|benadrukken|onderstrepen|opbrengen|aandacht|steunen|ondersteunen|doen|volgen|"
    r"aanspreken|uitvoeren|werken|bezien|onderzoeken|verkennen)"
)
_GOVERNMENT = r"(?:het\s+kabinet|kabinet|Nederland|de\s+regering|regering|ik|wij|we)"
_NOT_YET_RE = re.compile(
    r"\bnog\s+niet\b(?:\s+[\w-]+){0,3}?\s+(?:tot\s+stand\s+gekomen|gerealiseerd|afgerond|bereikt|"
    r"uitgevoerd|voltooid|gelukt|geïmplementeerd|ingevoerd|verwezenlijkt)",
    re.IGNORECASE,
)
_BEING_DONE_RE = re.compile(
    r"\b(?:wordt|worden)\s+(?:momenteel|thans|nog|nu|verder)\s+(?:\w+\s+){0,2}?(?:uitgevoerd|"
    r"uitgewerkt|bezien|onderzocht|voorbereid)\b"
    r"|\bmotie\s+wordt\s+(?!als\b)(?:\w+\s+){0,2}?uitgevoerd\b",
    re.IGNORECASE,
)
_WILL_EXECUTE_RE = re.compile(
    r"\b(?:zal|zullen)\s+(?:\w+\s+){0,6}?(?:uitvoeren|uitvoering\s+geven|invulling\s+geven|uitwerken)\b",
    re.IGNORECASE,
)
_CONTINUE_RE = re.compile(
    rf"\b(?:zal|zullen|blijft|blijven)\s+{_GOVERNMENT}\b.*?\b{_EFFORT}\b"
    rf"|\b{_GOVERNMENT}\s+(?:zal|zullen|blijft|blijven|blijf)\b.*?\b{_EFFORT}\b",
    re.IGNORECASE,
)
_CONFORM_RE = re.compile(
    r"(?:\bconform|\bin\s+lijn\s+(?:is\s+|zijn\s+)?met|\bovereenkomstig|\bin\s+de\s+geest\s+van|"
    r"\bter\s+uitvoering\s+van|\bin\s+navolging\s+van)\s+(?:de\s+|deze\s+|die\s+)?(?:gewijzigde\s+)?"
    r"motie\b(?!\s*\d)",
    re.IGNORECASE,
)
_NORMATIVE_RE = re.compile(r"\b(?:van\s+(?:groot\s+)?belang|belangrijk)\s+dat\b", re.IGNORECASE)
# Word sets rather than regex alternations: one set lookup per word is much faster.
_PAST_AUX = frozenset(["heeft", "hebben", "had", "hadden", "is", "zijn", "werd", "werden"])
_ACTORS = _words(
    "kabinet nederland regering minister ministers voorganger ambtsvoorganger "
    "staatssecretaris premier minister-president ik wij we hij zij ambassade ambassadeur"
)
_PAST_ACTIONS = _words(
    "gepleit pleitte pleitten benadrukt benadrukte onderstreept onderstreepte opgeroepen "
    "riep riepen besproken besprak uitgesproken sprak spraken aangeboden bood geuit uitte "
    "verkondigd verkondigde aangekaart kaartte opgebracht gevraagd vroeg gedaan deed "
    "hardgemaakt gemaakt ingezet zette veroordeeld veroordeelde gestuurd stuurde gesteld "
    "stelde aangedrongen drong geagendeerd agendeerde overgebracht gedeeld deelde "
    "aangesproken gesteund steunde bijgedragen droeg verstrekt gefinancierd verleend "
    "gevoerd aangegeven gaf ingediend uitgevoerd"
)
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

# --- sentences ------------------------------------------------------------------------------
_SENTENCE_END_RE = re.compile(
    r"[.!?](?:\d{1,3}(?!\d))?[\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9À-Þ])|\n[ \t]*\n"
)
_ABBREVIATIONS = _words(
    "jl a.s c.s t.a.v o.a d.d nr i.h.k.v t.b.v m.n bijv o.b.v o.l.v e.a ca resp mr dr drs "
    "prof ir mw dhr i.p.v m.b.t t.v.v vs incl excl zgn z.g i.v.m evt etc blz p art lid"
)
_TRAILING_MARKER_RE = re.compile(r"(?<=[.!?])\d{1,3}$")


class Sentences:
    """A text split into sentences, findable by offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = [0]
        for match in _SENTENCE_END_RE.finditer(text):
            if match.group().startswith("\n") or not _is_abbreviation(text, match.start()):
                self.starts.append(match.end())

    def between(self, start: int, end: int) -> list[str]:
        """The sentences that start in ``[start, end)``, cut off at ``end``."""
        first = bisect.bisect_right(self.starts, start) - 1
        bounds = [start, *(b for b in self.starts[first + 1 :] if b < end), end]
        return [self.text[a:b] for a, b in itertools.pairwise(bounds) if self.text[a:b].strip()]

    def around(self, offset: int) -> str:
        """The sentence that contains ``offset``."""
        i = bisect.bisect_right(self.starts, offset) - 1
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[i] : end]


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    before = text[max(0, dot - 16) : dot].split()
    word = before[-1].rsplit("(", 1)[-1] if before else ""
    if word.lower() in _ABBREVIATIONS:
        return True
    return len(word) <= 2 and word[:1].isupper() and word.replace(".", "").isalpha()  # initials


def classify(sentence: str) -> tuple[int, ExecutionStatus] | None:
    """Rank and status a sentence supports (lower rank wins), or None."""
    low = sentence.lower()  # cheap keyword gates first: most sentences say nothing about status
    if ("ontra" in low or "oordeel" in low) and _APPRAISAL_RE.search(sentence):
        return None  # the appraisal before a vote, not a report on execution
    if _has(low, _NOT_APPLICABLE_WORDS) and _NOT_APPLICABLE_RE.search(sentence):
        return 0, ExecutionStatus.NOT_APPLICABLE
    negated = "niet" in low or "geen" in low
    about_execution = "motie" in low or "uitvoer" in low or "uit te voeren" in low
    refused = negated or " af van" in low
    if refused and about_execution and _DECLINED_RE.search(sentence):
        return 1, ExecutionStatus.DECLINED
    if not negated and _has(low, _EXECUTED_WORDS) and _EXECUTED_STRONG_RE.search(sentence):
        return 2, ExecutionStatus.EXECUTED
    if _in_progress(low, sentence):
        return 3, ExecutionStatus.IN_PROGRESS
    if "belang" in low and _NORMATIVE_RE.search(sentence):
        return None
    words = frozenset(_WORD_RE.findall(low))
    if "motie" in low and _CONFORM_RE.search(sentence) and not words.isdisjoint(_PAST_AUX):
        return 4, ExecutionStatus.EXECUTED
    if not words.isdisjoint(_PAST_ACTIONS) and not words.isdisjoint(_ACTORS):
        return 5, ExecutionStatus.EXECUTED
    return None


def _in_progress(low: str, sentence: str) -> bool:
    """Whether the sentence says the work goes on and its result is not reached yet."""
    if "in uitvoering" in low or "in voorbereiding" in low or "in behandeling" in low:
        return True
    if "overgedragen" in low and _HANDED_OVER_RE.search(sentence):
        return True
    if "nog niet" in low and _NOT_YET_RE.search(sentence):
        return True
    if (
        "word" in low
        and _has(low, ("momenteel", "thans", " nog ", " nu ", "verder", "uitgevoerd"))
        and _BEING_DONE_RE.search(sentence)
    ):
        return True
    future = "zal" in low or "zullen" in low
    if (
        future
        and _has(low, ("uitvoer", "invulling", "uitwerk"))
        and _WILL_EXECUTE_RE.search(sentence)
    ):
        return True
    return (future or "blijf" in low or "blijv" in low) and _CONTINUE_RE.search(
        sentence
    ) is not None


def _has(low: str, words: tuple[str, ...]) -> bool:
    return any(word in low for word in words)


def decide(sentences: Iterable[str]) -> tuple[ExecutionStatus | None, str | None]:
    best: tuple[int, ExecutionStatus, str] | None = None
    for raw in sentences:
        sentence = " ".join(raw.split())
        verdict = classify(sentence)
        if verdict and (best is None or verdict[0] < best[0]):
            best = (verdict[0], verdict[1], sentence)
    if best is None:
        return None, None
    return best[1], _TRAILING_MARKER_RE.sub("", best[2])


# --- budget and annual-report annexes ----------------------------------------------------------

# A status cell as the annexes write it, read from its first words.
_ANNEX_CELLS: tuple[tuple[re.Pattern[str], ExecutionStatus], ...] = (
    (
        re.compile(r"(?:vervallen|niet\s+(?:langer|meer)\s+van\s+toepassing|achterhaald)\b", re.I),
        ExecutionStatus.NOT_APPLICABLE,
    ),
    (
        re.compile(r"(?:niet\s+uitgevoerd|niet\s+uitvoerbaar|wordt\s+niet\s+uitgevoerd)\b", re.I),
        ExecutionStatus.DECLINED,
    ),
    (
        re.compile(r"(?:afgedaan|afgerond|uitgevoerd|voldaan|gerealiseerd)\b", re.I),
        ExecutionStatus.EXECUTED,
    ),
    (
        re.compile(
            r"(?:in\s+uitvoering|in\s+behandeling|lopend|loopt|openstaand|nog\s+niet\s+afgedaan"
            r"|deels\s+afgedaan|overgedragen\s+aan)\b",
            re.I,
        ),
        ExecutionStatus.IN_PROGRESS,
    ),
)
_CELL_LEAD_RE = re.compile(r"^[\s:;,.–-]*(?:status\s*:?\s*)?", re.IGNORECASE)


def annex_status(cell: str) -> tuple[ExecutionStatus | None, str | None]:
    """The status an annex's status cell gives ("Afgedaan. De Kamer is per brief …"), with evidence.

    A cell that starts with one of the annex words decides by that word; otherwise its sentences
    go through ``decide`` like a letter's.
    """
    text = " ".join(cell.split())
    lead = _CELL_LEAD_RE.match(text)
    start = lead.end() if lead else 0
    for pattern, status in _ANNEX_CELLS:
        if pattern.match(text, start):
            sentences = Sentences(text)
            handed = _HANDED_OVER_RE.search(text, start)
            if status is ExecutionStatus.EXECUTED and handed:
                # "Afgedaan. De uitvoering van de motie is overgedragen aan het ministerie van
                # SZW.": done on this ministry's list, carried on by another one
                evidence = " ".join(sentences.around(handed.start()).split())
                return ExecutionStatus.IN_PROGRESS, evidence
            return status, " ".join(sentences.around(start).split()) or text
    return decide(Sentences(text).between(0, len(text)))
