"""Errors a user can act on. Each message says what is wrong and how to fix it."""

from __future__ import annotations


class DigestError(Exception):
    """Base class: the CLI prints str(error) in one line and exits non-zero."""

    exit_code = 1


class ConfigError(DigestError):
    """A bad config file, key or value."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None) -> None:
        where = f"{path}: " if path else ""
        super().__init__(f"config error: {where}{message}")


class ModelError(DigestError):
    """A model that is missing or cannot be loaded."""

    exit_code = 3


class InputError(DigestError):
    """An article file that cannot be read. The message is the reason, in plain words."""

    def __init__(self, reason: str, *, path: str | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


class LockedError(DigestError):
    """Another digest process holds the state folder."""

    exit_code = 4


class Vanished(InputError):
    """An inbox file removed between listing and reading or filing: a note, not a failure."""


class DiskFullError(DigestError):
    """No space left where digest writes: nothing is lost, the work waits for space."""


class EngineError(DigestError):
    """The configured engine cannot be used: Ray missing, or a cluster that cannot be reached."""

    exit_code = 5
