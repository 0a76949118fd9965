"""Page boilerplate in real articles before and after cleaning (Multi-News validation).

Run: .venv/bin/python benchmarks/noise_counts.py [--show N]
Reads ../shared/eval (never copied into the project). Each document goes through the real
ingest path (read as a saved .txt page: decoding, title detection, `clean.clean_body`). A line
(before) or paragraph (after) counts as boilerplate when it matches one of the families below:
phrases chosen by reading the corpus, not the cleaner's own rules. Prints a Markdown table;
asserts nothing (tests/test_noise.py pins a floor).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest.errors import InputError  # noqa: E402
from digest.ingest import read_file  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "multinews_validation.jsonl"

# family: pattern (case-insensitive, searched in one line or paragraph of at most 80 words)
FAMILIES = {
    "Twitter location prompts": r"tweet with a location|add location information to your tweets"
    r"|add a location to your tweets|location information to your tweets",
    "video player errors": r"sorry, (?:the|this|but the) video|enable javascript|video player"
    r"|your browser does not support|unable to play (?:the )?video|playback",
    "cookie notices": r"\bcookies?\b.{0,60}\b(?:use|uses|accept|policy|settings|consent)\b"
    r"|\b(?:use|uses|accept|manage)\b.{0,20}\bcookies\b",
    "subscription and newsletter prompts": r"\bsubscribe\b|\bsign up\b|newsletter|breaking news "
    r"emails|get breaking news alerts|delivered (?:weekday|every) mornings?|invalid email address",
    "ad markers": r"^advertisement\b|story continued below|continue reading the main story",
    "archive crawl notices": r"crawl data to the internet archive|these crawls are part of an "
    r"effort to archive|wayback machine",
    "share and page controls": r"^(?:share|tweet|email|print|facebook|twitter|pinterest|linkedin|"
    r"whatsapp|comments?|play facebook|text size\b.*|reset|save)(?:\W+(?:share|tweet|email|print|"
    r"facebook|twitter|pinterest|linkedin|whatsapp|comments?|save))*\W*$",
    "photo credits and captions": r"\((?:ap|afp|reuters|getty)?\s?photo\b|\bphoto:|getty images"
    r"|image copyright|image caption|\bfile photo\b",
    "read-more and related links": r"^(?:read more|also:|related:|more:|click here|see also)",
    "copyright lines": r"all rights reserved|^copyright\b|^©",
    "separators": r"^[\W_]+$",
}
_COMPILED = {name: re.compile(p, re.IGNORECASE) for name, p in FAMILIES.items()}
MAX_WORDS = 80  # a longer paragraph is prose that mentions the phrase, not a prompt


def family(line: str) -> str | None:
    line = " ".join(line.split())
    if not line or len(line.split()) > MAX_WORDS:
        return None
    for name, pattern in _COMPILED.items():
        if pattern.search(line):
            return name
    return None


def count(path: Path = EVAL) -> tuple[Counter, Counter, list[tuple[str, str]], int]:
    """(before, after, leftovers [(doc id, paragraph)], documents read)."""
    before: Counter = Counter()
    after: Counter = Counter()
    leftovers: list[tuple[str, str]] = []
    docs = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        for d in json.loads(line)["documents"]:
            for raw in d["text"].split("\n"):
                if f := family(raw):
                    before[f] += 1
            try:
                articles = read_file(
                    Path(d["doc_id"] + ".txt"), d["text"].encode("utf-8"), display_path=d["doc_id"]
                )
            except InputError:
                continue  # nothing left: all of its boilerplate is gone
            docs += 1
            for article in articles:
                for paragraph in [article.title, *article.text.split("\n\n")]:
                    if f := family(paragraph):
                        after[f] += 1
                        leftovers.append((d["doc_id"], paragraph))
    return before, after, leftovers, docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", type=int, default=0, help="print this many leftover paragraphs")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if not EVAL.is_file():
        sys.exit(f"evaluation data not found at {EVAL}")
    before, after, leftovers, docs = count()
    print(f"{docs} documents read\n")
    print("| boilerplate | lines before | paragraphs after |\n|---|---|---|")
    for name in FAMILIES:
        print(f"| {name} | {before[name]} | {after[name]} |")
    b, a = sum(before.values()), sum(after.values())
    print(f"| **all** | **{b}** | **{a}** ({1 - a / b:.1%} removed) |")
    for doc_id, paragraph in leftovers[: args.show]:
        print(f"\n{doc_id}: {paragraph[:300]}")


if __name__ == "__main__":
    main()
