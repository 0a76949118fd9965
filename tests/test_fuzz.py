"""Property-based tests (hypothesis) over every reader and the cleaner: whatever the bytes, the
only exception that escapes is the project's own InputError, and a readable article keeps its
text. Bounded (max_examples, no deadline) so CI stays quick."""

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.clean import clean_body
from digest.errors import InputError
from digest.ingest import SUPPORTED, read_file

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Fragments that steer random input towards the parsers' interesting paths.
MARKUP = [
    "<p>", "</p>", "<div>", "<script>", "<!--", "-->", "<br>", "&amp;", "&#0;", "<![CDATA[",
    "]]>", "<rss>", "<item>", "<title>", "<description>", "<entry>", "<content>", "---\n",
    "title: ", "\n\n", "# ", "**", "[", "](", "```", "{", "}", "[", "]", '"text": ', '"', ":",
    ",", "\\u0000", "\\ud800", "From: a@b\r\n", "Subject: x\r\n", "Content-Type: text/html\r\n",
    "%PDF-1.4", "\x00", "\ufeff", "Ã©", "â€œ", "\u202e", "#tag ", "Advertisement", "FILE - ",
]  # fmt: skip
PROSE = st.sampled_from(
    ["The council met on Monday.", "Fares will rise by 8 percent.", "“We agree,” she said."]
)
NOISY_TEXT = st.lists(st.one_of(st.sampled_from(MARKUP), PROSE, st.text(max_size=30)), max_size=40)


def _read(suffix: str, data: bytes):
    try:
        return read_file(Path("f" + suffix), data, display_path="f" + suffix)
    except InputError as e:
        assert e.reason and isinstance(e.reason, str)
        return []


@FUZZ
@given(suffix=st.sampled_from(SUPPORTED), data=st.binary(max_size=3000))
def test_readers_on_random_bytes_raise_only_input_errors(suffix, data):
    for article in _read(suffix, data):
        assert article.text.strip() and article.title
        article.text.encode("utf-8")  # no lone surrogates: the store can save it


@FUZZ
@given(
    suffix=st.sampled_from(SUPPORTED),
    parts=NOISY_TEXT,
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]),
)
def test_readers_on_markup_soup_raise_only_input_errors(suffix, parts, encoding):
    data = "".join(parts).encode(encoding, errors="ignore")
    for article in _read(suffix, data):
        assert article.text.strip() and article.title
        article.text.encode("utf-8")


@FUZZ
@given(
    title=st.text(max_size=80),
    # no control codes: a NUL marks a binary file, refused on purpose (tested above)
    text=st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300
    ),
    fmt=st.sampled_from([".json", ".jsonl", ".txt", ".md", ".html", ".xml"]),
)
def test_a_readable_article_keeps_its_text(title, text, fmt):
    """A plain sentence wrapped in any format comes out with that sentence intact."""
    sentence = "The harbour council approved the new ferry timetable on Monday."
    body = f"{sentence}\n\n{text}"
    if fmt == ".json":
        data = json.dumps({"title": title, "text": body})
    elif fmt == ".jsonl":
        data = json.dumps({"title": title, "text": body}) + "\n"
    elif fmt == ".html":  # markup: paragraphs are elements, not blank lines
        esc = text.replace("&", "&amp;").replace("<", "&lt;")
        data = f"<html><body><article><p>{sentence}</p><p>{esc}</p></article></body></html>"
    elif fmt == ".xml":
        esc = text.replace("&", "&amp;").replace("<", "&lt;")
        inner = f"<p>{sentence}</p><p>{esc}</p>".replace("&", "&amp;").replace("<", "&lt;")
        data = f"<rss><channel><item><title>T</title><description>{inner}</description></item></channel></rss>"
    else:
        data = f"Ferry timetable approved\n\n{body}"
    articles = _read(fmt, data.encode("utf-8"))
    assert articles, (fmt, data)
    assert any(sentence in " ".join(a.text.split()) for a in articles), (fmt, data)


@FUZZ
@given(title=st.text(max_size=50), paragraphs=NOISY_TEXT)
def test_cleaner_never_fails_and_keeps_plain_sentences(title, paragraphs):
    sentence = "The harbour council approved the new ferry timetable on Monday."
    out = clean_body(title, "\n\n".join([sentence, *paragraphs]))
    assert isinstance(out, str)
    assert title.strip() == sentence or sentence in out
