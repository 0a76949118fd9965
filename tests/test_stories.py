"""Stories as an editor would group them, through the real CLI and the real service.

The fixtures (tests/fixtures/stories/, invented for these tests) hold two developing stories (an
earthquake whose toll rises, a strike that ends in a vote) and, on the days they develop, a new
event of the same kind (another earthquake, another strike). Articles arrive over simulated
days (their publication times; the day is in each file name): the developing story must stay
one story across runs, the new event must become a story of its own. A headline alone (a wire
flash with no body) is read, clustered into its story and cited.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import MODELS, ROOT, needs_smol
from tests.service_process import briefs, drop, inbox_files, start, stop, write_config

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "stories"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())["stories"]

pytestmark = [pytest.mark.slow, needs_smol]


def grouping(tmp: Path) -> set[frozenset[str]]:
    """The stories in the database, as sets of file names."""
    rows = sqlite3.connect(tmp / "state" / "digest.db").execute(
        "SELECT path, story_id FROM articles WHERE story_id IS NOT NULL"
    )
    groups: dict[str, set[str]] = {}
    for path, story in rows:
        groups.setdefault(story, set()).add(Path(path).name)
    return {frozenset(g) for g in groups.values()}


def day(name: str) -> int:
    return int(name.split("-d")[1][0])


def settled(tmp: Path, n: int) -> bool:
    """The service has finished a day: the inbox is empty, all `n` articles are in stories, no
    brief is out of date, and each story's published brief cites exactly its articles."""
    if inbox_files(tmp) or not (tmp / "state" / "digest.db").exists():
        return False
    try:
        groups = grouping(tmp)
        con = sqlite3.connect(tmp / "state" / "digest.db")
        dirty = con.execute("SELECT COUNT(*) FROM stories WHERE dirty = 1").fetchone()[0]
        published = {frozenset(s["path"] for s in b["sources"]) for b in briefs(tmp).values()}
    except (sqlite3.OperationalError, json.JSONDecodeError):  # caught mid-write: not yet
        return False
    return sum(len(g) for g in groups) == n and dirty == 0 and published == groups


def work_done(tmp: Path) -> tuple:
    """What grows while the service works on a day: files filed, articles embedded and
    clustered, briefs written, log lines. Not its CPU time, so a service that spins without
    getting anywhere still fails."""
    counts: tuple = ()
    path = tmp / "state" / "digest.db"
    if path.exists():
        try:
            counts = (
                sqlite3.connect(path)
                .execute(
                    "SELECT (SELECT COUNT(*) FROM files), (SELECT COUNT(embedding) FROM articles),"
                    " (SELECT COUNT(story_id) FROM articles), (SELECT COUNT(*) FROM briefs)"
                )
                .fetchone()
            )
        except sqlite3.OperationalError:
            counts = ("busy",)
    logs = tuple(
        p.stat().st_size if p.exists() else -1
        for p in (tmp / "stderr.log", tmp / "state" / "watch.log")
    )
    return counts, logs, len(inbox_files(tmp)), len(list((tmp / "outbox").glob("*.json")))


def wait_for_day(condition, what: str, proc, tmp: Path, quiet: float = 600) -> None:
    """Wait until `condition()`, however long the work takes; fail when the service has exited
    or has done no work (`work_done`) for `quiet` seconds. No limit on the total: on two cores
    shared with other jobs a day's run (a model load, four briefs) has taken many minutes, and
    a fixed deadline failed there while the service was still making progress."""
    last, seen = time.monotonic(), None
    while not condition():
        if proc.poll() is not None:
            break
        now = work_done(tmp)
        if now != seen:
            seen, last = now, time.monotonic()
        elif time.monotonic() - last > quiet:
            break
        time.sleep(0.3)
    else:
        return
    log = (tmp / "stderr.log").read_text(errors="replace")[-3000:]
    raise AssertionError(f"{what}: no progress for {quiet:.0f} s or the service exited\n{log}")


def test_watch_keeps_developing_stories_and_splits_new_events_over_days(tmp_path):
    cfg = write_config(tmp_path, interval=0.5)
    inbox = tmp_path / "inbox"
    files = sorted(
        (p for p in FIXTURES.glob("*.json") if p.name != "expected.json"),
        key=lambda p: (day(p.name), p.name),
    )
    proc = start(cfg)
    seen: list[str] = []
    try:
        for d in sorted({day(p.name) for p in files}):
            todays = [p for p in files if day(p.name) == d]
            for p in todays:
                drop(inbox, p.name, p.read_text())
            seen += [p.name for p in todays]
            total = len(seen)
            # each simulated day is its own run: everything read, clustered and briefed
            wait_for_day(lambda n=total: settled(tmp_path, n), f"day {d}", proc, tmp_path)
            want = {frozenset(n for n in names if n in seen) for names in EXPECTED.values()}
            assert grouping(tmp_path) == want - {frozenset()}, f"after day {d}"
    finally:
        assert stop(proc) == 0
    assert not (inbox / "failed").exists() or not list((inbox / "failed").iterdir())
    # each story's brief cites exactly its articles, the headline-only flash included
    got = {frozenset(s["path"] for s in b["sources"]) for b in briefs(tmp_path).values()}
    assert got == {frozenset(names) for names in EXPECTED.values()}
    quake = next(b for b in briefs(tmp_path).values() if len(b["sources"]) == 5)
    assert quake["version"] >= 3  # briefed again on each day the story grew


def test_headline_only_items_are_read_clustered_and_cited_through_the_cli(tmp_path):
    """A folder of headlines (a link list saved as files) becomes stories with briefs: nothing
    set aside for lack of text."""
    cfg = write_config(tmp_path)
    inbox = tmp_path / "inbox"
    headlines = {
        "flash-1.txt": "Sarvonia earthquake death toll passes 200, civil protection agency says\n",
        "flash-2.txt": "Sarvonia quake: rescuers reach cut-off mountain villages near Drelmo\n",
        "flash-3.txt": "Sarvonia earthquake survivors in Drelmo sleep outside for fear of aftershocks\n",
        "other.txt": "Port Veltra dockworkers walk out over pay, halting container traffic\n",
    }
    for name, text in headlines.items():
        (inbox / name).write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "digest", "run", "--config", str(cfg)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "set aside" not in result.stdout.lower() or "0 set aside" in result.stdout.lower()
    assert grouping(tmp_path) == {
        frozenset({"flash-1.txt", "flash-2.txt", "flash-3.txt"}),
        frozenset({"other.txt"}),
    }
    got = briefs(tmp_path)
    assert len(got) == 2
    quake = next(b for b in got.values() if len(b["sources"]) == 3)
    assert {s["path"] for s in quake["sources"]} == {"flash-1.txt", "flash-2.txt", "flash-3.txt"}
    assert quake["sentences"] and all(s["citations"] for s in quake["sentences"])
    assert "Sarvonia" in quake["headline"] or any(
        "Sarvonia" in s["text"] for s in quake["sentences"]
    )


ONNX = MODELS / "all-minilm-l6-v2-int8"


@pytest.mark.skipif(
    not (ONNX / "digest-prepared.json").exists(), reason="the int8 embedder is not prepared"
)
def test_same_stories_whatever_the_batch_size_or_order():
    """The int8 embedder quantizes activations with one scale per run, so in a batch a text's
    vector moved a little with its batch-mates, and with it a near tie between two stories (25
    and 26 below were one story in batches of 7, two alone); now each text runs alone. 62
    Multi-News articles of 25 stories (read from ../shared), embedded alone, in batches of 7 and
    16, and in reverse order, clustered with the default signals."""
    from digest import signals
    from digest.cluster import Signals, Weights, assign, embedding_text
    from digest.config import Cluster
    from digest.embed import OnnxEmbedder

    path = ROOT.parent / "shared" / "eval" / "multinews_validation.jsonl"
    if not path.exists():
        pytest.skip(f"Multi-News evaluation data not found at {path}")
    clusters = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [embedding_text("", doc["text"]) for c in clusters[::10][:25] for doc in c["documents"]]
    c = Cluster()
    weights = Weights(c.term_weight, c.entity_weight, c.time_weight, c.drift_floor)
    ents = signals.EntityTagger().entities(texts)
    sig = Signals(
        terms=[signals.term_vector(t) for t in texts],
        entities=[signals.entity_vector(e) for e in ents],
    )

    def stories(vectors) -> set[frozenset[int]]:
        labels = assign(
            vectors, [None] * len(texts), [], c.threshold, 72, signals=sig, weights=weights
        )
        groups: dict[object, set[int]] = {}
        for i, label in enumerate(labels):
            groups.setdefault(label, set()).add(i)
        return {frozenset(g) for g in groups.values()}

    runs = {b: OnnxEmbedder(ONNX, batch_size=b).embed(texts) for b in (1, 7, 16)}
    reverse = OnnxEmbedder(ONNX, batch_size=16).embed(texts[::-1])[::-1]
    for v in (runs[7], runs[16], reverse):  # each text is embedded alone: the same vector
        assert np.array_equal(v, runs[1])
    want = stories(runs[1])
    assert len(want) > 20
    for v in (runs[7], runs[16], reverse):
        assert stories(v) == want
