"""Who did it to whom, read from spaCy's parse of an English sentence.

"George Zimmerman is suing an Orlando private company for $27,000" was validation 14's lead,
where the report says "George Zimmerman, the neighborhood watch volunteer facing ..., is being
sued by an Orlando private company": every name and number is in the report, and the words
around the names do not tell (the report's subject stands a clause away from its verb). The
parse does: each verb's doer (its subject, or the "by" of a passive) and its receiver (its
object, or the subject of a passive), each read as the proper nouns of that noun phrase
("an Orlando private company" -> Orlando). A sentence that gives one verb's doer and receiver
the other way round from the evidence sentence nearest it has swapped who did what.

The parser is grammar.py's (en_core_web_sm, tagger and parser). Only English is read; without
spaCy nothing is found.
"""

from __future__ import annotations

from . import grammar, language

Triple = tuple[frozenset[str], str, frozenset[str], str]  # doer, verb stem, receiver, verb

_CACHE_MAX = 50_000
_cache: dict[str, tuple[Triple, ...]] = {}


def _stem(verb: str) -> str:
    """ "suing", "sued", "sues", "sue" -> "su"; "filed", "filing" -> "fil"."""
    word = verb.lower()
    for end in ("ing", "ed", "es", "s"):
        if word.endswith(end) and len(word) - len(end) >= 2:
            word = word[: -len(end)]
            break
    return word.removesuffix("e") if len(word) > 2 else word


def _names(tok) -> frozenset[str]:
    """The proper nouns of the noun phrase headed by `tok`: itself, its compounds and its
    proper-noun modifiers (not its appositions or clauses)."""
    parts = [tok, *(c for c in tok.children if c.dep_ in ("compound", "nmod", "poss", "amod"))]
    return frozenset(p.text.removesuffix("'s") for p in parts if p.tag_ in ("NNP", "NNPS"))


def triples(text: str) -> tuple[Triple, ...]:
    """(doer, verb stem, receiver, verb) for each verb of `text` that has a doer and a
    receiver named, passives turned round."""
    if text in _cache:
        return _cache[text]
    nlp = grammar.parser() if language.detect(text) in (None, "en") else None
    out: list[Triple] = []
    if nlp is not None:
        for tok in nlp(text):
            if not tok.tag_.startswith("VB"):
                continue
            doer: frozenset[str] = frozenset()
            receiver: frozenset[str] = frozenset()
            for c in tok.children:
                if c.dep_ == "nsubj":
                    doer = _names(c)
                elif c.dep_ == "dobj" or c.dep_ == "nsubjpass":
                    receiver = _names(c)
                elif c.dep_ == "agent":
                    doer = next((_names(g) for g in c.children if g.dep_ == "pobj"), doer)
            if doer and receiver:
                out.append((doer, _stem(tok.text), receiver, tok.text))
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[text] = tuple(out)
    return _cache[text]


def swapped(text: str, evidence: list[str]) -> list[str]:
    """ "<doer> <verb> <receiver>" where `text` has a verb's doer and receiver the other way
    round from an `evidence` sentence with the same verb (and not the same doer)."""
    mine = triples(text)
    if not mine:
        return []
    for doer, verb, receiver, word in mine:
        for e in evidence:
            for their_doer, their_verb, their_receiver, _ in triples(e):
                if (
                    verb == their_verb
                    and doer & their_receiver
                    and receiver & their_doer
                    and not doer & their_doer
                ):
                    shown = [" ".join(sorted(names, key=text.find)) for names in (doer, receiver)]
                    return [f"{shown[0]} {word} {shown[1]}"]
    return []
