"""The real thing: the CLI entry point, the default models, real articles.

The reference case: five real reports of one event (../shared/samples/seed-story, read from
there, never copied into the project) must become ONE brief that cites all five, cites every
sentence, states each fact once and carries none of the pages' noise.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from digest import cite
from digest.embed import SentenceTransformerEmbedder

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "samples" / "seed-story"
QWEN = ROOT / "models" / "qwen2.5-coder-1.5b-instruct" / "digest-prepared.json"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not QWEN.exists(), reason="run `make setup`: the default model is not prepared"),
]

NOISE = re.compile(
    r"FILE -|#\w|Back To Top|The Source:|What we know|WorldNews|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
)


def run_cli(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cfg = tmp / "config.toml"
    cfg.write_text(f'[paths]\nmodels = "{ROOT / "models"}"\n')
    return subprocess.run(
        [sys.executable, "-m", "digest", "run", "--config", str(cfg), *args],
        cwd=tmp, capture_output=True, text=True, timeout=1200,
    )


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory):
    if not SEED.is_dir():
        pytest.skip(f"the seed story is not at {SEED}")
    tmp = tmp_path_factory.mktemp("seed")
    (tmp / "inbox").mkdir()
    for f in sorted(SEED.glob("*.txt")):
        shutil.copy(f, tmp / "inbox" / f.name)
    result = run_cli(tmp)
    assert result.returncode == 0, result.stderr
    return tmp, result


def test_seed_story_becomes_one_brief_citing_all_five(seed_run):
    tmp, result = seed_run
    assert "5 new article(s)" in result.stdout
    assert "Stories: 1 new" in result.stdout and "Briefs written: 1" in result.stdout
    [path] = list((tmp / "outbox").glob("*.json"))
    brief = json.loads(path.read_text())
    assert len(brief["sources"]) == 5
    cited = {n for s in brief["sentences"] for n in s["citations"]}
    assert cited == {1, 2, 3, 4, 5}
    assert all(s["citations"] for s in brief["sentences"])
    assert (tmp / "outbox" / f"{path.stem}.md").exists()


def test_seed_brief_has_no_page_noise(seed_run):
    tmp, _ = seed_run
    [path] = list((tmp / "outbox").glob("*.json"))
    brief = json.loads(path.read_text())
    for text in [brief["headline"]] + [s["text"] for s in brief["sentences"]]:
        assert not NOISE.search(text), text


def test_seed_brief_states_each_fact_once_and_only_what_its_sources_say(seed_run):
    tmp, _ = seed_run
    [path] = list((tmp / "outbox").glob("*.json"))
    brief = json.loads(path.read_text())
    texts = [s["text"] for s in brief["sentences"]]
    vectors = SentenceTransformerEmbedder().embed(texts)
    for i, j in itertools.combinations(range(len(texts)), 2):
        assert float(vectors[i] @ vectors[j]) < 0.8, (texts[i], texts[j])
    articles = {s["n"]: (tmp / "inbox" / s["path"]).read_text() for s in brief["sources"]}
    for s in brief["sentences"]:
        evidence = [articles[n] for n in s["citations"]]
        # a disagreement sentence names its sides' sources: "(source 3)" is no claim
        text = re.sub(r"\(sources? [\d, ]+\)", "", s["text"])
        assert cite.missing_terms(text, evidence) == [], s["text"]


def test_second_run_reads_nothing_new(seed_run):
    tmp, _ = seed_run
    before = {p.name: p.stat().st_mtime_ns for p in (tmp / "outbox").iterdir()}
    result = run_cli(tmp)
    assert result.returncode == 0, result.stderr
    assert "0 new article(s), 5 already read" in result.stdout
    assert "Briefs written: 0" in result.stdout
    assert {p.name: p.stat().st_mtime_ns for p in (tmp / "outbox").iterdir()} == before
