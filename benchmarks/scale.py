"""The pipeline on 1, 2 and 3 local Ray nodes against the local engine (issue 16; docs/scale.md).

    PYTHONPATH=. nice -n 19 .venv/bin/python benchmarks/scale.py [--stories 12] [--nodes 1 2 3]

The inbox: the first --stories clusters of Multi-News validation (../shared/eval, read in
place, never copied), two reports of each, cut to 2,500 characters. Each configuration runs the
whole pipeline in this process (the driver) on a fresh state folder with the tiny SmolLM2
summarizer (brief_words 40, max_new_tokens 80, one thread per model everywhere): first the
local engine, then the Ray engine on a ray.cluster_utils.Cluster of N nodes of num_cpus=1,
one model actor per node. Per stage, wall seconds: reading (parse + commit), embedding,
clustering, briefs, publishing; within briefs, the driver's own share (planning the jobs,
writing the outbox, committing) against the time it waits for the engine. articles/min is
articles / (reading + embedding); briefs/min is briefs / the briefs stage (with each actor's
model load in it, as a real run has). Prints one JSON line per configuration, then a table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest import config  # noqa: E402
from digest.pipeline import Pipeline  # noqa: E402
from digest.store import Store  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "multinews_validation.jsonl"
STAGES = ("_ingest", "_embed", "_cluster", "_write_briefs", "_publish")


def write_inbox(inbox: Path, stories: int) -> int:
    inbox.mkdir(parents=True)
    n = 0
    with open(EVAL, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= stories:
                break
            for j, doc in enumerate(json.loads(line)["documents"][:2]):
                (inbox / f"s{i:03d}-{j}.txt").write_text(doc["text"][:2500], encoding="utf-8")
                n += 1
    return n


def settings(tmp: Path, address: str | None) -> config.Config:
    data = {
        "paths": {"models": str(ROOT / "models")},
        "summarizer": {
            "model": "smollm2-135m-instruct",
            "brief_words": 40,
            "max_new_tokens": 80,
            "threads": 1,
        },
        "embedder": {"threads": 1},
    }
    if address:
        data["engine"] = {"kind": "ray", "address": address}
    return config.from_dict(data, base=tmp)


def timed_run(cfg: config.Config) -> dict:
    pipeline = Pipeline(cfg)
    seconds: dict[str, float] = {}
    waited = [0.0]
    for name in STAGES:
        method = getattr(pipeline, name)

        def wrapper(*args, _method=method, _name=name, **kwargs):
            t = time.perf_counter()
            try:
                return _method(*args, **kwargs)
            finally:
                seconds[_name.strip("_")] = time.perf_counter() - t

        setattr(pipeline, name, wrapper)
    engine = pipeline.engine  # connects (Ray) before the clock of any stage starts
    briefs = engine.briefs

    def waiting_briefs(jobs):
        it = briefs(jobs)
        while True:
            t = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                return
            finally:
                waited[0] += time.perf_counter() - t
            yield item

    engine.briefs = waiting_briefs  # type: ignore[method-assign]
    store = Store(cfg.paths.state)
    t = time.perf_counter()
    try:
        report = pipeline.process(store)
    finally:
        store.close()
        pipeline.close()
    total = time.perf_counter() - t
    read = seconds["ingest"] + seconds["embed"]
    return {
        "articles": report.articles_new,
        "briefs": len(report.briefs_written),
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "total_s": round(total, 2),
        "articles_per_min": round(60 * report.articles_new / read, 1),
        "briefs_per_min": round(60 * len(report.briefs_written) / seconds["write_briefs"], 2),
        "briefs_driver_s": round(seconds["write_briefs"] - waited[0], 2),
        # what more nodes do not shorten: clustering, publishing, the briefs' commits and files
        "driver_share": round(
            (seconds["cluster"] + seconds["publish"] + seconds["write_briefs"] - waited[0]) / total,
            3,
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=int, default=12)
    ap.add_argument("--nodes", type=int, nargs="*", default=[1, 2, 3])
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="digest-scale-") as tmp:
        base = Path(tmp)
        write_inbox(base / "inbox", args.stories)

        def fresh(name: str) -> Path:
            folder = base / name
            folder.mkdir()
            (folder / "inbox").symlink_to(base / "inbox")
            return folder

        row = {"engine": "local", "nodes": 0, **timed_run(settings(fresh("local"), None))}
        print(json.dumps(row), flush=True)
        rows.append(row)
        import ray
        from ray.cluster_utils import Cluster

        for n in args.nodes:
            cluster = Cluster(
                initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
            )
            try:
                for _ in range(n - 1):
                    cluster.add_node(num_cpus=1)
                cluster.wait_for_nodes()
                cfg = settings(fresh(f"ray{n}"), cluster.address)
                row = {"engine": "ray", "nodes": n, **timed_run(cfg)}
            finally:
                ray.shutdown()
                cluster.shutdown()
            print(json.dumps(row), flush=True)
            rows.append(row)
    print(f"\n{'engine':8} {'nodes':>5} {'art/min':>8} {'briefs/min':>10} {'briefs s':>8} "
          f"{'driver s':>8} {'total s':>8}")  # fmt: skip
    for r in rows:
        print(
            f"{r['engine']:8} {r['nodes']:>5} {r['articles_per_min']:>8} {r['briefs_per_min']:>10} "
            f"{r['seconds']['write_briefs']:>8} {r['briefs_driver_s']:>8} {r['total_s']:>8}"
        )


if __name__ == "__main__":
    main()
