"""Exactly once at the edges (issue 17, fault 8): a database that is gone or empty while the
outbox holds its briefs is reported, not silently replaced; a full outbox disk is one line and
no model work is repeated until space is back. Real files, real SQLite, the real CLI."""

import errno
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from digest import config, disk, pipeline
from digest.errors import DiskFullError
from digest.pipeline import Pipeline
from digest.service import Watcher
from tests.articles import MARINA_1, STORM
from tests.fakes import EchoFacts
from tests.helpers import ROOT, assert_one_line_error, digest, fake_model


def one_run(tmp_path, embedder, generator=None):
    cfg = config.from_dict({}, base=tmp_path)
    cfg.paths.inbox.mkdir(exist_ok=True)
    return cfg, Pipeline(cfg, embedder=embedder, generator=generator or EchoFacts()).run()


@pytest.mark.parametrize("damage", ["emptied", "deleted"])
def test_a_lost_database_is_reported_not_replaced(tmp_path, embedder, damage):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    cfg, report = one_run(tmp_path, embedder)
    assert len(report.briefs_written) == 1
    db = cfg.paths.state / "digest.db"
    for extra in ("digest.db-wal", "digest.db-shm"):
        (cfg.paths.state / extra).unlink(missing_ok=True)
    if damage == "emptied":
        db.write_bytes(b"")
    else:
        db.unlink()
    (tmp_path / "config.toml").write_text(f'[summarizer]\nmodel = "{fake_model(tmp_path)}"\n')
    proc = digest(tmp_path, "run")
    word = "is empty (0 bytes)" if damage == "emptied" else "is missing"
    assert_one_line_error(proc, 1, f"digest.db {word}", "holds 1 brief(s)")
    assert (db.stat().st_size == 0) if damage == "emptied" else not db.exists()  # untouched


def test_a_state_folder_removed_as_a_whole_is_a_fresh_start(tmp_path, embedder):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    cfg, _ = one_run(tmp_path, embedder)
    for p in cfg.paths.state.iterdir():
        p.unlink()
    cfg.paths.state.rmdir()
    _, again = one_run(tmp_path, embedder)
    assert again.articles_new == 1


class Counting(EchoFacts):
    pass


def test_a_full_disk_stops_briefs_with_one_error_and_no_repeated_model_work(
    tmp_path, embedder, monkeypatch
):
    """An injected ENOSPC while writing the brief: the brief made is kept in the database and
    written, without the model, once space is back."""
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    real = pipeline.write_brief

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline, "write_brief", full)
    generator = Counting()
    for _ in range(3):  # three scans with the disk full
        with pytest.raises(DiskFullError, match="no space left on the disk of the outbox"):
            one_run(tmp_path, embedder, generator)
    assert generator.calls == 1  # the model wrote the brief once, not once per scan
    monkeypatch.setattr(pipeline, "write_brief", real)
    cfg, report = one_run(tmp_path, embedder, generator)
    assert generator.calls == 1
    assert len(report.briefs_written) == 1
    md = report.briefs_written[0].read_text()
    assert md.startswith("# ") and "[1]" in md


def test_a_nearly_full_outbox_disk_costs_no_model_work(tmp_path, embedder, monkeypatch):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "marina.txt").write_text(MARINA_1)
    monkeypatch.setattr(disk, "MIN_FREE_BYTES", 1 << 62)  # more than any disk has free
    generator = Counting()
    with pytest.raises(DiskFullError, match="KB free"):
        one_run(tmp_path, embedder, generator)
    assert generator.calls == 0


def _leave_leftovers(cfg) -> tuple[list[Path], list[Path]]:
    """What a `kill -9` inside an atomic write leaves (mkstemp's names), and look-alikes that
    are not ours."""
    failed = cfg.paths.inbox / "failed"
    failed.mkdir(exist_ok=True)
    ours = [cfg.paths.outbox / ".feed.xml.k3j_x9q2.tmp", failed / ".x.txt.error.txt.a1b2c3d4.tmp"]
    theirs = [cfg.paths.outbox / ".keep", cfg.paths.outbox / ".notes.tmp", failed / "y.tmp"]
    for p in ours + theirs:
        p.write_text("half a file")
    return ours, theirs


@pytest.mark.parametrize("command", ["run", "watch"])
def test_temporary_files_a_kill_left_are_removed_at_the_next_start(tmp_path, embedder, command):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    cfg, _ = one_run(tmp_path, embedder)
    ours, theirs = _leave_leftovers(cfg)
    (tmp_path / "config.toml").write_text(
        f'[summarizer]\nmodel = "{fake_model(tmp_path)}"\n[service]\ninterval_seconds = 0.5\n'
    )
    if command == "run":
        proc = digest(tmp_path, "run")
        assert proc.returncode == 0, proc.stderr
        err = proc.stderr
    else:
        watch = subprocess.Popen(
            [sys.executable, "-m", "digest", "watch"], cwd=tmp_path, stderr=subprocess.PIPE,
            text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )  # fmt: skip
        try:
            err = ""
            while "Watching " not in err:  # logged once the lock is held and the start is done
                line = watch.stderr.readline() if watch.stderr else ""
                assert line, f"digest watch ended: {err}"
                err += line
        finally:
            watch.terminate()
            watch.communicate(timeout=60)
    assert not [p for p in ours if p.exists()], err
    assert all(p.read_text() == "half a file" for p in theirs)  # not ours: left alone
    assert "Recovery - removed 2 temporary file(s) of an interrupted write" in err


def test_the_stop_signal_handler_takes_no_lock(tmp_path):
    """The handler runs in the main thread, maybe while that thread is inside `Event.wait`
    holding the Event's lock, which is not re-entrant: a handler that set the Event there hung
    `digest watch` for good when SIGTERM came right after "Watching" (seen in CI). Here the
    lock is held by this thread while another calls the handler: it must not wait for it."""
    watcher = Watcher(config.from_dict({}, base=tmp_path), pipeline=object())
    returned = threading.Event()

    def handle():
        watcher._on_signal(signal.SIGTERM, None)
        returned.set()

    with watcher.stop._cond:  # what Event.wait holds while it checks the flag
        worker = threading.Thread(target=handle, daemon=True)
        worker.start()
        worker.join(timeout=5)
        assert returned.is_set(), "the signal handler waited for the Event's lock"
    assert watcher._signalled and not watcher.stop.is_set()  # serve() sets it, not the handler
