"""Tune story clustering on Multi-News: mix every cluster's articles, cluster them again, score.

    .venv/bin/python benchmarks/tune_clustering.py
    .venv/bin/python benchmarks/tune_clustering.py --data ../shared/eval/multinews_train.jsonl

Prints BCubed precision/recall/F1 for a sweep of thresholds and each embedding-text variant,
the best threshold, the held-out check of a threshold (--check, on --heldout), and an
incremental run (half of each story known, the rest assigned). Embeddings are cached under
--cache, so a second run only re-clusters. Default data paths are relative to the repository
root; the data is read from ../shared and never copied into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.cluster import assign, embedding_text, story_vector  # noqa: E402
from digest.evaluate import bcubed  # noqa: E402

EVAL = Path("../shared/eval")
THRESHOLDS = [round(t, 2) for t in np.arange(0.30, 0.801, 0.05)]
FINE = 0.01  # step of the second sweep, around the best of the first

# Page furniture seen in Multi-News, for the "cleaned" variant only: what a cleaning stage
# could remove. Whole-page crawl notices (Internet Archive) are left alone: they are the article.
BOILERPLATE = re.compile(
    r"^(advertisement|story continued below|tweet with a location|you can add location "
    r"information|image copyright|image caption|media playback is unsupported|share tweet pin "
    r"email|click to email this|please enable javascript|read more|related:|also:|newsletter "
    r"sign up|sign up here|breaking news emails|get the times of israel|interested in \?"
    r"|play facebook|text size|enlarge this image|close$|___|###)",
    re.IGNORECASE,
)


def load(path: Path) -> tuple[list[str], list[str]]:
    texts, gold = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        cluster = json.loads(line)
        for doc in cluster["documents"]:
            texts.append(doc["text"])
            gold.append(cluster["cluster_id"])
    return texts, gold


def pseudo_title(text: str) -> str:
    """Multi-News has no titles: the first line if it is short, else the first sentence."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first.split()) <= 20:
        return first
    sentence = re.split(r"(?<=[.!?])\s+", first, maxsplit=1)[0]
    return " ".join(sentence.split()[:40])


def clean(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not BOILERPLATE.match(line.strip()))


def raw_lead(title: str, text: str, n: int) -> str:
    """Title + first n words, no skipping of short lines (the title stays in the text)."""
    return f"{title}\n" + " ".join(text.split()[:n])


def chunks(title: str, text: str, size: int, total: int) -> list[str]:
    words = (
        " ".join(line for line in text.splitlines() if len(line.split()) >= 4).split()[:total]
        or text.split()[:size]
    )
    return [f"{title}\n" + " ".join(words[i : i + size]) for i in range(0, len(words), size)]


Variant = Callable[[str], list[str]]  # article text -> texts whose mean embedding stands for it


def variants() -> dict[str, Variant]:
    def lead(n: int, cleaned: bool = False) -> Variant:
        return lambda t: [embedding_text(pseudo_title(t), clean(t) if cleaned else t, n)]

    return {
        "title only": lambda t: [pseudo_title(t)],
        "raw first 128 words": lambda t: [raw_lead(pseudo_title(t), t, 128)],
        "lead 32": lead(32),
        "lead 64": lead(64),
        "lead 96": lead(96),
        "lead 128": lead(128),
        "lead 160": lead(160),
        "lead 200": lead(200),
        "lead 128, cleaned": lead(128, cleaned=True),
        "mean of 128-word chunks, first 512": lambda t: chunks(pseudo_title(t), t, 128, 512),
        "mean of 200-word chunks, first 1000": lambda t: chunks(pseudo_title(t), t, 200, 1000),
    }


class CachedEmbedder:
    """The embedder `backend` picks (as `[embedder] backend` would, on the CPU), built on first
    use; each call's vectors cached in a file named by the backend and the texts."""

    def __init__(self, cache: Path, backend: str = "auto", model: str = "all-MiniLM-L6-v2"):
        from digest.embed import BUNDLED, ONNX_MINILM, choose_backend

        self.cache = cache
        self.model = model
        self.backend = (
            model
            if model in BUNDLED
            else choose_backend(backend, model, "cpu", ROOT / "models" / ONNX_MINILM)
        )
        # torch's files keep their old names: caches made before there was a choice stay valid
        self.prefix = {"sentence-transformers": "minilm-", "onnx": "minilm-onnx-"}.get(
            self.backend, f"{model}-"
        )
        self._model = None
        self.seconds = 0.0
        self.texts = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
        path = self.cache / f"{self.prefix}{key}.npy"
        if path.exists():
            return np.load(path)
        if self._model is None:
            from digest.config import Embedder
            from digest.embed import make_embedder

            backend = "auto" if self.model == self.backend else self.backend  # a bundled model
            settings = Embedder(model=self.model, backend=backend, device="cpu")
            self._model = make_embedder(settings, ROOT / "models")
        start = time.perf_counter()
        vectors = self._model.embed(texts)
        self.seconds += time.perf_counter() - start
        self.texts += len(texts)
        self.cache.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
        return vectors


def article_vectors(embedder: CachedEmbedder, texts: list[str], variant: Variant) -> np.ndarray:
    parts = [variant(t) for t in texts]
    flat = [p for ps in parts for p in ps]
    vectors = embedder.embed(flat)
    out, i = [], 0
    for ps in parts:
        mean = vectors[i : i + len(ps)].mean(axis=0)
        out.append(mean / np.linalg.norm(mean))
        i += len(ps)
    return np.asarray(out, dtype=np.float32)


def sweep(
    vectors: np.ndarray, gold: list[str], thresholds: list[float] = THRESHOLDS
) -> dict[float, tuple[float, float, float]]:
    times = [None] * len(vectors)
    return {t: bcubed(assign(vectors, times, [], t, 72.0), gold) for t in thresholds}


def around(t: float) -> list[float]:
    return [round(t + k * FINE, 2) for k in range(-5, 6)]


def incremental(
    vectors: np.ndarray, gold: list[str], threshold: float
) -> tuple[float, float, float]:
    """First half (rounded up) of each gold story known as a story; assign the other articles.

    Returns the shares of the new articles that join their own story and that join another
    one, and BCubed F1 over all articles.
    """
    members: dict[str, list[int]] = {}
    for i, g in enumerate(gold):
        members.setdefault(g, []).append(i)
    old, new = [], []
    for idx in members.values():
        k = (len(idx) + 1) // 2
        old += idx[:k]
        new += idx[k:]
    stories = [story_vector(g, vectors[idx[: (len(idx) + 1) // 2]]) for g, idx in members.items()]
    got = assign(vectors[new], [None] * len(new), stories, threshold, 72.0)
    predicted: list[object] = [None] * len(gold)
    for i in old:
        predicted[i] = gold[i]
    for i, label in zip(new, got, strict=True):
        predicted[i] = label if isinstance(label, str) else f"new-{label}"
    joined = sum(label == gold[i] for i, label in zip(new, got, strict=True)) / len(new)
    wrong = sum(
        isinstance(label, str) and label != gold[i] for i, label in zip(new, got, strict=True)
    )
    return joined, wrong / len(new), bcubed(predicted, gold)[2]


def linkage_methods(vectors: np.ndarray, gold: list[str]) -> dict[str, tuple[float, float]]:
    """Best (threshold, F1) of other linkages, on the same vectors (scipy directly)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    dist = pdist(vectors.astype(np.float64), metric="cosine")
    best = {}
    for method in ("single", "complete", "average", "weighted"):
        tree = linkage(dist, method=method)
        scores = {
            t: bcubed(fcluster(tree, 1 - t, criterion="distance").tolist(), gold)[2]
            for t in THRESHOLDS
        }
        t = max(scores, key=lambda k: scores[k])
        best[method] = (t, scores[t])
    return best


def table(name: str, scores: dict[float, tuple[float, float, float]]) -> str:
    best = max(scores, key=lambda t: scores[t][2])
    rows = [f"{name}  (best threshold {best}: F1 {scores[best][2]:.3f})"]
    rows.append("| threshold | " + " | ".join(f"{t:.2f}" for t in scores) + " |")
    rows.append("|---|" + "---|" * len(scores))
    for k, label in enumerate(("P", "R", "F1")):
        rows.append(f"| {label} | " + " | ".join(f"{s[k]:.3f}" for s in scores.values()) + " |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=EVAL / "multinews_validation.jsonl")
    ap.add_argument("--heldout", type=Path, default=EVAL / "multinews_train.jsonl")
    ap.add_argument("--check", type=float, help="threshold to check on --heldout (default: best)")
    ap.add_argument("--variant", action="append", help="run only these variants (repeatable)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/digest-tune-cache"))
    ap.add_argument(
        "--backend",
        choices=("auto", "onnx", "sentence-transformers"),
        default="auto",
        help="embedder, as [embedder] backend (auto: the int8 ONNX model when prepared)",
    )
    args = ap.parse_args()
    data = args.data if args.data.is_absolute() or args.data.exists() else ROOT / args.data
    heldout = args.heldout
    if not (heldout.is_absolute() or heldout.exists()):
        heldout = ROOT / heldout

    texts, gold = load(data)
    print(f"{data.name}: {len(texts)} articles, {len(set(gold))} stories\n")
    embedder = CachedEmbedder(args.cache, args.backend)
    print(f"embedder: {embedder.backend}")
    chosen = variants()
    if args.variant:
        chosen = {k: v for k, v in chosen.items() if k in args.variant}
    summary, results = [], {}
    for name, variant in chosen.items():
        vectors = article_vectors(embedder, texts, variant)
        start = time.perf_counter()
        scores = sweep(vectors, gold)
        per_run = (time.perf_counter() - start) / len(scores)
        results[name] = (vectors, scores)
        print(table(name, scores) + "\n")
        best = max(scores, key=lambda t: scores[t][2])
        summary.append((name, best, *scores[best], per_run))
    if embedder.texts:
        rate = embedder.texts / embedder.seconds
        print(f"embedding: {embedder.texts} texts in {embedder.seconds:.1f} s ({rate:.1f}/s)\n")

    print("| embedding text | best threshold | P | R | F1 | assign() s |")
    print("|---|---|---|---|---|---|")
    for name, best, p, r, f, s in sorted(summary, key=lambda row: -row[4]):
        print(f"| {name} | {best:.2f} | {p:.3f} | {r:.3f} | {f:.3f} | {s:.3f} |")

    winner = max(summary, key=lambda row: row[4])
    name, vectors = winner[0], results[winner[0]][0]
    fine = sweep(vectors, gold, around(winner[1]))
    print("\n" + table(f"{name}, finer", fine))
    best = max(fine, key=lambda t: fine[t][2])
    threshold = args.check if args.check is not None else best
    print(f"\nbest: {name!r} at threshold {best:.2f} (F1 {fine[best][2]:.3f})")

    print(f"\nlinkage methods ({name}): best threshold, F1")
    for method, (t, f) in linkage_methods(vectors, gold).items():
        print(f"  {method:9s} {t:.2f}  {f:.3f}")

    joined, wrong, f = incremental(vectors, gold, threshold)
    print(
        f"\nincremental at {threshold:.2f} ({name}): of the new articles {joined:.1%} join "
        f"their own story, {wrong:.1%} another; BCubed F1 over all articles {f:.3f}"
    )

    if heldout.exists() and heldout.resolve() != data.resolve():
        h_texts, h_gold = load(heldout)
        h_vectors = article_vectors(embedder, h_texts, chosen[name])
        print(f"\nheld out: {heldout.name}: {len(h_texts)} articles, {len(set(h_gold))} stories")
        print(table(name, sweep(h_vectors, h_gold)))
        print(table(f"{name}, finer", sweep(h_vectors, h_gold, around(threshold))))
        p, r, f = bcubed(assign(h_vectors, [None] * len(h_vectors), [], threshold, 72.0), h_gold)
        print(f"at threshold {threshold:.2f}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
        joined, wrong, f = incremental(h_vectors, h_gold, threshold)
        print(
            f"incremental at {threshold:.2f}: {joined:.1%} join their own story, {wrong:.1%} "
            f"another; F1 {f:.3f}"
        )


if __name__ == "__main__":
    main()
