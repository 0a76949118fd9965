"""Deterministic stand-ins that keep unit tests fast. Every behaviour they stand in for is also
tested with the real models (tests/test_end_to_end.py, tests/test_generate.py)."""

from __future__ import annotations


class EchoFacts:
    """A 'model' that writes its brief by restating the first facts of the prompt verbatim."""

    def __init__(self, facts: int = 3):
        self.facts = facts
        self.calls = 0

    def generate(self, messages, max_new_tokens):
        self.calls += 1
        lines = [l[2:] for l in messages[-1]["content"].splitlines() if l.startswith("- ")]
        headline = " ".join(lines[0].split()[:8]).rstrip(".,")
        return f"Headline: {headline}\nBrief: " + " ".join(lines[: self.facts])


class Refuses:
    """A generator that must not be called."""

    def generate(self, messages, max_new_tokens):
        raise AssertionError("the model was called")


class CountingEmbedder:
    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        return self.inner.embed(texts)
