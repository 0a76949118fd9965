"""What a run did: the pipeline's report to the CLI and the service."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .records import ReadFailure


@dataclass
class RunReport:
    inbox: Path
    outbox: Path
    files_seen: int = 0
    files_known: int = 0  # read in an earlier run and unchanged
    articles_new: int = 0
    articles_repeated: int = 0  # same content as an article already read
    articles_copies: int = 0  # of the new ones: near-duplicates of an earlier article
    stories_created: int = 0
    stories_updated: int = 0
    briefs_written: list[Path] = field(default_factory=list)
    failures: list[ReadFailure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a file removed before it was read

    @property
    def did_work(self) -> bool:
        return bool(self.articles_new or self.briefs_written or self.failures)
