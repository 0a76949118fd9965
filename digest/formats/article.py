"""Assembling an Article from what a format reader found: the metadata fields as one line of
text each, the body repaired and cleaned of page noise (clean.py), a title (from the metadata,
else the first line or the lead sentence), the date in ISO 8601 (dates.py) and the hash that
identifies the article. Also the loop over the records of a multi-article file.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from ..clean import clean_body, is_noise, normalize_space
from ..errors import InputError
from ..language import detect
from ..records import Article
from ..sentences import split_sentences
from .dates import normalize_date
from .encoding import repair

log = logging.getLogger(__name__)

# A first line this long that ends a sentence is the lead paragraph, not a headline.
_LEAD_MIN_WORDS = 20
_FINAL = re.compile(r"[.!?…][\"'”’)\]]*$")
_TITLE_MAX_WORDS = 25  # a title made from a lead sentence is cut here
HEADLINE_WORDS = 4  # a title alone with at least this many words is read as a headline-only item
_FIELD_MAX_CHARS = 1000  # a title, author or URL longer than this is not one: cut


def build(
    meta: dict[str, Any],
    body: str,
    data: bytes,
    path: str,
    *,
    title_from_first_line: bool,
    empty: str = "no article text left after removing page noise (headings, captions, share lines)",
) -> Article:
    title = text_field(meta.get("title"))
    source = text_field(meta.get("source"))
    url = text_field(meta.get("url"))
    author = text_field(meta.get("author"))
    body = normalize_space(repair(body))
    strip_title = title
    if not title and title_from_first_line:
        title, rest, is_lead = _title_from_text(body)
        if not is_lead:
            body = rest
        # A lead paragraph stays in the body: its first sentence names the article, but it is
        # still the most important paragraph, not a headline to strip.
        strip_title = "" if is_lead else title
    text = clean_body(strip_title or "", body)
    if not text and title and not is_noise(title) and len(title.split()) >= HEADLINE_WORDS:
        # A headline alone (a feed entry, a link list, a wire flash) is still news: it is read,
        # clustered and cited by its headline, which stands as its one sentence of text. A
        # word or two ("x", "Headline here") is no headline.
        text = _tidy_title(title)
    if not text:
        raise InputError(empty if body.strip() else "the file has a title but no article text")
    if not title:
        title = _title_from_sentence(split_sentences(text)[0])
    title = _tidy_title(_strip_site_suffix(title, source, url))
    if len(title) > _FIELD_MAX_CHARS:
        title = title[:_FIELD_MAX_CHARS].rsplit(" ", 1)[0] + "…"
    return Article(
        path=path,
        title=title,
        text=text,
        content_hash=content_hash(data),
        url=url if url and len(url) <= _FIELD_MAX_CHARS and " " not in url else None,
        source=source,
        published=normalize_date(meta.get("published")),
        author=author,
        language=detect(f"{title}\n{text}"),
    )


def _title_from_text(body: str) -> tuple[str, str, bool]:
    """(title, rest of the body, whether the first line is a lead paragraph)."""
    lines = body.split("\n")
    nonempty = [i for i, line in enumerate(lines) if line.strip()]
    # Captions, credits and prompts saved above the headline are not the title.
    while len(nonempty) > 1 and is_noise(lines[nonempty[0]]):
        nonempty.pop(0)
    if not nonempty:
        return "", body, False
    first = nonempty[0]
    # A section label saved above the headline ("World", "Local News") is not the title.
    if len(nonempty) > 1 and re.fullmatch(r"\w+(?: news)?", lines[first].strip(), re.IGNORECASE):
        first = nonempty[1]
    line = lines[first].strip()
    # only the start decides (a 20 MB one-line file is split no further than that)
    sentences = split_sentences(line[:2000])
    words = len(line.split(maxsplit=_LEAD_MIN_WORDS + 1))
    if words > _LEAD_MIN_WORDS and (len(sentences) > 1 or _FINAL.search(line)):
        return _title_from_sentence(sentences[0]), body, True
    return line, "\n".join(lines[first + 1 :]), False


def _title_from_sentence(sentence: str) -> str:
    words = sentence.split()
    return sentence if len(words) <= _TITLE_MAX_WORDS else " ".join(words[:_TITLE_MAX_WORDS]) + "…"


_TITLE_LABEL = re.compile(r"^Story highlights:?\s+(?=\S)", re.IGNORECASE)


def _tidy_title(title: str) -> str:
    """One line, no full stop (a headline that is a sentence, "X recognizes Y.", loses it) and
    no page label before it ("Story highlights Russian defense minister says ...": a held-out
    validation brief's headline)."""
    title = _TITLE_LABEL.sub("", " ".join(title.split()))
    if re.search(r"[a-z0-9”’\"')]\.$", title) and not re.search(r"\b[A-Za-z]\.$", title):
        title = title[:-1]
    return title


def _strip_site_suffix(title: str, source: str | None, url: str | None) -> str:
    """'Tram opens | The Gazette' -> 'Tram opens', when 'The Gazette' is the article's source."""
    names = {_compact(source)} if source else set()
    if url:
        host = re.sub(r"^[a-z]+://", "", url.lower()).split("/")[0].split(":")[0]
        host = re.sub(r"^(?:www|m|amp)\.", "", host)
        names |= {_compact(host), _compact(host.rsplit(".", 1)[0]), _compact(host.split(".")[0])}
    names.discard("")
    parts = re.split(r"\s+[|–—•·-]\s+|\s+::\s+", title)
    if not names or len(parts) < 2:
        return title

    def matches(part: str) -> bool:
        k = _compact(part)
        return bool(k) and any(
            k == n or (len(k) >= 4 and k in n) or (len(n) >= 4 and n in k) for n in names
        )

    if matches(parts[-1]):
        return title[: title.rfind(parts[-1])].rstrip(" |–—•·:-")
    if matches(parts[0]):
        return title[len(parts[0]) :].lstrip(" |–—•·:-")
    return title


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def text_field(value: Any) -> str | None:
    """A metadata value as one line of text. Only text and numbers count: a nested structure
    is not a title (and printing one could be huge: YAML aliases expand exponentially)."""
    if isinstance(value, dict):  # schema.org: "publisher": {"@type": "Organization", "name": ...}
        value = value.get("name")
    if isinstance(value, list):  # "author": ["A", {"name": "B"}] style fields
        names = (text_field(v) if isinstance(v, (str, dict)) else None for v in value[:20])
        value = ", ".join(n for n in names if n)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = " ".join(repair(html.unescape(str(value)[: _FIELD_MAX_CHARS * 4])).split())
    return text or None


def first_key(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    lowered = {k.lower(): k for k in obj}
    for key in keys:
        actual = lowered.get(key.lower())
        if actual is not None and obj[actual] not in (None, "", []):
            return actual
    return None


def from_records(
    records: Iterable[tuple[str, Any, bytes]],
    make: Callable[[Any, bytes, str], Article],
    *,
    unit: str,
) -> list[Article]:
    """Articles of a multi-record file, each `(where, value, raw)` made by `make(value, raw,
    where)`; a value that is an InputError is a record that could not be read. Bad records are
    logged and skipped, not fatal."""
    articles: list[Article] = []
    problems: list[str] = []
    for where, value, raw in records:
        try:
            if isinstance(value, Exception):
                raise value
            articles.append(make(value, raw, where))
        except InputError as e:
            number = where.rsplit("#", 1)[1]
            problems.append(f"{unit} {number}: {e.reason}")
            log.warning("Ingest - skipped %s: %s", where, e.reason)
    if not articles:
        if not problems:
            raise InputError("the file holds no records")
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"no readable article in the file: {problems[0]}{more}")
    return articles


def content_hash(data: bytes) -> str:
    """sha256 of the bytes that identify the article (the file's, or its record's): the same
    hash as ingest.content_hash of a file, so a one-article file and its article share it."""
    return hashlib.sha256(data).hexdigest()
