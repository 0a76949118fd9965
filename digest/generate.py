"""Text generation: the summarizer's model behind a one-method interface.

`Generator.generate(messages)` takes chat messages and returns the model's reply. Heavy imports
(torch, transformers) happen only inside the adapters, when a model is first used.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class Generator(Protocol):
    def generate(self, messages: list[Message], max_new_tokens: int) -> str:
        """Greedy (deterministic) reply of the model to the chat `messages`."""
        ...
