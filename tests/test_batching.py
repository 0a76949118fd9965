"""Several briefs written together (BriefWriter.write_many, generate_batch), and the thread
count chosen for a busy machine (digest/threads.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from digest import config, ingest, threads
from digest.asks import StoryInput
from digest.config import Citations
from digest.embed import SentenceTransformerEmbedder
from digest.errors import ConfigError
from digest.generate import Request, llama_cpp_available
from digest.summarize import BriefWriter
from tests.articles import MARINA_1, MARINA_3, STORM
from tests.fakes import EchoFacts
from tests.helpers import MODELS, ROOT

SMOL_GGUF = MODELS / "smollm2-135m-instruct.gguf"

FERRY = """Ferry line to Elsby opens

A new ferry line between Port Alder and Elsby opened on Saturday with four crossings a day.
The operator, Bay Lines, said the 40-minute crossing costs 6 euros for adults.
Tickets are sold on board and at both piers.
"""


def stories() -> list[StoryInput]:
    out = []
    for name, text in (("marina", MARINA_1 + "\n" + MARINA_3), ("storm", STORM), ("ferry", FERRY)):
        articles = ingest.read_file(Path(f"{name}.txt"), text.encode(), display_path=f"{name}.txt")
        out.append(StoryInput(name, articles, 1, "now"))
    return out


@pytest.fixture(scope="module")
def embedder():
    return SentenceTransformerEmbedder()


def writer(embedder, generator) -> BriefWriter:
    return BriefWriter(
        embedder, generator, Citations(), brief_words=60, input_words=200, max_new_tokens=120
    )


# --- the writer's phases in batches, with fakes ------------------------------------------


class WrongFigureFor(EchoFacts):
    """Restates the facts, but turns the storm's "six hours" into "nine hours": that brief's
    sentence fails its check and is sent back to be rewritten, the others are not."""

    def generate(self, messages, max_new_tokens, avoid=""):
        if "Draft:" in messages[-1]["content"]:  # prompt.rewrite: the same mistake again
            self.calls += 1
            return "1. A winter storm closed the coastal highway for nine hours on Tuesday."
        reply = super().generate(messages, max_new_tokens, avoid)
        return reply.replace("six hours", "nine hours")


def test_write_many_batches_each_phase_and_matches_write(embedder):
    batched = EchoFacts()
    many = writer(embedder, batched).write_many(stories())
    one = [writer(embedder, EchoFacts()).write(*s) for s in stories()]
    assert [b.to_json() for b in many] == [b.to_json() for b in one]
    assert batched.batches == [3]  # every story's notes in one batch, no rewrite needed
    assert batched.calls == 3


def test_only_the_stories_that_need_a_rewrite_share_the_rewrite_batch(embedder):
    gen = WrongFigureFor()
    briefs = writer(embedder, gen).write_many(stories())
    assert gen.batches == [3, 1]  # the notes of all three, then the storm's rewrite alone
    storm = briefs[1]
    assert any("nine hours" in n for n in storm.notes)  # the failed sentence was noted
    assert not any("nine hours" in s.text for s in storm.sentences)
    assert [b.story_id for b in briefs] == ["marina", "storm", "ferry"]


def test_a_failing_batch_falls_back_for_each_of_its_stories(embedder):
    class Fails(EchoFacts):
        def generate_batch(self, requests):
            raise RuntimeError("out of memory")

    briefs = writer(embedder, Fails()).write_many(stories())
    assert len(briefs) == 3
    for b in briefs:
        assert "model failed: out of memory" in b.notes and b.sentences  # source sentences


def test_batch_size_setting_is_validated(tmp_path):
    assert (
        config.from_dict({"summarizer": {"batch_size": 6}}, base=tmp_path).summarizer.batch_size
        == 6
    )
    with pytest.raises(ConfigError, match="batch_size"):
        config.from_dict({"summarizer": {"batch_size": 0}}, base=tmp_path)


# --- the real batch decoder, with the tiny model -----------------------------------------

needs_llama = pytest.mark.skipif(
    not (llama_cpp_available() and SMOL_GGUF.is_file()),
    reason="llama-cpp-python or the SmolLM2 GGUF file is missing (`make setup`)",
)


@pytest.fixture(scope="module")
def smol():
    from digest.backends.llama_cpp_generator import LlamaCppGenerator

    return LlamaCppGenerator(SMOL_GGUF, batch_size=4)


@needs_llama
def test_batched_replies_are_the_single_path_replies_copy_guard_included(smol):
    system = {"role": "system", "content": "You write short news briefs."}
    texts = [
        "The Lindmoor council approved $3 million for bike lanes on Tuesday after a long debate.",
        "A storm cut power to 20,000 homes in Berrow on Monday; crews expect it back by Friday.",
        "The Harbour museum will reopen in May after a two-year renovation, its director said.",
    ]
    requests = [
        Request([system, {"role": "user", "content": f"Say it in your own words: {t}"}], 40, t)
        for t in texts
    ]
    requests.append(Request(requests[0].messages, 40, ""))  # the same prompt without the guard
    single = [smol.generate(*r) for r in requests]
    assert single[0] != single[3]  # the guard changes this reply: it is really applied
    assert smol.generate_batch(requests) == single
    assert smol.generate_batch(requests[::-1]) == single[::-1]
    assert [smol.generate_batch([r])[0] for r in requests] == single


@needs_llama
def test_a_brief_does_not_depend_on_the_stories_beside_it(embedder, smol):
    """Through the real generator: each story's brief alone, with the others, in another
    order; a batch size smaller than the group splits it into several decodes."""
    all_three = stories()
    alone = [writer(embedder, smol).write_many([s])[0].to_json() for s in all_three]
    together = [b.to_json() for b in writer(embedder, smol).write_many(all_three)]
    reverse = [b.to_json() for b in writer(embedder, smol).write_many(all_three[::-1])][::-1]
    assert together == alone
    assert reverse == alone
    smol.batch_size = 2
    try:
        split = [b.to_json() for b in writer(embedder, smol).write_many(all_three)]
    finally:
        smol.batch_size = 4
    assert split == alone


# --- threads -------------------------------------------------------------------------------


def test_usable_cores_follow_the_cgroup_quota(tmp_path):
    affinity = len(os.sched_getaffinity(0))
    quota = tmp_path / "cpu.max"
    quota.write_text("max 100000\n")
    assert threads.usable_cores(quota) == affinity
    quota.write_text("150000 100000\n")  # one and a half cores: one whole core
    assert threads.usable_cores(quota) == 1
    quota.write_text(f"{100000 * (affinity + 4)} 100000\n")  # more than the affinity allows
    assert threads.usable_cores(quota) == affinity
    assert threads.usable_cores(tmp_path / "absent") == affinity


def test_busy_cores_are_left_out():
    assert threads.threads_for(2, 0.0) == 2
    assert threads.threads_for(2, 0.3) == 2
    assert threads.threads_for(2, 0.9) == 1  # a busy loop on one core
    assert threads.threads_for(2, 2.0) == 1  # never fewer than one
    assert threads.threads_for(16, 2.6) == 13


def test_load_watch_counts_other_programs_and_not_this_one(tmp_path):
    """A machine-wide busy time that grows by one core's worth over the interval, while this
    process spins for part of it: the other programs kept about one core busy."""
    stat = tmp_path / "stat"
    tick = os.sysconf("SC_CLK_TCK")

    def write(busy_s: float) -> None:
        user = int(busy_s * tick)
        stat.write_text(f"cpu  {user} 0 0 1000000 0 0 0 0 0 0\ncpu0 0 0 0 0\n")

    watch = threads.LoadWatch(stat)
    write(100.0)
    watch._last = watch._now()
    started = time.monotonic()
    spin_until = started + 0.4
    own_before = sum(os.times()[:2])
    while time.monotonic() < spin_until:
        pass  # this process's own work, which must not count
    own = sum(os.times()[:2]) - own_before
    wall = time.monotonic() - started
    write(100.0 + wall + own)  # the others' one core, plus this process's own time
    assert watch.others() == pytest.approx(1.0, abs=0.15)
    write(100.0 + wall + own)  # nothing more: too soon to tell, the last figure stands
    assert watch.others() == pytest.approx(1.0, abs=0.15)


def test_a_stale_look_is_replaced_by_a_fresh_sample(tmp_path):
    """The last look was taken five seconds ago, and the machine was busy in between (ten
    cores' worth): that says nothing about now. The watch samples afresh, and over the fresh
    sample nothing else ran, so no core is taken. (Before, the whole five seconds counted and
    a competitor that had stopped still cost a thread on the next call.)"""
    stat = tmp_path / "stat"
    tick = os.sysconf("SC_CLK_TCK")
    stat.write_text(f"cpu  {100 * tick} 0 0 1000000 0 0 0 0 0 0\n")
    watch = threads.LoadWatch(stat)
    old = watch._now()
    watch._last = (old[0] - 50.0, old[1] - 5.0, old[2])  # 50 busy seconds over 5 s, then
    assert watch.others() < 0.5


def test_the_thread_count_is_chosen_again_while_decoding():
    counts = iter([2, 1, 1, 2])
    applied = []
    r = threads.Rechooser(lambda: next(counts), applied.append, current=2, every=0.0)
    for _ in range(4):
        r.tick()
    assert applied == [1, 2]  # only the changes are applied
    assert r.counts == [2, 1, 2]
    slow = threads.Rechooser(lambda: 1, applied.append, current=2, every=3600.0)
    slow.tick()
    assert slow.counts == [2]  # not yet time to look again


@needs_llama
def test_changing_threads_mid_reply_does_not_change_it(monkeypatch):
    """The count is chosen again between prompt chunks and tokens (every time here,
    alternating 1 and 2): the replies are the ones a fixed count gives, in the single path and
    the batch decoder. The prompts are several chunks long, and reading them in one chunk gives
    the same replies too."""
    from digest.backends import llama_cpp_generator
    from digest.backends.llama_cpp_generator import LlamaCppGenerator

    system = {"role": "system", "content": "You write short news briefs. " + FERRY * 6}
    text = "A storm cut power to 20,000 homes in Berrow on Monday; crews expect it back by Friday."
    requests = [
        Request([system, {"role": "user", "content": f"Say it in your own words: {text}"}], 40, text),
        Request([system, {"role": "user", "content": "Name three rivers of Europe."}], 40, ""),
    ]  # fmt: skip
    fixed = LlamaCppGenerator(SMOL_GGUF, threads=2, batch_size=4)
    assert len(fixed._prompt(requests[1].messages)[0]) > 3 * llama_cpp_generator.READ_CHUNK
    want_single = [fixed.generate(*r) for r in requests]
    want_batch = fixed.generate_batch(requests)
    with monkeypatch.context() as m:
        m.setattr(llama_cpp_generator, "READ_CHUNK", 100_000)  # each prompt in one chunk
        whole = LlamaCppGenerator(SMOL_GGUF, threads=2, batch_size=4)
        assert [whole.generate(*r) for r in requests] == want_single
    moving = LlamaCppGenerator(SMOL_GGUF, threads=0, batch_size=4)
    flip = iter([1, 2] * 1000)
    monkeypatch.setattr(moving, "_threads", lambda: next(flip))
    monkeypatch.setattr(threads, "RECHOOSE_SECONDS", 0.0)
    got_single = []
    for r in requests:
        got_single.append(moving.generate(*r))
        assert len(moving.last_stats["thread_counts"]) > 5  # it really changed, many times
    assert got_single == want_single
    assert moving.generate_batch(requests) == want_batch
    assert len(moving.last_stats["thread_counts"]) > 5


# --- through the CLI ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not SMOL_GGUF.exists(), reason="run `make setup` first")
def test_digest_run_writes_the_same_briefs_whatever_the_batch_size(tmp_path):
    """The sample inbox (three stories) through `digest run` with the real tiny model: with
    the default `batch_size = 4` (all three decoded together), with 2 (two together, then the
    third alone) and with 1 (one at a time, through create_chat_completion): the same stories,
    headlines, sentences and citations."""
    import json
    import shutil
    import subprocess
    import sys

    def run(size: int) -> dict[frozenset[str], dict]:
        home = tmp_path / f"size-{size}"
        shutil.copytree(ROOT / "samples" / "inbox", home / "inbox")
        (home / "config.toml").write_text(
            f'[paths]\nmodels = "{MODELS}"\n'
            f'[summarizer]\nmodel = "smollm2-135m-instruct"\nbackend = "llama-cpp"\n'
            f"brief_words = 60\nmax_new_tokens = 120\nbatch_size = {size}\n"
        )
        result = subprocess.run(
            [sys.executable, "-m", "digest", "run", "--config", str(home / "config.toml")],
            cwd=home, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        out = {}
        for path in (home / "outbox").glob("*.json"):
            brief = json.loads(path.read_text())
            if "sentences" not in brief:
                continue  # not a brief (an index)
            out[frozenset(s["path"] for s in brief["sources"])] = {
                "headline": brief["headline"],
                "sentences": brief["sentences"],
            }
        return out

    three, two, one = run(4), run(2), run(1)
    assert len(three) == 3  # the trams, the drought, the battery
    assert all(b["sentences"] for b in three.values())
    assert two == three
    assert one == three


@needs_llama
def test_a_prompt_beginning_is_read_once_and_its_replies_are_unchanged():
    from digest.backends.llama_cpp_generator import MIN_PREFIX, LlamaCppGenerator

    # the shape of the notes prompt: instructions and a worked example, then the notes; a
    # rewrite request in between holds another beginning in the context
    example = [
        {"role": "system", "content": "You write short news briefs from reporters' notes."},
        {
            "role": "user",
            "content": "Notes: "
            + " ".join(
                f"{n}. The Lindmoor council met on day {n} and voted on bike lanes."
                for n in range(12)
            ),
        },
        {"role": "assistant", "content": "The Lindmoor council voted on bike lanes."},
    ]
    notes = [
        "The Harbour museum will reopen in May after a two-year renovation, its director said.",
        "A storm cut power to 20,000 homes in Berrow on Monday; crews expect it back by Friday.",
    ]
    other = [{"role": "user", "content": "Mend this sentence: The museum open in May."}]
    cached = LlamaCppGenerator(SMOL_GGUF)
    first = cached.generate([*example, {"role": "user", "content": notes[0]}], 30)
    cached.generate(other, 20)
    second = cached.generate([*example, {"role": "user", "content": notes[1]}], 30)
    read = cached.last_stats["prompt_tokens_read"]
    fresh = LlamaCppGenerator(SMOL_GGUF)
    assert fresh.generate([*example, {"role": "user", "content": notes[1]}], 30) == second
    whole = fresh.last_stats["prompt_tokens_read"]
    assert fresh.generate([*example, {"role": "user", "content": notes[0]}], 30) == first
    # the beginning came from the cache: only the last message was read
    assert whole - read >= MIN_PREFIX, (whole, read)
