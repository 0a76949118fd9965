"""Time and peak memory of reading the worst inputs within `[ingest] max_file_mb` (issue 17).

Writes invented worst-case files into a temporary inbox (a 20 MB one-line file, 20 MB of many
short sentences, 100,000-level nested HTML and JSON, a 20,000-line JSONL of short similar
items), then reads each in a fresh process through the pipeline's ingest stage (read, decode,
clean, dedup into a real SQLite store) and prints wall time, peak RSS and what was kept.

    nice -n 19 .venv/bin/python benchmarks/worst_inputs.py [CASE ...]
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1024 * 1024
WORDS = "council harbor ferry tram storm river school budget mayor police road bridge".split()
CASES = ("one-line.txt", "many-sentences.txt", "nested.html", "nested.json", "short-similar.jsonl")


def _sentence(rnd: random.Random, i: int) -> str:
    return (
        f"The {rnd.choice(WORDS)} {rnd.choice(WORDS)} report number {i} said "
        f"{rnd.randint(2, 999)} people met on {rnd.choice(['Monday', 'Friday'])}."
    )


def make(name: str, folder: Path) -> Path:
    rnd = random.Random(1)
    path = folder / name
    if name in ("one-line.txt", "many-sentences.txt"):
        parts, size, i = [], 0, 0
        while size < 19.8 * MB:
            s = _sentence(rnd, i)
            parts.append(s)
            size, i = size + len(s) + 1, i + 1
        sep = " " if name == "one-line.txt" else "\n\n"
        body = "".join(
            p + (sep if k % 5 == 4 else " ") for k, p in enumerate(parts)
        )  # one line, or paragraphs of five sentences
        path.write_text(body if name == "one-line.txt" else "Many sentences\n\n" + body)
    elif name == "nested.html":
        inner = "<p>Deep text of an article here, said the mayor on Monday.</p>"
        path.write_text("<html><body>" + "<div>" * 100_000 + inner + "</div>" * 100_000)
    elif name == "nested.json":
        path.write_text("[" * 100_000 + '{"title": "x", "text": "y"}' + "]" * 100_000)
    else:
        teams = ["Larkfield", "Eastbank", "Mill Lane", "Foundry", "Carrow", "Lindmoor", "Alder"]
        with open(path, "w") as f:
            for i in range(20_000):
                a, b = rnd.sample(teams, 2)
                text = f"{a} beat {b} {rnd.randint(0, 6)}-{rnd.randint(0, 5)} on Saturday before {800 + i} fans, the club said."
                f.write(json.dumps({"title": f"{a} beat {b}", "text": text}) + "\n")
    return path


def measure(name: str) -> dict:
    """In this process: ingest one file into a fresh store; time and peak memory."""
    from digest import config, ingest
    from digest.pipeline import Pipeline, RunReport
    from digest.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="digest-worst-"))
    (tmp / "inbox").mkdir()
    make(name, tmp / "inbox")
    cfg = config.from_dict({}, base=tmp)
    store = Store(cfg.paths.state)
    report = RunReport(cfg.paths.inbox, cfg.paths.outbox)
    started = time.perf_counter()
    Pipeline(cfg)._ingest(store, ingest.list_inbox(cfg.paths.inbox), report, False, lambda: False)
    elapsed = time.perf_counter() - started
    kept = store.db.execute("SELECT COALESCE(MAX(LENGTH(text)), 0) FROM articles").fetchone()[0]
    return {
        "case": name,
        "size_mb": round((tmp / "inbox" / name).stat().st_size / MB, 1),
        "seconds": round(elapsed, 1),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "articles": report.articles_new,
        "longest_kept_chars": kept,
        "refused": [f.reason for f in report.failures],
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(argv[1])))
        return
    for name in argv or CASES:
        out = subprocess.run(
            [sys.executable, __file__, "--one", name], capture_output=True, text=True, check=True
        )
        print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
