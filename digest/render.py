"""Write stage: a brief becomes a Markdown file and its JSON twin in the outbox, atomically."""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from . import language
from .records import Brief, Source

log = logging.getLogger(__name__)


def slugify(title: str, max_words: int = 8) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())[:max_words]
    return "-".join(words) or "story"


def markdown(brief: Brief) -> str:
    """The brief as Markdown. Every field comes from articles or the model, so each is escaped:
    HTML in a title shows as text, and only http(s) URLs become links (encoded)."""
    lines = [f"# {md_text(brief.headline)}", ""]
    body = " ".join(
        f"{md_text(s.text)} {''.join(f'[{int(n)}]' for n in s.citations)}" for s in brief.sentences
    )
    lines += [body, ""]
    n = len(brief.sources)
    lines += [
        f"*Version {int(brief.version)}, updated {md_text(brief.updated)}; "
        f"{n} source{'s' if n != 1 else ''}.*",
        "",
        "## Sources",
        "",
    ]
    lines += [_source_line(s) for s in brief.sources]
    return "\n".join(lines) + "\n"


def _source_line(s: Source) -> str:
    parts = [md_text(p) for p in (s.publisher, s.published, language.name(s.language)) if p]
    meta = f" — {', '.join(parts)}" if parts else ""
    line = f"{int(s.n)}. {md_link(s.title, s.url)}{meta} ({md_code(s.path)})"
    if s.copies:  # near-duplicates of this source: the same text, counted once
        also = "; ".join(
            f"{md_link(c.publisher or c.title, c.url)} ({md_code(c.path)})" for c in s.copies
        )
        line += f"; also published by {also}"
    return line


# Markdown that renders as the text itself: backslash escapes for Markdown's own marks, HTML
# entities for what starts a tag or an entity (which every Markdown dialect understands).
_MD_MARKS = re.compile(r"([\\`*_\[\]])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def md_text(text: object) -> str:
    """Text from an article (or the model) as Markdown showing exactly that text, on one line."""
    flat = " ".join(_CONTROL.sub(" ", str(text)).split())
    flat = _MD_ENTITY.sub("&amp;", flat)
    flat = flat.replace("<", "&lt;").replace(">", "&gt;")
    return _MD_MARKS.sub(r"\\\1", flat)


def md_link(text: str, url: str | None) -> str:
    """`[text](url)` when `url` is a safe http(s) URL, else the text alone."""
    target = safe_url(url)
    if not target:
        return md_text(text)
    # characters that could end the destination or open markup, percent-encoded
    encoded = quote(target, safe="/:?#@!$&*+,;=%~-._")
    return f"[{md_text(text)}]({encoded})"


def md_code(text: str) -> str:
    """`text` as a code span, with a fence longer than any run of backticks inside."""
    flat = " ".join(_CONTROL.sub(" ", str(text)).split())
    fence = "`" * (max((len(r) for r in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def safe_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL that a reader may follow, else None.

    Article metadata is hostile input: a javascript: or data: URL must never become a link.
    """
    if not url or any(c.isspace() or not c.isprintable() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def write_brief(
    outbox: Path,
    slug: str,
    brief: Brief,
    history: list[dict],
    between: Callable[[], None] = lambda: None,
) -> list[Path]:
    """Write `<slug>.md` and `<slug>.json`; the JSON carries the version history."""
    outbox.mkdir(parents=True, exist_ok=True)
    data = brief.to_json()
    data["history"] = history
    md_path = outbox / f"{slug}.md"
    json_path = outbox / f"{slug}.json"
    atomic_write(json_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    between()  # a crash here leaves the new JSON beside the old Markdown until the rerun
    atomic_write(md_path, markdown(brief))
    return [md_path, json_path]


def _read_umask() -> int:
    mask = os.umask(0o022)  # the only portable way to read it is to set it; put it back at once
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # at import, before any thread could create a file meanwhile


def atomic_write(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename over `path`.

    Readers see the old file or the new one, never half of one.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600) and the mode survives the rename; readers (a web
        # server, another account) need the mode any program would give it: 0644 under umask 022
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# what atomic_write's mkstemp names its temporary files: ".<name>.<8 random characters>.tmp"
_LEFTOVER = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def remove_leftovers(*folders: Path) -> int:
    """Remove the temporary files of atomic writes that a `kill -9` interrupted: nothing else
    removes them. Only while holding the state lock (no write of ours is in flight then)."""
    removed = 0
    for folder in folders:
        try:
            names = [e.name for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
        except OSError:  # not made yet, or not readable: nothing of ours to remove
            continue
        for name in names:
            if _LEFTOVER.fullmatch(name):
                try:
                    os.unlink(folder / name)
                    removed += 1
                except OSError:
                    pass
    if removed:
        log.info("Recovery - removed %d temporary file(s) of an interrupted write", removed)
    return removed
