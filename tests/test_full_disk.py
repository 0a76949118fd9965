"""A full outbox disk on a real small filesystem (issue 17): a tmpfs the test mounts as the
outbox. `digest watch` logs one line per scan and does no model work while the disk is full,
and writes the brief once space is back; a brief made when the write itself hit ENOSPC is kept
and written later without the model. Where no tmpfs can be mounted (not root, no mount
capability), these skip and tests/test_edges.py's injected-ENOSPC tests remain."""

from __future__ import annotations

import errno
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from digest import config, disk
from digest.errors import DiskFullError
from digest.pipeline import Pipeline
from tests.articles import STORM
from tests.fakes import EchoFacts
from tests.helpers import assert_one_line_error, digest, fake_model, needs_smol
from tests.service_process import start, stop, wait_for, write_config

SIZE = 8 * 1024 * 1024


@pytest.fixture
def small_disk(tmp_path):
    """tmp_path/outbox on its own 8 MB tmpfs, unmounted afterwards."""
    mount = tmp_path / "outbox"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0755", "tmpfs", str(mount)],
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({done.stderr.strip()}); injected ENOSPC in test_edges.py"
        )
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(mount: Path, leave: int = 0) -> Path:
    """Fill the disk with one file until `leave` bytes are free (0: until ENOSPC)."""
    filler = mount / "filler.bin"
    chunk = b"\0" * 65536
    with open(filler, "wb") as f:
        try:
            while shutil.disk_usage(mount).free > leave:
                want = shutil.disk_usage(mount).free - leave
                f.write(chunk[: max(4096, min(len(chunk), want))])
                f.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC
    assert shutil.disk_usage(mount).free <= max(leave, 4096) + 4096
    return filler


class Counting(EchoFacts):
    pass


def test_a_write_that_hits_a_real_enospc_keeps_the_brief_for_later(
    tmp_path, small_disk, embedder, monkeypatch
):
    """The disk passes the free-space check but the write itself fails: the filesystem's own
    ENOSPC, not an injected one. No half file is left; the model is not asked again."""
    monkeypatch.setattr(disk, "MIN_FREE_BYTES", 0)  # let the write itself find the disk full
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    cfg = config.from_dict({}, base=tmp_path)
    filler = fill(small_disk)
    generator = Counting()
    for _ in range(3):
        with pytest.raises(DiskFullError, match="no space left on the disk of the outbox"):
            Pipeline(cfg, embedder=embedder, generator=generator).run()
        assert sorted(p.name for p in small_disk.iterdir()) == ["filler.bin"]  # nothing torn
    assert generator.calls == 1
    filler.unlink()
    report = Pipeline(cfg, embedder=embedder, generator=generator).run()
    assert generator.calls == 1
    [md] = report.briefs_written
    assert md.read_text().startswith("# ") and "[1]" in md.read_text()
    assert json.loads(md.with_suffix(".json").read_text())["version"] == 1


def test_digest_run_on_a_full_outbox_disk_is_one_line(tmp_path, small_disk):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    (tmp_path / "config.toml").write_text(f'[summarizer]\nmodel = "{fake_model(tmp_path)}"\n')
    fill(small_disk, leave=1024 * 1024)
    proc = digest(tmp_path, "run", timeout=300)
    assert_one_line_error(
        proc, 1, f"no space left on the disk of the outbox {small_disk}", "KB free"
    )
    assert "Summarize - loaded" not in proc.stderr  # the (fake) model was never loaded


@pytest.mark.slow
@needs_smol
def test_watch_on_a_full_outbox_disk_logs_one_line_per_scan_then_recovers(tmp_path, small_disk):
    cfg = write_config(tmp_path)
    filler = fill(small_disk, leave=1024 * 1024)  # below disk.MIN_FREE_BYTES
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    log_path = tmp_path / "state" / "watch.log"

    def log() -> str:
        return log_path.read_text() if log_path.exists() else ""

    full = re.compile(r" ERROR Scan - no space left on the disk of the outbox .* \(\d+ KB free\)")
    proc = start(cfg)
    try:
        wait_for(
            lambda: len(full.findall(log())) >= 4,
            what="four scans on a full disk",
            proc=proc,
            tmp=tmp_path,
        )
        while_full = log()
        filler.unlink()
        wait_for(lambda: list(small_disk.glob("*.json")), what="the brief", proc=proc, tmp=tmp_path)
        wait_for(
            lambda: (small_disk / "feed.xml").exists(), what="the feed", proc=proc, tmp=tmp_path
        )
    finally:
        assert stop(proc) == 0
    lines = while_full.splitlines()
    errors = [x for x in lines if " ERROR " in x or "Traceback" in x]
    assert errors and all(full.search(x) for x in errors), errors  # one line each, no traceback
    # one line per scan: after the first scan (which read, embedded and clustered the article),
    # a scan on a full disk says that one line and nothing else
    first = next(i for i, x in enumerate(lines) if full.search(x))
    assert all(full.search(x) for x in lines[first:]), lines[first:]
    assert "Summarize - loaded" not in while_full  # no model work while the disk is full
    after = log()
    assert after.count("Summarize - loaded") == 1 and after.count(" version 1 (1 sources)") == 1
    assert " version 2 " not in after  # written once
    [brief] = small_disk.glob("*.json")
    assert json.loads(brief.read_text())["version"] == 1
    assert (tmp_path / "inbox" / "processed").exists() and not (
        tmp_path / "inbox" / "storm.txt"
    ).exists()
