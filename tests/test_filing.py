"""Filing inbox files away (the service): nothing is lost, copied or overwritten, also when a
kill lands between the steps of a move (issue 17, fault 8). Real files in tmp_path."""

import os
from datetime import date

import pytest

from digest import filing
from digest.errors import Vanished

TODAY = "2026-11-14"


class _Day(date):
    @classmethod
    def today(cls):
        return cls.fromisoformat(TODAY)


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    """Filing reads today's date when it files; a run across midnight made the expected
    folder yesterday's (CI at 00:03 on 2026-12-08), so the day is pinned."""
    monkeypatch.setattr(filing, "date", _Day)


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline\n\nA sentence of an article.\n")
    return folder


def names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_filing_moves_the_file(inbox):
    target = filing.file_processed(inbox / "a.txt", inbox, "processed")
    assert target == inbox / "processed" / TODAY / "a.txt"
    assert names(inbox) == ["processed"]
    assert target.read_text().startswith("Headline")


def test_a_kill_between_link_and_unlink_does_not_file_twice(inbox):
    """The state a kill -9 leaves after the hard link: the file in processed/ and still in
    the inbox. Filing again finishes the move; it does not make 'a (2).txt'."""
    (inbox / "processed" / TODAY).mkdir(parents=True)
    os.link(inbox / "a.txt", inbox / "processed" / TODAY / "a.txt")
    target = filing.file_processed(inbox / "a.txt", inbox, "processed")
    assert target == inbox / "processed" / TODAY / "a.txt"
    assert names(inbox / "processed" / TODAY) == ["a.txt"]
    assert names(inbox) == ["processed"]


def test_the_same_content_already_filed_is_the_same_file(inbox):
    """Where links are unsupported the move was a copy: the same bytes are the same file."""
    (inbox / "processed" / TODAY).mkdir(parents=True)
    (inbox / "processed" / TODAY / "a.txt").write_bytes((inbox / "a.txt").read_bytes())
    filing.file_processed(inbox / "a.txt", inbox, "processed")
    assert names(inbox / "processed" / TODAY) == ["a.txt"]
    assert names(inbox) == ["processed"]


def test_another_file_of_the_same_name_is_never_overwritten(inbox):
    (inbox / "processed" / TODAY).mkdir(parents=True)
    (inbox / "processed" / TODAY / "a.txt").write_text(
        "Another\n\nAn earlier, different article.\n"
    )
    target = filing.file_processed(inbox / "a.txt", inbox, "processed")
    assert target.name == "a (2).txt"
    assert (inbox / "processed" / TODAY / "a.txt").read_text().startswith("Another")
    assert target.read_text().startswith("Headline")


def test_a_kill_before_the_note_of_a_failed_file_is_finished_without_a_copy(inbox):
    (inbox / "failed").mkdir()
    os.link(inbox / "a.txt", inbox / "failed" / "a.txt")  # linked; no note yet; still in inbox
    target = filing.file_failed(inbox / "a.txt", inbox, "failed", "the file is empty")
    assert target == inbox / "failed" / "a.txt"
    assert names(inbox / "failed") == ["a.txt", "a.txt.error.txt"]
    assert "the file is empty" in (inbox / "failed" / "a.txt.error.txt").read_text()
    assert names(inbox) == ["failed"]


def test_a_vanished_file_leaves_no_note(inbox):
    (inbox / "a.txt").unlink()
    with pytest.raises(Vanished):
        filing.file_failed(inbox / "a.txt", inbox, "failed", "the file is empty")
    assert not (inbox / "failed").exists() or names(inbox / "failed") == []
    with pytest.raises(Vanished):
        filing.file_processed(inbox / "a.txt", inbox, "processed")


def test_special_entries_are_filed_as_they_are(inbox):
    """A dangling link, a FIFO and a folder named like an article go to failed/ unopened."""
    os.symlink(inbox / "nowhere.txt", inbox / "dangling.txt")
    os.mkfifo(inbox / "pipe.txt")
    (inbox / "dir.txt").mkdir()
    (inbox / "dir.txt" / "inner.txt").write_text("x")
    for name in ("dangling.txt", "pipe.txt", "dir.txt"):
        filing.file_failed(inbox / name, inbox, "failed", "not an article file")
    failed = inbox / "failed"
    assert os.path.islink(failed / "dangling.txt")
    assert (failed / "dir.txt" / "inner.txt").read_text() == "x"
    assert names(inbox) == ["a.txt", "failed"]
    assert {n for n in names(failed) if n.endswith(".error.txt")} == {
        "dangling.txt.error.txt",
        "dir.txt.error.txt",
        "pipe.txt.error.txt",
    }
