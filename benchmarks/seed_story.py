"""Time and peak memory of the reference brief: the five seed-story reports -> one brief.

Run: make bench   (or .venv/bin/python benchmarks/seed_story.py [--model NAME])
Reads ../shared/samples/seed-story (never copied into the project).
"""

from __future__ import annotations

import argparse
import logging
import resource
import shutil
import tempfile
import time
from pathlib import Path

from digest import config
from digest.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "samples" / "seed-story"


class Timed:
    """Wraps a model adapter to add up the time spent in it."""

    def __init__(self, inner, method: str):
        self.inner, self.method, self.seconds, self.calls = inner, method, 0.0, 0

    def __getattr__(self, name):
        fn = getattr(self.inner, name)
        if name != self.method:
            return fn

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t
                self.calls += 1

        return timed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="summarizer model (default: the configured one)")
    ap.add_argument("--seed", type=Path, default=SEED)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "inbox").mkdir()
        for f in sorted(args.seed.glob("*.txt")):
            shutil.copy(f, tmp / "inbox" / f.name)
        overrides = {"paths": {"models": str(ROOT / "models")}}
        if args.model:
            overrides["summarizer"] = {"model": args.model}
        cfg = config.from_dict(overrides, base=tmp)
        pipeline = Pipeline(cfg)
        t0 = time.perf_counter()
        embedder = Timed(pipeline.embedder, "embed")
        generator = Timed(pipeline.generator, "generate")
        pipeline._embedder, pipeline._generator = embedder, generator
        report = pipeline.run()
        total = time.perf_counter() - t0
        stats = getattr(generator.inner, "last_stats", {}) or {}

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"seed story: {report.articles_new} articles -> {len(report.briefs_written)} brief(s)")
    print(f"model: {cfg.summarizer.model} ({cfg.summarizer.backend})")
    print(f"{'end to end (incl. model loads)':34s} {total:8.1f} s")
    print(f"{'  embedding (incl. load)':34s} {embedder.seconds:8.1f} s  ({embedder.calls} calls)")
    print(f"{'  generation (incl. load)':34s} {generator.seconds:8.1f} s  ({generator.calls} calls)")
    if stats:
        for key, value in stats.items():
            print(f"{'  ' + key:34s} {value}")
    print(f"{'peak RSS':34s} {peak_mb:8.0f} MB")


if __name__ == "__main__":
    main()
