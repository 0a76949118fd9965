"""Markdown files (.md, .markdown): front matter, a heading as the title, the prose without its
markup.

Parsed by markdown-it-py (CommonMark, plus tables and strikethrough as GitHub writes them),
then written out as text: one block per paragraph, heading, list item or table, the lines of
a paragraph kept as they were wrapped (the cleaner joins them). Code fences, images and rules
are dropped; links keep their text; raw HTML keeps its text, without scripts or comments.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..records import Article
from .article import build
from .encoding import decode
from .front_matter import split_front_matter
from .html import html_to_text

_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_INLINE_TEXT = ("text", "code_inline")
_INLINE_BREAKS = ("softbreak", "hardbreak")


def read(data: bytes, path: str) -> list[Article]:
    """A Markdown file (.md, .markdown): front matter, then the first `#` heading as the title
    unless the front matter has one, then the text without its markup."""
    meta, body = split_front_matter(decode(data))
    blocks = _blocks(body)
    if not meta.get("title"):
        first = next((i for i, (level, _) in enumerate(blocks) if level == 1), None)
        if first is not None:
            meta["title"] = blocks.pop(first)[1]
    text = "\n\n".join(block for _, block in blocks)
    return [build(meta, text, data, path, title_from_first_line=True)]


def _blocks(markdown: str) -> list[tuple[int, str]]:
    """(heading level or 0, text) of each block of the document, in order."""
    out: list[tuple[int, str]] = []
    heading = 0
    rows: list[str] | None = None  # inside a table: its rows so far
    cells: list[str] = []
    for token in _PARSER.parse(markdown):
        kind = token.type
        if kind == "heading_open":
            heading = int(token.tag[1:])
        elif kind == "heading_close":
            heading = 0
        elif kind == "table_open":
            rows = []
        elif kind == "tr_close" and rows is not None:
            rows.append(" | ".join(cell for cell in cells if cell))
            cells = []
        elif kind == "table_close" and rows is not None:
            out.append((0, "\n".join(row for row in rows if row)))
            rows = None
        elif kind == "inline":
            text = _inline(token)
            if rows is not None:
                cells.append(text.strip())
            elif text.strip():
                out.append((heading, text.strip() if heading else text))
        elif kind == "code_block":  # an indented paragraph, in an article: text, not code
            out.append((0, token.content))
        elif kind == "html_block":
            out.append((0, html_to_text(token.content)))
        # fences (code), rules and the open/close marks of paragraphs, lists and quotes: nothing
    return [(level, text) for level, text in out if text.strip()]


def _inline(token: Token) -> str:
    """The text of an inline run: emphasis, links and code marks removed, images and inline
    HTML tags dropped, line breaks kept."""
    parts: list[str] = []
    for child in token.children or ():
        if child.type in _INLINE_TEXT:
            parts.append(child.content)
        elif child.type in _INLINE_BREAKS:
            parts.append("\n")
    return "".join(parts)
