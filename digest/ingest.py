"""Reading article files from the inbox into Articles.

Formats: plain text, Markdown (optional front matter), saved HTML pages (trafilatura finds the
article in the page), JSON (one object or a list), JSON Lines, e-mail (.eml, mail.py), feeds
(.xml/.rss/.atom, feeds.py) and PDFs with a text layer (pdf.py). Bytes become text in
encoding.py (encoding detected, mojibake repaired). Every body goes through `clean.clean_body`,
so later stages see prose only. A file that cannot be read raises `InputError` with the reason
in plain words; the pipeline reports it and carries on.
"""

from __future__ import annotations

import errno
import hashlib
import html
import json
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from .clean import clean_body, is_noise, normalize_space
from .encoding import check_not_binary, declared_charset, decode, repair
from .errors import InputError
from .records import Article, Parsed
from .sentences import split_sentences

log = logging.getLogger(__name__)

SUPPORTED = (
    ".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".eml", ".xml", ".rss",
    ".atom", ".pdf",
)  # fmt: skip
_FEEDS = (".xml", ".rss", ".atom")

_TEMP_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", ".swp", "~")

# Metadata field names, in order of preference, as publishers and scrapers spell them.
_TITLE_KEYS = ("title", "headline")
_TEXT_KEYS = ("text", "content", "body", "article", "maintext", "articleBody")
_URL_KEYS = ("url", "link", "canonical_url", "href", "source_url")
_SOURCE_KEYS = ("source", "publisher", "site", "sitename", "site_name", "outlet", "source_name")
_DATE_KEYS = ("published", "date", "published_at", "publishedAt", "datePublished", "pubDate")
_AUTHOR_KEYS = ("author", "authors", "byline", "creator", "writer")

# A first line this long that ends a sentence is the lead paragraph, not a headline.
_LEAD_MIN_WORDS = 20
_NO_TEXT_IN_PAGE = "no article text found in the page (only menus, headings or other page noise)"
_FINAL = re.compile(r"[.!?…][\"'”’)\]]*$")
_TITLE_MAX_WORDS = 25  # a title made from a lead sentence is cut here
_FIELD_MAX_CHARS = 1000  # a title, author or URL longer than this is not one: cut


# --- the inbox ------------------------------------------------------------------------------


def list_inbox(inbox: Path, skip: tuple[str, ...] = ("processed", "failed")) -> list[Path]:
    """Article files in `inbox` and its sub-folders, sorted.

    Skips hidden files and folders, partial downloads and editor temp files, READMEs, and the
    top-level folders named in `skip` (where the service files things away). Files of
    unsupported types, links to folders and other odd entries are listed so that the pipeline
    can report them rather than ignore them silently.
    """
    found: list[Path] = []
    skipped = {name.lower() for name in skip}
    for folder, dirs, files in os.walk(inbox):
        here = Path(folder)
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".") and not (here == inbox and d.lower() in skipped)
        ]
        # os.walk does not enter linked folders; list the links, to say why they are not read
        found.extend(here / d for d in dirs if (here / d).is_symlink())
        found.extend(here / name for name in files if _is_article_name(name))
    return sorted(found)


def _is_article_name(name: str) -> bool:
    lower = name.lower()
    return not (lower.startswith((".", "~$", "readme")) or lower.endswith(_TEMP_SUFFIXES))


def display_name(path: Path, inbox: Path) -> str:
    """The file's path inside the inbox, printable: bytes that are not UTF-8 in the name show as
    "\\xff", control and direction-changing characters as escapes ("\\n", "\\u202e")."""
    try:
        rel = path.relative_to(inbox).as_posix()
    except ValueError:
        rel = path.as_posix()
    return "".join(_printable(c) for c in rel)


def _printable(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for an undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    if (
        unicodedata.category(char) in ("Cc", "Cs")
        or 0x202A <= code <= 0x202E
        or 0x2066 <= code <= 0x2069
    ):
        return char.encode("unicode_escape").decode("ascii")
    return char


def read_inbox_file(path: Path, inbox: Path, max_bytes: int) -> bytes:
    """The bytes of one inbox file, or InputError saying why they are not read.

    Links are never followed (neither to outside the inbox, which would read files the user
    did not drop in, nor inside it, where the file linked to is read on its own); pipes,
    devices and sockets are refused before opening, so a FIFO cannot hang the run; files over
    `max_bytes` are refused without being read.
    """
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            raise InputError(_link_reason(path, inbox))
        if not stat.S_ISREG(st.st_mode):
            raise InputError(_special_reason(st.st_mode))
        _check_size(st.st_size, max_bytes)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # swapped since lstat
                raise InputError(_special_reason(os.fstat(f.fileno()).st_mode))
            data = f.read(max_bytes + 1)
        _check_size(len(data), max_bytes)  # it grew while we looked
        return data
    except OSError as e:
        if e.errno == errno.ELOOP:  # replaced by a link since lstat
            raise InputError(_link_reason(path, inbox)) from None
        raise InputError(f"cannot read the file: {e.strerror or e}") from None


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError(
            f"the file is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:g} MB limit"
            " ([ingest] max_file_mb)"
        )


def _link_reason(path: Path, inbox: Path) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    resolved = path.resolve()
    shown = "".join(_printable(c) for c in target)
    if not resolved.exists():
        return f"it is a symbolic link to {shown}, which does not exist"
    kind = "folder" if resolved.is_dir() else "file"
    if resolved.is_relative_to(inbox.resolve()):
        return (
            f"it is a symbolic link to a {kind} inside the inbox ({shown}); digest does not "
            f"follow links, so nothing is read twice: the {kind} itself is read where it is"
        )
    return (
        f"it is a symbolic link to a {kind} outside the inbox ({shown}); digest reads only "
        f"what is in the inbox: copy the article itself in"
    )


def _special_reason(mode: int) -> str:
    kind = (
        "a folder" if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )  # fmt: skip
    return f"this is {kind}, not an article file"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- one file -------------------------------------------------------------------------------


def read_file(path: Path, data: bytes, *, display_path: str) -> list[Article]:
    """Parse the bytes of one inbox file into its articles (several for JSON Lines and feeds).

    Raises InputError with a plain-words reason when the file holds no readable article.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        kind = f"'{suffix}' files" if suffix else "files without an extension"
        raise InputError(
            f"cannot read {kind}; digest reads {', '.join(SUPPORTED[:-1])} and {SUPPORTED[-1]}"
        )
    if not data.strip():
        raise InputError("the file is empty")
    if suffix == ".pdf":
        if not data.lstrip()[:5].startswith(b"%PDF"):
            raise InputError("the file is named .pdf but is not a PDF")
        from .pdf import read_pdf

        return _from_parsed(read_pdf(data), data, display_path)
    check_not_binary(data)
    if suffix in (".html", ".htm"):
        return [_from_html(data, display_path)]
    if suffix == ".jsonl":
        return _from_jsonl(data, display_path)  # decoded line by line: one bad line is not fatal
    if suffix == ".eml":
        from .mail import read_email

        return _from_parsed(read_email(data), data, display_path)
    if suffix in _FEEDS:
        from .feeds import read_feed

        return _from_parsed(read_feed(data), data, display_path)
    text = decode(data)
    if suffix == ".txt":
        return [_from_text(text, data, display_path)]
    if suffix in (".md", ".markdown"):
        return [_from_markdown(text, data, display_path)]
    return _from_json(text, data, display_path)


# --- formats --------------------------------------------------------------------------------


def _from_text(text: str, data: bytes, path: str) -> Article:
    meta, body = _split_front_matter(text)
    return _build(meta, body, data, path, title_from_first_line=True)


def _from_markdown(text: str, data: bytes, path: str) -> Article:
    meta, body = _split_front_matter(text)
    heading = re.search(r"^[ \t]{0,3}#[ \t]+(.+?)[ \t#]*$", body, re.MULTILINE)
    if heading and not meta.get("title"):
        meta["title"] = _strip_markdown(heading.group(1))
        body = body[: heading.start()] + body[heading.end() :]
    return _build(meta, _strip_markdown(body), data, path, title_from_first_line=True)


def _from_html(data: bytes | str, path: str, meta: dict[str, Any] | None = None) -> Article:
    """A whole page: trafilatura finds the article; `meta` (e.g. an e-mail's) wins over the page's."""
    import trafilatura  # imported here: it loads lxml and friends, which --help does not need

    page = data if isinstance(data, str) else decode(data, declared_charset(data))
    try:
        doc = trafilatura.bare_extraction(
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
    if doc is None or not (doc.text or "").strip():
        # trafilatura wants a few hundred characters of article; a short page (a brief, a
        # correction) still has its text: the page without its menus, read by the cleaner
        title, body = _page_text(page)
        if not body.strip():
            raise InputError(_NO_TEXT_IN_PAGE)
        found = {"title": title, **{k: v for k, v in (meta or {}).items() if v}}
        return _build(found, body, _raw(data), path, title_from_first_line=False)
    # trafilatura puts one block (paragraph, heading, list item) per line.
    body = re.sub(r"\n+", "\n\n", doc.text)
    found = {
        "title": doc.title,
        "author": doc.author,
        "source": doc.sitename,
        "url": doc.url,
        "published": doc.date,
    }
    found.update({k: v for k, v in (meta or {}).items() if v})
    return _build(
        found, body, _raw(data), path, title_from_first_line=False, empty=_NO_TEXT_IN_PAGE
    )


def _raw(data: bytes | str) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")


_PAGE_FURNITURE = ("nav", "header", "footer", "aside", "form", "menu", "button", "select")


def _page_text(page: str) -> tuple[str | None, str]:
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


def _from_parsed(parsed: list[Parsed], data: bytes, path: str) -> list[Article]:
    """Articles from what a format reader found (mail, feeds, PDF)."""
    if len(parsed) == 1 and parsed[0].part is None:
        return [_article_of(parsed[0], data, path)]
    records = ((f"{path}#{p.part}", p, p.raw or data) for p in parsed)
    return _from_records(records, path, unit="entry")


def _article_of(p: Parsed, raw: bytes, path: str) -> Article:
    if p.html and p.page:
        try:
            return _from_html(p.body, path, p.meta)
        except InputError as e:
            if e.reason != _NO_TEXT_IN_PAGE:
                raise
            # e.g. a newsletter laid out in tables: take all the text, and let the cleaner weed it
    body = html_to_text(p.body) if p.html else p.body
    return _build(dict(p.meta), body, raw, path, title_from_first_line=not p.meta.get("title"))


def _from_json(text: str, data: bytes, path: str) -> list[Article]:
    value = _load_json(text)
    if isinstance(value, dict):
        listed = next(
            (value[k] for k in ("articles", "items") if isinstance(value.get(k), list)), None
        )
        if listed is None or _first_key(value, _TEXT_KEYS):
            return [_from_record(value, data, path)]
        value = listed
    if not isinstance(value, list):
        raise InputError(
            f"the JSON holds a {type(value).__name__}, not an article object or a list of them"
        )
    records = ((f"{path}#{i}", item, _canonical(item)) for i, item in enumerate(value, 1))
    return _from_records(records, path, unit="item")


def _load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from e
    except RecursionError:
        raise InputError(
            "the JSON is nested too deeply (hundreds of levels of lists or objects) to be an "
            "article"
        ) from None


def _from_jsonl(data: bytes, path: str) -> list[Article]:
    records = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        raw = raw.rstrip(b"\r")
        if raw.strip():
            records.append((number, raw))

    def parsed() -> Iterator[tuple[str, Any, bytes]]:
        for number, raw in records:
            where = f"{path}#{number}"
            try:
                yield where, _load_json(decode(raw)), raw
            except InputError as e:
                yield where, e, raw

    return _from_records(parsed(), path, unit="line")


def _from_records(
    records: Iterable[tuple[str, Any, bytes]], path: str, *, unit: str
) -> list[Article]:
    """Articles of a multi-record file; bad records are logged and skipped, not fatal."""
    articles: list[Article] = []
    problems: list[str] = []
    for where, value, raw in records:
        try:
            if isinstance(value, Exception):
                raise value
            if isinstance(value, Parsed):
                articles.append(_article_of(value, raw, where))
            else:
                articles.append(_from_record(value, raw, where))
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


def _from_record(value: Any, raw: bytes, path: str) -> Article:
    if not isinstance(value, dict):
        raise InputError(f"expected a JSON object with the article, found a {type(value).__name__}")
    text_key = _first_key(value, _TEXT_KEYS)
    if text_key is None and _first_key(value, _TITLE_KEYS):
        value = {**value, "text": ""}  # a headline alone: _build lets its title stand as text
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
        "title": value.get(_first_key(value, _TITLE_KEYS) or ""),
        "url": value.get(_first_key(value, _URL_KEYS) or ""),
        "source": value.get(_first_key(value, _SOURCE_KEYS) or ""),
        "author": value.get(_first_key(value, _AUTHOR_KEYS) or ""),
        "published": value.get(_first_key(value, _DATE_KEYS) or ""),
    }
    return _build(meta, body, raw, path, title_from_first_line=False)


# --- assembling an Article ------------------------------------------------------------------


def _build(
    meta: dict[str, Any],
    body: str,
    data: bytes,
    path: str,
    *,
    title_from_first_line: bool,
    empty: str = "no article text left after removing page noise (headings, captions, share lines)",
) -> Article:
    title = _text_field(meta.get("title"))
    source = _text_field(meta.get("source"))
    url = _text_field(meta.get("url"))
    author = _text_field(meta.get("author"))
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
    if not text and title and not is_noise(title):
        # A headline alone (a feed entry, a link list, a wire flash) is still news: it is read,
        # clustered and cited by its headline, which stands as its one sentence of text.
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
        published=_normalize_date(meta.get("published")),
        author=author,
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
    sentences, words = split_sentences(line), len(line.split())
    if words > _LEAD_MIN_WORDS and (len(sentences) > 1 or _FINAL.search(line)):
        return _title_from_sentence(sentences[0]), body, True
    return line, "\n".join(lines[first + 1 :]), False


def _title_from_sentence(sentence: str) -> str:
    words = sentence.split()
    return sentence if len(words) <= _TITLE_MAX_WORDS else " ".join(words[:_TITLE_MAX_WORDS]) + "…"


def _tidy_title(title: str) -> str:
    """One line, and no full stop: a headline that is a sentence ("X recognizes Y.") loses it."""
    title = " ".join(title.split())
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


def _text_field(value: Any) -> str | None:
    """A metadata value as one line of text. Only text and numbers count: a nested structure
    is not a title (and printing one could be huge: YAML aliases expand exponentially)."""
    if isinstance(value, dict):  # schema.org: "publisher": {"@type": "Organization", "name": ...}
        value = value.get("name")
    if isinstance(value, list):  # "author": ["A", {"name": "B"}] style fields
        names = (_text_field(v) if isinstance(v, (str, dict)) else None for v in value[:20])
        value = ", ".join(n for n in names if n)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = " ".join(repair(html.unescape(str(value)[: _FIELD_MAX_CHARS * 4])).split())
    return text or None


def _first_key(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    lowered = {k.lower(): k for k in obj}
    for key in keys:
        actual = lowered.get(key.lower())
        if actual is not None and obj[actual] not in (None, "", []):
            return actual
    return None


def _canonical(value: Any) -> bytes:
    """Stable bytes for one record of a JSON list: its hash identifies the article."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# --- dates ----------------------------------------------------------------------------------

_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d")


def _normalize_date(value: Any) -> str | None:
    """ISO 8601 where the form is unambiguous; otherwise the value as given."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 99999:
        seconds = value / 1000 if value > 1e11 else value  # milliseconds since the epoch
        return datetime.fromtimestamp(seconds, UTC).isoformat()
    text = " ".join(str(value).split())
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        if re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", text):
            return parsed.date().isoformat()
        return parsed.isoformat()
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)  # "November 3rd, 2026"
    cleaned = re.sub(r"^[A-Za-z]+,\s+(?=[A-Za-z])", "", cleaned)  # "Tuesday, November 3, 2026"
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    try:  # RFC 2822, as in RSS: "Tue, 03 Nov 2026 10:00:00 GMT"
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return text


# --- front matter and Markdown --------------------------------------------------------------

_META_ALIASES = {
    "title": "title", "headline": "title",
    "source": "source", "publisher": "source", "site": "source", "sitename": "source",
    "site_name": "source", "outlet": "source",
    "url": "url", "link": "url", "canonical_url": "url",
    "published": "published", "date": "published", "published_at": "published",
    "pubdate": "published",
}  # fmt: skip


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """({title, source, url, published}, body) for text opening with a `---` block."""
    match = re.match(r"\A\s*---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", text, re.DOTALL)
    if not match:
        return {}, text
    raw = _parse_yaml(match.group(1))
    if raw is None:
        return {}, text  # not front matter after all: a horizontal rule at the top
    meta: dict[str, Any] = {}
    for key, value in raw.items():
        field = _META_ALIASES.get(str(key).strip().lower())
        if field and field not in meta and value not in (None, ""):
            if isinstance(value, dict):
                value = value.get("name")
            meta[field] = value
    return meta, text[match.end() :]


def _parse_yaml(block: str) -> dict[str, Any] | None:
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        try:
            value = yaml.safe_load(block)
        except yaml.YAMLError:
            value = None  # e.g. an unquoted "title: Trams: a new era"; the simple parser copes
        if isinstance(value, dict):
            return value
    pairs = [
        re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        for line in block.splitlines()
        if line.strip()
    ]
    if not pairs or not all(pairs):
        return None
    return {m.group(1): m.group(2).strip().strip("\"'") for m in pairs if m}


def _strip_markdown(text: str) -> str:
    """Markdown to plain prose: markup removed, one block per paragraph, headings kept as lines."""
    text = _drop_between(_drop_fences(text), "<!--", "-->")
    text = re.sub(r"^(.+)\n(?:=+|-+)[ \t]*$", r"\1", text, flags=re.MULTILINE)  # setext headings
    text = re.sub(
        r"^[ \t]{0,3}\[[^\]\n]{1,500}\]:[ \t]*\S+.*$", "", text, flags=re.MULTILINE
    )  # link refs
    # Bounded repeats: with unbounded ones, a file of "[a](" repeated takes minutes.
    text = re.sub(
        r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)|!\[[^\]\n]{0,500}\]\[[^\]\n]{0,200}\]", "", text
    )  # images
    text = re.sub(r"\[([^\]\n]{1,500})\]\([^)\n]{0,2000}\)", r"\1", text)  # [text](url)
    text = re.sub(r"\[([^\]\n]{1,500})\]\[[^\]\n]{0,200}\]", r"\1", text)  # [text][ref]
    text = re.sub(r"<(https?://[^<>\s]{1,2000})>", r"\1", text)  # autolinks
    text = re.sub(r"</?[A-Za-z][^<>\n]{0,2000}>", "", text)  # inline HTML
    text = re.sub(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", r"\1", text, flags=re.MULTILINE)
    text = re.sub(r"^[ \t]{0,3}>[ \t]?", "", text, flags=re.MULTILINE)  # block quotes
    text = re.sub(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", "", text, flags=re.MULTILINE)  # rules
    text = re.sub(r"^[ \t]*\|?[ \t]*:?-{3,}.*$", "", text, flags=re.MULTILINE)  # table rules
    text = re.sub(r"(\*\*|__)(?=\S)(.{1,500}?)(?<=\S)\1", r"\2", text)  # **strong**
    text = re.sub(r"(?<![\w*])\*(?=[^\s*])(.{1,500}?)(?<=[^\s*])\*(?![\w*])", r"\1", text)  # *em*
    text = re.sub(r"(?<!\w)_(?=\S)(.{1,500}?)(?<=\S)_(?!\w)", r"\1", text)  # _em_
    text = re.sub(r"~~(.{1,500}?)~~", r"\1", text)
    text = re.sub(r"`([^`\n]{1,500})`", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!>|])", r"\1", text)  # backslash escapes
    return text


def _drop_fences(text: str) -> str:
    """Remove fenced code blocks (``` or ~~~); an unclosed fence is kept as text. Line by line:
    a regex with a lazy match across lines is quadratic on a file of many unclosed fences."""
    out: list[str] = []
    block: list[str] = []
    fence = None
    for line in text.split("\n"):
        if fence is None:
            if line.startswith(("```", "~~~")):
                fence, block = line[:3], [line]
            else:
                out.append(line)
        else:
            block.append(line)
            if line.startswith(fence):
                fence, block = None, []
    return "\n".join(out + block)


def _drop_between(text: str, start: str, end: str) -> str:
    """Remove every `start`...`end` span (HTML comments), in one linear pass."""
    parts: list[str] = []
    i = 0
    while (j := text.find(start, i)) != -1:
        k = text.find(end, j + len(start))
        if k == -1:
            break
        parts.append(text[i:j])
        i = k + len(end)
    parts.append(text[i:])
    return "".join(parts)


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
