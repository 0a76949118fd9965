"""State: one SQLite database in the state folder, the source of truth between runs.

What lives here: every file seen (by path and content hash, with its outcome), every article
(text, metadata, embedding, story), every story (centroid, whether its brief is out of date)
and every brief version. Each pipeline step commits, so a crash loses at most the step in
flight and the next run picks up what is left (articles without a story, stories marked dirty).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .errors import DigestError
from .records import Article
from .schema import SCHEMA  # the tables, in their own file
from .store_signals import SignalColumns  # the story-matching signals' columns
from .store_vectors import VectorColumns  # how the vectors were made

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class StoryRow:
    story_id: str
    slug: str
    centroid: np.ndarray
    size: int
    first_time: str | None
    last_time: str | None
    dirty: bool
    version: int
    terms: bytes | None = None  # the story's term centroid (signals.Sparse.to_bytes), if known
    entities: bytes | None = None
    anchor: np.ndarray | None = None  # its founding articles' unit mean vector, if stored


@dataclass(frozen=True)
class BriefRow:
    story_id: str
    slug: str
    version: int
    brief: dict  # the brief's JSON (records.Brief.to_json)
    created_at: str


class Store(SignalColumns, VectorColumns):
    def __init__(self, state_dir: Path, *, readonly: bool = False):
        """Open (and create, unless `readonly`) the database in `state_dir`.

        `readonly` is for looking without a lock (`digest status`): it never creates or
        changes anything, and a missing database is a DigestError.
        """
        self.path = state_dir / "digest.db"
        try:
            if readonly:
                if not self.path.is_file():
                    raise DigestError(f"no database in {state_dir} yet: `digest run` creates it")
                try:
                    self._open_readonly("mode=ro")
                except sqlite3.OperationalError:
                    if not _read_only_fs(state_dir):
                        raise
                    # on a read-only filesystem SQLite cannot make the WAL index (-shm) that
                    # a reader needs; nothing can change the file there: read it as immutable
                    self._open_readonly("mode=ro&immutable=1")
                return
            state_dir.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
            self._migrate()
            self.db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
        except sqlite3.DatabaseError as e:
            raise DigestError(
                f"cannot use the database {self.path}: {e}. If it is damaged, move the state "
                "folder away: digest then starts over and reads the inbox again"
            ) from e

    def _open_readonly(self, params: str) -> None:
        self.db = sqlite3.connect(
            f"{self.path.resolve().as_uri()}?{params}", uri=True, isolation_level=None, timeout=30
        )
        self.db.row_factory = sqlite3.Row
        self.db.execute("SELECT COUNT(*) FROM meta").fetchone()  # fails if not a database

    # Columns added after the first release: a database made by an older digest gains them on
    # open (NULL for the old rows), so upgrading never needs the state folder deleted.
    _ADDED_COLUMNS = (
        ("articles", "author", "TEXT"),
        ("articles", "duplicate_of", "TEXT"),  # content_hash of the article this one copies
        # story matching beside the embedding (digest/signals.py): each article's term and
        # entity vectors, computed once; each story's normalised sums of them
        ("articles", "terms", "BLOB"),
        ("articles", "entities", "BLOB"),
        ("stories", "terms", "BLOB"),
        ("stories", "entities", "BLOB"),
        ("stories", "anchor", "BLOB"),  # unit mean of its founding articles' vectors (float32)
        ("articles", "language", "TEXT"),  # ISO 639 code; NULL for articles read before it
    )

    def _migrate(self) -> None:
        for table, column, kind in self._ADDED_COLUMNS:
            have = {r["name"] for r in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
                log.debug("Store - added column %s.%s", table, column)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # meta ------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    def record_run(self, summary: dict) -> None:
        """Remember the latest pass, and the latest that changed something (`digest status`)."""
        text = json.dumps(summary, ensure_ascii=False)
        with self.transaction():
            self.set_meta("last_run", text)
            if summary.get("did_work"):
                self.set_meta("last_change", text)

    def last_run(self, key: str = "last_run") -> dict | None:
        value = self.meta(key)
        return json.loads(value) if value else None

    # files -----------------------------------------------------------------------------
    def file_status(self, path: str) -> tuple[str, str, str | None] | None:
        row = self.db.execute(
            "SELECT content_hash, status, reason FROM files WHERE path = ?", (path,)
        ).fetchone()
        return (row["content_hash"], row["status"], row["reason"]) if row else None

    def record_file(self, path: str, content_hash: str, status: str, reason: str | None) -> None:
        self.db.execute(
            "INSERT INTO files(path, content_hash, status, reason, seen_at) VALUES (?,?,?,?,?)"
            " ON CONFLICT(path) DO UPDATE SET content_hash=excluded.content_hash,"
            " status=excluded.status, reason=excluded.reason, seen_at=excluded.seen_at",
            (path, content_hash, status, reason, now_iso()),
        )

    def files(self) -> dict[str, tuple[str, str]]:
        """Every file seen: path -> (content hash, status)."""
        rows = self.db.execute("SELECT path, content_hash, status FROM files").fetchall()
        return {r["path"]: (r["content_hash"], r["status"]) for r in rows}

    def failed_files(self) -> list[tuple[str, str, str]]:
        """(path, reason, seen_at) of the files that could not be read, newest first."""
        rows = self.db.execute(
            "SELECT path, reason, seen_at FROM files WHERE status = 'failed'"
            " ORDER BY seen_at DESC, path"
        ).fetchall()
        return [(r["path"], r["reason"] or "", r["seen_at"]) for r in rows]

    # articles --------------------------------------------------------------------------
    def add_article(self, article: Article) -> bool:
        """Insert an article; False if one with the same content is already known."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO articles(content_hash, path, title, text, url, source,"
            " published, author, duplicate_of, language, added_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                article.content_hash,
                article.path,
                article.title,
                article.text,
                article.url,
                article.source,
                article.published,
                article.author,
                article.duplicate_of,
                article.language,
                now_iso(),
            ),
        )
        return cur.rowcount == 1

    def _select_articles(self, sql: str, args: tuple = ()) -> list[Article]:
        return [_article(r) for r in self.db.execute(sql, args).fetchall()]

    def unembedded(self) -> list[Article]:
        return self._select_articles(
            "SELECT * FROM articles WHERE embedding IS NULL AND duplicate_of IS NULL"
            " ORDER BY added_at, content_hash"
        )

    def set_embeddings(self, hashes: list[str], vectors: np.ndarray) -> None:
        with self.transaction():
            for h, v in zip(hashes, vectors, strict=True):
                self.db.execute(
                    "UPDATE articles SET embedding = ? WHERE content_hash = ?",
                    (np.asarray(v, dtype=np.float32).tobytes(), h),
                )

    def unclustered(self) -> list[tuple[Article, np.ndarray]]:
        rows = self.db.execute(
            "SELECT * FROM articles WHERE story_id IS NULL AND embedding IS NOT NULL"
            " ORDER BY added_at, content_hash"
        ).fetchall()
        return [(_article(r), np.frombuffer(r["embedding"], dtype=np.float32)) for r in rows]

    def story_articles(self, story_id: str) -> list[Article]:
        return self._select_articles(
            "SELECT * FROM articles WHERE story_id = ? ORDER BY added_at, content_hash",
            (story_id,),
        )

    def story_embeddings(self, story_id: str) -> tuple[np.ndarray, list[str | None]]:
        """The embeddings and publication times of a story's articles."""
        rows = self.db.execute(
            "SELECT embedding, published FROM articles WHERE story_id = ? AND embedding IS NOT NULL",
            (story_id,),
        ).fetchall()
        vectors = np.vstack([np.frombuffer(r["embedding"], dtype=np.float32) for r in rows])
        return vectors, [r["published"] for r in rows]

    def count(self, table: str) -> int:
        assert table in {"articles", "stories", "briefs", "files"}
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    # near-duplicates -------------------------------------------------------------------
    def clear_minhashes(self) -> None:
        """Forget every signature (their scheme changed); duplicate marks stay."""
        self.db.execute("DELETE FROM minhash_bands")
        self.db.execute("DELETE FROM minhashes")

    def add_minhash(
        self,
        content_hash: str,
        shingles: int,
        signature: bytes,
        band_keys: list[int],
        cap: int | None = None,
    ) -> None:
        """Remember an article's signature and index its bands (call inside a transaction);
        a band key already indexing `cap` articles gains no more (bounded lookups)."""
        known = self.db.execute(
            "SELECT 1 FROM minhashes WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        self.db.execute(
            "INSERT OR REPLACE INTO minhashes(content_hash, shingles, signature) VALUES (?,?,?)",
            (content_hash, shingles, signature),
        )
        if known:  # a scan of the band table: only when re-indexing, never for a new article
            self.db.execute("DELETE FROM minhash_bands WHERE content_hash = ?", (content_hash,))
        keys = list(dict.fromkeys(band_keys))
        if cap is not None and keys:
            # each key holds at most `cap` rows, so this reads at most len(keys) * cap rows
            marks = ",".join("?" * len(keys))
            full = {
                k
                for k, n in self.db.execute(
                    "SELECT band_key, COUNT(*) FROM minhash_bands"
                    f" WHERE band_key IN ({marks}) GROUP BY band_key",
                    keys,
                )
                if n >= cap
            }
            keys = [k for k in keys if k not in full]
        self.db.executemany(
            "INSERT INTO minhash_bands(band_key, content_hash) VALUES (?,?)",
            [(k, content_hash) for k in keys],
        )

    def minhash_candidates(
        self, band_keys: list[int], exclude: str, limit: int | None = None
    ) -> list[tuple[str, int, bytes, str | None]]:
        """(content_hash, shingles, signature, duplicate_of) of the articles sharing a band,
        earliest first; at most `limit` of them."""
        if not band_keys:
            return []
        marks = ",".join("?" * len(band_keys))
        rows = self.db.execute(
            "SELECT m.content_hash, m.shingles, m.signature, a.duplicate_of, a.added_at"
            " FROM minhashes m JOIN articles a ON a.content_hash = m.content_hash"
            " WHERE m.content_hash IN (SELECT content_hash FROM minhash_bands"
            f" WHERE band_key IN ({marks})) AND m.content_hash != ?"
            " ORDER BY a.added_at, m.content_hash LIMIT ?",
            (*band_keys, exclude, -1 if limit is None else limit),
        ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def articles_without_minhash(self) -> list[Article]:
        """Articles stored by a digest that did not detect near-duplicates yet."""
        return self._select_articles(
            "SELECT * FROM articles WHERE content_hash NOT IN (SELECT content_hash FROM minhashes)"
            " ORDER BY added_at, content_hash"
        )

    def mark_duplicate(self, content_hash: str, original: str) -> None:
        self.db.execute(
            "UPDATE articles SET duplicate_of = ? WHERE content_hash = ?", (original, content_hash)
        )

    def attach_copies(self) -> list[str]:
        """Put every unplaced copy into the story of the article it copies, mark those stories
        dirty, and return their ids (call inside a transaction)."""
        rows = self.db.execute(
            "SELECT c.content_hash, o.story_id FROM articles c"
            " JOIN articles o ON o.content_hash = c.duplicate_of"
            " WHERE c.story_id IS NULL AND o.story_id IS NOT NULL"
        ).fetchall()
        for copy_hash, story_id in rows:
            self.assign_article(copy_hash, story_id)
        stories = sorted({r[1] for r in rows})
        for story_id in stories:
            self.db.execute(
                "UPDATE stories SET dirty = 1, updated_at = ? WHERE story_id = ?",
                (now_iso(), story_id),
            )
        return stories

    # stories ---------------------------------------------------------------------------
    def stories(self) -> list[StoryRow]:
        rows = self.db.execute("SELECT * FROM stories ORDER BY created_at, story_id").fetchall()
        return [_story(r) for r in rows]

    def story(self, story_id: str) -> StoryRow | None:
        row = self.db.execute("SELECT * FROM stories WHERE story_id = ?", (story_id,)).fetchone()
        return _story(row) if row else None

    def save_story(
        self,
        story_id: str,
        slug: str,
        centroid: np.ndarray,
        size: int,
        first_time: str | None,
        last_time: str | None,
    ) -> None:
        """Create or update a story and mark its brief out of date (call inside a transaction)."""
        now = now_iso()
        self.db.execute(
            "INSERT INTO stories(story_id, slug, created_at, updated_at, centroid, size,"
            " first_time, last_time, dirty) VALUES (?,?,?,?,?,?,?,?,1)"
            " ON CONFLICT(story_id) DO UPDATE SET updated_at=excluded.updated_at,"
            " centroid=excluded.centroid, size=excluded.size, first_time=excluded.first_time,"
            " last_time=excluded.last_time, dirty=1",
            (
                story_id,
                slug,
                now,
                now,
                np.asarray(centroid, dtype=np.float32).tobytes(),
                size,
                first_time,
                last_time,
            ),
        )

    def assign_article(self, content_hash: str, story_id: str) -> None:
        self.db.execute(
            "UPDATE articles SET story_id = ? WHERE content_hash = ?", (story_id, content_hash)
        )

    def dirty_stories(self) -> list[StoryRow]:
        rows = self.db.execute(
            "SELECT * FROM stories WHERE dirty = 1 ORDER BY created_at, story_id"
        ).fetchall()
        return [_story(r) for r in rows]

    # briefs ----------------------------------------------------------------------------
    def save_brief(self, story_id: str, version: int, brief: dict) -> None:
        """Record a written brief and mark the story clean (call inside a transaction)."""
        self.db.execute(
            "INSERT OR REPLACE INTO briefs(story_id, version, brief, created_at) VALUES (?,?,?,?)",
            (story_id, version, json.dumps(brief, ensure_ascii=False), now_iso()),
        )
        self.db.execute(
            "UPDATE stories SET dirty = 0, version = ? WHERE story_id = ?", (version, story_id)
        )

    def brief(self, story_id: str, version: int | None = None) -> dict | None:
        if version is None:
            row = self.db.execute(
                "SELECT brief FROM briefs WHERE story_id = ? ORDER BY version DESC LIMIT 1",
                (story_id,),
            ).fetchone()
        else:
            row = self.db.execute(
                "SELECT brief FROM briefs WHERE story_id = ? AND version = ?",
                (story_id, version),
            ).fetchone()
        return json.loads(row["brief"]) if row else None

    def all_briefs(self) -> list[BriefRow]:
        """Every version of every brief, oldest story first, versions in order."""
        rows = self.db.execute(
            "SELECT b.story_id, s.slug, b.version, b.brief, b.created_at FROM briefs b"
            " JOIN stories s ON s.story_id = b.story_id ORDER BY b.story_id, b.version"
        ).fetchall()
        return [
            BriefRow(
                r["story_id"], r["slug"], r["version"], json.loads(r["brief"]), r["created_at"]
            )
            for r in rows
        ]

    def briefs_stamp(self) -> str:
        """Changes whenever a brief is saved: what the published pages were built from."""
        row = self.db.execute("SELECT COUNT(*), MAX(created_at) FROM briefs").fetchone()
        return f"{row[0]}:{row[1] or ''}"

    def brief_history(self, story_id: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT version, created_at FROM briefs WHERE story_id = ? ORDER BY version",
            (story_id,),
        ).fetchall()
        return [{"version": r["version"], "created_at": r["created_at"]} for r in rows]


def _article(row: sqlite3.Row) -> Article:
    return Article(
        path=row["path"],
        title=row["title"],
        text=row["text"],
        content_hash=row["content_hash"],
        url=row["url"],
        source=row["source"],
        published=row["published"],
        author=row["author"],
        duplicate_of=row["duplicate_of"],
        language=row["language"],
    )


def _story(row: sqlite3.Row) -> StoryRow:
    return StoryRow(
        story_id=row["story_id"],
        slug=row["slug"],
        centroid=np.frombuffer(row["centroid"], dtype=np.float32),
        size=row["size"],
        first_time=row["first_time"],
        last_time=row["last_time"],
        dirty=bool(row["dirty"]),
        version=row["version"],
        terms=row["terms"],
        entities=row["entities"],
        anchor=None if row["anchor"] is None else np.frombuffer(row["anchor"], dtype=np.float32),
    )


def _read_only_fs(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False
