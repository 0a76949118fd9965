"""Text generation: the summarizer's model behind a one-method interface.

`Generator.generate(messages)` takes chat messages and returns the model's reply. Heavy imports
(torch, transformers) happen only inside the adapters, when a model is first used.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Protocol

from .errors import ModelError
from .prepare import PREPARE_COMMAND

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class Generator(Protocol):
    def generate(self, messages: list[Message], max_new_tokens: int) -> str:
        """Greedy (deterministic) reply of the model to the chat `messages`."""
        ...


# A guard against the loops small models can fall into, mild enough to be harmless: on a
# 549-token news prompt Qwen2.5-Coder-1.5B wrote the same 191 tokens at 1.0, 1.05 and 1.1.
# It counts the prompt's tokens too, on purpose: penalizing only the reply (prompt_ignore_length)
# made the model stop after 3 of its 6 sentences, dropping facts.
REPETITION_PENALTY = 1.05


class TransformersGenerator:
    """A Hugging Face causal LM folder (see `digest.prepare`), loaded on the first generate()."""

    def __init__(self, folder: Path, device: str = "auto", threads: int = 0):
        self.folder = Path(folder)
        self.device = device
        self.threads = threads
        self.load_seconds: float | None = None
        # After each generate(): prompt_tokens, new_tokens, seconds, first_token_seconds,
        # tokens_per_s (decode rate after the first token).
        self.last_stats: dict[str, float] = {}
        self._model = None
        self._tokenizer = None
        self._stop_ids: list[int] = []
        self._cache = "dynamic"

    def _load(self):
        if self._model is not None:
            return self._model, self._tokenizer
        import torch

        from .embed import resolve_device

        if self.threads > 0:
            torch.set_num_threads(self.threads)  # process-wide, as torch has no other kind
        started = time.perf_counter()
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging

            device = resolve_device(self.device)
            if device.startswith("cuda"):
                if not torch.cuda.is_available():
                    raise RuntimeError("[summarizer] device is 'cuda' but torch sees no CUDA GPU")
                dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
            else:
                dtype = torch.bfloat16
            hf_logging.disable_progress_bar()  # progress bars belong to the CLI, not to a load
            tokenizer = AutoTokenizer.from_pretrained(self.folder, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(
                self.folder, dtype=dtype, device_map=device, local_files_only=True
            )
        except Exception as e:  # any load failure becomes one line for the user
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0].rstrip(".")
            raise ModelError(
                f"cannot load the summarizer model from {self.folder}: {reason}. "
                f"Prepare it again with `{PREPARE_COMMAND}` or set [summarizer] model to a "
                "Hugging Face model folder."
            ) from e
        model.eval()
        self._stop_ids = _stop_ids(model, tokenizer)
        # A preallocated KV cache decodes ~20% faster on CPU than the growing one, with the same
        # tokens (measured on Qwen2.5-1.5B, 2 cores); models that cannot use it keep the default.
        self._cache = "static" if getattr(model, "_can_compile_fullgraph", False) else "dynamic"
        self._model, self._tokenizer = model, tokenizer
        self.load_seconds = time.perf_counter() - started
        log.info(
            "Summarize - loaded %s on %s (%s) in %.1f s",
            self.folder,
            model.device,
            dtype,
            self.load_seconds,
        )
        return model, tokenizer

    def generate(self, messages: list[Message], max_new_tokens: int) -> str:
        import torch

        model, tokenizer = self._load()
        inputs = tokenizer.apply_chat_template(
            messages,
            add_generation_prompt=True,
            # "<|im_end|>" inside an article is text, not the end of the turn
            sanitize_control_tokens=True,
            return_tensors="pt",
            return_dict=True,
        ).to(model.device)
        prompt_tokens = inputs["input_ids"].shape[1]
        clock = _Clock()
        with torch.inference_mode():
            output = model.generate(
                **inputs,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                temperature=None,  # unset sampling options a model folder may ship
                top_p=None,
                top_k=None,
                repetition_penalty=REPETITION_PENALTY,
                use_cache=True,
                cache_implementation=self._cache,
                eos_token_id=self._stop_ids,
                pad_token_id=self._stop_ids[0] if self._stop_ids else None,
                streamer=clock,
            )
        new = output[0, prompt_tokens:]
        text = tokenizer.decode(new, skip_special_tokens=True).strip()
        seconds = clock.last - clock.start
        first = (clock.first or clock.last) - clock.start
        new_tokens = int(new.shape[0])
        self.last_stats = {
            "prompt_tokens": prompt_tokens,
            "new_tokens": new_tokens,
            "seconds": round(seconds, 3),
            "first_token_seconds": round(first, 3),
            "tokens_per_s": round((new_tokens - 1) / (seconds - first), 2)
            if new_tokens > 1 and seconds > first
            else 0.0,
        }
        log.debug("Summarize - generated %s", self.last_stats)
        return text


class _Clock:
    """A generate() streamer that only notes times: the prompt, the first and the last token."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.first: float | None = None
        self.last = self.start
        self._seen_prompt = False

    def put(self, value) -> None:
        now = time.perf_counter()
        if not self._seen_prompt:  # generate() hands the prompt over first
            self._seen_prompt = True
            return
        if self.first is None:
            self.first = now
        self.last = now

    def end(self) -> None:
        self.last = time.perf_counter() if self.first is None else self.last


def _stop_ids(model, tokenizer) -> list[int]:
    """Token ids that end a reply: the model's eos ids, the tokenizer's, and the usual chat ends.

    A config converted from GGUF names one eos id (Qwen's <|im_end|>), where the original lists
    <|endoftext|> too.
    """
    ids = model.generation_config.eos_token_id
    ids = [ids] if isinstance(ids, int) else list(ids or [])
    added = tokenizer.get_added_vocab()
    for token_id in (tokenizer.eos_token_id, *(added.get(t) for t in _CHAT_ENDS)):
        if token_id is not None and token_id not in ids:
            ids.append(token_id)
    return ids


_CHAT_ENDS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<end_of_turn>")


class LlamaCppGenerator:
    """The same model's GGUF file through llama.cpp (llama-cpp-python), loaded on first use.

    About 4-5 times faster than transformers on a CPU (quantized weights, tuned kernels). The
    package compiles from source (`make fast`, about 8 minutes on 2 cores), so it is optional.
    """

    def __init__(self, gguf: Path, threads: int = 0, context: int = 4096):
        self.gguf = Path(gguf)
        self.threads = threads
        self.context = context
        self.load_seconds: float | None = None
        self.last_stats: dict[str, float] = {}
        self._llm = None

    def _load(self):
        if self._llm is not None:
            return self._llm
        import os

        started = time.perf_counter()
        try:
            from llama_cpp import Llama

            self._llm = Llama(
                model_path=str(self.gguf),
                n_ctx=self.context,
                n_threads=self.threads or os.cpu_count() or 1,
                seed=0,
                verbose=False,
            )
        except Exception as e:  # any load failure becomes one line for the user
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelError(
                f"cannot load {self.gguf} with llama.cpp: {reason}. Prepare it again with "
                f'`{PREPARE_COMMAND}`, or set [summarizer] backend = "transformers".'
            ) from e
        self.load_seconds = time.perf_counter() - started
        log.info("Summarize - loaded %s with llama.cpp in %.1f s", self.gguf, self.load_seconds)
        return self._llm

    def generate(self, messages: list[Message], max_new_tokens: int) -> str:
        llm = self._load()
        started = time.perf_counter()
        first: float | None = None
        pieces: list[str] = []
        # streamed only to time the first token (the prompt's cost) apart from the decoding
        for chunk in llm.create_chat_completion(
            messages=messages,
            max_tokens=max_new_tokens,
            temperature=0.0,  # greedy, as with transformers
            top_k=1,
            repeat_penalty=REPETITION_PENALTY,
            stream=True,
        ):
            if first is None:
                first = time.perf_counter()
            pieces.append(chunk["choices"][0]["delta"].get("content") or "")
        seconds = time.perf_counter() - started
        first_seconds = (first or time.perf_counter()) - started
        text = "".join(pieces)
        new_tokens = len(llm.tokenize(text.encode("utf-8"), add_bos=False)) if text else 0
        decode = seconds - first_seconds
        self.last_stats = {
            # what the context holds after the reply: the prompt, then the reply
            "prompt_tokens": max(0, int(llm.n_tokens) - new_tokens),
            "new_tokens": new_tokens,
            "seconds": round(seconds, 3),
            "first_token_seconds": round(first_seconds, 3),
            "tokens_per_s": round((new_tokens - 1) / decode, 2)
            if new_tokens > 1 and decode
            else 0.0,
        }
        log.debug("Summarize - generated %s", self.last_stats)
        return text.strip()


def llama_cpp_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def _resolves_to_cpu(device: str) -> bool:
    """Whether the configured device means the CPU here: a CUDA GPU, when there is one, runs
    the model through transformers (llama-cpp-python as `make setup` builds it is CPU-only)."""
    from .embed import resolve_device

    return resolve_device(device) == "cpu"


def make_generator(
    backend: str, model: str, models_dir: Path, device: str, threads: int
) -> Generator:
    """The configured generator. `auto` takes llama.cpp when it is installed, the model's GGUF
    file is at hand (a model prepared by `digest prepare`) and the device is the CPU; else
    transformers (on a CUDA GPU when the device is `auto` and there is one)."""
    from .prepare import KNOWN_MODELS, model_folder

    folder = model_folder(model, models_dir)  # checks the model is prepared, whatever the backend
    gguf = Path(models_dir) / f"{model}.gguf"
    if backend == "llama-cpp" or (
        backend == "auto"
        and model in KNOWN_MODELS
        and gguf.is_file()
        and llama_cpp_available()
        and _resolves_to_cpu(device)
    ):
        if not gguf.is_file():
            raise ModelError(
                f'[summarizer] backend "llama-cpp" needs the GGUF file {gguf}; '
                f"run `{PREPARE_COMMAND} {model}` (a model given as a folder has none)"
            )
        if not llama_cpp_available():
            raise ModelError(
                '[summarizer] backend "llama-cpp" needs llama-cpp-python: run `make fast` '
                '(compiles it, about 8 minutes), or set backend = "auto"'
            )
        return LlamaCppGenerator(gguf, threads)
    return TransformersGenerator(folder, device, threads)
