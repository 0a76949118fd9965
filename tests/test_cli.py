"""The command line through its real entry point (`python -m digest`, a subprocess): every user
mistake is one line that says what is wrong and how to fix it, with a non-zero exit code and no
traceback; `digest status`; progress bars on a terminal and plain log lines elsewhere.

(A state folder locked by another process is tested in tests/test_service.py.)
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from digest import config
from digest.embed import HashEmbedder
from digest.lock import StateLock
from digest.pipeline import Pipeline
from tests.articles import MARINA_1, MARINA_3, STORM
from tests.fakes import EchoFacts
from tests.helpers import assert_one_line_error, digest, fake_model


def write_config(tmp: Path, text: str = "", *, inbox: bool = True) -> Path:
    if inbox:
        (tmp / "inbox").mkdir(exist_ok=True)
    path = tmp / "config.toml"
    path.write_text(text)
    return path


# user mistakes -------------------------------------------------------------------------------
CASES = {
    "missing inbox": (
        "",
        ["run", "--inbox", "nope"],
        1,
        ["inbox folder", "nope does not exist", "create it, or pass --inbox DIR"],
    ),
    "missing config file": (
        None,
        ["run", "--config", "nope.toml"],
        2,
        ["no config file at nope.toml", "pass --config with an existing file"],
    ),
    "bad key": (
        "[cluster]\nthreshhold = 0.7\n",
        ["run"],
        2,
        ["config.toml", "unknown key [cluster] threshhold", "known: threshold, window_hours"],
    ),
    "unknown section": (
        "[clusters]\nthreshold = 0.7\n",
        ["status"],
        2,
        ["unknown section [clusters]"],
    ),
    "bad value": (
        "[cluster]\nthreshold = 50\n",
        ["run"],
        2,
        ["[cluster] threshold must be between 0.0 and 2.75, got 50.0"],
    ),
    "bad type": (
        '[summarizer]\nbrief_words = "many"\n',
        ["watch"],
        2,
        ["[summarizer] brief_words must be a whole number"],
    ),
    "bad toml": ("[cluster\n", ["run"], 2, ["not valid TOML"]),
    "onnx embedder on a GPU": (
        '[embedder]\nbackend = "onnx"\ndevice = "cuda"\n',
        ["run"],
        2,
        ['[embedder] backend "onnx" runs on the CPU only', 'device = "cpu"'],
    ),
    "bad publish value": (
        "[publish]\nfeed_entries = 0\n",
        ["run"],
        2,
        ["[publish] feed_entries must be between"],
    ),
    "unknown model": (
        '[summarizer]\nmodel = "gpt-17"\n',
        ["run"],
        3,
        ["[summarizer] model 'gpt-17' is neither a known model", "qwen2.5-coder-1.5b-instruct"],
    ),
    "model not prepared": (
        '[paths]\nmodels = "no-models-here"\n',
        ["run"],
        3,
        [
            "'qwen2.5-coder-1.5b-instruct' is not prepared",
            "digest prepare qwen2.5-coder-1.5b-instruct",
        ],
    ),
    "model folder without config.json": (
        '[summarizer]\nmodel = "empty-model"\n',
        ["run"],
        3,
        ["'empty-model' is a folder without config.json"],
    ),
    "watch with unknown model": (
        '[summarizer]\nmodel = "gpt-17"\n',
        ["watch"],
        3,
        ["is neither a known model"],
    ),
    "interval too short": (
        "",
        ["watch", "--interval", "0.01"],
        2,
        ["--interval must be between 0.2 and 86400 seconds, got 0.01"],
    ),
    "interval too long": (
        "",
        ["watch", "--interval", "1e9"],
        2,
        ["--interval must be between 0.2 and 86400"],
    ),
    "status of a missing inbox": ("", ["status", "--inbox", "nope"], 1, ["nope does not exist"]),
}


@pytest.mark.parametrize("case", CASES)
def test_user_mistakes_are_one_line_with_a_fix(tmp_path, case):
    text, args, code, words = CASES[case]
    if text is not None:
        cfg = write_config(tmp_path, text)
        args = [*args, "--config", str(cfg)]
    (tmp_path / "empty-model").mkdir()
    result = digest(tmp_path, *args)
    line = assert_one_line_error(result, code, *words)
    assert result.stderr == line + "\n"  # and nothing else
    assert result.stdout == ""


def test_verbose_shows_the_traceback(tmp_path):
    cfg = write_config(tmp_path, "[cluster]\nthreshhold = 0.7\n")
    result = digest(tmp_path, "run", "--config", str(cfg), "-v")
    assert result.returncode == 2
    assert "Traceback" in result.stderr and "ConfigError" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("digest: config error:")


def test_usage_errors_exit_2(tmp_path):
    assert digest(tmp_path, "run", "--bogus").returncode == 2
    assert digest(tmp_path).returncode == 2
    result = digest(tmp_path, "watch", "--interval", "soon")
    assert result.returncode == 2 and "invalid float value" in result.stderr


def test_a_state_folder_that_cannot_be_made_is_one_line(tmp_path):
    cfg = write_config(tmp_path, f'[summarizer]\nmodel = "{fake_model(tmp_path)}"\n')
    (tmp_path / "file.txt").write_text("a file, not a folder")
    result = digest(tmp_path, "run", "--config", str(cfg), "--state", "file.txt/state")
    assert_one_line_error(
        result, 1, "Not a directory", "file.txt/state", "check that the path exists"
    )


def test_a_damaged_database_is_one_line(tmp_path):
    cfg = write_config(tmp_path, f'[summarizer]\nmodel = "{fake_model(tmp_path)}"\n')
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "digest.db").write_bytes(b"this is not a database" * 100)
    for command in ("run", "status"):
        result = digest(tmp_path, command, "--config", str(cfg))
        assert_one_line_error(result, 1, "cannot use the database", "move the state folder away")


def test_an_embedding_model_that_is_not_there_is_one_line(tmp_path):
    cfg = write_config(
        tmp_path,
        f'[embedder]\nmodel = "{tmp_path / "no-such-embedder"}"\n'
        f'[summarizer]\nmodel = "{fake_model(tmp_path)}"\n',
    )
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    result = digest(tmp_path, "run", "--config", str(cfg))
    assert_one_line_error(result, 3, "[embedder] model", "no-such-embedder", "nor a local folder")


def test_an_onnx_embedder_that_is_not_prepared_is_one_line_before_reading(tmp_path):
    cfg = write_config(
        tmp_path,
        f'[embedder]\nbackend = "onnx"\n[summarizer]\nmodel = "{fake_model(tmp_path)}"\n'
        '[paths]\nmodels = "no-models-here"\n',
    )
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    result = digest(tmp_path, "run", "--config", str(cfg))
    assert_one_line_error(
        result, 3, "ONNX embedder is not prepared", "digest prepare multilingual-e5-small-int8"
    )
    assert not (tmp_path / "state").exists()  # nothing was read


@pytest.mark.slow
def test_a_summarizer_that_cannot_be_loaded_is_one_line(tmp_path):
    # config.json is there, so the folder passes the first check; loading it then fails
    cfg = write_config(tmp_path, f'[summarizer]\nmodel = "{fake_model(tmp_path)}"\n')
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    result = digest(tmp_path, "run", "--config", str(cfg), timeout=600)
    assert_one_line_error(
        result, 3, "cannot load the summarizer model", "fake-model", "set [summarizer] model"
    )


# status --------------------------------------------------------------------------------------
def test_status_shows_waiting_files_stories_briefs_failures_and_the_last_run(tmp_path):
    cfg = config.from_dict({}, base=tmp_path)
    inbox = cfg.paths.inbox
    inbox.mkdir()
    (inbox / "marina.txt").write_text(MARINA_1)
    (inbox / "storm.txt").write_text(STORM)
    (inbox / "empty.txt").write_text("")
    Pipeline(cfg, embedder=HashEmbedder(), generator=EchoFacts()).run()
    (inbox / "marina-residents.md").write_text(MARINA_3)  # new
    (inbox / "storm.txt").write_text(STORM + "Schools stayed closed.\n")  # changed
    state_before = {p.name: p.read_bytes() for p in cfg.paths.state.iterdir() if p.suffix == ".db"}

    result = digest(tmp_path, "status")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Inbox: {inbox}"
    assert lines[1:4] == [
        "  2 file(s) waiting for the next run:",
        "    marina-residents.md (new)",
        "    storm.txt (changed since it was read)",
    ]
    assert "Stories: 2 from 2 article(s)" in lines
    assert f"Briefs: 2 version(s) written to {cfg.paths.outbox}" in lines
    assert f"Digest page: {cfg.paths.outbox / 'index.html'}" in lines
    i = lines.index("Failures: 1 file(s) could not be read:")
    assert lines[i + 1].startswith("  empty.txt: the file is empty (still in the inbox; ")
    [last] = [line for line in lines if line.startswith("Last run: ")]
    assert last.endswith(
        "3 file(s) seen, 2 new article(s), 2 story(ies) created, 0 updated, "
        "2 brief(s) written, 1 failure(s)"
    )
    assert "just now" in last
    # status only looks
    assert {
        p.name: p.read_bytes() for p in cfg.paths.state.iterdir() if p.suffix == ".db"
    } == state_before


def test_status_after_a_quiet_run_shows_the_last_change_too(tmp_path):
    cfg = config.from_dict({}, base=tmp_path)
    cfg.paths.inbox.mkdir()
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    Pipeline(cfg, embedder=HashEmbedder(), generator=EchoFacts()).run()
    Pipeline(cfg, embedder=HashEmbedder(), generator=EchoFacts()).run()
    result = digest(tmp_path, "status")
    assert result.returncode == 0, result.stderr
    assert "  nothing waiting: every file there has been read" in result.stdout
    assert "Failures: none" in result.stdout
    assert "Last run: " in result.stdout and ": nothing new in 1 file(s)" in result.stdout
    assert "Last run that changed something: " in result.stdout
    assert "1 new article(s)" in result.stdout


def test_status_before_the_first_run(tmp_path):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "storm.txt").write_text(STORM)
    result = digest(tmp_path, "status")
    assert result.returncode == 0, result.stderr
    assert "    storm.txt (new)" in result.stdout
    assert (
        f"State: no database in {tmp_path / 'state'} yet; `digest run` creates it" in result.stdout
    )
    assert not (tmp_path / "state").exists()  # looking creates nothing


def test_status_answers_while_another_process_holds_the_state(tmp_path):
    cfg = config.from_dict({}, base=tmp_path)
    cfg.paths.inbox.mkdir()
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    Pipeline(cfg, embedder=HashEmbedder(), generator=EchoFacts()).run()
    with StateLock(cfg.paths.state):  # as `digest watch` holds it
        result = digest(tmp_path, "status")
    assert result.returncode == 0, result.stderr
    assert "Stories: 1 from 1 article(s)" in result.stdout


# progress ------------------------------------------------------------------------------------
def unreadable_inbox(tmp: Path) -> Path:
    """Three files the pipeline sets aside: a whole run without loading a model."""
    cfg = write_config(tmp, f'[summarizer]\nmodel = "{fake_model(tmp)}"\n')
    for i in range(3):
        (tmp / "inbox" / f"empty-{i}.txt").write_text("")
    return cfg


def test_without_a_terminal_progress_is_plain_log_lines(tmp_path):
    cfg = unreadable_inbox(tmp_path)
    result = digest(tmp_path, "run", "--config", str(cfg))
    assert result.returncode == 0, result.stderr
    assert "Ingest - 3 files, 0 new articles, 3 set aside" in result.stderr
    assert "Publish - 0 stories" in result.stderr
    assert "\r" not in result.stderr and "%|" not in result.stderr  # no bars
    assert "Set aside 3 file(s), left in the inbox:" in result.stdout
    assert f"Digest page: {tmp_path / 'outbox' / 'index.html'}" in result.stdout


def test_on_a_terminal_long_stages_show_progress_bars(tmp_path):
    cfg = unreadable_inbox(tmp_path)
    controller, terminal = pty.openpty()
    # a terminal 100 columns wide (a fresh pty has none, and tqdm would draw an empty bar)
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "run", "--config", str(cfg)],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    stdout = proc.stdout.read().decode()
    assert proc.wait(timeout=60) == 0, shown
    text = shown.decode(errors="replace")
    assert "Reading:" in text and "/3 [" in text and "file/s" in text  # a tqdm bar
    # warnings are printed above the bar, not through it
    assert "Ingest - set aside empty-0.txt: the file is empty" in text
    assert "Ingest - 3 files" not in text  # info lines stay quiet on a terminal without -v
    assert "Briefs written: 0" in stdout


def test_help_is_instant_and_lists_status(tmp_path):
    result = digest(tmp_path, "--help")
    assert result.returncode == 0 and "status" in result.stdout
    result = digest(tmp_path, "status", "--help")
    assert result.returncode == 0 and "--inbox" in result.stdout
