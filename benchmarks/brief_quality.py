"""Brief quality on Multi-News, the new brief writer beside a baseline, in one run.

    .venv/bin/python benchmarks/brief_quality.py --limit 40                 # validation
    .venv/bin/python benchmarks/brief_quality.py --data ../shared/eval/multinews_train.jsonl
    .venv/bin/python benchmarks/brief_quality.py --baseline none --keep /tmp/briefs
    .venv/bin/python benchmarks/brief_quality.py --baseline HEAD --share-replies  # a change after the reply
    .venv/bin/python benchmarks/brief_quality.py --baseline none --share-replies --replies /tmp/r.jsonl
        # then the same in a worktree of an older revision: its requests that match are not decoded again

Each cluster's articles (the gold story: clustering is scored by `digest eval` and
benchmarks/tune_clustering.py) are read as .txt files by the real ingest and cleaning code and
briefed at reference length (--words, 220 by default) by each system with the same embedder
and the same loaded model:
- new: digest/summarize.py as it is in the working tree;
- each --baseline (git revisions; default e528e96, the default before the plan-then-write
  writer): digest/summarize.py as it was there, loaded from git beside it, planning with that
  revision's digest/plan.py and decoding with its copy-guard settings (SPAN, PENALTY, GROWTH of its digest/copyguard.py; GROWTH 0
  where it had none). The backends are today's.
It prints, per system: ROUGE-1/2/L F1 against the reference; abstraction (share of the brief's
word bigrams in no source; share of sentences copied word for word); faithfulness (names and
numbers found in the sources each sentence cites; the checker's verdicts); coverage (the
reference's names and numbers found in the brief); the lead (cosine of the brief's first
sentence to the reference's first sentence, and the share at >= 0.5); redundancy (sentence
pairs at cosine >= 0.8 and >= 0.7); sentences a reader should never see (captions, asides,
questions, context-dependent); words and seconds per brief. --json writes every figure and
--keep writes each brief as Markdown for reading and as JSON (sentences, citations, evidence, notes). The data is read from ../shared, never copied.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib.util
import inspect
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest import config as digest_config  # noqa: E402
from digest import ingest  # noqa: E402
from digest.embed import make_embedder  # noqa: E402
from digest.engines import ENGLISH_WRITER, make_writer  # noqa: E402
from digest.evaluate import brief_metrics, redundant_pairs  # noqa: E402
from digest.generate import make_generator  # noqa: E402
from digest.sentences import split_sentences  # noqa: E402

VALIDATION = ROOT.parent / "shared" / "eval" / "multinews_validation.jsonl"


def baseline_module(revision: str):
    """digest/summarize.py at `revision`, as a module of the digest package, planning with
    digest/plan.py at `revision` (what it takes from plan.py is bound to that revision's)."""
    module = _module_at(revision, "summarize")
    plan = _module_at(revision, "plan")
    for name, value in list(vars(module).items()):
        if getattr(value, "__module__", None) == "digest.plan" and hasattr(plan, name):
            setattr(module, name, getattr(plan, name))
    return module


def _module_at(revision: str, stem: str):
    code = subprocess.run(
        ["git", "show", f"{revision}:digest/{stem}.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    name = f"{stem}_" + re.sub(r"\W", "_", revision)
    path = Path(tempfile.mkdtemp()) / f"{name}.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(f"digest.{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def guard_settings(revision: str) -> dict[str, float]:
    """The copy guard's module settings at `revision` (a flat penalty where GROWTH is absent)."""
    code = subprocess.run(
        ["git", "show", f"{revision}:digest/copyguard.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    out = {"GROWTH": 0.0}
    for name in ("SPAN", "PENALTY", "GROWTH"):
        m = re.search(rf"^{name} = ([0-9.]+)", code, re.M)
        if m:
            out[name] = float(m.group(1))
    return out


def articles_of(cluster: dict, folder: Path):
    out = []
    for k, doc in enumerate(cluster["documents"]):
        path = folder / f"{cluster['cluster_id']}-{k}.txt"
        data = doc["text"].encode("utf-8")
        path.write_bytes(data)
        try:
            out += ingest.read_file(path, data, display_path=path.name)
        except Exception:  # noqa: BLE001 - what ingest refuses, the pipeline sets aside too
            continue
    return out


class SharedReplies:
    """A generator that decodes each distinct request once (prompt, length, text to avoid and
    the copy guard's settings): greedy replies are a function of them. With a `path`, the
    replies are kept in a file (JSON lines) that a later run, of another revision in another
    worktree, reads: the same request there is not decoded again."""

    def __init__(self, generator, copyguard, path: Path | None = None) -> None:
        self.generator, self.copyguard, self.path = generator, copyguard, path
        self.replies: dict[str, str] = {}
        if path is not None and path.exists():
            for line in path.read_text().splitlines():
                item = json.loads(line)
                self.replies[item["key"]] = item["reply"]

    def generate(self, messages, max_new_tokens: int, avoid: str = "") -> str:
        guard = [getattr(self.copyguard, k) for k in ("SPAN", "PENALTY", "GROWTH")]
        request = json.dumps([messages, max_new_tokens, avoid, guard], sort_keys=True)
        key = hashlib.sha256(request.encode()).hexdigest()
        if key not in self.replies:
            self.replies[key] = self.generator.generate(messages, max_new_tokens, avoid=avoid)
            if self.path is not None:
                with self.path.open("a") as f:
                    f.write(json.dumps({"key": key, "reply": self.replies[key]}) + "\n")
        return self.replies[key]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=VALIDATION)
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--words", type=int, default=220)
    ap.add_argument("--baseline", nargs="+", default=["e528e96"], help="git revisions, or 'none'")
    ap.add_argument("--copy-span", type=int, help="copy guard span in tokens (copyguard.SPAN)")
    ap.add_argument("--copy-penalty", type=float, help="copy guard penalty (copyguard.PENALTY)")
    ap.add_argument("--copy-growth", type=float, help="copy guard growth (copyguard.GROWTH)")
    ap.add_argument("--threads", type=int, help="summarizer threads (default: config.toml's)")
    ap.add_argument(
        "--embedder",
        help="an [embedder] model for the writers to use for every story (default: as the "
        "pipeline does, config.toml's, with all-MiniLM-L6-v2 for English stories); the "
        "figures' cosines (lead, redundancy) are all-MiniLM-L6-v2's in every run",
    )
    ap.add_argument("--json", type=Path)
    ap.add_argument("--keep", type=Path)
    ap.add_argument(
        "--replies",
        type=Path,
        help="with --share-replies: keep the replies in this file, and use those it has",
    )
    ap.add_argument(
        "--share-replies",
        action="store_true",
        help="decode each prompt once for all systems (greedy decoding gives the same reply): "
        "twice as fast when the systems differ only after the model's reply; their seconds "
        "per brief are then not comparable",
    )
    args = ap.parse_args()

    from rouge_score import rouge_scorer

    from digest import copyguard, summarize

    if args.copy_span:
        copyguard.SPAN = args.copy_span
    if args.copy_penalty is not None:
        copyguard.PENALTY = args.copy_penalty
    if args.copy_growth is not None:
        copyguard.GROWTH = args.copy_growth
    guards = {"new": {k: getattr(copyguard, k) for k in ("SPAN", "PENALTY", "GROWTH")}}

    cfg = digest_config.load(ROOT / "config.toml")
    # the figures' cosines (lead, redundancy) are all-MiniLM-L6-v2's, whatever writes, so that
    # runs compare (they were MiniLM's before the default embedder changed)
    minilm = dataclasses.replace(cfg.embedder, model=ENGLISH_WRITER)
    embedder = make_embedder(minilm, cfg.paths.models)
    if args.embedder:  # this one for every story, English or not
        cfg = dataclasses.replace(
            cfg, embedder=dataclasses.replace(cfg.embedder, model=args.embedder)
        )
    # as the pipeline makes it: the story embedder, and MiniLM for English stories where
    # that is multilingual (engines.make_writer); --embedder: that embedder for every story
    writing = make_embedder(cfg.embedder, cfg.paths.models)
    english = None if args.embedder else make_writer(cfg, writing, None).english
    s = cfg.summarizer
    threads = args.threads or s.threads
    generator = make_generator(s.backend, s.model, cfg.paths.models, s.device, threads)
    if args.share_replies:
        generator = SharedReplies(generator, copyguard, args.replies)
    systems = {"new": summarize}
    for revision in args.baseline:
        if revision != "none":
            systems[revision] = baseline_module(revision)
            guards[revision] = guard_settings(revision)
    writers = {}
    for name, module in systems.items():
        # a baseline from before `english` writes every story with the story embedder
        extra = (
            {"english": english}
            if "english" in inspect.signature(module.BriefWriter).parameters
            else {}
        )
        writers[name] = module.BriefWriter(
            writing,
            generator,
            cfg.citations,
            brief_words=args.words,
            input_words=s.input_words,
            max_new_tokens=s.max_new_tokens,
            **extra,
        )
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    clusters = [json.loads(line) for line in args.data.read_text().splitlines() if line]
    clusters = clusters[args.offset : args.offset + args.limit]
    rows: dict[str, list[dict]] = {name: [] for name in systems}
    tmp = Path(tempfile.mkdtemp())
    for c_no, cluster in enumerate(clusters, 1):
        articles = articles_of(cluster, tmp)
        if not articles:
            continue
        reference = cluster["summary"].lstrip("– ").strip()
        ref_lead = split_sentences(reference)[0]
        # the systems take turns going first: llama.cpp keeps the last prompt's cache, so the
        # one that meets a prompt second reads it for free (the same brief took 22 s first and
        # 9 s second, session 14); alternating spreads that evenly over the systems
        order = list(writers.items())
        for name, writer in order if c_no % 2 else order[::-1]:
            for key, value in guards[name].items():
                setattr(copyguard, key, int(value) if key == "SPAN" else value)
            started = time.perf_counter()
            brief = writer.write(str(cluster["cluster_id"]), articles, 1, "")
            seconds = time.perf_counter() - started
            texts = [x.text for x in brief.sentences]
            m = brief_metrics(
                texts,
                [x.citations for x in brief.sentences],
                [a.text for a in summarize.order_sources(articles)],
                reference,
            )
            rouge = scorer.score(reference, " ".join(texts))
            vecs = embedder.embed(texts + [ref_lead])
            m.update(
                rouge1=100 * rouge["rouge1"].fmeasure,
                rouge2=100 * rouge["rouge2"].fmeasure,
                rougeL=100 * rouge["rougeL"].fmeasure,
                lead=float(vecs[0] @ vecs[-1]),
                redundant80=redundant_pairs(vecs[:-1], 0.8),
                redundant70=redundant_pairs(vecs[:-1], 0.7),
                seconds=seconds,
                replaced=sum(n.startswith("replaced unsupported sentence") for n in brief.notes),
                dropped=sum(n.startswith("dropped unsupported") for n in brief.notes),
                rewrote=sum(n.startswith("rewrote") for n in brief.notes),
                repeats=sum(n.startswith("dropped repeated") for n in brief.notes),
                cluster=cluster["cluster_id"],
            )
            rows[name].append(m)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                body = "\n".join(
                    f"- {x.text} {''.join(f'[{n}]' for n in x.citations)}" for x in brief.sentences
                )
                (args.keep / f"{cluster['cluster_id']}-{name}.md").write_text(
                    f"# {brief.headline}\n\n{body}\n\nReference: {reference}\n\n"
                    + "\n".join(f"note: {n}" for n in brief.notes)
                    + "\n"
                )
                (args.keep / f"{cluster['cluster_id']}-{name}.json").write_text(
                    json.dumps(dataclasses.asdict(brief), indent=1, ensure_ascii=False)
                )
        print(
            f"[{c_no}/{len(clusters)}] "
            + "  ".join(
                f"{name}: R1 {rows[name][-1]['rouge1']:.1f} novel {rows[name][-1]['novel_bigrams']:.0%} "
                f"{rows[name][-1]['seconds']:.0f}s"
                for name in systems
                if rows[name]
            ),
            flush=True,
        )
    report(rows, args)


FIGURES = [
    ("ROUGE-1", "rouge1", "{:.1f}"),
    ("ROUGE-2", "rouge2", "{:.1f}"),
    ("ROUGE-L", "rougeL", "{:.1f}"),
    ("novel bigrams", "novel_bigrams", "{:.1%}"),
    ("sentences copied verbatim", "copied", "{:.1%}"),
    ("names/numbers found in cited sources", "terms_found", "{:.1%}"),
    ("reference names/numbers covered", "coverage", "{:.1%}"),
    ("lead cosine to reference lead", "lead", "{:.3f}"),
    ("redundant pairs >= 0.8 (sum)", "redundant80", "sum"),
    ("redundant pairs >= 0.7 (sum)", "redundant70", "sum"),
    ("captions/asides/context-dependent (sum)", "unpublishable", "sum"),
    ("model sentences rewritten (sum)", "rewrote", "sum"),
    ("model sentences replaced (sum)", "replaced", "sum"),
    ("model sentences dropped (sum)", "dropped", "sum"),
    ("repeats dropped (sum)", "repeats", "sum"),
    ("words per brief", "words", "{:.0f}"),
    ("seconds per brief (median)", "seconds", "median"),
]


def report(rows: dict[str, list[dict]], args) -> None:
    names = list(rows)
    n = len(rows[names[0]])
    print(f"\n{args.data.name}: {n} clusters (offset {args.offset}) at {args.words} words")
    print(f"{'figure':42}" + "".join(f"{name:>12}" for name in names))
    summary: dict[str, dict[str, float]] = {name: {} for name in names}
    for label, key, fmt in FIGURES:
        cells = []
        for name in names:
            values = [r[key] for r in rows[name] if key in r]
            if fmt == "sum":
                v = float(sum(values))
                cells.append(f"{v:12.0f}")
            elif fmt == "median":
                v = statistics.median(values) if values else 0.0
                cells.append(f"{v:12.1f}")
            else:
                v = statistics.mean(values) if values else 0.0
                cells.append(f"{fmt.format(v):>12}")
            summary[name][key] = v
        print(f"{label:42}" + "".join(cells))
    leads = {name: sum(r["lead"] >= 0.5 for r in rows[name]) / max(1, n) for name in names}
    print(
        f"{'lead near reference lead (cos >= 0.5)':42}"
        + "".join(f"{leads[x]:12.0%}" for x in names)
    )
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
