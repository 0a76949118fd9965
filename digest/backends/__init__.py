"""Model adapters: one file per way of running a model, behind the interfaces of
`digest.embed` (`Embedder.embed`) and `digest.generate` (`Generator.generate`).

- `onnx_embedder`: all-MiniLM-L6-v2 as the int8 ONNX model `digest prepare` makes (CPU).
- `sentence_transformers_embedder`: any sentence-transformers folder, on torch (CPU or GPU).
- `e5_embedder`, `use_embedder`: the multilingual models shipped inside their packages
  (`[embedder] model`), sharing their batching in `vectors`.
- `llama_cpp_generator`: a GGUF file through llama.cpp (llama-cpp-python, CPU).
- `transformers_generator`: a Hugging Face causal-LM folder through transformers (CPU or GPU).

The heavy imports (torch, transformers, sentence-transformers, onnxruntime, llama_cpp) happen
only here, inside the adapters, when a model is first used; the factories that choose one
(`digest.embed.make_embedder`, `digest.generate.make_generator`) import them lazily, with the
helpers below. A new adapter is a new file here plus a branch in its factory.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable


def installed(*modules: str) -> bool:
    """Whether every one of `modules` can be imported here (looked up, not imported)."""
    return all(importlib.util.find_spec(m) is not None for m in modules)


def adapter(module: str, name: str) -> type:
    """The class `name` of digest/backends/`module`.py, imported now (its first use)."""
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def earlier_names(owner: str, adapters: dict[str, str]) -> Callable[[str], type]:
    """A module `__getattr__` for `owner` that serves `adapters` (class name: module here)
    under their earlier names, importing each on first use so that `owner` stays light."""

    def __getattr__(name: str) -> type:
        if name in adapters:
            return adapter(adapters[name], name)
        raise AttributeError(f"module {owner!r} has no attribute {name!r}")

    return __getattr__
