"""Every input format and encoding, on fixtures we wrote (tests/fixtures/ingest) or generate here,
with the expected title, text and metadata."""

import codecs
import json
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252" for making mojibake)
import pytest

from digest.errors import InputError
from digest.ingest import read_file
from tests.pdfmaker import make_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


def read(name: str, data: bytes | str):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return read_file(Path(name), data, display_path=name)


def read_one(name: str, data: bytes | str):
    articles = read(name, data)
    assert len(articles) == 1
    return articles[0]


def fixture(name: str):
    return read(name, (FIXTURES / name).read_bytes())


# --- saved web pages --------------------------------------------------------------------------


def test_html_in_windows_1252_with_author_canonical_url_and_page_furniture():
    [a] = fixture("legacy_page.html")
    assert (
        a.title == "Café owners welcome Kestrel Street pedestrian zone"
    )  # " – Larkfield Courier" gone
    assert a.author == "María Ibáñez"
    assert a.source == "Larkfield Courier"
    assert a.url == "https://larkfield-courier.example.net/city/kestrel-street-pedestrian-zone"
    assert a.published == "2026-10-28"
    paragraphs = a.text.split("\n\n")
    assert paragraphs[0].startswith("Café and shop owners on Kestrel Street said on Tuesday")
    assert "cost the city €640,000 – less than the €900,000 first planned." in paragraphs[1]
    assert paragraphs[2] == (
        "“We had our best Saturday in three years,” said Renée Duval, who runs the Naïve Bean "
        "café at the corner of Mill Lane."
    )
    assert paragraphs[-1].startswith("Delivery vans may still use the street")
    for noise in ("cookies", "Subscribe", "newsletter", "Related stories", "Bus routes",
                  "comments", "peace and quiet", "All rights reserved", "dataLayer", "By María"):  # fmt: skip
        assert noise not in a.text, noise


def test_truncated_html_page_keeps_what_arrived():
    data = (FIXTURES / "legacy_page.html").read_bytes()
    cut = data[: data.index(b"Delivery vans")]
    [a] = read("cut.html", cut)
    assert a.title == "Café owners welcome Kestrel Street pedestrian zone"
    assert "Renée Duval" in a.text and "Delivery" not in a.text


# --- e-mail -----------------------------------------------------------------------------------


def test_newsletter_eml_prefers_the_html_part():
    [a] = fixture("newsletter.eml")
    assert a.title == "Ferry fares rise 8 percent – what it means"  # the decoded Subject
    assert a.source == "Harbour Post Briefing"  # the From display name
    assert a.published == "2026-11-03T07:00:00+00:00"
    assert a.text.split("\n\n") == [
        "Ferry fares across the harbour will rise by 8 percent in January, the Harbour Council "
        "said on Monday, the first increase in four years.",
        "A single crossing will cost €3.25 instead of €3. Season tickets keep their price until "
        "March, and children under 12 still travel free.",
        "“The fuel bill has doubled since 2022,” said council treasurer Idris Falk, who proposed "
        "the rise.",
        "The ferry operator, Harbour Lines, carried 4.1 million passengers last year.",
    ]


def test_plain_text_eml_in_windows_1252():
    [a] = fixture("water.eml")
    assert a.title == "Corran Valley water restrictions start on Monday"
    assert a.source == "Northfield Radio Newsroom"
    assert a.published == "2026-11-06T16:45:00+01:00"
    assert a.text == (
        "Water restrictions start across the Corran Valley on Monday, after the Tessel Reservoir "
        "fell to 31 percent of its capacity, the water board said.\n\n"
        "Garden hoses and car washing at home are banned until further notice. Fines start at "
        "€150 for a first offence, board chair Anaïs Morel said."
    )


def test_eml_without_a_text_part():
    data = (
        "From: a@example.org\r\nSubject: Photo\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\n'
        "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--x--\r\n"
    )
    with pytest.raises(InputError, match="no text or HTML part"):
        read("photo.eml", data)


# --- feeds ------------------------------------------------------------------------------------


def test_rss_items_with_content_become_articles():
    articles = fixture("feed.rss")
    assert [(a.path, a.title) for a in articles] == [
        ("feed.rss#1", "Tessel Reservoir falls to 31 percent"),
        ("feed.rss#2", "Library opens on Sundays from December"),
    ]  # item 3 (a podcast) has no text: skipped
    first, second = articles
    assert first.source == "Valley Herald" and first.author == "Jonas Berg"
    assert first.url == "https://valleyherald.example.org/2026/11/reservoir"
    assert first.published == "2026-11-05T09:30:00+00:00"
    # content:encoded wins over the description; its caption, script and share line are gone
    assert first.text == (
        "The Tessel Reservoir fell to 31 percent of its capacity this week, its lowest level "
        "since 2003, the Corran Valley water board said on Thursday.\n\n"
        "The board will decide on Friday whether to ban garden hoses."
    )
    assert second.text.startswith("The Corran Valley library will open on Sundays")
    assert first.content_hash != second.content_hash


def test_atom_entry():
    [a] = fixture("feed.atom")
    assert a.path == "feed.atom#1"
    assert a.title == "Sodium cell survives 5,000 charge cycles"
    assert (a.source, a.author) == ("Science Desk", "Priya Natarajan")
    assert a.url == "https://sciencedesk.example.com/sodium-cell"
    assert a.published == "2026-11-09T08:00:00+00:00"
    assert a.text == (
        "A sodium-ion battery cell built at the Halden materials lab kept 91 percent of its "
        "capacity after 5,000 charge cycles, the lab said on Monday.\n\n"
        "The cell uses no cobalt or lithium."
    )


def test_feed_hash_is_stable_per_entry():
    data = (FIXTURES / "feed.rss").read_bytes()
    again = data.replace(b"<description>News from", b"<description>Fresh news from")
    assert [a.content_hash for a in read("f.rss", data)] == [
        a.content_hash for a in read("f.rss", again)
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (
            b'<?xml version="1.0"?><urlset><url><loc>https://x.example</loc></url></urlset>',
            "no entries",
        ),
        (
            b"<rss><channel><item><title>T</title></item></channel></rss>",
            "none of the feed's 1 entries",
        ),
        (b"<rss><channel><item><title>Cut off", "has any text"),
    ],
)
def test_feeds_without_articles_say_why(data, words):
    with pytest.raises(InputError, match=words):
        read("feed.xml", data)


def test_feed_never_reads_a_local_file_named_in_it(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    # given bytes, feedparser would open a path; given a DOCTYPE, resolve an entity
    with pytest.raises(InputError):
        read("feed.xml", str(secret))
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY s SYSTEM "file://{secret}">]>'
        "<rss><channel><title>X</title><item><title>T</title>"
        "<description>The council met on Monday and said &s; about it.</description></item></channel></rss>"
    )
    for a in read("feed.xml", xxe):
        assert "SECRET" not in a.text


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_with_a_text_layer():
    data = make_pdf(
        [
            [
                "Old Quarry Library reopens",
                "The Old Quarry Library in Brookmere reopened on Sunday after a renovation",
                "that took fourteen months and cost 2.3 million euros.",
            ],
            ["Head librarian Oskar Lindqvist said 600 visitors came on the first day."],
        ],
        title="Old Quarry Library reopens",
        author="Oskar Lindqvist",
    )
    a = read_one("library.pdf", data)
    assert a.title == "Old Quarry Library reopens" and a.author == "Oskar Lindqvist"
    assert a.text == (
        "The Old Quarry Library in Brookmere reopened on Sunday after a renovation that took "
        "fourteen months and cost 2.3 million euros.\n\n"
        "Head librarian Oskar Lindqvist said 600 visitors came on the first day."
    )


def test_pdf_without_title_takes_the_first_line():
    data = make_pdf([["Library reopens", "The library reopened on Sunday after fourteen months."]])
    a = read_one("library.pdf", data)
    assert a.title == "Library reopens"
    assert a.text == "The library reopened on Sunday after fourteen months."


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (make_pdf([[], []]), "no text layer"),
        (make_pdf([["The library reopened on Sunday."]])[:200], "damaged"),
        (b"Just some text in a file named .pdf", "not a PDF"),
    ],
)
def test_unreadable_pdfs_say_why(data, words):
    with pytest.raises(InputError, match=words):
        read("scan.pdf", data)


# --- encodings --------------------------------------------------------------------------------

TEXT = "Café owners “welcome” the plan\n\nThe naïve plan costs €5 – or more, Zoë said.\n"
TITLE, BODY = "Café owners “welcome” the plan", "The naïve plan costs €5 – or more, Zoë said."


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
        TEXT.encode("utf-16-le"),  # no BOM: every other byte is NUL
        TEXT.encode("cp1252"),
        TEXT.replace("€", "EUR")
        .replace("“", '"')
        .replace("”", '"')
        .replace("–", "-")
        .encode("latin-1"),
        TEXT.encode("utf-8")
        .decode("sloppy-windows-1252")
        .encode("utf-8"),  # mojibake: UTF-8 read as cp1252
        TEXT.encode("utf-8").decode("latin-1").encode("utf-8"),  # mojibake: UTF-8 read as Latin-1
        TEXT.encode("utf-8").replace("Zoë".encode(), b"Zo\xeb"),  # one cp1252 byte in UTF-8 text
    ],
    ids=[
        "utf8-bom",
        "utf16le-bom",
        "utf16be-bom",
        "utf32-bom",
        "utf16-no-bom",
        "cp1252",
        "latin1",
        "mojibake-cp1252",
        "mojibake-latin1",
        "mixed",
    ],  # fmt: skip
)
def test_encodings_are_detected_and_repaired(data):
    a = read_one("cafe.txt", data)
    expected = (TITLE, BODY)
    if b"EUR" in data:
        expected = (
            TITLE.replace("“", '"').replace("”", '"'),
            "The naïve plan costs EUR5 - or more, Zoë said.",
        )
    assert (a.title, a.text) == expected


def test_utf8_cut_inside_a_character_keeps_the_rest():
    data = (TEXT.rstrip() + " Ç").encode("utf-8")[:-1]  # a download cut in the last character
    a = read_one("cafe.txt", data)
    assert a.title == TITLE and a.text == BODY


def test_mojibake_in_json_fields_is_repaired():
    record = {
        "title": "Caf\u00c3\u00a9 opens",
        "text": "The caf\u00c3\u00a9 opens on Monday \u00e2\u20ac\u201c at last.",
    }
    a = read_one("a.json", json.dumps(record))
    assert (a.title, a.text) == ("Café opens", "The café opens on Monday – at last.")


def test_text_is_nfc_and_lone_surrogates_are_dropped():
    a = read_one(
        "a.json", '{"title": "Cafe\\u0301", "text": "The cafe\\u0301 opens\\ud800 today."}'
    )
    assert (a.title, a.text) == ("Caf\u00e9", "The caf\u00e9 opens today.")


def test_json_author_fields():
    a = read_one(
        "a.json",
        json.dumps(
            {"text": "The bridge reopened.", "authors": [{"name": "A. Writer"}, "B. Writer"]}
        ),
    )
    assert a.author == "A. Writer, B. Writer"
    nested = read_one("b.json", json.dumps({"text": "The bridge reopened.", "title": [[["x"]]]}))
    assert nested.title == "The bridge reopened"  # a nested structure is not a title
