"""The pipeline on real files with the real embedder and real SQLite; the generator is a fast
stand-in here (the real one runs in tests/test_end_to_end.py)."""

import dataclasses
import json

import pytest

from digest import config
from digest.pipeline import Pipeline
from tests.articles import MARINA_1, MARINA_2, MARINA_3, STORM
from tests.fakes import CountingEmbedder, EchoFacts, Refuses
from tests.helpers import brief_markdown


def make_config(tmp_path):
    cfg = config.from_dict({}, base=tmp_path)
    (tmp_path / "inbox").mkdir()
    return cfg


def outbox_briefs(cfg):
    return sorted(cfg.paths.outbox.glob("*.json"))


def test_run_groups_stories_and_writes_cited_briefs(tmp_path, embedder):
    cfg = make_config(tmp_path)
    inbox = cfg.paths.inbox
    (inbox / "marina.txt").write_text(MARINA_1)
    (inbox / "marina.json").write_text(json.dumps(MARINA_2))
    (inbox / "storm.txt").write_text(STORM)
    (inbox / "notes.pdf").write_bytes(b"%PDF-1.4 binary\x00\x01")
    (inbox / "empty.txt").write_text("")

    report = Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()

    assert report.articles_new == 3
    assert report.stories_created == 2
    assert sorted(f.path for f in report.failures) == ["empty.txt", "notes.pdf"]
    assert all(f.reason for f in report.failures)
    # nothing a user dropped in is lost: the unreadable files are still where they were
    assert (inbox / "notes.pdf").exists() and (inbox / "empty.txt").exists()

    briefs = [json.loads(p.read_text()) for p in outbox_briefs(cfg)]
    assert len(briefs) == 2
    marina = next(b for b in briefs if len(b["sources"]) == 2)
    storm = next(b for b in briefs if len(b["sources"]) == 1)
    assert {s["path"] for s in marina["sources"]} == {"marina.txt", "marina.json"}
    assert storm["sources"][0]["path"] == "storm.txt"
    assert len(brief_markdown(cfg.paths.outbox)) == 2  # each JSON has its Markdown twin
    for b in briefs:
        assert b["version"] == 1
        assert b["sentences"] and all(s["citations"] for s in b["sentences"])
        # the stand-in model's sentences were all kept as written (it restates the first three
        # facts only: the brief is filled with the source wording of the others)
        assert [n for n in b["notes"] if not n.startswith("added the source wording")] == []
    json_source = next(s for s in marina["sources"] if s["path"] == "marina.json")
    assert json_source["publisher"] == "Bay Daily" and json_source["url"] == "https://example.org/marina"


def test_second_run_does_no_model_work_and_rewrites_nothing(tmp_path, embedder):
    cfg = make_config(tmp_path)
    (cfg.paths.inbox / "marina.txt").write_text(MARINA_1)
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()
    before = {p: p.stat().st_mtime_ns for p in cfg.paths.outbox.iterdir()}

    counting = CountingEmbedder(embedder)
    report = Pipeline(cfg, embedder=counting, generator=Refuses()).run()

    assert counting.calls == 0
    assert report.files_known == 2 and report.articles_new == 0 and not report.briefs_written
    assert {p: p.stat().st_mtime_ns for p in cfg.paths.outbox.iterdir()} == before


def test_new_article_updates_its_story(tmp_path, embedder):
    cfg = make_config(tmp_path)
    (cfg.paths.inbox / "marina.txt").write_text(MARINA_1)
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()

    (cfg.paths.inbox / "marina-residents.md").write_text(MARINA_3)
    gen = EchoFacts()
    report = Pipeline(cfg, embedder=embedder, generator=gen).run()

    assert report.stories_created == 0 and report.stories_updated == 1
    assert gen.calls == 1  # only the changed story is summarized again
    briefs = {len(b["sources"]): b for b in (json.loads(p.read_text()) for p in outbox_briefs(cfg))}
    assert len(outbox_briefs(cfg)) == 2
    assert briefs[2]["version"] == 2
    assert [h["version"] for h in briefs[2]["history"]] == [1, 2]
    assert briefs[1]["version"] == 1  # the storm brief was left alone


def test_same_content_under_another_name_counts_once(tmp_path, embedder):
    cfg = make_config(tmp_path)
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    (cfg.paths.inbox / "storm-copy.txt").write_text(STORM)
    report = Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()
    assert report.articles_new == 1 and report.articles_repeated == 1
    assert len(outbox_briefs(cfg)) == 1


@pytest.mark.parametrize("batch_size", [1, 2])
def test_a_run_that_dies_while_summarizing_is_finished_by_the_next(tmp_path, embedder, batch_size):
    """One story at a time, the brief finished before the crash is kept; two in one batch,
    the batch dies with its second story's model call and the next run writes both."""
    cfg = make_config(tmp_path)
    cfg = dataclasses.replace(
        cfg, summarizer=dataclasses.replace(cfg.summarizer, batch_size=batch_size)
    )
    (cfg.paths.inbox / "marina.txt").write_text(MARINA_1)
    (cfg.paths.inbox / "storm.txt").write_text(STORM)

    class DiesOnSecondStory(EchoFacts):
        def generate(self, messages, max_new_tokens, avoid=""):
            if self.calls == 1:
                raise KeyboardInterrupt  # like a kill: not an error the writer may absorb
            return super().generate(messages, max_new_tokens)

    with pytest.raises(KeyboardInterrupt):
        Pipeline(cfg, embedder=embedder, generator=DiesOnSecondStory()).run()
    kept = 1 if batch_size == 1 else 0
    assert len(outbox_briefs(cfg)) == kept

    gen = EchoFacts()
    report = Pipeline(cfg, embedder=embedder, generator=gen).run()
    assert gen.calls == 2 - kept and len(report.briefs_written) == 2 - kept
    assert gen.batches == [2 - kept] if batch_size > 1 else not hasattr(gen, "batches")
    assert len(outbox_briefs(cfg)) == 2
    assert not list(cfg.paths.outbox.glob(".*"))  # no temporary files left in the outbox


def test_missing_inbox_is_a_clear_error(tmp_path):
    from digest.errors import DigestError

    cfg = config.from_dict({}, base=tmp_path)
    with pytest.raises(DigestError, match="inbox folder .* does not exist"):
        Pipeline(cfg, generator=Refuses()).run()
