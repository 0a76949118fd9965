"""Precision and recall of near-duplicate detection (digest/dedup.py) on real articles.

Run: .venv/bin/python benchmarks/dedup_eval.py [--multinews N] [--reuters N]
Reads ../shared/eval (never copied into the project).

Originals: real articles (Multi-News validation, Reuters-21578), cleaned by the real ingest
path and indexed in a real Store. Positives: copies generated from each indexed original, the
way wire stories are republished: a new headline with a rewritten lead, words edited (5% and
10%), the end cut off (70% and 50% kept), a paragraph from another story added, and all of
these at once. Negatives: real articles that are not indexed, from other Multi-News stories
and other Reuters dispatches. A copy is found if the lookup returns its own original; any other
answer is a false positive. Prints precision and recall for a range of thresholds, and the
recall per kind of copy at the configured threshold.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest import dedup  # noqa: E402
from digest.config import Dedup  # noqa: E402
from digest.errors import InputError  # noqa: E402
from digest.ingest import read_file  # noqa: E402
from digest.records import Article  # noqa: E402
from digest.store import Store  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
MIN_WORDS = 80  # shorter articles are not the wire stories this is about
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
KINDS = ("reheadline", "edit5", "edit10", "truncate70", "truncate50", "added", "combined")


@dataclass(frozen=True)
class Doc:
    key: str
    group: str  # story (Multi-News cluster) or dispatch id: negatives come from other groups
    title: str
    text: str


@dataclass
class Query:
    kind: str  # a variant kind, or "negative"
    text: str
    expected: str | None  # the original's key, None for negatives


def load_docs(n_multinews: int, n_reuters: int, seed: int = 0) -> list[Doc]:
    """Cleaned real articles: about n_multinews from Multi-News, n_reuters from Reuters."""
    docs: list[Doc] = []
    rng = random.Random(seed)
    mn = EVAL / "multinews_validation.jsonl"
    lines = mn.read_text(encoding="utf-8").splitlines()
    rng.shuffle(lines)
    for line in lines:
        cluster = json.loads(line)
        for d in cluster["documents"]:
            if len(docs) >= n_multinews:
                break
            doc = _clean(d["doc_id"], cluster["cluster_id"], "", d["text"])
            if doc:
                docs.append(doc)
    rt = EVAL / "reuters21578.jsonl"
    records = [json.loads(x) for x in rt.read_text(encoding="utf-8").splitlines()]
    records = [r for r in records if len((r.get("body") or "").split()) >= MIN_WORDS]
    rng.shuffle(records)
    taken = 0
    for r in records:
        if taken >= n_reuters:
            break
        doc = _clean(f"reuters-{r['newid']}", f"reuters-{r['newid']}", r["title"] or "", r["body"])
        if doc:
            docs.append(doc)
            taken += 1
    return docs


def _clean(key: str, group: str, title: str, text: str) -> Doc | None:
    data = json.dumps({"title": title, "text": text}) if title else text
    suffix = ".json" if title else ".txt"
    try:
        [article] = read_file(Path(key + suffix), data.encode("utf-8"), display_path=key)
    except InputError:
        return None
    if len(article.text.split()) < MIN_WORDS:
        return None
    return Doc(key, group, article.title, article.text)


# --- copies, the way republishers make them ---------------------------------------------------


def variant(doc: Doc, kind: str, rng: random.Random, other: Doc, vocabulary: list[str]) -> str:
    paragraphs = doc.text.split("\n\n")
    if kind == "reheadline":
        return _rewrite_lead(doc.text, rng)
    if kind == "edit5":
        return _edit(doc.text, 0.05, rng, vocabulary)
    if kind == "edit10":
        return _edit(doc.text, 0.10, rng, vocabulary)
    if kind == "truncate70":
        return _truncate(paragraphs, 0.7)
    if kind == "truncate50":
        return _truncate(paragraphs, 0.5)
    if kind == "added":
        return _add(paragraphs, other, rng)
    if kind == "combined":
        text = _edit(_rewrite_lead(doc.text, rng), 0.05, rng, vocabulary)
        text = _truncate(text.split("\n\n"), 0.8)
        return _add(text.split("\n\n"), other, rng)
    raise ValueError(kind)


def _rewrite_lead(text: str, rng: random.Random) -> str:
    """A new headline comes with a rewritten first sentence: here, its words in another order.
    (The headline itself is not part of the text compared.)"""
    first, sep, rest = text.partition(". ")
    words = first.split()
    rng.shuffle(words)
    return " ".join(words) + sep + rest


def _edit(text: str, rate: float, rng: random.Random, vocabulary: list[str]) -> str:
    out_paragraphs = []
    for paragraph in text.split("\n\n"):
        words = []
        for w in paragraph.split():
            r = rng.random()
            if r < rate / 3:
                continue  # deleted
            if r < 2 * rate / 3:
                words.append(rng.choice(vocabulary))  # replaced
                continue
            words.append(w)
            if r < rate:
                words.append(rng.choice(vocabulary))  # inserted
        out_paragraphs.append(" ".join(words))
    return "\n\n".join(p for p in out_paragraphs if p)


def _truncate(paragraphs: list[str], share: float) -> str:
    total = sum(len(p.split()) for p in paragraphs)
    kept, words = [], 0
    for p in paragraphs:
        if kept and words >= share * total:
            break
        kept.append(p)
        words += len(p.split())
    if len(kept) == len(paragraphs) and len(kept) > 1:
        kept = kept[:-1]  # at least one paragraph goes
    if len(kept) == 1:  # one long paragraph: cut by words
        w = kept[0].split()
        kept = [" ".join(w[: max(1, int(len(w) * share))])]
    return "\n\n".join(kept)


def _add(paragraphs: list[str], other: Doc, rng: random.Random) -> str:
    """A paragraph of another story (a fifth of the article's length, 25 to 60 words) added at
    the top or the bottom, as an outlet adds local context or an update."""
    size = min(60, max(25, sum(len(p.split()) for p in paragraphs) // 5))
    words = other.text.split()
    start = rng.randrange(max(1, len(words) - size))
    extra = " ".join(words[start : start + size])
    where = rng.choice([0, len(paragraphs)])
    return "\n\n".join([*paragraphs[:where], extra, *paragraphs[where:]])


# --- the evaluation ---------------------------------------------------------------------------


@dataclass
class Result:
    n_indexed: int
    n_positive: int
    n_negative: int
    n_real_copies: int  # "negatives" that are in fact copies (checked on the full texts)
    by_threshold: dict[float, tuple[float, float]]  # threshold: (precision, recall)
    recall_by_kind: dict[str, float]
    candidate_recall: float  # positives whose original LSH put among the candidates
    mean_candidates: float  # candidates per lookup: the cost of a lookup
    seconds: float


def evaluate(
    docs: list[Doc], threshold: float, seed: int = 0, kinds: tuple[str, ...] = KINDS
) -> Result:
    start = time.perf_counter()
    rng = random.Random(seed)
    groups = sorted({d.group for d in docs})
    rng.shuffle(groups)
    indexed_groups = set(groups[: len(groups) // 2])
    originals = [d for d in docs if d.group in indexed_groups]
    negatives = [d for d in docs if d.group not in indexed_groups]
    vocabulary = sorted({w for d in docs[:200] for w in re.findall(r"[A-Za-z]{3,}", d.text)})

    queries: list[Query] = []
    for d in originals:
        for kind in kinds:
            other = rng.choice(negatives)
            queries.append(Query(kind, variant(d, kind, rng, other, vocabulary), d.key))
    queries += [Query("negative", d.text, None) for d in negatives]

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp))
        try:
            root: dict[str, str] = {}
            with store.transaction():
                for d in originals:
                    article = Article(path=d.key, title=d.title, text=d.text, content_hash=d.key)
                    store.add_article(article)
                    # the corpora hold a few real copies: a copy of a copy is found as the first
                    root[d.key] = dedup.register(store, article, threshold) or d.key
            answers = [_best(store, q.text) for q in queries]
        finally:
            store.close()
    for q in queries:
        q.expected = root[q.expected] if q.expected else None
    # Real articles of other stories that are in fact copies of an indexed one: the Internet
    # Archive's crawl notice saved as the "article" of several Multi-News stories, Reuters
    # dispatches sent twice. Confirmed on the full texts, they are not negatives.
    texts = {d.key: d.text for d in originals}
    real_copies = [
        i
        for i, (q, a) in enumerate(zip(queries, answers, strict=True))
        if q.expected is None
        and a[0] is not None
        and _exact_containment(q.text, texts[a[0]]) >= threshold
    ]
    for i in sorted(real_copies, reverse=True):
        del queries[i], answers[i]

    by_threshold = {}
    for t in sorted({*THRESHOLDS, threshold}):
        by_threshold[t] = _score(queries, answers, t)
    recall_by_kind = {}
    for kind in kinds:
        sub = [(q, a) for q, a in zip(queries, answers, strict=True) if q.kind == kind]
        hits = sum(a[0] == q.expected and a[1] >= threshold for q, a in sub)
        recall_by_kind[kind] = hits / len(sub) if sub else 0.0
    positives = [(q, a) for q, a in zip(queries, answers, strict=True) if q.expected]
    found = sum(q.expected in a[2] for q, a in positives)
    return Result(
        n_indexed=len(originals),
        n_positive=len(positives),
        n_negative=len(negatives) - len(real_copies),
        n_real_copies=len(real_copies),
        by_threshold=by_threshold,
        recall_by_kind=recall_by_kind,
        candidate_recall=found / len(positives),
        mean_candidates=sum(len(a[2]) for a in answers) / len(answers),
        seconds=time.perf_counter() - start,
    )


def _exact_containment(new: str, old: str) -> float:
    a, b = dedup.shingles(new), dedup.shingles(old)
    return len(a & b) / len(a) if a else 0.0


def _best(store: Store, text: str) -> tuple[str | None, float, set[str]]:
    """(best candidate, its containment score, all candidates) for a query text."""
    sig = dedup.signature(text)
    best: tuple[str | None, float] = (None, 0.0)
    seen = set()
    for key, size, blob, duplicate_of in store.minhash_candidates(dedup.band_keys(sig), ""):
        seen.add(key)
        other = dedup.Signature.from_bytes(blob, size)
        score = 1.0 if dedup.is_copy(sig, other, 1.0) else (
            dedup.containment(sig, other) if min(sig.shingles, size) >= dedup.MIN_SHINGLES else 0.0
        )  # fmt: skip
        if score > best[1]:
            best = (duplicate_of or key, score)
    return best[0], best[1], seen


def _score(queries: list[Query], answers: list, t: float) -> tuple[float, float]:
    tp = fp = 0
    positives = 0
    for q, (key, score, _) in zip(queries, answers, strict=True):
        positives += q.expected is not None
        if key is None or score < t:
            continue
        if key == q.expected:
            tp += 1
        else:
            fp += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, tp / positives if positives else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--multinews", type=int, default=716, help="Multi-News articles (max 716)")
    ap.add_argument("--reuters", type=int, default=1000, help="Reuters-21578 articles")
    ap.add_argument("--threshold", type=float, default=Dedup().threshold)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if not EVAL.is_dir():
        sys.exit(f"evaluation data not found at {EVAL}")
    docs = load_docs(args.multinews, args.reuters, args.seed)
    r = evaluate(docs, args.threshold, args.seed)
    print(
        f"{len(docs)} real articles (>= {MIN_WORDS} words): {r.n_indexed} indexed, "
        f"{r.n_positive} generated copies, {r.n_negative} real articles of other stories; "
        f"{r.seconds:.1f} s"
    )
    print(
        f"Left out of the negatives: {r.n_real_copies} real articles that are in fact copies of "
        "an indexed one (checked on the full texts)"
    )
    print(
        f"LSH candidate recall (the original among the candidates): {r.candidate_recall:.3f}; "
        f"{r.mean_candidates:.1f} candidates per lookup among {r.n_indexed}"
    )
    print("\n| threshold | precision | recall |\n|---|---|---|")
    for t, (p, rec) in r.by_threshold.items():
        mark = " (configured)" if t == args.threshold else ""
        print(f"| {t:.2f}{mark} | {p:.3f} | {rec:.3f} |")
    print(f"\nRecall per kind of copy at threshold {args.threshold}:\n")
    print("| copy | recall |\n|---|---|")
    for kind, rec in r.recall_by_kind.items():
        print(f"| {kind} | {rec:.3f} |")


if __name__ == "__main__":
    main()
