"""Broken and hostile inbox files: each is set aside with a plain-words reason, the run goes on,
nothing is deleted. Through the pipeline, and through the real `digest run` command."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest import config
from digest.embed import SentenceTransformerEmbedder
from digest.errors import InputError
from digest.ingest import display_name, list_inbox, read_inbox_file
from digest.pipeline import Pipeline
from tests.fakes import EchoFacts

ROOT = Path(__file__).resolve().parents[1]


def hostile_inbox(inbox: Path, outside: Path) -> dict[str, str]:
    """Write the broken files; returns {name as reported: a word its reason must hold}."""
    inbox.mkdir(parents=True, exist_ok=True)
    files = {
        "empty.txt": (b"", "empty"),
        "blank.md": (b" \n\n\t\n", "empty"),
        "photo.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        "binary.txt": (b"Title\n\x00\x01\x02\x03" * 50, "binary"),
        "noise.bin.txt": (bytes(range(1, 9)) * 200, "could not decode"),
        "cut.json": (b'{"title": "Fares rise", "text": "Ferry fares will ri', "not valid JSON"),
        "deep.json": (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
        "nothing.jsonl": (b'{"title": "x"}\n{"oops\n', "no readable article"),
        "menu.html": (b"<html><body><nav><a href='/'>Home</a></nav>", "no article text"),
        "cut.html": (b"<html><head><title>T</title></head><bo", "no article text"),
        "fake.pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        "notes.docx": (b"PK\x03\x04\x14\x00", "'.docx'"),
        "feed.xml": (b"<rss><channel><title>X</title></channel></rss>", "no entries"),
        "mail.eml": (b"From: a@example.org\r\nSubject: Hi\r\n\r\n", "no text"),
        "big.txt": (b"Headline\n\n" + b"The council met on Monday. " * 60_000, "MB limit"),
        "huge line.txt": (b"Headline here\n\n" + b"#tag " * 200_000, "no article text"),
        "odd \u202ename\n.txt": (b"", "empty"),
    }
    expected = {}
    for name, (data, word) in files.items():
        (inbox / name).write_bytes(data)
        expected[display_name(inbox / name, inbox)] = word
    bad_name = os.fsencode(inbox) + b"/latin1-\xe9t\xe9.txt"
    with open(bad_name, "wb") as f:
        f.write(b"")
    expected["latin1-\\xe9t\\xe9.txt"] = "empty"
    (outside / "secret.txt").write_text(
        "Secret report\n\nThe secret plan was approved on Monday.\n"
    )
    os.symlink(outside / "secret.txt", inbox / "link-out.txt")
    expected["link-out.txt"] = "outside the inbox"
    os.symlink("empty.txt", inbox / "link-in.txt")
    expected["link-in.txt"] = "inside the inbox"
    os.symlink(outside, inbox / "linked-folder")
    expected["linked-folder"] = "folder outside the inbox"
    os.symlink(inbox / "gone.txt", inbox / "dangling.txt")
    expected["dangling.txt"] = "does not exist"
    os.mkfifo(inbox / "pipe.txt")
    expected["pipe.txt"] = "named pipe"
    return expected


def test_read_inbox_file_refuses_links_pipes_and_big_files(tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    outside.mkdir()
    expected = hostile_inbox(inbox, outside)
    listed = {display_name(p, inbox) for p in list_inbox(inbox)}
    assert listed == set(expected)  # nothing is skipped silently
    for name in ("link-out.txt", "pipe.txt", "linked-folder"):
        with pytest.raises(InputError, match=expected[name]):
            read_inbox_file(inbox / name, inbox, 1024 * 1024)  # a FIFO does not hang


def test_pipeline_sets_every_bad_file_aside_with_a_reason(tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    outside.mkdir()
    expected = hostile_inbox(inbox, outside)
    (inbox / "good.txt").write_text(
        "Fares rise\n\nFerry fares will rise by 8 percent in January.\n"
    )
    cfg = config.from_dict({"ingest": {"max_file_mb": 1.0}}, base=tmp_path)
    before = sorted(os.listdir(inbox))
    report = Pipeline(cfg, embedder=SentenceTransformerEmbedder(), generator=EchoFacts()).run()
    reasons = {f.path: f.reason for f in report.failures}
    assert set(reasons) == set(expected)
    for name, word in expected.items():
        assert word in reasons[name], (name, reasons[name])
    assert report.articles_new == 1 and len(report.briefs_written) == 1
    assert sorted(os.listdir(inbox)) == before  # nothing deleted, nothing moved by `run`
    assert "secret plan" not in json.dumps(
        [json.loads(p.read_text()) for p in cfg.paths.outbox.glob("*.json")]
    )


def test_digest_run_on_a_hostile_inbox_reports_every_file(tmp_path):
    """The real command, as a user runs it: exit 0, every file listed with its reason."""
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    outside.mkdir()
    expected = hostile_inbox(inbox, outside)
    if not (ROOT / "models" / "smollm2-135m-instruct" / "digest-prepared.json").exists():
        pytest.skip("run `make setup`: the small test model is not prepared")
    (tmp_path / "config.toml").write_text(
        "[ingest]\nmax_file_mb = 1.0\n"
        f'[paths]\nmodels = "{ROOT / "models"}"\n[summarizer]\nmodel = "smollm2-135m-instruct"\n'
    )
    before = sorted(os.listdir(inbox))
    proc = subprocess.run(
        [sys.executable, "-m", "digest", "run", "--config", str(tmp_path / "config.toml")],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-3000:]
    assert f"Set aside {len(expected)} file(s)" in out
    lines = [line.strip() for line in out.splitlines()]
    for name, word in expected.items():
        line = next((x for x in lines if x.startswith(f"{name}: ")), None)
        assert line is not None and word in line, (name, out)
    assert sorted(os.listdir(inbox)) == before
    assert (outside / "secret.txt").read_text().startswith("Secret report")
