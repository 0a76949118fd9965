"""Nothing raw from an article reaches a reader (issue 17, fault 5): every field written into a
Markdown brief renders as its own text in a real Markdown renderer (markdown-it, CommonMark,
HTML allowed as most viewers do), URLs outside http(s) are not links, link targets are encoded."""

import json
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

from digest import config
from digest.embed import SentenceTransformerEmbedder
from digest.pipeline import Pipeline
from digest.records import Brief, BriefSentence, Copy, Source
from digest.render import markdown
from tests.fakes import EchoFacts
from tests.helpers import MODELS, SMOL, brief_markdown, digest, needs_smol

HOSTILE = [
    {
        "title": "Ferry <script>alert(3)</script> fares rise",
        "source": "<img src=x onerror=alert(4)>",
        "author": "<b onclick=alert(5)>Jo</b>",
        "url": 'https://news.example.com/ferry"onmouseover="alert(6)',
        "published": "2026-11-03",
        "text": "Ferry fares in Port Alder will rise by 8 percent in January, the operator said. "
        "The operator blamed fuel costs for the <iframe src=x></iframe> increase on Monday. "
        "Season tickets will rise by 5 percent [click](javascript:alert(7)) from February.",
    },
    {
        "title": "Port Alder ferry fares to go up by 8 percent",
        "source": "Bay *Daily* [x](javascript:alert(8))",
        "url": "javascript:alert(9)",
        "published": "2026-11-03",
        "text": "The Port Alder ferry operator said on Monday that fares will rise by 8 percent "
        "in January. Fuel costs drove the increase, it said. Season tickets go up by 5 percent "
        "from February.",
    },
]


def render(md: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).render(md)


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def assert_inert(page: str) -> None:
    """Only the elements a brief is made of; the only attribute a link's http(s) href."""
    parser = Elements()
    parser.feed(page)
    for tag, attrs in parser.found:
        assert tag in {"h1", "h2", "p", "ol", "li", "a", "code", "em"}, (tag, page)
        if tag == "a":
            [(name, value)] = attrs
            assert name == "href" and value.startswith(("http://", "https://")), attrs
        else:
            assert not attrs, (tag, attrs)


def test_markdown_brief_escapes_every_field():
    brief = Brief(
        story_id="s1",
        headline="<script>alert(1)</script> *fares* rise",
        sentences=(BriefSentence("Fares rise <img src=x onerror=alert(2)> by 8 [percent](javascript:x).", (1,)),),
        sources=(
            Source(
                1, HOSTILE[0]["title"], "a`b <i>.txt", HOSTILE[0]["url"], HOSTILE[0]["source"],
                "2026-11-03",
                copies=(Copy(title="Copy", path="c.txt", url="javascript:alert(10)",
                             publisher="<svg onload=alert(11)>", published=None),),
            ),
            Source(2, "Plain [title]", "b.txt", "data:text/html,<script>alert(12)</script>", None, None),
        ),
        version=1,
        updated="2026-11-04T10:00:00+00:00",
    )  # fmt: skip
    md = markdown(brief)
    page = render(md)
    assert_inert(page)
    # ... and each field still reads as what the article said
    assert "&lt;script&gt;alert(1)&lt;/script&gt; *fares* rise" in page  # as text, no emphasis
    assert "Fares rise &lt;img src=x onerror=alert(2)&gt; by 8 [percent](javascript:x)." in page
    assert '<a href="https://news.example.com/ferry%22onmouseover=%22alert%286%29">' in page
    assert "Plain [title]" in page and "data:" not in page.split("Plain [title]")[0][-50:]
    assert "<code>a`b &lt;i&gt;.txt</code>" in page
    # a plain brief is unchanged by the escaping (the README's pasted brief stays true)
    plain = Brief("s2", "Tram line opens", (BriefSentence("It opened on Saturday.", (1,)),),
                  (Source(1, "Tram opens", "t.txt", "https://example.com/t", "Courier", None),),
                  1, "2026-11-04T10:00:00+00:00")  # fmt: skip
    assert markdown(plain).splitlines()[:3] == [
        "# Tram line opens",
        "",
        "It opened on Saturday. [1]",
    ]
    assert "1. [Tram opens](https://example.com/t) — Courier (`t.txt`)" in markdown(plain)


def hostile_inbox(inbox: Path) -> None:
    inbox.mkdir(parents=True, exist_ok=True)
    for i, item in enumerate(HOSTILE):
        (inbox / f"hostile-{i}.json").write_text(json.dumps(item))


def test_pipeline_briefs_from_hostile_articles_are_inert(tmp_path):
    cfg = config.from_dict({}, base=tmp_path)
    hostile_inbox(cfg.paths.inbox)
    report = Pipeline(cfg, embedder=SentenceTransformerEmbedder(), generator=EchoFacts()).run()
    assert report.articles_new == 2 and report.briefs_written
    for path in brief_markdown(cfg.paths.outbox):
        md = path.read_text()
        assert "script" in md  # the title is there, as text
        assert_inert(render(md))


@needs_smol
def test_digest_run_briefs_from_hostile_articles_are_inert(tmp_path):
    """The real command with the small real model."""
    hostile_inbox(tmp_path / "inbox")
    (tmp_path / "config.toml").write_text(
        f'[paths]\nmodels = "{MODELS}"\n[summarizer]\nmodel = "{SMOL}"\n'
        "brief_words = 60\nmax_new_tokens = 120\n"
    )
    proc = digest(tmp_path, "run", timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    mds = brief_markdown(tmp_path / "outbox")
    assert mds
    for path in mds:
        assert_inert(render(path.read_text()))
    for name in ("index.html", "feed.xml"):
        text = (tmp_path / "outbox" / name).read_text().lower()
        assert "<script>alert" not in text and "<img src=x" not in text
