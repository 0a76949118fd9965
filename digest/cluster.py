"""Clustering stage: which story does each new article belong to?

Incremental by design: a run compares its new articles with the centroids of existing stories
(one vector per story), never with all old articles, so the cost of a run grows with the number
of new articles and live stories, not with the archive. New articles that join no story are
then clustered among themselves and become new stories.

Pure numpy/scipy; vectors come from the embedding stage (rows L2-normalised).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

# Articles are embedded as title + lead: the lead carries the event (who, what, where). On
# Multi-News validation longer leads scored better up to 200 words, which mostly fills MiniLM's
# 256 word pieces (the model truncates the rest); the mean of chunk embeddings over the first
# 512 or 1000 words scored no better at 2-5x the embedding time (docs/clustering.md).
LEAD_WORDS = 200

# Lines shorter than this (in words) are skipped when picking the lead: they are mostly page
# furniture ("Advertisement", "Story Continued Below", "share tweet pin email", datelines).
_MIN_LINE_WORDS = 4

# Article rows are compared with story centroids in blocks of this many rows, so memory stays
# bounded (block x stories floats: 200 MB for 50,000 stories) however many articles a run brings.
_BLOCK = 512

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
    story_id: str, vectors: np.ndarray, times: list[datetime | None] | None = None
) -> StoryVector:
    """The StoryVector of a story, from all its articles' vectors (exact; the store may cache it)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) == 0:
        raise ValueError("a story needs at least one article vector")
    known = [t for t in (_utc(t) for t in (times or [])) if t is not None]
    return StoryVector(
        story_id=story_id,
        centroid=_unit(vectors.mean(axis=0)).astype(np.float32),
        size=len(vectors),
        first_time=min(known) if known else None,
        last_time=max(known) if known else None,
    )


def assign(
    vectors: np.ndarray,
    times: list[datetime | None],
    stories: list[StoryVector],
    threshold: float,
    window_hours: float,
) -> list[str | int]:
    """For each new article: the story_id it joins, or an int label shared by the new articles
    that start a new story together.

    1. Each article joins the existing story whose centroid is most similar (cosine), if that
       similarity is at least `threshold` and the article was published within `window_hours`
       of the story's time span (unknown times never block).
    2. The rest are clustered among themselves: average-linkage agglomerative clustering, cut
       where the mean pairwise similarity falls below `threshold`; a group whose known times
       have a gap longer than `window_hours` is split there, as incremental runs would split it.

    New labels are numbered 0, 1, ... in order of each group's first article. The grouping does
    not depend on the order of the inputs (up to exact ties in similarity).

    More than `CHUNK` new articles are processed in chunks, in publication-time order (articles
    with no time last), each chunk exactly as above against the existing stories and the new
    stories of earlier chunks, whose centroids and time spans are updated between chunks: what
    the service would have done had the articles arrived over time (`_assign_chunked`).
    """
    vectors = np.asarray(vectors)
    n = len(vectors)
    if len(times) != n:
        raise ValueError(f"{n} vectors but {len(times)} times")
    if n == 0:
        return []
    seconds = _seconds(times)
    window = float(window_hours) * 3600.0
    if n > CHUNK:  # rows made float64 and unit a chunk at a time: no float64 copy of them all
        return _assign_chunked(vectors, seconds, stories, threshold, window)
    vectors = _unit(np.asarray(vectors, dtype=np.float64))

    out: list[str | int | None] = [None] * n
    if stories:
        for i, story_id in _join_existing(vectors, seconds, stories, threshold, window).items():
            out[i] = story_id

    rest = np.array([i for i in range(n) if out[i] is None], dtype=np.intp)
    groups = _cluster_new(vectors[rest], seconds[rest], threshold, window)
    labels: dict[int, int] = {}
    for i, g in zip(rest.tolist(), groups.tolist(), strict=True):
        out[i] = labels.setdefault(g, len(labels))
    return out  # type: ignore[return-value]  # every slot is filled above


def _join_existing(
    vectors: np.ndarray,
    seconds: np.ndarray,
    stories: list[StoryVector],
    threshold: float,
    window: float,
) -> dict[int, str]:
    """Article index -> story_id for the articles that join an existing story.

    O(new x stories x dim) time in blocks of rows, O(block x stories) memory.
    """
    stories = _sorted_stories(stories)
    first = _seconds([s.first_time for s in stories]) - window
    last = _seconds([s.last_time for s in stories]) + window
    if not np.isnan(seconds).any():
        # Stories out of reach of every new article's time are left out before the product:
        # the same result (they could not be joined), at a cost that follows the live stories,
        # not the archive. Stories of unknown time stay (NaN compares False).
        out = (last < seconds.min()) | (first > seconds.max())
        if out.any():
            keep = np.flatnonzero(~out)
            if len(keep) == 0:
                return {}
            stories = [stories[i] for i in keep]
            first, last = first[keep], last[keep]
    centroids = _unit(np.stack([np.asarray(s.centroid, dtype=np.float64) for s in stories]))
    best = _best_match(vectors, seconds, centroids, first, last, threshold)
    return {int(i): stories[best[i]].story_id for i in np.flatnonzero(best >= 0)}


def _sorted_stories(stories: list[StoryVector]) -> list[StoryVector]:
    ids = [s.story_id for s in stories]
    if len(set(ids)) != len(ids):
        raise ValueError("story ids must be unique")
    # sorted by id, so that a tie goes to the same story whatever order the store lists them in
    return sorted(stories, key=lambda s: s.story_id)


def _best_match(
    vectors: np.ndarray,
    seconds: np.ndarray,
    centroids: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    threshold: float,
) -> np.ndarray:
    """For each row, the index of the most similar centroid (the first on a tie) among those
    whose [first, last] (window included) holds the row's time, or -1 if below `threshold`."""
    best_all = np.full(len(vectors), -1, dtype=np.intp)
    for start in range(0, len(vectors), _BLOCK):
        sims = vectors[start : start + _BLOCK] @ centroids.T
        t = seconds[start : start + _BLOCK, None]
        # NaN (an unknown time) compares False, so it never blocks
        sims[(t < first[None, :]) | (t > last[None, :])] = -np.inf
        best = sims.argmax(axis=1)
        ok = sims[np.arange(len(sims)), best] >= threshold
        best_all[start : start + len(sims)][ok] = best[ok]
    return best_all


def _assign_chunked(
    vectors: np.ndarray,
    seconds: np.ndarray,
    stories: list[StoryVector],
    threshold: float,
    window: float,
) -> list[str | int]:
    """`assign` for more than `CHUNK` new articles (rows as given, times in seconds, NaN unknown).

    The articles are sorted by time (no time last; ties broken by the vectors, so the result
    does not depend on the input order) and cut into equal chunks of at most `CHUNK`. Each chunk
    joins the known stories (existing ones and those formed by earlier chunks) by centroid as in
    `_join_existing`, then its other articles are clustered among themselves (`_cluster_new`)
    into new stories. Each story keeps the running sum of its members' vectors and its time
    span, updated after every chunk; an existing story's sum starts as size x centroid (the
    store keeps no mean norm, so its old articles weigh slightly more than an exact mean would
    give them). A chunk is compared only with the stories whose span, widened by the window,
    overlaps the chunk's time range (stories with no known time always, and every story when the
    chunk has an article with no time): the others could not be joined anyway, and leaving them
    out keeps the cost at chunks x stories-in-the-window rather than articles x all stories.
    """
    n, dim = vectors.shape
    stories = _sorted_stories(stories)
    n_existing = len(stories)
    pool = _StoryPool(dim, max(n_existing + n // 2, 16))
    if stories:
        sizes = np.array([max(s.size, 1) for s in stories], dtype=np.float64)
        centroids = _unit(np.stack([np.asarray(s.centroid, dtype=np.float64) for s in stories]))
        existing = pool.new(n_existing)
        pool.sums[existing] = centroids * sizes[:, None]
        pool.first[existing] = _seconds([s.first_time for s in stories])
        pool.last[existing] = _seconds([s.last_time for s in stories])

    # time order; NaN last; ties by the first vector components, then by input position
    tkey = np.where(np.isnan(seconds), np.inf, seconds)
    order = np.lexsort((vectors[:, 2 % dim], vectors[:, 1 % dim], vectors[:, 0], tkey))
    group = np.full(n, -1, dtype=np.intp)  # pool index of each article's story
    for idx in np.array_split(order, -(-n // CHUNK)):
        v, t = _unit(np.asarray(vectors[idx], dtype=np.float64)), seconds[idx]
        joined = np.full(len(idx), -1, dtype=np.intp)
        cand = pool.candidates(t, window)
        if len(cand):
            best = _best_match(
                v,
                t,
                _unit(pool.sums[cand]),
                pool.first[cand] - window,
                pool.last[cand] + window,
                threshold,
            )
            joined[best >= 0] = cand[best[best >= 0]]
        rest = np.flatnonzero(joined < 0)
        if len(rest):
            _, new = np.unique(
                _cluster_new(v[rest], t[rest], threshold, window), return_inverse=True
            )
            joined[rest] = pool.new(int(new.max()) + 1)[new.ravel()]
        pool.update(joined, v, t)
        group[idx] = joined

    out: list[str | int] = []
    labels: dict[int, int] = {}
    for g in group.tolist():
        out.append(stories[g].story_id if g < n_existing else labels.setdefault(g, len(labels)))
    return out


class _StoryPool:
    """The stories `_assign_chunked` knows: running vector sums and time spans, grown as needed."""

    def __init__(self, dim: int, capacity: int) -> None:
        self.size = 0
        self._sums = np.zeros((capacity, dim), dtype=np.float64)
        self._first = np.full(capacity, np.nan)
        self._last = np.full(capacity, np.nan)

    @property
    def sums(self) -> np.ndarray:
        return self._sums[: self.size]

    @property
    def first(self) -> np.ndarray:
        return self._first[: self.size]

    @property
    def last(self) -> np.ndarray:
        return self._last[: self.size]

    def new(self, k: int) -> np.ndarray:
        """Append k empty stories (zero sums, no times); returns their indices."""
        if self.size + k > len(self._sums):
            capacity = max(2 * len(self._sums), self.size + k)
            sums = np.zeros((capacity, self._sums.shape[1]), dtype=np.float64)
            sums[: self.size] = self.sums
            first, last = np.full(capacity, np.nan), np.full(capacity, np.nan)
            first[: self.size], last[: self.size] = self.first, self.last
            self._sums, self._first, self._last = sums, first, last
        self.size += k
        return np.arange(self.size - k, self.size)

    def update(self, members: np.ndarray, vectors: np.ndarray, seconds: np.ndarray) -> None:
        """Add articles (vectors, times) to the sums and spans of their stories (`members`)."""
        stories, inverse = np.unique(members, return_inverse=True)
        order = np.argsort(inverse.ravel(), kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(inverse.ravel()[order]) != 0])
        self._sums[stories] += np.add.reduceat(vectors[order], starts, axis=0)
        # fmin/fmax skip NaN: an unknown time leaves the span as it is
        self._first[stories] = np.fmin(
            self._first[stories], np.fmin.reduceat(seconds[order], starts)
        )
        self._last[stories] = np.fmax(self._last[stories], np.fmax.reduceat(seconds[order], starts))

    def candidates(self, seconds: np.ndarray, window: float) -> np.ndarray:
        """Indices of the stories that articles with these times could join (time-wise)."""
        if self.size == 0:
            return np.zeros(0, dtype=np.intp)
        if np.isnan(seconds).any():
            return np.arange(self.size)
        lo, hi = seconds.min() - window, seconds.max() + window
        # NaN spans compare False: such stories always qualify
        out = ~((self.last < lo) | (self.first > hi))
        return np.flatnonzero(out)


def _cluster_new(
    vectors: np.ndarray, seconds: np.ndarray, threshold: float, window: float
) -> np.ndarray:
    """Group labels (arbitrary ints) for articles that joined no existing story.

    Average linkage on the full pairwise matrix: O(n^2) memory and about O(n^2) time (scipy's
    nearest-neighbour chain), fine for a few thousand articles (5,000: ~0.4 GB, 2-4 s on 2 cores);
    `assign` never gives it more than `CHUNK` articles.
    """
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    if n == 1:
        return np.zeros(1, dtype=np.intp)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = vectors @ vectors.T
    dist += dist.T  # exactly symmetric (numpy copies the overlapping operand)
    np.subtract(1.0, dist / 2.0, out=dist)
    np.clip(dist, 0.0, 2.0, out=dist)  # rounding kept in range
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    # fcluster joins merges at height <= t: mean pairwise similarity >= threshold
    groups = fcluster(tree, t=1.0 - threshold, criterion="distance").astype(np.intp)
    return _split_by_time(vectors, seconds, groups, window)


def _split_by_time(
    vectors: np.ndarray, seconds: np.ndarray, groups: np.ndarray, window: float
) -> np.ndarray:
    """Split each group where consecutive known times are more than `window` apart.

    The same chain rule as incremental runs, where a story stays joinable while new articles
    fall within the window of its span. An article with no time goes to the part whose mean
    vector it is most similar to (the earliest part on a tie).
    """
    out = groups.copy()
    next_label = int(groups.max()) + 1
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        timed = members[~np.isnan(seconds[members])]
        if len(timed) < 2:
            continue
        timed = timed[np.argsort(seconds[timed], kind="stable")]
        cuts = np.flatnonzero(np.diff(seconds[timed]) > window) + 1
        if len(cuts) == 0:
            continue
        parts = np.split(timed, cuts)
        labels = [int(g)] + list(range(next_label, next_label + len(parts) - 1))
        next_label += len(parts) - 1
        for part, label in zip(parts, labels, strict=True):
            out[part] = label
        untimed = members[np.isnan(seconds[members])]
        if len(untimed):
            means = np.stack([vectors[part].mean(axis=0) for part in parts])
            best = (vectors[untimed] @ means.T).argmax(axis=1)
            out[untimed] = np.asarray(labels)[best]
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)  # a zero vector stays zero: similar to nothing


def _utc(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    # a naive time is taken as UTC rather than refused: sources often omit the zone
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _seconds(times: list[datetime | None]) -> np.ndarray:
    return np.array(
        [np.nan if t is None else _utc(t).timestamp() for t in times],  # type: ignore[union-attr]
        dtype=np.float64,
    )


def parse_time(value: str | None) -> datetime | None:
    """A publication time as an aware UTC datetime, or None when absent or unreadable."""
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)
