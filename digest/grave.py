"""Grave claims: a brief never says that someone died, was arrested or was convicted unless
the report sentences it rests on say so.

The checker's terms (names, numbers, quotations) leave such verbs free, as the model must be
free to reword. But a reworded "remains in critical condition" as "died" (validation cluster
255: "Jan Harding, 67, died of severe burns ...", and a headline "... dies from poisoned ice
tea", while the reports say she is in hospital) is the worst thing a brief can get wrong. Each
family below is one claim: a sentence with a word of a family needs a word of the same family
in its evidence ("killed" rests on "died", "convicted" does not rest on "charged"). English
words only: a sentence in another language has none of them.
"""

from __future__ import annotations

import re

_FAMILIES = {
    "died": r"die[ds]?|dying|dead|deaths?|kill(?:s|ed|ing)?|fatal(?:ly)?|perish(?:ed|es)?"
    r"|murder(?:s|ed)?|slain|drown(?:s|ed)?|suicide",
    "arrested": r"arrest(?:s|ed)?|detain(?:s|ed)?|custody|jail(?:ed)?|booked|handcuff(?:s|ed)?"
    r"|surrender(?:s|ed)?|turned (?:himself|herself|themselves) in",
    "convicted": r"convict(?:s|ed|ion)?|guilty|sentenced?",
}
_WORDS = {name: re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for name, words in _FAMILIES.items()}


def grave_mismatch(text: str, evidence: list[str]) -> list[str]:
    """The grave claims of `text` (a word of a family) that no `evidence` sentence makes: the
    word `text` uses, for each."""
    out = []
    for pattern in _WORDS.values():
        found = pattern.search(text)
        if found and not any(pattern.search(e) for e in evidence):
            out.append(found.group(0).lower())
    return out
