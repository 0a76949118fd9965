"""The signal stage of the pipeline: each article's term and entity vectors (digest/signals.py),
computed once after embedding and kept in the store, and each story's sparse centroids.

Separate from the clustering logic (digest/cluster.py, pure) because it reads and writes the
store and runs the entity tagger.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from . import cluster, signals

if TYPE_CHECKING:
    from .config import Cluster
    from .store import Store, StoryRow

log = logging.getLogger(__name__)

# The entity tagger reads the title and the first this many words of the lead (the embedder
# reads 200): spaCy's cost grows with the words it reads (docs/clustering.md).
ENTITY_WORDS = 200


def entity_text(title: str, text: str) -> str:
    return cluster.embedding_text(title, text, max_words=ENTITY_WORDS)


def weights(c: Cluster) -> cluster.Weights:
    return cluster.Weights(c.term_weight, c.entity_weight, c.time_weight, c.drift_floor)


def compute(store: Store, w: cluster.Weights, tagger: signals.EntityTagger) -> None:
    """Term (and, with an entity weight, entity) vectors of the embedded articles that have
    none yet; then sparse centroids for the stories made before there were signals."""
    if not (w.terms or w.entities):
        return
    todo = store.without_signals(entities=bool(w.entities))
    if todo:
        texts = [cluster.embedding_text(a.title, a.text) for a in todo]
        terms = [signals.term_vector(t).to_bytes() for t in texts]
        entities: list[bytes | None] = [None] * len(todo)
        if w.entities:
            tagged = tagger.entities([entity_text(a.title, a.text) for a in todo])
            entities = [signals.entity_vector(e).to_bytes() for e in tagged]
        store.set_signals([a.content_hash for a in todo], terms, entities)
        log.info("Signals - terms and entities of %d articles", len(todo))
    old = [r for r in store.stories() if r.terms is None]
    if old:
        with store.transaction():
            for r in old:
                save_story(store, r.story_id)


def save_story(store: Store, story_id: str) -> None:
    """Store a story's sparse centroids from its articles' vectors (inside a transaction)."""
    terms, entities = store.story_signals(story_id)
    t = cluster.sparse_centroid([signals.Sparse.from_bytes(b) for b in terms]) if terms else None
    e = (
        cluster.sparse_centroid([signals.Sparse.from_bytes(b) for b in entities])
        if entities
        else None
    )
    store.set_story_signals(story_id, t.to_bytes() if t else None, e.to_bytes() if e else None)


def of_articles(store: Store, hashes: list[str]) -> cluster.Signals:
    """The stored vectors of these articles, for `cluster.assign` (empty where none)."""
    terms, entities = store.signals(hashes)
    return cluster.Signals(
        terms=[sparse(b) or signals.EMPTY for b in terms],
        entities=[sparse(b) or signals.EMPTY for b in entities],
    )


def of_story(row: StoryRow) -> dict:
    """The signal fields of a `cluster.StoryVector` for a stored story."""
    return {"terms": sparse(row.terms), "entities": sparse(row.entities), "anchor": row.anchor}


def sparse(blob: bytes | None) -> signals.Sparse | None:
    return None if blob is None else signals.Sparse.from_bytes(blob)
