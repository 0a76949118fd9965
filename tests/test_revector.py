"""A state's article vectors are made again when the config makes them another way (another
`[embedder] model`): real SQLite, the real MiniLM and USE embedders; the generator is the fast
stand-in (the real one runs in tests/test_end_to_end.py)."""

import dataclasses
import json
import logging

import numpy as np
import pytest

from digest import config, revector
from digest.embed import make_embedder
from digest.pipeline import Pipeline
from digest.store import Store
from tests.articles import MARINA_1, MARINA_3, STORM
from tests.fakes import CountingEmbedder, EchoFacts


def with_model(cfg, model):
    return dataclasses.replace(cfg, embedder=dataclasses.replace(cfg.embedder, model=model))


def dimensions(cfg) -> tuple[set[int], set[int], set[int]]:
    """The lengths of the stored article vectors, story centroids and story anchors."""
    store = Store(cfg.paths.state)
    try:
        rows = store.db.execute("SELECT embedding FROM articles").fetchall()
        articles = {len(np.frombuffer(r[0], np.float32)) for r in rows}
        stories = store.stories()
        return articles, {len(s.centroid) for s in stories}, {len(s.anchor) for s in stories}
    finally:
        store.close()


def recorded(cfg) -> str | None:
    store = Store(cfg.paths.state)
    try:
        return store.meta(revector.KEY)
    finally:
        store.close()


@pytest.fixture(scope="module")
def use():
    return make_embedder(config.Embedder(model="use-multilingual-v3"), config.Config().paths.models)


MINILM = {"embedder": {"model": "all-MiniLM-L6-v2"}}  # the `embedder` fixture's model


def test_a_new_embedder_model_embeds_the_stored_articles_again(tmp_path, embedder, use, caplog):
    cfg = config.from_dict(MINILM, base=tmp_path)
    (tmp_path / "inbox").mkdir()
    (cfg.paths.inbox / "marina.txt").write_text(MARINA_1)
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()
    assert recorded(cfg) == revector.recipe(cfg.embedder)
    assert dimensions(cfg) == ({384}, {384}, {384})

    # the user switches to the multilingual USE (512 dimensions) and a new marina report comes:
    # before, its vector met 384-dimensional centroids (with e5, also 384, silently wrong ones)
    cfg2 = with_model(cfg, "use-multilingual-v3")
    (cfg.paths.inbox / "marina-residents.md").write_text(MARINA_3)
    with caplog.at_level(logging.WARNING, logger="digest.revector"):
        report = Pipeline(cfg2, embedder=use, generator=EchoFacts()).run()
    assert "embedding 2 articles again with use-multilingual-v3" in caplog.text
    assert recorded(cfg2) == revector.recipe(cfg2.embedder)
    assert dimensions(cfg2) == ({512}, {512}, {512})
    # the new report joins its story, matched in the new space; the storm brief stays as it was
    assert report.stories_created == 0 and report.stories_updated == 1
    briefs = [json.loads(p.read_text()) for p in sorted(cfg.paths.outbox.glob("*.json"))]
    assert sorted((len(b["sources"]), b["version"]) for b in briefs) == [(1, 1), (2, 2)]

    # the same config again: nothing is embedded again
    counting = CountingEmbedder(use)
    Pipeline(cfg2, embedder=counting, generator=EchoFacts()).run()
    assert counting.calls == 0


def test_a_state_from_before_the_record_was_made_with_minilm(tmp_path, embedder, caplog):
    cfg = config.from_dict(MINILM, base=tmp_path)
    (tmp_path / "inbox").mkdir()
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()
    store = Store(cfg.paths.state)
    try:  # as an older digest left it: vectors, no record of how they were made
        with store.transaction():
            store.db.execute("DELETE FROM meta WHERE key = ?", (revector.KEY,))
    finally:
        store.close()
    (cfg.paths.inbox / "marina.txt").write_text(MARINA_1)
    with caplog.at_level(logging.WARNING, logger="digest.revector"):
        Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()
    assert "again" not in caplog.text  # the default then is MiniLM now: nothing to redo
    assert recorded(cfg) == revector.recipe(cfg.embedder) == revector.BEFORE

    # the default now is multilingual-e5-small: a state from before the record, opened with the
    # default config, has its MiniLM vectors made again
    store = Store(cfg.paths.state)
    try:
        with store.transaction():
            store.db.execute("DELETE FROM meta WHERE key = ?", (revector.KEY,))
    finally:
        store.close()
    default = config.from_dict({}, base=tmp_path)
    assert default.embedder.model == "multilingual-e5-small"
    (cfg.paths.inbox / "storm-2.txt").write_text(STORM.replace("storm", "second storm", 1))
    e5 = make_embedder(default.embedder, default.paths.models)
    with caplog.at_level(logging.WARNING, logger="digest.revector"):
        Pipeline(default, embedder=e5, generator=EchoFacts()).run()
    assert "again with multilingual-e5-small" in caplog.text
    assert recorded(default) == revector.recipe(default.embedder) != revector.BEFORE


def test_e5_embeds_a_shorter_lead_and_a_state_made_with_the_longer_one_is_redone(
    tmp_path, caplog
):
    # multilingual-e5-small reads the title and 100 lead words (cluster.LEAD_WORDS_OF): 2.5
    # times as fast as 200, clustering as well (docs/clustering.md)
    from digest import cluster

    default = config.from_dict({}, base=tmp_path)
    assert default.embedder.model == "multilingual-e5-small"
    assert cluster.lead_words(default.embedder.model) == 100
    assert cluster.lead_words("all-MiniLM-L6-v2") == cluster.LEAD_WORDS == 200
    assert revector.recipe(default.embedder).endswith("title + 100 lead words")
    extra = " ".join(
        f"Dock {k} of the east marina will get {k + 20} berths, the harbor master said."
        for k in range(1, 25)
    )  # about 350 words: the 100-word lead and the 200-word lead differ
    long_marina = MARINA_1 + extra + "\n"
    (tmp_path / "inbox").mkdir()
    (default.paths.inbox / "marina.txt").write_text(long_marina)
    e5 = make_embedder(default.embedder, default.paths.models)
    Pipeline(default, embedder=e5, generator=EchoFacts()).run()
    store = Store(default.paths.state)
    try:
        (row,) = store.db.execute("SELECT title, text, embedding FROM articles").fetchall()
        stored = np.frombuffer(row[2], np.float32)
        with store.transaction():  # as a state embedded at 200 words in session 12 records it
            old = "multilingual-e5-small (centred); title + 200 lead words"
            store.db.execute("UPDATE meta SET value = ? WHERE key = ?", (old, revector.KEY))
    finally:
        store.close()
    short, longer = e5.embed([cluster.embedding_text(row[0], row[1], n) for n in (100, 200)])
    assert float(stored @ short) > 0.9999
    assert float(short @ longer) < 0.999  # the two leads give other vectors
    (default.paths.inbox / "storm.txt").write_text(STORM)
    with caplog.at_level(logging.WARNING, logger="digest.revector"):
        Pipeline(default, embedder=e5, generator=EchoFacts()).run()
    assert "title + 200 lead words; embedding 1 articles again" in caplog.text
    assert recorded(default) == revector.recipe(default.embedder)
