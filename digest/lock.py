"""One digest process per state folder: an exclusive lock on `<state>/digest.lock`.

The kernel releases the lock when the process dies, even by kill -9, so a stale lock file
never blocks a restart; the file only records who holds it, for the error message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from .errors import LockedError


class StateLock:
    def __init__(self, state_dir: Path):
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / "digest.lock"
        self._fd: int | None = None

    def __enter__(self) -> StateLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise LockedError(
                f"the state folder {self.path.parent} is in use by {holder}; "
                "stop that process first, or use another --state folder"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"digest (pid {os.getpid()})\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing releases the lock
            self._fd = None
