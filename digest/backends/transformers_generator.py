"""The transformers generator: a Hugging Face causal-LM folder (the one `digest prepare` makes
from the GGUF file, or any local model folder), on a CPU or a CUDA GPU.
`[summarizer] backend = "transformers"`."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..copyguard import CopyGuard
from ..errors import ModelError
from ..generate import REPETITION_PENALTY
from ..prepare import PREPARE_COMMAND

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..generate import Message, Request

log = logging.getLogger(__name__)


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

        from ..embed import resolve_device

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

    def generate_batch(self, requests: Sequence[Request]) -> list[str]:
        """One request after another: batching with padding is not built for this backend."""
        return [self.generate(r.messages, r.max_new_tokens, r.avoid) for r in requests]

    def generate(self, messages: list[Message], max_new_tokens: int, avoid: str = "") -> str:
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
        processors = []
        if avoid:
            guard = CopyGuard(
                tokenizer(avoid, add_special_tokens=False)["input_ids"],
                lambda t: tokenizer.decode([t]),
            )
            processors.append(_TorchGuard(guard, prompt_tokens))
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
                logits_processor=processors or None,
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


class _TorchGuard:
    """The copy guard as a transformers logits processor (one sequence)."""

    def __init__(self, guard: CopyGuard, prompt_tokens: int):
        self.guard, self.prompt_tokens = guard, prompt_tokens

    def __call__(self, input_ids, scores):
        for token, penalty in self.guard.penalties(
            input_ids[0, self.prompt_tokens :].tolist()
        ).items():
            scores[0, token] -= penalty
        return scores


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
