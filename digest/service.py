"""`digest watch`: an APScheduler job that keeps stories current as articles arrive.

Every scan lists the inbox and hands the pipeline only the files whose size and modification
time have not changed since the previous scan, so a file still being written is never read.
The pipeline files each one away (processed/ or failed/) once its outcome is committed.
Work a crash left unfinished (articles not yet embedded or clustered, stories whose brief is
out of date) is finished by the first scan after a restart. SIGINT and SIGTERM stop the
service between steps, with exit code 0.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path

from . import disk, ingest
from .config import Config
from .errors import DigestError
from .lock import StateLock
from .pipeline import Pipeline, RunReport
from .store import Store

log = logging.getLogger(__name__)


def _disk_full(e: Exception) -> bool:
    if isinstance(e, OSError):
        return e.errno in disk.FULL
    return "database or disk is full" in str(e)


class Watcher:
    def __init__(self, config: Config, pipeline: Pipeline | None = None):
        self.config = config
        self.pipeline = pipeline or Pipeline(config)
        self.stop = threading.Event()
        self._signalled = False  # set by the signal handler, which must take no lock
        self._last_seen: dict[Path, tuple[int, int]] = {}
        self._fresh_start = False
        self.scans = 0

    def stable_files(self) -> list[Path]:
        """Files unchanged (size and mtime) since the previous scan."""
        service = self.config.service
        seen: dict[Path, tuple[int, int]] = {}
        stable = []
        files = ingest.list_inbox(
            self.config.paths.inbox, skip=(service.processed_folder, service.failed_folder)
        )
        for path in files:
            try:
                st = path.lstat()
            except OSError:
                continue  # gone between listing and looking
            seen[path] = (st.st_size, st.st_mtime_ns)
            if self._last_seen.get(path) == seen[path]:
                stable.append(path)
        self._last_seen = seen
        return stable

    def scan(self) -> RunReport | None:
        """One scheduled pass. Errors are logged and the service carries on."""
        self.scans += 1
        try:
            files = self.stable_files()
            if not self._fresh_start:  # a database deleted or emptied while we run
                self.pipeline.check_state()
            store = Store(self.config.paths.state)
            try:
                report = self.pipeline.process(
                    store,
                    files,
                    file_away=True,
                    should_stop=self.stop.is_set,
                    brief_seconds=self.config.service.scan_brief_seconds,
                )
            finally:
                store.close()
        except DigestError as e:
            log.error("Scan - %s", e)
            return None
        except (OSError, sqlite3.OperationalError) as e:
            if _disk_full(e):  # the database or a page: one line each scan, not a traceback
                log.error("Scan - no space left on the disk (%s); will try again", e)
                return None
            log.exception("Scan - failed; will try again at the next scan")
            return None
        except Exception:
            log.exception("Scan - failed; will try again at the next scan")
            return None
        self._fresh_start = False  # the database exists from now on
        if report.did_work:
            log.info(
                "Scan - %d new article(s), %d story(ies) created, %d updated, "
                "%d brief(s) written, %d file(s) failed",
                report.articles_new,
                report.stories_created,
                report.stories_updated,
                len(report.briefs_written),
                len(report.failures),
            )
        return report

    def serve(self, interval: float | None = None) -> int:
        """Run until SIGINT or SIGTERM; returns the exit code."""
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        interval = interval or self.config.service.interval_seconds
        paths = self.config.paths
        if not paths.inbox.is_dir():
            raise DigestError(
                f"the inbox folder {paths.inbox} does not exist: create it, or pass --inbox DIR"
            )
        self._check_models()
        self.pipeline.check_state()  # before the lock creates the state folder
        self._fresh_start = not paths.state.exists()  # a state folder removed as a whole
        with StateLock(paths.state):
            self.pipeline.remove_leftovers()
            # The engine starts here, before our handlers: Ray's driver installs a C++ handler
            # that prints a crash dump for SIGTERM, which ours must replace (a stop is no crash).
            self.pipeline.engine  # noqa: B018 - and an unreachable Ray head fails at start
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, self._on_signal)
            scheduler = BackgroundScheduler(
                executors={"default": ThreadPoolExecutor(1)},
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            )
            scheduler.add_job(
                self.scan, "interval", seconds=interval, next_run_time=datetime.now(), id="scan"
            )
            scheduler.start()
            log.info(
                "Watching %s every %gs (outbox %s); stop with Ctrl-C",
                paths.inbox,
                interval,
                paths.outbox,
            )
            while not self._signalled and not self.stop.is_set():
                time.sleep(0.2)  # a signal interrupts the sleep; the handler sets the flag
            self.stop.set()  # from here, not from the handler: see _on_signal
            log.info("Stopping: finishing the current step")
            scheduler.shutdown(wait=True)  # waits for a scan in flight; it stops between steps
            self.pipeline.close()  # a Ray engine's actors and connection, before the lock goes
        log.info("Stopped")
        return 0

    def _on_signal(self, signum, frame) -> None:
        """Only sets a flag. Setting the Event here could deadlock: the handler runs in the
        main thread between two bytecodes, maybe while that thread holds the Event's own lock
        inside `Event.wait`, and that lock is not re-entrant (a `digest watch` stopped right
        after it started once hung for good, in CI)."""
        self._signalled = True

    def _check_models(self) -> None:
        """Fail at start, not at the first article, when the summarizer is not prepared (or
        the ONNX embedder, when the config names it)."""
        from .embed import check_backend
        from .prepare import model_folder

        model_folder(self.config.summarizer.model, self.config.paths.models)
        check_backend(self.config.embedder, self.config.paths.models)
