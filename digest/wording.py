"""A sentence's own wording: faults no evidence is needed to see.

A reworded sentence that has lost its way says part of itself twice ("While the Dodsons claim
the foundation is working as intended, the developer insists that the foundation is working as
intended"), read in the briefs of Multi-News train. `claims.mismatches` names it to the model,
which is asked once to mend it.
"""

from __future__ import annotations

import re

# Words that carry no content: a run of them said twice is grammar, not a garbled sentence.
FUNCTION_WORDS = {
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as", "and",
    "or", "but", "that", "which", "who", "is", "are", "was", "were", "be", "been", "has", "have",
    "had", "it", "its", "he", "she", "they", "his", "her", "their", "this", "these", "said",
    "says", "not", "will", "would", "more", "than", "many", "about", "after", "before", "also",
    "could", "should", "there", "then", "into", "over", "being", "what", "when",
}  # fmt: skip
REPEAT_RUN = 4  # words


def repeated_run(text: str) -> str | None:
    """The longest run, of REPEAT_RUN words or more with two content words, that `text` says
    twice, or None. The caller leaves out quotations: a chant may repeat itself."""
    words = [w.lower() for w in re.findall(r"[\w'’-]+", text)]
    first: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - REPEAT_RUN + 1):
        run = tuple(words[i : i + REPEAT_RUN])
        if sum(w not in FUNCTION_WORDS for w in run) < 2:
            continue
        if run in first and first[run] + REPEAT_RUN <= i:
            j, n = first[run], REPEAT_RUN  # the whole run, for the model to be told
            while i + n < len(words) and j + n < i and words[j + n] == words[i + n]:
                n += 1
            while j > 0 and j + n < i and words[j - 1] == words[i - 1]:
                i, j, n = i - 1, j - 1, n + 1
            return " ".join(words[i : i + n])
        first.setdefault(run, i)
    return None
