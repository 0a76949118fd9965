"""E-mail files (.eml), such as newsletters: the subject is the title, the sender the source.

Read with the standard library's `email` package (policy.default). The HTML part is preferred,
since newsletters put their article there and the plain part is often a stub ("view this
e-mail in your browser"); the page is then read like a saved web page. Without an HTML part,
the plain-text part is the body.
"""

from __future__ import annotations

import logging
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import parseaddr

from ..errors import InputError
from ..records import Article, Parsed
from .parsed import from_parsed

log = logging.getLogger(__name__)


def read(data: bytes, path: str) -> list[Article]:
    return from_parsed(read_email(data), data, path)


def read_email(data: bytes) -> list[Parsed]:
    try:
        msg = BytesParser(policy=policy.default).parsebytes(data)
        if not isinstance(msg, EmailMessage):  # policy.default makes EmailMessage; be sure
            raise InputError("not an e-mail message")
        meta = {
            "title": _header(msg, "subject"),
            "source": _sender(msg),
            "published": _header(msg, "date"),
            "url": _header(msg, "content-base") or _header(msg, "x-original-url"),
        }
        bodies = [
            (part, part.get_content_type() == "text/html")
            for part in (
                msg.get_body(preferencelist=("html",)),
                msg.get_body(preferencelist=("plain",)),
            )
            if part is not None
        ]
        if not bodies and not msg.is_multipart() and msg.get_content_maintype() == "text":
            bodies = [(msg, msg.get_content_type() == "text/html")]
        for part, is_html in bodies:
            text = _text(part)
            if text and text.strip():
                return [Parsed(meta=meta, body=text, html=is_html, page=is_html)]
    except InputError:
        raise
    except Exception as e:  # malformed MIME or headers: a reason, never a crash
        raise InputError(f"could not read the e-mail ({type(e).__name__}: {e})") from e
    if not msg.keys():
        raise InputError("not an e-mail message: no headers such as From, Subject or Date found")
    raise InputError("the e-mail has no text or HTML part with any text")


def _text(part: MIMEPart) -> str | None:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):
        # an unknown or wrong charset: decode the raw payload ourselves
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return None
        from .encoding import decode

        return decode(payload)
    return content if isinstance(content, str) else None


def _header(msg: EmailMessage, name: str) -> str | None:
    try:
        value = msg.get(name)
    except Exception:  # a header policy.default cannot parse: treat it as absent
        log.debug("Ingest - unreadable %s header", name)
        return None
    return str(value) if value is not None and str(value).strip() else None


def _sender(msg: EmailMessage) -> str | None:
    sender = _header(msg, "from")
    if not sender:
        return None
    name, address = parseaddr(sender)
    return name or address or sender
