"""The brief's headline: the model's when the reports support it and it agrees with the lead,
else the title of the report nearest the story's event that can be a headline, else the lead's
first clause (summarize.BriefWriter)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from . import cite
from .config import Citations
from .plan import from_lead, headline_fit, tidy
from .records import Article, BriefSentence
from .wording import sentence_case

if TYPE_CHECKING:
    from .summarize import Story

HEADLINE_NEAR_TITLE = 0.6  # a headline this near a report's title agrees with the story


def headline(
    headline: str | None,
    out: list[BriefSentence],
    articles: list[Article],
    story: Story,
    notes: list[str],
    citations: Citations,
) -> str:
    """The model's headline when the sources support it and it agrees with the lead (it
    shares a name or figure with the lead, or is near it in meaning); else the title of
    the report nearest the story's event."""
    titles = [a.title for a in articles]
    tvec = story.embedder.embed(titles)
    if headline and out and 3 <= len(headline.split()) <= 16:
        v = story.vocabulary
        headline = sentence_case(headline, v.lowercase, v.aliases.keys())
        vec, lead = story.embedder.embed([headline, out[0].text])
        s = cite.support(
            vec,
            headline,
            story.sentences,
            story.vectors,
            min_similarity=citations.min_similarity * 0.8,
            support_similarity=citations.support_similarity * 0.8,
            vocabulary=story.vocabulary,
        )
        terms = set(cite.key_terms(headline, story.vocabulary.lowercase))
        lead_terms = set(cite.key_terms(out[0].text, story.vocabulary.lowercase))
        # it shares a name or figure with the lead, or is near the lead or a report's title
        agrees = (
            bool(terms & lead_terms)
            or float(vec @ lead) >= 0.5
            or float(np.max(tvec @ vec)) >= HEADLINE_NEAR_TITLE
        )
        # names spelt as the reports spell them ("Sarvonae" shares a stem with "Sarvonia")
        said = " ".join(titles + [x.text for x in story.sentences]).lower()
        misspelt = [t for t in terms if t.isalpha() and t not in re.findall(r"[^\W\d_]+", said)]
        if s.supported and agrees and not misspelt:
            return headline.rstrip(".")
        notes.append(f"replaced unsupported headline: {headline}")
    event = story.vectors[story.facts[0].index] if story.facts else story.vectors.mean(axis=0)
    # a title that can be a headline, then one of headline length and not cut off
    fit = [headline_fit(t, story.vocabulary.lowercase) for t in titles]
    short = [bool(f) and len(f.split()) <= 16 and not f.endswith(("…", "...")) for f in fit]
    best = int(np.argmax(tvec @ event + np.array(short) + 2 * np.array([bool(f) for f in fit])))
    # no title fits: the lead's first clause, else the nearest title, its dateline cut
    return fit[best] or from_lead(tidy(titles[best]), out[0].text if out else None)
