"""The SQLite store, the lock and the outbox writer, on real files."""

import json
import multiprocessing
import os

import numpy as np
import pytest

from digest.errors import LockedError
from digest.lock import StateLock
from digest.records import Article, Brief, BriefSentence, Source
from digest.render import atomic_write, markdown, slugify, write_brief
from digest.store import Store

ART = Article("a.txt", "Title", "Body text here.", "hash-a", url=None, source="Pub", published="2026-11-01")


def test_articles_are_stored_once_by_content(tmp_path):
    store = Store(tmp_path)
    with store.transaction():
        assert store.add_article(ART)
        assert not store.add_article(ART)  # same content, second time
    assert [a.content_hash for a in store.unembedded()] == ["hash-a"]
    store.set_embeddings(["hash-a"], np.ones((1, 4), dtype=np.float32))
    assert store.unembedded() == []
    [(article, vector)] = store.unclustered()
    assert article == ART and vector.tolist() == [1, 1, 1, 1]
    store.close()
    # a new connection sees everything committed
    again = Store(tmp_path)
    assert again.count("articles") == 1
    again.close()


def test_a_failed_transaction_leaves_nothing(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_article(ART)
            raise RuntimeError("crash in the middle of a step")
    assert store.count("articles") == 0


def test_story_lifecycle_and_brief_versions(tmp_path):
    store = Store(tmp_path)
    with store.transaction():
        store.add_article(ART)
        store.save_story("s1", "title-s1", np.ones(4, dtype=np.float32), 1, None, None)
        store.assign_article("hash-a", "s1")
    assert [s.story_id for s in store.dirty_stories()] == ["s1"]
    with store.transaction():
        store.save_brief("s1", 1, {"headline": "v1"})
    assert store.dirty_stories() == []
    assert store.story("s1").version == 1
    with store.transaction():  # a new article arrives: the story is dirty again
        store.save_story("s1", "title-s1", np.ones(4, dtype=np.float32), 2, None, None)
    assert store.story("s1").dirty
    with store.transaction():
        store.save_brief("s1", 2, {"headline": "v2"})
    assert store.brief("s1")["headline"] == "v2"
    assert store.brief("s1", 1)["headline"] == "v1"
    assert [h["version"] for h in store.brief_history("s1")] == [1, 2]


def _try_lock(path, queue):
    try:
        with StateLock(path):
            queue.put("got it")
    except LockedError as e:
        queue.put(str(e))


def test_second_process_is_refused_with_the_holder_named(tmp_path):
    with StateLock(tmp_path):
        q = multiprocessing.get_context("spawn").Queue()
        p = multiprocessing.get_context("spawn").Process(target=_try_lock, args=(tmp_path, q))
        p.start()
        p.join(30)
        message = q.get(timeout=5)
    assert "in use by digest (pid" in message and str(os.getpid()) in message
    with StateLock(tmp_path):  # released on exit: can be taken again
        pass


BRIEF = Brief(
    story_id="s1",
    headline="Harbor Council approves berths",
    sentences=(
        BriefSentence("The council approved 1,250 berths.", (1, 2)),
        BriefSentence("Work starts in March.", (2,)),
    ),
    sources=(
        Source(1, "Council backs marina", "a1.txt", "https://example.com/a", "Coast Post", "2026-11-02"),
        Source(2, "Marina to grow", "a2.md", None, None, None),
    ),
    version=2,
    updated="2026-11-04T10:00:00+00:00",
)


def test_markdown_has_headline_cited_sentences_and_sources():
    md = markdown(BRIEF)
    assert md.startswith("# Harbor Council approves berths\n")
    assert "The council approved 1,250 berths. [1][2] Work starts in March. [2]" in md
    assert "1. [Council backs marina](https://example.com/a) — Coast Post, 2026-11-02 (`a1.txt`)" in md
    assert "2. Marina to grow (`a2.md`)" in md


def test_write_brief_writes_markdown_and_json_twin(tmp_path):
    paths = write_brief(tmp_path, "harbor-s1", BRIEF, [{"version": 1}, {"version": 2}])
    assert [p.name for p in paths] == ["harbor-s1.md", "harbor-s1.json"]
    data = json.loads((tmp_path / "harbor-s1.json").read_text())
    assert data["story_id"] == "s1" and data["version"] == 2
    assert data["sentences"][0] == {
        "text": "The council approved 1,250 berths.",
        "citations": [1, 2],
        "evidence": [],  # the test brief names no source sentences
    }
    assert data["sources"][0]["n"] == 1 and data["sources"][0]["publisher"] == "Coast Post"
    assert set(data["sources"][0]) >= {"n", "title", "path", "url", "publisher", "published"}
    assert [h["version"] for h in data["history"]] == [1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["harbor-s1.json", "harbor-s1.md"]


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "x.md"
    target.write_text("old")

    with pytest.raises(TypeError):
        atomic_write(target, 123)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.md"]  # no temporary file left behind


def test_slugify():
    assert slugify("Russia’s move: a “bold” step, 2025!") == "russias-move-a-bold-step-2025"
    assert slugify("¿¿??") == "story"


def test_evidence_survives_the_json_round_trip():
    from digest.records import Brief, BriefSentence, Evidence, Source

    brief = Brief(
        story_id="s",
        headline="H",
        sentences=(BriefSentence("A said so.", (1, 2), (Evidence(1, "A said so on Monday."), Evidence(2, "So said A."))),),
        sources=(Source(1, "One", "a.txt"), Source(2, "Two", "b.txt")),
        version=1,
        updated="2026-11-01T00:00:00+00:00",
    )
    data = brief.to_json()
    assert data["sentences"][0]["evidence"] == [
        {"n": 1, "text": "A said so on Monday."},
        {"n": 2, "text": "So said A."},
    ]
    assert Brief.from_json(data).sentences == brief.sentences
