"""Front matter: the `---` block of metadata (YAML) that opens a Markdown or text file."""

from __future__ import annotations

import re
from typing import Any

_META_ALIASES = {
    "title": "title", "headline": "title",
    "source": "source", "publisher": "source", "site": "source", "sitename": "source",
    "site_name": "source", "outlet": "source",
    "url": "url", "link": "url", "canonical_url": "url",
    "published": "published", "date": "published", "published_at": "published",
    "pubdate": "published",
}  # fmt: skip


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
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
