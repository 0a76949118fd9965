"""Broken and hostile inbox files: each is set aside with a plain-words reason, the run goes on,
nothing is deleted. Through the pipeline, and through the real `digest run` command."""

import json
import os
import socket
import stat
import time
from pathlib import Path

import pytest

from digest import config, ingest
from digest.embed import SentenceTransformerEmbedder
from digest.errors import InputError
from digest.ingest import display_name, list_inbox, read_inbox_file
from digest.pipeline import Pipeline
from tests.fakes import EchoFacts
from tests.helpers import MODELS, SMOL, digest, fake_model, needs_smol


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
    # Symbolic link loops: each a refused entry, never a traceback (issue 17, fault 2).
    os.symlink("loop-b.txt", inbox / "loop-a.txt")
    os.symlink("loop-a.txt", inbox / "loop-b.txt")
    os.symlink("self.txt", inbox / "self.txt")
    expected |= {n: "loops back on itself" for n in ("loop-a.txt", "loop-b.txt", "self.txt")}
    (inbox / "folder.txt").mkdir()  # a folder named like an article
    (inbox / "folder.txt" / "inside.txt").write_text("Not read\n\nA folder named like an article.\n")
    expected["folder.txt"] = "folder named like an article"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "socket.txt"))
    sock.close()  # the socket file stays
    expected["socket.txt"] = "a socket"
    if os.geteuid() == 0:  # only root may make device files
        os.mknod(inbox / "device.txt", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        expected["device.txt"] = "a device"
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


@needs_smol
def test_digest_run_on_a_hostile_inbox_reports_every_file(tmp_path):
    """The real command, as a user runs it: exit 0, every file listed with its reason."""
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    outside.mkdir()
    expected = hostile_inbox(inbox, outside)
    (tmp_path / "config.toml").write_text(
        f'[ingest]\nmax_file_mb = 1.0\n[paths]\nmodels = "{MODELS}"\n[summarizer]\nmodel = "{SMOL}"\n'
    )
    before = sorted(os.listdir(inbox))
    config_file = str(tmp_path / "config.toml")
    proc = digest(tmp_path, "run", "--config", config_file, timeout=300, text=False)
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-3000:]
    assert f"Set aside {len(expected)} file(s)" in out
    lines = [line.strip() for line in out.splitlines()]
    for name, word in expected.items():
        line = next((x for x in lines if x.startswith(f"{name}: ")), None)
        assert line is not None and word in line, (name, out)
    assert sorted(os.listdir(inbox)) == before
    assert (outside / "secret.txt").read_text().startswith("Secret report")


def special_entries(inbox: Path, outside: Path) -> dict[str, str]:
    """The entries that must never be opened: {name: a word of the reason}."""
    inbox.mkdir(parents=True, exist_ok=True)
    os.mkfifo(inbox / "pipe.txt")
    os.symlink("loop-b.txt", inbox / "loop-a.txt")
    os.symlink("loop-a.txt", inbox / "loop-b.txt")
    os.symlink("self.txt", inbox / "self.txt")
    os.symlink(inbox / "gone.txt", inbox / "dangling.txt")
    (outside / "secret.txt").write_text("Secret\n\nThe secret plan was approved on Monday.\n")
    os.symlink(outside / "secret.txt", inbox / "link-out.txt")
    (inbox / "folder.txt").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "socket.txt"))
    sock.close()
    return {
        "pipe.txt": "named pipe",
        "loop-a.txt": "loops back",
        "loop-b.txt": "loops back",
        "self.txt": "loops back",
        "dangling.txt": "does not exist",
        "link-out.txt": "outside the inbox",
        "folder.txt": "folder named like an article",
        "socket.txt": "a socket",
    }


def test_digest_status_never_opens_what_is_not_a_regular_file(tmp_path):
    """Fault 3 of issue 17: `digest status` hung forever on a FIFO. Through the real command,
    before and after a run: the same guards as the run, each entry with its reason; after the
    run, each is listed once, under failures, and no longer as waiting."""
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    outside.mkdir()
    expected = special_entries(inbox, outside)
    (inbox / "good.txt").write_text("Fares rise\n\nFerry fares will rise by 8 percent in January.\n")

    def status() -> list[str]:
        started = time.monotonic()
        proc = digest(tmp_path, "status", timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert time.monotonic() - started < 30
        return [line.strip() for line in proc.stdout.splitlines()]

    before = status()
    assert f"{len(expected) + 1} file(s) waiting for the next run:" in before
    assert "good.txt (new)" in before
    for name, word in expected.items():
        [line] = [x for x in before if x.startswith(f"{name} (will be set aside: ")]
        assert word in line, line

    cfg = config.from_dict({}, base=tmp_path)
    report = Pipeline(cfg, embedder=SentenceTransformerEmbedder(), generator=EchoFacts()).run()
    assert {f.path for f in report.failures} == set(expected)

    after = status()
    assert "nothing waiting: every file there has been read" in after
    assert f"Failures: {len(expected)} file(s) could not be read:" in after
    for name, word in expected.items():
        [line] = [x for x in after if x.startswith(f"{name}: ")]
        assert word in line and "(still in the inbox; " in line, line


def test_a_file_removed_before_it_is_read_is_a_note_not_a_failure(tmp_path):
    """Fault 8: a file deleted between listing and reading (or filing) failed the whole scan
    and left an orphan `failed/<name>.error.txt`. Now: a note, nothing filed, the rest read."""
    cfg = config.from_dict({}, base=tmp_path)
    inbox = cfg.paths.inbox
    inbox.mkdir()
    (inbox / "good.txt").write_text("Fares rise\n\nFerry fares will rise by 8 percent in January.\n")
    (inbox / "gone.txt").write_text("Gone\n\nThis file is deleted before it is read.\n")
    files = ingest.list_inbox(inbox)
    (inbox / "gone.txt").unlink()
    pipeline = Pipeline(cfg, embedder=SentenceTransformerEmbedder(), generator=EchoFacts())
    from digest.store import Store

    store = Store(cfg.paths.state)
    try:
        report = pipeline.process(store, files, file_away=True)
    finally:
        store.close()
    assert report.failures == []
    assert report.notes == ["gone.txt: the file was removed before it could be read"]
    assert report.articles_new == 1
    assert not (inbox / "failed").exists()
    assert [p.name for p in (inbox / "processed").rglob("*.txt")] == ["good.txt"]


def test_a_file_removed_after_reading_but_before_filing_is_a_note(tmp_path, monkeypatch):
    cfg = config.from_dict({}, base=tmp_path)
    inbox = cfg.paths.inbox
    inbox.mkdir()
    (inbox / "good.txt").write_text("Fares rise\n\nFerry fares will rise by 8 percent in January.\n")
    (inbox / "empty.txt").write_text("")
    real = ingest.read_file

    def read_then_someone_deletes(path, data, *, display_path):
        path.unlink()
        return real(path, data, display_path=display_path)

    monkeypatch.setattr(ingest, "read_file", read_then_someone_deletes)
    from digest.store import Store

    store = Store(cfg.paths.state)
    try:
        report = Pipeline(
            cfg, embedder=SentenceTransformerEmbedder(), generator=EchoFacts()
        ).process(store, None, file_away=True)
    finally:
        store.close()
    assert report.articles_new == 1  # read, then gone: its article is kept
    assert [f.path for f in report.failures] == ["empty.txt"]
    assert sorted(report.notes) == [
        "empty.txt: the file was removed from the inbox before it could be filed",
        "good.txt: the file was removed from the inbox before it could be filed",
    ]
    assert not (inbox / "failed").exists() or not list((inbox / "failed").iterdir())


def test_digest_watch_sets_every_hostile_entry_aside_and_keeps_scanning(tmp_path):
    """Fault 2 under the service as a real process: a symlink loop made every scan fail, so
    nothing after it was taken. Now each hostile entry goes to failed/ with its note, and a
    file dropped later is still taken by a later scan. No story needs a brief, so no model is
    loaded (the summarizer folder only has to exist)."""
    from tests.service_process import start, stop, wait_for

    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    outside.mkdir()
    expected = special_entries(inbox, outside)
    (inbox / "empty.txt").write_text("")
    expected["empty.txt"] = "empty"
    # entries are taken in name order: once loop-a.txt is filed, loop-b.txt points at nothing
    expected["loop-b.txt"] = "loop-a.txt, which does not exist"
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[paths]\nmodels = "{MODELS}"\n[summarizer]\nmodel = "{fake_model(tmp_path)}"\n'
        '[embedder]\nbackend = "sentence-transformers"\n'
        '[service]\ninterval_seconds = 0.3\nlog_file = "watch.log"\n'
    )
    failed = inbox / "failed"

    def filed() -> set[str]:
        return {p.name for p in failed.iterdir()} if failed.exists() else set()

    proc = start(cfg)
    try:
        wait_for(lambda: {f"{n}.error.txt" for n in expected} <= filed(),
                 what="every hostile entry filed", proc=proc, tmp=tmp_path)  # fmt: skip
        (inbox / "later.txt").write_text("")  # a later scan still takes new files
        wait_for(lambda: "later.txt.error.txt" in filed(), what="the later file",
                 proc=proc, tmp=tmp_path)  # fmt: skip
        status = digest(tmp_path, "status", "--config", str(cfg), timeout=60)
    finally:
        assert stop(proc) == 0
    assert not [p for p in inbox.iterdir() if p.name != "failed"]
    for name, word in expected.items():
        assert os.path.lexists(failed / name), name
        assert word in (failed / f"{name}.error.txt").read_text(), name
    log = (tmp_path / "state" / "watch.log").read_text()
    assert "Traceback" not in log and "Scan - failed" not in log
    assert status.returncode == 0, status.stderr
    lines = [line.strip() for line in status.stdout.splitlines()]
    assert "nothing waiting: every file there has been read" in lines
    for name in expected:
        [line] = [x for x in lines if x.startswith(f"{name}: ")]
        assert "(moved to failed/; " in line, line
