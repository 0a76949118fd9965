"""PDF files with a text layer (a saved or printed article), read with pypdf.

A scanned PDF has only images of text: it is refused with a reason, since digest does no OCR.
Title and author come from the document information when it has them; its creation date is
when the PDF was made (often when the page was printed), not when the article was published, so
it is not used.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from ..errors import InputError
from ..records import Article, Parsed
from .parsed import from_parsed

log = logging.getLogger(__name__)

MAX_PAGES = 200  # an article is a few pages; a book-sized PDF is read only this far
_MIN_CHARS_PER_PAGE = 40  # less text than this per page: a scan, no text layer


def read(data: bytes, path: str) -> list[Article]:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise InputError("the file is named .pdf but is not a PDF")
    return from_parsed(read_pdf(data), data, path)


def read_pdf(data: bytes) -> list[Parsed]:
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise InputError("cannot read PDF files: the pypdf package is not installed") from None
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every small flaw
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")  # many PDFs are "encrypted" with an empty password
            except Exception:
                raise InputError(
                    "the PDF is password-protected; save an unprotected copy"
                ) from None
        pages = reader.pages
        n = len(pages)
        texts = []
        for page in list(pages)[:MAX_PAGES]:
            texts.append(page.extract_text() or "")
        meta = _meta(reader)
    except InputError:
        raise
    except Exception as e:  # pypdf raises many kinds of errors on damaged files
        raise InputError(f"could not read the PDF: the file is damaged ({type(e).__name__})") from e
    if n > MAX_PAGES:
        log.warning("Ingest - PDF of %d pages: only the first %d read", n, MAX_PAGES)
    text = "\n\n".join(texts)
    if len(re.sub(r"\s+", "", text)) < _MIN_CHARS_PER_PAGE * max(1, min(n, MAX_PAGES)) / 2:
        raise InputError(
            "the PDF has no text layer (it is a scan or images of text); digest does no OCR: "
            "save the article as text or HTML instead"
        )
    return [Parsed(meta=meta, body=text)]


def _meta(reader: Any) -> dict[str, Any]:
    try:
        info = reader.metadata or {}
    except Exception:
        return {}
    meta: dict[str, Any] = {}
    for key, field in (("/Title", "title"), ("/Author", "author")):
        value = info.get(key)
        if isinstance(value, str) and value.strip() and not _is_file_name(value):
            meta[field] = str(value)
    return meta


def _is_file_name(value: str) -> bool:
    # Word and friends fill /Title with the file name ("Microsoft Word - draft3.docx").
    return bool(
        re.search(r"\.(docx?|pdf|odt|rtf|txt|html?)$|^Microsoft Word - ", value.strip(), re.I)
    )
