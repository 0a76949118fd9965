"""Filing inbox files away once the service has handled them: nothing is ever deleted.

Read files move to `<inbox>/processed/<YYYY-MM-DD>/`; unreadable ones to `<inbox>/failed/`
beside `<name>.error.txt`, which says why in plain words. A name already taken gets a
" (2)", " (3)", ... suffix: nothing is overwritten.
"""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

from .ingest import display_name
from .render import atomic_write

log = logging.getLogger(__name__)


def file_processed(path: Path, inbox: Path, folder: str) -> Path:
    target_dir = inbox / folder / date.today().isoformat()
    target = _free_name(target_dir, path.name)
    _move(path, target)
    return target


def file_failed(path: Path, inbox: Path, folder: str, reason: str) -> Path:
    target_dir = inbox / folder
    target = _free_name(target_dir, path.name, also=".error.txt")
    note = (
        f"digest could not read {display_name(path, inbox)}:\n{reason}\n\n"
        "The file is kept here unchanged. Fix it and move it back into the inbox to try again.\n"
    )
    atomic_write(target.with_name(target.name + ".error.txt"), note)
    _move(path, target)
    return target


def _free_name(folder: Path, name: str, also: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stem, dot, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    candidate = folder / name
    n = 2
    while candidate.exists() or (also and candidate.with_name(candidate.name + also).exists()):
        candidate = folder / f"{stem} ({n}){dot}{ext}"
        n += 1
    return candidate


def _move(src: Path, dst: Path) -> None:
    # A hard link refuses to replace an existing name, so a file that appeared meanwhile is
    # never overwritten; then the inbox entry goes. Where links are unsupported, rename.
    try:
        os.link(src, dst, follow_symlinks=False)
    except FileExistsError:
        return _move(src, _free_name(dst.parent, dst.name))
    except OSError:
        os.rename(src, dst)
    else:
        os.unlink(src)
    log.info("Filing - %s -> %s", src.name, dst)
