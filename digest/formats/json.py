"""JSON (.json) and JSON Lines (.jsonl) files of article records, with the field names that
publishers and scrapers use (title or headline, text or content or body, ...)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from ..records import Article
from .article import HEADLINE_WORDS, build, first_key, from_records
from .encoding import decode
from .html import html_to_text

# Metadata field names, in order of preference, as publishers and scrapers spell them.
_TITLE_KEYS = ("title", "headline")
_TEXT_KEYS = ("text", "content", "body", "article", "maintext", "articleBody")
_URL_KEYS = ("url", "link", "canonical_url", "href", "source_url")
_SOURCE_KEYS = ("source", "publisher", "site", "sitename", "site_name", "outlet", "source_name")
_DATE_KEYS = ("published", "date", "published_at", "publishedAt", "datePublished", "pubDate")
_AUTHOR_KEYS = ("author", "authors", "byline", "creator", "writer")


def read(data: bytes, path: str) -> list[Article]:
    """A JSON file: one article object, a list of them, or an object with an "articles" or
    "items" list."""
    value = load_json(decode(data))
    if isinstance(value, dict):
        listed = next(
            (value[k] for k in ("articles", "items") if isinstance(value.get(k), list)), None
        )
        if listed is None or first_key(value, _TEXT_KEYS):
            return [from_record(value, data, path)]
        value = listed
    if not isinstance(value, list):
        raise InputError(
            f"the JSON holds a {type(value).__name__}, not an article object or a list of them"
        )
    records = ((f"{path}#{i}", item, canonical(item)) for i, item in enumerate(value, 1))
    return from_records(records, from_record, unit="item")


def load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from e
    except RecursionError:
        raise InputError(
            "the JSON is nested too deeply (hundreds of levels of lists or objects) to be an "
            "article"
        ) from None


def read_lines(data: bytes, path: str) -> list[Article]:
    """A JSON Lines file: one article object a line, each line decoded on its own (one bad
    line is skipped, not fatal)."""
    records = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        raw = raw.rstrip(b"\r")
        if raw.strip():
            records.append((number, raw))

    def parsed() -> Iterator[tuple[str, Any, bytes]]:
        for number, raw in records:
            where = f"{path}#{number}"
            try:
                yield where, load_json(decode(raw)), raw
            except InputError as e:
                yield where, e, raw

    return from_records(parsed(), from_record, unit="line")


def from_record(value: Any, raw: bytes, path: str) -> Article:
    if not isinstance(value, dict):
        raise InputError(f"expected a JSON object with the article, found a {type(value).__name__}")
    text_key = first_key(value, _TEXT_KEYS)
    title_key = first_key(value, _TITLE_KEYS)
    if (
        text_key is None
        and title_key is not None
        and len(str(value[title_key]).split()) >= HEADLINE_WORDS
    ):
        value = {**value, "text": ""}  # a headline alone: build() lets its title stand as text
        text_key = "text"
    if text_key is None:
        found = ", ".join(str(k) for k in list(value)[:8]) or "none"
        raise InputError(
            f"the JSON object has no article text: expected a field named text, content or body "
            f"(fields found: {found})"
        )
    body = value[text_key]
    if isinstance(body, list) and all(isinstance(x, str) for x in body):
        body = "\n\n".join(body)
    if not isinstance(body, str):
        raise InputError(f"the '{text_key}' field is a {type(body).__name__}, not text")
    if re.search(r"<(?:p|br|div|span|a|em|strong)\b[^>]*>", body, re.IGNORECASE):
        body = html_to_text(body)
    meta = {
        "title": value.get(first_key(value, _TITLE_KEYS) or ""),
        "url": value.get(first_key(value, _URL_KEYS) or ""),
        "source": value.get(first_key(value, _SOURCE_KEYS) or ""),
        "author": value.get(first_key(value, _AUTHOR_KEYS) or ""),
        "published": value.get(first_key(value, _DATE_KEYS) or ""),
    }
    return build(meta, body, raw, path, title_from_first_line=False)


def canonical(value: Any) -> bytes:
    """Stable bytes for one record of a JSON list: its hash identifies the article."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
