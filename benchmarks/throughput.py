"""Throughput of brief writing with llama.cpp, side by side in one process (issue 14).

    PYTHONPATH=. .venv/bin/python benchmarks/throughput.py [--stories 40] [--parts sizes batch contention]

Parts (each figure printed beside its reference from the same run, with the load average):
  sizes       decode steps for 1, 2, 4, 8 sequences at once (tokens/s of all sequences): the
              batch size that pays on this machine
  batch       the same Multi-News validation stories written one at a time (today's path:
              `BriefWriter.write`, create_chat_completion) and in batches
              (`BriefWriter.write_many`, [summarizer] batch_size): briefs/min of each, how
              many briefs have the same text in both, and single-brief latency median/p90
  contention  single-brief latency with a busy loop on one core beside it, against without,
              threads chosen as digest chooses them ([summarizer] threads = 0) and, for
              reference, fixed at every usable core

Reads ../shared/eval (never copied into the project). The machine is shared: ratios measured
side by side are the figures to trust.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from speed import config, multinews, quantile, story_articles  # noqa: E402

MODEL = "qwen2.5-coder-1.5b-instruct"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def writer_for(generator, cfg):
    from digest.engines import make_writer
    from digest.pipeline import Pipeline

    embedder = Pipeline(cfg).embedder
    embedder.embed(["warm up"])
    return make_writer(cfg, embedder, generator)  # as the pipeline makes it


def text_of(brief) -> str:
    return brief.headline + "\n" + " ".join(s.text for s in brief.sentences)


def part_sizes(gen, stories, writer, out: dict) -> None:
    from digest import prompt
    from digest.generate import Request
    from digest.plan import plan, story_sentences

    requests = []
    for _, articles in stories[:8]:
        sentences = story_sentences(articles)
        vectors = writer.embedder.embed([s.text for s in sentences])
        titles = [a.title for a in articles]
        facts = plan(sentences, vectors, titles, writer.embedder.embed(titles), 156)
        messages = prompt.brief(facts, sentences, len(articles), writer.input_words)
        requests.append(Request(messages, 48, messages[-1]["content"]))
    gen.generate_batch(requests[:1])  # the shared beginning read and held
    rows = {}
    for size in (1, 2, 4, 8):
        if size > gen.batch_size or size > len(requests):
            break
        gen.generate_batch(requests[:size])
        st = gen._batch.last_stats
        rows[size] = {
            "decode_tokens_per_s": st["new_tokens"] / st["decode_s"],
            "step_s": st["decode_s"] / max(1, st["steps"]),
            "read_s": st["read_s"],
            "threads": gen._batch.threads,
            "load": load(),
        }
        print(f"  {size} sequences: {rows[size]}", file=sys.stderr, flush=True)
    out["sizes"] = rows


def part_batch(gen, stories, writer, out: dict, size: int) -> None:
    from digest.summarize import StoryInput

    one_texts, latencies = [], []
    load_one = load()
    t0 = time.perf_counter()
    for sid, articles in stories:
        t = time.perf_counter()
        one_texts.append(text_of(writer.write(sid, articles, 1, "now")))
        latencies.append(time.perf_counter() - t)
    one_s = time.perf_counter() - t0
    print(f"  one at a time: {one_s:.0f} s (load {load_one})", file=sys.stderr, flush=True)
    load_batch = load()
    t0 = time.perf_counter()
    batch_texts = []
    for i in range(0, len(stories), size):
        group = [StoryInput(sid, a, 1, "now") for sid, a in stories[i : i + size]]
        batch_texts += [text_of(b) for b in writer.write_many(group)]
    batch_s = time.perf_counter() - t0
    print(f"  batches of {size}: {batch_s:.0f} s (load {load_batch})", file=sys.stderr, flush=True)
    same = [a == b for a, b in zip(one_texts, batch_texts, strict=True)]
    out["batch"] = {
        "stories": len(stories),
        "batch_size": size,
        "one_at_a_time_s": one_s,
        "batched_s": batch_s,
        "one_per_min": 60 * len(stories) / one_s,
        "batched_per_min": 60 * len(stories) / batch_s,
        "speedup": one_s / batch_s,
        "same_text": sum(same),
        "differs": [stories[i][0] for i, s in enumerate(same) if not s],
        "latency_median_s": statistics.median(latencies),
        "latency_p90_s": quantile(latencies, 0.9),
        "load_one": load_one,
        "load_batch": load_batch,
    }


def _busy() -> None:
    os.nice(19)  # as niced as the benchmark: a fair competitor
    while True:
        pass


def part_contention(gen, stories, writer, out: dict, n: int) -> None:
    from digest.threads import usable_cores

    rows = {}
    # one brief first, untimed: the first brief of a process is slower (caches and pages
    # warming), and it would count against whichever setting came first
    writer.write(*stories[0], 1, "now")
    for threads in (0, usable_cores()):
        gen.threads = threads
        quiet, busy = [], []
        for sid, articles in stories[:n]:
            gen._load().reset()  # each brief reads its whole prompt: none of it cached
            t = time.perf_counter()
            writer.write(sid, articles, 1, "now")
            quiet.append(time.perf_counter() - t)
            hog = multiprocessing.Process(target=_busy, daemon=True)
            hog.start()
            try:
                time.sleep(1.0)
                gen._load().reset()
                t = time.perf_counter()
                writer.write(sid, articles, 1, "now")
                busy.append(time.perf_counter() - t)
                chosen = gen.last_stats.get("threads")
            finally:
                hog.terminate()
                hog.join()
        name = "chosen" if threads == 0 else f"fixed {threads}"
        rows[name] = {
            "without_s": statistics.median(quiet),
            "with_busy_s": statistics.median(busy),
            "ratio": statistics.median(busy) / statistics.median(quiet),
            "threads_with_busy": chosen,
            "load": load(),
        }
        print(f"  {name}: {rows[name]}", file=sys.stderr, flush=True)
    gen.threads = 0
    out["contention"] = rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=40)
    ap.add_argument("--contention-stories", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=0, help="default: [summarizer] batch_size")
    ap.add_argument("--threads", type=int, default=0, help="model threads; 0: as digest chooses")
    ap.add_argument("--parts", nargs="+", default=["sizes", "batch", "contention"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from digest.generate import make_generator

    with tempfile.TemporaryDirectory() as tmp:
        summarizer = {"backend": "llama-cpp", "model": MODEL, "threads": args.threads}
        cfg = config(Path(tmp), summarizer=summarizer)
    s = cfg.summarizer
    size = args.batch_size or s.batch_size
    gen = make_generator(s.backend, s.model, cfg.paths.models, s.device, s.threads, 8)
    stories = story_articles(multinews(args.stories))
    writer = writer_for(gen, cfg)
    out: dict = {"cores": os.cpu_count(), "load_start": load()}
    for part in args.parts:
        print(f"... {part} (load {load()})", file=sys.stderr, flush=True)
        if part == "sizes":
            part_sizes(gen, stories, writer, out)
        elif part == "batch":
            gen.batch_size = size  # generate_batch splits at the configured size
            part_batch(gen, stories, writer, out, size)
            gen.batch_size = 8
        elif part == "contention":
            part_contention(gen, stories, writer, out, args.contention_stories)
        if args.json:
            args.json.write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
