"""Deterministic stand-ins that keep unit tests fast. Every behaviour they stand in for is also
tested with the real models (tests/test_end_to_end.py, tests/test_generate.py)."""

from __future__ import annotations

import re

from digest.prompt import COPIED


def gives_back(messages) -> str | None:
    """For a request for facts the model left out (every problem is `COPIED`), each draft
    given back unchanged (so the reports' wording is published, as before that request
    existed); else None."""
    text = messages[-1]["content"]
    problems = re.findall(r"^   Problem: (.*)$", text, re.M)
    if not problems or any(p != f"{COPIED}." for p in problems):
        return None
    return "\n".join(f"{n}. {d}" for n, d in re.findall(r"^(\d+)\. Draft: (.*)$", text, re.M))


class Batching:
    """generate_batch for a fake: one generate after another, each batch's size recorded."""

    def generate_batch(self, requests):
        self.batches = getattr(self, "batches", []) + [len(requests)]
        return [self.generate(r.messages, r.max_new_tokens, r.avoid) for r in requests]


class EchoFacts(Batching):
    """A 'model' that restates the first numbered facts of the prompt verbatim."""

    def __init__(self, facts: int = 3):
        self.facts = facts
        self.calls = 0

    def generate(self, messages, max_new_tokens, avoid=""):
        self.calls += 1
        if (same := gives_back(messages)) is not None:
            return same
        facts = [
            ln.split(". ", 1)[1]
            for ln in messages[-1]["content"].splitlines()
            if ln[:1].isdigit() and ". " in ln
        ][: self.facts]
        assert facts, "the prompt lists no numbered facts"
        headline = " ".join(facts[0].split()[:8]).rstrip(".,")
        return f"Headline: {headline}\n" + "\n".join(f"{n}. {f}" for n, f in enumerate(facts, 1))


class Refuses(Batching):
    """A generator that must not be called."""

    def generate(self, messages, max_new_tokens, avoid=""):
        raise AssertionError("the model was called")


class CountingEmbedder:
    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        return self.inner.embed(texts)
