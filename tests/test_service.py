"""`digest watch` as a real process: real files, real SQLite, the real embedder and a real (small)
generator. SmolLM2-135M stands in for the default summarizer here only to keep these tests
quick; the default model runs in tests/test_end_to_end.py."""

from __future__ import annotations

import html
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tests.test_pipeline import MARINA_1, MARINA_3, STORM, brief_markdown

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (MODELS / "smollm2-135m-instruct" / "digest-prepared.json").exists(),
        reason="run `make setup` first: the small test model is not prepared",
    ),
]


def write_config(tmp: Path, interval: float = 0.5) -> Path:
    (tmp / "inbox").mkdir(exist_ok=True)
    cfg = tmp / "config.toml"
    cfg.write_text(
        f"""
[paths]
models = "{MODELS}"
[summarizer]
model = "smollm2-135m-instruct"
brief_words = 60
max_new_tokens = 120
[service]
interval_seconds = {interval}
log_file = "watch.log"
"""
    )
    return cfg


def start(cfg: Path, failpoints: str = "") -> subprocess.Popen:
    env = dict(os.environ, DIGEST_FAILPOINTS=failpoints, PYTHONUNBUFFERED="1")
    log = open(cfg.parent / "stderr.log", "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "digest", "watch", "--config", str(cfg)],
        cwd=cfg.parent,
        env=env,
        stdout=log,
        stderr=log,
    )


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=60)


def wait_for(condition, timeout: float = 180, what: str = "condition", proc=None, tmp=None):
    """Wait until `condition()`; fail when the process has made no progress for `timeout`
    seconds. Progress, not the clock alone: on a busy machine (two cores shared with other
    work) a model load can take minutes, but the process keeps using CPU and writing its log
    meanwhile. A hard cap of 3 x `timeout` keeps a test that spins from running forever."""
    start = last_change = time.monotonic()
    seen = None
    while time.monotonic() - last_change < timeout and time.monotonic() - start < 3 * timeout:
        if condition():
            return
        if proc is not None and proc.poll() is not None:
            break
        now = _progress(proc, tmp)
        if now != seen:
            seen, last_change = now, time.monotonic()
        time.sleep(0.2)
    log = (tmp / "stderr.log").read_text(errors="replace")[-3000:] if tmp else ""
    raise AssertionError(f"timed out waiting for {what} (no progress)\n{log}")


def _progress(proc, tmp) -> tuple:
    """What changes while the service works: its CPU time and the size of its logs."""
    cpu = None
    if proc is not None:
        try:  # fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            cpu = None
    sizes = ()
    if tmp is not None:
        sizes = tuple(
            p.stat().st_size if p.exists() else -1
            for p in (tmp / "stderr.log", tmp / "state" / "watch.log")
        )
    return cpu, sizes


def drop(inbox: Path, name: str, text: str) -> None:
    """Deliver a file the way careful tools do: write a hidden temporary file, then rename."""
    tmp = inbox / f".{name}.part"
    tmp.write_text(text)
    tmp.rename(inbox / name)


def briefs(tmp: Path) -> dict[str, dict]:
    out = {}
    for p in (tmp / "outbox").glob("*.json"):
        out[p.stem] = json.loads(p.read_text())
    return out


def db(tmp: Path):
    return sqlite3.connect(tmp / "state" / "digest.db")


def inbox_files(tmp: Path) -> list[Path]:
    return [
        p for p in (tmp / "inbox").iterdir() if p.is_file() and not p.name.startswith(".")
    ]


def test_watch_follows_a_story_over_time_and_stops_cleanly(tmp_path):
    cfg = write_config(tmp_path, interval=1.0)
    inbox = tmp_path / "inbox"
    proc = start(cfg)
    try:
        drop(inbox, "marina.txt", MARINA_1)
        wait_for(lambda: len(briefs(tmp_path)) == 1, what="first brief", proc=proc, tmp=tmp_path)
        [first] = briefs(tmp_path).values()
        assert first["version"] == 1

        # A file written slowly, in pieces, is read only once complete.
        slow = inbox / "marina-residents.md"
        pieces = [MARINA_3[i : i + 40] for i in range(0, len(MARINA_3), 40)]
        with open(slow, "w") as f:
            for piece in pieces:
                f.write(piece)
                f.flush()
                time.sleep(0.3)
        wait_for(lambda: not slow.exists(), what="the slow file to be filed", proc=proc, tmp=tmp_path)
        wait_for(
            lambda: any(b["version"] == 2 for b in briefs(tmp_path.resolve()).values()),
            what="the story's second version",
            proc=proc,
            tmp=tmp_path,
        )
        text = db(tmp_path).execute(
            "SELECT text FROM articles WHERE path = 'marina-residents.md'"
        ).fetchone()[0]
        assert text.rstrip().endswith("for two years.")  # the whole file, not a piece of it

        drop(inbox, "storm.txt", STORM)
        drop(inbox, "marina-again.txt", MARINA_1)  # the same article arriving twice
        drop(inbox, "empty.txt", "")
        wait_for(lambda: len(briefs(tmp_path)) == 2 and not inbox_files(tmp_path),
                 what="storm brief and filing", proc=proc, tmp=tmp_path)
        time.sleep(2)  # a few more scans: nothing else may change
    finally:
        code = stop(proc)
    assert code == 0

    got = briefs(tmp_path)
    marina = next(b for b in got.values() if len(b["sources"]) == 2)
    assert marina["version"] == 2 and [h["version"] for h in marina["history"]] == [1, 2]
    assert {s["path"] for s in marina["sources"]} == {"marina.txt", "marina-residents.md"}
    assert db(tmp_path).execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 3

    processed = inbox / "processed" / date.today().isoformat()
    assert sorted(p.name for p in processed.iterdir()) == [
        "marina-again.txt", "marina-residents.md", "marina.txt", "storm.txt"
    ]
    assert (inbox / "failed" / "empty.txt").exists()
    assert "empty" in (inbox / "failed" / "empty.txt.error.txt").read_text()
    log = (tmp_path / "state" / "watch.log").read_text()
    assert "Scan - 1 new article(s)" in log and "Stopped" in log


def test_a_second_instance_is_refused(tmp_path):
    cfg = write_config(tmp_path)
    proc = start(cfg)
    try:
        wait_for(lambda: (tmp_path / "state" / "digest.lock").exists()
                 and (tmp_path / "state" / "digest.lock").read_text(), what="the lock",
                 proc=proc, tmp=tmp_path)
        for command in ("run", "watch"):
            other = subprocess.run(
                [sys.executable, "-m", "digest", command, "--config", str(cfg)],
                capture_output=True, text=True, timeout=60,
            )
            assert other.returncode == 4
            assert f"in use by digest (pid {proc.pid})" in other.stderr
            assert "Traceback" not in other.stderr
    finally:
        assert stop(proc) == 0


@pytest.mark.parametrize(
    "point", ["ingest", "embed", "cluster", "summarize", "write", "filing", "linked", "publish"]
)
def test_kill_9_anywhere_then_restart_ends_consistent(tmp_path, point):
    cfg = write_config(tmp_path)
    inbox = tmp_path / "inbox"
    drop(inbox, "marina.txt", MARINA_1)
    drop(inbox, "marina-residents.md", MARINA_3)
    drop(inbox, "storm.txt", STORM)

    proc = start(cfg, failpoints=point)
    marker = tmp_path / "state" / f"failpoint-{point}"
    wait_for(marker.exists, what=f"failpoint {point}", proc=proc, tmp=tmp_path)
    proc.kill()  # SIGKILL: no cleanup of any kind
    proc.wait(timeout=30)
    marker.unlink()

    proc = start(cfg)
    try:
        wait_for(
            lambda: not inbox_files(tmp_path)
            and len(brief_markdown(tmp_path / "outbox")) == 2
            and (tmp_path / "outbox" / "feed.xml").exists()
            and (tmp_path / "outbox" / "feed.xml").read_text().count("<entry>") == 2
            and db(tmp_path).execute("SELECT COUNT(*) FROM stories WHERE dirty = 1").fetchone()[0] == 0,
            timeout=420, what="recovery", proc=proc, tmp=tmp_path,
        )
    finally:
        assert stop(proc) == 0

    con = db(tmp_path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # every article exactly once, each in a story
    rows = con.execute("SELECT path, story_id FROM articles").fetchall()
    assert sorted(p for p, _ in rows) == ["marina-residents.md", "marina.txt", "storm.txt"]
    assert all(s for _, s in rows)
    assert con.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == 2
    # every file filed away once, nothing lost or duplicated
    processed = inbox / "processed" / date.today().isoformat()
    assert sorted(p.name for p in processed.iterdir()) == ["marina-residents.md", "marina.txt", "storm.txt"]
    # the outbox: one Markdown + one JSON per story, complete, matching the database
    outbox = tmp_path / "outbox"
    assert not [p for p in outbox.iterdir() if p.name.startswith(".")]
    versions = dict(con.execute("SELECT slug, version FROM stories").fetchall())
    assert sorted(p.stem for p in outbox.glob("*.json")) == sorted(versions)
    assert sorted(p.stem for p in brief_markdown(outbox)) == sorted(versions)
    page = (outbox / "index.html").read_text()  # the digest page shows every story's brief
    for slug, version in versions.items():
        data = json.loads((outbox / f"{slug}.json").read_text())
        assert data["version"] == version
        assert html.escape(data["headline"]) in page
        assert (outbox / f"{slug}.md").read_text().startswith(f"# {data['headline']}\n")
        assert data["sentences"] and all(s["citations"] for s in data["sentences"])
