"""Filing inbox files away once the service has handled them: nothing is ever deleted.

Read files move to `<inbox>/processed/<YYYY-MM-DD>/`; unreadable ones to `<inbox>/failed/`
beside `<name>.error.txt`, which says why in plain words. A name already taken gets a
" (2)", " (3)", ... suffix: nothing is overwritten.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from datetime import date
from pathlib import Path

from .errors import Vanished
from .ingest import display_name
from .render import atomic_write

log = logging.getLogger(__name__)


def file_processed(
    path: Path, inbox: Path, folder: str, between: Callable[[], None] = lambda: None
) -> Path:
    """Move a read file to processed/<today>/; Vanished if it is no longer in the inbox.
    `between` runs after the link and before the unlink (a crash-test failpoint)."""
    target = _place(path, inbox / folder / date.today().isoformat(), keep_source=True)
    between()
    _remove_source(path, target)
    return target


def file_failed(
    path: Path, inbox: Path, folder: str, reason: str, between: Callable[[], None] = lambda: None
) -> Path:
    """Move an unreadable file to failed/, beside `<name>.error.txt` saying why.

    The file is linked in first and the note written before the inbox entry goes, so a kill
    at any point leaves the file in the inbox (it is tried again) or filed with its note;
    a file gone meanwhile leaves no note behind (Vanished)."""
    target = _place(path, inbox / folder, also=".error.txt", keep_source=True)
    note = (
        f"digest could not read {display_name(path, inbox)}:\n{reason}\n\n"
        "The file is kept here unchanged. Fix it and move it back into the inbox to try again.\n"
    )
    atomic_write(target.with_name(target.name + ".error.txt"), note)
    between()
    _remove_source(path, target)
    return target


def _place(src: Path, folder: Path, also: str = "", keep_source: bool = False) -> Path:
    """Link `src` into `folder` under its name (or "name (2)", ... when taken) and unlink it
    from the inbox; returns where it is now. Nothing existing is ever replaced.

    A name already holding this very file (a hard link made before a kill, or the same
    content) is where it goes: filing again after a crash never makes a copy."""
    try:
        st = os.lstat(src)
    except FileNotFoundError:
        raise Vanished("the file was removed from the inbox before it could be filed") from None
    folder.mkdir(parents=True, exist_ok=True)
    name = src.name
    stem, dot, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    n = 1
    while True:
        target = folder / (name if n == 1 else f"{stem} ({n}){dot}{ext}")
        n += 1
        if os.path.lexists(target):
            if _same_file(st, src, target):
                break  # filed before a crash: just finish the move
            continue
        if also and os.path.lexists(target.with_name(target.name + also)):
            continue
        try:
            os.link(src, target, follow_symlinks=False)
        except FileExistsError:  # appeared meanwhile: never overwrite, take the next name
            continue
        except FileNotFoundError:
            raise Vanished("the file was removed from the inbox before it could be filed") from None
        except OSError:  # no hard links here (or a folder): rename, which is atomic too
            if os.path.lexists(target):
                continue
            try:
                os.rename(src, target)
            except FileNotFoundError:
                raise Vanished(
                    "the file was removed from the inbox before it could be filed"
                ) from None
            log.info("Filing - %s -> %s", src.name, target)
            return target
        break
    if not keep_source:
        _remove_source(src, target)
    return target


def _remove_source(src: Path, target: Path) -> None:
    try:
        # only this very file (or the same bytes): never one that replaced it meanwhile
        if os.path.lexists(src) and _same_file(os.lstat(src), src, target):
            os.unlink(src)
    except FileNotFoundError:
        pass  # gone already: it is filed
    log.info("Filing - %s -> %s", src.name, target)


def _same_file(st: os.stat_result, src: Path, target: Path) -> bool:
    """Whether `target` is `src` itself (same inode) or a regular file with the same bytes."""
    try:
        other = os.lstat(target)
        if os.path.samestat(st, other):
            return True
        if not (stat.S_ISREG(st.st_mode) and stat.S_ISREG(other.st_mode)):
            return False
        if st.st_size != other.st_size:
            return False
        with open(src, "rb") as a, open(target, "rb") as b:
            while True:
                x, y = a.read(1 << 20), b.read(1 << 20)
                if x != y:
                    return False
                if not x:
                    return True
    except OSError:
        return False
