"""Near-duplicate detection: the detector, its storage, the pipeline (a copy is listed, never
read twice), and its measured precision/recall on real articles with pinned floors."""

import json
import random
import sqlite3
from pathlib import Path

import pytest

from digest import config, dedup
from digest.pipeline import Pipeline
from digest.records import Article
from digest.render import markdown
from digest.store import Store
from tests.articles import STORM
from tests.fakes import EchoFacts

WIRE = (
    "The Harbor Council approved 1,250 new berths for the east marina in Port Alder on Monday, "
    "ending a two-year dispute with the fishing fleet. Mayor Ana Ruiz called the plan a fair deal "
    "for the fleet and said the first berths would open next summer. Construction is due to "
    "start in March and last two years, the council said. The marina now has 800 berths and a "
    "waiting list of more than 400 boats, according to the harbor office."
)


def test_shingles_ignore_case_and_punctuation():
    assert dedup.shingles("The Cat, the HAT!") == {"the cat the", "cat the hat"}
    assert dedup.shingles("Two words") == {"two words"}
    assert dedup.shingles("") == set()


def test_copies_are_recognised_and_other_texts_are_not():
    original = dedup.signature(WIRE)
    edited = dedup.signature(WIRE.replace("Monday", "Monday afternoon").replace("fair", "good"))
    cut = dedup.signature(WIRE.rsplit(". ", 2)[0] + ".")
    other = dedup.signature(STORM * 2)
    assert original.shingles == len(dedup.shingles(WIRE))
    assert dedup.containment(original, original) == 1.0
    for copy in (edited, cut):
        assert dedup.is_copy(copy, original, 0.6)
    assert not dedup.is_copy(other, original, 0.6)
    # the full story is not a copy of its cut-down version: it adds to it
    assert not dedup.is_copy(original, cut, 0.6)


def test_short_texts_are_copies_only_when_identical():
    a, b = dedup.signature("Fares rise on Monday."), dedup.signature("Fares rise on Tuesday.")
    assert dedup.is_copy(a, dedup.signature("fares rise, on Monday"), 0.6)
    assert not dedup.is_copy(a, b, 0.6)


def test_signature_round_trips_through_bytes():
    sig = dedup.signature(WIRE)
    again = dedup.Signature.from_bytes(sig.to_bytes(), sig.shingles)
    assert dedup.jaccard(sig, again) == 1.0 and len(sig.to_bytes()) == 4 * dedup.NUM_PERM


def test_store_finds_the_original_across_connections(tmp_path):
    store = Store(tmp_path)
    first = Article("wire.txt", "Marina grows", WIRE, "h1")
    with store.transaction():
        store.add_article(first)
        assert dedup.register(store, first, 0.6) is None
    store.close()

    store = Store(tmp_path)  # a later run: the signature is read back, not recomputed
    copy = Article("copy.json", "Port Alder marina to grow", WIRE + " Boat owners cheered.", "h2")
    copy_of_copy = Article("copy2.txt", "Marina", WIRE.replace("Monday", "Tuesday"), "h3")
    with store.transaction():
        for a in (copy, copy_of_copy):
            store.add_article(a)
            assert dedup.register(store, a, 0.6) == "h1"  # a copy of a copy names the original
    rows = dict(store.db.execute("SELECT content_hash, duplicate_of FROM articles").fetchall())
    assert rows == {"h1": None, "h2": "h1", "h3": "h1"}
    assert [a.content_hash for a in store.unembedded()] == ["h1"]  # copies are never embedded
    store.close()


def test_old_database_gains_the_new_columns_and_is_indexed(tmp_path):
    db = sqlite3.connect(tmp_path / "digest.db")
    db.executescript(
        "CREATE TABLE articles (content_hash TEXT PRIMARY KEY, path TEXT NOT NULL, title TEXT NOT NULL,"
        " text TEXT NOT NULL, url TEXT, source TEXT, published TEXT, embedding BLOB, story_id TEXT,"
        " added_at TEXT NOT NULL);"
        "INSERT INTO articles VALUES ('old', 'old.txt', 'Marina', "
        f"'{WIRE}', NULL, NULL, NULL, NULL, 's1', '2026-01-01');"
    )
    db.commit()
    db.close()
    store = Store(tmp_path)
    [old] = store.story_articles("s1")
    assert old.text == WIRE and old.duplicate_of is None and old.author is None
    assert dedup.backfill(store) == 1 and dedup.backfill(store) == 0
    new = Article("new.txt", "Marina", WIRE, "new")
    with store.transaction():
        store.add_article(new)
        assert dedup.register(store, new, 0.6) == "old"
    store.close()


def flood(n: int) -> list[Article]:
    """Many short, similar items (league results), as one big .jsonl of a wire service holds:
    the same frame, different details, so they share LSH bands but none copies another."""
    teams = ["Larkfield", "Eastbank", "Mill Lane", "Foundry", "Carrow", "Lindmoor", "Alder", "Kestrel"]
    words = (
        "rain wind sun cold heat fog snow storm goal post wing kick pass save shot foul card "
        "red blue green gold grey late early fast slow long short bright dark loud quiet"
    ).split()
    out = []
    for i in range(n):
        a, b = teams[i % 8], teams[(i * 3 + 1) % 8]
        detail = " ".join(random.Random(i).sample(words, 10))
        text = (
            f"{a} beat {b} {i % 6}-{i % 4} on Saturday in the city league, the club said. "
            f"Report {i}: {detail}."
        )
        out.append(Article(f"results.jsonl#{i}", f"{a} beat {b}", text, f"f{i:05d}"))
    return out


def test_many_short_similar_articles_cost_a_bounded_number_of_candidates(tmp_path, monkeypatch):
    """Issue 17, fault 4: every earlier similar article used to be a candidate (quadratic). Now
    a band indexes at most BAND_CAP articles and a lookup weighs at most MAX_CANDIDATES, and
    real copies are still found after the flood."""
    store = Store(tmp_path)
    counts: list[int] = []
    real = store.minhash_candidates

    def counting(*args, **kwargs):
        rows = real(*args, **kwargs)
        counts.append(len(rows))
        return rows

    monkeypatch.setattr(store, "minhash_candidates", counting)
    wire = Article("wire.txt", "Marina grows", WIRE, "wire")
    items = flood(1200)
    with store.transaction():
        for a in [wire, *items]:
            store.add_article(a)
            dedup.register(store, a, 0.6)
    assert len(counts) == 1201
    assert max(counts) <= dedup.MAX_CANDIDATES
    assert sum(counts) <= 1201 * dedup.MAX_CANDIDATES
    per_band = store.db.execute(
        "SELECT MAX(n) FROM (SELECT COUNT(*) n FROM minhash_bands GROUP BY band_key)"
    ).fetchone()[0]
    assert per_band <= dedup.BAND_CAP
    # copies are still recognised: of the first article, and of the last original of the
    # flood, whose commonest bands were full when it came
    [late_original] = store.db.execute(
        "SELECT content_hash FROM articles WHERE duplicate_of IS NULL AND content_hash LIKE 'f%'"
        " ORDER BY content_hash DESC LIMIT 1"
    ).fetchone()
    assert late_original >= "f01100"
    source = next(a for a in items if a.content_hash == late_original)
    again = Article("again.txt", "Marina", WIRE.replace("Monday", "Tuesday"), "again")
    late = Article("late.json", "Result", source.text.replace("Saturday", "Sunday"), "late")
    with store.transaction():
        for a in (again, late):
            store.add_article(a)
    assert dedup.register(store, again, 0.6) == "wire"
    assert dedup.register(store, late, 0.6) == late_original
    store.close()


# --- through the pipeline ---------------------------------------------------------------------


def test_a_republished_copy_is_listed_but_counted_once(tmp_path, embedder):
    cfg = config.from_dict({}, base=tmp_path)
    inbox = cfg.paths.inbox
    inbox.mkdir()
    (inbox / "marina.txt").write_text("Marina to grow by 1,250 berths\n\n" + WIRE)
    (inbox / "storm.txt").write_text(STORM)
    (
        inbox / "zz-copy.json"
    ).write_text(  # read after marina.txt: the first one read is the original
        json.dumps(
            {
                "title": "Port Alder fleet wins its marina fight",  # a new headline
                "text": WIRE.replace("Monday", "Monday evening") + " Boat owners cheered.",
                "source": "Bay Daily",
                "url": "https://baydaily.example.org/marina",
            }
        )
    )
    report = Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()
    assert (report.articles_new, report.articles_copies, report.stories_created) == (3, 1, 2)

    briefs = [json.loads(p.read_text()) for p in sorted(cfg.paths.outbox.glob("*.json"))]
    marina = next(b for b in briefs if b["sources"][0]["path"] == "marina.txt")
    assert len(marina["sources"]) == 1  # one text, one numbered source ...
    [copy] = marina["sources"][0]["copies"]  # ... which lists its copy
    assert (copy["path"], copy["publisher"]) == ("zz-copy.json", "Bay Daily")
    assert "Boat owners cheered" not in json.dumps(marina["sentences"])
    md = next(p for p in cfg.paths.outbox.glob("*.md") if "zz-copy.json" in p.read_text())
    assert (
        "also published by [Bay Daily](https://baydaily.example.org/marina) (`zz-copy.json`)"
        in (md.read_text())
    )

    # a later run: another copy joins the same story, which is rewritten; nothing is embedded
    (inbox / "copy2.txt").write_text("Marina deal\n\n" + WIRE.replace("fair deal", "good deal"))
    report = Pipeline(cfg, embedder=embedder, generator=EchoFacts()).run()
    assert (report.articles_new, report.articles_copies) == (1, 1)
    assert (report.stories_created, report.stories_updated) == (0, 1)
    marina = json.loads(
        next(
            p for p in cfg.paths.outbox.glob("*.json") if "zz-copy.json" in p.read_text()
        ).read_text()
    )
    assert marina["version"] == 2
    assert [c["path"] for c in marina["sources"][0]["copies"]] == ["copy2.txt", "zz-copy.json"]


def test_copies_render_as_also_published_by():
    from digest.records import Brief, BriefSentence, Copy, Source

    brief = Brief(
        "s", "Marina grows", (BriefSentence("The marina grows.", (1,)),),
        (Source(1, "Marina grows", "a.txt", None, "Coast Post", None,
                copies=(Copy("Marina", "b.json", None, "Bay Daily", None),)),),
        1, "2026-11-03T00:00:00+00:00",
    )  # fmt: skip
    assert "1. Marina grows — Coast Post (`a.txt`); also published by Bay Daily (`b.json`)" in (
        markdown(brief)
    )


# --- measured on real articles ----------------------------------------------------------------

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def test_precision_and_recall_on_real_articles_stay_above_the_floor():
    """A smaller run of benchmarks/dedup_eval.py (full run: docs/input.md)."""
    if not (EVAL / "multinews_validation.jsonl").is_file():
        pytest.skip(f"evaluation data not found at {EVAL} (it lives outside the repository)")
    from benchmarks.dedup_eval import evaluate, load_docs

    result = evaluate(load_docs(240, 240), config.Dedup().threshold)
    precision, recall = result.by_threshold[config.Dedup().threshold]
    assert result.n_positive > 1000 and result.n_negative > 100
    assert precision >= 0.99, result
    assert recall >= 0.85, result
    for kind in ("reheadline", "edit5", "edit10", "truncate70", "truncate50", "added"):
        assert result.recall_by_kind[kind] >= 0.8, (kind, result)
