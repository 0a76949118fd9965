"""The outbox's disk: whether there is room for a brief, and what the outbox already holds.

Used by the pipeline (digest/pipeline.py) before model work, so that a full disk costs one line
per scan and no model time.
"""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

from .errors import DiskFullError

MIN_FREE_BYTES = 4 * 1024 * 1024  # below this, briefs wait: a brief and the pages fit in it
FULL = (errno.ENOSPC, errno.EDQUOT)  # the errno of a write to a full disk, or over a quota


def check_space(outbox: Path) -> None:
    try:
        free = shutil.disk_usage(outbox if outbox.exists() else outbox.parent).free
    except OSError:
        return
    if free < MIN_FREE_BYTES:
        raise DiskFullError(full_message(outbox, free))


def full_message(outbox: Path, free: int | None = None) -> str:
    left = f" ({free // 1024} KB free)" if free is not None else ""
    return (
        f"no space left on the disk of the outbox {outbox}{left}: briefs wait (nothing is "
        "lost, no model work is done) until space is freed"
    )


def json_or_none(text: str | None) -> dict | None:
    """A JSON object kept as text (a meta value); None if there is none or it is not one."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def brief_files(outbox: Path) -> int:
    """How many story briefs (JSON twins with a story_id and a version) the outbox holds."""
    count = 0
    for p in outbox.glob("*.json") if outbox.is_dir() else ():
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        count += isinstance(data, dict) and "story_id" in data and "version" in data
    return count
