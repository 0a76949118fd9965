"""Dates as publishers write them, to ISO 8601 (digest/formats/dates.py), through the real
reader (a JSON article) and directly. tests/test_ingest.py has the earlier cases."""

import json
from pathlib import Path

import pytest

from digest.formats.dates import normalize_date
from digest.ingest import read_file


def published(value) -> str | None:
    data = json.dumps({"text": "A short article about a date.", "published": value}).encode()
    return read_file(Path("d.json"), data, display_path="d.json")[0].published


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("13/11/2026", "2026-11-13"),  # only one reading: day 13
        ("22.11.2026", "2026-11-22"),
        ("Nov 3 2026 10:00 PM", "2026-11-03T22:00:00"),  # the format list read this as 10:00
        ("10 am Nov 3 2026", "2026-11-03T10:00:00"),
        ("Sunday 22 November 2026 16:15 GMT", "2026-11-22T16:15:00+00:00"),
        ("Tue, 03 Nov 2026 10:00:00 EST", "2026-11-03T10:00:00-05:00"),  # RFC 822 zone name
        ("Fri, 6 Nov 2026 16:45:00 +0100 (CET)", "2026-11-06T16:45:00+01:00"),
        ("2026.11.22", "2026-11-22"),
    ],
)
def test_written_dates_become_iso(given, expected):
    assert published(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "November 2026",  # no day
        "Nov 3",  # no year
        "Tuesday",  # a weekday is not a date
        "1-2-3",  # two-digit year, and month or day first?
        "04/05/2026",  # April or May?
        "12",
        "sometime in the autumn",
        "November 3, 2026 " + "x" * 200,  # too long to be a date
    ],
)
def test_incomplete_or_ambiguous_dates_stay_as_written(given):
    assert published(given) == given


def test_values_that_are_not_text():
    assert normalize_date(None) is None and normalize_date("") is None
    assert normalize_date(1793700000000) == "2026-11-03T10:00:00+00:00"  # milliseconds
    assert normalize_date(2026) == "2026"
