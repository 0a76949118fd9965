"""The store's record of how its article vectors were made, and what re-making them needs (the
embedded articles, each story's centroid and anchor). A part of `digest.store.Store`, kept in
its own file; the logic is in digest/revector.py."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .records import Article


class VectorColumns:
    db: sqlite3.Connection

    if TYPE_CHECKING:  # provided by Store

        def _select_articles(self, sql: str) -> list[Article]: ...

    def embedded(self) -> list[Article]:
        """Every article that has a vector, oldest first."""
        return self._select_articles(
            "SELECT * FROM articles WHERE embedding IS NOT NULL ORDER BY added_at, content_hash"
        )

    def founding_embeddings(self, story_id: str) -> list[bytes]:
        """The vectors of the articles a story was founded with (added before it was made)."""
        rows = self.db.execute(
            "SELECT a.embedding FROM articles a JOIN stories s ON a.story_id = s.story_id"
            " WHERE s.story_id = ? AND a.embedding IS NOT NULL AND a.added_at <= s.created_at",
            (story_id,),
        ).fetchall()
        return [r[0] for r in rows]

    def set_story_vectors(self, story_id: str, centroid: np.ndarray, anchor: np.ndarray) -> None:
        """A story's centroid and anchor, made again, without touching its brief (call inside
        a transaction)."""
        self.db.execute(
            "UPDATE stories SET centroid = ?, anchor = ? WHERE story_id = ?",
            (
                np.asarray(centroid, dtype=np.float32).tobytes(),
                np.asarray(anchor, dtype=np.float32).tobytes(),
                story_id,
            ),
        )
