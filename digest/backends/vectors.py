"""What the packaged multilingual embedders (e5_embedder.py, use_embedder.py) share: their
model's encode run over the texts in batches, and the rows brought to unit length; and e5's
centring (`Centred`), whichever engine runs it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

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


# The mean multilingual-e5-small vector, taken away from each of its vectors (`Centred`); made
# by benchmarks/e5_centre.py from texts we wrote.
CENTRE_FILE = Path(__file__).with_name("e5_centre.json")
# How much of the mean is taken away: all of it spreads one language's sentences like MiniLM's,
# but leaves the same fact in two languages at about 0.55 (below the writer's "same fact",
# 0.70); 0.7 of it keeps them at about 0.7 and MiniLM's scale at the top (benchmarks/e5_centre.py).
CENTRE_SHARE = 0.7


class Centred:
    """An embedder whose vectors have `centre` taken away, then are brought to unit length:
    multilingual-e5-small's vectors share one large direction (any two texts score about 0.78),
    and without it their cosines come on the scale the similarity settings were made on
    (benchmarks/e5_centre.py)."""

    def __init__(self, inner, centre: np.ndarray):
        self.inner = inner
        self.centre = np.asarray(centre, dtype=np.float32)
        # what made the vectors, for caches keyed by it (benchmarks/checker_eval.py)
        self.backend = f"e5-centred{CENTRE_SHARE:g}-{getattr(inner, 'backend', 'unknown')}"

    def embed(self, texts: list[str]) -> np.ndarray:
        return unit_rows(self.inner.embed(texts) - self.centre)


def e5_centre() -> np.ndarray:
    mean = np.array(json.loads(CENTRE_FILE.read_text(encoding="utf-8")), dtype=np.float32)
    return CENTRE_SHARE * mean
