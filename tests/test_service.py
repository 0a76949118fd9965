"""`digest watch` as a real process: real files, real SQLite, the real embedder and a real (small)
generator. SmolLM2-135M stands in for the default summarizer here only to keep these tests
quick; the default model runs in tests/test_end_to_end.py."""

from __future__ import annotations

import html
import json
import subprocess
import sys
import time

import pytest

from tests.articles import MARINA_1, MARINA_3, STORM
from tests.helpers import brief_markdown, needs_smol
from tests.service_process import (
    briefs,
    db,
    drop,
    filed_names,
    inbox_files,
    start,
    stop,
    wait_for,
    write_config,
)

pytestmark = [pytest.mark.slow, needs_smol]


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

    assert filed_names(inbox) == [
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
    assert filed_names(inbox) == ["marina-residents.md", "marina.txt", "storm.txt"]
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
