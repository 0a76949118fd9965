"""A prepared model folder (digest/prepare.py, digest/prepare_embedder.py): built in a hidden
folder beside it and swapped in whole, made under a lock, readable by everyone like any other
installed file. Both preparations use these; neither imports the other's helpers.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import ModelError

log = logging.getLogger(__name__)


def build_in_place(
    folder: Path, build: Callable[[Path], None], failure: Callable[[str], str]
) -> None:
    """Run `build` on a hidden temporary folder beside `folder`, then put it in `folder`'s
    place (replacing an earlier, unmarked or outdated one): `folder` appears only complete, and
    a build that fails or is killed leaves only a `.<name>.*.tmp` folder, removed on the next
    run. A failure becomes a ModelError whose message is `failure(reason)`."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        build(tmp)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except (ImportError, OSError, ValueError, RuntimeError) as e:
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0].rstrip(".")
        raise ModelError(failure(reason)) from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def make_readable(folder: Path) -> None:
    """Give `folder` the usual permissions: mkdtemp (and the safetensors writer) make them private."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    for path in folder.iterdir():
        path.chmod(0o666 & ~umask)


@contextlib.contextmanager
def lock(path: Path) -> Iterator[None]:
    """Serialize preparing one model across processes (a CLI run and the service, say)."""
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def sha256_of(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def prepare_once(
    folder: Path,
    is_current: Callable[[], bool],
    build: Callable[[Path], None],
    failure: Callable[[str], str],
) -> Path:
    """Make `folder` with `build` unless `is_current()` says it is made already (from the
    installed source, for this CPU): under a lock, after removing what a killed run left,
    built beside and swapped in whole (`build_in_place`), readable by everyone."""
    with lock(folder.parent / f".{folder.name}.lock"):
        if is_current():
            log.info("Prepare - %s is already prepared in %s", folder.name, folder)
            return folder
        for path in folder.parent.glob(f".{folder.name}.*.tmp"):  # of a run that was killed
            log.info("Prepare - removing %s, left by an interrupted run", path)
            shutil.rmtree(path, ignore_errors=True)
        started = time.perf_counter()

        def made(tmp: Path) -> None:
            build(tmp)
            make_readable(tmp)

        build_in_place(folder, made, failure)
        log.info("Prepare - %s ready in %.1f s", folder, time.perf_counter() - started)
    return folder
