"""One person under two names, as the reports give them: "Stormy Daniels, whose real name is
Stephanie Clifford", "Stephanie Clifford (aka Stormy Daniels, aka Peggy Peterson)", "Lima (real
name Harold Lima)". A brief may call the person by either name: validation 34 refused three
right sentences that said "Daniels" where the sentences they rest on say "Clifford"
(claims.mismatches). 12 of the 260 validation clusters use one of these phrases, not all of
them of people ("a source of energy, a.k.a. food")."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}"
_SAYS = (
    r"whose (?:real|legal|birth|given) name is|better known as|also known as|"
    r"known professionally as|who goes by|a\.?k\.?a\.?"
)
_PAIRS = (
    re.compile(rf"({_NAME}),? (?:{_SAYS}),? ({_NAME})"),
    re.compile(rf"({_NAME}) \((?:real name|born|née|{_SAYS}):? ({_NAME})[,;)]"),
)


def _words(name: str) -> set[str]:
    return {w.strip(".’'").lower().removesuffix("'s") for w in name.split()} - {""}


def pseudonyms(texts: Iterable[str]) -> dict[str, frozenset[str]]:
    """Each word of a name the texts give a person -> the words of their other names."""
    other: dict[str, set[str]] = {}
    for text in texts:
        for pattern in _PAIRS:
            for m in pattern.finditer(text):
                a, b = _words(m.group(1)), _words(m.group(2))
                if a & b and len(a) == len(b):
                    continue  # the same name
                for w in a - b:
                    other.setdefault(w, set()).update(b - a)
                for w in b - a:
                    other.setdefault(w, set()).update(a - b)
    return {w: frozenset(n) for w, n in other.items() if n}
