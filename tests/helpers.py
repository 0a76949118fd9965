"""What several test files share: where the models are, the real command as a subprocess,
and the checks on what it says."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
SMOL = "smollm2-135m-instruct"  # the small real generator of the CLI and service tests
needs_smol = pytest.mark.skipif(
    not (MODELS / SMOL / "digest-prepared.json").exists(),
    reason="run `make setup` first: the small test model is not prepared",
)


def digest(cwd: Path, *args: str, timeout: float = 120, **options) -> subprocess.CompletedProcess:
    """`python -m digest ARGS` in `cwd`, importing this checkout's digest; output as text
    unless `text=False`. `options` go on to subprocess.run (umask=...)."""
    run = {
        "cwd": cwd,
        "capture_output": True,
        "text": True,
        "timeout": timeout,
        "env": dict(os.environ, PYTHONPATH=str(ROOT)),
    }
    return subprocess.run([sys.executable, "-m", "digest", *args], **(run | options))


def fake_model(tmp: Path) -> Path:
    """A folder that passes the summarizer check (never loaded: no story needs a brief)."""
    folder = tmp / "fake-model"
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text("{}")
    return folder


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, *words: str) -> str:
    """The command failed with `code` and said why in one `digest:` line, its last, holding
    each of `words`, with no traceback; returns that line."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("digest:")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.rstrip().splitlines()[-1] == errors[0]  # the last thing said
    for w in words:
        assert w in errors[0], (w, errors[0])
    return errors[0]


def brief_markdown(outbox: Path) -> list[Path]:
    """The briefs' Markdown files, not the daily digests (digest-YYYY-MM-DD.md) beside them."""
    return sorted(
        p for p in outbox.glob("*.md") if not re.fullmatch(r"digest-\d{4}-\d{2}-\d{2}\.md", p.name)
    )


def run_multilingual(tmp: Path, inbox: Path, summarizer: str = "", model: str = SMOL) -> list[dict]:
    """`digest run` on a copy of `inbox` with the multilingual embedder and its settings
    (config.toml's comment) and a real model (the small one unless `model` names another;
    extra `[summarizer]` lines in `summarizer`); the brief JSONs it wrote."""
    if not (MODELS / model / "digest-prepared.json").exists():
        pytest.skip(f"run `make setup`: the model {model} is not prepared")
    shutil.copytree(inbox, tmp / "inbox")
    small = "brief_words = 40\nmax_new_tokens = 90\n" if model == SMOL else ""
    (tmp / "config.toml").write_text(
        f'[paths]\nmodels = "{MODELS}"\n'
        '[embedder]\nmodel = "multilingual-e5-small"\n'
        "[cluster]\nthreshold = 0.78\nterm_weight = 1.5\nentity_weight = 0.25\n"
        f'[summarizer]\nmodel = "{model}"\n{small}{summarizer}'
    )
    proc = digest(tmp, "run", timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(p.read_text()) for p in (tmp / "outbox").glob("*.json")]
