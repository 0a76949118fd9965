"""Plain-text files (.txt)."""

from __future__ import annotations

from ..records import Article
from .article import build
from .encoding import decode
from .front_matter import split_front_matter


def read(data: bytes, path: str) -> list[Article]:
    """A plain-text file (.txt): optional front matter, the first line as the title unless it
    is the lead paragraph."""
    meta, body = split_front_matter(decode(data))
    return [build(meta, body, data, path, title_from_first_line=True)]
