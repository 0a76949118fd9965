"""Near-duplicate detection: the same wire story republished with small edits is one text.

Each article's cleaned text becomes a set of word 3-grams (shingles), summarised by a MinHash
signature (datasketch, 128 permutations). Signatures are split into bands for locality-
sensitive hashing; the band keys are stored with the signature, so a new article finds the
earlier articles it might copy with one indexed lookup, across runs, without recomputing
anything. A candidate is confirmed when the share of the new article's shingles found in the
earlier one (its containment, estimated from the two signatures and the set sizes) reaches
`[dedup] threshold`: a republished copy with a new headline, a few words changed, a paragraph
added or the end cut off still reaches it; a different report of the same event does not.

A copy keeps its place as a source ("also published by ..."), but is not embedded, clustered
or summarised: it joins the story of the article it copies, and its text counts once.
Measured in docs/input.md (benchmarks/dedup_eval.py).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .records import Article, Copy, Source

if TYPE_CHECKING:
    from .store import Store

log = logging.getLogger(__name__)

# 3-word shingles: with 5, every edited word breaks five shingles and a copy with one word in
# ten changed keeps only about half of them (recall on such copies 0.63 instead of 0.98 with 3;
# precision 1.0 either way; docs/input.md).
SHINGLE_WORDS = 3
NUM_PERM = 128
SEED = 1
# LSH banding: 64 bands of 2 values. An earlier article sharing any band is a candidate: one
# with Jaccard similarity 0.2 is found with probability 1-(1-0.2^2)^64 = 0.93, 0.3: 0.998; an
# unrelated one (about 0.01) with 0.006. Measured: 1.2 candidates per lookup among 845 articles.
BANDS, ROWS = 64, 2
# Texts shorter than this many shingles (about 22 words) are copies only when identical: a few
# shared phrases between two short items say nothing.
MIN_SHINGLES = 20
# Bounded work per article, whatever the inbox holds. Many short, similar items (sports results,
# market briefs) share band values: unbounded, every earlier one became a candidate and a
# 20,000-line file took hours. A band key indexes at most BAND_CAP articles (the earliest: a
# copy's original comes first), and a lookup weighs at most MAX_CANDIDATES of them, so one
# article costs at most 64 x BAND_CAP index rows and MAX_CANDIDATES comparisons.
BAND_CAP = 10
MAX_CANDIDATES = 100
SCHEME = f"minhash-v2:{SHINGLE_WORDS}w:{NUM_PERM}p:{SEED}s:{BANDS}x{ROWS}:cap{BAND_CAP}"

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Signature:
    values: np.ndarray  # NUM_PERM uint32 MinHash values
    shingles: int  # number of distinct shingles

    def to_bytes(self) -> bytes:
        return self.values.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingles: int) -> Signature:
        return cls(np.frombuffer(data, dtype="<u4"), shingles)


def shingles(text: str) -> set[str]:
    """Word n-grams (SHINGLE_WORDS long) of the text, case and punctuation ignored."""
    words = _WORD.findall(text.casefold())
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> Signature:
    found = shingles(text)
    m = _minhash()
    m.update_batch([s.encode("utf-8") for s in found])
    return Signature(m.hashvalues.astype(np.uint32), len(found))


_PERMUTATIONS = None


def _minhash():
    """A fresh MinHash sharing one set of permutations: making them is most of the cost of
    a short text's signature (the values are the same: they come from the seed)."""
    from datasketch import MinHash  # imported here: only ingest needs it

    global _PERMUTATIONS
    if _PERMUTATIONS is None:
        _PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    return MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_PERMUTATIONS)


def band_keys(sig: Signature) -> list[int]:
    """One signed 64-bit key per band (band number included, so bands never collide)."""
    keys = []
    for band in range(BANDS):
        chunk = sig.values[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def jaccard(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.mean(a.values == b.values))


def containment(new: Signature, old: Signature) -> float:
    """Estimated share of `new`'s shingles that are also in `old`."""
    return _containment(new.shingles, old.shingles, jaccard(new, old))


def _containment(new: int, old: int, j: float) -> float:
    if new == 0:
        return 0.0
    shared = j * (new + old) / (1 + j)  # |A∩B| from J, |A| and |B|
    return min(1.0, shared / new)


def is_copy(new: Signature, old: Signature, threshold: float) -> bool:
    return _is_copy(new.shingles, old.shingles, jaccard(new, old), threshold)


def _is_copy(new: int, old: int, j: float, threshold: float) -> bool:
    if min(new, old) < MIN_SHINGLES:
        return new == old and j == 1.0
    return _containment(new, old, j) >= threshold


def find_original(
    sig: Signature, candidates: list[tuple[str, int, bytes, str | None]], threshold: float
) -> str | None:
    """The content hash of the article `sig` copies, or None. `candidates` as the store lists
    them (earliest first); a candidate that is itself a copy stands for its original."""
    if not candidates:
        return None
    # all candidates at once: one comparison of a (candidates x NUM_PERM) array
    values = np.frombuffer(b"".join(c[2] for c in candidates), dtype="<u4")
    similarity = (values.reshape(len(candidates), -1) == sig.values).mean(axis=1)
    best: tuple[float, str] | None = None
    for (content_hash, size, _, duplicate_of), j in zip(
        candidates, similarity.tolist(), strict=True
    ):
        if not _is_copy(sig.shingles, size, j, threshold):
            continue
        score = _containment(sig.shingles, size, j)
        if best is None or score > best[0]:  # ties: the earliest article
            best = (score, duplicate_of or content_hash)
    return best[1] if best else None


# --- with the store -------------------------------------------------------------------------


def lookup(
    store: Store, sig: Signature, threshold: float, exclude: str = "", keys: list[int] | None = None
) -> str | None:
    """The stored article that `sig` copies, or None (the store is not changed)."""
    keys = band_keys(sig) if keys is None else keys
    candidates = store.minhash_candidates(keys, exclude, limit=MAX_CANDIDATES)
    return find_original(sig, candidates, threshold)


def register(store: Store, article: Article, threshold: float) -> str | None:
    """Index a newly stored article; if it copies an earlier one, mark it so and return the
    original's content hash. Call inside the transaction that stored the article."""
    sig = signature(article.text)
    keys = band_keys(sig)
    original = lookup(store, sig, threshold, exclude=article.content_hash, keys=keys)
    store.add_minhash(article.content_hash, sig.shingles, sig.to_bytes(), keys, cap=BAND_CAP)
    if original is not None:
        store.mark_duplicate(article.content_hash, original)
        log.info("Dedup - %s copies %s", article.path, original[:12])
    return original


def backfill(store: Store) -> int:
    """Index the articles stored before near-duplicates were detected (or under another scheme);
    they stay originals: they are already in their stories."""
    if store.meta("minhash_scheme") != SCHEME:
        with store.transaction():
            store.clear_minhashes()
            store.set_meta("minhash_scheme", SCHEME)
    todo = store.articles_without_minhash()
    if todo:
        with store.transaction():
            for article in todo:
                sig = signature(article.text)
                store.add_minhash(
                    article.content_hash, sig.shingles, sig.to_bytes(), band_keys(sig),
                    cap=BAND_CAP,
                )  # fmt: skip
        log.info("Dedup - indexed %d earlier articles", len(todo))
    return len(todo)


# --- in the brief ---------------------------------------------------------------------------


def split_copies(articles: list[Article]) -> tuple[list[Article], dict[str, list[Article]]]:
    """(originals, {original content hash: its copies}) of one story's articles."""
    originals = [a for a in articles if a.duplicate_of is None]
    copies: dict[str, list[Article]] = {}
    for a in articles:
        if a.duplicate_of is not None:
            copies.setdefault(a.duplicate_of, []).append(a)
    return originals, copies


def list_copies(
    sources: tuple[Source, ...], originals: list[Article], copies: dict[str, list[Article]]
) -> tuple[Source, ...]:
    """The brief's sources, each with the copies of its article ("also published by")."""
    if not copies:
        return sources
    by_path = {a.path: a.content_hash for a in originals}
    out = []
    for s in sources:
        found = copies.get(by_path.get(s.path, ""), [])
        ordered = sorted(found, key=lambda a: (a.published is None, a.published or "", a.path))
        listed = tuple(
            Copy(title=a.title, path=a.path, url=a.url, publisher=a.source, published=a.published)
            for a in ordered
        )
        out.append(replace(s, copies=listed) if listed else s)
    return tuple(out)
