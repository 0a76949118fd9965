"""Each fact once: the rules that call a later sentence of a brief a repeat of an earlier one.

Used by `summarize.BriefWriter` on the checked sentences (the model's, mended or replaced) and
when filling a short brief with the source wording of the facts it left out. A later sentence
is a repeat when it is near-identical in meaning to an earlier one, or close and resting on the
same fact of the plan, or close and giving the same distinctive figure ("15,000", "31
percent"), or three quarters of its content words are in an earlier sentence; or when every
figure it gives is given already and it says little else that is new ("The Tessel Reservoir,
which provides most of the valley, stood at 31%." after "The reservoir is at 31 percent
capacity, ..."; in the 81 Multi-News train references, a later sentence whose figures were all
given before happened once in 54 later sentences with a figure).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

import numpy as np

from . import claims
from .wording import FUNCTION_WORDS, content_words

if TYPE_CHECKING:
    from .plan import Fact
    from .records import Sentence

_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d,.]*")
RESTATED_NEAR = 0.35  # cosine to the earlier sentence that gives the figure
ECHO_RUN = 4  # words in a row shared with an earlier sentence, two of them content words
ECHO_SAID = 0.6  # share of the later sentence's content words the earlier ones have
_TOKEN = re.compile(r"[\w'’$%-]+")


def figures(text: str) -> set[str]:
    """The distinctive figures of `text` ("15,000", "$27,000", "31 percent" = "31%"; not a
    year, not "12"): two close sentences that give the same one state the same fact."""
    found = {
        t
        for t in claims.key_terms(text)
        if re.fullmatch(r"\d[\d.]*", t)
        and len(t.replace(".", "")) >= 3
        and not (len(t) == 4 and 1900 <= float(t) <= 2100)
    }
    percents = {m.group(1) for m in _PERCENT.finditer(text)}
    return (found - percents) | {p + "%" for p in percents}


def contained(text: str, earlier: str) -> bool:
    """Whether what `text` says is mostly said by `earlier` already: three quarters of its
    content words (first five letters) are in it."""
    words = content_words(text)
    return len(words) >= 3 and len(words & content_words(earlier)) >= 0.75 * len(words)


def restates_figures(text: str, earlier: list[str], similarity: list[float]) -> bool:
    """Whether `text` gives only figures the `earlier` sentences give already (each number it
    has among theirs, one of them distinctive), is near one that gives it (`similarity`: its
    cosine to each), and has at least half of its content words in them."""
    mine = figures(text)
    if not mine:
        return False
    before = [figures(e) for e in earlier]
    if not mine <= set().union(*before):
        return False
    numbers = {n.strip(",.") for n in _NUMBER.findall(text)}
    if not numbers <= {n.strip(",.") for e in earlier for n in _NUMBER.findall(e)}:
        return False  # a new number, even a small one, is a new fact
    if not any(s >= RESTATED_NEAR and f & mine for s, f in zip(similarity, before, strict=True)):
        return False
    words = content_words(text)
    said = set().union(*(content_words(e) for e in earlier))
    return len(words & said) >= 0.5 * len(words)


def echoes(text: str, earlier: list[str]) -> bool:
    """Whether `text` restates an earlier sentence: it repeats a run of one's words (four in a
    row, two of them content words not capitalised) and 60% of its content words are in the
    earlier sentences ("Ana Ruiz faces a string of charges including fraud and witness
    tampering." after "The mayor was charged Monday with charges including fraud and witness
    tampering ..."). The
    embedders miss such pairs: MiniLM put a validation pair of this shape at cosine 0.33. In
    the 81 Multi-News train references it holds for 1 of 758 later sentences; in 20 validation
    briefs (clusters 220-239) for 3 of 177, each a restatement."""
    words = content_words(text)
    if len(words) < 3 or not earlier:
        return False
    said = set().union(*(content_words(e) for e in earlier))
    if len(words & said) < ECHO_SAID * len(words):
        return False
    written = _TOKEN.findall(text)
    mine = [w.lower() for w in written]
    for e in earlier:
        theirs = _TOKEN.findall(e.lower())
        m = SequenceMatcher(None, mine, theirs, autojunk=False)
        match = m.find_longest_match(0, len(mine), 0, len(theirs))
        run = written[match.a : match.a + match.size]
        # content words written in lower case: a run of a name ("Ana Ruiz, the mayor of
        # Tarn") is said again in any sentence about her
        content = [w for w in run if w.islower() and len(w) >= 4 and w not in FUNCTION_WORDS]
        if len(run) >= ECHO_RUN and len(content) >= 2:
            return True
    return False


def echoed(text: str, earlier: list[str]) -> list[int]:
    """The `earlier` sentences that `text` says again with more (each `echoes` it): "New
    vocals appear on the finished version, as well as a slide guitar." before "New vocals
    appear on the finished version of <the song>, which was recorded in 1970." (a validation
    brief kept both: the shorter came first), where `text` does not echo it back (then
    neither says more). `text` takes the first one's place."""
    return [k for k, e in enumerate(earlier) if echoes(e, [text]) and not echoes(text, [e])]


def repeated(
    text: str,
    fact: int,
    earlier: list[tuple[str, int]],
    similarity: list[float],
    same_fact: float,
    duplicate: float,
    opens: bool = False,
) -> bool:
    """Whether `text` (resting on the plan's `fact`) states a fact the `earlier` sentences
    (text, fact) state already, `similarity` being its cosine to each: near-identical in
    meaning (`duplicate`), or close (`same_fact`) and resting on the same fact of the plan
    ("until it is half full again" after "until it recovers to 50 percent") or giving the same
    distinctive figure; mostly contained in one; only figures given already; or an echo.
    `opens`: its fact opens a report, so close to the brief's first sentence, with no figure
    that sentence lacks, it is the event told again ("A former Millis police officer was found
    dead ..." after "Bryan Johnson, 24, died ...", validation 246; "roughly 18,000 people used
    the line" after "The tram line opened on Saturday" is news of its own)."""
    texts = [e for e, _ in earlier]
    return (
        (
            opens
            and bool(earlier)
            and similarity[0] >= same_fact
            and figures(text) <= figures(earlier[0][0])
        )
        or any(
            sim >= (same_fact if f == fact else duplicate)
            or contained(text, e)
            or (sim >= same_fact and bool(figures(text) & figures(e)))
            for (e, f), sim in zip(earlier, similarity, strict=True)
        )
        or restates_figures(text, texts, similarity)
        or echoes(text, texts)
    )


def states(
    texts: list[str],
    vectors: np.ndarray,
    text: str,
    vector: np.ndarray,
    lowercase: set[str],
    same: float,
) -> bool:
    """Whether sentences `texts` (embedded as `vectors`) state already what `text` (embedded as
    `vector`) says: one is near it in meaning (cosine `same`), holds it or is held by it, it
    echoes one, or it gives a figure, name or month one gives, on the same subject (cosine
    0.4). The fill's test of a fact the model left out (summarize.py)."""
    sims = vectors @ vector
    terms = set(claims.key_terms(text, lowercase))
    return (
        float(np.max(sims)) >= same
        or any(contained(t, text) or contained(text, t) for t in texts)
        or echoes(text, texts)
        or any(
            sims[j] >= 0.4 and terms & set(claims.key_terms(t, lowercase))
            for j, t in enumerate(texts)
        )
    )


def opening_facts(
    facts: Sequence[Fact], sentences: Sequence[Sentence], within: int = 3
) -> set[int]:
    """The plan's facts (indices) that a report opens with: its earliest planned sentence, one
    of its first `within`."""
    first: dict[int, int] = {}
    for f in facts:
        for m in f.members:
            s = sentences[m]
            first[s.source] = min(first.get(s.source, within - 1), s.position)
    return {
        k
        for k, f in enumerate(facts)
        if any(sentences[m].position == first[sentences[m].source] for m in f.members)
    }
