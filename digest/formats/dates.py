"""Publication dates as ISO 8601, from the forms that files, feeds and mail write them in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d")


def normalize_date(value: Any) -> str | None:
    """ISO 8601 where the form is unambiguous; otherwise the value as given."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 99999:
        seconds = value / 1000 if value > 1e11 else value  # milliseconds since the epoch
        return datetime.fromtimestamp(seconds, UTC).isoformat()
    text = " ".join(str(value).split())
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        if re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", text):
            return parsed.date().isoformat()
        return parsed.isoformat()
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)  # "November 3rd, 2026"
    cleaned = re.sub(r"^[A-Za-z]+,\s+(?=[A-Za-z])", "", cleaned)  # "Tuesday, November 3, 2026"
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    try:  # RFC 2822, as in RSS: "Tue, 03 Nov 2026 10:00:00 GMT"
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return text
