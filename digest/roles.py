"""Who did it to whom, read from spaCy's parse of an English sentence; and who is in a list.

"George Zimmerman is suing an Orlando private company for $27,000" was validation 14's lead,
where the report says "George Zimmerman, the neighborhood watch volunteer facing ..., is being
sued by an Orlando private company": every name and number is in the report, and the words
around the names do not tell (the report's subject stands a clause away from its verb). The
parse does: each verb's doer (its subject, or the "by" of a passive) and its receiver (its
object, or the subject of a passive), each read as the proper nouns of that noun phrase
("an Orlando private company" -> Orlando). A sentence that gives one verb's doer and receiver
the other way round from the evidence sentence nearest it has swapped who did what.

The same parse gives a verb that shares the subject of the verb before it ("The medics were
trying to treat Damon but became violent", where the report has "... when she became
violent": `deed_of_another`). A list of people that a report keeps a name out of ("sued by EMTs
Damon, Tracy Lamar, and Charles Simons", where Damon bit the two) is read from the words, with
spaCy's NER telling people from places (`listed_apart`).

The parser is grammar.py's (en_core_web_sm, tagger and parser). Only English is read; without
spaCy nothing is found.
"""

from __future__ import annotations

import re

from . import grammar, language
from .signals import shared_tagger

Triple = tuple[frozenset[str], str, frozenset[str], str]  # doer, verb stem, receiver, verb

_CACHE_MAX = 5_000  # parses kept (a few kB each)
_cache: dict[str, object] = {}  # text -> its parse


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
    out: list[Triple] = []
    for tok in _parse(text):
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
    return tuple(out)


def _parse(text: str):
    """spaCy's parse of English `text` (its tokens), cached; () for other languages."""
    if text not in _cache:
        nlp = grammar.parser() if language.detect(text) in (None, "en") else None
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[text] = nlp(text) if nlp is not None else ()
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


_ONE = {"he", "she"}  # one person, where "the medics" are several


def _subjects(text: str) -> list[tuple[str, str, object, bool]]:
    """(verb stem, verb, subject head, whether the verb shares its subject with the verb before
    it: "... were trying to treat Damon but became violent") for each verb of English `text`
    whose subject the parse gives."""
    out = []
    for tok in _parse(text):
        if not tok.tag_.startswith("VB") or tok.lemma_ in ("be", "have", "do", "say", "tell"):
            continue
        subject = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        shared = False
        if subject is None and tok.dep_ == "conj" and tok.head.tag_.startswith("VB"):
            subject = next((c for c in tok.head.children if c.dep_ == "nsubj"), None)
            shared = True
        if subject is not None:
            out.append((_stem(tok.text), tok.text, subject, shared))
    return out


def deed_of_another(text: str, evidence: list[str]) -> list[str]:
    """ "<subject> <verb>" where `text` gives a verb the subject of the verb before it and the
    `evidence` sentence gives that verb another subject: "The medics were trying to treat Damon
    but became violent" where the report has "... when she became violent" (validation 12).
    Another is a name not in `text`, or "he" or "she" for several; "he" or "she" for a name may
    be that name, so it is not counted."""
    mine = [(stem, verb, subj) for stem, verb, subj, shared in _subjects(text) if shared]
    if not mine:
        return []
    for stem, verb, subj in mine:
        for e in evidence:
            for their_stem, _, their, _ in _subjects(e):
                if their_stem != stem or their.lower_ == subj.lower_:
                    continue
                # not "they" for one: a paper writes it of a company or a show ("CBS's The
                # Case ... promised ..., but the only thing they delivered", validation 69)
                plural = subj.tag_ in ("NNS", "NNPS") or subj.lower_ == "they"
                other = (their.lower_ in _ONE and plural) or (
                    their.tag_ == "NNP" and subj.tag_ != "PRP" and their.text not in text
                )
                if other:
                    words = [t.text for t in subj.subtree if t.i <= subj.i]
                    return [" ".join(words) + f" {verb}"]
    return []


# a list of names: "Tracy Lamar, Charles Simons and Ana Ruiz", each item one to three
# capitalised words
_ITEM = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2}"
_LIST = re.compile(rf"\b{_ITEM}(?:, {_ITEM})*,? (?:and|or) {_ITEM}")
_ITEM_RE = re.compile(_ITEM)
# words by which a sentence tells parties of one deed as people of one list ("Ana Ruiz met Tom
# Hale and Li Wei" could be told "Ruiz, Hale and Li met")
_TOGETHER = re.compile(
    r"\b(?:with|together|met|meets?|meeting|joined|joins?|married|marry)\b", re.I
)
_PLACE_OF = re.compile(r"\b(?:of|in|from|at|for|on|to|near|between)\s+$")


def _surnames(items: str) -> list[str]:
    return [m.group(0).split()[-1].rstrip(".") for m in _ITEM_RE.finditer(items)]


def listed_apart(text: str, evidence: list[str]) -> list[str]:
    """ "among: <name> with <names>" where `text` lists a name with others that an `evidence`
    sentence lists without it while naming it in another part of that sentence (and not as one
    who met or joined them): validation 12's lead "CNN is being sued by EMTs Damon, Tracy
    Lamar, and Charles Simons", where the report has "Damon, 36, bit EMTs Tracy Lamar and
    Charles Simons" (Damon bit the EMTs)."""
    for mine in _LIST.finditer(text):
        names = _surnames(mine.group(0))
        for e in evidence:
            if _TOGETHER.search(e):
                continue
            for theirs in _LIST.finditer(e):
                if _PLACE_OF.search(e[: theirs.start()]):  # "Ueli Steck of Switzerland and
                    continue  # David Goettler": no list of people
                listed = {n.lower() for n in _surnames(theirs.group(0))}
                shared = [n for n in names if n.lower() in listed]
                if not shared or len(listed) < 2:  # "Damon and Tracy Lamar" too (its rewrite)
                    continue
                rest = (e[: theirs.start()] + " " + e[theirs.end() :]).lower()
                for name in names:
                    if name.lower() not in listed and re.search(
                        rf"\b{re.escape(name.lower())}\b", rest
                    ):
                        if _people(text, [name]) and _people(e, shared):
                            return [f"among: {name} with {' and '.join(shared)}"]
    return []


def _people(text: str, names: list[str]) -> bool:
    """Whether spaCy's NER tags each of `names` in `text` as (part of) a person's name: lists
    of places and bodies are no people ("South Korea and U.S. forces" beside "the U.S., CFC
    and South Korea", validation 104; "the Tennessee and Federal Bureaus of Investigation",
    96)."""
    (entities,) = shared_tagger().entities([text])
    persons = {w for span, label in entities if label == "PERSON" for w in span.split()}
    return all(n in persons for n in names)
