"""Text generation: the summarizer's model behind a one-method interface.

`Generator.generate(messages)` takes chat messages and returns the model's reply. The adapters
live in digest/backends/: `TransformersGenerator` (transformers_generator.py) and
`LlamaCppGenerator` (llama_cpp_generator.py); `make_generator` picks one. Heavy imports (torch,
transformers, llama_cpp) happen only inside the adapters, when a model is first used.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

from . import backends
from .errors import ModelError
from .prepare import PREPARE_COMMAND

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class Request(NamedTuple):
    """One reply asked for: `generate`'s arguments."""

    messages: list[Message]
    max_new_tokens: int
    avoid: str = ""


class Generator(Protocol):
    def generate(self, messages: list[Message], max_new_tokens: int, avoid: str = "") -> str:
        """Greedy (deterministic) reply of the model to the chat `messages`. `avoid`: source
        text whose long word runs the reply should not copy (copyguard.py; names, figures and
        quotations excepted)."""
        ...

    def generate_batch(self, requests: Sequence[Request]) -> list[str]:
        """The replies to several requests, in order: decoded together where the backend can
        (llama.cpp), each as greedy as `generate` and independent of the others."""
        ...


# A guard against the loops small models can fall into, mild enough to be harmless: on a
# 549-token news prompt Qwen2.5-Coder-1.5B wrote the same 191 tokens at 1.0, 1.05 and 1.1.
# It counts the prompt's tokens too, on purpose: penalizing only the reply (prompt_ignore_length)
# made the model stop after 3 of its 6 sentences, dropping facts.
REPETITION_PENALTY = 1.05


def llama_cpp_available() -> bool:
    return backends.installed("llama_cpp")


def _resolves_to_cpu(device: str) -> bool:
    """Whether the configured device means the CPU here: a CUDA GPU, when there is one, runs
    the model through transformers (llama-cpp-python as `make setup` builds it is CPU-only)."""
    from .embed import resolve_device

    return resolve_device(device) == "cpu"


def make_generator(
    backend: str, model: str, models_dir: Path, device: str, threads: int, batch_size: int = 8
) -> Generator:
    """The configured generator. `auto` takes llama.cpp when it is installed, the model's GGUF
    file is at hand (a model prepared by `digest prepare`) and the device is the CPU; else
    transformers (on a CUDA GPU when the device is `auto` and there is one)."""
    from .prepare import KNOWN_MODELS, model_folder

    folder = model_folder(model, models_dir)  # checks the model is prepared, whatever the backend
    gguf = Path(models_dir) / f"{model}.gguf"
    if backend == "llama-cpp" or (
        backend == "auto"
        and model in KNOWN_MODELS
        and gguf.is_file()
        and llama_cpp_available()
        and _resolves_to_cpu(device)
    ):
        if not gguf.is_file():
            raise ModelError(
                f'[summarizer] backend "llama-cpp" needs the GGUF file {gguf}; '
                f"run `{PREPARE_COMMAND} {model}` (a model given as a folder has none)"
            )
        if not llama_cpp_available():
            raise ModelError(
                '[summarizer] backend "llama-cpp" needs llama-cpp-python: run `make fast` '
                '(compiles it, about 8 minutes), or set backend = "auto"'
            )
        from .backends.llama_cpp_generator import LlamaCppGenerator

        return LlamaCppGenerator(gguf, threads, batch_size=batch_size)
    from .backends.transformers_generator import TransformersGenerator

    return TransformersGenerator(folder, device, threads)


# The adapters under their earlier names here (`from digest.generate import LlamaCppGenerator`),
# loaded on first use: the backends import this module for `Message` and `REPETITION_PENALTY`.
_ADAPTERS = {
    "TransformersGenerator": "transformers_generator",
    "LlamaCppGenerator": "llama_cpp_generator",
}


__getattr__ = backends.earlier_names(__name__, _ADAPTERS)
