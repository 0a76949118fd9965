"""The inbox side of reading articles: which files are listed, which are refused before being
read (links, pipes and devices, files over the size limit), their hashes, and which format
reader each file gets by its suffix. The readers themselves, one module per format, are in
digest/formats/: each turns a file's bytes into Articles, with every body through
`clean.clean_body`, so later stages see prose only. A file that cannot be read raises
`InputError` with the reason in plain words; the pipeline reports it and carries on.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
import unicodedata
from collections.abc import Callable
from pathlib import Path

from .errors import InputError, Vanished
from .formats import feeds, html, json, mail, markdown, pdf, text
from .formats.encoding import check_not_binary
from .records import Article

log = logging.getLogger(__name__)

# The reader of each supported suffix (digest/formats/): bytes to Articles.
READERS: dict[str, Callable[[bytes, str], list[Article]]] = {
    ".txt": text.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
    ".json": json.read,
    ".jsonl": json.read_lines,  # decoded line by line: one bad line is not fatal
    ".eml": mail.read,
    ".xml": feeds.read,
    ".rss": feeds.read,
    ".atom": feeds.read,
    ".pdf": pdf.read,
}
SUPPORTED = tuple(READERS)

_TEMP_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", ".swp", "~")

# --- the inbox ------------------------------------------------------------------------------


def list_inbox(inbox: Path, skip: tuple[str, ...] = ("processed", "failed")) -> list[Path]:
    """Article files in `inbox` and its sub-folders, sorted.

    Skips hidden files and folders, partial downloads and editor temp files, READMEs, and the
    top-level folders named in `skip` (where the service files things away). Files of
    unsupported types, links to folders, folders named like articles ("y.txt"), folders that
    cannot be opened and other odd entries are listed so that the pipeline can report them
    rather than ignore them silently. Listing never fails on one entry.
    """
    found: list[Path] = []
    skipped = {name.lower() for name in skip}

    def unlistable(error: OSError) -> None:  # a sub-folder we may not open: report it
        if error.filename and Path(error.filename) != inbox:
            found.append(Path(error.filename))

    for folder, dirs, files in os.walk(inbox, onerror=unlistable):
        here = Path(folder)
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".") and not (here == inbox and d.lower() in skipped)
        ]
        # os.walk does not enter linked folders; list the links, to say why they are not read.
        # A folder named like an article is listed, not entered: it is reported as what it is.
        odd = [d for d in dirs if (here / d).is_symlink() or _looks_like_article(d)]
        found.extend(here / d for d in odd)
        dirs[:] = [d for d in dirs if d not in odd]
        found.extend(here / name for name in files if _is_article_name(name))
    return sorted(found)


def _looks_like_article(name: str) -> bool:
    return _is_article_name(name) and os.path.splitext(name)[1].lower() in SUPPORTED


def _is_article_name(name: str) -> bool:
    lower = name.lower()
    return not (lower.startswith((".", "~$", "readme")) or lower.endswith(_TEMP_SUFFIXES))


def display_name(path: Path, inbox: Path) -> str:
    """The file's path inside the inbox, printable: bytes that are not UTF-8 in the name show as
    "\\xff", control and direction-changing characters as escapes ("\\n", "\\u202e")."""
    try:
        rel = path.relative_to(inbox).as_posix()
    except ValueError:
        rel = path.as_posix()
    return "".join(_printable(c) for c in rel)


def _printable(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for an undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    if (
        unicodedata.category(char) in ("Cc", "Cs")
        or 0x202A <= code <= 0x202E
        or 0x2066 <= code <= 0x2069
    ):
        return char.encode("unicode_escape").decode("ascii")
    return char


def read_inbox_file(path: Path, inbox: Path, max_bytes: int) -> bytes:
    """The bytes of one inbox file, or InputError saying why they are not read.

    Links are never followed (neither to outside the inbox, which would read files the user
    did not drop in, nor inside it, where the file linked to is read on its own); pipes,
    devices, sockets and folders are refused before opening, so a FIFO cannot hang the run;
    files over `max_bytes` are refused without being read. A file gone since it was listed
    raises `Vanished`. No OS error escapes as anything but an InputError.
    """
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            raise InputError(_link_reason(path, inbox))
        if not stat.S_ISREG(st.st_mode):
            raise InputError(_special_reason(st.st_mode, path))
        _check_size(st.st_size, max_bytes)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as f:
            now = os.fstat(f.fileno())
            if not stat.S_ISREG(now.st_mode):  # swapped since lstat
                raise InputError(_special_reason(now.st_mode, path))
            data = f.read(max_bytes + 1)
        _check_size(len(data), max_bytes)  # it grew while we looked
        return data
    except FileNotFoundError:
        raise Vanished("the file was removed before it could be read") from None
    except OSError as e:
        if e.errno == errno.ELOOP:  # replaced by a link since lstat
            raise InputError(_link_reason(path, inbox)) from None
        raise InputError(f"cannot read the file: {e.strerror or e}") from None


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError(
            f"the file is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:g} MB limit"
            " ([ingest] max_file_mb)"
        )


def _link_reason(path: Path, inbox: Path) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    shown = "".join(_printable(c) for c in target)
    try:
        # strict: a loop (a.txt -> b.txt -> a.txt, or a link to itself) is an OSError here,
        # where Path.resolve raises RuntimeError
        resolved = Path(os.path.realpath(path, strict=True))
        is_dir = resolved.is_dir()
        inside = resolved.is_relative_to(os.path.realpath(inbox))
    except OSError as e:
        if e.errno == errno.ELOOP:
            return f"it is a symbolic link ({shown}) that loops back on itself; nothing to read"
        return f"it is a symbolic link to {shown}, which does not exist"
    kind = "folder" if is_dir else "file"
    if inside:
        return (
            f"it is a symbolic link to a {kind} inside the inbox ({shown}); digest does not "
            f"follow links, so nothing is read twice: the {kind} itself is read where it is"
        )
    return (
        f"it is a symbolic link to a {kind} outside the inbox ({shown}); digest reads only "
        f"what is in the inbox: copy the article itself in"
    )


def _special_reason(mode: int, path: Path | None = None) -> str:
    if stat.S_ISDIR(mode) and path is not None:
        try:
            os.listdir(path)
        except OSError as e:
            return (
                f"this is a folder that cannot be opened ({e.strerror or e}); nothing in it is read"
            )
        return (
            "this is a folder named like an article file, not an article: digest does not "
            "look inside it (rename it to read what it holds)"
        )
    kind = (
        "a folder" if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )  # fmt: skip
    return f"this is {kind}, not an article file"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- one file -------------------------------------------------------------------------------


def read_file(path: Path, data: bytes, *, display_path: str) -> list[Article]:
    """Parse the bytes of one inbox file into its articles (several for JSON Lines and feeds).

    Raises InputError with a plain-words reason when the file holds no readable article.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        kind = f"'{suffix}' files" if suffix else "files without an extension"
        raise InputError(
            f"cannot read {kind}; digest reads {', '.join(SUPPORTED[:-1])} and {SUPPORTED[-1]}"
        )
    if not data.strip():
        raise InputError("the file is empty")
    if suffix != ".pdf":
        check_not_binary(data)
    return READERS[suffix](data, display_path)
