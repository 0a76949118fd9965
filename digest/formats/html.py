"""Saved web pages (.html, .htm): trafilatura finds the article in the page and its metadata;
a page too short for it is read without its menus. Also HTML fragments (a feed entry, a JSON
field, an e-mail part) as text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from ..errors import InputError
from ..records import Article
from .article import build
from .encoding import declared_charset, decode

if TYPE_CHECKING:
    from trafilatura.settings import Document

NO_TEXT_IN_PAGE = "no article text found in the page (only menus, headings or other page noise)"


def read(data: bytes, path: str) -> list[Article]:
    return [from_page(data, path)]


def from_page(data: bytes | str, path: str, meta: dict[str, Any] | None = None) -> Article:
    """A whole page: trafilatura finds the article; `meta` (e.g. an e-mail's) wins over the page's."""
    import trafilatura  # imported here: it loads lxml and friends, which --help does not need

    page = data if isinstance(data, str) else decode(data, declared_charset(data))
    try:
        found_doc = trafilatura.bare_extraction(
            page,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            # Dates only from the page's markup and URL, not guessed from its text.
            date_extraction_params={
                "original_date": True,
                "extensive_search": False,
                "max_date": datetime.now(UTC).strftime("%Y-%m-%d"),
            },
        )
    except (RecursionError, MemoryError) as e:
        raise InputError("the page is nested too deeply or too large to parse") from e
    except Exception as e:  # a parser crash on one odd page must not stop the batch
        raise InputError(f"could not parse the page as HTML ({type(e).__name__}: {e})") from e
    doc = cast("Document | None", found_doc)  # a dict only when asked for one (as_dict)
    text = (doc.text if doc is not None else None) or ""
    if doc is None or not text.strip():
        # trafilatura wants a few hundred characters of article; a short page (a brief, a
        # correction) still has its text: the page without its menus, read by the cleaner
        title, body = page_text(page)
        if not body.strip():
            raise InputError(NO_TEXT_IN_PAGE)
        found = {"title": title, **{k: v for k, v in (meta or {}).items() if v}}
        return build(found, body, _raw(data), path, title_from_first_line=False)
    # trafilatura puts one block (paragraph, heading, list item) per line.
    body = re.sub(r"\n+", "\n\n", text)
    found = {
        "title": doc.title,
        "author": doc.author,
        "source": doc.sitename,
        "url": doc.url,
        "published": doc.date,
    }
    found.update({k: v for k, v in (meta or {}).items() if v})
    return build(found, body, _raw(data), path, title_from_first_line=False, empty=NO_TEXT_IN_PAGE)


def _raw(data: bytes | str) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")


_PAGE_FURNITURE = ("nav", "header", "footer", "aside", "form", "menu", "button", "select")


def page_text(page: str) -> tuple[str | None, str]:
    """(title, text) of a page: its body without menus, headers, footers, forms and scripts."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.document_fromstring(_BLOCK_END.sub("\n\n", page))
    except (ParserError, ValueError):
        return None, ""
    title = root.findtext(".//title")
    for bad in root.xpath("//script|//style|//noscript|//template|//iframe|//svg|//head"):
        bad.drop_tree()
    for tag in _PAGE_FURNITURE:
        for bad in list(root.iter(tag)):
            bad.drop_tree()
    return title, root.text_content()


_BLOCK_END = re.compile(
    r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr|table|section|article|header|footer)\s*>"
)


def html_to_text(markup: str) -> str:
    """An HTML fragment (feed entry, JSON field, e-mail) as text, one block per paragraph."""
    import lxml.html  # imported here: only HTML needs it
    from lxml.etree import ParserError

    marked = _BLOCK_END.sub("\n\n", markup)
    try:
        root = lxml.html.fragment_fromstring(marked, create_parent="div")
    except (ParserError, ValueError):
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template|//iframe|//svg"):
        bad.drop_tree()
    return root.text_content()
