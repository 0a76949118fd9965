"""How story clustering (`digest.cluster.assign`) scales with the number of new articles.

    PYTHONPATH=. .venv/bin/python benchmarks/cluster_scale.py [--sizes 1000 10000 100000]

For each size: synthetic articles of planted stories (below), one `assign` call with no
existing stories, timed; the peak memory it added (the process's peak resident set, reset
before the call through /proc/self/clear_refs, minus the resident set before it; Linux only,
None elsewhere); BCubed precision/recall/F1 against the planted stories; and the growth
exponent from the previous size, log(t2 / t1) / log(n2 / n1) (1: linear, 2: quadratic).
Then an incremental scenario: the largest size's articles arriving in time order as runs of
1,000, each run assigned against the stories formed so far (as the service does: centroid = the
normalised mean of all the story's articles, time span over all of them).

`run()` returns the rows as plain dicts (benchmarks/speed.py calls it); `main()` prints a table.

The generator (`planted`): story sizes are geometric with mean 3.5 (29% singletons, 1% of 15 or
more); each story has a random unit centre in 384 dimensions, 30% of it (by squared norm) taken
from one of 50 shared topic directions, so that stories of a topic are about 0.3 alike; its
articles are the centre plus Gaussian noise of norm sqrt(1/c - 1), with c drawn uniformly in
0.5-0.8 per story, so two articles of a story are about c similar (MiniLM leads of one news
story: mostly 0.4-0.8; below the 0.53 threshold average linkage splits a story, as it does real
ones). A story starts at a uniform time in 30 days and its articles come uniformly within 48 h
of its start. Articles are shuffled. All sizes span the same 30 days, so larger sizes are
denser (100k: ~3,300 articles a day), which is the harder case for the time-window pruning.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest.cluster import CHUNK, StoryVector, assign  # noqa: E402
from digest.config import Cluster  # noqa: E402
from digest.evaluate import bcubed  # noqa: E402

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DIM = 384
INCREMENTAL_RUN = 1000


def planted(
    n: int,
    *,
    seed: int = 0,
    days: float = 30.0,
    mean_size: float = 3.5,
    cos: tuple[float, float] = (0.5, 0.8),
    topic_share: float = 0.3,
    topics: int = 50,
    spread_hours: float = 48.0,
) -> tuple[np.ndarray, list[datetime], np.ndarray]:
    """n synthetic articles: (unit float32 vectors, times, planted story of each); see above."""
    rng = np.random.default_rng(seed)
    sizes = rng.geometric(1 / mean_size, size=n)
    k = int(np.searchsorted(np.cumsum(sizes), n)) + 1
    sizes = sizes[:k]
    sizes[-1] -= int(sizes.sum()) - n
    centres = _unit(rng.normal(size=(k, DIM)))
    topic = _unit(rng.normal(size=(topics, DIM)))[rng.integers(0, topics, size=k)]
    centres = _unit(math.sqrt(topic_share) * topic + math.sqrt(1 - topic_share) * centres)
    sigma = np.sqrt(1 / rng.uniform(*cos, size=k) - 1)
    gold = np.repeat(np.arange(k), sizes)
    vectors = centres[gold] + sigma[gold, None] * rng.normal(size=(n, DIM)) / math.sqrt(DIM)
    seconds = rng.uniform(0, days * 86400, size=k)[gold]
    seconds += rng.uniform(0, spread_hours * 3600, size=n)
    order = rng.permutation(n)
    times = [T0 + timedelta(seconds=float(s)) for s in seconds[order]]
    return _unit(vectors[order]).astype(np.float32), times, gold[order]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _kib(field: str) -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    m = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
    return int(m.group(1)) if m else None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def _measure(fn):
    """(result, seconds, peak MB added or None)."""
    before = _kib("VmRSS") if _reset_peak() else None
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = _kib("VmHWM")
    added = None if before is None or peak is None else round((peak - before) / 1024, 1)
    return result, seconds, added


def _row(scenario, n, gold, labels, seconds, peak_mb) -> dict:
    p, r, f = bcubed(labels, gold.tolist())
    return {
        "scenario": scenario,
        "articles": n,
        "planted_stories": len(set(gold.tolist())),
        "stories_found": len(set(labels)),
        "seconds": round(seconds, 3),
        "peak_mb": peak_mb,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "growth": None,
    }


def incremental(
    vectors: np.ndarray, times: list[datetime], threshold: float, window_hours: float
) -> tuple[list[int], float]:
    """The articles in time order as runs of INCREMENTAL_RUN, each assigned against the stories
    formed so far (all of them, as the pipeline passes them). Returns each article's story and
    the seconds spent in `assign` (the story bookkeeping between runs is not counted)."""
    n = len(times)
    order = sorted(range(n), key=lambda i: times[i])
    sums = np.zeros((n, vectors.shape[1]), dtype=np.float64)  # at most one story per article
    sizes = np.zeros(n, dtype=np.int64)
    first: list[datetime] = []
    last: list[datetime] = []
    out = np.full(n, -1, dtype=np.int64)
    spent = 0.0
    for start in range(0, n, INCREMENTAL_RUN):
        run = np.array(order[start : start + INCREMENTAL_RUN])
        k = len(first)
        centroids = _unit(sums[:k]).astype(np.float32) if k else sums[:0]
        stories = [
            StoryVector(str(j), centroids[j], int(sizes[j]), first[j], last[j]) for j in range(k)
        ]
        run_times = [times[i] for i in run]
        t = time.perf_counter()
        labels = assign(vectors[run], run_times, stories, threshold, window_hours)
        spent += time.perf_counter() - t
        new: dict[int, int] = {}
        for i, when, label in zip(run.tolist(), run_times, labels, strict=True):
            if isinstance(label, str):
                j = int(label)
            else:
                j = new.setdefault(label, len(first))
                if j == len(first):
                    first.append(when)
                    last.append(when)
            out[i] = j
            first[j], last[j] = min(first[j], when), max(last[j], when)
        np.add.at(sums, out[run], vectors[run])
        np.add.at(sizes, out[run], 1)
    return out.tolist(), spent


def run(
    sizes: tuple[int, ...] = (1000, 10000, 100000),
    *,
    incremental_runs: bool = False,
    seed: int = 0,
) -> list[dict]:
    """One row per size (one `assign` call, no existing stories), then, if `incremental_runs`,
    one row for the largest size's articles arriving as runs of 1,000 (off by default: at 100k
    it takes 4x the one call; `main` runs it unless --no-incremental).

    Row keys: scenario, articles, planted_stories, stories_found, seconds (in `assign`),
    peak_mb (or None), precision, recall, f1, growth (exponent from the previous row, or None).
    """
    c = Cluster()
    warm = planted(50, seed=seed)  # imports scipy and warms BLAS up outside the timings
    assign(warm[0], warm[1], [], c.threshold, c.window_hours)
    rows: list[dict] = []
    data = None
    for n in sizes:
        data = planted(n, seed=seed)
        vectors, times, gold = data
        labels, seconds, peak = _measure(
            lambda v=vectors, t=times: assign(v, t, [], c.threshold, c.window_hours)
        )
        row = _row("one call", n, gold, labels, seconds, peak)
        if rows and rows[-1]["seconds"] > 0 and seconds > 0 and n != rows[-1]["articles"]:
            prev = rows[-1]
            row["growth"] = round(
                math.log(seconds / prev["seconds"]) / math.log(n / prev["articles"]), 2
            )
        rows.append(row)
    if incremental_runs and data is not None:
        vectors, times, gold = data
        (labels, seconds), _, peak = _measure(
            lambda: incremental(vectors, times, c.threshold, c.window_hours)
        )
        runs = -(-len(gold) // INCREMENTAL_RUN)
        rows.append(
            _row(f"{runs} runs of {INCREMENTAL_RUN:,}", len(gold), gold, labels, seconds, peak)
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--no-incremental", action="store_true", help="skip the incremental scenario")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rows = run(tuple(args.sizes), incremental_runs=not args.no_incremental, seed=args.seed)
    c = Cluster()
    print(
        f"assign, threshold {c.threshold}, window {c.window_hours:g} h, chunk {CHUNK:,}; "
        f"synthetic stories over 30 days"
    )
    head = "| scenario | articles | planted stories | found | seconds | peak MB | P | R | F1 | growth |"
    print(head)
    print("|" + "---|" * head.count(" | ") + "---|")
    for r in rows:
        peak = "-" if r["peak_mb"] is None else f"{r['peak_mb']:,.0f}"
        growth = "-" if r["growth"] is None else f"{r['growth']:.2f}"
        print(
            f"| {r['scenario']} | {r['articles']:,} | {r['planted_stories']:,} | "
            f"{r['stories_found']:,} | {r['seconds']:.2f} | {peak} | {r['precision']:.3f} | "
            f"{r['recall']:.3f} | {r['f1']:.3f} | {growth} |"
        )


if __name__ == "__main__":
    main()
