"""Multilingual embedders against the default on story clustering, and their speed.

    .venv/bin/python benchmarks/languages.py                   # all three models
    .venv/bin/python benchmarks/languages.py --model multilingual-e5-small

For each `[embedder] model`: English Multi-News validation BCubed P/R/F1 at its best threshold
(the articles' default embedding text, digest.cluster.embedding_text), the cross-language
BCubed F1 on the invented fixtures of tests/fixtures/languages/ (at that same threshold, and the
range of thresholds that give 1.0), and embedding speed (texts per second, one process, all
cores). Embeddings are cached under --cache. Multi-News is read from ../shared, never copied.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.tune_clustering import load, pseudo_title  # noqa: E402
from digest.cluster import assign, embedding_text  # noqa: E402
from digest.evaluate import bcubed  # noqa: E402

MODELS = ("all-MiniLM-L6-v2", "multilingual-e5-small", "use-multilingual-v3")
FIXTURES = ROOT / "tests" / "fixtures" / "languages"
COARSE = [round(t, 2) for t in np.arange(0.30, 0.951, 0.05)]


def embedder(model: str):
    from digest.config import Embedder
    from digest.embed import make_embedder

    return make_embedder(Embedder(model=model, device="cpu"), ROOT / "models")


def vectors(model: str, texts: list[str], cache: Path, timing: dict) -> np.ndarray:
    key = hashlib.sha256(("\x00".join([model, *texts])).encode()).hexdigest()[:16]
    path = cache / f"lang-{key}.npy"
    if path.exists():
        return np.load(path)
    e = embedder(model)
    e.embed(texts[:2])  # load the model outside the timing
    start = time.perf_counter()
    out = e.embed(texts)
    timing[model] = len(texts) / (time.perf_counter() - start)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


def speed_of(model: str, texts: list[str], n: int = 100) -> float:
    """Texts per second over `n` texts (the model loaded first, outside the timing)."""
    e = embedder(model)
    e.embed(texts[:2])
    start = time.perf_counter()
    e.embed(texts[:n])
    return n / (time.perf_counter() - start)


def sweep(v: np.ndarray, gold: list[str], thresholds: list[float]) -> dict[float, tuple]:
    return {t: bcubed(assign(v, [None] * len(v), [], t, 72.0), gold) for t in thresholds}


def best(scores: dict[float, tuple]) -> float:
    return max(scores, key=lambda t: scores[t][2])


def fixture_texts() -> tuple[list[str], list[str]]:
    """The fixtures' embedding texts (title + lead) and gold stories, via the real reader."""
    from digest.ingest import read_file

    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    texts, gold = [], []
    for name, info in sorted(expected.items()):
        path = FIXTURES / "inbox" / name
        (article,) = read_file(path, path.read_bytes(), display_path=name)
        texts.append(embedding_text(article.title, article.text))
        gold.append(info["story"])
    return texts, gold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", action="append", choices=MODELS, help="default: all")
    ap.add_argument("--data", type=Path, default=ROOT / "../shared/eval/multinews_validation.jsonl")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/digest-lang-cache"))
    args = ap.parse_args()
    texts, gold = load(args.data)
    mn = [embedding_text(pseudo_title(t), t) for t in texts]
    fx, fx_gold = fixture_texts() if (FIXTURES / "expected.json").exists() else ([], [])
    print(
        f"{args.data.name}: {len(mn)} articles, {len(set(gold))} stories; "
        f"fixtures: {len(fx)} articles, {len(set(fx_gold))} stories\n"
    )
    timing: dict[str, float] = {}
    rows = []
    for model in args.model or MODELS:
        v = vectors(model, mn, args.cache, timing)
        coarse = sweep(v, gold, COARSE)
        t0 = best(coarse)
        fine = sweep(v, gold, [round(t0 + k * 0.01, 2) for k in range(-4, 5)])
        t = best(fine)
        p, r, f = fine[t]
        fx_f, ok = float("nan"), ""
        if fx:
            fv = vectors(model, fx, args.cache, {})
            fx_f = bcubed(assign(fv, [None] * len(fv), [], t, 72.0), fx_gold)[2]
            grid = [round(x, 2) for x in np.arange(0.30, 0.99, 0.01)]
            perfect = [x for x, s in sweep(fv, fx_gold, grid).items() if s[2] == 1.0]
            ok = f"{perfect[0]:.2f}-{perfect[-1]:.2f}" if perfect else "none"
        speed = f"{timing[model]:.1f}" if model in timing else f"{speed_of(model, mn):.1f}"
        rows.append(
            f"| {model} | {t:.2f} | {p:.3f} | {r:.3f} | {f:.3f} | {fx_f:.3f} | {ok} | {speed} |"
        )
    print(
        "| model | best threshold | P | R | F1 (Multi-News val.) | fixtures F1 at it | "
        "fixtures F1 = 1.0 at | texts/s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
