"""What digest writes for readers gets the mode any program would give it under the user's
umask (issue 17, fault 7): 0644 under 022, not the 0600 of a temporary file. The real
command, as a process started with the umask set."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.articles import MARINA_1, STORM
from tests.helpers import MODELS, ROOT, SMOL, digest, needs_smol


def modes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in folder.rglob("*")
        if p.is_file()
    }


@needs_smol
@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o027, 0o640)])
def test_digest_run_writes_outbox_files_with_the_umask_mode(tmp_path, umask, expected):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "marina.txt").write_text(MARINA_1)
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    (tmp_path / "config.toml").write_text(
        f'[paths]\nmodels = "{MODELS}"\n[summarizer]\nmodel = "{SMOL}"\n'
        "brief_words = 40\nmax_new_tokens = 80\n"
    )
    proc = digest(tmp_path, "run", timeout=600, umask=umask)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = modes(tmp_path / "outbox")
    names = set(found)
    assert {"index.html", "feed.xml"} <= names and any(n.endswith(".md") for n in names)
    assert any(n.endswith(".json") for n in names)
    assert found == dict.fromkeys(found, expected), {k: oct(v) for k, v in found.items()}


def test_the_note_beside_a_failed_file_gets_the_umask_mode(tmp_path):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "empty.txt").write_text("")
    code = (
        "from pathlib import Path; from digest import filing; "
        f"filing.file_failed(Path({str(tmp_path / 'inbox' / 'empty.txt')!r}), "
        f"Path({str(tmp_path / 'inbox')!r}), 'failed', 'the file is empty')"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, timeout=60, umask=0o022,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    note = tmp_path / "inbox" / "failed" / "empty.txt.error.txt"
    assert stat.S_IMODE(note.stat().st_mode) == 0o644
