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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest.cluster import CHUNK, Signals, StoryVector, Weights, assign  # noqa: E402
from digest.config import Cluster  # noqa: E402
from digest.evaluate import bcubed  # noqa: E402
from digest.signals import Sparse  # noqa: E402

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DIM = 384
INCREMENTAL_RUN = 1000
# the dense cosine alone: its best threshold on Multi-News train (docs/clustering.md)
DENSE_THRESHOLD = 0.52


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


def planted_signals(gold: np.ndarray, *, seed: int = 0, topics: int = 50) -> Signals:
    """Synthetic term and entity vectors for articles of planted stories (`gold`), shaped like
    digest/signals.py's: hashed slots, weights (1 + ln tf) x a fixed inverse frequency, unit.

    Words: a vocabulary of 100,000 ranked by frequency, weight 1 + 1.2 log10(rank + 1) (rank 0
    1.0, rank 1,000 4.6, the rarest 7.0, as 9 - Zipf gives "the" 1.3, "earthquake" 4.8, an
    unseen name 7). Each story has 20 words of its own (ranks 500-100,000: its names, places,
    event) and belongs to one of `topics` topics of 30 shared words (ranks 200-5,000); an
    article has 30 background words drawn by Zipf's law over the whole vocabulary, each of its
    story's words with a probability drawn per story in 0.4-0.8, and each topic word with
    probability 0.15. Entities: each story names 4 of its own (of 200,000, weight 7), an article
    each of them with probability 0.6, plus 2 drawn by Zipf's law (the names every story has).
    On 3,000 of these, two articles of one story have a mean term cosine of 0.24 (10th
    percentile 0.12), of two stories 0.004 (99.9th percentile 0.05); entities 0.32 and 0.002;
    on Multi-News, terms alone separate stories best at a threshold of 0.14. The sparse vectors
    are here for their cost (products, centroid upkeep), not to test their quality.
    """
    from scipy.sparse import csr_matrix

    rng = np.random.default_rng(seed + 1)
    n, k = len(gold), int(gold.max()) + 1
    vocab, entity_vocab = 100_000, 200_000
    zipf = 1.0 / (np.arange(vocab) + 20.0)
    zipf /= zipf.sum()
    ezipf = 1.0 / (np.arange(entity_vocab) + 5.0)
    ezipf /= ezipf.sum()
    story_words = rng.integers(500, vocab, size=(k, 20))
    topic_words = rng.integers(200, 5000, size=(topics, 30))
    topic = rng.integers(0, topics, size=k)
    keep = rng.uniform(0.4, 0.8, size=k)
    story_entities = rng.integers(0, entity_vocab, size=(k, 4))

    def rows(cols: list[np.ndarray], dim: int, weight: np.ndarray, offset: int):
        indptr = np.cumsum([0] + [len(c) for c in cols])
        col = np.concatenate(cols)
        m = csr_matrix((np.ones(len(col)), col + offset, indptr), shape=(n, offset + dim))
        m.sum_duplicates()
        m.data = (1.0 + np.log(m.data)) * weight[m.indices - offset]
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        m = csr_matrix(m.multiply(1.0 / norms[:, None]))
        return [
            Sparse(
                m.indices[m.indptr[i] : m.indptr[i + 1]].astype(np.int32),
                m.data[m.indptr[i] : m.indptr[i + 1]].astype(np.float32),
            )
            for i in range(n)
        ]

    words, ents = [], []
    background = rng.choice(vocab, size=(n, 30), p=zipf)
    common = rng.choice(entity_vocab, size=(n, 2), p=ezipf)
    for i, g in enumerate(gold.tolist()):
        own = story_words[g][rng.random(20) < keep[g]]
        shared = topic_words[topic[g]][rng.random(30) < 0.15]
        words.append(np.concatenate([background[i], own, shared]))
        ents.append(np.concatenate([story_entities[g][rng.random(4) < 0.6], common[i]]))
    word_weight = np.minimum(7.0, 1.0 + 1.2 * np.log10(np.arange(vocab) + 1.0))
    entity_weight = np.full(entity_vocab, 7.0)
    # entities in slots after the words', as signals.py keeps them apart by a prefix
    return Signals(
        terms=rows(words, vocab, word_weight, 0),
        entities=rows(ents, entity_vocab, entity_weight, vocab),
    )


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
    """(result, seconds, peak MB added or None); the CPU seconds are in `_measure.cpu`."""
    before = _kib("VmRSS") if _reset_peak() else None
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    seconds = time.perf_counter() - start
    _measure.cpu = time.process_time() - cpu  # type: ignore[attr-defined]
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
        # CPU seconds of the process (all threads): on a shared machine wall time follows the
        # load, CPU time much less; on an idle 2-core machine wall is between cpu / 2 and cpu
        "cpu_seconds": round(getattr(_measure, "cpu", float("nan")), 3),
        "peak_mb": peak_mb,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "growth": None,
    }


def incremental(
    vectors: np.ndarray,
    times: list[datetime],
    setting: Setting,
    sig: Signals | None = None,
) -> tuple[list[int], float]:
    """The articles in time order as runs of INCREMENTAL_RUN, each assigned against the stories
    formed so far (all of them, as the pipeline passes them; with their sparse centroids when
    `sig` is given). Returns each article's story and the seconds spent in `assign` (the story
    bookkeeping between runs is not counted)."""
    from digest.cluster import sparse_centroid

    n = len(times)
    order = sorted(range(n), key=lambda i: times[i])
    sums = np.zeros((n, vectors.shape[1]), dtype=np.float64)  # at most one story per article
    sizes = np.zeros(n, dtype=np.int64)
    first: list[datetime] = []
    last: list[datetime] = []
    members: list[list[int]] = []
    terms: list[Sparse | None] = []
    entities: list[Sparse | None] = []
    out = np.full(n, -1, dtype=np.int64)
    spent = 0.0
    for start in range(0, n, INCREMENTAL_RUN):
        run = np.array(order[start : start + INCREMENTAL_RUN])
        k = len(first)
        centroids = _unit(sums[:k]).astype(np.float32) if k else sums[:0]
        stories = [
            StoryVector(
                str(j), centroids[j], int(sizes[j]), first[j], last[j], terms[j], entities[j]
            )
            for j in range(k)
        ]
        run_times = [times[i] for i in run]
        batch = None
        if sig is not None and sig.terms is not None and sig.entities is not None:
            batch = Signals([sig.terms[i] for i in run], [sig.entities[i] for i in run])
        t = time.perf_counter()
        labels = assign(
            vectors[run], run_times, stories, setting.threshold, setting.window_hours,
            signals=batch, weights=setting.weights,
        )  # fmt: skip
        spent += time.perf_counter() - t
        new: dict[int, int] = {}
        touched: set[int] = set()
        for i, when, label in zip(run.tolist(), run_times, labels, strict=True):
            if isinstance(label, str):
                j = int(label)
            else:
                j = new.setdefault(label, len(first))
                if j == len(first):
                    first.append(when)
                    last.append(when)
                    members.append([])
                    terms.append(None)
                    entities.append(None)
            out[i] = j
            members[j].append(i)
            touched.add(j)
            first[j], last[j] = min(first[j], when), max(last[j], when)
        np.add.at(sums, out[run], vectors[run])
        np.add.at(sizes, out[run], 1)
        if batch is not None and sig is not None:  # what the pipeline stores per story
            for j in touched:
                terms[j] = sparse_centroid([sig.terms[i] for i in members[j]])  # type: ignore[index]
                entities[j] = sparse_centroid([sig.entities[i] for i in members[j]])  # type: ignore[index]
    return out.tolist(), spent


@dataclass(frozen=True)
class Setting:
    """What `assign` is given: the defaults (all signals), or the dense cosine alone."""

    name: str
    threshold: float
    window_hours: float
    weights: Weights | None

    @staticmethod
    def of(signals: bool) -> Setting:
        c = Cluster()
        if not signals:
            return Setting("dense cosine alone", DENSE_THRESHOLD, c.window_hours, None)
        weights = Weights(c.term_weight, c.entity_weight, c.time_weight, c.drift_floor)
        return Setting(
            "defaults (dense + terms + entities + time)", c.threshold, c.window_hours, weights
        )


def run(
    sizes: tuple[int, ...] = (1000, 10000, 100000),
    *,
    incremental_runs: bool = False,
    seed: int = 0,
    signals: bool = True,
) -> list[dict]:
    """One row per size (one `assign` call, no existing stories), then, if `incremental_runs`,
    one row for the largest size's articles arriving as runs of 1,000 (off by default; `main`
    runs it unless --no-incremental). With `signals` (the default), each article also has
    synthetic term and entity vectors (`planted_signals`, made outside the timing) and
    `assign` gets the configured weights and threshold, as the pipeline calls it; without, the
    dense cosine alone at its own threshold.

    Row keys: scenario, articles, planted_stories, stories_found, seconds (in `assign`),
    peak_mb (or None), precision, recall, f1, growth (exponent from the previous row, or None).
    """
    setting = Setting.of(signals)
    rows: list[dict] = []
    data = sig = None
    for k, n in enumerate([50, *sizes]):  # 50 first: imports scipy, warms BLAS up, not timed
        data = planted(n, seed=seed)
        vectors, times, gold = data
        sig = planted_signals(gold, seed=seed) if signals else None
        labels, seconds, peak = _measure(
            lambda v=vectors, t=times, s=sig: assign(
                v, t, [], setting.threshold, setting.window_hours,
                signals=s, weights=setting.weights,
            )
        )  # fmt: skip
        if k == 0:
            continue
        row = _row("one call", n, gold, labels, seconds, peak)
        if rows and rows[-1]["seconds"] > 0 and seconds > 0 and n != rows[-1]["articles"]:
            prev = rows[-1]
            row["growth"] = round(
                math.log(seconds / prev["seconds"]) / math.log(n / prev["articles"]), 2
            )
        rows.append(row)
    if incremental_runs and data is not None:
        vectors, times, gold = data
        (labels, seconds), _, peak = _measure(lambda: incremental(vectors, times, setting, sig))
        runs = -(-len(gold) // INCREMENTAL_RUN)
        rows.append(
            _row(f"{runs} runs of {INCREMENTAL_RUN:,}", len(gold), gold, labels, seconds, peak)
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--no-incremental", action="store_true", help="skip the incremental scenario")
    ap.add_argument(
        "--dense-only", action="store_true", help="the dense cosine alone (no term/entity vectors)"
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    signals = not args.dense_only
    rows = run(
        tuple(args.sizes), incremental_runs=not args.no_incremental, seed=args.seed, signals=signals
    )
    s = Setting.of(signals)
    print(
        f"assign, {s.name}, threshold {s.threshold}, window {s.window_hours:g} h, "
        f"chunk {CHUNK:,}; synthetic stories over 30 days"
    )
    head = (
        "| scenario | articles | planted stories | found | seconds | CPU s | peak MB | P | R | F1"
        " | growth |"
    )
    print(head)
    print("|" + "---|" * head.count(" | ") + "---|")
    for r in rows:
        peak = "-" if r["peak_mb"] is None else f"{r['peak_mb']:,.0f}"
        growth = "-" if r["growth"] is None else f"{r['growth']:.2f}"
        print(
            f"| {r['scenario']} | {r['articles']:,} | {r['planted_stories']:,} | "
            f"{r['stories_found']:,} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | {peak} | {r['precision']:.3f} | "
            f"{r['recall']:.3f} | {r['f1']:.3f} | {growth} |"
        )


if __name__ == "__main__":
    main()
