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

from . import claims
from .wording import FUNCTION_WORDS

_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d,.]*")
RESTATED_NEAR = 0.35  # cosine to the earlier sentence that gives the figure


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


def content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9][a-z0-9'-]{3,}", text.lower())
    return {w[:5] for w in words if w not in FUNCTION_WORDS}


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
