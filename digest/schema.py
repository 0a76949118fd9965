"""The SQLite schema of the state database (digest/store.py)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL,            -- 'read' | 'failed'
    reason TEXT,
    seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    content_hash TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    url TEXT, source TEXT, published TEXT,
    embedding BLOB,                  -- float32, NULL until embedded
    story_id TEXT,                   -- NULL until clustered
    added_at TEXT NOT NULL,
    author TEXT,
    duplicate_of TEXT,               -- content_hash of the article this one copies
    language TEXT                    -- ISO 639 code (digest/language.py), NULL: unknown
);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);
CREATE TABLE IF NOT EXISTS stories (
    story_id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,       -- outbox file name stem, fixed at creation
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    centroid BLOB NOT NULL,
    size INTEGER NOT NULL,
    first_time TEXT, last_time TEXT,
    dirty INTEGER NOT NULL DEFAULT 1,  -- 1: the brief must be (re)written
    version INTEGER NOT NULL DEFAULT 0 -- version of the latest brief written
);
-- Near-duplicate detection (dedup.py): each article's MinHash signature, and its LSH band keys
-- so that a new article finds its candidate originals with an indexed lookup, across runs.
CREATE TABLE IF NOT EXISTS minhashes (
    content_hash TEXT PRIMARY KEY,
    shingles INTEGER NOT NULL,       -- number of distinct word shingles of the text
    signature BLOB NOT NULL          -- uint32 MinHash values
);
CREATE TABLE IF NOT EXISTS minhash_bands (
    band_key INTEGER NOT NULL,       -- hash of (band number, the band's MinHash values)
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS minhash_bands_key ON minhash_bands(band_key);
CREATE TABLE IF NOT EXISTS briefs (
    story_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    brief TEXT NOT NULL,             -- the brief's JSON
    created_at TEXT NOT NULL,
    PRIMARY KEY (story_id, version)
);
"""
