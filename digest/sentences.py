"""Sentence splitting: rules, no model.

Paragraphs are split on blank lines, sentences on . ! ? followed by whitespace and a capital,
digit or opening quote. A period that ends an abbreviation, an initial or an ellipsis is not a
boundary, except that abbreviations which often end a sentence ("U.S.", "Inc.", "p.m.") are one
when the next word is a common sentence opener ("... in the U.S. The ...").
"""

from __future__ import annotations

import re

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


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, in order. Paragraph breaks always end a sentence."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            sentences.extend(_split_paragraph(paragraph))
    return sentences


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
