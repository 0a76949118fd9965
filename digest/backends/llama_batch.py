"""Several replies decoded together with llama.cpp: one batch of sequences per step.

On a CPU a decoding step is bound by reading the weights from memory, and one step for several
sequences reads them once for all: llama.cpp takes tokens of many sequences in one
`llama_batch` (each token with its sequence id and position) into one KV cache that holds
`n_seq_max` sequences (llama.cpp's examples/batched does the same). The prompts' common
beginning (the instructions and the worked example) is read once, in sequence 0, and shared
with the others (`llama_memory_seq_cp`); it stays in the cache for the next call.

Each sequence is decoded greedily as the single path (llama-cpp-python's sampler chain) does:
the copy guard's penalty on the raw logits, then the repeat penalty over the last
REPEAT_LAST_N tokens of the reply (llama.cpp's penalties sampler counts accepted tokens only,
not the prompt), then the highest logit (the first on a tie), until an end-of-generation token
or the token limit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..copyguard import CopyGuard
from ..errors import ModelError

log = logging.getLogger(__name__)

REPEAT_LAST_N = 64  # llama-cpp-python's last_n_tokens_size, the penalty's window
N_BATCH = 512  # room for tokens in one llama_decode call (the steps: one per sequence)
# Prompt tokens per llama_decode call, in both llama.cpp paths: small enough that the thread
# count can be chosen again every second or so while a prompt is read (threads.py), large
# enough to keep the cores busy. How a prompt is chunked does not change the logits.
READ_CHUNK = 128
HOLDERS = 2  # shared prompt beginnings kept in the cache (the notes prompt's, the rewrite's)


@dataclass
class _Seq:
    prompt: list[int]
    limit: int
    guard: CopyGuard | None
    reply: list[int] = field(default_factory=list)
    done: bool = False


class BatchDecoder:
    """A second llama.cpp context on the loaded model (weights shared), with room for
    `n_seq` sequences of `seq_tokens` tokens each."""

    def __init__(self, llm, n_seq: int, seq_tokens: int, threads: int):
        import llama_cpp

        self._lib = llama_cpp
        self.llm = llm
        self.n_seq = n_seq
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = (n_seq + HOLDERS) * seq_tokens
        params.n_batch = N_BATCH
        params.n_ubatch = N_BATCH
        params.n_seq_max = n_seq + HOLDERS
        # no flash attention: on the CPU it splits a query's cells into blocks whose bounds
        # follow the longest sequence in the step, so rounding followed the batch companions
        params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        # a cache of its own for each sequence (n_ctx / n_seq_max cells each): in one shared
        # cache a sequence's cells lie where its companions left room, and attention sums
        # them in cell order, so the same story rounded differently beside other stories.
        # The shared beginnings are copied from their holders' caches (llama_memory_seq_cp).
        params.kv_unified = False
        params.n_threads = params.n_threads_batch = threads
        self.threads = threads
        self.ctx = llama_cpp.llama_init_from_model(llm._model.model, params)
        if not self.ctx:
            raise ModelError(f"llama.cpp could not make a context for {n_seq} sequences")
        self.mem = llama_cpp.llama_get_memory(self.ctx)
        self.vocab = llm._model.vocab
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.batch = llama_cpp.llama_batch_init(N_BATCH, 0, 1)
        self.repeat_penalty = 1.0
        self.penalty32 = np.float32(1.0)
        self.last_stats: dict[str, float] = {}
        self.held: dict[tuple[int, ...], int] = {}  # shared beginnings -> holder sequence

    def close(self) -> None:
        if self.ctx:
            self._lib.llama_batch_free(self.batch)
            self._lib.llama_free(self.ctx)
            self.ctx = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def set_threads(self, threads: int) -> None:
        if threads != self.threads:
            self._lib.llama_set_n_threads(self.ctx, threads, threads)
            self.threads = threads

    # the batch ---------------------------------------------------------------------------
    def _add(self, token: int, pos: int, seq: int, logits: bool) -> None:
        b = self.batch
        i = b.n_tokens
        b.token[i] = token
        b.pos[i] = pos
        b.n_seq_id[i] = 1
        b.seq_id[i][0] = seq
        b.logits[i] = 1 if logits else 0
        b.n_tokens = i + 1

    def _decode(self) -> None:
        if self.batch.n_tokens:
            rc = self._lib.llama_decode(self.ctx, self.batch)
            if rc != 0:
                raise RuntimeError(f"llama_decode returned {rc}")
        self.batch.n_tokens = 0

    # reading the prompts -----------------------------------------------------------------
    def _hold(self, prefix: list[int], tick: Callable[[], None] | None = None) -> int:
        """The holder sequence of `prefix`, read from position 0 the first time (always in the
        same chunks, so its values do not depend on what was read before)."""
        key = tuple(prefix)
        if key in self.held:
            self.held[key] = self.held.pop(key)  # most recently used last
            return self.held[key]
        if len(self.held) == HOLDERS:
            oldest = next(iter(self.held))
            seq = self.held.pop(oldest)
            self._lib.llama_memory_seq_rm(self.mem, seq, -1, -1)
        else:
            seq = self.n_seq + len(self.held)
        self._read(prefix, 0, seq, tick)
        self.held[key] = seq
        return seq

    def _read(
        self, tokens: Sequence[int], start: int, seq: int, tick: Callable[[], None] | None = None
    ) -> None:
        """Tokens into sequence `seq` from position `start`, without logits, in chunks that
        depend on this sequence alone (READ_CHUNK tokens, `tick` between two)."""
        for i in range(0, len(tokens), READ_CHUNK):
            if tick is not None:
                tick()
            for j, token in enumerate(tokens[i : i + READ_CHUNK]):
                self._add(token, start + i + j, seq, False)
            self._decode()

    def _read_prompts(
        self, seqs: list[_Seq], prefixes: list[int], tick: Callable[[], None] | None = None
    ) -> dict[int, int]:
        """Every prompt but its last token into its sequence, the shared beginning copied from
        its holder; then all the last tokens in one batch. The batch row of each one's logits."""
        lib, mem = self._lib, self.mem
        for k in range(self.n_seq):
            lib.llama_memory_seq_rm(mem, k, -1, -1)
        for k, (s, n) in enumerate(zip(seqs, prefixes, strict=True)):
            n = min(n, len(s.prompt) - 1)
            if n > 0:
                lib.llama_memory_seq_cp(mem, self._hold(s.prompt[:n], tick), k, -1, -1)
            self._read(s.prompt[n:-1], n, k, tick)
        rows = {}
        for k, s in enumerate(seqs):
            rows[k] = self.batch.n_tokens
            self._add(s.prompt[-1], len(s.prompt) - 1, k, True)
        self._decode()
        return rows

    # decoding ----------------------------------------------------------------------------
    def _next(self, s: _Seq, row: int) -> int:
        logits = np.ctypeslib.as_array(
            self._lib.llama_get_logits_ith(self.ctx, row), shape=(self.n_vocab,)
        ).copy()
        if s.guard is not None:
            for token, penalty in s.guard.penalties(s.reply).items():
                logits[token] -= penalty
        if self.repeat_penalty != 1.0 and s.reply:
            seen = np.unique(np.array(s.reply[-REPEAT_LAST_N:], dtype=np.int64))
            v = logits[seen]
            logits[seen] = np.where(v <= 0, v * self.penalty32, v / self.penalty32)
        return int(np.argmax(logits))

    def run(
        self,
        prompts: Sequence[list[int]],
        limits: Sequence[int],
        guards: Sequence[CopyGuard | None],
        prefixes: Sequence[int],
        repeat_penalty: float,
        tick: Callable[[], None] | None = None,
    ) -> list[list[int]]:
        """Each prompt's greedy reply, as token ids (the end-of-generation token left out).
        `prefixes`: how many tokens of each prompt are a beginning that other prompts share
        (read once, held for later calls). `tick` is called between two decoding steps (the
        thread count may change there: it does not change the logits)."""
        if len(prompts) > self.n_seq:
            raise ValueError(f"{len(prompts)} prompts for {self.n_seq} sequences")
        self.repeat_penalty = repeat_penalty
        self.penalty32 = np.float32(repeat_penalty)
        seqs = [_Seq(list(p), n, g) for p, n, g in zip(prompts, limits, guards, strict=True)]
        started = time.perf_counter()
        rows = self._read_prompts(seqs, list(prefixes), tick)
        read = time.perf_counter()
        steps = 0
        lib = self._lib
        while True:
            for k, s in enumerate(seqs):
                if s.done:
                    continue
                token = self._next(s, rows[k])
                if lib.llama_vocab_is_eog(self.vocab, token):
                    s.done = True
                    continue
                s.reply.append(token)
                if len(s.reply) >= s.limit:
                    s.done = True
            live = [k for k, s in enumerate(seqs) if not s.done]
            if not live:
                break
            rows = {}
            for k in live:
                s = seqs[k]
                rows[k] = self.batch.n_tokens
                self._add(s.reply[-1], len(s.prompt) + len(s.reply) - 1, k, True)
            if tick is not None:
                tick()
            self._decode()
            steps += 1
        self.last_stats = {
            "read_s": read - started,
            "decode_s": time.perf_counter() - read,
            "steps": steps,
            "new_tokens": sum(len(s.reply) for s in seqs),
        }
        return [s.reply for s in seqs]
