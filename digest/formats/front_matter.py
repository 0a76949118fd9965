"""Front matter: the `---` block of metadata (YAML) that opens a Markdown or text file.

Split off and read by python-frontmatter's YAML handler (PyYAML's safe loader). Hand-written front matter
is often not valid YAML ("title: Trams: a new era", an unquoted colon): such a block is read
as `key: value` lines, the value taken literally, rather than lost.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

_META_ALIASES = {
    "title": "title", "headline": "title",
    "source": "source", "publisher": "source", "site": "source", "sitename": "source",
    "site_name": "source", "outlet": "source",
    "url": "url", "link": "url", "canonical_url": "url",
    "published": "published", "date": "published", "published_at": "published",
    "pubdate": "published",
}  # fmt: skip


class _Yaml(YAMLHandler):
    # A YAML document may also end with "..." (pandoc writes front matter so).
    FM_BOUNDARY = re.compile(r"^(?:-{3,}|\.{3})[ \t]*\r?$", re.MULTILINE)

    def detect(self, text: str) -> bool:
        return re.match(r"-{3,}[ \t]*\r?\n", text) is not None


_HANDLER = _Yaml()


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """({title, source, url, published}, body) for text opening with a `---` block."""
    start = text.lstrip()
    if not _HANDLER.detect(start):
        return {}, text
    try:
        block, body = _HANDLER.split(start)
    except ValueError:  # no closing line
        return {}, text
    try:
        raw = _HANDLER.load(block)  # yaml.safe_load
    except yaml.YAMLError:
        raw = None
    if not isinstance(raw, dict):
        raw = _literal_lines(block)
    if raw is None:
        return {}, text  # not front matter after all: a horizontal rule at the top
    meta: dict[str, Any] = {}
    for key, value in raw.items():
        field = _META_ALIASES.get(str(key).strip().lower())
        if field and field not in meta and value not in (None, ""):
            if isinstance(value, dict):
                value = value.get("name")
            meta[field] = value
    return meta, body


def _literal_lines(block: str) -> dict[str, Any] | None:
    """`key: value` lines, read literally; None unless every line is one."""
    pairs = [
        re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        for line in block.splitlines()
        if line.strip()
    ]
    if not pairs or not all(pairs):
        return None
    return {m.group(1): m.group(2).strip().strip("\"'") for m in pairs if m}
