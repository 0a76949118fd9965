"""Vectors made one way are never compared with vectors made another way.

An article's vector depends on the embedder model and on what is embedded (its title and the
first `cluster.lead_words` words of its lead). A state made with one and a config that names
another (a user who switches `[embedder] model` to a multilingual one, as docs/languages.md
tells them how) would compare new articles with stories in another space: with e5 (384
dimensions, as MiniLM) silently wrong stories, with USE (512) a crash. So the store records how
its vectors were made (meta key `vectors`), and when the config makes them another way, every
stored article is embedded again and each story's centroid and anchor are made again from its
articles' new vectors, before anything new is clustered. Stories keep their articles and their
briefs (nothing is re-clustered or rewritten); only how new articles are matched changes.
A database from before this record was kept was made with the default recipe of that time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from . import cluster
from .config import Embedder

log = logging.getLogger(__name__)

KEY = "vectors"
BEFORE = "all-MiniLM-L6-v2; title + 200 lead words"  # what a state without the record holds


def recipe(settings: Embedder) -> str:
    # e5's vectors are centred since session 12 (backends/vectors.py): older ones are remade
    centred = " (centred)" if settings.model == "multilingual-e5-small" else ""
    return f"{settings.model}{centred}; title + {cluster.lead_words(settings.model)} lead words"


def renew(
    store,
    settings: Embedder,
    embed: Callable[[Iterable[list[str]]], Iterator[np.ndarray]],
    chunk: int = 256,
) -> int:
    """Embed every stored article again if its vector was made otherwise than `settings` make
    them (with `embed`, an engine's: chunks of texts in, one array per chunk out); return how
    many."""
    made = recipe(settings)
    recorded = store.meta(KEY)
    if recorded == made:
        return 0
    articles = store.embedded()
    if (recorded or BEFORE) == made:
        articles = []  # a state from before the record: made the way the config makes them
    if articles:
        log.warning(
            "Embedding - the stored vectors were made with %s; embedding %d articles again with %s",
            recorded or BEFORE,
            len(articles),
            made,
        )
        n = cluster.lead_words(settings.model)
        texts = [cluster.embedding_text(a.title, a.text, n) for a in articles]
        vectors = np.vstack(list(embed(texts[i : i + chunk] for i in range(0, len(texts), chunk))))
        store.set_embeddings([a.content_hash for a in articles], vectors)
    with store.transaction():  # the record last: a run stopped before it starts over
        for s in store.stories() if articles else []:
            found, _ = store.story_embeddings(s.story_id)
            founding = [np.frombuffer(b, np.float32) for b in store.founding_embeddings(s.story_id)]
            anchor = cluster.unit(np.mean(founding, axis=0) if founding else found.mean(axis=0))
            centroid = cluster.story_vector(s.story_id, found).centroid
            store.set_story_vectors(s.story_id, centroid, anchor)
        store.set_meta(KEY, made)
    return len(articles)
