"""Markdown and front matter (digest/formats/markdown.py, front_matter.py) through the real
reader. tests/test_ingest.py has the first cases (aliases, emphasis, links, lists, quotes)."""

import time
from pathlib import Path

from digest.formats.markdown import _blocks
from digest.ingest import read_file


def read_md(text: str, name: str = "a.md"):
    (article,) = read_file(Path(name), text.encode(), display_path=name)
    return article


DOCUMENT = """Ferry fares rise
================

The council voted to raise fares by 8 percent &amp; cut two routes.

```python
print("not an article")
```

<div class="note">The vote was <b>seven to four</b>.<script>alert(1)</script></div>

![A ferry at the pier](ferry.jpg) The ferry operator [welcomed][op] the decision.

[op]: https://example.org/op

    Season tickets are not affected, the council said.

1. First, fares rise in January.
   - Then the routes close in March.
"""


def test_markdown_blocks_become_paragraphs_without_markup():
    article = read_md(DOCUMENT)
    assert article.title == "Ferry fares rise"  # a setext heading
    assert article.text == (
        "The council voted to raise fares by 8 percent & cut two routes.\n\n"  # entity decoded
        "The vote was seven to four.\n\n"  # raw HTML: its text, not its script
        "The ferry operator welcomed the decision.\n\n"  # no image alt text, no link target
        "Season tickets are not affected, the council said.\n\n"  # indented: text, not code
        "First, fares rise in January.\n\n"
        "Then the routes close in March."
    )
    assert "print" not in article.text and "example.org" not in article.text


def test_a_table_is_kept_as_rows_of_cells():
    blocks = _blocks("| Route | Fare |\n|---|---|\n| North | 2.70 |\n| South | *3.10* |\n")
    assert blocks == [(0, "Route | Fare\nNorth | 2.70\nSouth | 3.10")]


def test_headings_keep_their_level():
    assert _blocks("# One\n\ntext\n\n### Three ###\n") == [(1, "One"), (0, "text"), (3, "Three")]


def test_front_matter_that_is_not_valid_yaml_is_still_read():
    article = read_md(
        "---\ntitle: Trams: a new era\nsource: Riverside Weekly\ndate: 2026-11-15\n---\n\n"
        "The new trams carried 18,000 riders on the first day, the operator said.\n"
    )
    assert (article.title, article.source, article.published) == (
        "Trams: a new era",
        "Riverside Weekly",
        "2026-11-15",
    )
    assert article.text == "The new trams carried 18,000 riders on the first day, the operator said."


def test_front_matter_may_end_with_three_dots():
    article = read_md(
        "---\ntitle: Ferry fares rise\npublisher: Harbour Post\n...\n\n"
        "Ferry fares will rise by 8 percent from January, the council said.\n"
    )
    assert (article.title, article.source) == ("Ferry fares rise", "Harbour Post")
    assert article.text == "Ferry fares will rise by 8 percent from January, the council said."


def test_rules_at_the_top_are_not_front_matter():
    article = read_md(
        "---\n\nFerry fares will rise by 8 percent from January, the council said on Tuesday "
        "after a vote that was closer than expected.\n\n---\n\nSeason tickets are not affected.\n"
    )
    assert article.source is None
    assert article.text == (
        "Ferry fares will rise by 8 percent from January, the council said on Tuesday after a "
        "vote that was closer than expected.\n\nSeason tickets are not affected."
    )


def test_a_text_file_with_yaml_front_matter_in_a_nested_form():
    (article,) = read_file(
        Path("a.txt"),
        b"---\ntitle: Ferry fares rise\npublisher:\n  name: Harbour Post\n---\n"
        b"Ferry fares will rise by 8 percent from January, the council said.\n",
        display_path="a.txt",
    )
    assert (article.title, article.source) == ("Ferry fares rise", "Harbour Post")


def test_markdown_pathological_nesting_is_fast():
    started = time.perf_counter()
    for text in ("[a](" * 20000, "*a **b " * 20000, "> " * 5000 + "x", "`" * 30000, "<" * 30000):
        _blocks(text)
    assert time.perf_counter() - started < 20
