"""Bytes to clean text: the encoding detected, mojibake repaired, Unicode normalised.

Order of evidence: a byte-order mark; UTF-16 without one (every other byte NUL); valid UTF-8;
the charset the file declares (an HTML <meta>, an e-mail header); UTF-8 with a few broken
bytes (a cut download); else the legacy code page, Windows-1252 first. Then ftfy repairs
mojibake, text that was decoded with the wrong code page somewhere upstream ("cafÃ©" -> "café"),
and the result is NFC. Binary files are refused with a reason before any of this.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from functools import lru_cache

from ..errors import InputError

log = logging.getLogger(__name__)

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# (offset, magic bytes, what it is): files that are never articles in text form.
_MAGIC = (
    (0, b"%PDF", "a PDF"),
    (0, b"PK\x03\x04", "a ZIP or Office"),
    (0, b"\xd0\xcf\x11\xe0", "an old Office (Word or Excel)"),
    (0, b"{\\rtf", "an RTF"),
    (0, b"\x89PNG", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF8", "a GIF image"),
    (0, b"RIFF", "a media (WebP, WAV or AVI)"),
    (4, b"ftyp", "a video or audio (MP4)"),
    (0, b"ID3", "an MP3 audio"),
    (0, b"\x1f\x8b", "a gzip-compressed"),
    (0, b"BZh", "a bzip2-compressed"),
    (0, b"\xfd7zXZ\x00", "an xz-compressed"),
    (0, b"7z\xbc\xaf", "a 7-Zip"),
    (0, b"Rar!", "a RAR"),
    (0, b"\x7fELF", "a program (ELF)"),
    (0, b"MZ", "a Windows program"),
    (0, b"SQLite format 3\x00", "an SQLite database"),
)

# Control codes (C0 but tab, form feed and line ends; C1) and replacement characters: what a
# wrong decoding leaves behind. More than this share of them and the file is not text; fewer
# (a damaged download, a bad paste: 1% is still readable) are removed, and logged.
_GARBLED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
_GARBLED_SHARE = 0.10
_C1 = re.compile("[\x80-\x9f]")
# UTF-8 with at most this share of broken characters is UTF-8 that was cut or damaged in a few
# places (the rest decodes), not a file in another code page.
_BROKEN_UTF8_SHARE = 0.02
_SURROGATE = re.compile("[\ud800-\udfff]")
_DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)


def magic_kind(data: bytes) -> str | None:
    """What kind of binary file `data` is by its first bytes ("a PDF"), or None."""
    for offset, magic, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return kind
    return None


def check_not_binary(data: bytes) -> None:
    """Raise InputError if `data` is a known binary format or holds NUL bytes outside UTF-16/32."""
    kind = magic_kind(data[:64])
    if kind and not _bom(data):
        raise InputError(f"this is {kind} file, not text; save the article as text or HTML")
    if b"\x00" in data and _bom(data) is None and _utf16_without_bom(data) is None:
        raise InputError("the file is binary (it contains NUL bytes), not text")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 kB, if Python knows it."""
    m = _DECLARED.search(data[:4096])
    return _codec(m.group(1).decode("ascii")) if m else None


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text with "\\n" line ends, not yet repaired (see `repair`).

    Raises InputError for binary data and for bytes that decode to mostly control codes.
    """
    check_not_binary(data)
    text = _decode(data, _codec(declared) if declared else None)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = len(_GARBLED.findall(text))
    if _garbled(bad, len(text)) and _C1.search(text):
        # C1 codes are also what UTF-8 read as Latin-1 leaves ("Ã\x89"): count what remains
        # once that is repaired
        import ftfy

        bad = len(_GARBLED.findall(ftfy.fix_encoding(text)))
    if _garbled(bad, len(text)):
        raise InputError(
            "could not decode the text: many characters are invalid or control codes (is it "
            "really a text file?); save it again as UTF-8 text"
        )
    return text


def _garbled(bad: int, length: int) -> bool:
    # A few stray control codes in a short text are typing accidents, not a wrong decoding.
    return bad > max(10, length * _GARBLED_SHARE) or (bad > 2 and bad > length * 0.1)


def repair(text: str) -> str:
    """Mojibake repaired, lone surrogates and control codes gone, NFC."""
    text = _SURROGATE.sub("", text)  # from JSON "\\ud800" escapes: not characters at all
    if not text.isascii():  # ASCII cannot hold mojibake, and ftfy costs ~0.4 s per MB
        import ftfy  # imported here: only files with non-ASCII text need it

        text = ftfy.fix_text(text, _ftfy_config())
    text, removed = _GARBLED.subn("", text)  # what ftfy could not mend: unreadable marks
    if removed:
        log.info("Ingest - removed %d unreadable character(s) (U+FFFD or control codes)", removed)
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1)
def _ftfy_config():
    import ftfy

    return ftfy.TextFixerConfig(
        uncurl_quotes=False,  # curly quotes are right; quotation checks compare them
        fix_character_width=False,  # full-width letters are correct in CJK text
        unescape_html=False,  # "&amp;" in plain text is what the author wrote; HTML is parsed
        explain=False,
    )


def _decode(data: bytes, declared: str | None) -> str:
    bom = _bom(data)
    if bom:
        mark, encoding = bom
        return data[len(mark) :].decode(encoding, errors="replace")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and declared != "utf-8":
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid = sum(1 for c in text if ord(c) > 127) - broken
    if valid >= broken and broken <= len(text) * _BROKEN_UTF8_SHARE:
        return data.decode("utf-8", errors=_STRAY_BYTES)  # UTF-8 with a few stray bytes
    return _decode_legacy(data)


def _stray_bytes(e: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 inside UTF-8 text: a character pasted in from a cp1252 file
    ("Zo\xeb"), read as such; at the very end, a character cut in half by a broken download,
    dropped."""
    assert isinstance(e, UnicodeDecodeError)
    if e.end >= len(e.object):
        return "", e.end
    chunk = bytes(e.object[e.start : e.end])
    try:
        return chunk.decode("cp1252"), e.end
    except UnicodeDecodeError:
        return chunk.decode("latin-1"), e.end


_STRAY_BYTES = "digest-stray-bytes"
codecs.register_error(_STRAY_BYTES, _stray_bytes)


def _decode_legacy(data: bytes) -> str:
    # charset-normalizer often ranks cp1250 above cp1252 for English text with a few accents
    # ("naïve" comes out "naďve"), so Windows-1252, the usual culprit, wins whenever it fits
    # and is among the candidates (text in, say, cp1251 also "fits" cp1252, as gibberish).
    # UTF-8 fragments inside a cp1252 file come out as mojibake, which `repair` then fixes.
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        matches: list[str] = []
    else:
        matches = [m.encoding for m in from_bytes(data[:200_000])]
    for encoding in ("cp1252", *matches[:1]):
        if encoding == "cp1252" and matches and "cp1252" not in matches:
            continue
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")  # decodes any bytes


def _bom(data: bytes) -> tuple[bytes, str] | None:
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return mark, encoding
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 little- or big-endian when nearly every other byte is NUL (ASCII text)."""
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    if odd.count(0) >= 0.9 * half and even.count(0) <= 0.1 * half:
        return "utf-16-le"
    if even.count(0) >= 0.9 * half and odd.count(0) <= 0.1 * half:
        return "utf-16-be"
    return None


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None
