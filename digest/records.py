"""Plain data passed between pipeline stages. No behaviour beyond small helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One article as read from the inbox, after cleaning."""

    path: str  # where it came from: a file path, or "file.jsonl#3" for one record of a file
    title: str
    text: str  # cleaned body: paragraphs separated by blank lines, no page noise
    content_hash: str  # sha256 of the article's content; identifies it across runs
    url: str | None = None
    source: str | None = None  # publisher or site
    published: str | None = None  # ISO 8601 date or datetime, as given by the source
    author: str | None = None
    # content_hash of the earlier article this one copies (the same wire story republished
    # with small edits): listed as a source, but its text counts once. None: an original.
    duplicate_of: str | None = None
    language: str | None = None  # ISO 639 code found by digest/language.py; None: unknown


@dataclass(frozen=True)
class Parsed:
    """What a format reader found in a file, before cleaning (one per article of the file)."""

    meta: dict[str, Any]  # any of: title, author, source, url, published
    body: str
    html: bool = False  # the body is HTML markup (a page or a fragment), not text
    page: bool = False  # with html: a whole page, whose article trafilatura must find
    part: str | None = None  # "3" for the third article of a multi-article file
    raw: bytes | None = None  # bytes that identify this article (default: the file's bytes)


@dataclass(frozen=True)
class ReadFailure:
    """A file that could not be read, and why, in plain words."""

    path: str
    reason: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of one source article of a story."""

    source: int  # 1-based number of the article in the story's source list
    position: int  # 0-based position in the article (0 = lead)
    text: str


@dataclass(frozen=True)
class Copy:
    """A near-duplicate of a source (the same wire story elsewhere): listed, never read."""

    title: str
    path: str
    url: str | None = None
    publisher: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class Source:
    """A numbered source of a brief, as shown to readers."""

    n: int
    title: str
    path: str
    url: str | None = None
    publisher: str | None = None
    published: str | None = None
    copies: tuple[Copy, ...] = ()  # "also published by": same text, counted once
    language: str | None = None  # ISO 639 code of the article's language; None: unknown


@dataclass(frozen=True)
class Evidence:
    """A source sentence a brief sentence was written from, so a reader can check it."""

    n: int  # the source's number
    text: str


@dataclass(frozen=True)
class BriefSentence:
    text: str
    citations: tuple[int, ...]  # source numbers, sorted, at least one
    evidence: tuple[Evidence, ...] = ()  # the source sentences it rests on, most similar first


@dataclass(frozen=True)
class Brief:
    """One story's brief: what the outbox files are rendered from."""

    story_id: str
    headline: str
    sentences: tuple[BriefSentence, ...]
    sources: tuple[Source, ...]
    version: int
    updated: str  # ISO 8601 UTC timestamp
    notes: tuple[str, ...] = field(default=())  # e.g. what the checker replaced or dropped
    language: str = "en"  # ISO 639 code of the language it is written in ([summarizer] language)

    def to_json(self) -> dict:
        return {
            "story_id": self.story_id,
            "headline": self.headline,
            "sentences": [
                {
                    "text": s.text,
                    "citations": list(s.citations),
                    "evidence": [{"n": e.n, "text": e.text} for e in s.evidence],
                }
                for s in self.sentences
            ],
            "sources": [
                {
                    "n": s.n,
                    "title": s.title,
                    "path": s.path,
                    "url": s.url,
                    "publisher": s.publisher,
                    "published": s.published,
                    "language": s.language,
                    "copies": [
                        {
                            "title": c.title,
                            "path": c.path,
                            "url": c.url,
                            "publisher": c.publisher,
                            "published": c.published,
                        }
                        for c in s.copies
                    ],
                }
                for s in self.sources
            ],
            "version": self.version,
            "updated": self.updated,
            "notes": list(self.notes),
            "language": self.language,
        }

    @classmethod
    def from_json(cls, data: dict) -> Brief:
        """The inverse of to_json (extra keys, such as the outbox JSON's history, are ignored)."""
        return cls(
            story_id=data["story_id"],
            headline=data["headline"],
            sentences=tuple(
                BriefSentence(
                    s["text"],
                    tuple(int(n) for n in s["citations"]),
                    tuple(Evidence(int(e["n"]), e["text"]) for e in s.get("evidence", ())),
                )
                for s in data["sentences"]
            ),
            sources=tuple(
                Source(
                    n=int(s["n"]),
                    title=s["title"],
                    path=s["path"],
                    url=s.get("url"),
                    publisher=s.get("publisher"),
                    published=s.get("published"),
                    language=s.get("language"),
                )
                for s in data["sources"]
            ),
            version=int(data["version"]),
            updated=data["updated"],
            notes=tuple(data.get("notes", ())),
            language=data.get("language", "en"),  # briefs from before languages: English
        )


def order_sources(articles: list[Article]) -> list[Article]:
    """Source numbering: by publication date (unknown last), then by path."""
    return sorted(articles, key=lambda a: (a.published is None, a.published or "", a.path))


def sources_of(articles: list[Article]) -> tuple[Source, ...]:
    return tuple(
        Source(
            n=n,
            title=a.title,
            path=a.path,
            url=a.url,
            publisher=a.source,
            published=a.published,
            language=a.language,
        )
        for n, a in enumerate(articles, start=1)
    )
