"""The transformers generator: lazy and light to import, one-line load errors, real replies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from digest.errors import ModelError
from digest.generate import Generator, TransformersGenerator
from digest.prepare import model_folder

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
QWEN = "qwen2.5-coder-1.5b-instruct"
SMOL = "smollm2-135m-instruct"


def prepared(name: str) -> Path:
    try:
        return model_folder(name, MODELS)
    except ModelError as e:
        pytest.skip(str(e))


def test_importing_and_constructing_loads_nothing_heavy():
    code = (
        "import sys; from digest.generate import TransformersGenerator; "
        "TransformersGenerator('nowhere'); "
        "heavy = [m for m in ('torch', 'transformers') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_a_folder_that_does_not_load_is_a_one_line_model_error(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "no-such-architecture"}')
    generator: Generator = TransformersGenerator(tmp_path, device="cpu")
    with pytest.raises(ModelError) as e:
        generator.generate([{"role": "user", "content": "hi"}], max_new_tokens=4)
    message = str(e.value)
    assert str(tmp_path) in message and "digest prepare" in message
    assert "\n" not in message


@pytest.fixture(scope="module")
def smol():
    return TransformersGenerator(prepared(SMOL), device="cpu")


@pytest.mark.slow
def test_smollm2_replies_deterministically_and_records_stats(smol):
    messages = [
        {"role": "system", "content": "You are a concise news assistant."},
        {
            "role": "user",
            "content": "Oslo's city council approved a new ferry line on Tuesday. "
            "Summarize this in one sentence.",
        },
    ]
    first = smol.generate(messages, max_new_tokens=32)
    assert first and first == first.strip()
    stats = dict(smol.last_stats)
    assert 0 < stats["new_tokens"] <= 32 and stats["prompt_tokens"] > 20
    assert stats["seconds"] >= stats["first_token_seconds"] > 0
    assert smol.load_seconds is not None
    assert smol.generate(messages, max_new_tokens=32) == first


@pytest.mark.slow
def test_control_tokens_in_an_article_are_plain_text(smol):
    messages = [{"role": "user", "content": "Repeat: <|im_end|> ok"}]
    smol.generate(messages, max_new_tokens=4)
    tokenizer = smol._tokenizer
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")

    def ends(sanitize: bool) -> int:
        ids = tokenizer.apply_chat_template(
            messages,
            add_generation_prompt=True,
            sanitize_control_tokens=sanitize,
            return_dict=False,
        )
        return ids.count(end)

    # the template closes its turns with the token; the one in the article stays text
    assert ends(sanitize=True) == ends(sanitize=False) - 1


@pytest.fixture(scope="module")
def qwen():
    return TransformersGenerator(prepared(QWEN))


@pytest.mark.slow
def test_qwen_follows_a_trivial_instruction(qwen):
    reply = qwen.generate([{"role": "user", "content": "Reply with the word: yes"}], 8)
    assert "yes" in reply.lower()


# Both backends behind the same interface: the same prompt, the same kind of answer.
def backends():
    from digest.generate import LlamaCppGenerator, llama_cpp_available

    yield pytest.param(lambda: TransformersGenerator(prepared(QWEN)), id="transformers")
    yield pytest.param(
        lambda: LlamaCppGenerator(MODELS / f"{QWEN}.gguf"),
        id="llama-cpp",
        marks=pytest.mark.skipif(
            not llama_cpp_available(), reason="llama-cpp-python is not installed (`make fast`)"
        ),
    )


@pytest.mark.slow
@pytest.mark.parametrize("make", list(backends()))
def test_every_backend_answers_from_the_given_text(make):
    prepared(QWEN)
    generator: Generator = make()
    messages = [
        {"role": "system", "content": "Answer using only the article. Be brief."},
        {
            "role": "user",
            "content": "Article: The 2031 summit on river pollution will be held "
            "in Tromsø, Norway, from 4 to 6 June.\n\nQuestion: In which city is the summit?",
        },
    ]
    assert "Tromsø" in generator.generate(messages, 16)
    stats = generator.last_stats
    assert 0 < stats["new_tokens"] <= 16
    # the prompt holds the article's 20-odd words plus the chat template
    assert 30 < stats["prompt_tokens"] < 200
    assert 0 < stats["first_token_seconds"] <= stats["seconds"]


def test_auto_backend_choice(tmp_path, monkeypatch):
    from digest import generate, prepare

    models = tmp_path / "models"
    (models / QWEN).mkdir(parents=True)
    (models / QWEN / prepare.MARKER).write_text("{}")
    monkeypatch.setattr(generate, "llama_cpp_available", lambda: True)
    # no GGUF file beside the folder: transformers
    assert isinstance(generate.make_generator("auto", QWEN, models, "auto", 0), TransformersGenerator)
    (models / f"{QWEN}.gguf").write_bytes(b"GGUF")
    g = generate.make_generator("auto", QWEN, models, "auto", 0)
    assert isinstance(g, generate.LlamaCppGenerator)
    # a GPU asked for: transformers, which can use it
    assert isinstance(generate.make_generator("auto", QWEN, models, "cuda", 0), TransformersGenerator)
    # device auto on a machine with a CUDA GPU: the GPU, so transformers
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert isinstance(generate.make_generator("auto", QWEN, models, "auto", 0), TransformersGenerator)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert isinstance(generate.make_generator("auto", QWEN, models, "cpu", 0), generate.LlamaCppGenerator)
    assert isinstance(
        generate.make_generator("transformers", QWEN, models, "auto", 0), TransformersGenerator
    )
    monkeypatch.setattr(generate, "llama_cpp_available", lambda: False)
    assert isinstance(generate.make_generator("auto", QWEN, models, "auto", 0), TransformersGenerator)
    with pytest.raises(ModelError, match="make fast"):
        generate.make_generator("llama-cpp", QWEN, models, "auto", 0)
