"""A prepared model folder (digest/prepare.py, digest/prepare_embedder.py): built in a hidden
folder beside it and swapped in whole, made under a lock, readable by everyone like any other
installed file. Both preparations use these; neither imports the other's helpers.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import ModelError


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
