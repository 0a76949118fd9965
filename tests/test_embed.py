"""The embedders: which backend `[embedder] backend` picks, and the int8 ONNX model against the
torch model it stands in for, on the sample articles and their sentences."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from digest import config, embed, prepare_embedder
from digest.errors import ConfigError, ModelError

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"

# --- choosing the backend (no models) --------------------------------------------------------


def fake_onnx_folder(models: Path, fmt: int = embed.ONNX_FORMAT) -> Path:
    folder = models / embed.ONNX_MINILM
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(b"")
    (folder / "tokenizer.json").write_text("{}")
    (folder / embed.MARKER).write_text(json.dumps({"format": fmt, "max_tokens": 256}))
    return folder


@pytest.fixture
def cpu_only(monkeypatch):
    """No GPU and onnxruntime installed, whatever this machine has."""
    monkeypatch.setattr(
        embed, "resolve_device", lambda device: "cpu" if device == "auto" else device
    )
    monkeypatch.setattr(embed, "onnx_available", lambda: True)


def choose(backend="auto", model=embed.PACKAGED_MINILM, device="auto", folder=None):
    return embed.choose_backend(backend, model, device, folder)


def test_auto_takes_onnx_when_everything_is_there(tmp_path, cpu_only):
    folder = fake_onnx_folder(tmp_path)
    assert choose(folder=folder) == "onnx"
    assert choose(device="cpu", folder=folder) == "onnx"


def test_auto_falls_back_to_torch(tmp_path, cpu_only, monkeypatch):
    folder = fake_onnx_folder(tmp_path)
    assert choose(folder=tmp_path / "elsewhere") == "sentence-transformers"  # not prepared
    assert choose(model=str(tmp_path), folder=folder) == "sentence-transformers"  # another model
    assert choose(device="cuda", folder=folder) == "sentence-transformers"
    monkeypatch.setattr(embed, "resolve_device", lambda device: "cuda")  # auto finds a GPU
    assert choose(folder=folder) == "sentence-transformers"
    monkeypatch.setattr(embed, "resolve_device", lambda device: "cpu")
    monkeypatch.setattr(embed, "onnx_available", lambda: False)
    assert choose(folder=folder) == "sentence-transformers"


def test_auto_ignores_an_outdated_or_unfinished_folder(tmp_path, cpu_only):
    assert choose(folder=fake_onnx_folder(tmp_path / "old", fmt=0)) == "sentence-transformers"
    folder = fake_onnx_folder(tmp_path / "new")
    (folder / "model.onnx").unlink()
    assert choose(folder=folder) == "sentence-transformers"


def test_an_explicit_backend_is_taken_as_asked(tmp_path, cpu_only):
    folder = fake_onnx_folder(tmp_path)
    assert choose("sentence-transformers", folder=folder) == "sentence-transformers"
    assert choose("onnx", folder=folder) == "onnx"


def test_explicit_onnx_says_what_is_missing(tmp_path, cpu_only, monkeypatch):
    with pytest.raises(ModelError, match=f"digest prepare {embed.ONNX_MINILM}"):
        choose("onnx", folder=tmp_path / embed.ONNX_MINILM)
    folder = fake_onnx_folder(tmp_path)
    with pytest.raises(ModelError, match="runs only the models `digest prepare` converts"):
        choose("onnx", model=str(tmp_path), folder=folder)
    monkeypatch.setattr(embed, "onnx_available", lambda: False)
    with pytest.raises(ModelError) as e:
        choose("onnx", folder=folder)
    assert "needs onnxruntime" in str(e.value) and "pip install" in str(e.value)
    assert "\n" not in str(e.value)


def test_make_embedder_passes_the_settings_on(tmp_path, cpu_only):
    fake_onnx_folder(tmp_path)
    minilm = config.Embedder(model=embed.PACKAGED_MINILM)
    settings = dataclasses.replace(minilm, batch_size=8, threads=3)
    made = embed.make_embedder(settings, tmp_path)
    assert isinstance(made, embed.OnnxEmbedder)
    assert (made.folder, made.batch_size, made.threads) == (tmp_path / embed.ONNX_MINILM, 8, 3)
    torch_settings = dataclasses.replace(settings, backend="sentence-transformers")
    made = embed.make_embedder(torch_settings, tmp_path)
    assert isinstance(made, embed.SentenceTransformerEmbedder) and made.batch_size == 8
    assert embed.OnnxEmbedder(tmp_path).threads >= 1  # 0: all cores


def test_check_backend_fails_fast_only_for_an_explicit_onnx(tmp_path):
    embed.check_backend(config.Embedder(), tmp_path)  # auto: falls back, never fails here
    with pytest.raises(ModelError, match="not prepared"):
        embed.check_backend(dataclasses.replace(config.Embedder(), backend="onnx"), tmp_path)


@pytest.mark.parametrize(
    "values, words",
    [
        ({"backend": "tensorrt"}, "[embedder] backend must be one of"),
        ({"backend": "onnx", "device": "cuda"}, "runs on the CPU only"),
        ({"threads": -1}, "[embedder] threads must be between"),
    ],
)
def test_bad_embedder_settings_are_named(tmp_path, values, words):
    with pytest.raises(ConfigError, match=words.replace("[", r"\[").replace("]", r"\]")):
        config.from_dict({"embedder": values}, base=tmp_path)


# --- the real models -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def onnx_embedder():
    folder = prepare_embedder.prepare(MODELS)  # idempotent: instant once prepared
    return embed.OnnxEmbedder(folder)


@pytest.fixture(scope="module")
def torch_embedder():
    return embed.SentenceTransformerEmbedder(device="cpu")


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_onnx_vectors_are_unit_rows_of_the_right_shape(onnx_embedder):
    v = onnx_embedder.embed(["The council approved the plan.", "", "Rain."])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert onnx_embedder.embed([]).shape == (0, 384)


def test_onnx_agrees_with_torch_on_every_sample_article_and_sentence(
    onnx_embedder, torch_embedder, samples
):
    leads, sentences = samples
    for texts in (leads, sentences):
        cos = cosines(onnx_embedder.embed(texts), torch_embedder.embed(texts))
        # measured: 7 leads min 0.993, 71 sentences min 0.985 (mean 0.992)
        assert cos.min() >= 0.98, sorted(zip(cos, texts, strict=True))[:3]


def test_onnx_ranks_neighbours_like_torch(onnx_embedder, torch_embedder, samples):
    leads, _ = samples
    ours, theirs = onnx_embedder.embed(leads), torch_embedder.embed(leads)
    sim_ours, sim_theirs = ours @ ours.T, theirs @ theirs.T
    np.fill_diagonal(sim_ours, -1)
    np.fill_diagonal(sim_theirs, -1)
    for i in range(len(leads)):
        # its articles of the same story (torch similarity 0.79-0.89, other stories 0.01-0.17)
        # come first, in the same order; the order among unrelated articles is noise
        related = [j for j in np.argsort(-sim_theirs[i]) if sim_theirs[i, j] >= 0.5]
        assert related, i
        assert np.argsort(-sim_ours[i])[: len(related)].tolist() == related, i
    assert np.abs(sim_ours - sim_theirs).max() < 0.03  # measured 0.018


def test_onnx_reads_at_most_256_word_pieces(onnx_embedder, torch_embedder):
    long = " ".join(f"The reservoir stood at {n} percent on day {n}." for n in range(80))
    longer = long + " Then the storm came and the river flooded the lower town."
    a, b = onnx_embedder.embed([long, longer])
    assert np.allclose(a, b, atol=1e-6)  # the added words lie past the cut
    cos = cosines(onnx_embedder.embed([long]), torch_embedder.embed([long]))
    assert cos[0] >= 0.98


def test_onnx_does_not_depend_on_input_order(onnx_embedder, samples):
    leads, _ = samples
    forward = onnx_embedder.embed(leads)
    backward = onnx_embedder.embed(leads[::-1])[::-1]
    assert np.array_equal(forward, backward)  # batches are formed by length, not by position
