"""Story matching from several signals, measured on Multi-News (successor of tune_clustering.py
for the signals; that script still tunes the embedding text).

    PYTHONPATH=. .venv/bin/python benchmarks/story_signals.py

Every document goes through the real ingest path (read as a saved .txt page: decoding, title
detection, cleaning), as `digest eval` feeds them; a document that ingest sets aside (a crawl
notice, a page of captions) scores as a story of its own. Then each signal alone, and the
combinations, are clustered with the real `cluster.assign` (all articles mixed, no times) and
scored with BCubed against the Multi-News cluster ids, on:

- full articles, and
- each article cut to its first sentence (the headline-only case: a title and a line).

Weights are learned on Multi-News **train** only: logistic regression on its article pairs (the
pairs where some signal reaches 0.2, classes balanced), and a grid over the weights scored by
train BCubed F1; the threshold of each is the best on train. Validation (716 articles) gives the
figures. Vectors and entities are cached under --cache (the first run embeds ~2,000 texts and
tags their entities: ~10 minutes on 2 cores; later runs take about a minute). The data is read
from ../shared and never copied into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import logging
import pickle
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tune_clustering import CachedEmbedder  # noqa: E402

from digest import signals  # noqa: E402
from digest.cluster import Signals, Weights, assign, embedding_text, story_vector  # noqa: E402
from digest.config import Cluster  # noqa: E402
from digest.errors import InputError  # noqa: E402
from digest.evaluate import bcubed  # noqa: E402
from digest.ingest import read_file  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
FIXTURES = ROOT / "tests" / "fixtures" / "languages"
CUTS = [round(c, 2) for c in np.arange(0.04, 1.5, 0.02)]


def first_sentence(text: str) -> str:
    """The first sentence of the first line of at least 4 words (what a feed entry keeps)."""
    first = next((line.strip() for line in text.splitlines() if len(line.split()) >= 4), text)
    return re.split(r"(?<=[.!?])\s+", first.strip(), maxsplit=1)[0]


def documents(path: Path, mode: str):
    """(gold story, file name, bytes) of each document: a Multi-News .jsonl file's documents
    as saved .txt pages, or the files of a folder with an expected.json (our fixtures)."""
    if path.is_dir():
        expected = json.loads((path / "expected.json").read_text(encoding="utf-8"))
        for name, info in sorted(expected.items()):
            yield info["story"], name, (path / "inbox" / name).read_bytes()
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        cluster = json.loads(line)
        for doc in cluster["documents"]:
            text = doc["text"] if mode == "full" else first_sentence(doc["text"])
            yield cluster["cluster_id"], "page.txt", text.encode("utf-8")


class Data:
    """One split in one mode: gold ids, the articles ingest kept, their dense, term and entity
    vectors (cached by content)."""

    def __init__(
        self, path: Path, mode: str, embedder: CachedEmbedder, cache: Path, lead_words: int = 0
    ):
        logging.disable(logging.WARNING)  # ingest logs each page it cleans
        self.gold, texts, dense_texts = [], [], []
        for gold, name, data in documents(path, mode):
            self.gold.append(gold)
            try:
                a = read_file(Path(name), data, display_path=name)[0]
                texts.append(embedding_text(a.title, a.text))
                if lead_words:
                    dense_texts.append(embedding_text(a.title, a.text, lead_words))
            except InputError:
                texts.append(None)
        logging.disable(logging.NOTSET)
        self.kept = np.array([t is not None for t in texts])
        self.texts = [t for t in texts if t is not None]
        start = time.perf_counter()
        self.dense = embedder.embed(dense_texts or self.texts)
        self.dense_seconds = time.perf_counter() - start  # 0 when cached
        key = hashlib.sha256("\x00".join(self.texts).encode()).hexdigest()[:16]
        path = cache / f"entities-{key}.pkl"
        if path.exists():
            ents, self.ner_seconds = pickle.loads(path.read_bytes())
        else:
            start = time.perf_counter()
            ents = signals.EntityTagger().entities(self.texts)
            self.ner_seconds = time.perf_counter() - start
            path.write_bytes(pickle.dumps((ents, self.ner_seconds)))
        start = time.perf_counter()
        terms = [signals.term_vector(t) for t in self.texts]
        self.term_seconds = time.perf_counter() - start
        self.signals = Signals(terms=terms, entities=[signals.entity_vector(e) for e in ents])
        self.words = sum(len(t.split()) for t in self.texts)

    def score(
        self, weights: Weights, threshold: float, dense: bool = True
    ) -> tuple[float, float, float]:
        vectors = self.dense if dense else np.zeros_like(self.dense)  # a zero vector: cosine 0
        labels = assign(
            vectors, [None] * len(vectors), [], threshold, 72.0, signals=self.signals,
            weights=weights,
        )  # fmt: skip
        return bcubed(self.labels(labels), self.gold)

    def labels(self, got: list) -> list:
        """Full-length labels: set-aside documents each a story of their own."""
        it = iter(got)
        return [next(it) if k else f"aside-{i}" for i, k in enumerate(self.kept)]


def best_cut(data: Data, weights: Weights, dense: bool = True) -> tuple[float, tuple]:
    scores = {c: data.score(weights, c, dense) for c in CUTS}
    c = max(scores, key=lambda k: scores[k][2])
    return c, scores[c]


def pair_weights(data: Data) -> Weights:
    """Logistic regression on the train pairs where some signal reaches 0.2 (the pairs that can
    matter), classes balanced; weights relative to the dense cosine's."""
    from sklearn.linear_model import LogisticRegression

    gold = np.array(data.gold)[data.kept]
    d = np.asarray(data.dense, dtype=np.float64)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    t, e = (data.signals.csr(k) for k in ("terms", "entities"))
    iu = np.triu_indices(len(gold), 1)
    x = np.stack([(d @ d.T)[iu], (t @ t.T).toarray()[iu], (e @ e.T).toarray()[iu]], axis=1)
    y = gold[iu[0]] == gold[iu[1]]
    keep = x.max(axis=1) >= 0.2
    lr = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")
    w = lr.fit(x[keep], y[keep]).coef_[0]
    # a negative weight (a signal that, beside the others, counts against) is left out
    return Weights(terms=max(0.0, round(w[1] / w[0], 2)), entities=max(0.0, round(w[2] / w[0], 2)))


def incremental(data: Data, weights: Weights, threshold: float) -> tuple[float, float, float]:
    """First half of each gold story known as a story; the other articles assigned to it."""
    gold = [g for g, k in zip(data.gold, data.kept, strict=True) if k]
    members: dict[str, list[int]] = {}
    for i, g in enumerate(gold):
        members.setdefault(g, []).append(i)
    old, new, stories = [], [], []
    t, e = data.signals.terms, data.signals.entities
    for g, idx in members.items():
        k = (len(idx) + 1) // 2
        old += idx[:k]
        new += idx[k:]
        known = idx[:k]
        stories.append(
            story_vector(g, data.dense[known], None, [t[i] for i in known], [e[i] for i in known])
        )
    sub = Signals(terms=[t[i] for i in new], entities=[e[i] for i in new])
    got = assign(
        data.dense[new], [None] * len(new), stories, threshold, 72.0, signals=sub,
        weights=weights,
    )  # fmt: skip
    joined = sum(label == gold[i] for i, label in zip(new, got, strict=True)) / len(new)
    wrong = sum(
        isinstance(label, str) and label != gold[i] for i, label in zip(new, got, strict=True)
    ) / len(new)
    predicted: list[object] = list(gold)
    for i, label in zip(new, got, strict=True):
        predicted[i] = label if isinstance(label, str) else f"new-{label}"
    return joined, wrong, bcubed(predicted, gold)[2]


def row(name: str, weights: Weights, cut: float, val: tuple, train: tuple) -> str:
    w = f"{weights.terms:g} / {weights.entities:g}"
    p, r, f = val
    return f"| {name} | {w} | {cut:.2f} | {train[2]:.3f} | {p:.3f} | {r:.3f} | **{f:.3f}** |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", type=Path, default=EVAL / "multinews_train.jsonl")
    ap.add_argument("--validation", type=Path, default=EVAL / "multinews_validation.jsonl")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/digest-tune-cache"))
    ap.add_argument("--backend", choices=("auto", "onnx", "sentence-transformers"), default="auto")
    ap.add_argument("--modes", nargs="+", default=["full", "first"], choices=["full", "first"])
    ap.add_argument("--model", default="all-MiniLM-L6-v2", help="an [embedder] model")
    ap.add_argument(
        "--fixtures", type=lambda s: Path(s) if s else None, default=FIXTURES,
        help="a folder of articles in several languages with an expected.json: scored at each "
        'full-text choice (cross-language stories); "" for none',
    )  # fmt: skip
    ap.add_argument(
        "--lead-words", type=int, default=0,
        help="embed the title and this many words of the lead for the dense signal only (the "
        "terms and entities keep embedding_text's default); 0: embedding_text's default",
    )  # fmt: skip
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    embedder = CachedEmbedder(args.cache, args.backend, args.model)
    print(f"embedder: {args.model} ({embedder.backend})")
    fixtures = Data(args.fixtures, "full", embedder, args.cache) if args.fixtures else None
    chosen: dict[str, tuple[Weights, float]] = {}
    for mode in args.modes:
        train = Data(args.train, mode, embedder, args.cache, args.lead_words)
        val = Data(args.validation, mode, embedder, args.cache, args.lead_words)
        print(
            f"\n## {mode}: train {len(train.gold)} documents ({train.kept.sum()} kept by ingest),"
            f" validation {len(val.gold)} ({val.kept.sum()} kept)"
        )
        rate = (val.words + train.words) / max(val.ner_seconds + train.ner_seconds, 1e-9)
        if val.ner_seconds:
            print(
                f"entities: {len(val.texts) / val.ner_seconds:.1f} articles/s "
                f"({rate:.0f} words/s); terms {len(val.texts) / val.term_seconds:.0f} articles/s"
            )
        print(
            "\n| signals | weights terms / entities | threshold (train) | train F1 | P | R | F1 |"
        )
        print("|---|---|---|---|---|---|---|")
        alone = [
            ("dense alone", Weights(), True),
            ("terms alone", Weights(terms=1.0), False),
            ("entities alone", Weights(entities=1.0), False),
        ]
        for name, w, dense in alone:
            cut, tr = best_cut(train, w, dense)
            print(row(name, w, cut, val.score(w, cut, dense), tr), flush=True)
        lr = pair_weights(train)
        combos = [
            ("dense + terms, logistic regression", Weights(terms=pair_weights_2(train))),
            ("dense + terms + entities, logistic regression", lr),
        ]
        grid = []
        for a, b in itertools.product([0.0, 0.5, 1.0, 1.5, 2.0], [0.0, 0.25, 0.5, 1.0]):
            w = Weights(terms=a, entities=b)
            cut, tr = best_cut(train, w)
            grid.append((tr[2], w, cut, tr))
        f_best, w_grid, _, _ = max(grid, key=lambda g: g[0])
        combos.append(("dense + terms + entities, grid on train F1", w_grid))
        for name, w in combos:
            cut, tr = best_cut(train, w)
            print(row(name, w, cut, val.score(w, cut), tr), flush=True)
            chosen[f"{mode}: {name}"] = (w, cut)
        c = Cluster()
        w = Weights(c.term_weight, c.entity_weight)
        print(row("**the defaults** ([cluster])", w, c.threshold, val.score(w, c.threshold),
                  train.score(w, c.threshold)))  # fmt: skip
        if fixtures is not None and mode == "full":
            print(f"\ncross-language fixtures ({args.fixtures}), BCubed F1 at each choice:")
            for name, (wn, cut) in [*chosen.items(), ("defaults", (w, c.threshold))]:
                print(f"- {name}: {fixtures.score(wn, cut)[2]:.3f}")
        if mode == "first" and "full: dense + terms + entities, grid on train F1" in chosen:
            w, cut = chosen["full: dense + terms + entities, grid on train F1"]
            print(
                row("the full-text choice, as is", w, cut, val.score(w, cut), train.score(w, cut))
            )
        for name, (w, cut) in chosen.items():
            if name.startswith(mode) and "grid" in name:
                j, wrong, f = incremental(val, w, cut)
                print(
                    f"\nincremental ({name}, validation): of the new articles {j:.1%} join their"
                    f" own story, {wrong:.1%} another; BCubed F1 over kept articles {f:.3f}"
                )
                w0, c0 = Weights(), best_cut(train, Weights())[0]
                j, wrong, f = incremental(val, w0, c0)
                print(
                    f"incremental (dense alone at {c0:.2f}): {j:.1%} own, {wrong:.1%} another;"
                    f" F1 {f:.3f}"
                )


def pair_weights_2(data: Data) -> float:
    """Logistic regression as `pair_weights`, on dense and terms only: the term weight."""
    from sklearn.linear_model import LogisticRegression

    gold = np.array(data.gold)[data.kept]
    d = np.asarray(data.dense, dtype=np.float64)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    t = data.signals.csr("terms")
    iu = np.triu_indices(len(gold), 1)
    x = np.stack([(d @ d.T)[iu], (t @ t.T).toarray()[iu]], axis=1)
    y = gold[iu[0]] == gold[iu[1]]
    keep = x.max(axis=1) >= 0.2
    w = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced").fit(x[keep], y[keep])
    return round(float(w.coef_[0][1] / w.coef_[0][0]), 2)


if __name__ == "__main__":
    main()
