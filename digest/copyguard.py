"""Copy guard: decoding that writes in its own words instead of copying its sources.

A small instruction model asked to merge news reports copies them: greedy decoding follows the
most likely path, and the most likely continuation of a source's words is the rest of the
source sentence. The guard lowers the score of a next token that would extend a run of
`span` or more tokens copied from the source text, so the model must reword once a run gets
long; the reply's own earlier tokens count as source too, so it cannot fall into a loop of its
own sentences instead. Names and figures are exempt (a token that starts with a capital letter or a digit, and
the rest of such a word), and so is everything inside a quotation, which must stay exact: the
checks (cite.py) still hold every name, number and quotation to the sources.

Pure Python over token ids; each backend applies `penalised()` to its logits. Deterministic:
the same prompt gives the same reply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# Measured on Multi-News train (docs/briefs.md): span 4 / penalty 6 gave 34% new bigrams and
# ROUGE-1 40.9, span 6 / penalty 5 20% and 45.5, but the harder the push, the more often the
# model rewords a fact into a different one (read in the briefs: a "no effect" moved to the
# other half of a sentence); span 8 / penalty 4 merges and shortens more than it paraphrases.
SPAN = 8  # tokens: a copied run may reach SPAN - 1 tokens before the guard pushes back
PENALTY = 4.0  # subtracted from the logit of each token that would extend a longer run
# and this much more for each token the run already has beyond SPAN - 1: a gentle push lets
# a confident model copy a 30-word sentence whole (read in the validation briefs), a growing
# one makes it leave the source within a few tokens of the span (0: a flat penalty)
GROWTH = 1.0


class CopyGuard:
    """Which next tokens would extend a copied run, given the tokens generated so far."""

    def __init__(
        self,
        source: Sequence[int],
        text_of: Callable[[int], str],
        span: int | None = None,
        penalty: float | None = None,
        growth: float | None = None,
    ):
        self.span = SPAN if span is None else span  # read here, so a benchmark can set them
        self.penalty = PENALTY if penalty is None else penalty
        self.growth = GROWTH if growth is None else growth
        self._text_of = text_of
        self._texts: dict[int, str] = {}
        self._source = list(source)
        # (span - 1 tokens) -> where they start in the source (each followed by a token)
        self._at: dict[tuple[int, ...], list[int]] = {}
        k = self.span - 1
        for i in range(len(self._source) - k):
            self._at.setdefault(tuple(self._source[i : i + k]), []).append(i)

    def text(self, token: int) -> str:
        if token not in self._texts:
            self._texts[token] = self._text_of(token)
        return self._texts[token]

    def penalised(self, generated: Sequence[int]) -> list[int]:
        """The next tokens to push back after `generated` (the reply so far)."""
        return sorted(self.penalties(generated))

    def penalties(self, generated: Sequence[int]) -> dict[int, float]:
        """What to subtract from the logit of each next token that would extend a copied run
        after `generated` (the reply so far): `penalty`, and `growth` more for each token the
        run has beyond `span` - 1."""
        k = self.span - 1
        if len(generated) < k:
            return {}
        generated = list(generated)
        tail = tuple(generated[-k:])
        runs: dict[int, int] = {}  # next token -> the longest run it would extend
        for i in self._at.get(tail, ()):
            _longest(runs, self._source[i + k], _back(self._source, i, generated, k))
        # the reply itself is a source too: no loops of its own sentences
        for i in range(len(generated) - k):
            if tuple(generated[i : i + k]) == tail:
                _longest(runs, generated[i + k], _back(generated, i, generated, k))
        if not runs:
            return {}
        written = "".join(self.text(t) for t in generated[-64:])
        if _inside_quotation("".join(self.text(t) for t in generated)):
            return {}
        word = written.rsplit(None, 1)[-1] if written.strip() and not written[-1].isspace() else ""
        out = {}
        for token, run in runs.items():
            piece = self.text(token)
            head = piece.lstrip()
            if head[:1].isupper() or head[:1].isdigit():
                continue  # a name or a figure: copied as it is
            if piece[:1] not in (" ", "\n") and (word[:1].isupper() or word[:1].isdigit()):
                continue  # the rest of a name or figure already begun
            out[token] = self.penalty + self.growth * (run - k)
        return out


def _back(tokens: list[int], start: int, generated: list[int], k: int, limit: int = 64) -> int:
    """How long the run is that ends with the reply's last k tokens, matched at `start` in
    `tokens`: k, and as many more as agree going back (at most `limit`)."""
    j = 0
    while (
        j < limit
        and start - 1 - j >= 0
        and len(generated) - k - 1 - j >= 0
        and tokens[start - 1 - j] == generated[len(generated) - k - 1 - j]
    ):
        j += 1
    return k + j


def _longest(runs: dict[int, int], token: int, run: int) -> None:
    runs[token] = max(run, runs.get(token, 0))


def _inside_quotation(text: str) -> bool:
    return (text.count('"') + text.count("“") + text.count("”")) % 2 == 1
