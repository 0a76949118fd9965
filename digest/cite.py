"""Citations and support: every published sentence is tied to the sources that say it.

The model writes sentences; this module decides, in code, which source articles support each
one. A sentence is aligned with the source sentences nearest to it in embedding space (and,
where it was written from given source sentences, with those), and its claims (claims.py:
numbers, names, quoted words, negation, weekdays, who did what) must appear in the source
sentences it cites. A source is cited only when it says the same thing, not merely something
similar: a source that quotes the minister as saying "brave step" is not cited for a sentence
that says "bold step".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from .claims import (  # noqa: F401  (re-exported: the checker's vocabulary)
    Vocabulary,
    absent,
    key_terms,
    lowercase_words,
    mismatches,
    missing_terms,
    normalise,
)
from .records import BriefSentence, Evidence, Sentence
from .wording import content_sequence


@dataclass(frozen=True)
class Support:
    supported: bool
    citations: tuple[int, ...]  # source numbers
    best: int  # index of the nearest source sentence
    similarity: float  # similarity to it
    # what no cited source sentence says: key terms, "not" (a negation added or dropped), a
    # weekday where the sources name another, "<name> <word>" (a name in another's role)
    missing: tuple[str, ...]
    # the source sentences (indices) it rests on, most similar first: one or two per cited
    # source; shown to readers as the sentence's evidence
    evidence: tuple[int, ...] = ()
    # every source sentence it was checked against (the evidence and the others of the same
    # sources that are as near): what the sentence may say
    rests: tuple[int, ...] = ()


def support(
    vector: np.ndarray,
    text: str,
    sentences: list[Sentence],
    vectors: np.ndarray,
    *,
    min_similarity: float,
    support_similarity: float,
    per_source: int = 3,
    vocabulary: Vocabulary | None = None,
) -> Support:
    """Which sources support `text` (whose embedding is `vector`)."""
    sims = vectors @ vector
    best = int(np.argmax(sims))
    by_source: dict[int, list[int]] = {}
    for i in np.argsort(-sims):
        by_source.setdefault(sentences[i].source, [])
        if len(by_source[sentences[i].source]) < per_source:
            by_source[sentences[i].source].append(int(i))
    vocabulary = vocabulary or Vocabulary.of(s.text for s in sentences)
    cited: list[int] = []
    for source, idx in by_source.items():
        if sims[idx[0]] < min_similarity:
            continue
        if not mismatches(text, [sentences[i].text for i in idx], vocabulary):
            cited.append(source)
    missing: list[str] = []
    if not cited:
        # A sentence may merge facts from several sources: accept it when the near
        # sources together hold all its key terms, and cite those that contribute.
        near = [s for s, idx in by_source.items() if sims[idx[0]] >= support_similarity]
        order = sorted((i for s in near for i in by_source[s]), key=lambda i: -sims[i])
        evidence = [sentences[i].text for i in order]
        missing = mismatches(text, evidence, vocabulary)
        if not missing and near:
            terms = key_terms(text, vocabulary.lowercase)
            cited = [
                s
                for s in near
                if s == sentences[best].source
                or len(absent(terms, [sentences[i].text for i in by_source[s]])) < len(terms)
            ]
    supported = bool(cited) and float(sims[best]) >= support_similarity and not missing
    rests_on = sorted((by_source[s][0] for s in set(cited)), key=lambda i: -sims[i])
    return Support(
        supported=supported,
        citations=tuple(sorted(set(cited))),
        best=best,
        similarity=float(sims[best]),
        missing=tuple(missing),
        evidence=tuple(rests_on),
    )


# a figure from a sentence this far from the claim, outside what it was written from, moved
# from another fact (validation 0-59: 2 of the 3 below it; names below it: 1 of 7, not used)
NEIGHBOUR_FLOOR = 0.42


def support_in(
    vector: np.ndarray,
    text: str,
    sentences: list[Sentence],
    vectors: np.ndarray,
    pool: Collection[int],
    *,
    min_similarity: float,
    support_similarity: float,
    vocabulary: Vocabulary | None = None,
    near: int = 6,
) -> Support:
    """Support of `text`, written from the source sentences `pool` (a fact's wordings across
    reports): a sentence that merges several reports rests on the union of what it draws on.

    The evidence is the pool's sentences that are similar to it, the other near sentences of
    the story (a merged sentence may join a neighbouring fact), and, for each of its key terms
    that these lack, the most similar pool or near sentence that has it. Every claim must be in
    the evidence (claims.mismatches); it cites each source of the evidence.
    """
    vocabulary = vocabulary or Vocabulary.of(s.text for s in sentences)
    sims = vectors @ vector
    ranked = [int(i) for i in np.argsort(-sims)[:near]]
    looked = sorted(
        set(pool) | {i for i in ranked if sims[i] >= support_similarity}, key=lambda i: -sims[i]
    )
    if not looked:
        looked = ranked[:1]
    used = [i for i in looked if sims[i] >= (support_similarity if i in pool else min_similarity)]
    terms = key_terms(text, vocabulary.lowercase)
    # a term the similar sentences lack may come from a neighbouring fact the sentence joins
    # (one of the `near` most similar sentences; a figure only from one at NEIGHBOUR_FLOOR at
    # least: below it, it moved from another fact, "30 Rock has been syndicated ... since
    # 2004", where 2004 is when another show began, validation 5)
    holders = looked + [i for i in ranked if i not in looked]
    for term in absent(terms, [sentences[i].text for i in used]):
        far = term[0].isdigit()
        holder = next(
            (
                i
                for i in holders
                if not absent([term], [sentences[i].text])
                and (i in looked or not far or sims[i] >= NEIGHBOUR_FLOOR)
            ),
            None,
        )
        if holder is not None and holder not in used:
            used.append(holder)
    used.sort(key=lambda i: -sims[i])
    missing = mismatches(text, [sentences[i].text for i in used], vocabulary) if used else []
    best = used[0] if used else looked[0]
    # one sentence per source shown as evidence (two where the second adds a term)
    evidence: list[int] = []
    for i in used:
        same = [j for j in evidence if sentences[j].source == sentences[i].source]
        if not same or (
            len(same) < 2
            and absent(terms, [sentences[j].text for j in same])
            and not absent(terms, [sentences[i].text])
        ):
            evidence.append(i)
    similarity = max(float(sims[i]) for i in used) if used else float(sims[best])
    if not missing and not (used and similarity >= support_similarity):
        # a sentence cut down from one report sentence is far from it in meaning space
        j = compressed_from(text, [x.text for x in sentences])
        if j is not None and not mismatches(text, [sentences[j].text], vocabulary):
            source = sentences[j].source
            return Support(True, (source,), j, float(sims[j]), (), (j,), (j,))
        # two clauses, each cut down from one of the sentences nearest to it
        nearest = [int(i) for i in np.argsort(-sims)[:FUSED_NEAR]]
        pair = fused_from(text, [sentences[i].text for i in nearest])
        both = [nearest[k] for k in pair] if pair is not None else []
        if both and float(vectors[both[0]] @ vectors[both[1]]) >= JOIN_FLOOR:
            if not mismatches(text, [sentences[i].text for i in both], vocabulary):
                both.sort(key=lambda i: -sims[i])
                cited = tuple(sorted({sentences[i].source for i in both}))
                return Support(
                    True, cited, both[0], float(sims[both[0]]), (), tuple(both), tuple(both)
                )
    return Support(
        supported=bool(used) and not missing and similarity >= support_similarity,
        citations=tuple(sorted({sentences[i].source for i in evidence})),
        best=best,
        similarity=similarity,
        missing=tuple(missing),
        evidence=tuple(evidence),
        rests=tuple(used),
    )


COMPRESSED_MIN_WORDS = 4  # content words of a sentence that `compressed_from` may accept


def compressed_from(text: str, sources: list[str]) -> int | None:
    """The index of a source sentence that `text` is cut down from: all of its content words
    (four at least) are that sentence's, in the same order ("Officials began questioning crew
    members about the cause of the crash." from "... where officials began questioning crew
    members about the cause of the nighttime crash."). A sentence shorter than its source
    scores below the support threshold, and was replaced by the source's words: 4 of the 7
    such validation sentences (clusters 240-259) were cut down this way, the other 3 said what
    no report said. The order keeps a swap of roles out ("the police arrested the victim" is
    not cut from "the victim called the police, who arrested the suspect")."""
    if len(set(content_sequence(text))) < COMPRESSED_MIN_WORDS:
        return None
    return _cut_from(text, sources)


FUSED_NEAR = 10  # the nearest sentences that `fused_from` may join
# where a sentence may be cut in two clauses: a comma, or "and" / "but" / "while" after one
_CLAUSE_BREAK = re.compile(r",\s+(?:(?:and|but|while|as)\s+)?|\s+(?:and|but|while)\s+|;\s+")


def fused_from(text: str, sources: list[str]) -> tuple[int, int] | None:
    """The indices of two source sentences that `text` joins, one clause cut down from each
    (`compressed_from` for each part, two content words each at least, four in all): "When
    the doors opened, the woman stepped forward, but there was no lift waiting." from "When
    the doors opened, the woman stepped forward and both she and the stroller fell ..." and
    "The baby's mother said the stroller fell when the elevator doors opened and there was no
    lift waiting." (validation 17: such a sentence is far from each of them in meaning space
    and was replaced by one report's words). Only a break between clauses joins: a subject
    from one sentence and its verb's object from another are not."""
    if len(set(content_sequence(text))) < COMPRESSED_MIN_WORDS:
        return None
    for cut in _CLAUSE_BREAK.finditer(text):
        head, tail = text[: cut.start()], text[cut.end() :]
        if min(len(set(content_sequence(head))), len(set(content_sequence(tail)))) < 2:
            continue
        first, second = _cut_from(head, sources), _cut_from(tail, sources)
        if first is not None and second is not None and first != second:
            return first, second
    return None


# Two report sentences this far apart in meaning state two facts: a sentence whose clauses
# come one from each joins what no report joins ("While the basic outline of Scott's final
# moments is clear, Scott Free has its production deal at Fox ...", validation 30; "The two
# other perpetrators were not known to security services, but one appeared in a documentary",
# 27, where the one in the documentary was the third). Validation 0-39: of the model sentences
# with a clause from each of two sentences below it, 3 of 3 joined facts wrongly; above it,
# most join two wordings of one moment (17, 32, 38).
JOIN_FLOOR = 0.38
# what opens a clause with a subject of its own (or a capitalised word: a name, "The ...")
_SUBJECTS = {
    "the", "a", "an", "his", "her", "its", "their", "this", "that", "these", "those", "he",
    "she", "they", "it", "we", "one", "two", "three", "four", "five", "some", "many", "most",
    "police", "officials", "authorities", "researchers", "scientists",
}  # fmt: skip
JOIN_SHARE = 0.75  # of a clause's content words (three at least) in the sentence it comes from


def joined(text: str, sentences: list[Sentence], vectors: np.ndarray) -> list[str]:
    """ "joined: <words>" where `text` has a clause taken from one report sentence and another
    from a second sentence, far from the first in meaning (JOIN_FLOOR), that has few of the
    first clause's words: two facts made one. <words> opens the second clause."""
    words: list[set[str]] = []
    for cut in _CLAUSE_BREAK.finditer(text):
        head, tail = (
            set(content_sequence(text[: cut.start()])),
            set(content_sequence(text[cut.end() :])),
        )
        opener = text[cut.end() :].split()[0]
        if min(len(head), len(tail)) < 3 or not (opener[0].isupper() or opener in _SUBJECTS):
            continue  # a phrase on the first clause ("..., born in June 2013"), not a clause
        words = words or [set(content_sequence(s.text)) for s in sentences]
        a = max(range(len(words)), key=lambda k: len(head & words[k]), default=None)
        b = max(range(len(words)), key=lambda k: len(tail & words[k]), default=None)
        if a is None or b is None or a == b:
            return []
        apart = (
            len(head & words[a]) >= JOIN_SHARE * len(head)
            and len(tail & words[b]) >= JOIN_SHARE * len(tail)
            and len(head & words[b]) < 0.5 * len(head)
            and len(tail & words[a]) < 0.5 * len(tail)
            and float(vectors[a] @ vectors[b]) < JOIN_FLOOR
        )
        return [f"joined: {' '.join(text[cut.end() :].split()[:4])}"] if apart else []
    return []


def _cut_from(part: str, sources: list[str]) -> int | None:
    """The first of `sources` that has every content word of `part`, in the same order."""
    mine = content_sequence(part)
    for j, source in enumerate(sources):
        it = iter(content_sequence(source))
        if all(w in it for w in mine):
            return j
    return None


def source_sentence_citations(
    index: int,
    sentences: list[Sentence],
    vectors: np.ndarray,
    same_fact: float,
    lowercase: Collection[str] = (),
) -> tuple[int, ...]:
    """Sources that state the same fact as source sentence `index` (itself included): its
    names and figures in theirs (`lowercase`: the story's words written in lower case, so
    that "Harbour master ..." opening a sentence is no name)."""
    sims = vectors @ vectors[index]
    cited = {sentences[index].source}
    text = sentences[index].text
    terms = [t for t in key_terms(text, lowercase) if t != _common_opener(text, sentences)]
    for j in np.flatnonzero(sims >= same_fact):
        if not absent(terms, [sentences[j].text]):
            cited.add(sentences[j].source)
    return tuple(sorted(cited))


def _common_opener(text: str, sentences: list[Sentence]) -> str:
    """The word opening `text`, lower-cased, where it looks like a common word capitalised by
    its place ("Harbour master Tomas Ibanez said ...", whose "harbour" the French report has as
    "port"): a lower-case word follows it and no sentence of the story writes it capitalised
    inside a sentence. "" where it may be a name ("Ibanez said", "Nordlys Lines")."""
    words = text.split()
    if len(words) < 2 or not words[1][:1].islower():
        return ""
    first = words[0].strip("\"“‘'(").rstrip(",:;")
    inside = re.compile(rf"\S\s+{re.escape(first)}\b")
    return "" if any(inside.search(s.text) for s in sentences) else first.lower()


def source_sentence(
    index: int,
    sentences: list[Sentence],
    vectors: np.ndarray,
    same_fact: float,
    lowercase: Collection[str] = (),
) -> BriefSentence:
    """Source sentence `index` as a brief sentence, citing every source that states the same
    fact, with each one's nearest sentence as its evidence."""
    cited = source_sentence_citations(index, sentences, vectors, same_fact, lowercase)
    sims = vectors @ vectors[index]
    evidence = [Evidence(sentences[index].source, sentences[index].text)]
    for n in cited:
        if n == sentences[index].source:
            continue
        j = max((j for j, s in enumerate(sentences) if s.source == n), key=lambda j: sims[j])
        evidence.append(Evidence(n, sentences[j].text))
    return BriefSentence(sentences[index].text, cited, tuple(evidence))


def in_language(
    index: int,
    sentences: list[Sentence],
    vectors: np.ndarray,
    languages: dict[int, str | None],
    language: str,
    fit: Callable[[int], bool],
    same_fact: float,
) -> int:
    """The source sentence to publish for source sentence `index` in a brief in `language`:
    itself if its report is in that language (or in one not known), else the nearest `fit`
    sentence of a report in that language that states the same fact, if one does (an English
    brief falls back on the English report's words, not the French report's)."""
    if languages.get(sentences[index].source) in (None, language):
        return index
    sims = vectors @ vectors[index]
    near = [
        int(j)
        for j in np.flatnonzero(sims >= same_fact)
        if languages.get(sentences[j].source) == language and fit(int(j))
    ]
    return max(near, key=lambda j: sims[j]) if near else index


def drop_duplicates(
    sentences: list[BriefSentence], vectors: np.ndarray, threshold: float
) -> tuple[list[BriefSentence], list[int]]:
    """Keep the first of any pair of sentences that say the same thing.

    Returns the kept sentences and the indices of the dropped ones.
    """
    kept: list[int] = []
    dropped: list[int] = []
    for i in range(len(sentences)):
        if any(float(vectors[i] @ vectors[k]) >= threshold for k in kept):
            dropped.append(i)
        else:
            kept.append(i)
    return [sentences[i] for i in kept], dropped


def mark_translated(
    sentences: list[BriefSentence], languages: dict[int, str | None], brief_language: str = "en"
) -> list[BriefSentence]:
    """Each quotation of a sentence whose words no cited source in the brief's language has,
    while a cited source in another language does, marked '(translated from French)': a
    translation is never shown as the speaker's exact words. `languages`: source number to
    its language (None: unknown, counted as the brief's)."""
    from . import language

    out = []
    for s in sentences:
        foreign = [n for n in s.citations if languages.get(n) not in (None, brief_language)]
        if not foreign or '"' not in normalise(s.text):
            out.append(s)
            continue
        own = " ".join(e.text for e in s.evidence if e.n not in foreign)
        text = s.text
        for quoted in reversed(list(_QUOTED.finditer(text))):
            if f" {_words(quoted.group(1))} " in f" {_words(own)} ":
                continue  # the speaker's words, as a source in the brief's language has them
            name = language.name(languages[foreign[0]])
            text = f"{text[: quoted.end()]} (translated from {name}){text[quoted.end() :]}"
        out.append(dataclasses.replace(s, text=text) if text != s.text else s)
    return out


_QUOTED = re.compile(r"[\"“]([^\"“”]{3,}?)[\"”]")


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))
