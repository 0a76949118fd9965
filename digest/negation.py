"""Negation: a brief sentence that adds or drops a "not" says the opposite of its source, with
the same names and numbers (English rules here; French, German and Spanish in
claims_languages.py). Part of the checker's claims (claims.mismatches).
"""

from __future__ import annotations

import re
import unicodedata

from .claims_languages import foreign_negated, foreign_negation_mismatch, foreign_says_not


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip()


# What a negation applies to is the first content word after it.
_NEGATION = re.compile(r"\b(?:not|never|no|nobody|nothing|none|neither|nor|cannot)\b|n't\b")
# Not negations: "not only ... but also", "no more than three", "has never been more
# tenuous" (it is the most so now).
_NOT_NEGATION = re.compile(
    r"(?:not|n't) (?:only|just|merely)\b|no (?:more|less|fewer|later|earlier|sooner) than"
    r"|never (?:been |be )?(?:more|less|better|worse|greater|higher|lower)\b"
)
# Words between a negation and what it negates: "has not yet been charged" negates "charged".
_NEGATION_SKIP = {
    "a", "an", "the", "be", "been", "being", "have", "has", "had", "yet", "even", "ever", "so",
    "to", "quite", "really", "always", "immediately", "directly", "currently", "also", "all",
    "any", "more", "much", "very", "too", "as", "is", "are", "was", "were", "it", "he", "she",
    "they", "we", "i", "you", "that", "this", "of", "in", "on", "at", "for", "by", "still",
    "now", "necessarily", "actually", "exactly", "entirely", "fully", "completely", "me", "him",
    "her", "us", "them", "there", "here",
}  # fmt: skip
# Words that say "not" without a negation: a brief's "did not know" restates "was unaware".
_NEGATIVE_WORDS = {
    "unable", "unaware", "unclear", "fail", "fails", "failed", "failing", "refuse", "refuses",
    "refused", "decline", "declines", "declined", "deny", "denies", "denied", "without", "lack",
    "lacks", "lacked", "absent", "rejected", "rejects",
}  # fmt: skip


def _negated_words(text: str) -> list[str]:
    """What each negation of `text` applies to ("" when nothing follows it)."""
    return [after for _, after, _ in _negations(text)]


def _negations(text: str) -> list[tuple[set[str], str, str]]:
    """Each negation of `text` as (the other content words of its clause, what it applies
    to, the auxiliary right before it): ({"demands"}, "met", "were") for "... shutdown if his
    demands were not met."."""
    text = _NOT_NEGATION.sub(" ", _normal(text).lower())
    out = []
    for m in _NEGATION.finditer(text):
        after = re.findall(r"[a-z][a-z'-]*", text[m.end() : m.end() + 80])
        applies = next((w for w in after if w not in _NEGATION_SKIP), "")
        before = _CLAUSE.split(text[max(0, m.start() - 80) : m.start()])[-1]
        rest = _CLAUSE.split(text[m.end() : m.end() + 80])[0]
        words = re.findall(r"[a-z][a-z'-]*", f"{before} {rest}")
        other = {w for w in words if len(w) > 2 and w not in _GLUE and w not in _NEGATION_SKIP}
        prior = re.findall(r"[a-z][a-z'-]*", before)[-1:]
        aux = prior[0] if prior and prior[0] in _AUXILIARIES | _BE_HAVE else ""
        out.append((other - {applies}, applies, aux))
    return out


_CLAUSE = re.compile(
    r"[,;:()\"“”—–.!?]|\b(?:if|when|because|although|though|unless|while|which|who|that|but)\b"
)
_AUXILIARIES = {
    "do", "does", "did", "will", "would", "could", "should", "can", "may", "might", "must", "shall",
}  # fmt: skip
_BE_HAVE = {"am", "is", "are", "was", "were", "be", "been", "has", "have", "had"}
_GLUE = _AUXILIARIES | {
    "and", "with", "from", "into", "about", "than", "then", "his", "its", "their", "our", "your",
    "who",
}  # fmt: skip


def _words_of(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z'-]*", _normal(text).lower())


def same_word(a: str, b: str) -> bool:
    """Same word or same stem: "charged" and "charges" (first five letters), "sign" and
    "signed" (a short word and an ending)."""
    if a == b or (len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5]):
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and long.startswith(short) and long[len(short) :] in _ENDINGS


_ENDINGS = {"s", "es", "d", "ed", "ing", "n", "en"}


def _says_not(text: str) -> bool:
    """Whether `text` says "not" in any way: a negation or a negative word."""
    return bool(_negated_words(text)) or not _NEGATIVE_WORDS.isdisjoint(_words_of(text))


def _not_near(word: str, text: str, window: int = 5) -> bool:
    """Whether `text` says "not" (a negation or a negative word) within `window` words of
    `word`."""
    words = _words_of(_NOT_NEGATION.sub(" ", _normal(text).lower()))
    nots = [
        i
        for i, w in enumerate(words)
        if w in _NEGATIVE_WORDS or _NEGATION.fullmatch(w) or w.endswith("n't")
    ]
    return any(
        abs(i - j) <= window for i, w in enumerate(words) if same_word(word, w) for j in nots
    )


def negation_mismatch(text: str, evidence: list[str]) -> bool:
    """Whether `text` and its `evidence` (most similar first) disagree on a "not".

    Either the brief negates a word that the evidence uses, and no evidence sentence says
    "not" near that word ("saw no rise" agrees with "did not see a rise"; a nearest sentence
    without the word that says "not" in other words, as "had no impact" for "did not have any
    effect", agrees too); or the brief has no "not" at all and the nearest evidence sentence
    negates a word that the brief uses.
    """
    foreign = foreign_negation_mismatch(text, evidence)  # a French, German or Spanish brief
    if foreign is not None:
        return foreign
    if _opposite_mismatch(text, evidence[0]):
        return True
    negated = _negated_words(text)
    if not negated:
        if _says_not(text):
            return False
        return _restates_unnegated(text, _negations(evidence[0]))
    # a second "not" of the nearest evidence lost: "she didn't notice that the elevator car
    # wasn't there" restated as "... that the elevator car was there" (validation 17)
    nots = _negations(evidence[0])
    if (
        len(nots) > len(negated)
        and not _IMPLICIT_NOT.search(text)
        and _restates_unnegated(
            text, [n for n in nots if n[0] and not any(same_word(n[1], x) for x in negated if x)]
        )
    ):
        return True
    for w in filter(None, negated):
        using = [e for e in evidence if any(same_word(w, x) for x in _words_of(e))]
        if using and not _NO_NEED.search(text) and all(_no_need(w, e) for e in using):
            return True  # "are not concerned" for "do not need to be concerned" (validation 255)
        if not using or any(_not_near(w, e) for e in using):
            continue
        if evidence[0] not in using and _says_not(evidence[0]):
            continue
        return True
    return False


# a "not" of need, not of the deed: "do not need to be concerned", "doesn't have to pay"
_NO_NEED = re.compile(
    r"\b(?:not|n't|no|never)\s+(?:\w+\s+)?(?:need(?:s|ed)?|ha(?:ve|s|d)|required|obliged)\s+to\b"
    r"|\bneed not\b|\bnot necessarily\b|\bno need\b",
    re.IGNORECASE,
)


def _no_need(word: str, text: str) -> bool:
    """Whether `text` says only that `word` need not be: "... do not need to be concerned"."""
    t = _normal(text).lower()
    return any(
        same_word(word, w)
        for m in _NO_NEED.finditer(t)
        for w in re.findall(r"[a-z][a-z'-]*", t[m.end() : m.end() + 40])[:4]
    ) and not _not_near(word, _NO_NEED.sub(" to ", t))  # "did not pay, and need not pay"


# a "not" said in other words: "the car was missing", "without a warning"
_IMPLICIT_NOT = re.compile(
    r"\b(?:missing|absent|gone|empty|lack\w*|without|fail\w*|refus\w*|unable|never|none|nothing"
    r"|nobody|no)\b",
    re.IGNORECASE,
)


def _restates_unnegated(text: str, negations: list) -> bool:
    """Whether `text` uses a word that one of `negations` (an evidence sentence's: clause,
    word, auxiliary) negates, in a clause the text restates (it has another word of that clause,
    where there is one), without the "not": "if his demands were not met" is not restated by
    "Trump met with Schumer"; "the company did not disclose the price" is by "Acme disclosed
    the price"."""
    words = _words_of(text)
    plain = " ".join(words)
    return any(
        w
        and any(same_word(w, x) for x in words)
        and (
            not clause
            or any(same_word(c, x) for c in clause for x in words)
            # "he did not kiss the victim" restated as "he did kiss the woman"
            or bool(aux and re.search(rf"\b{aux} (?:[a-z'-]+ ){{0,2}}{w[:4]}", plain))
        )
        for clause, w, aux in negations
    )


_NOT_OPPOSITES = {"unless", "until", "united", "unit", "units", "union", "unions", "uniform"}


# in-, im-, il-, ir- make opposites of adjectives only ("inefficient", "impossible",
# "illegal", "irregular"), not of "income", "inform" or "impose".
_IN_OPPOSITE = re.compile(
    r"(?:in|im|il|ir)([a-z]{3,}(?:ent|ant|ible|able|ive|ate|ect|ete|ure|al|ular|ar|ic))"
)


def _opposite(word: str) -> str | None:
    """The word `word` is the opposite of ("unaware" -> "aware", "inefficient" -> "efficient")."""
    if word.startswith("un") and len(word) >= 6 and word not in _NOT_OPPOSITES:
        return word[2:]
    m = _IN_OPPOSITE.fullmatch(word)
    return m.group(1) if m else None


def _opposite_mismatch(text: str, nearest: str) -> bool:
    """Whether one side says "unaware" or "inefficient" where the other says "aware" or
    "efficient" with no "not" near it ("the most inefficient murder operation" written from
    "the most efficient murder operation": read on Multi-News train)."""
    a, b = set(_words_of(text)), set(_words_of(nearest))
    for one, other, other_text in ((a, b, nearest), (b, a, text)):
        for w in one - other:
            base = _opposite(w)
            if base is not None and base in other and not _not_near(base, other_text):
                return True
    return False


def negated(text: str) -> bool:
    """Whether `text` negates anything ("not", "never", "no", "n't", ...; "ne ... pas",
    "nicht", "nunca" in French, German, Spanish: claims_languages.py)."""
    foreign = foreign_negated(text)
    return bool(_negated_words(text)) if foreign is None else foreign


def says_not(text: str) -> bool:
    """Whether `text` says "not" in any way: a negation or a negative word ("denied")."""
    foreign = foreign_says_not(text)
    return _says_not(text) if foreign is None else foreign
