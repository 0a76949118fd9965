"""Articles from what the mail, feed and PDF readers found (`records.Parsed`): a whole page is
read like a saved web page, an HTML fragment as text, text as it is."""

from __future__ import annotations

from ..errors import InputError
from ..records import Article, Parsed
from .article import build, from_records
from .html import NO_TEXT_IN_PAGE, from_page, html_to_text


def from_parsed(parsed: list[Parsed], data: bytes, path: str) -> list[Article]:
    """Articles from what a format reader found (mail, feeds, PDF)."""
    if len(parsed) == 1 and parsed[0].part is None:
        return [article_of(parsed[0], data, path)]
    records = ((f"{path}#{p.part}", p, p.raw or data) for p in parsed)
    return from_records(records, article_of, unit="entry")


def article_of(p: Parsed, raw: bytes, path: str) -> Article:
    if p.html and p.page:
        try:
            return from_page(p.body, path, p.meta)
        except InputError as e:
            if e.reason != NO_TEXT_IN_PAGE:
                raise
            # e.g. a newsletter laid out in tables: take all the text, and let the cleaner weed it
    body = html_to_text(p.body) if p.html else p.body
    return build(dict(p.meta), body, raw, path, title_from_first_line=not p.meta.get("title"))
