"""The llama.cpp generator: the summarizer's GGUF file through llama-cpp-python, on the CPU.
`[summarizer] backend = "llama-cpp"`."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..copyguard import CopyGuard
from ..errors import ModelError
from ..generate import REPETITION_PENALTY
from ..prepare import PREPARE_COMMAND
from ..threads import LoadWatch, Rechooser, threads_for, usable_cores
from .llama_batch import READ_CHUNK

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ..generate import Message, Request
    from .llama_batch import BatchDecoder

log = logging.getLogger(__name__)

BATCH_SIZE = 8  # `[summarizer] batch_size`: sequences decoded together
SEQ_TOKENS = 1536  # KV cache cells per sequence of a batch (a prompt is ~750, a reply <= 320)
# Prompt beginnings whose cache `generate` keeps (the notes prompt's instructions and worked
# example, ~350 tokens, re-read after every rewrite call before; the batch decoder keeps its
# own), and the shortest worth keeping (the system line alone is ~50).
PREFIXES = 2
MIN_PREFIX = 128


class LlamaCppGenerator:
    """The same model's GGUF file through llama.cpp (llama-cpp-python), loaded on first use.

    About 4-5 times faster than transformers on a CPU (quantized weights, tuned kernels). The
    package compiles from source (`make fast`, about 8 minutes on 2 cores), so it is optional.
    """

    def __init__(
        self, gguf: Path, threads: int = 0, context: int = 4096, batch_size: int = BATCH_SIZE
    ):
        self.gguf = Path(gguf)
        self.threads = threads  # 0: chosen before each call (threads.py)
        self.context = context
        self.batch_size = batch_size  # sequences decoded together at most (generate_batch)
        self.load_seconds: float | None = None
        self.last_stats: dict[str, float] = {}
        self._llm = None
        self._batch: BatchDecoder | None = None
        self._watch = LoadWatch()
        self._usable = usable_cores()
        self._prefixes: dict[tuple[int, ...], bytes] = {}  # beginning -> its cache (seq 0)

    def _threads(self) -> int:
        """The configured count, else the usable cores less those other programs keep busy."""
        if self.threads:
            return min(self.threads, self._usable)
        return threads_for(self._usable, self._watch.others())

    def _rechooser(self, current: int, apply) -> Rechooser | None:
        """With threads chosen (`threads = 0`), the count chosen again about every second of
        a decode, so that a competitor that comes or goes mid-brief is followed."""
        if self.threads:
            return None
        return Rechooser(self._threads, apply, current)

    def _load(self):
        if self._llm is not None:
            return self._llm
        started = time.perf_counter()
        try:
            from llama_cpp import Llama

            with _weights_as_stored():
                self._llm = Llama(
                    model_path=str(self.gguf),
                    n_ctx=self.context,
                    n_threads=self._threads(),
                    n_threads_batch=self._threads(),
                    seed=0,
                    verbose=False,
                    # as in the batch decoder (llama_batch.py), so that one story gives the
                    # same brief by either path
                    flash_attn=False,
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

    def _guard(self, avoid: str) -> CopyGuard:
        llm = self._llm
        assert llm is not None
        return CopyGuard(
            llm.tokenize(avoid.encode("utf-8"), add_bos=False),
            lambda t: llm.detokenize([t]).decode("utf-8", errors="ignore"),
        )

    def generate(self, messages: list[Message], max_new_tokens: int, avoid: str = "") -> str:
        llm = self._load()
        threads = self._threads()
        llm._ctx.set_n_threads(threads, threads)
        rechooser = self._rechooser(threads, lambda n: llm._ctx.set_n_threads(n, n))
        processors = None
        if avoid:
            from llama_cpp import LogitsProcessorList

            processors = LogitsProcessorList([_LlamaGuard(self._guard(avoid))])
        started = time.perf_counter()
        tokens, shared = self._prompt(messages)
        tick = rechooser.tick if rechooser else None
        read = _read_all_but_last(llm, tokens, shared, self._prefixes, tick)
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
            if rechooser is not None:
                rechooser.tick()  # between two tokens: no decode is running
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
            "threads": rechooser.current if rechooser else threads,  # the last count used
            "thread_counts": rechooser.counts if rechooser else [threads],
            "prompt_tokens_read": read + 1,  # the rest was in the cache already
        }
        log.debug("Summarize - generated %s", self.last_stats)
        return text.strip()

    def generate_batch(self, requests: Sequence[Request]) -> list[str]:
        """The replies to several requests, decoded together (llama_batch.py), greedy with the
        same repeat penalty, copy guard and chat template as `generate`; at most `batch_size`
        sequences at once. Always through the batch decoder, even for one request, so that a
        reply does not depend on how many others shared its batch."""
        llm = self._load()
        started = time.perf_counter()
        prompts = [self._prompt(r.messages) for r in requests]
        out: list[str] = []
        new_tokens = 0
        counts: list[int] = []
        for part in _runs(requests, prompts, self.batch_size):
            decoder = self._decoder()
            decoder.set_threads(self._threads())
            rechooser = self._rechooser(decoder.threads, decoder.set_threads)
            replies = decoder.run(
                [prompts[k][0] for k in part],
                [requests[k].max_new_tokens for k in part],
                [self._guard(requests[k].avoid) if requests[k].avoid else None for k in part],
                [prompts[k][1] for k in part],
                REPETITION_PENALTY,
                tick=rechooser.tick if rechooser else None,
            )
            counts += rechooser.counts if rechooser else [decoder.threads]
            new_tokens += sum(len(t) for t in replies)
            out += [llm.detokenize(t).decode("utf-8", errors="ignore").strip() for t in replies]
        seconds = time.perf_counter() - started
        self.last_stats = {
            "prompt_tokens": sum(len(p) for p, _ in prompts),
            "new_tokens": new_tokens,
            "seconds": round(seconds, 3),
            "sequences": len(requests),
            "threads": self._decoder().threads,  # the last count used
            "thread_counts": counts,
        }
        log.debug("Summarize - generated a batch %s", self.last_stats)
        return out

    def _decoder(self) -> BatchDecoder:
        if self._batch is None:
            from .llama_batch import BatchDecoder

            self._batch = BatchDecoder(self._load(), self.batch_size, SEQ_TOKENS, self._threads())
        return self._batch

    def _prompt(self, messages: list[Message]) -> tuple[list[int], int]:
        """The prompt's tokens exactly as create_chat_completion makes them (the model's own
        chat template, through llama-cpp-python's handler), and how many of them come before
        the last message (the beginning that prompts of one kind share)."""
        tokens = _chat_tokens(self._load(), messages)
        stand_in = [*messages[:-1], {**messages[-1], "content": "\x00"}]
        shared = 0
        for a, b in zip(tokens, _chat_tokens(self._load(), stand_in), strict=False):
            if a != b:
                break
            shared += 1
        return tokens, shared


def _read_all_but_last(
    llm,
    tokens: list[int],
    shared: int = 0,
    prefixes: dict[tuple[int, ...], bytes] | None = None,
    tick: Callable[[], None] | None = None,
) -> int:
    """The prompt but its last token into the context (what is there already kept), so that
    create_chat_completion reads the last token alone, as the batch decoder does. Read in one
    chunk with the tokens before it, the last token's attention goes through the kernel for
    many queries instead of the one for a single query, and its logits differed from the batch
    decoder's by up to 0.47 (1.5B model, a 702-token notes prompt): 31 of 40 briefs differed.
    How the tokens before it are chunked does not change the logits.

    The first `shared` tokens (the beginning that prompts of one kind share) come from
    `prefixes` when the context holds less of them: their cache is saved the first time they
    are read, and restored as it was, so the logits are the same. Tokens are read READ_CHUNK
    at a time, `tick` called between two chunks (where the thread count may change). Returns
    how many tokens were read."""
    if len(tokens) < 2:
        return 0
    held = list(llm._input_ids)
    n = 0
    for a, b in zip(held, tokens[:-1], strict=False):
        if a != b:
            break
        n += 1
    read = 0
    if prefixes is not None and MIN_PREFIX <= shared < len(tokens) - 1 and n < shared:
        key = tuple(tokens[:shared])
        if key in prefixes:
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)
            if _restore(llm, prefixes[key]):
                llm.input_ids[:shared] = key
                n = shared
            else:  # cannot happen with an unchanged context; read it all again
                n = 0
        else:
            llm._ctx.kv_cache_seq_rm(-1, n, -1)
            llm.n_tokens = n
            _eval(llm, tokens[n:shared], tick)
            read += shared - n
            n = shared
            while len(prefixes) >= PREFIXES:
                prefixes.pop(next(iter(prefixes)))
            prefixes[key] = _saved(llm)
    llm._ctx.kv_cache_seq_rm(-1, n, -1)  # also what a reset() left behind
    llm.n_tokens = n
    if n < len(tokens) - 1:
        _eval(llm, tokens[n:-1], tick)
        read += len(tokens) - 1 - n
    return read


def _eval(llm, tokens: list[int], tick: Callable[[], None] | None) -> None:
    for i in range(0, len(tokens), READ_CHUNK):
        if i and tick is not None:
            tick()
        llm.eval(tokens[i : i + READ_CHUNK])


def _saved(llm) -> bytes:
    """The cache of sequence 0, as llama.cpp writes it."""
    import ctypes

    import llama_cpp

    size = llama_cpp.llama_state_seq_get_size(llm._ctx.ctx, 0)
    buf = (ctypes.c_uint8 * size)()
    got = llama_cpp.llama_state_seq_get_data(llm._ctx.ctx, buf, size, 0)
    return bytes(buf)[:got]


def _restore(llm, state: bytes) -> bool:
    """Sequence 0's cache back as `_saved` wrote it."""
    import ctypes

    import llama_cpp

    buf = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
    return bool(llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buf, len(state), 0))


@contextmanager
def _weights_as_stored():
    """Load the GGUF without llama.cpp's CPU repacking (its `--no-repack`, `use_extra_bufts`,
    which `Llama()` does not take). Repacked K-quant weights are multiplied by a kernel that
    takes rows four at a time (gemm) and another for the rest (gemv), which round differently:
    a sequence's logits then depend on how many others share its decoding step, and a brief on
    its batch companions. Unpacked, every row goes through the same dot product. Measured on
    this 2-core AVX2 machine with the 1.5B model: reading a prompt is no slower unpacked (49
    against 36-43 tokens/s), decoding the same (12-14 tokens/s)."""
    import llama_cpp.llama as module  # Llama() reads its defaults through this module

    defaults = module.llama_cpp.llama_model_default_params

    def unpacked():
        params = defaults()
        params.use_extra_bufts = False
        return params

    module.llama_cpp.llama_model_default_params = unpacked
    try:
        yield
    finally:
        module.llama_cpp.llama_model_default_params = defaults


def _runs(
    requests: Sequence[Request], prompts: list[tuple[list[int], int]], size: int
) -> list[list[int]]:
    """The requests in order, in runs of at most `size` whose prompts' own parts and replies
    fit the batch's KV cache (size * SEQ_TOKENS cells beside the shared beginnings)."""
    runs: list[list[int]] = [[]]
    used = 0
    for k, (r, (tokens, shared)) in enumerate(zip(requests, prompts, strict=True)):
        need = len(tokens) - shared + r.max_new_tokens
        if runs[-1] and (len(runs[-1]) == size or used + need > size * SEQ_TOKENS):
            runs.append([])
            used = 0
        runs[-1].append(k)
        used += need
    return [run for run in runs if run]


def _chat_tokens(llm, messages: list[Message]) -> list[int]:
    """The prompt tokens llama-cpp-python's chat handler would hand to create_completion."""
    from llama_cpp import llama_chat_format

    handler = (
        llm.chat_handler
        or llm._chat_handlers.get(llm.chat_format)
        or llama_chat_format.get_chat_completion_handler(llm.chat_format)
    )
    seen: list[list[int]] = []

    class _Capture:
        def __getattr__(self, name):
            return getattr(llm, name)

        def create_completion(self, prompt, **_):
            seen.append(list(prompt))
            return iter(())

    handler(llama=_Capture(), messages=messages, temperature=0.0, stream=True)  # type: ignore[arg-type]
    if not seen:
        raise ModelError("the chat handler made no prompt")
    return seen[0]


class _LlamaGuard:
    """The copy guard as a llama-cpp-python logits processor: the first call sees the prompt
    alone, so what follows it is the reply."""

    def __init__(self, guard: CopyGuard):
        self.guard = guard
        self.prompt_tokens: int | None = None

    def __call__(self, input_ids, scores):
        if self.prompt_tokens is None:
            self.prompt_tokens = len(input_ids)
        for token, penalty in self.guard.penalties(list(input_ids[self.prompt_tokens :])).items():
            scores[token] -= penalty
        return scores
