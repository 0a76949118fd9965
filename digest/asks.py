"""The model calls of brief writing, one at a time or in batches.

`BriefWriter._writing` (summarize.py) writes one brief as a generator that yields each model
call it needs (an `Ask`) and is sent the reply. `one` answers them with `Generator.generate`;
`many` runs several briefs in step and answers each round's calls of all of them with one
`Generator.generate_batch`: every story's notes together, then the rewrites of those that need
one. A failed call is noted on its story and answered None (the brief falls back to source
sentences); a model that cannot be loaded (ModelError) stops the run.
"""

from __future__ import annotations

import logging
from collections.abc import Generator as Generator_
from collections.abc import Sequence
from typing import NamedTuple, TypeVar

from .errors import ModelError
from .generate import Generator, Message, Request
from .records import Article

log = logging.getLogger(__name__)

T = TypeVar("T")


class StoryInput(NamedTuple):
    """What `BriefWriter.write` takes, for `BriefWriter.write_many`."""

    story_id: str
    articles: list[Article]
    version: int
    updated: str


class Ask(NamedTuple):
    """A model call a brief needs, and its story's notes (where a failure is told)."""

    messages: list[Message]
    max_new_tokens: int
    avoid: str
    notes: list[str]


Steps = Generator_[Ask, "str | None", T]


def one(steps: Steps[T], generator: Generator | None) -> T:
    """Run one brief's steps, each model call on its own."""
    reply: str | None = None
    while True:
        try:
            ask = steps.send(reply)
        except StopIteration as done:
            return done.value
        reply = _answer([ask], generator, batch=False)[0]


def many(all_steps: Sequence[Steps[T]], generator: Generator | None) -> list[T]:
    """Run several briefs' steps in step, each round's model calls as one batch."""
    results: dict[int, T] = {}
    replies: dict[int, str | None] = {k: None for k in range(len(all_steps))}
    while replies:
        waiting: dict[int, Ask] = {}
        for k, reply in replies.items():
            try:
                waiting[k] = all_steps[k].send(reply)
            except StopIteration as done:
                results[k] = done.value
        order = sorted(waiting)
        answers = _answer([waiting[k] for k in order], generator, batch=True)
        replies = dict(zip(order, answers, strict=True))
    return [results[k] for k in range(len(all_steps))]


def _answer(asks: list[Ask], generator: Generator | None, batch: bool) -> list[str | None]:
    if not asks:
        return []
    if generator is None:
        return [None] * len(asks)
    try:
        if not batch:
            a = asks[0]
            return [generator.generate(a.messages, a.max_new_tokens, avoid=a.avoid)]
        requests = [Request(a.messages, a.max_new_tokens, a.avoid) for a in asks]
        return list(generator.generate_batch(requests))
    except ModelError:
        raise  # a model that cannot be loaded is the user's to fix, not this story's failure
    except Exception as e:  # a model failure must not lose the story: fall back
        log.warning("Summarize - the model failed (%s); using source sentences", e)
        for a in asks:
            a.notes.append(f"model failed: {e}")
        return [None] * len(asks)
