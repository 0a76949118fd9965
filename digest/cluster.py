"""Clustering stage: which story does each new article belong to?

Incremental by design: a run compares its new articles with the centroids of existing stories
(one vector per story), never with all old articles, so the cost of a run grows with the number
of new articles and live stories, not with the archive. New articles that join no story are
then clustered among themselves and become new stories.

An article's similarity to a story is one score from several signals (`Weights`): the cosine of
the dense embeddings (title + lead), plus weighted cosines of their hashed term and named-entity
vectors (digest/signals.py), minus a penalty that grows with the time between them. Weights and
threshold were chosen on Multi-News train (docs/clustering.md). Without term or entity vectors
the score is the dense cosine alone.

Pure numpy/scipy; vectors come from the embedding stage (rows L2-normalised).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from .chunked import assign_chunked
from .scoring import (
    Rows,
    Scorer,
    Signals,
    Weights,
    cluster_new,
    seconds,
    sorted_stories,
    story_rows,
    unit,
    utc,
)
from .signals import Sparse, matrix

__all__ = [
    "CHUNK",
    "Signals",
    "StoryVector",
    "Weights",
    "assign",
    "embedding_text",
    "lead_words",
    "story_vector",
]

# Articles are embedded as title + lead: the lead carries the event (who, what, where). On
# Multi-News validation longer leads scored better up to 200 words, which mostly fills MiniLM's
# 256 word pieces (the model truncates the rest); the mean of chunk embeddings over the first
# 512 or 1000 words scored no better at 2-5x the embedding time (docs/clustering.md).
LEAD_WORDS = 200
# multilingual-e5-small (the default) reads up to 512 word pieces, and twice MiniLM's layers:
# at 100 lead words it embeds Multi-News 2.5 times as fast as at 200 (44.4 against 17.7
# articles/s) and clusters as well (validation BCubed F1 0.864 against 0.865 at its settings;
# the cross-language fixtures 1.000 at both; at 64 words 0.855). docs/clustering.md.
LEAD_WORDS_OF = {"multilingual-e5-small": 100}


def lead_words(model: str) -> int:
    """How many words of an article's lead `model` embeds, after the title."""
    return LEAD_WORDS_OF.get(model, LEAD_WORDS)


# Lines shorter than this (in words) are skipped when picking the lead: they are mostly page
# furniture ("Advertisement", "Story Continued Below", "share tweet pin email", datelines).
_MIN_LINE_WORDS = 4

# A run that brings more new articles than this is processed in chunks of at most this many, in
# publication-time order, each chunk as a run of its own against the stories known so far
# (including those formed by earlier chunks). Average linkage needs the full pairwise matrix of
# the articles it clusters: a chunk bounds it (2,000: 32 MB, under a second on 2 cores) where
# 100,000 at once would need 80 GB (docs/clustering.md).
CHUNK = 2000


@dataclass
class StoryVector:
    story_id: str
    centroid: np.ndarray  # L2-normalised mean of its articles' vectors
    size: int
    first_time: datetime | None  # earliest publication time of its articles (UTC, aware)
    last_time: datetime | None
    terms: Sparse | None = None  # L2-normalised sum of its articles' term vectors
    entities: Sparse | None = None  # the same for their named-entity vectors
    # unit mean of the articles that founded it (its first run), kept as it was: the drift guard
    anchor: np.ndarray | None = None


def embedding_text(title: str, text: str, max_words: int = LEAD_WORDS) -> str:
    """What we embed for an article: its title, then the first `max_words` words of its lead.

    Short lines (page furniture) are skipped; the title is not repeated when the text starts
    with it.
    """
    title = " ".join(title.split())
    lines = [" ".join(line.split()) for line in text.splitlines()]
    kept = [line for line in lines if len(line.split()) >= _MIN_LINE_WORDS]
    if not kept:  # a text of short lines only: better the lines than nothing
        kept = [line for line in lines if line]
    words = " ".join(kept).split()
    if title and _norm(" ".join(words[: len(title.split())])) == _norm(title):
        words = words[len(title.split()) :]
    lead = " ".join(words[:max_words])
    return f"{title}\n{lead}".strip() if title else lead


def _norm(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().lower()


def story_vector(
    story_id: str,
    vectors: np.ndarray,
    times: list[datetime | None] | None = None,
    terms: list[Sparse] | None = None,
    entities: list[Sparse] | None = None,
) -> StoryVector:
    """The StoryVector of a story, from all its articles' vectors (exact; the store may cache it)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) == 0:
        raise ValueError("a story needs at least one article vector")
    known = [t for t in (utc(t) for t in (times or [])) if t is not None]
    return StoryVector(
        story_id=story_id,
        centroid=unit(vectors.mean(axis=0)).astype(np.float32),
        size=len(vectors),
        first_time=min(known) if known else None,
        last_time=max(known) if known else None,
        terms=sparse_centroid(terms) if terms else None,
        entities=sparse_centroid(entities) if entities else None,
    )


def sparse_centroid(vectors: list[Sparse]) -> Sparse:
    """The L2-normalised sum of sparse vectors."""
    total = np.asarray(matrix(vectors).sum(axis=0)).ravel()
    index = np.flatnonzero(total).astype(np.int32)
    value = total[index]
    norm = np.linalg.norm(value)
    return Sparse(index, (value / norm if norm else value).astype(np.float32))


def assign(
    vectors: np.ndarray,
    times: list[datetime | None],
    stories: list[StoryVector],
    threshold: float,
    window_hours: float,
    *,
    signals: Signals | None = None,
    weights: Weights | None = None,
) -> list[str | int]:
    """For each new article: the story_id it joins, or an int label shared by the new articles
    that start a new story together.

    The score of an article against a story (or another article) is the cosine of their dense
    vectors, plus `weights.terms` x the cosine of their term vectors and `weights.entities` x
    that of their entity vectors (when `signals` has them; a story's are the normalised sums of
    its articles'), minus `weights.time` x (hours apart / `window_hours`), at most one window.

    1. Each article joins the existing story it scores highest with, if that score is at least
       `threshold` and the article was published within `window_hours` of the story's time span
       (unknown times never block).
    2. The rest are clustered among themselves: average-linkage agglomerative clustering, cut
       where the mean pairwise score falls below `threshold`; a group whose known times have a
       gap longer than `window_hours` is split there, as incremental runs would split it.

    New labels are numbered 0, 1, ... in order of each group's first article. The grouping does
    not depend on the order of the inputs (up to exact ties in score).

    More than `CHUNK` new articles are processed in chunks, in publication-time order (articles
    with no time last), each chunk exactly as above against the existing stories and the new
    stories of earlier chunks, whose centroids and time spans are updated between chunks: what
    the service would have done had the articles arrived over time (digest/chunked.py).
    """
    vectors = np.asarray(vectors)
    n = len(vectors)
    if len(times) != n:
        raise ValueError(f"{n} vectors but {len(times)} times")
    if n == 0:
        return []
    weights = weights or Weights()
    rows = Rows.make(vectors, seconds(times), signals, weights)
    scorer = Scorer(weights, float(window_hours) * 3600.0, threshold)
    if n > CHUNK:  # rows made float64 and unit a chunk at a time: no float64 copy of them all
        return assign_chunked(rows, stories, scorer, CHUNK)
    rows = rows.take(np.arange(n))

    out: list[str | int | None] = [None] * n
    if stories:
        for i, story_id in _join_existing(rows, stories, scorer).items():
            out[i] = story_id

    rest = np.array([i for i in range(n) if out[i] is None], dtype=np.intp)
    groups = cluster_new(rows.take(rest), scorer)
    labels: dict[int, int] = {}
    for i, g in zip(rest.tolist(), groups.tolist(), strict=True):
        out[i] = labels.setdefault(g, len(labels))
    return out  # type: ignore[return-value]  # every slot is filled above


def _join_existing(rows: Rows, stories: list[StoryVector], scorer: Scorer) -> dict[int, str]:
    """Article index -> story_id for the articles that join an existing story.

    O(new x stories x dim) time in blocks of rows, O(block x stories) memory.
    """
    stories = sorted_stories(stories)
    at, window = rows.first, scorer.window
    if not np.isnan(at).any():
        # Stories out of reach of every new article's time are left out before the product:
        # the same result (they could not be joined), at a cost that follows the live stories,
        # not the archive. Stories of unknown time stay (NaN compares False).
        first = seconds([s.first_time for s in stories]) - window
        last = seconds([s.last_time for s in stories]) + window
        out = (last < at.min()) | (first > at.max())
        if out.any():
            keep = np.flatnonzero(~out)
            if len(keep) == 0:
                return {}
            stories = [stories[i] for i in keep]
    best = scorer.best(rows, story_rows(stories, rows))
    return {int(i): stories[best[i]].story_id for i in np.flatnonzero(best >= 0)}


def parse_time(value: str | None) -> datetime | None:
    """A publication time as an aware UTC datetime, or None when absent or unreadable."""
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)
