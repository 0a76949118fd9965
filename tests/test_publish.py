"""The reader's outputs (digest page, Atom feed, daily digests) from a real SQLite store, on
real files. The feed is read back with feedparser, as a feed reader would read it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import feedparser
import lxml.html
import numpy as np
import pytest

from digest import config, publish
from digest.config import Publish
from digest.embed import HashEmbedder
from digest.pipeline import Pipeline
from digest.records import Brief, BriefSentence, Evidence, Source
from digest.render import safe_url
from digest.store import Store
from tests.articles import MARINA_1, MARINA_2, MARINA_3, STORM
from tests.fakes import EchoFacts, Refuses

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def make_brief(story_id, version, updated, headline="Headline", *, sentences=None, sources=None):
    return Brief(
        story_id=story_id,
        headline=headline,
        sentences=tuple(sentences or (BriefSentence(f"{headline} happened.", (1,)),)),
        sources=tuple(
            sources or (Source(1, f"{headline} source", "a.txt", "https://example.org/a", "Pub"),)
        ),
        version=version,
        updated=updated,
    ).to_json()


def add_story(store: Store, story_id: str, *briefs: dict) -> None:
    with store.transaction():
        store.save_story(story_id, f"slug-{story_id}", np.ones(4, dtype=np.float32), 1, None, None)
        for b in briefs:
            store.save_brief(story_id, b["version"], b)


def page(outbox):
    return lxml.html.fromstring((outbox / "index.html").read_text(encoding="utf-8"))


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "state")
    yield s
    s.close()


# the page ------------------------------------------------------------------------------------
def test_page_shows_stories_newest_first_with_linked_citations(store, tmp_path):
    add_story(store, "old", make_brief("old", 1, "2026-11-01T08:00:00+00:00", "Old story"))
    add_story(store, "new", make_brief("new", 1, "2026-11-03T09:30:00+00:00", "New story"))
    sources = (
        Source(1, "First report", "one.txt", "https://example.org/one", "Bay Daily", "2026-11-02"),
        Source(2, "Second report", "two.txt"),
    )
    sentences = (BriefSentence("Both said so.", (1, 2)), BriefSentence("One said more.", (2,)))
    add_story(
        store,
        "mid",
        make_brief(
            "mid", 1, "2026-11-02T12:00:00+00:00", "Mid story", sentences=sentences, sources=sources
        ),
    )
    outbox = tmp_path / "outbox"
    publish.publish(store, outbox, tz=UTC)

    doc = page(outbox)
    assert [h.text_content() for h in doc.xpath("//article[@class='story']/h2")] == [
        "New story",
        "Mid story",
        "Old story",
    ]
    assert doc.xpath("//h1")[0].text_content() == "News digest"
    assert "last updated 2026-11-03 09:30 UTC" in doc.xpath("//header/p")[0].text_content()
    mid = doc.get_element_by_id("story-mid")
    assert (
        mid.xpath("p[@class='brief']")[0].text_content() == "Both said so.[1][2] One said more.[2]"
    )
    for link in mid.xpath(".//a[@class='cite']"):
        target = doc.get_element_by_id(link.get("href")[1:])
        assert target.tag == "li" and target.get("value") == link.text_content().strip("[]")
        assert target.getparent().getparent() is mid
    first, second = mid.xpath("ol[@class='sources']/li")
    assert first.xpath("a")[0].get("href") == "https://example.org/one"
    assert "Bay Daily, 2026-11-02" in first.text_content()
    assert not second.xpath("a") and "Second report" in second.text_content()
    time = mid.xpath("p[@class='meta']/time")[0]
    assert time.get("datetime") == "2026-11-02T12:00:00Z" and time.text == "2026-11-02 12:00 UTC"
    assert not doc.xpath("//p[@class='note']")  # no story has a second version
    # one static file: no scripts, nothing loaded from anywhere
    assert not doc.xpath("//script | //img | //iframe | //link[@rel='stylesheet']")
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']")[0].get("content")
    assert csp == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert doc.xpath("//meta[@name='viewport']")


def test_each_sentence_shows_its_evidence_in_a_closed_details_block(store, tmp_path):
    sentences = (
        BriefSentence(
            "The council approved 1,250 berths.",
            (1, 2),
            (
                Evidence(1, "The Harbor Council approved 1,250 new berths on Monday."),
                Evidence(2, "On Monday the council voted to add 1,250 berths."),
            ),
        ),
        BriefSentence(f"Work starts {HOSTILE} in March.", (2,), (Evidence(2, f"Work {HOSTILE} begins in March."),)),
    )
    sources = (Source(1, "One", "one.txt"), Source(2, "Two", "two.txt"))
    add_story(store, "ev", make_brief("ev", 1, "2026-11-02T12:00:00+00:00", "Ev", sentences=sentences, sources=sources))
    outbox = tmp_path / "outbox"
    publish.publish(store, outbox, tz=UTC)
    raw = (outbox / "index.html").read_text()
    assert "<script" not in raw and "<img" not in raw
    story = page(outbox).get_element_by_id("story-ev")
    [details] = story.xpath("details[@class='evidence']")
    assert details.get("open") is None  # closed until the reader opens it
    items = details.xpath("ol/li")
    assert len(items) == 2
    assert items[0].text.strip() == "The council approved 1,250 berths."
    assert [q.text_content() for q in items[0].xpath("blockquote")] == [
        "[1] The Harbor Council approved 1,250 new berths on Monday.",
        "[2] On Monday the council voted to add 1,250 berths.",
    ]
    assert items[1].xpath("blockquote")[0].text_content() == f"[2] Work {HOSTILE} begins in March."
    # the brief itself reads as before, without the evidence
    assert story.xpath("p[@class='brief']")[0].text_content().startswith("The council approved")


def test_a_brief_without_evidence_has_no_evidence_block(store, tmp_path):
    add_story(store, "plain", make_brief("plain", 1, "2026-11-02T12:00:00+00:00", "Plain"))
    outbox = tmp_path / "outbox"
    publish.publish(store, outbox, tz=UTC)
    assert not page(outbox).xpath("//details[@class='evidence']")


def test_updated_story_says_so_with_its_first_publication(store, tmp_path):
    add_story(
        store,
        "s1",
        make_brief("s1", 1, "2026-11-01T08:00:00+00:00", "First take"),
        make_brief("s1", 2, "2026-11-02T08:00:00+00:00", "Second take"),
        make_brief("s1", 3, "2026-11-03T10:15:00+00:00", "Third take"),
    )
    publish.publish(store, tmp_path / "outbox", tz=UTC)
    doc = page(tmp_path / "outbox")
    [story] = doc.xpath("//article[@class='story']")
    assert story.xpath("h2")[0].text_content() == "Third take"  # the latest version
    [note] = story.xpath("p[@class='note']")
    assert note.text_content() == "Updated (version 3) — first published 2026-11-01 08:00 UTC"


def test_times_and_days_follow_the_time_zone(store, tmp_path):
    add_story(store, "s1", make_brief("s1", 1, "2026-11-01T23:30:00+00:00", "Late news"))
    tz = timezone(timedelta(hours=2), "EET")
    publish.publish(store, tmp_path / "outbox", tz=tz)
    assert (tmp_path / "outbox" / "digest-2026-11-02.md").exists()  # 01:30 on the 2nd there
    assert "2026-11-02 01:30 EET" in (tmp_path / "outbox" / "index.html").read_text()


def test_hostile_text_is_shown_as_text_and_bad_urls_are_not_links(store, tmp_path):
    sources = (
        Source(1, f"Title {HOSTILE}", f"evil{HOSTILE}.txt", "javascript:alert(1)", f"Pub{HOSTILE}"),
        Source(2, "Data", "b.txt", "data:text/html,<script>alert(1)</script>"),
        Source(3, "Spaced", "c.txt", " javascript:alert(1)"),
        Source(4, "Tabbed", "d.txt", "java\tscript:alert(1)"),
        Source(5, "Quoted", "e.txt", 'https://example.org/"onmouseover="alert(1)'),
        Source(6, "Control\x00chars\x1b", "f.txt", "https://example.org/ok"),
    )
    sentences = (BriefSentence(f"Said {HOSTILE} and </p></article><script>x()</script>", (1, 9)),)
    add_story(
        store,
        "evil",
        make_brief(
            "evil",
            1,
            "2026-11-01T08:00:00+00:00",
            f"Head {HOSTILE}",
            sentences=sentences,
            sources=sources,
        ),
    )
    outbox = tmp_path / "outbox"
    publish.publish(store, outbox, Publish(title=f"My {HOSTILE} digest"), tz=UTC)
    raw = (outbox / "index.html").read_text()

    assert "<script" not in raw and "<img" not in raw and "\x00" not in raw
    doc = page(outbox)
    assert not doc.xpath("//script | //img")
    assert not [a for e in doc.iter() for a in e.attrib if a.startswith("on")]
    hrefs = [a.get("href") for a in doc.xpath("//a")]
    assert all(h.startswith(("#src-evil-", "https://", "feed.xml", "digest-")) for h in hrefs), (
        hrefs
    )
    assert "https://example.org/&quot;onmouseover=&quot;alert(1)" in raw  # inside the quotes
    text = doc.text_content()
    assert f"Head {HOSTILE}" in text and f"Said {HOSTILE}" in text and f"Title {HOSTILE}" in text
    assert "javascript:alert(1)" in text  # shown, not linked
    assert "Controlchars" in text
    assert doc.xpath("//title")[0].text_content() == f"My {HOSTILE} digest"
    assert (
        doc.get_element_by_id("story-evil").xpath("p[@class='brief']/sup")[1].text_content()
        == "[9]"
    )
    assert not doc.get_element_by_id("story-evil").xpath("p[@class='brief']/sup")[1].xpath("a")

    # the feed stays well-formed and carries the same text, escaped
    feed = feedparser.parse((outbox / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries[0].title == f"Head {HOSTILE}"
    # the daily digest: the text as Markdown text, no links from bad URLs
    md = (outbox / "digest-2026-11-01.md").read_text()
    assert "\\<script\\>" in md and "](javascript" not in md and "](<data" not in md


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.org/a?b=c#d", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("data:text/html,x", False),
        ("vbscript:x", False),
        ("file:///etc/passwd", False),
        ("//example.org/x", False),
        ("https://", False),
        ("https:alert(1)", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url, ok):
    assert safe_url(url) == (url if ok else None)


def test_page_limit_keeps_the_newest(store, tmp_path):
    for i in range(3):
        add_story(
            store, f"s{i}", make_brief(f"s{i}", 1, f"2026-11-0{i + 1}T08:00:00+00:00", f"Story {i}")
        )
    publish.publish(store, tmp_path / "outbox", Publish(page_stories=2, feed_entries=1), tz=UTC)
    doc = page(tmp_path / "outbox")
    assert [h.text_content() for h in doc.xpath("//h2")] == ["Story 2", "Story 1"]
    assert "The 2 newest are shown" in doc.xpath("//header/p")[0].text_content()
    feed = feedparser.parse((tmp_path / "outbox" / "feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Story 2"]


def test_empty_store_gives_a_page_that_says_what_to_do(store, tmp_path):
    publish.publish(store, tmp_path / "outbox")
    assert "No stories yet" in page(tmp_path / "outbox").text_content()
    feed = feedparser.parse((tmp_path / "outbox" / "feed.xml").read_bytes())
    assert not feed.bozo and feed.entries == []


# the daily digest ----------------------------------------------------------------------------
def test_daily_digest_lists_every_story_updated_that_day(store, tmp_path):
    add_story(
        store,
        "a",
        make_brief("a", 1, "2026-11-01T08:00:00+00:00", "Marina plan"),
        make_brief("a", 2, "2026-11-02T09:00:00+00:00", "Marina plan draws objections"),
        make_brief("a", 3, "2026-11-02T18:00:00+00:00", "Marina plan changed"),
    )
    add_story(store, "b", make_brief("b", 1, "2026-11-02T12:00:00+00:00", "Storm closes highway"))
    add_story(store, "c", make_brief("c", 1, "2026-11-01T07:00:00+00:00", "Ferry strike"))
    outbox = tmp_path / "outbox"
    publish.publish(store, outbox, tz=UTC)

    assert sorted(p.name for p in outbox.glob("digest-*.md")) == [
        "digest-2026-11-01.md",
        "digest-2026-11-02.md",
    ]
    day1 = (outbox / "digest-2026-11-01.md").read_text()
    day2 = (outbox / "digest-2026-11-02.md").read_text()
    assert day1.startswith("# News digest — 2026-11-01\n\n2 stories updated on this day")
    # the story as it stood that day: version 1 on the 1st, version 3 (the day's last) on the 2nd
    assert [line for line in day1.splitlines() if line.startswith("## ")] == [
        "## Marina plan",
        "## Ferry strike",
    ]
    assert [line for line in day2.splitlines() if line.startswith("## ")] == [
        "## Marina plan changed",
        "## Storm closes highway",
    ]
    assert "Marina plan changed happened. [1]" in day2
    assert (
        "*Updated 2026-11-02 18:00 UTC (version 3; first published 2026-11-01 08:00 UTC).*" in day2
    )
    assert "1. [Marina plan changed source](<https://example.org/a>) — Pub" in day2
    # the page links the days, newest first
    footer = page(outbox).xpath("//footer/a")
    assert [a.get("href") for a in footer] == ["digest-2026-11-02.md", "digest-2026-11-01.md"]


# the feed ------------------------------------------------------------------------------------
def test_feed_is_valid_atom_with_one_entry_per_story(store, tmp_path):
    sources = (Source(1, "One", "one.txt", "https://example.org/one"), Source(2, "Two", "two.txt"))
    sentences = (BriefSentence("Both agree on this.", (1, 2)),)
    add_story(store, "s1", make_brief("s1", 1, "2026-11-01T08:00:00+00:00", "Older story"))
    add_story(
        store,
        "s2",
        make_brief("s2", 1, "2026-11-02T08:00:00+00:00", "Newer story"),
        make_brief(
            "s2",
            2,
            "2026-11-03T10:00:00+00:00",
            "Newer story grows",
            sentences=sentences,
            sources=sources,
        ),
    )
    outbox = tmp_path / "outbox"
    publish.publish(store, outbox, tz=UTC)
    feed = feedparser.parse((outbox / "feed.xml").read_bytes())

    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.id.startswith("urn:uuid:")
    assert feed.feed.title == "News digest"
    assert feed.feed.updated == "2026-11-03T10:00:00Z"
    assert feed.feed.author == "digest"
    assert [e.title for e in feed.entries] == ["Newer story grows", "Older story"]
    e = feed.entries[0]
    assert e.id == publish.entry_id("s2") and e.id.startswith("urn:uuid:")
    assert e.updated == "2026-11-03T10:00:00Z" and e.published == "2026-11-02T08:00:00Z"
    assert e.link == "index.html#story-s2"
    assert e.content[0].type == "text/html"
    content = lxml.html.fromstring(e.content[0].value)
    assert "Both agree on this.[1][2]" in content.text_content()
    assert [a.get("href") for a in content.xpath("//a[@class='cite']")] == [
        "index.html#src-s2-1",
        "index.html#src-s2-2",
    ]
    assert content.xpath("//li/a")[0].get("href") == "https://example.org/one"
    assert "Updated (version 2)" in content.text_content()
    assert len({x.id for x in feed.entries}) == 2


def test_feed_ids_are_stable_across_runs_and_versions(tmp_path, monkeypatch):
    clock = iter(f"2026-11-0{d}T{h:02d}:00:00+00:00" for d in (1, 2, 3) for h in range(24))
    monkeypatch.setattr("digest.pipeline.now_iso", lambda: next(clock))
    cfg = config.from_dict({}, base=tmp_path)
    cfg.paths.inbox.mkdir()
    (cfg.paths.inbox / "marina.txt").write_text(MARINA_1)
    (cfg.paths.inbox / "marina.json").write_text(json.dumps(MARINA_2))
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    embedder = HashEmbedder()
    Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()
    feed_path = cfg.paths.outbox / "feed.xml"
    first = feedparser.parse(feed_path.read_bytes())
    assert len(first.entries) == 2
    before = feed_path.stat().st_mtime_ns

    # a run with nothing new leaves the feed (and the page) alone
    Pipeline(cfg, embedder=embedder, generator=Refuses()).run()
    assert feed_path.stat().st_mtime_ns == before

    # a new article updates its story: the same entry, a newer <updated>, nothing added
    (cfg.paths.inbox / "marina-residents.md").write_text(MARINA_3)
    report = Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()
    assert report.stories_updated == 1
    second = feedparser.parse(feed_path.read_bytes())
    assert second.feed.id == first.feed.id
    assert {e.id for e in second.entries} == {e.id for e in first.entries}
    old = {e.id: e for e in first.entries}
    changed = [e for e in second.entries if e.updated != old[e.id].updated]
    assert len(changed) == 1 and changed[0].updated > old[changed[0].id].updated
    assert second.entries[0].id == changed[0].id  # the updated story comes first
    assert changed[0].published == old[changed[0].id].published


# when pages are (re)built --------------------------------------------------------------------
def test_a_run_after_an_upgrade_creates_the_missing_pages(tmp_path):
    cfg = config.from_dict({}, base=tmp_path)
    cfg.paths.inbox.mkdir()
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    Pipeline(cfg, embedder=HashEmbedder(), generator=EchoFacts()).run()
    for name in ("index.html", "feed.xml"):
        (cfg.paths.outbox / name).unlink()
    briefs = {p: p.stat().st_mtime_ns for p in cfg.paths.outbox.glob("storm-*")}

    report = Pipeline(cfg, embedder=HashEmbedder(), generator=Refuses()).run()
    assert not report.briefs_written
    assert "A winter storm closed" in (cfg.paths.outbox / "index.html").read_text()
    assert feedparser.parse((cfg.paths.outbox / "feed.xml").read_bytes()).entries
    assert {p: p.stat().st_mtime_ns for p in cfg.paths.outbox.glob("storm-*")} == briefs


def test_a_brief_saved_by_a_run_that_died_is_published_by_the_next(tmp_path):
    cfg = config.from_dict({}, base=tmp_path)
    cfg.paths.inbox.mkdir()
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    Pipeline(cfg, embedder=HashEmbedder(), generator=EchoFacts()).run()
    store = Store(cfg.paths.state)
    [story] = store.stories()
    newer = make_brief(story.story_id, 2, "2030-01-01T00:00:00+00:00", "Storm update")
    with store.transaction():  # as if a run died between saving the brief and publishing
        store.save_brief(story.story_id, 2, newer)
    assert publish.pending(store, cfg.paths.outbox, cfg.publish)
    store.close()

    Pipeline(cfg, embedder=HashEmbedder(), generator=Refuses()).run()
    assert "Storm update" in (cfg.paths.outbox / "index.html").read_text()
    day = publish.local_time("2030-01-01T00:00:00+00:00").date()
    assert "Storm update" in (cfg.paths.outbox / f"digest-{day}.md").read_text()


def test_runs_are_recorded_for_status(tmp_path):
    cfg = config.from_dict({}, base=tmp_path)
    cfg.paths.inbox.mkdir()
    (cfg.paths.inbox / "storm.txt").write_text(STORM)
    Pipeline(cfg, embedder=HashEmbedder(), generator=EchoFacts()).run()
    Pipeline(cfg, embedder=HashEmbedder(), generator=Refuses()).run()
    store = Store(cfg.paths.state)
    last, change = store.last_run(), store.last_run("last_change")
    store.close()
    assert last["did_work"] is False and last["files_known"] == 1
    assert change["did_work"] is True and change["articles_new"] == 1
    assert change["briefs_written"] == 1 and change["stories_created"] == 1
    assert datetime.fromisoformat(change["finished"]) >= datetime.fromisoformat(change["started"])


def test_publish_reports_an_unwritable_outbox(store, tmp_path):
    from digest.errors import DigestError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DigestError, match="cannot write the digest pages"):
        publish.publish(store, blocker / "outbox")


def test_by_day_uses_the_days_last_version():
    from digest.store import BriefRow

    rows = []
    for v, t in enumerate(["2026-11-01T08:00:00+00:00", "2026-11-01T20:00:00+00:00"], 1):
        rows.append(BriefRow("s", "slug", v, make_brief("s", v, t, f"v{v}"), t))
    days = publish.by_day(rows, UTC)
    assert list(days) == [date(2026, 11, 1)]
    assert [s.brief.headline for s in days[date(2026, 11, 1)]] == ["v2"]
