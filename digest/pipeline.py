"""The pipeline: inbox files to story briefs, one committed step at a time.

ingest+clean -> embed -> cluster -> summarize+cite -> write. Every step reads its work from the
store and commits its result there, so a run that dies part-way is finished by the next one,
and a run with nothing new does no model work and rewrites nothing.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import logging
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import numpy as np

from . import cluster, dedup, disk, failpoints, filing, ingest, publish
from .config import Config
from .embed import Embedder
from .errors import DigestError, DiskFullError, InputError, Vanished
from .generate import Generator
from .lock import StateLock
from .records import Article, Brief, ReadFailure
from .render import slugify, write_brief
from .store import Store, StoryRow, now_iso

log = logging.getLogger(__name__)

T = TypeVar("T")
# Wraps the items a long stage works through, e.g. in a progress bar (the CLI's, on a terminal).
Progress = Callable[[Sequence[T], str], Iterable[T]]
EMBED_CHUNK = 256  # articles embedded per call: the steps of the embedding progress bar


def no_progress(items: Sequence[T], stage: str) -> Iterable[T]:
    return items


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


class Pipeline:
    def __init__(
        self,
        config: Config,
        *,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
        progress: Progress | None = None,
    ):
        self.config = config
        self._embedder = embedder
        self._generator = generator
        self.progress = progress or no_progress

    # models are built on first use: a run with nothing new never loads them
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from .embed import make_embedder

            self._embedder = make_embedder(self.config.embedder, self.config.paths.models)
        return self._embedder

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            from .generate import make_generator

            s = self.config.summarizer
            self._generator = make_generator(
                s.backend, s.model, self.config.paths.models, s.device, s.threads
            )
        return self._generator

    def run(self) -> RunReport:
        """One pass over the whole inbox, holding the state lock (`digest run`)."""
        self._check_inbox()  # before the state folder is created or locked
        self.check_state()  # before the lock creates the state folder
        with StateLock(self.config.paths.state):
            store = Store(self.config.paths.state)
            try:
                return self.process(store)
            finally:
                store.close()

    def process(
        self,
        store: Store,
        files: list[Path] | None = None,
        *,
        file_away: bool = False,
        should_stop: Callable[[], bool] = lambda: False,
        brief_seconds: float | None = None,
    ) -> RunReport:
        """Take `files` (default: every file in the inbox) through every stage.

        With `file_away`, each file leaves the inbox once its outcome is committed: read ones
        to the processed folder, unreadable ones to the failed folder beside a note saying why.
        `should_stop` is asked between files and between briefs, for a prompt clean shutdown.
        With `brief_seconds`, briefs are written for at most that long (the rest stay out of
        date for the next call), so that the service takes new files during a long backlog.
        """
        started = now_iso()
        paths = self.config.paths
        self._check_inbox()
        report = RunReport(inbox=paths.inbox, outbox=paths.outbox)
        if files is None:
            service = self.config.service
            files = ingest.list_inbox(
                paths.inbox, skip=(service.processed_folder, service.failed_folder)
            )
        self._ingest(store, files, report, file_away, should_stop)
        if should_stop():
            return report
        self._embed(store)
        self._cluster(store, report)
        self._attach_copies(store, report)
        self._write_briefs(store, report, should_stop, brief_seconds)
        self._publish(store, report, started)
        return report

    def check_state(self) -> None:
        """A database that is gone or empty while the outbox holds briefs it made is an error,
        not a fresh start: starting over would re-read every article and rewrite every brief
        as version 1. (A state folder removed as a whole is a fresh start, as documented.)"""
        paths = self.config.paths
        db = paths.state / "digest.db"
        try:
            size = db.stat().st_size
        except OSError:  # missing, or the state path is not a folder (reported by the lock)
            size = None
        if size or not paths.state.is_dir():
            return
        briefs = disk.brief_files(paths.outbox)
        if not briefs:
            return
        what = "is empty (0 bytes)" if size == 0 else "is missing"
        raise DigestError(
            f"the database {db} {what}, but {paths.outbox} holds {briefs} brief(s) it made: "
            "restore it from a backup, or move the state folder away to start over (every "
            "article is then read again and every brief rewritten as version 1)"
        )

    def _check_inbox(self) -> None:
        inbox = self.config.paths.inbox
        if not inbox.is_dir():
            raise DigestError(
                f"the inbox folder {inbox} does not exist: create it, or pass --inbox DIR"
            )

    # ingest ------------------------------------------------------------------------------
    def _ingest(
        self,
        store: Store,
        files: list[Path],
        report: RunReport,
        file_away: bool,
        should_stop: Callable[[], bool],
    ) -> None:
        inbox = self.config.paths.inbox
        max_bytes = int(self.config.ingest.max_file_mb * 1024 * 1024)
        if self.config.dedup.enabled:
            dedup.backfill(store)
        for path in self.progress(files, "Reading"):
            if should_stop():
                return
            report.files_seen += 1
            shown = ingest.display_name(path, inbox)
            data: bytes | None = None
            try:
                data = ingest.read_inbox_file(path, inbox, max_bytes)
                digest = ingest.content_hash(data)
                known = store.file_status(shown)
                if known and known[0] == digest and known[1] == "read":
                    report.files_known += 1  # read before; filed away if a crash kept it here
                else:
                    articles = _parse(path, data, shown)
                    failpoints.reach("ingest", self.config.paths.state)
                    with store.transaction():
                        for article in articles:
                            if store.add_article(article):
                                report.articles_new += 1
                                if self.config.dedup.enabled and dedup.register(
                                    store, article, self.config.dedup.threshold
                                ):
                                    report.articles_copies += 1
                            else:
                                report.articles_repeated += 1
                        store.record_file(shown, digest, "read", None)
                if file_away:
                    failpoints.reach("filing", self.config.paths.state)
                    filing.file_processed(
                        path, inbox, self.config.service.processed_folder, between=self._linked
                    )
            except Vanished as e:  # deleted or moved by someone else meanwhile: nothing to do
                report.notes.append(f"{shown}: {e.reason}")
                log.info("Ingest - %s: %s", shown, e.reason)
            except InputError as e:
                # remembered, so that `digest status` lists it (refused unread: no hash)
                with store.transaction():
                    digest = ingest.content_hash(data) if data is not None else ""
                    store.record_file(shown, digest, "failed", e.reason)
                report.failures.append(ReadFailure(shown, e.reason))
                log.warning("Ingest - set aside %s: %s", shown, e.reason)
                if file_away:
                    try:
                        filing.file_failed(
                            path, inbox, self.config.service.failed_folder, e.reason,
                            between=self._linked,
                        )  # fmt: skip
                    except Vanished as gone:
                        report.notes.append(f"{shown}: {gone.reason}")
        log.info(
            "Ingest - %d files, %d new articles, %d set aside",
            report.files_seen,
            report.articles_new,
            len(report.failures),
        )

    def _linked(self) -> None:
        failpoints.reach("linked", self.config.paths.state)  # filed, not yet out of the inbox

    # embed -------------------------------------------------------------------------------
    def _embed(self, store: Store) -> None:
        todo = store.unembedded()
        if not todo:
            return
        texts = [cluster.embedding_text(a.title, a.text) for a in todo]
        chunks = [texts[i : i + EMBED_CHUNK] for i in range(0, len(texts), EMBED_CHUNK)]
        vectors = np.vstack([self.embedder.embed(c) for c in self.progress(chunks, "Embedding")])
        failpoints.reach("embed", self.config.paths.state)
        store.set_embeddings([a.content_hash for a in todo], vectors)
        log.info("Embedding - %d articles", len(todo))

    # cluster -----------------------------------------------------------------------------
    def _cluster(self, store: Store, report: RunReport) -> None:
        todo = store.unclustered()
        if not todo:
            return
        articles = [a for a, _ in todo]
        vectors = np.vstack([v for _, v in todo])
        times = [parse_time(a.published) for a in articles]
        rows = {r.story_id: r for r in store.stories()}
        existing = [
            cluster.StoryVector(
                story_id=r.story_id,
                centroid=r.centroid,
                size=r.size,
                first_time=parse_time(r.first_time),
                last_time=parse_time(r.last_time),
            )
            for r in rows.values()
        ]
        c = self.config.cluster
        labels = cluster.assign(vectors, times, existing, c.threshold, c.window_hours)
        groups: dict[str | int, list[int]] = defaultdict(list)
        for i, label in enumerate(labels):
            groups[label].append(i)
        with store.transaction():
            for label, members in groups.items():
                story = rows.get(label) if isinstance(label, str) else None
                self._save_story(store, story, [articles[i] for i in members], vectors[members])
                failpoints.reach("cluster", self.config.paths.state)
                if story is None:
                    report.stories_created += 1
                else:
                    report.stories_updated += 1
        log.info(
            "Clustering - %d articles: %d new stories, %d updated",
            len(articles),
            report.stories_created,
            report.stories_updated,
        )

    def _save_story(
        self, store: Store, story: StoryRow | None, articles: list[Article], vectors: np.ndarray
    ) -> None:
        if story is None:
            founder = min(articles, key=lambda a: a.content_hash)
            story_id = founder.content_hash[:12]
            slug = f"{slugify(founder.title)}-{story_id[:6]}"
        else:
            story_id, slug = story.story_id, story.slug
        for a in articles:
            store.assign_article(a.content_hash, story_id)
        # The exact centroid and time span over all the story's articles, old and new: an
        # incremental mean of normalised centroids would drift towards the oldest articles.
        embeddings, published = store.story_embeddings(story_id)
        v = cluster.story_vector(story_id, embeddings, [parse_time(p) for p in published])
        store.save_story(
            story_id,
            slug,
            v.centroid,
            v.size,
            v.first_time.isoformat() if v.first_time else None,
            v.last_time.isoformat() if v.last_time else None,
        )

    # near-duplicates: each copy joins the story of the article it copies -------------------
    def _attach_copies(self, store: Store, report: RunReport) -> None:
        dirty = {s.story_id for s in store.dirty_stories()}
        with store.transaction():
            touched = store.attach_copies()
        report.stories_updated += len(set(touched) - dirty)

    # summarize + write -------------------------------------------------------------------
    def _write_briefs(
        self,
        store: Store,
        report: RunReport,
        should_stop: Callable[[], bool],
        brief_seconds: float | None = None,
    ) -> None:
        dirty = store.dirty_stories()
        if not dirty:
            return
        started = time.monotonic()
        refresh = publish.Refresh(self.config.publish)
        from .summarize import BriefWriter

        s = self.config.summarizer
        writer = BriefWriter(
            self.embedder,
            self.generator,
            self.config.citations,
            brief_words=s.brief_words,
            input_words=s.input_words,
            max_new_tokens=s.max_new_tokens,
            language=s.language,
        )
        for done, story in enumerate(self.progress(dirty, "Summarizing")):
            if should_stop():
                return
            disk.check_space(
                self.config.paths.outbox
            )  # no model work for a brief that cannot be written
            if brief_seconds is not None and done and time.monotonic() - started > brief_seconds:
                log.info(
                    "Summarize - %d of %d stories briefed; the rest next scan", done, len(dirty)
                )
                return
            articles, copies = dedup.split_copies(store.story_articles(story.story_id))
            version = story.version + 1
            # a brief made before the disk filled up is written now, without the model again
            fingerprint = f"{version}:" + ",".join(
                sorted(a.content_hash for a in articles + [c for cs in copies.values() for c in cs])
            )
            held = disk.json_or_none(store.meta(f"unwritten:{story.story_id}"))
            if held and held.get("fingerprint") == fingerprint:
                brief = Brief.from_json(held["brief"])  # from_json keeps no copies: list them
                brief = dataclasses.replace(
                    brief, sources=dedup.list_copies(brief.sources, articles, copies)
                )
                updated = brief.updated
            else:
                brief = writer.write(story.story_id, articles, version, "")
                updated = now_iso()  # when the brief was finished, not when the run began
                sources = dedup.list_copies(brief.sources, articles, copies)  # "also published by"
                brief = dataclasses.replace(brief, updated=updated, sources=sources)
            failpoints.reach("summarize", self.config.paths.state)
            history = store.brief_history(story.story_id) + [
                {"version": version, "created_at": updated}
            ]
            try:
                written = write_brief(
                    self.config.paths.outbox,
                    story.slug,
                    brief,
                    history,
                    between=lambda: failpoints.reach("write", self.config.paths.state),
                )
            except OSError as e:
                if e.errno not in (errno.ENOSPC, errno.EDQUOT):
                    raise
                held = {"fingerprint": fingerprint, "brief": brief.to_json()}
                try:  # the state may be on another disk, with room
                    with store.transaction():
                        store.set_meta(f"unwritten:{story.story_id}", json.dumps(held))
                except sqlite3.OperationalError:
                    pass
                raise DiskFullError(disk.full_message(self.config.paths.outbox)) from None
            with store.transaction():
                store.save_brief(story.story_id, version, brief.to_json())
                store.db.execute("DELETE FROM meta WHERE key = ?", (f"unwritten:{story.story_id}",))
                # for `digest status`: how far the batch has come
                store.set_meta(
                    "progress",
                    json.dumps({"briefed": done + 1, "of": len(dirty), "at": now_iso()}),
                )
            report.briefs_written.extend(written[:1])
            log.info("Summarize - %s version %d (%d sources)", story.slug, version, len(articles))
            if done + 1 < len(dirty) and refresh.due():
                self._publish_pages(store)  # readers see the briefs as they come, not at the end

    def _publish_pages(self, store: Store) -> None:
        """Rebuild the page, feed and daily digests (atomically) when a brief changed."""
        outbox = self.config.paths.outbox
        if publish.pending(store, outbox, self.config.publish):
            try:
                publish.publish(
                    store,
                    outbox,
                    self.config.publish,
                    between=lambda: failpoints.reach("publish", self.config.paths.state),
                )
            except OSError as e:
                if e.errno in (errno.ENOSPC, errno.EDQUOT):
                    raise DiskFullError(disk.full_message(outbox)) from None
                raise

    # publish -----------------------------------------------------------------------------
    def _publish(self, store: Store, report: RunReport, started: str) -> None:
        """Rebuild the reader's pages when a brief changed since they were built (or they are
        missing), then note the run for `digest status`."""
        self._publish_pages(store)
        store.record_run(
            {
                "started": started,
                "finished": now_iso(),
                "files_seen": report.files_seen,
                "files_known": report.files_known,
                "articles_new": report.articles_new,
                "articles_repeated": report.articles_repeated,
                "stories_created": report.stories_created,
                "stories_updated": report.stories_updated,
                "briefs_written": len(report.briefs_written),
                "failures": len(report.failures),
                "did_work": report.did_work,
            }
        )


def _parse(path: Path, data: bytes, shown: str) -> list[Article]:
    """The file's articles; any failure of a reader on this one file is this file's InputError
    (a parser bug on one odd file must not stop the batch)."""
    try:
        return ingest.read_file(path, data, display_path=shown)
    except InputError:
        raise
    except (RecursionError, MemoryError):
        raise InputError("the file is nested too deeply or too large to read") from None
    except Exception as e:
        log.debug("Ingest - reader failed on %s", shown, exc_info=True)
        raise InputError(f"could not be read ({type(e).__name__}: {e})") from None


def parse_time(value: str | None) -> datetime | None:
    """A publication time as an aware UTC datetime, or None when absent or unreadable."""
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)
