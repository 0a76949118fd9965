"""`digest watch` as a real process, for the tests that start one (tests/test_service.py and
others): its config with the small real model, starting and stopping it, waiting on it while it
makes progress, delivering files, and reading what it wrote."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import MODELS, SMOL


def write_config(tmp: Path, interval: float = 0.5) -> Path:
    (tmp / "inbox").mkdir(exist_ok=True)
    cfg = tmp / "config.toml"
    cfg.write_text(
        f"""
[paths]
models = "{MODELS}"
[summarizer]
model = "{SMOL}"
brief_words = 60
max_new_tokens = 120
[service]
interval_seconds = {interval}
log_file = "watch.log"
"""
    )
    return cfg


def start(cfg: Path, failpoints: str = "", args: tuple[str, ...] = ()) -> subprocess.Popen:
    """`digest watch --config CFG ARGS`, its output in stderr.log beside the config."""
    env = dict(os.environ, DIGEST_FAILPOINTS=failpoints, PYTHONUNBUFFERED="1")
    log = open(cfg.parent / "stderr.log", "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "digest", "watch", "--config", str(cfg), *args],
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
        now = progress_of(proc, tmp)
        if now != seen:
            seen, last_change = now, time.monotonic()
        time.sleep(0.2)
    log = (tmp / "stderr.log").read_text(errors="replace")[-3000:] if tmp else ""
    raise AssertionError(f"timed out waiting for {what} (no progress)\n{log}")


def progress_of(proc, tmp) -> tuple:
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
    return [p for p in (tmp / "inbox").iterdir() if p.is_file() and not p.name.startswith(".")]


def filed_names(inbox: Path) -> list[str]:
    """The names of the files filed in processed/, every day's folder: a run across midnight
    files some under each day."""
    processed = inbox / "processed"
    return sorted(p.name for day in processed.iterdir() for p in day.iterdir())
