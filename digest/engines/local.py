"""The local engine: every stage in this process, one item after another (the default)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from ..config import Config
from ..errors import InputError
from ..records import Article, Brief
from . import BriefJob, ParseJob, make_writer, parse_file, write_batch

if TYPE_CHECKING:
    from ..embed import Embedder
    from ..generate import Generator
    from ..summarize import BriefWriter


class LocalEngine:
    def __init__(
        self,
        config: Config,
        embedder: Callable[[], Embedder],
        generator: Callable[[], Generator],
    ):
        self.config = config
        self._embedder = embedder  # the pipeline's models, built on first use
        self._generator = generator
        self._writer: BriefWriter | None = None

    def parse(
        self, jobs: Iterable[ParseJob]
    ) -> Iterator[tuple[ParseJob, list[Article] | InputError]]:
        for job in jobs:
            yield job, parse_file(job)

    def embed(self, chunks: Iterable[list[str]]) -> Iterator[np.ndarray]:
        for chunk in chunks:
            yield self._embedder().embed(chunk)

    def briefs(self, jobs: Iterable[BriefJob]) -> Iterator[tuple[BriefJob, Brief]]:
        """Briefs in groups of `[summarizer] batch_size` (the group's model calls decoded
        together); a brief already made comes back at once."""
        size = self.config.summarizer.batch_size
        group: list[BriefJob] = []
        for job in jobs:
            if job.done is not None:
                yield job, job.done
                continue
            group.append(job)
            if len(group) >= size:
                yield from self._write(group)
                group = []
        if group:
            yield from self._write(group)

    def _write(self, group: list[BriefJob]) -> Iterator[tuple[BriefJob, Brief]]:
        if self._writer is None:
            self._writer = make_writer(self.config, self._embedder(), self._generator())
        batched = self.config.summarizer.batch_size > 1
        yield from zip(group, write_batch(self._writer, group, batched), strict=True)

    def close(self) -> None:
        pass
