"""`digest status`: what is waiting, what is done, what failed, and what the last run did.

It only looks: the database is opened read-only and no lock is taken, so it answers while
`digest watch` runs. Inbox files are hashed (not parsed) to tell new and changed ones from
those already read.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import disk, ingest
from .config import Config
from .errors import DigestError, InputError, Vanished
from .store import Store

MAX_LISTED = 20  # files listed per section; the rest are counted


@dataclass(frozen=True)
class Pending:
    path: str  # relative to the inbox
    why: str  # "new", "changed since it was read", ...


@dataclass(frozen=True)
class Failure:
    path: str
    reason: str
    seen_at: str
    where: str  # where the file is now


@dataclass
class Status:
    inbox: Path
    outbox: Path
    state: Path
    has_database: bool = False
    pending: list[Pending] = field(default_factory=list)
    stories: int = 0
    stories_out_of_date: int = 0
    briefs: int = 0
    articles: int = 0
    failures: list[Failure] = field(default_factory=list)
    last_run: dict | None = None
    last_change: dict | None = None
    progress: dict | None = None  # {"briefed", "of", "at"} of the latest batch of briefs


def gather(config: Config) -> Status:
    paths = config.paths
    if not paths.inbox.is_dir():
        raise DigestError(
            f"the inbox folder {paths.inbox} does not exist: create it, or pass --inbox DIR"
        )
    status = Status(inbox=paths.inbox, outbox=paths.outbox, state=paths.state)
    known: dict[str, tuple[str, str]] = {}
    if (paths.state / "digest.db").is_file():
        status.has_database = True
        store = Store(paths.state, readonly=True)
        try:
            known = store.files()
            status.stories = store.count("stories")
            status.stories_out_of_date = len(store.dirty_stories())
            status.briefs = store.count("briefs")
            status.articles = store.count("articles")
            status.last_run = store.last_run()
            status.last_change = store.last_run("last_change")
            status.progress = disk.json_or_none(store.meta("progress"))
            failed = store.failed_files()
        finally:
            store.close()
        status.failures = [
            Failure(path, reason, seen_at, _where(paths.inbox, path, config.service.failed_folder))
            for path, reason, seen_at in failed
        ]
    status.pending = _pending(config, known)
    return status


def _pending(config: Config, known: dict[str, tuple[str, str]]) -> list[Pending]:
    """Inbox files the next run will read or set aside. The same guards as the run: links are
    not followed and nothing but a regular file is opened (a FIFO would block forever)."""
    inbox = config.paths.inbox
    service = config.service
    max_bytes = int(config.ingest.max_file_mb * 1024 * 1024)
    out = []
    for path in ingest.list_inbox(inbox, skip=(service.processed_folder, service.failed_folder)):
        shown = ingest.display_name(path, inbox)
        seen = known.get(shown)
        try:
            digest = ingest.content_hash(ingest.read_inbox_file(path, inbox, max_bytes))
        except Vanished:
            continue  # gone since it was listed
        except InputError as e:
            if not (seen and seen[1] == "failed" and seen[0] == ""):  # listed under failures
                out.append(Pending(shown, f"will be set aside: {e.reason}"))
            continue
        if seen is None:
            out.append(Pending(shown, "new"))
        elif seen[0] != digest:
            why = "read" if seen[1] == "read" else "set aside"
            out.append(Pending(shown, f"changed since it was {why}"))
        # unchanged: read already, or listed under failures
    return out


def _where(inbox: Path, path: str, failed_folder: str) -> str:
    # lexists: a dangling link or a pipe that was set aside is still there
    if os.path.lexists(inbox / path):
        return "still in the inbox"
    name = Path(path).name
    stem, dot, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    failed = inbox / failed_folder
    if os.path.lexists(failed / name) or any(
        failed.glob(f"{glob.escape(stem)} (*){glob.escape(dot + ext)}")
    ):
        return f"moved to {failed_folder}/"
    return "no longer in the inbox"


def lines(status: Status, now: datetime | None = None) -> list[str]:
    """The status as plain text lines, for the CLI to print."""
    now = now or datetime.now(UTC)
    out = [f"Inbox: {status.inbox}"]
    if status.pending:
        out.append(f"  {len(status.pending)} file(s) waiting for the next run:")
        out += [f"    {p.path} ({p.why})" for p in status.pending[:MAX_LISTED]]
        if len(status.pending) > MAX_LISTED:
            out.append(f"    ... and {len(status.pending) - MAX_LISTED} more")
    else:
        out.append("  nothing waiting: every file there has been read")
    if not status.has_database:
        out.append(f"State: no database in {status.state} yet; `digest run` creates it")
        return out
    stale = (
        f", {status.stories_out_of_date} brief(s) out of date (rewritten at the next run)"
        if status.stories_out_of_date
        else ""
    )
    out.append(f"Stories: {status.stories} from {status.articles} article(s){stale}")
    out.append(f"Briefs: {status.briefs} version(s) written to {status.outbox}")
    p = status.progress
    if p and status.stories_out_of_date and p.get("briefed", 0) < p.get("of", 0):
        out.append(
            f"Briefing: {p['briefed']} of {p['of']} stories briefed in the current batch"
            f" (last brief {_ago(p.get('at', ''), now)})"
        )
    page = status.outbox / "index.html"
    if page.is_file():
        out.append(f"Digest page: {page}")
    if status.failures:
        out.append(f"Failures: {len(status.failures)} file(s) could not be read:")
        for f in status.failures[:MAX_LISTED]:
            out.append(f"  {f.path}: {f.reason} ({f.where}; {_ago(f.seen_at, now)})")
        if len(status.failures) > MAX_LISTED:
            out.append(f"  ... and {len(status.failures) - MAX_LISTED} more")
    else:
        out.append("Failures: none")
    out.append("Last run: " + (_run_line(status.last_run, now) if status.last_run else "none yet"))
    if status.last_change and status.last_change != status.last_run:
        out.append("Last run that changed something: " + _run_line(status.last_change, now))
    return out


def _run_line(run: dict, now: datetime) -> str:
    if not run.get("did_work"):
        return f"{_ago(run['finished'], now)}: nothing new in {run['files_seen']} file(s)"
    parts = [
        f"{run['files_seen']} file(s) seen",
        f"{run['articles_new']} new article(s)",
        f"{run['stories_created']} story(ies) created",
        f"{run['stories_updated']} updated",
        f"{run['briefs_written']} brief(s) written",
        f"{run['failures']} failure(s)",
    ]
    return f"{_ago(run['finished'], now)}: " + ", ".join(parts)


def _ago(value: str, now: datetime) -> str:
    try:
        t = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    seconds = max(0, int((now - t).total_seconds()))
    if seconds < 60:
        ago = "just now"
    elif seconds < 3600:
        ago = f"{seconds // 60} min ago"
    elif seconds < 172800:
        ago = f"{seconds // 3600} h ago"
    else:
        ago = f"{seconds // 86400} days ago"
    local = t.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}, {ago}"
