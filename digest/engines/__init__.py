"""Engines: where the fan-out stages run (`[engine] kind`).

The pipeline hands an engine the work that needs no shared state (reading and cleaning files,
embedding texts, writing briefs) and gets the results back one by one; everything that decides
(story assignment), remembers (the SQLite store) or publishes (the outbox) stays on the driver,
which commits each result as it arrives. `local` runs it all in this process (local.py); `ray`
on a Ray cluster (ray_engine.py), imported only when it is configured.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from .. import ingest
from ..config import Config
from ..errors import EngineError, InputError
from ..records import Article, Brief

if TYPE_CHECKING:
    from ..embed import Embedder
    from ..generate import Generator
    from ..summarize import BriefWriter

log = logging.getLogger(__name__)
J = TypeVar("J", "ParseJob", "BriefJob")
# The brief writer's embedder for English stories where the story embedder is multilingual:
# the brief's similarity settings were made on it (docs/languages.md, "Session 12").
ENGLISH_WRITER = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class ParseJob:
    """One inbox file to read: its bytes travel with it (workers need not see the inbox)."""

    path: Path
    data: bytes
    shown: str  # its name relative to the inbox
    context: Any = None  # the driver's own (e.g. the content hash); never sent to a worker


@dataclass(frozen=True)
class BriefJob:
    """One story to brief. `done` is a brief already made (held while the disk was full): the
    engine hands it back without model work."""

    story_id: str
    articles: list[Article]
    version: int
    done: Brief | None = None
    context: Any = None  # the driver's own; never sent to a worker


class Engine(Protocol):
    def parse(
        self, jobs: Iterable[ParseJob]
    ) -> Iterator[tuple[ParseJob, list[Article] | InputError]]:
        """Each job's articles (or why its file cannot be read), in the jobs' order. `jobs` is
        consumed lazily, a few ahead of the results."""
        ...

    def embed(self, chunks: Iterable[list[str]]) -> Iterator[np.ndarray]:
        """The vectors of each chunk of texts, in order."""
        ...

    def briefs(self, jobs: Iterable[BriefJob]) -> Iterator[tuple[BriefJob, Brief]]:
        """Each job's brief, as it is finished (any order); `jobs` is consumed lazily."""
        ...

    def close(self) -> None: ...


def make_engine(
    config: Config,
    embedder: Callable[[], Embedder],
    generator: Callable[[], Generator],
) -> Engine:
    """The configured engine. The local one takes the pipeline's models (built on first use);
    the Ray one loads them on its workers instead."""
    if config.engine.kind == "ray":
        # how many seconds (one try each) Ray tries to reach a head before it gives up
        os.environ.setdefault(
            "RAY_gcs_server_port_wait_time_s", str(max(1, round(config.engine.connect_seconds)))
        )
        try:
            from .ray_engine import RayEngine
        except ImportError as e:
            raise EngineError(
                f"[engine] kind \"ray\" needs Ray ({e}): pip install 'digest[ray]'"
            ) from None
        return RayEngine(config)
    from .local import LocalEngine

    return LocalEngine(config, embedder, generator)


def parse_file(job: ParseJob) -> list[Article] | InputError:
    """The file's articles; any failure of a reader on this one file is this file's InputError
    (a parser bug on one odd file must not stop the batch). Returned, not raised, so that it
    comes back from a worker as a value."""
    try:
        return ingest.read_file(job.path, job.data, display_path=job.shown)
    except InputError as e:
        return e
    except (RecursionError, MemoryError):
        return InputError("the file is nested too deeply or too large to read")
    except Exception as e:
        log.debug("Ingest - reader failed on %s", job.shown, exc_info=True)
        return InputError(f"could not be read ({type(e).__name__}: {e})")


def make_writer(config: Config, embedder: Embedder, generator: Generator | None) -> BriefWriter:
    """The brief writer, with the story embedder and, where that is a multilingual model,
    all-MiniLM-L6-v2 for stories reported and briefed in English (`BriefWriter.english`)."""
    from ..embed import MULTILINGUAL, make_embedder
    from ..summarize import BriefWriter

    s = config.summarizer
    english = None
    if config.embedder.model in MULTILINGUAL:
        # "onnx" asked for the story embedder; MiniLM takes ONNX where prepared, else torch
        backend = "auto" if config.embedder.backend == "onnx" else config.embedder.backend
        minilm = dataclasses.replace(config.embedder, model=ENGLISH_WRITER, backend=backend)
        english = make_embedder(minilm, config.paths.models)  # loads on first use
    return BriefWriter(
        embedder,
        generator,
        config.citations,
        brief_words=s.brief_words,
        input_words=s.input_words,
        max_new_tokens=s.max_new_tokens,
        language=s.language,
        english=english,
    )


def write_batch(writer: BriefWriter, jobs: list[BriefJob], batched: bool) -> list[Brief]:
    """The briefs of a few stories, by one writer: the one place both engines write briefs.
    `batched` (`[summarizer] batch_size` above 1): through `BriefWriter.write_many`, which
    decodes their model calls together, even for one story, so that a brief is the same
    whether its story waited alone or with others; else one at a time (`write`)."""
    if batched:
        from ..asks import StoryInput

        return writer.write_many([StoryInput(j.story_id, j.articles, j.version, "") for j in jobs])
    return [writer.write(j.story_id, j.articles, j.version, "") for j in jobs]


def for_worker(job: J) -> J:
    """What a worker needs of a job: the driver's context stays behind."""
    return dataclasses.replace(job, context=None)
