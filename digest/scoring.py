"""How an article scores against a story (or another article), and how new articles group.

The one score (`Scorer`): the dense cosine, plus weighted cosines of the hashed term and entity
vectors (digest/signals.py), minus a time penalty; see `digest.cluster.assign`. `cluster_new`
groups the articles that joined no story by average linkage on that score. Used by
digest/cluster.py (one pass) and digest/chunked.py (large runs). Pure numpy/scipy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from .signals import EMPTY, Sparse, matrix

if TYPE_CHECKING:
    from .cluster import StoryVector

# Article rows are compared with story centroids in blocks of this many rows, so memory stays
# bounded (block x stories floats: 200 MB for 50,000 stories) however many articles a run brings.
BLOCK = 512


@dataclass(frozen=True)
class Weights:
    """How the signals add up to one score: dense cosine + terms x term cosine + entities x
    entity cosine - time x (hours apart / window). A pair joins when the score reaches the
    threshold; average linkage asks it of the mean score."""

    terms: float = 0.0
    entities: float = 0.0
    time: float = 0.0
    # Drift guard: an article joins an existing story only if its dense cosine with the story's
    # founding articles (`StoryVector.anchor`) is at least this, however close it is to the
    # story's newest articles; None: no guard.
    anchor: float | None = None

    def __post_init__(self) -> None:
        # `Scorer.best` relies on it: the time term only ever lowers a score
        if min(self.terms, self.entities, self.time) < 0:
            raise ValueError(f"weights must be >= 0: {self}")


@dataclass
class Signals:
    """The sparse vectors of a batch of articles, row for row with their dense vectors; None for
    a signal not used."""

    terms: list[Sparse] | None = None
    entities: list[Sparse] | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def csr(self, name: str):
        if name not in self._cache:
            self._cache[name] = matrix(getattr(self, name))
        return self._cache[name]


@dataclass
class Rows:
    """Articles (or stories) as the scorer sees them: dense rows, sparse rows (CSR or None) and
    times in seconds (NaN unknown); for stories, `first`/`last` span their articles' times."""

    dense: np.ndarray
    first: np.ndarray
    last: np.ndarray
    terms: object = None
    entities: object = None
    anchor: np.ndarray | None = None  # stories only: unit founding vectors (the drift guard)

    @staticmethod
    def make(
        vectors: np.ndarray, seconds: np.ndarray, signals: Signals | None, weights: Weights
    ) -> Rows:
        terms = entities = None
        if signals is not None:
            n = len(vectors)
            if weights.terms and signals.terms is not None:
                terms = signals.csr("terms")
            if weights.entities and signals.entities is not None:
                entities = signals.csr("entities")
            for m in (terms, entities):
                if m is not None and m.shape[0] != n:
                    raise ValueError(f"{n} vectors but {m.shape[0]} sparse rows")
        return Rows(vectors, seconds, seconds, terms, entities)

    def take(self, idx: np.ndarray) -> Rows:
        """These rows, the dense part made unit float64."""
        out = self.select(idx)
        out.dense = unit(np.asarray(out.dense, dtype=np.float64))
        return out

    def select(self, idx: np.ndarray | slice) -> Rows:
        """These rows as they are (an index array or a slice)."""
        return Rows(
            self.dense[idx],
            self.first[idx],
            self.last[idx],
            None if self.terms is None else self.terms[idx],  # type: ignore[index]
            None if self.entities is None else self.entities[idx],  # type: ignore[index]
        )

    def __len__(self) -> int:
        return len(self.dense)


def story_rows(stories: list[StoryVector], like: Rows) -> Rows:
    """Existing stories as rows: unit centroids, spans, and sparse centroids where `like` (the
    articles) has that signal (a story without one scores 0 on it)."""

    def sparse(name: str):
        if getattr(like, name) is None:
            return None
        return matrix([getattr(s, name) or EMPTY for s in stories])

    centroids = unit(np.stack([np.asarray(s.centroid, dtype=np.float64) for s in stories]))
    anchors = [s.centroid if s.anchor is None else s.anchor for s in stories]
    return Rows(
        centroids,
        seconds([s.first_time for s in stories]),
        seconds([s.last_time for s in stories]),
        sparse("terms"),
        sparse("entities"),
        unit(np.stack([np.asarray(a, dtype=np.float64) for a in anchors])),
    )


class Scorer:
    """The one score of article against story (or article against article): see `assign`."""

    def __init__(self, weights: Weights, window: float, threshold: float) -> None:
        self.w, self.window, self.threshold = weights, window, threshold

    def similarity(self, a: Rows, b: Rows, bt: dict | None = None) -> np.ndarray:
        """Dense cosine plus the weighted sparse cosines: the score before time and guards.
        `bt`: the transposes of b's sparse rows, made once by the caller that reuses b."""
        s = a.dense @ b.dense.T
        for name, weight in (("terms", self.w.terms), ("entities", self.w.entities)):
            x, y = getattr(a, name), getattr(b, name)
            if x is not None and y is not None:
                other = bt[name] if bt is not None else y.T
                s += weight * (x @ other).toarray()
        return s

    def transposes(self, b: Rows) -> dict:
        """b's sparse rows transposed once (CSR), for many `similarity` calls against b."""
        return {
            n: getattr(b, n).T.tocsr() for n in ("terms", "entities") if getattr(b, n) is not None
        }

    def gap(self, t: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Seconds from the article's time to the story's span (0 inside it, and 0 where either
        time is unknown: np.maximum keeps the NaN, np.fmax then drops it)."""
        return np.fmax(np.maximum(first - t, t - last), 0.0)

    def penalise(self, s: np.ndarray, gap: np.ndarray) -> None:
        """s -= time weight x min(gap / window, 1), in place (gap is consumed)."""
        if self.w.time:
            np.minimum(gap, self.window, out=gap)
            gap *= self.w.time / self.window
            s -= gap

    def __call__(self, a: Rows, b: Rows, hard_window: bool = True) -> np.ndarray:
        """The full matrix of scores (-inf where the window or the drift guard forbids)."""
        s = self.similarity(a, b)
        gap = self.gap(a.first[:, None], b.first[None, :], b.last[None, :])
        blocked = gap > self.window if hard_window else None
        self.penalise(s, gap)
        if blocked is not None:
            s[blocked] = -np.inf
        if self.w.anchor is not None and b.anchor is not None:
            s[a.dense @ b.anchor.T < self.w.anchor] = -np.inf
        return s

    def best(self, rows: Rows, stories: Rows) -> np.ndarray:
        """For each row, the index of the best-scoring story (the first on a tie) in reach of its
        time, or -1 if below the threshold. O(rows x stories) in blocks of `BLOCK` rows.

        The same result as the argmax of `self(rows, stories)`, but the time term and the guards
        (which only lower a score) are computed only for the pairs whose similarity already
        reaches the threshold, a few per row: on a large archive most of the cost was those
        elementwise passes over every article x story pair, not the product.
        """
        best_all = np.full(len(rows), -1, dtype=np.intp)
        bt = self.transposes(stories)
        for start in range(0, len(rows), BLOCK):
            block = rows.select(slice(start, start + BLOCK))
            sims = self.similarity(block, stories, bt)
            i, j = np.nonzero(sims >= self.threshold)
            if len(i) == 0:
                continue
            v = sims[i, j]
            gap = self.gap(block.first[i], stories.first[j], stories.last[j])
            in_window = gap <= self.window
            self.penalise(v, gap)
            ok = (v >= self.threshold) & in_window
            if self.w.anchor is not None and stories.anchor is not None:
                near = np.einsum("ij,ij->i", block.dense[i], stories.anchor[j])
                ok &= near >= self.w.anchor
            i, j, v = i[ok], j[ok], v[ok]
            if len(i) == 0:
                continue
            order = np.lexsort((j, -v, i))  # by row, highest score first, then the first story
            i, j = i[order], j[order]
            head = np.r_[True, i[1:] != i[:-1]]
            best_all[start + i[head]] = j[head]
        return best_all


def cluster_new(rows: Rows, scorer: Scorer) -> np.ndarray:
    """Group labels (arbitrary ints) for articles that joined no existing story.

    Average linkage on the full pairwise score matrix: O(n^2) memory and about O(n^2) time
    (scipy's nearest-neighbour chain), fine for a few thousand articles (5,000: ~0.4 GB, 2-4 s
    on 2 cores); `assign` never gives it more than `CHUNK` articles.
    """
    n = len(rows)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    if n == 1:
        return np.zeros(1, dtype=np.intp)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    # scores as distances: top - score, where top bounds every score (each cosine <= 1)
    top = 1.0 + scorer.w.terms * (rows.terms is not None)
    top += scorer.w.entities * (rows.entities is not None)
    dist = scorer(rows, rows, hard_window=False)
    dist += dist.T  # exactly symmetric (numpy copies the overlapping operand)
    np.subtract(top, dist / 2.0, out=dist)
    np.clip(dist, 0.0, None, out=dist)  # rounding kept in range
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    # fcluster joins merges at height <= t: mean pairwise score >= threshold
    groups = fcluster(tree, t=top - scorer.threshold, criterion="distance").astype(np.intp)
    return split_by_time(rows.dense, rows.first, groups, scorer.window)


def split_by_time(
    vectors: np.ndarray, seconds: np.ndarray, groups: np.ndarray, window: float
) -> np.ndarray:
    """Split each group where consecutive known times are more than `window` apart.

    The same chain rule as incremental runs, where a story stays joinable while new articles
    fall within the window of its span. An article with no time goes to the part whose mean
    vector it is most similar to (the earliest part on a tie).
    """
    out = groups.copy()
    timed = np.flatnonzero(~np.isnan(seconds))
    # the groups with a gap: consecutive known times of one group more than a window apart
    order = timed[np.lexsort((seconds[timed], groups[timed]))]
    same = groups[order][1:] == groups[order][:-1]
    gapped = np.unique(groups[order][1:][same & (np.diff(seconds[order]) > window)])
    next_label = int(groups.max()) + 1 if len(groups) else 0
    for g in gapped.tolist():
        members = np.flatnonzero(groups == g)
        timed = members[~np.isnan(seconds[members])]
        timed = timed[np.argsort(seconds[timed], kind="stable")]
        cuts = np.flatnonzero(np.diff(seconds[timed]) > window) + 1
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


def unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)  # a zero vector stays zero: similar to nothing


def utc(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    # a naive time is taken as UTC rather than refused: sources often omit the zone
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def seconds(times: list[datetime | None]) -> np.ndarray:
    return np.array(
        [np.nan if t is None else utc(t).timestamp() for t in times],  # type: ignore[union-attr]
        dtype=np.float64,
    )


def sorted_stories(stories: list[StoryVector]) -> list[StoryVector]:
    ids = [s.story_id for s in stories]
    if len(set(ids)) != len(ids):
        raise ValueError("story ids must be unique")
    # sorted by id, so that a tie goes to the same story whatever order the store lists them in
    return sorted(stories, key=lambda s: s.story_id)
