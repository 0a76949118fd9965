"""Disagreements between sources: where reports of the same fact quote different words or give
different numbers, the brief says so and cites each side, instead of silently picking one.

Two kinds are detected, among the source sentences that state one fact (those close to it in
embedding space):
- quotations: short quoted phrases (up to six words) that are wordings of one quote (they
  share a content word) and differ between sources, as when one report has a minister call a
  move a "bold step" and another a "brave step";
- numbers: different figures for the same unit ("18,000 riders" against "21,500 riders").

Either way each version must come from reports that give no other version: a report that
states two figures or two quotations is describing two things, not contradicting another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .claims_languages import foreign_figures
from .records import BriefSentence, Evidence, Sentence

NEAR = 0.6  # source sentences this similar to a fact report the same fact
MAX_QUOTE_WORDS = 6
ROUNDING = 0.005  # figures within half a percent of each other are one figure, rounded
FAR_APART = 5.0  # figures more than 5 times apart measure different things (read on validation)
_POINTS_BACK = re.compile(
    r"[\"“'‘(]*(?:That|This|These|Those)(?:['’]s| (?:was|is|were|are|has|had|will|would|could"
    r"|brought|brings|came|comes|means|meant|follows|followed|marks|marked|made|makes|left|leaves"
    r"|puts|put|took|takes))\b"
)
_TITLE = re.compile(r"[A-Z0-9][\w'’&-]*(?:\s+(?:[A-Z0-9][\w'’&-]*|of|the|and|in|on|a|an|to))*")
_QUOTE = re.compile(r"[\"“”]([^\"“”]{2,80}?)[,.]?[\"“”]")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_FIGURE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
_NUMBER_UNIT = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s+([a-z]{3,})\b")
# Words after a number that are not the unit being counted.
_NOT_UNITS = {
    "and", "the", "for", "with", "from", "that", "this", "was", "were", "have", "has", "had",
    "people's", "per", "percent", "years", "year", "after", "before", "since", "when", "who",
    "which", "but", "are", "its", "their", "his", "her", "into", "over", "under", "about",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
}  # fmt: skip


_SCALES = {"thousand", "million", "billion", "trillion"}
_CURRENCIES = {"$": "dollars", "£": "pounds", "€": "euros"}
# Words reports use for the same count: "18,000 people" and "21,500 passengers" disagree.
_SAME_UNIT = {
    **dict.fromkeys(
        ("people", "person", "persons", "passenger", "rider", "commuter", "visitor",
         "traveller", "traveler", "resident", "spectator", "attendee"),
        "people",
    ),
    **dict.fromkeys(("dead", "death", "killed", "fatalitie", "fatality", "victim"), "deaths"),
    **dict.fromkeys(("feet", "foot"), "feet"),
    **dict.fromkeys(("injured", "injurie", "injury", "wounded"), "injuries"),
    **dict.fromkeys(("troop", "soldier"), "soldiers"),
}  # fmt: skip


@dataclass(frozen=True)
class Disagreement:
    kind: str  # "quote" or "number"
    unit: str  # for numbers: what is counted
    sides: tuple[tuple[str, tuple[int, ...]], ...]  # (what a side says, its sources), sorted
    # (source, sentence) where each side's version is written: the reader's evidence
    examples: tuple[tuple[int, str], ...] = ()

    def sentence(self, stated: frozenset[str] = frozenset()) -> BriefSentence:
        """The brief's sentence on it. `stated`: the sides a sentence before it already gives
        (`stated_in`); then only the other sides are told ("Another report gives 21,500
        (source 3) for the number of people."), so no figure is stated twice."""
        rest = [(v, srcs) for v, srcs in self.sides if v not in stated]
        if not rest or len(rest) == len(self.sides):
            rest, stated = list(self.sides), frozenset()
        parts = ", ".join(
            f"{_show(value, self.kind, self.unit)} ({_sources(srcs)})" for value, srcs in rest
        )
        cited = tuple(sorted({n for _, srcs in rest for n in srcs}))
        if stated:
            who = "Another report" if len(cited) == 1 else "Other reports"
            verb = "gives" if len(cited) == 1 else "give"
            if self.kind == "quote":
                verb = "quotes" if len(cited) == 1 else "quote"
                text = f"{who} {verb} the words as {parts}."
            else:
                text = f"{who} {verb} {parts} for {_what(self.unit)}."
        elif self.kind == "quote":
            text = f"Reports differ on the words quoted: {parts}."
        else:
            text = f"Reports differ on {_what(self.unit)}: {parts}."
        evidence = tuple(Evidence(n, t) for n, t in self.examples if n in cited)
        return BriefSentence(text, cited, evidence)

    def stated_in(self, text: str) -> frozenset[str]:
        """The sides whose version `text` gives (a figure or a quotation of it)."""
        if self.kind == "quote":
            said = _norm_quote(text)
            return frozenset(v for v, _ in self.sides if v in said)
        figures = {_figure(m.group(0)) for m in _FIGURE.finditer(text)}
        figures |= set(foreign_figures(text))
        return frozenset(v for v, _ in self.sides if v in figures)


def find(fact_index: int, sentences: list[Sentence], vectors: np.ndarray) -> list[Disagreement]:
    """Disagreements among the sentences that report the fact of `sentences[fact_index]`."""
    sims = vectors @ vectors[fact_index]
    related = [sentences[j] for j in np.flatnonzero(sims >= NEAR)]
    if len({s.source for s in related}) < 2:
        return []
    found = []
    quotes: dict[str, set[int]] = {}
    for s in related:
        for m in _QUOTE.finditer(s.text):
            q = _norm_quote(m.group(1))
            if _TITLE.fullmatch(m.group(1).strip()):
                continue  # a show's or a book's name: "Good Morning America" (validation 32)
            if 1 <= len(q.split()) <= MAX_QUOTE_WORDS:
                quotes.setdefault(q, set()).add(s.source)
    for variants in _variant_groups(_drop_contained(quotes)):
        if _conflict(variants):
            sides = _sides(variants)
            found.append(Disagreement("quote", "", sides, _examples(sides, related, "quote")))
    # a figure in a sentence that points back at what the one before told may count another
    # thing: "That was a continuation of a fall from Friday, which saw the Dow close down just
    # under 666 points" is Friday's fall, not Monday's 1,175 (validation 19 said they differ)
    units = _figures_by_unit([s for s in related if not _POINTS_BACK.match(s.text)])
    everywhere = _figures_by_unit(sentences)  # each figure's reports, in the whole story
    for unit, values in sorted(units.items()):
        # a report that gives both figures anywhere counts two things ("$3.5 million to two
        # officials" and "$3 million" to one of them, read on Multi-News train)
        values_all = {v: values[v] | everywhere.get(unit, {}).get(v, set()) for v in values}
        if _conflict(values) and _conflict(values_all):
            sides = _sides(values)
            found.append(Disagreement("number", unit, sides, _examples(sides, related, "number")))
    return found


def placed(
    out: list[BriefSentence],
    out_vectors: np.ndarray,
    fact_indices: list[int],
    sentences: list[Sentence],
    vectors: np.ndarray,
) -> list[BriefSentence]:
    """The brief `out` with a sentence on each disagreement among the sources of its facts
    (`fact_indices` into `sentences`), once each: after the first sentence that gives one of
    its versions (and then telling only the others), else after the sentence nearest the fact."""
    found: dict[tuple, tuple[int, BriefSentence]] = {}
    if not out:
        return out
    for index in fact_indices:
        for d in find(index, sentences, vectors):
            # one disagreement, however many facts it shows up under: said once
            key = (d.kind, d.unit, frozenset(value for value, _ in d.sides))
            if key in found:
                continue
            stating = [(i, d.stated_in(x.text)) for i, x in enumerate(out)]
            stating = [(i, values) for i, values in stating if values]
            if stating:
                found[key] = (stating[0][0], d.sentence(stating[0][1]))
            else:
                found[key] = (int(np.argmax(out_vectors @ vectors[index])), d.sentence())
    result: list[BriefSentence] = []
    for i, sentence in enumerate(out):
        result.append(sentence)
        result += [d for after, d in found.values() if after == i]
    return result


def _figures_by_unit(sentences: list[Sentence]) -> dict[str, dict[str, set[int]]]:
    """unit -> figure -> the sources giving it: "18,000 riders" is 18000 people; "$3.5
    million" is 3.5 of "$ million" (an amount), "2 million people" 2 of "million people"."""
    units: dict[str, dict[str, set[int]]] = {}
    for s in sentences:
        lower = s.text.lower()
        for m in _NUMBER_UNIT.finditer(lower):
            number, unit = _figure(m.group(1)), m.group(2)
            if unit in _SCALES:
                currency = lower[: m.start(1)].rstrip()[-1:]
                after = re.match(r"\s+([a-z]{3,})", lower[m.end() :])
                if currency in _CURRENCIES:
                    unit = f"{currency} {unit}"
                elif after and after.group(1) not in _NOT_UNITS:
                    noun = after.group(1).removesuffix("s")
                    unit = f"{unit} {_SAME_UNIT.get(noun, noun + 's')}"
                else:
                    continue
            elif unit in _NOT_UNITS:
                continue
            else:
                unit = unit.removesuffix("s")
                unit = _SAME_UNIT.get(unit, unit + "s")
            units.setdefault(unit, {}).setdefault(number, set()).add(s.source)
    return units


def _figure(raw: str) -> str:
    """A figure in the checker's form: "3,5" (as French, German, Spanish write 3.5) is "3.5";
    "1,200" is "1200"."""
    return raw.replace(",", ".") if _DECIMAL_COMMA.fullmatch(raw) else raw.replace(",", "")


def _examples(
    sides: tuple[tuple[str, tuple[int, ...]], ...], related: list[Sentence], kind: str
) -> tuple[tuple[int, str], ...]:
    """For each side, the first sentence of each of its sources that gives its version."""
    out = []
    for value, sources in sides:
        for n in sources:
            for s in related:
                text = _norm_quote(s.text) if kind == "quote" else s.text.replace(",", "")
                if s.source == n and (value in text or value in foreign_figures(s.text)):
                    out.append((n, s.text))
                    break
    return tuple(out)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _conflict(values: dict[str, set[int]]) -> bool:
    """Two or more versions, each from reports that give no other: a report that states both
    "2.4 hours" and "2.5 hours" is counting two things, not contradicting another report."""
    if len(values) < 2:
        return False
    numbers = [float(v) for v in values if _is_number(v)]
    if len(numbers) == len(values) and max(numbers) - min(numbers) <= ROUNDING * max(numbers):
        return False  # "19,350 feet" and "19,356 feet": one height converted and rounded
    if len(numbers) == len(values) and 0 < FAR_APART * min(numbers) < max(numbers):
        return False  # "80 feet long" and "3.2 feet wide": two measures, not two reports' one
    seen: set[int] = set()
    for sources in values.values():
        if seen & sources:
            return False
        seen |= sources
    return True


# Words too common to tie two quotations together as wordings of one quote.
_QUOTE_STOP = {
    "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "it", "we", "i", "you",
    "he", "she", "they", "this", "that", "be", "was", "are", "at", "by", "with", "not", "do",
    "can", "what", "when", "our", "my", "his", "her", "their", "its",
}  # fmt: skip


def _variant_groups(quotes: dict[str, set[int]]) -> list[dict[str, set[int]]]:
    """Quotations grouped into wordings of one quote: phrases that share a content word ("bold
    step", "brave step"). Different quotes from one event ("thing", "the field of the
    assembly") share none and are not a disagreement."""
    words = {q: set(q.split()) - _QUOTE_STOP for q in quotes}
    groups: list[dict[str, set[int]]] = []
    for q in sorted(quotes):
        joined = [g for g in groups if any(words[q] & words[other] for other in g)]
        merged = {q: set(quotes[q])}
        for g in joined:
            merged.update(g)
            groups.remove(g)
        groups.append(merged)
    return [g for g in groups if len(g) >= 2]


def _norm_quote(text: str) -> str:
    text = text.replace("’", "'").strip(" ,.;:!?").lower()
    return re.sub(r"\s+", " ", text)


def _drop_contained(quotes: dict[str, set[int]]) -> dict[str, set[int]]:
    """'bold step' and 'a bold step' are one wording."""
    keep: dict[str, set[int]] = {}
    for q in sorted(quotes, key=len):
        container = next((k for k in keep if k in q or q in k), None)
        if container is None:
            keep[q] = set(quotes[q])
        else:
            keep[container] |= quotes[q]
    return keep


def _sides(values: dict[str, set[int]]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    return tuple(
        sorted(((v, tuple(sorted(s))) for v, s in values.items()), key=lambda side: side[1])
    )


def _show(value: str, kind: str, unit: str = "") -> str:
    if kind == "quote":
        return f"“{value}”"
    number = float(value)
    shown = f"{int(number):,}" if number.is_integer() else value
    first, _, rest = unit.partition(" ")
    if first in _CURRENCIES:  # "$3.5 million"
        return f"{first}{shown} {rest}"
    if first in _SCALES:  # "2 million"
        return f"{shown} {first}"
    return shown


def _what(unit: str) -> str:
    """What a figure of `unit` counts, for the brief: "the number of people", "the amount"."""
    first, _, rest = unit.partition(" ")
    if first in _CURRENCIES:
        return "the amount"
    return f"the number of {rest if first in _SCALES else unit}"


def _sources(sources: tuple[int, ...]) -> str:
    label = "source" if len(sources) == 1 else "sources"
    return f"{label} {', '.join(map(str, sources))}"
