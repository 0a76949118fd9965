"""The pipeline: inbox files to story briefs, one committed step at a time.

ingest+clean -> embed -> cluster -> summarize+cite -> write. Every step reads its work from the
store and commits its result there, so a run that dies part-way is finished by the next one,
and a run with nothing new does no model work and rewrites nothing.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from . import cluster, dedup, disk, failpoints, filing, ingest, publish, signal_stage, signals
from .cluster import parse_time
from .config import Config
from .embed import Embedder
from .engines import BriefJob, Engine, ParseJob, make_engine
from .errors import DigestError, DiskFullError, InputError, Vanished
from .generate import Generator
from .lock import StateLock
from .records import Article, Brief, ReadFailure
from .render import remove_leftovers, slugify, write_brief
from .report import RunReport
from .revector import renew
from .store import Store, StoryRow, now_iso

log = logging.getLogger(__name__)

T = TypeVar("T")
# Wraps the items a long stage works through, e.g. in a progress bar (the CLI's, on a terminal).
Progress = Callable[[Sequence[T], str], Iterable[T]]
EMBED_CHUNK = 256  # articles embedded per call: the steps of the embedding progress bar


def no_progress(items: Sequence[T], stage: str) -> Iterable[T]:
    return items


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
        self._engine: Engine | None = None
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
                s.backend, s.model, self.config.paths.models, s.device, s.threads, s.batch_size
            )
        return self._generator

    @property
    def engine(self) -> Engine:
        if self._engine is None:  # the Ray engine connects to its cluster here
            self._engine = make_engine(self.config, lambda: self.embedder, lambda: self.generator)
        return self._engine

    def close(self) -> None:  # lets the engine go (a Ray engine's workers and connection)
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def run(self) -> RunReport:
        """One pass over the whole inbox, holding the state lock (`digest run`)."""
        self._check_inbox()  # before the state folder is created or locked
        self.check_state()  # before the lock creates the state folder
        with StateLock(self.config.paths.state):
            self.remove_leftovers()
            store = Store(self.config.paths.state)
            try:
                return self.process(store)
            finally:
                store.close()
                self.close()

    def remove_leftovers(self) -> None:  # of writes a kill interrupted; call holding the lock
        paths = self.config.paths
        remove_leftovers(paths.outbox, paths.inbox / self.config.service.failed_folder)

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
        self.engine  # noqa: B018 - an engine that cannot start fails before any work
        if files is None:
            service = self.config.service
            files = ingest.list_inbox(
                paths.inbox, skip=(service.processed_folder, service.failed_folder)
            )
        self._ingest(store, files, report, file_away, should_stop)
        if should_stop():
            return report
        self._embed(store)
        self._signals(store)
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
        if self.config.dedup.enabled:
            dedup.backfill(store)
        # files are read here and parsed by the engine a few ahead; committed in inbox order
        jobs = self._read_files(store, files, report, file_away, should_stop)
        for job, parsed in self.engine.parse(jobs):
            try:
                if isinstance(parsed, InputError):
                    raise parsed
                failpoints.reach("ingest", self.config.paths.state)
                with store.transaction():
                    for article in parsed:
                        if store.add_article(article):
                            report.articles_new += 1
                            if self.config.dedup.enabled and dedup.register(
                                store, article, self.config.dedup.threshold
                            ):
                                report.articles_copies += 1
                        else:
                            report.articles_repeated += 1
                    store.record_file(job.shown, job.context, "read", None)
                if file_away:
                    self._file_away(job.path)
            except InputError as e:
                self._set_aside(store, job.path, job.shown, job.data, e, report, file_away)
        if not files:  # an idle scan of `digest watch` says nothing: its log stays small
            return
        log.info(
            "Ingest - %d files, %d new articles, %d set aside",
            report.files_seen, report.articles_new, len(report.failures),
        )  # fmt: skip

    def _read_files(
        self, store: Store, files: list[Path], report: RunReport, file_away: bool,
        should_stop: Callable[[], bool],
    ) -> Iterator[ParseJob]:  # fmt: skip
        """The files to parse; those read before are filed, unreadable ones set aside."""
        inbox = self.config.paths.inbox
        max_bytes = int(self.config.ingest.max_file_mb * 1024 * 1024)
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
                    if file_away:
                        self._file_away(path)
                else:
                    yield ParseJob(path, data, shown, context=digest)
            except InputError as e:
                self._set_aside(store, path, shown, data, e, report, file_away)

    def _file_away(self, path: Path) -> None:
        failpoints.reach("filing", self.config.paths.state)
        filing.file_processed(
            path, self.config.paths.inbox, self.config.service.processed_folder,
            between=self._linked,
        )  # fmt: skip

    def _set_aside(
        self, store: Store, path: Path, shown: str, data: bytes | None, e: InputError,
        report: RunReport, file_away: bool,
    ) -> None:  # fmt: skip
        if isinstance(e, Vanished):  # deleted or moved by someone else meanwhile: nothing to do
            report.notes.append(f"{shown}: {e.reason}")
            log.info("Ingest - %s: %s", shown, e.reason)
            return
        # remembered, so that `digest status` lists it (refused unread: no hash)
        with store.transaction():
            digest = ingest.content_hash(data) if data is not None else ""
            store.record_file(shown, digest, "failed", e.reason)
        report.failures.append(ReadFailure(shown, e.reason))
        log.warning("Ingest - set aside %s: %s", shown, e.reason)
        if file_away:
            try:
                filing.file_failed(
                    path, self.config.paths.inbox, self.config.service.failed_folder, e.reason,
                    between=self._linked,
                )  # fmt: skip
            except Vanished as gone:
                report.notes.append(f"{shown}: {gone.reason}")

    def _linked(self) -> None:
        failpoints.reach("linked", self.config.paths.state)  # filed, not yet out of the inbox

    # embed -------------------------------------------------------------------------------
    def _embed(self, store: Store) -> None:
        renew(store, self.config.embedder, self.engine.embed)  # vectors made otherwise
        todo = store.unembedded()
        if not todo:
            return
        n = cluster.lead_words(self.config.embedder.model)
        texts = [cluster.embedding_text(a.title, a.text, n) for a in todo]
        chunks = [texts[i : i + EMBED_CHUNK] for i in range(0, len(texts), EMBED_CHUNK)]
        vectors = np.vstack(list(self.engine.embed(self.progress(chunks, "Embedding"))))
        failpoints.reach("embed", self.config.paths.state)
        store.set_embeddings([a.content_hash for a in todo], vectors)
        log.info("Embedding - %d articles", len(todo))

    # term and entity vectors, once per article (digest/signal_stage.py) ----------------------
    def _signals(self, store: Store) -> None:
        # one tagger per process, spaCy loaded on first use (briefs' full names use it too)
        signal_stage.compute(store, self.weights, signals.shared_tagger())

    @property
    def weights(self) -> cluster.Weights:
        return signal_stage.weights(self.config.cluster)

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
                **signal_stage.of_story(r),
            )
            for r in rows.values()
        ]
        c = self.config.cluster
        batch = signal_stage.of_articles(store, [a.content_hash for a in articles])
        labels = cluster.assign(
            vectors, times, existing, c.threshold, c.window_hours, signals=batch, weights=self.weights
        )  # fmt: skip
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
        signal_stage.save_story(store, story_id)
        if story is None:  # the drift guard's reference: the story as founded
            store.set_story_anchor(story_id, v.centroid)

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
        refresh = publish.Refresh(self.config.publish)
        jobs = self._brief_jobs(store, dirty, should_stop, brief_seconds)
        for done, (job, brief) in enumerate(self.engine.briefs(jobs)):
            story, articles, copies, fingerprint = job.context
            if job.done is None:
                updated = now_iso()  # when the brief was finished, not when the run began
                sources = dedup.list_copies(brief.sources, articles, copies)  # "also published by"
                brief = dataclasses.replace(brief, updated=updated, sources=sources)
            failpoints.reach("summarize", self.config.paths.state)
            version = job.version
            history = store.brief_history(story.story_id) + [
                {"version": version, "created_at": brief.updated}
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
                if e.errno not in disk.FULL:
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

    def _brief_jobs(
        self, store: Store, dirty: list[StoryRow], should_stop: Callable[[], bool],
        brief_seconds: float | None,
    ) -> Iterator[BriefJob]:  # fmt: skip
        """The stories to brief, handed to the engine as it takes them."""
        started = time.monotonic()
        for done, story in enumerate(self.progress(dirty, "Summarizing")):
            if should_stop():
                return
            disk.check_space(self.config.paths.outbox)  # no model work for a brief not writable
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
            made = None
            if held and held.get("fingerprint") == fingerprint:
                made = Brief.from_json(held["brief"])  # from_json keeps no copies: list them
                made = dataclasses.replace(
                    made, sources=dedup.list_copies(made.sources, articles, copies)
                )
            context = (story, articles, copies, fingerprint)
            yield BriefJob(story.story_id, articles, version, made, context)

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
                if e.errno in disk.FULL:
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
