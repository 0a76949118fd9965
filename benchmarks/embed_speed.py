"""Embedding speed of the two backends, side by side: torch (sentence-transformers) against the
int8 ONNX model of `digest prepare`, on the same Reuters leads (title + 200-word lead, as the
pipeline embeds articles).

    PYTHONPATH=. .venv/bin/python benchmarks/embed_speed.py [--articles 600] [--rounds 3]
        [--onnx-folders models/all-minilm-l6-v2-int8 /tmp/older-recipe-folder]

Rounds are interleaved (every configuration once per round, in turn), and the best round of
each counts, so a burst of load from other processes hurts every configuration alike and the
best round is the least disturbed. Prints articles/s, articles per CPU second of the process
(what a niced benchmark on a busy machine still measures fairly: preemption costs wall time,
not CPU time), the ratio to torch, the cosine agreement
of the ONNX vectors with torch's, and the load average, since other processes on the machine
skew the absolute figures (the ratios less). Reads ../shared/eval/reuters21578.jsonl (never
copied into the project); the ONNX model must be prepared (`digest prepare
all-minilm-l6-v2-int8`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest.cluster import embedding_text  # noqa: E402
from digest.embed import (  # noqa: E402
    ONNX_MINILM,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    read_marker,
)

REUTERS = ROOT.parent / "shared" / "eval" / "reuters21578.jsonl"


def leads(path: Path, n: int) -> list[str]:
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("body"):
                texts.append(embedding_text(d.get("title") or "", d["body"]))
            if len(texts) >= n:
                break
    return texts


def articles(args) -> list[tuple[str, str]]:
    """(title, text) of the first --articles articles: Reuters, or Multi-News documents as the
    real ingest reads them (title detection and cleaning)."""
    if args.multinews is None:
        with open(args.data, encoding="utf-8") as f:
            rows = (json.loads(line) for line in f)
            found = [(d.get("title") or "", d["body"]) for d in rows if d.get("body")]
        return found[: args.articles]
    import logging

    from digest import ingest
    from digest.errors import InputError

    logging.disable(logging.WARNING)  # ingest logs each page it cleans
    found = []
    for line in args.multinews.read_text(encoding="utf-8").splitlines():
        for doc in json.loads(line)["documents"]:
            try:
                a = ingest.read_file(Path("p.txt"), doc["text"].encode(), display_path="p.txt")[0]
            except InputError:
                continue
            found.append((a.title, a.text))
        if len(found) >= args.articles:
            break
    logging.disable(logging.NOTSET)
    return found[: args.articles]


def lead_rates(args) -> None:
    """Articles/s of the ONNX embedder at each lead length, best of --rounds interleaved."""
    items = articles(args)
    folder = args.onnx_folders[0] if args.onnx_folders else args.models / ONNX_MINILM
    embedder = OnnxEmbedder(folder, threads=args.threads)
    embedder.embed(["load the model outside the timing"])
    rates: dict[int, list[float]] = {n: [] for n in args.lead_words}
    for _ in range(args.rounds):
        for n in args.lead_words:
            texts = [embedding_text(title, text, n) for title, text in items]
            start = time.perf_counter()
            embedder.embed(texts)
            rates[n].append(len(texts) / (time.perf_counter() - start))
    source = "Multi-News documents" if args.multinews else "Reuters articles"
    print(f"{len(items)} {source}, {len(os.sched_getaffinity(0))} cores, ONNX int8 {folder.name}")
    print(f"| lead words | articles/s (best of {args.rounds}) | median |\n|---|---|---|")
    for n, r in rates.items():
        print(f"| {n} | {max(r):.1f} | {np.median(r):.1f} |")
    print("load average (1, 5, 15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REUTERS)
    ap.add_argument("--articles", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--torch-batch-sizes", type=int, nargs="+", default=[32])
    # the ONNX embedder runs each text alone (onnx_embedder.py): its batch size changes nothing
    ap.add_argument("--onnx-batch-sizes", type=int, nargs="+", default=[32])
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument(
        "--onnx-folders",
        type=Path,
        nargs="+",
        help="prepared ONNX folders to compare, e.g. one of an older recipe "
        "(default: the one in --models)",
    )
    ap.add_argument("--threads", type=int, default=0, help="ONNX threads (0: every usable core)")
    ap.add_argument(
        "--lead-words",
        type=int,
        nargs="+",
        help="instead: the ONNX embedder on the title and the first N words of each lead, for "
        "each N, side by side (what a shorter `cluster.LEAD_WORDS` would gain)",
    )
    ap.add_argument(
        "--multinews",
        type=Path,
        nargs="?",
        const=ROOT.parent / "shared" / "eval" / "multinews_validation.jsonl",
        help="with --lead-words: Multi-News documents read by the real ingest, not Reuters",
    )
    args = ap.parse_args()
    if args.lead_words:
        lead_rates(args)
        return
    folders = args.onnx_folders or [args.models / ONNX_MINILM]
    for folder in folders:
        if read_marker(folder) is None:
            sys.exit(f"the ONNX embedder is not prepared in {folder}: digest prepare {ONNX_MINILM}")
    texts = leads(args.data, args.articles)
    words = np.mean([len(t.split()) for t in texts])
    cores = len(os.sched_getaffinity(0))
    print(f"{len(texts)} Reuters leads ({words:.0f} words on average), {cores} cores")

    configs: dict[str, object] = {}
    for bs in args.torch_batch_sizes:
        configs[f"torch fp32, batch {bs}"] = SentenceTransformerEmbedder(
            device="cpu", batch_size=bs
        )
    for folder in folders:
        weights = read_marker(folder).get("weights", "s8")
        for bs in args.onnx_batch_sizes:
            name = f"onnx int8 {weights} weights, batch {bs}"
            configs[name] = OnnxEmbedder(folder, batch_size=bs, threads=args.threads)
    for embedder in configs.values():
        embedder.embed(texts[:8])  # load the model outside the timing

    load_before = os.getloadavg()
    rates: dict[str, list[float]] = {name: [] for name in configs}
    per_cpu_second: dict[str, list[float]] = {name: [] for name in configs}
    vectors: dict[str, np.ndarray] = {}
    for r in range(args.rounds):
        for name, embedder in configs.items():
            start, cpu = time.perf_counter(), time.process_time()
            v = embedder.embed(texts)
            rates[name].append(len(texts) / (time.perf_counter() - start))
            per_cpu_second[name].append(len(texts) / (time.process_time() - cpu))
            vectors.setdefault(name, v)
        print(f"round {r + 1}: " + ", ".join(f"{rates[n][-1]:.1f}" for n in configs), flush=True)
    load_after = os.getloadavg()

    torch_name = next(n for n in configs if n.startswith("torch"))
    base = max(rates[torch_name])
    cpu_base = max(per_cpu_second[torch_name])
    print(
        f"\n| backend | articles/s (best of {args.rounds}) | median | vs {torch_name} "
        "| articles per CPU second (best) | vs torch |"
    )
    print("|---|---|---|---|---|---|")
    for name in configs:
        best, cpu_best = max(rates[name]), max(per_cpu_second[name])
        print(
            f"| {name} | {best:.1f} | {np.median(rates[name]):.1f} | {best / base:.2f}x "
            f"| {cpu_best:.1f} | {cpu_best / cpu_base:.2f}x |"
        )
    print("\ncosine of the ONNX vectors to torch's (same texts):")
    for name in configs:
        if name.startswith("onnx"):
            cos = np.sum(vectors[name] * vectors[torch_name], axis=1)
            print(
                f"  {name}: min {cos.min():.4f}, 1st percentile {np.percentile(cos, 1):.4f}, "
                f"mean {cos.mean():.4f}"
            )
    before, after = (" ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after))
    print(f"load average (1, 5, 15 min) before: {before}; after: {after}")


if __name__ == "__main__":
    main()
