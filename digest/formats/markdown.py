"""Markdown files (.md, .markdown): front matter, a heading as the title, the prose without its
markup."""

from __future__ import annotations

import re

from ..records import Article
from .article import build
from .encoding import decode
from .front_matter import split_front_matter


def read(data: bytes, path: str) -> list[Article]:
    """A Markdown file (.md, .markdown): front matter, then the first `#` heading as the title
    unless the front matter has one, then the text without its markup."""
    meta, body = split_front_matter(decode(data))
    heading = re.search(r"^[ \t]{0,3}#[ \t]+(.+?)[ \t#]*$", body, re.MULTILINE)
    if heading and not meta.get("title"):
        meta["title"] = strip_markdown(heading.group(1))
        body = body[: heading.start()] + body[heading.end() :]
    return [build(meta, strip_markdown(body), data, path, title_from_first_line=True)]


def strip_markdown(text: str) -> str:
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
