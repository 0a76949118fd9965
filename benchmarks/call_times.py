"""Seconds of each model call the brief writer makes, by kind, on Multi-News validation.

    .venv/bin/python benchmarks/call_times.py --offset 0 --limit 20 --words 120

Each cluster's gold articles are briefed one at a time by the default writer (as
benchmarks/brief_quality.py reads them), and every call to the model is timed and named by its
request: the notes (prompt.brief), a mend (prompt.rewrite with named problems) or the facts
the model left out (prompt.rewrite with prompt.COPIED). It prints each brief's calls, then the
median and mean of each kind and of the brief with and without the left-out call. Run it on a
quiet machine: the figures are wall-clock seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from brief_quality import VALIDATION, articles_of  # noqa: E402

from digest import config as digest_config  # noqa: E402
from digest.embed import make_embedder  # noqa: E402
from digest.engines import make_writer  # noqa: E402
from digest.generate import make_generator  # noqa: E402
from digest.prompt import COPIED  # noqa: E402


class Timed:
    """The generator, each call timed and named."""

    def __init__(self, generator):
        self.generator = generator
        self.calls: list[tuple[str, float]] = []

    def generate(self, messages, max_new_tokens, avoid=""):
        start = time.perf_counter()
        reply = self.generator.generate(messages, max_new_tokens, avoid=avoid)
        content = messages[-1]["content"]
        kind = "left out" if COPIED in content else "mend" if "Draft:" in content else "notes"
        self.calls.append((kind, time.perf_counter() - start))
        return reply


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=VALIDATION)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--words", type=int, default=120, help="brief length (default: 120)")
    args = ap.parse_args()

    cfg = digest_config.load(ROOT / "config.toml")
    s = dataclasses.replace(cfg.summarizer, brief_words=args.words)
    cfg = dataclasses.replace(cfg, summarizer=s)
    timed = Timed(make_generator(s.backend, s.model, cfg.paths.models, s.device, s.threads))
    # the writer the pipeline makes (engines.make_writer), at --words
    writer = make_writer(cfg, make_embedder(cfg.embedder, cfg.paths.models), timed)
    lines = args.data.read_text(encoding="utf-8").splitlines()
    briefs: list[tuple[float, float]] = []  # seconds, of which the left-out call's
    all_calls: list[tuple[str, float]] = []
    for line in lines[args.offset : args.offset + args.limit]:
        cluster = json.loads(line)
        with tempfile.TemporaryDirectory() as folder:
            articles = articles_of(cluster, Path(folder))
            timed.calls = []
            start = time.perf_counter()
            writer.write(cluster["cluster_id"], articles, 1, "")
            seconds = time.perf_counter() - start
        left = sum(t for kind, t in timed.calls if kind == "left out")
        briefs.append((seconds, left))
        all_calls += timed.calls
        calls = ", ".join(f"{kind} {t:.1f}s" for kind, t in timed.calls)
        print(f"{cluster['cluster_id']}: {seconds:.1f}s ({calls})", flush=True)
    print(f"\n{len(briefs)} briefs at {args.words} words")
    for kind in ("notes", "mend", "left out"):
        times = [t for kind_, t in all_calls if kind_ == kind]
        if times:
            print(
                f"{kind:9} {len(times):3} calls  median {statistics.median(times):5.1f}s  "
                f"mean {statistics.mean(times):5.1f}s"
            )
    total = [t for t, _ in briefs]
    without = [t - left for t, left in briefs]
    print(
        f"brief     median {statistics.median(total):.1f}s (without the left-out call "
        f"{statistics.median(without):.1f}s), mean {statistics.mean(total):.1f}s "
        f"({statistics.mean(without):.1f}s)"
    )


if __name__ == "__main__":
    main()
