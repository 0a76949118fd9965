"""A quotation as the reports give it, word for word.

A quotation in a brief must be the speaker's words exactly (`claims`): a model sentence whose
quotation lost or gained a word ('called it "the most epic vehicle jump ever"' where the report
quotes "most epic vehicle jump ever", validation cluster 170; "I've a ton of ideas" for "I have a
ton of ideas", 172) failed the check and was replaced whole by a report's sentence, losing the
model's wording of everything around it. Here such a quotation is put back in the words of the
nearest quotation of the reports (at least 0.8 of its words in common, in order) before the
sentence is checked, so only the quotation becomes the report's. A quotation no report has
anything near stays as written, and the check then fails it as before.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

_QUOTED = re.compile(r"([\"“])([^\"“”]{3,}?)([\"”])")
NEAR = 0.8  # share of words in common, in order (difflib's ratio over words)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower().replace("’", "'"))


def mend(texts: list[str], sources: list[str]) -> list[str]:
    """`texts` with each quotation that no source has word for word replaced by the nearest
    quotation of the `sources`, when one is near enough (above)."""
    if not any('"' in t or "“" in t for t in texts):
        return texts
    said = " " + " ".join(_words(" ".join(sources))) + " "
    spans = {m.group(2).strip() for s in sources for m in _QUOTED.finditer(s)}

    def fix(m: re.Match) -> str:
        words = _words(m.group(2))
        if not words or f" {' '.join(words)} " in said:
            return m.group(0)
        scored = [(SequenceMatcher(None, words, _words(s)).ratio(), s) for s in spans]
        ratio, best = max(scored, default=(0.0, ""))
        if ratio < NEAR:
            return m.group(0)
        end = m.group(2)[len(m.group(2).rstrip(",.;:!?")) :]  # keep the model's closing comma
        return f"{m.group(1)}{best.rstrip(',.;:')}{end}{m.group(3)}"

    return [_QUOTED.sub(fix, t) for t in texts]
