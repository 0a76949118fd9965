"""The llama.cpp generator: the summarizer's GGUF file through llama-cpp-python, on the CPU.
`[summarizer] backend = "llama-cpp"`."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..copyguard import CopyGuard
from ..errors import ModelError
from ..generate import REPETITION_PENALTY
from ..prepare import PREPARE_COMMAND

if TYPE_CHECKING:
    from ..generate import Message

log = logging.getLogger(__name__)


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

    def generate(self, messages: list[Message], max_new_tokens: int, avoid: str = "") -> str:
        llm = self._load()
        processors = None
        if avoid:
            from llama_cpp import LogitsProcessorList

            guard = CopyGuard(
                llm.tokenize(avoid.encode("utf-8"), add_bos=False),
                lambda t: llm.detokenize([t]).decode("utf-8", errors="ignore"),
            )
            processors = LogitsProcessorList([_LlamaGuard(guard)])
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
            logits_processor=processors,
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


class _LlamaGuard:
    """The copy guard as a llama-cpp-python logits processor: the first call sees the prompt
    alone, so what follows it is the reply."""

    def __init__(self, guard: CopyGuard):
        self.guard = guard
        self.prompt_tokens: int | None = None

    def __call__(self, input_ids, scores):
        if self.prompt_tokens is None:
            self.prompt_tokens = len(input_ids)
        for token in self.guard.penalised(list(input_ids[self.prompt_tokens :])):
            scores[token] -= self.guard.penalty
        return scores
