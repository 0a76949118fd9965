"""The digest page's templates (digest/templates/), with their escaping, piece by piece.
tests/test_publish.py checks the whole page and feed; tests/test_browser.py how it looks."""

import jinja2
import pytest

from digest import publish
from digest.records import Brief, BriefSentence, Source


def brief(**changes) -> Brief:
    fields = dict(
        story_id="s1",
        headline="Ferry fares rise",
        sentences=(
            BriefSentence('Fares rise by 8 % & "more" <soon>.', (1,)),
            BriefSentence("Season tickets stay.", (1, 9)),  # 9: not a listed source
        ),
        sources=(Source(1, "Fares rise", "inbox/a.txt", "https://example.org/a?x=1&y=2", "Post"),),
        version=1,
        updated="2026-11-03T09:30:00+00:00",
    )
    fields.update(changes)
    return Brief(**fields)


def test_brief_sentences_escaped_each_with_its_citation_links():
    assert publish.brief_html(brief()) == (
        "Fares rise by 8 % &amp; &quot;more&quot; &lt;soon&gt;."
        '<sup><a class="cite" href="#src-s1-1">[1]</a></sup> '
        'Season tickets stay.<sup><a class="cite" href="#src-s1-1">[1]</a></sup><sup>[9]</sup>'
    )
    assert publish.brief_html(brief(), base="index.html").count('href="index.html#src-s1-1"') == 2


def test_sources_list_links_only_web_addresses():
    b = brief(
        sources=(
            Source(1, "Fares rise", "inbox/a.txt", "https://example.org/a?x=1&y=2", "Post", "2026-11-02"),
            Source(2, "It's <b>bold</b>", "b.md", "javascript:alert(1)"),
        )
    )
    assert publish.sources_html(b) == (
        '<ol class="sources">\n'
        '<li id="src-s1-1" value="1"><a href="https://example.org/a?x=1&amp;y=2" '
        'rel="noopener noreferrer nofollow">Fares rise</a> — Post, 2026-11-02 '
        '<span class="path">(inbox/a.txt)</span></li>\n'
        '<li id="src-s1-2" value="2">It&#x27;s &lt;b&gt;bold&lt;/b&gt; '
        '<span class="url">javascript:alert(1)</span> <span class="path">(b.md)</span></li>\n'
        "</ol>"
    )


def test_control_characters_are_dropped_from_every_value():
    html = publish.brief_html(brief(sentences=(BriefSentence("Bell\x07 and\x00 nul.", (1,)),)))
    assert html.startswith("Bell and nul.<sup>")


def test_templates_autoescape_and_refuse_unknown_names():
    env = publish._templates()
    assert env.autoescape is True
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ no_such_name }}").render()
    # a value that is not the templates' own markup is escaped even where a template forgets to
    assert env.from_string("{{ x }}").render(x="<i>") == "&lt;i&gt;"
