"""Publish as you go (issue 17, fault 6): during a long batch the page, the feed and the daily
digest are rebuilt every `[publish] refresh_briefs` briefs, atomically, and `digest status`
shows how far the batch has come; under the service a scan stops writing briefs after
`[service] scan_brief_seconds`, so files dropped meanwhile are read by the next scan."""

import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from digest import config
from digest.embed import SentenceTransformerEmbedder
from digest.pipeline import Pipeline
from digest.store import Store
from tests.fakes import EchoFacts
from tests.helpers import digest

PLACES = [
    "Larkfield", "Eastbank", "Carrow", "Lindmoor", "Port Alder", "Kestrel Bay", "Foundry Hill",
    "Mill Lane", "Riverside", "Harrowgate", "Oakmere", "Stonebridge", "Wexley", "Ashford Vale",
    "Brinley", "Cobham Cross", "Dunmore", "Elmstead", "Fairholt", "Glenrock", "Hadley Green",
    "Ivybridge", "Juniper Sound", "Kingsreach", "Lowmoor",
]  # fmt: skip
EVENTS = [
    "opens a new public library", "closes its coal power station", "elects a new mayor",
    "floods after three days of rain", "hosts the national chess final", "bans cars downtown",
    "finds a Roman coin hoard", "starts free school meals", "loses its last bank branch",
    "wins a clean air award", "raises the bus fare", "restores its medieval bridge",
    "opens a cat cafe", "plants ten thousand trees", "holds a jazz festival",
    "cuts street lighting at night", "builds a wind farm", "reopens the old cinema",
    "sees a record tourist summer", "launches an electric ferry", "moves the weekly market",
    "approves a new stadium", "records its hottest day", "gets a high speed rail stop",
    "hires forty new nurses",
]  # fmt: skip


class Watching(EchoFacts):
    """EchoFacts that looks at the outbox each time it is asked for a brief."""

    def __init__(self, outbox: Path, root: Path):
        super().__init__()
        self.outbox, self.root = outbox, root
        self.entries_seen: list[int] = []
        self.status_at_call: dict[int, str] = {}

    def generate(self, messages, max_new_tokens, avoid=""):
        feed = self.outbox / "feed.xml"
        self.entries_seen.append(feed.read_text().count("<entry>") if feed.exists() else 0)
        if len(self.entries_seen) == 16:  # the real command, while the batch runs
            proc = digest(self.root, "status", timeout=60)
            self.status_at_call[16] = proc.stdout + proc.stderr
        return super().generate(messages, max_new_tokens)


def test_pages_are_refreshed_during_a_long_batch_and_status_shows_progress(tmp_path):
    # one story at a time, so that the feed can be looked at before each brief
    cfg = config.from_dict(
        {"publish": {"refresh_briefs": 5, "refresh_seconds": 3600}, "summarizer": {"batch_size": 1}},
        base=tmp_path,
    )
    (tmp_path / "config.toml").write_text(
        "[publish]\nrefresh_briefs = 5\n[summarizer]\nbatch_size = 1\n"
    )
    cfg.paths.inbox.mkdir()
    for i, (place, event) in enumerate(zip(PLACES, EVENTS, strict=True)):
        (cfg.paths.inbox / f"story-{i:02d}.txt").write_text(
            f"{place} {event}\n\nThe town of {place} {event} on Monday, the council said. "
            f"Officials in {place} gave no further details about the decision.\n"
        )
    generator = Watching(cfg.paths.outbox, tmp_path)
    report = Pipeline(cfg, embedder=SentenceTransformerEmbedder(), generator=generator).run()
    briefs = len(report.briefs_written)
    assert briefs >= 20, briefs  # enough stories for several refreshes
    seen = generator.entries_seen
    # before brief k+1 the feed holds the briefs written so far, rounded down to 5
    assert seen[0] == 0
    for k in range(1, briefs):
        assert seen[k] == (k // 5) * 5, (k, seen)
    assert (cfg.paths.outbox / "feed.xml").read_text().count("<entry>") == briefs
    status = generator.status_at_call[16]
    assert f"Briefing: 15 of {briefs} stories briefed in the current batch" in status, status
    assert not [p for p in cfg.paths.outbox.iterdir() if p.name.startswith(".")]


class WatchingGroups(EchoFacts):
    """EchoFacts that notes, at each batch of model calls, which briefs are in the outbox and
    which of them the feed and the page show."""

    def __init__(self, outbox: Path):
        super().__init__()
        self.outbox = outbox
        self.seen: list[tuple[int, set[str], set[str], set[str]]] = []

    def generate_batch(self, requests):
        written = {
            json.loads(p.read_text())["headline"] for p in self.outbox.glob("*.json")
        }  # fmt: skip
        feed, page = self.outbox / "feed.xml", self.outbox / "index.html"
        in_feed: set[str] = set()
        if feed.exists():
            atom = "{http://www.w3.org/2005/Atom}"
            in_feed = {e.findtext(f"{atom}title") for e in ET.parse(feed).iter(f"{atom}entry")}
        text = page.read_text() if page.exists() else ""
        on_page = {h for h in written if html.escape(h) in text}
        self.seen.append((len(requests), written, in_feed, on_page))
        return super().generate_batch(requests)


@pytest.mark.parametrize("every", [4, 3])
def test_with_batching_on_the_feed_holds_each_group_of_briefs_before_the_next_is_written(
    tmp_path, every
):
    """The default batch_size (4): briefs are written in groups of four, and committed one by
    one once their group is decoded. The pages are rebuilt every `refresh_briefs` briefs, so
    while the next group is decoded the feed and the page show the briefs written so far,
    rounded down to a multiple of `refresh_briefs`: with 4, the whole previous group."""
    cfg = config.from_dict(
        {"publish": {"refresh_briefs": every, "refresh_seconds": 3600}}, base=tmp_path
    )
    assert cfg.summarizer.batch_size == 4  # the default: batching on
    cfg.paths.inbox.mkdir()
    for i, (place, event) in enumerate(zip(PLACES[:10], EVENTS[:10], strict=True)):
        (cfg.paths.inbox / f"story-{i:02d}.txt").write_text(
            f"{place} {event}\n\nThe town of {place} {event} on Monday, the council said. "
            f"Officials in {place} gave no further details about the decision.\n"
        )
    generator = WatchingGroups(cfg.paths.outbox)
    report = Pipeline(cfg, embedder=SentenceTransformerEmbedder(), generator=generator).run()
    assert len(report.briefs_written) == 10  # ten stories: groups of 4, 4 and 2
    # the first call of each group (its notes) holds the whole group; the outbox's briefs
    # change only between groups
    groups = []
    for seen in generator.seen:
        if not groups or seen[1] != groups[-1][1]:
            groups.append(seen)
    assert [(size, len(written)) for size, written, _, _ in groups] == [(4, 0), (4, 4), (2, 8)]
    for _, written, in_feed, on_page in groups:
        shown = (len(written) // every) * every
        assert len(in_feed) == shown, (every, len(written), in_feed)
        assert in_feed <= written and on_page == in_feed, (in_feed, on_page)
        if every == 4:  # a refresh after each group: the feed holds the group just written
            assert in_feed == written
    final = (cfg.paths.outbox / "feed.xml").read_text().count("<entry>")
    assert final == 10


def test_a_scan_stops_briefing_after_its_budget_and_the_next_reads_new_files_first(tmp_path):
    cfg = config.from_dict({}, base=tmp_path)
    cfg.paths.inbox.mkdir()
    for i in range(6):
        (cfg.paths.inbox / f"story-{i}.txt").write_text(
            f"{PLACES[i]} {EVENTS[i]}\n\nThe town of {PLACES[i]} {EVENTS[i]} on Monday.\n"
        )
    pipeline = Pipeline(cfg, embedder=SentenceTransformerEmbedder(), generator=EchoFacts())
    store = Store(cfg.paths.state)
    try:
        # a budget shorter than one brief: one brief per scan, the rest stay out of date
        first = pipeline.process(store, None, file_away=True, brief_seconds=1e-9)
        assert len(first.briefs_written) == 1
        assert len(store.dirty_stories()) == 5
        (cfg.paths.inbox / "late.txt").write_text(
            f"{PLACES[9]} {EVENTS[9]}\n\nThe town of {PLACES[9]} {EVENTS[9]} on Monday.\n"
        )
        second = pipeline.process(store, None, file_away=True, brief_seconds=1e-9)
        assert second.articles_new == 1  # the late file was read before the backlog ended
        assert len(second.briefs_written) == 1
        rest = pipeline.process(store, None, file_away=True)
        assert len(rest.briefs_written) == 5 and not store.dirty_stories()
    finally:
        store.close()
