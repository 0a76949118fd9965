"""Publication dates as ISO 8601, from the forms that files, feeds and mail write them in.

ISO 8601 itself is read by the standard library; any other written date ("Nov. 3, 2026",
"Tuesday, November 3rd, 2026", "Tue, 03 Nov 2026 10:00:00 EST") by python-dateutil. A date is
normalised only when the text gives it whole and unambiguously: a year of four digits, a month
and a day, and not a numeric date that reads as another day with the day first ("03/11/2026":
March or November?). Anything else stays as it was written.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from dateutil import parser as dateutil_parser
from dateutil.tz import tzoffset

# Two different fallbacks for the fields a text leaves out: a field that comes out different
# under the two was not in the text.
_DEFAULTS = (datetime(1901, 1, 1, 0, 0), datetime(1902, 2, 2, 1, 1))
# The zone names RFC 822 (section 5) allows in mail and RSS dates; dateutil knows only UTC/GMT.
_RFC822_ZONES = {
    name: tzoffset(name, hours * 3600)
    for name, hours in {
        "UT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
        "PDT": -7,
    }.items()
}  # fmt: skip
_LONGEST = 100  # no written date is longer; a longer value is not parsed at all


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
    found = _written_date(text) if len(text) <= _LONGEST else None
    if found is not None:
        return found
    try:  # RFC 2822 forms dateutil does not take
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return text


def _written_date(text: str) -> str | None:
    """A date (with its time, if given) written in words or numbers, or None if the text does
    not give one whole and unambiguous."""
    try:
        with warnings.catch_warnings():
            # a zone name it does not know ("CET"): the time is kept without its offset
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            first, second = (
                dateutil_parser.parse(text, default=d, tzinfos=_RFC822_ZONES) for d in _DEFAULTS
            )
            day_first = dateutil_parser.parse(
                text, default=_DEFAULTS[0], dayfirst=True, tzinfos=_RFC822_ZONES
            )
    except (ValueError, OverflowError, TypeError):  # ParserError is a ValueError
        return None
    if first.date() != second.date() or not re.search(rf"(?<!\d){first.year}(?!\d)", text):
        return None  # no year, month or day of its own (or only a two-digit year)
    # Year first is always year-month-day; otherwise the day may come first in the text.
    if day_first != first and not re.match(r"\d{4}\D", text):
        return None
    if first.hour != second.hour:  # no time given
        return first.date().isoformat()
    return first.isoformat()
