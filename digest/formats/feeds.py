"""Feed files (.xml, .rss, .atom): each entry with content becomes an article.

Parsed by feedparser, which reads RSS 0.9x-2.0, Atom and RDF, tolerates broken XML (it falls
back to a lenient parser), never resolves external entities and strips scripts from entry
HTML. The entry's full content (content:encoded, Atom content) is preferred over its summary.
"""

from __future__ import annotations

import calendar
import io
import json
import logging
from datetime import UTC, datetime
from typing import Any

from ..errors import InputError
from ..records import Article, Parsed
from .parsed import from_parsed

log = logging.getLogger(__name__)


def read(data: bytes, path: str) -> list[Article]:
    return from_parsed(read_feed(data), data, path)


def read_feed(data: bytes) -> list[Parsed]:
    """The entries of a feed, in file order; entries without any text are skipped."""
    import feedparser  # imported here: only feed files need it

    try:
        # A stream, never bytes or str: given those, feedparser may open a path or a URL.
        feed = feedparser.parse(io.BytesIO(data))
    except Exception as e:  # a parser crash on one odd file must not stop the batch
        raise InputError(f"could not parse the feed ({type(e).__name__})") from e
    entries = feed.get("entries") or []
    if not entries:
        if feed.get("bozo"):
            raise InputError(
                "not a readable RSS or Atom feed: the XML is broken and no entry could be read"
            )
        raise InputError("no entries found: the XML is not an RSS or Atom feed, or it is empty")
    channel = feed.get("feed") or {}
    publisher = _plain(channel.get("title"))
    out: list[Parsed] = []
    for n, entry in enumerate(entries, 1):
        body, is_html = _content(entry)
        if not body.strip():
            log.warning("Ingest - skipped feed entry %d: it has no content or summary", n)
            continue
        source = entry.get("source") or {}
        meta = {
            "title": _plain(entry.get("title")),
            "url": entry.get("link"),
            "author": entry.get("author"),
            "source": _plain(source.get("title")) or publisher,
            "published": _time(entry.get("published_parsed") or entry.get("updated_parsed"))
            or entry.get("published")
            or entry.get("updated"),
        }
        out.append(
            Parsed(meta=meta, body=body, html=is_html, part=str(n), raw=_identity(meta, body))
        )
    if not out:
        raise InputError(
            f"none of the feed's {len(entries)} entries has any text (content or summary)"
        )
    return out


def _content(entry: Any) -> tuple[str, bool]:
    """The entry's longest content, else its summary, and whether it is HTML."""
    candidates = [c for c in entry.get("content") or [] if isinstance(c.get("value"), str)]
    if candidates:
        best = max(candidates, key=lambda c: len(c["value"]))
        return best["value"], "html" in str(best.get("type", "html"))
    detail = entry.get("summary_detail") or {}
    summary = entry.get("summary") or ""
    return summary, "html" in str(detail.get("type", "html"))


def _plain(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _time(parsed: Any) -> str | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    except (OverflowError, ValueError, TypeError):
        return None


def _identity(meta: dict[str, Any], body: str) -> bytes:
    """Stable bytes for one entry: its hash identifies the article across runs."""
    return json.dumps(
        {"title": meta["title"], "url": meta["url"], "body": body}, sort_keys=True
    ).encode("utf-8", "surrogatepass")
