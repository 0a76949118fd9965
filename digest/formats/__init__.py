"""Input formats: one module per kind of file, each a function `read(data, path)` from the
file's bytes to its Articles (digest/records.py), raising InputError with the reason in plain
words when the file holds no readable article.

- text.py (.txt), markdown.py (.md, .markdown), html.py (.html, .htm), json.py (.json, and
  .jsonl by `read_lines`), mail.py (.eml), feeds.py (.xml, .rss, .atom), pdf.py (.pdf);
- encoding.py: bytes to text (encoding detected, mojibake repaired), binary files refused;
- front_matter.py (the `---` block of .md/.txt files) and dates.py (dates to ISO 8601);
- article.py: the shared assembly of an Article (title, cleaned body, metadata, hash);
  parsed.py: Articles from what the mail, feed and PDF readers found (`records.Parsed`).

Which reader a file gets, and everything about the inbox (listing, links, size limits,
hashing), is decided in digest/ingest.py. A new format is a module here with a `read`
function, plus its suffixes in `ingest.READERS`.
"""
