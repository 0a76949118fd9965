"""The state folder on a careless machine (issue 17), through the real CLI: a state folder on a
read-only filesystem (a read-only bind mount: we may run as root, whom file modes do not stop)
and the stale lock of a process killed with `kill -9`. Each is one clear line or no problem at
all, never a traceback, and nothing in the inbox or the state is changed."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from digest import config
from digest.embed import HashEmbedder
from digest.pipeline import Pipeline
from tests.articles import MARINA_1, STORM
from tests.fakes import EchoFacts
from tests.helpers import assert_one_line_error, digest, fake_model

ROOT = Path(__file__).resolve().parents[1]


def first_run(tmp: Path) -> config.Config:
    """A state folder made by one run (fast stand-ins), and a config for the real CLI that
    never needs to load a model unless a story changes."""
    cfg = config.from_dict({}, base=tmp)
    cfg.paths.inbox.mkdir()
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    Pipeline(cfg, embedder=HashEmbedder(), generator=EchoFacts()).run()
    (tmp / "config.toml").write_text(f'[summarizer]\nmodel = "{fake_model(tmp)}"\n')
    return cfg


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def read_only_state(tmp_path):
    cfg = first_run(tmp_path)
    state = cfg.paths.state
    for cmd in (["mount", "--bind", str(state), str(state)],
                ["mount", "-o", "remount,ro,bind", str(state)]):  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(["umount", str(state)], capture_output=True)
            pytest.skip(f"cannot make a read-only mount here: {done.stderr.strip()}")
    try:
        assert subprocess.run(["touch", str(state / "probe")], capture_output=True).returncode
        yield cfg
    finally:
        subprocess.run(["umount", str(state)], check=True)


def test_a_read_only_state_folder_is_one_line_and_changes_nothing(tmp_path, read_only_state):
    cfg = read_only_state
    (cfg.paths.inbox / "marina.txt").write_text(MARINA_1)  # work waiting
    before = (
        fingerprint(cfg.paths.state),
        fingerprint(cfg.paths.inbox),
        fingerprint(cfg.paths.outbox),
    )
    for command in ("run", "watch"):
        result = digest(tmp_path, command)
        assert_one_line_error(
            result, 1, "Read-only file system", str(cfg.paths.state), "may read and write there"
        )
    after = (
        fingerprint(cfg.paths.state),
        fingerprint(cfg.paths.inbox),
        fingerprint(cfg.paths.outbox),
    )
    assert after == before
    # looking needs no writing: status still answers
    result = digest(tmp_path, "status")
    assert result.returncode == 0, result.stderr
    assert "    marina.txt (new)" in result.stdout
    assert "Stories: 1 from 1 article(s)" in result.stdout


def test_the_stale_lock_of_a_killed_process_does_not_block_the_next_run(tmp_path):
    cfg = first_run(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom pathlib import Path\nfrom digest.lock import StateLock\n"
         "with StateLock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(600)\n",
         str(cfg.paths.state)],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    try:
        assert holder.stdout and holder.stdout.readline() == "held\n"
        held = digest(tmp_path, "run")  # while it lives, the lock holds
        assert_one_line_error(held, 4, f"in use by digest (pid {holder.pid})")
    finally:
        holder.send_signal(signal.SIGKILL)  # no cleanup: the lock file keeps its pid
        holder.wait(timeout=30)
    lock = cfg.paths.state / "digest.lock"
    assert lock.read_text() == f"digest (pid {holder.pid})\n"  # stale: its holder is dead
    (cfg.paths.inbox / "empty.txt").write_text("")  # work that needs no model
    result = digest(tmp_path, "run")
    assert result.returncode == 0, result.stderr
    assert "Read 2 file(s): 0 new article(s), 1 already read." in result.stdout, result.stdout
    assert "empty.txt: the file is empty" in result.stdout
    assert lock.read_text() == ""  # released at the end of the run
