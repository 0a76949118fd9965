"""Write stage: a brief becomes a Markdown file and its JSON twin in the outbox, atomically."""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from .records import Brief, Source


def slugify(title: str, max_words: int = 8) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())[:max_words]
    return "-".join(words) or "story"


def markdown(brief: Brief) -> str:
    lines = [f"# {brief.headline}", ""]
    body = " ".join(f"{s.text} {''.join(f'[{n}]' for n in s.citations)}" for s in brief.sentences)
    lines += [body, ""]
    n = len(brief.sources)
    lines += [
        f"*Version {brief.version}, updated {brief.updated}; {n} source{'s' if n != 1 else ''}.*",
        "",
        "## Sources",
        "",
    ]
    lines += [_source_line(s) for s in brief.sources]
    return "\n".join(lines) + "\n"


def _source_line(s: Source) -> str:
    url = safe_url(s.url)
    title = f"[{s.title}]({url})" if url else s.title
    parts = [p for p in (s.publisher, s.published) if p]
    meta = f" — {', '.join(parts)}" if parts else ""
    line = f"{s.n}. {title}{meta} (`{s.path}`)"
    if s.copies:  # near-duplicates of this source: the same text, counted once
        also = "; ".join(
            f"{c.publisher or c.title} (`{c.path}`)" if not c.url
            else f"[{c.publisher or c.title}]({c.url}) (`{c.path}`)"
            for c in s.copies
        )  # fmt: skip
        line += f"; also published by {also}"
    return line


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


def atomic_write(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename over `path`.

    Readers see the old file or the new one, never half of one.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
