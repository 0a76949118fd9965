"""Which briefs a run writes, a group at a time (pipeline._write_briefs): a brief held back
when the disk filled up is taken as it was; the others are written by the brief writer, the
group's model calls decoded together (BriefWriter.write_many) when it is a batch."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import dedup, disk
from .asks import StoryInput
from .records import Article, Brief
from .store import Store, StoryRow, now_iso

if TYPE_CHECKING:
    from .summarize import BriefWriter


@dataclass
class Due:
    """A story whose brief is due, and the brief once it is written."""

    story: StoryRow
    articles: list[Article]
    copies: dict[str, list[Article]]
    fingerprint: str  # the version and the articles: a brief held back is for these
    brief: Brief | None = None


def write_group(store: Store, writer: BriefWriter, group: list[StoryRow], batch: bool) -> list[Due]:
    """The group's briefs: one made before the disk filled up is taken as it was, without
    the model again; the others are written (their model calls together when `batch`)."""
    dues = []
    for story in group:
        articles, copies = dedup.split_copies(store.story_articles(story.story_id))
        fingerprint = f"{story.version + 1}:" + ",".join(
            sorted(a.content_hash for a in articles + [c for cs in copies.values() for c in cs])
        )
        due = Due(story, articles, copies, fingerprint)
        held = disk.json_or_none(store.meta(f"unwritten:{story.story_id}"))
        if held and held.get("fingerprint") == fingerprint:
            brief = Brief.from_json(held["brief"])  # from_json keeps no copies: list them
            due.brief = dataclasses.replace(
                brief, sources=dedup.list_copies(brief.sources, articles, copies)
            )
        dues.append(due)
    todo = [d for d in dues if d.brief is None]
    inputs = [StoryInput(d.story.story_id, d.articles, d.story.version + 1, "") for d in todo]
    briefs = writer.write_many(inputs) if batch else [writer.write(*i) for i in inputs]
    updated = now_iso()  # when the briefs were finished, not when the run began
    for d, brief in zip(todo, briefs, strict=True):
        sources = dedup.list_copies(brief.sources, d.articles, d.copies)  # "also published by"
        d.brief = dataclasses.replace(brief, updated=updated, sources=sources)
    return dues
