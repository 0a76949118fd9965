"""Sentence splitting: rules, no model.

English (and text of unknown language) is split by the rules below; an article in another
language by pysbd's rules for it (22 languages; its abbreviations, ordinals such as German
"14. November", and quotation marks such as « » and „ “), with a short list of abbreviations
per language that pysbd itself splits after ("Sr." in Spanish, "p. 3" in French).

Paragraphs are split on blank lines, sentences on . ! ? followed by whitespace and a capital,
digit or opening quote. A period that ends an abbreviation, an initial or an ellipsis is not a
boundary, except that abbreviations which often end a sentence ("U.S.", "Inc.", "p.m.") are one
when the next word is a common sentence opener ("... in the U.S. The ...").
"""

from __future__ import annotations

import re
from functools import lru_cache

# A candidate boundary: end punctuation, closing quotes or brackets, then whitespace.
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’)\]]*)\s+")
_OPENERS = "\"'“‘(["

# Never the end of a sentence: they are always followed by a name or a number.
_NEVER_FINAL = {
    "mr", "mrs", "ms", "dr", "prof", "st", "gen", "gov", "sen", "rep", "rev", "sgt", "lt",
    "col", "capt", "cmdr", "adm", "maj", "pres", "supt", "vs", "v", "e.g", "i.e", "cf",
    "approx", "mt", "fig",
}  # fmt: skip
# Often inside a sentence, sometimes at its end: a boundary only before a sentence opener.
_MAYBE_FINAL = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "inc", "co", "corp", "ltd", "jr", "sr", "a.m", "p.m", "bros", "etc", "ft",
}  # fmt: skip
_SENTENCE_OPENERS = {
    "a", "an", "the", "he", "she", "it", "they", "we", "i", "you", "but", "and", "or", "so",
    "this", "that", "these", "those", "there", "in", "on", "at", "for", "as", "if", "when",
    "while", "after", "before", "his", "her", "its", "their", "our", "my", "officials",
    "police", "however", "meanwhile", "still", "yet", "then", "now",
}  # fmt: skip
_LOOK = 200  # characters around a candidate boundary that decide it
_INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")  # "F", "U.S", "J.R.R" (final dot removed)


# The languages pysbd has rules for (its own list), English apart: ours measure as well there
# (tests/test_sentences.py) and keep the English noise counts of benchmarks/noise_counts.py.
LIBRARY_LANGUAGES = frozenset(
    "am ar bg da de el es fa fr hi hy it ja kk mr my nl pl ru sk ur zh".split()
)
_LIBRARY_MAX = 20_000  # a longer "paragraph" (a file without line breaks) gets the linear rules
# Abbreviations that pysbd ends a sentence after, though a name or number always follows.
_LIBRARY_NEVER_FINAL = {
    "fr": {"m", "mm", "mme", "mlle", "p", "pp", "no", "st", "ste", "av", "bd", "dr", "pr"},
    "de": {"nr", "s", "dr", "prof", "bzw", "ca", "str", "hr", "fr", "abs", "bd"},
    "es": {"sr", "sra", "srta", "dr", "dra", "d", "dña", "pág", "núm", "av", "avda", "ud", "uds"},
    "it": {"sig", "sigg", "dott", "prof", "pag", "n", "avv", "ing"},
}


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Split text into sentences, in order. Paragraph breaks always end a sentence.
    `language`: the ISO 639 code of the text (digest/language.py); None or "en": our rules."""
    library = language in LIBRARY_LANGUAGES
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if paragraph and library and len(paragraph) <= _LIBRARY_MAX:
            sentences.extend(_library_split(paragraph, str(language)))
        elif paragraph:
            sentences.extend(_split_paragraph(paragraph))
    return sentences


@lru_cache(maxsize=8)
def _segmenter(language: str):
    import pysbd  # imported here: only articles in other languages need it

    return pysbd.Segmenter(language=language, clean=False)


def _library_split(paragraph: str, language: str) -> list[str]:
    never = _NEVER_FINAL | _LIBRARY_NEVER_FINAL.get(language, set())
    out: list[str] = []
    for part in (p.strip() for p in _segmenter(language).segment(paragraph)):
        if part and out and _ends_with_abbreviation(out[-1], never):
            out[-1] = f"{out[-1]} {part}"
        elif part:
            out.append(part)
    return out


def _ends_with_abbreviation(sentence: str, abbreviations: set[str]) -> bool:
    word = sentence.rsplit(None, 1)[-1].lstrip(_OPENERS)
    return word.endswith(".") and word[:-1].lower() in abbreviations


def _split_paragraph(paragraph: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        # Only the last word before and the first word after matter: bounded slices keep a
        # huge one-line "paragraph" (a file without line breaks) linear, not quadratic.
        rest = paragraph[match.end() : match.end() + _LOOK]
        before = paragraph[max(start, match.start() - _LOOK) : match.start()]
        if rest and _is_boundary(before, match.group(1), rest):
            out.append(paragraph[start : match.start(2) + len(match.group(2))].strip())
            start = match.end()
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


def _is_boundary(before: str, punct: str, rest: str) -> bool:
    first = rest.lstrip(_OPENERS)[:1]
    if not first or not (first.isupper() or first.isdigit() or rest[0] in _OPENERS):
        return False
    if punct in ("...", "…") or punct.startswith(".."):
        return False
    if punct != ".":
        return True  # "!" and "?" have no abbreviations
    word = before.rsplit(None, 1)[-1].lstrip(_OPENERS) if before.strip() else ""
    key = word.lower()
    if key in _NEVER_FINAL:
        return False
    next_word = re.split(r"[\s,;:]", rest.lstrip(_OPENERS), maxsplit=1)[0].lower()
    if key == "no":  # "No. 3" is a number; "said no. The" ends a sentence
        return not next_word[:1].isdigit()
    if key in _MAYBE_FINAL or _INITIALS.fullmatch(word):
        return next_word in _SENTENCE_OPENERS
    return True
