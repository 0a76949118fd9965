"""What the packaged multilingual embedders (e5_embedder.py, use_embedder.py) share: their
model's encode run over the texts in batches, and the rows brought to unit length."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def embed_in_batches(
    encode: Callable[[list[str]], object], texts: list[str], batch_size: int
) -> np.ndarray:
    """`encode` over `texts`, `batch_size` at a time, stacked and L2-normalised (float32)."""
    parts = [
        np.asarray(encode(texts[i : i + batch_size]), dtype=np.float32)
        for i in range(0, len(texts), batch_size)
    ]
    return unit_rows(np.vstack([p.reshape(-1, p.shape[-1]) for p in parts]))


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row at length 1 (a zero row stays zero), as float32."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)
