"""Large runs: more new articles than `digest.cluster.CHUNK`, assigned a chunk at a time.

What the service would have done had the articles arrived over time: each chunk, in time order,
joins the stories known so far (existing ones and those of earlier chunks) and clusters its
other articles into new stories; see `assign_chunked` and docs/clustering.md (step 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .scoring import Rows, Scorer, cluster_new, sorted_stories, story_rows, unit
from .signals import DIM

if TYPE_CHECKING:
    from .cluster import StoryVector


def assign_chunked(
    rows: Rows, stories: list[StoryVector], scorer: Scorer, chunk_size: int
) -> list[str | int]:
    """`assign` for more than `chunk_size` (`CHUNK`) new articles (rows as given, times in seconds, NaN unknown).

    The articles are sorted by time (no time last; ties broken by the vectors, so the result
    does not depend on the input order) and cut into equal chunks of at most `CHUNK`. Each chunk
    joins the known stories (existing ones and those formed by earlier chunks) by centroid as in
    `digest.cluster.assign`, then its other articles are clustered among themselves (`cluster_new`)
    into new stories. Each story keeps the running sum of its members' vectors (dense and
    sparse) and its time span, updated after every chunk; an existing story's sums start as
    size x centroid (the store keeps no mean norm, so its old articles weigh slightly more than
    an exact mean would give them). A chunk is compared only with the stories whose span,
    widened by the window, overlaps the chunk's time range (stories with no known time always,
    and every story when the chunk has an article with no time): the others could not be joined
    anyway, and leaving them out keeps the cost at chunks x stories-in-the-window rather than
    articles x all stories.
    """
    vectors, seconds, window = rows.dense, rows.first, scorer.window
    n, dim = vectors.shape
    stories = sorted_stories(stories)
    n_existing = len(stories)
    sparse = [name for name in ("terms", "entities") if getattr(rows, name) is not None]
    pool = StoryPool(dim, max(n_existing + n // 2, 16), sparse)
    if stories:
        known = story_rows(stories, rows)
        sizes = np.array([max(s.size, 1) for s in stories], dtype=np.float64)
        existing = pool.new(n_existing)
        pool.sums[existing] = known.dense * sizes[:, None]
        pool.anchors[existing] = known.anchor
        pool.first[existing] = known.first
        pool.last[existing] = known.last
        for name in sparse:
            from scipy.sparse import diags

            pool.sparse[name] = diags(sizes) @ getattr(known, name)

    # time order; NaN last; ties by the first vector components, then by input position
    tkey = np.where(np.isnan(seconds), np.inf, seconds)
    order = np.lexsort((vectors[:, 2 % dim], vectors[:, 1 % dim], vectors[:, 0], tkey))
    group = np.full(n, -1, dtype=np.intp)  # pool index of each article's story
    for idx in np.array_split(order, -(-n // chunk_size)):
        chunk = rows.take(idx)
        t = chunk.first
        joined = np.full(len(idx), -1, dtype=np.intp)
        cand = pool.candidates(t, window)
        if len(cand):
            best = scorer.best(chunk, pool.rows(cand))
            joined[best >= 0] = cand[best[best >= 0]]
        rest = np.flatnonzero(joined < 0)
        if len(rest):
            _, new = np.unique(cluster_new(chunk.select(rest), scorer), return_inverse=True)
            founded = pool.new(int(new.max()) + 1)
            joined[rest] = founded[new.ravel()]
        pool.update(joined, chunk)
        if len(rest):
            pool.anchors[founded] = unit(pool.sums[founded])  # as founded, never updated
        group[idx] = joined

    out: list[str | int] = []
    labels: dict[int, int] = {}
    for g in group.tolist():
        out.append(stories[g].story_id if g < n_existing else labels.setdefault(g, len(labels)))
    return out


class StoryPool:
    """The stories `assign_chunked` knows: running vector sums (dense, and sparse per signal)
    and time spans, grown as needed."""

    def __init__(self, dim: int, capacity: int, sparse: tuple[str, ...] | list[str] = ()) -> None:
        from scipy.sparse import csr_matrix

        self.size = 0
        self._sums = np.zeros((capacity, dim), dtype=np.float64)
        self._anchors = np.zeros((capacity, dim), dtype=np.float64)
        self._first = np.full(capacity, np.nan)
        self._last = np.full(capacity, np.nan)
        self.sparse = {name: csr_matrix((0, DIM), dtype=np.float64) for name in sparse}

    @property
    def sums(self) -> np.ndarray:
        return self._sums[: self.size]

    @property
    def anchors(self) -> np.ndarray:
        return self._anchors[: self.size]

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
            anchors = np.zeros_like(sums)
            anchors[: self.size] = self.anchors
            self._anchors = anchors
            first, last = np.full(capacity, np.nan), np.full(capacity, np.nan)
            first[: self.size], last[: self.size] = self.first, self.last
            self._sums, self._first, self._last = sums, first, last
        self.size += k
        for m in self.sparse.values():
            m.resize((self.size, DIM))  # new rows are empty
        return np.arange(self.size - k, self.size)

    def update(self, members: np.ndarray, rows: Rows) -> None:
        """Add articles (rows) to the sums and spans of their stories (`members`)."""
        seconds = rows.first
        stories, inverse = np.unique(members, return_inverse=True)
        order = np.argsort(inverse.ravel(), kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(inverse.ravel()[order]) != 0])
        self._sums[stories] += np.add.reduceat(rows.dense[order], starts, axis=0)
        # fmin/fmax skip NaN: an unknown time leaves the span as it is
        self._first[stories] = np.fmin(
            self._first[stories], np.fmin.reduceat(seconds[order], starts)
        )
        self._last[stories] = np.fmax(self._last[stories], np.fmax.reduceat(seconds[order], starts))
        if self.sparse:
            from scipy.sparse import csr_matrix

            # story x article membership: adds each article's sparse row to its story's sum
            member = csr_matrix(
                (np.ones(len(members)), (members, np.arange(len(members)))),
                shape=(self.size, len(members)),
            )
            for name in self.sparse:
                self.sparse[name] = (self.sparse[name] + member @ getattr(rows, name)).tocsr()

    def rows(self, idx: np.ndarray) -> Rows:
        """These stories as rows for the scorer: unit centroids (dense and sparse), spans."""
        out = Rows(unit(self.sums[idx]), self.first[idx], self.last[idx])
        out.anchor = self.anchors[idx]
        for name, m in self.sparse.items():
            part = m[idx]
            norms = np.sqrt(np.asarray(part.multiply(part).sum(axis=1)).ravel())
            from scipy.sparse import diags

            setattr(out, name, diags(1.0 / np.where(norms == 0, 1.0, norms)) @ part)
        return out

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
