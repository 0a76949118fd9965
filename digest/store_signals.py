"""The store's columns for story matching beside the embedding (digest/signals.py): each
article's term and entity vectors, computed once, and each story's sparse centroids and its
drift-guard anchor. A part of `digest.store.Store`, kept in its own file."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .records import Article

_IN_BATCH = 500  # hashes per `IN (...)` query: under SQLite's limit on bound parameters


class SignalColumns:
    db: sqlite3.Connection

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def _select_articles(self, sql: str) -> list[Article]: ...

    def without_signals(self, entities: bool) -> list[Article]:
        """Embedded articles whose term vector (or entity vector, if `entities`) is not stored
        yet: new articles, and those of a database made before there were signals."""
        missing = "terms IS NULL" + (" OR entities IS NULL" if entities else "")
        return self._select_articles(
            f"SELECT * FROM articles WHERE embedding IS NOT NULL AND duplicate_of IS NULL"
            f" AND ({missing}) ORDER BY added_at, content_hash"
        )

    def set_signals(
        self, hashes: list[str], terms: list[bytes], entities: list[bytes | None]
    ) -> None:
        with self.transaction():
            self.db.executemany(
                "UPDATE articles SET terms = ?, entities = COALESCE(?, entities)"
                " WHERE content_hash = ?",
                [(t, e, h) for h, t, e in zip(hashes, terms, entities, strict=True)],
            )

    def signals(self, hashes: list[str]) -> tuple[list[bytes | None], list[bytes | None]]:
        """The stored term and entity vectors of these articles (None where not stored)."""
        found: dict[str, tuple[bytes | None, bytes | None]] = {}
        for start in range(0, len(hashes), _IN_BATCH):
            part = hashes[start : start + _IN_BATCH]
            rows = self.db.execute(
                "SELECT content_hash, terms, entities FROM articles"
                f" WHERE content_hash IN ({','.join('?' * len(part))})",
                part,
            )
            found.update((r[0], (r[1], r[2])) for r in rows)
        got = [found.get(h, (None, None)) for h in hashes]
        return [t for t, _ in got], [e for _, e in got]

    def story_signals(self, story_id: str) -> tuple[list[bytes], list[bytes]]:
        """The stored term and entity vectors of a story's articles (those that have them)."""
        rows = self.db.execute(
            "SELECT terms, entities FROM articles WHERE story_id = ? AND embedding IS NOT NULL",
            (story_id,),
        ).fetchall()
        return (
            [r[0] for r in rows if r[0] is not None],
            [r[1] for r in rows if r[1] is not None],
        )

    def set_story_anchor(self, story_id: str, anchor: np.ndarray) -> None:
        """Set once, when the story is founded (call inside a transaction)."""
        self.db.execute(
            "UPDATE stories SET anchor = ? WHERE story_id = ? AND anchor IS NULL",
            (np.asarray(anchor, dtype=np.float32).tobytes(), story_id),
        )

    def set_story_signals(self, story_id: str, terms: bytes | None, entities: bytes | None) -> None:
        """A story's sparse centroids, without touching its brief (call inside a transaction)."""
        self.db.execute(
            "UPDATE stories SET terms = ?, entities = ? WHERE story_id = ?",
            (terms, entities, story_id),
        )
