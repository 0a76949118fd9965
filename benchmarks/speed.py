"""The speed suite: every stage's throughput on this machine, each beside a reference measured
in the same run.

Run: make bench   (or .venv/bin/python benchmarks/speed.py [--quick] [--json FILE])

Parts, each in a fresh child process so that its peak memory (RSS) is its own:
  ingest   Reuters-21578 articles as .txt and as .html files through the real ingest stage
           (read, decode, extract, clean, SQLite): articles/s
  embed    600 Reuters leads through each embedder backend: articles/s, and their ratio
  cluster  synthetic stories at 1k/10k/100k articles through `assign` (benchmarks/cluster_scale.py)
  briefs   Multi-News validation stories through the real brief writer, per generator backend
           (transformers, llama.cpp): model load (cold, then warm), latency median/p90, decode
           tokens/s, peak RSS; ratios between the backends
  naive    the plain transformers text-generation pipeline on the concatenated articles (the
           baseline a first attempt would use): latency, beside the default backend's
  e2e      `digest run` on the first N Multi-News validation clusters, all articles mixed
           (`--e2e-clusters 260` for the whole set; `digest eval` gives the same run with scores)

Reads ../shared/eval (never copied into the project). Figures depend on what else the machine
is doing: run it on a quiet machine. docs/benchmarks.md holds the results and the machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
REUTERS = EVAL / "reuters21578.jsonl"
MULTINEWS = EVAL / "multinews_validation.jsonl"
MODEL = "qwen2.5-coder-1.5b-instruct"
MINILM = "all-MiniLM-L6-v2"

# The aims (#7), printed beside the figures.
AIMS = {
    "embed_articles_per_s": 150,
    "brief_median_s": 4.0,
    "cluster_100k_s": 60.0,
    "peak_rss_mb": 3 * 1024,
    "warm_load_s": 3.0,
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def reuters(n: int) -> list[dict]:
    out = []
    with REUTERS.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("body") and len(d["body"].split()) >= 40:
                out.append(d)
                if len(out) >= n:
                    break
    return out


def multinews(n: int) -> list[dict]:
    with MULTINEWS.open(encoding="utf-8") as f:
        return [json.loads(line) for _, line in zip(range(n), f, strict=False)]


def config(tmp: Path, **sections):
    from digest import config as cfgmod

    data = {"paths": {"models": str(ROOT / "models")}, **sections}
    return cfgmod.from_dict(data, base=tmp)


# --- parts, each run in a child process ---------------------------------------------------


def part_ingest(args) -> dict:
    from html import escape

    from digest.pipeline import Pipeline, RunReport
    from digest.store import Store

    docs = reuters(args.ingest_articles)
    out: dict = {"articles": len(docs)}
    for fmt in ("txt", "html"):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            inbox = tmp / "inbox"
            inbox.mkdir()
            for i, d in enumerate(docs):
                title, body = d.get("title") or "", d["body"]
                if fmt == "txt":
                    text = f"{title}\n\n{body}"
                else:  # a page as sites serve it: navigation, share lines, footer around it
                    paras = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n") if p.strip())
                    text = (
                        f"<html><head><title>{escape(title)} | Reuters</title></head><body>"
                        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
                        f"<article><h1>{escape(title)}</h1>{paras}</article>"
                        "<div class='share'>Share this article: Facebook Twitter Email</div>"
                        "<footer>© 1987 Reuters. All rights reserved.</footer></body></html>"
                    )
                (inbox / f"r{i:05d}.{fmt}").write_text(text, encoding="utf-8")
            cfg = config(tmp)
            pipeline = Pipeline(cfg)
            store = Store(cfg.paths.state)
            report = RunReport(inbox=inbox, outbox=cfg.paths.outbox)
            files = sorted(inbox.iterdir())
            t = time.perf_counter()
            pipeline._ingest(store, files, report, False, lambda: False)
            seconds = time.perf_counter() - t
            store.close()
            out[fmt] = {
                "seconds": seconds,
                "articles_per_s": report.articles_new / seconds,
                "read": report.articles_new,
                "set_aside": len(report.failures),
            }
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def embedders():
    """(name, model, embedder) for each embedding backend installed here, the default first."""
    from digest import embed
    from digest.config import Embedder

    found = []
    if embed.read_marker(ROOT / "models" / embed.E5_ONNX) is not None:
        e5 = embed.make_embedder(Embedder(model=embed.E5), ROOT / "models")
        found.append(("multilingual-e5-small, onnx int8 (the default)", embed.E5, e5))
    else:
        logging.warning("the default embedder not measured: run `make setup`")
    folder = ROOT / "models" / embed.ONNX_MINILM
    try:
        embed.check_onnx(embed.PACKAGED_MINILM, folder)
        found.append(("all-MiniLM-L6-v2, onnx int8", MINILM, embed.OnnxEmbedder(folder)))
    except Exception as exc:  # not prepared or not installed: say so, measure the rest
        logging.warning("onnx embedder not measured: %s", exc)
    found.append(
        ("all-MiniLM-L6-v2, sentence-transformers (torch)", MINILM, embed.SentenceTransformerEmbedder())
    )
    return found


def part_embed(args) -> dict:
    from digest.cluster import embedding_text, lead_words

    docs = reuters(args.embed_articles)
    found = embedders()
    texts = {  # each model's lead, as the pipeline embeds it (cluster.lead_words)
        name: [embedding_text(d.get("title") or "", d["body"], lead_words(model)) for d in docs]
        for name, model, _ in found
    }
    for name, _, e in found:
        e.embed(texts[name][:32])  # load and warm up
    best: dict[str, float] = {}
    for _ in range(args.rounds):  # interleaved rounds, best of each: fair under noise
        for name, _, e in found:
            t = time.perf_counter()
            e.embed(texts[name])
            best[name] = max(best.get(name, 0.0), len(docs) / (time.perf_counter() - t))
    return {"articles": len(docs), "articles_per_s": best, "peak_rss_mb": peak_rss_mb()}


def part_cluster(args) -> dict:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import cluster_scale

    rows = cluster_scale.run(sizes=tuple(args.cluster_sizes), incremental_runs=True)
    return {"rows": rows, "peak_rss_mb": peak_rss_mb()}


def story_articles(clusters: list[dict]):
    """Each Multi-News cluster's documents as ingested articles (read as .txt files are)."""
    from digest import ingest
    from digest.errors import InputError

    stories = []
    for c in clusters:
        articles = []
        for k, doc in enumerate(c["documents"]):
            name = f"{c['cluster_id']}-{k}.txt"
            try:
                articles += ingest.read_file(
                    Path(name), doc["text"].encode("utf-8"), display_path=name
                )
            except InputError:
                pass  # a page of noise only: set aside, as the pipeline would
        if articles:
            stories.append((str(c["cluster_id"]), articles))
    return stories


def part_briefs(args) -> dict:
    from digest.engines import make_writer
    from digest.generate import make_generator
    from digest.pipeline import Pipeline

    with tempfile.TemporaryDirectory() as tmp:
        cfg = config(Path(tmp), summarizer={"backend": args.backend, "model": args.model})
    s = cfg.summarizer
    stories = story_articles(multinews(args.stories))

    def load():
        g = make_generator(s.backend, s.model, cfg.paths.models, s.device, s.threads)
        t = time.perf_counter()
        g._load()
        return g, time.perf_counter() - t

    generator, cold = load()
    del generator
    generator, warm = load()
    embedder = Pipeline(cfg).embedder
    embedder.embed(["warm up"])
    writer = make_writer(cfg, embedder, generator)  # as the pipeline makes it
    latencies, new_tokens, decode_seconds, prompt_tokens, words = [], 0, 0.0, [], []
    for story_id, articles in stories:
        t = time.perf_counter()
        brief = writer.write(story_id, articles, 1, "now")
        latencies.append(time.perf_counter() - t)
        st = generator.last_stats
        new_tokens += st["new_tokens"]
        # llama.cpp reports the whole call; transformers the decode after the first token
        decode_seconds += st["seconds"] - st.get("first_token_seconds", 0.0)
        prompt_tokens.append(st["prompt_tokens"])
        words.append(sum(len(x.text.split()) for x in brief.sentences))
    return {
        "backend": type(generator).__name__,
        "stories": len(latencies),
        "cold_load_s": cold,
        "warm_load_s": warm,
        "latency_s": latencies,
        "median_s": statistics.median(latencies),
        "p90_s": quantile(latencies, 0.9),
        "tokens_per_s": new_tokens / decode_seconds if decode_seconds else 0.0,
        "prompt_tokens_mean": statistics.mean(prompt_tokens),
        "new_tokens": new_tokens,
        "brief_words_mean": statistics.mean(words),
        "peak_rss_mb": peak_rss_mb(),
    }


def part_naive(args) -> dict:
    """The baseline: transformers' text-generation pipeline on the concatenated articles."""
    import torch
    from transformers import pipeline

    from digest.prepare import model_folder

    folder = model_folder(args.model, ROOT / "models")
    t = time.perf_counter()
    generate = pipeline("text-generation", model=str(folder), dtype=torch.bfloat16, device="cpu")
    load = time.perf_counter() - t
    latencies, prompt_tokens, words = [], [], []
    for _, articles in story_articles(multinews(args.naive_stories)):
        # the articles as they are, cut to fit the model's context comfortably
        joined = "\n\n".join(f"{a.title}\n{a.text}" for a in articles)
        joined = generate.tokenizer.decode(
            generate.tokenizer(joined)["input_ids"][: args.naive_context]
        )
        messages = [
            {
                "role": "user",
                "content": f"Summarize these news articles in about 120 words.\n\n{joined}",
            }
        ]
        prompt = generate.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        prompt_tokens.append(len(generate.tokenizer(prompt)["input_ids"]))
        t = time.perf_counter()
        out = generate(messages, max_new_tokens=320, do_sample=False)
        latencies.append(time.perf_counter() - t)
        reply = out[0]["generated_text"][-1]["content"]  # the conversation, the reply last
        words.append(len(reply.split()))
    return {
        "stories": len(latencies),
        "load_s": load,
        "latency_s": latencies,
        "median_s": statistics.median(latencies),
        "prompt_tokens_mean": statistics.mean(prompt_tokens),
        "reply_words_mean": statistics.mean(words),
        "peak_rss_mb": peak_rss_mb(),
    }


def part_e2e(args) -> dict:
    from digest.pipeline import Pipeline

    clusters = multinews(args.e2e_clusters)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "inbox").mkdir()
        n = 0
        for c in clusters:
            for k, doc in enumerate(c["documents"]):
                (tmp / "inbox" / f"{c['cluster_id']}-{k}.txt").write_text(doc["text"], "utf-8")
                n += 1
        cfg = config(tmp, summarizer={"model": args.model})
        t = time.perf_counter()
        report = Pipeline(cfg).run()
        seconds = time.perf_counter() - t
    return {
        "clusters": len(clusters),
        "files": n,
        "articles": report.articles_new,
        "briefs": len(report.briefs_written),
        "seconds": seconds,
        "seconds_per_brief": seconds / max(1, len(report.briefs_written)),
        "backend": cfg.summarizer.backend,
        "peak_rss_mb": peak_rss_mb(),
    }


def part_gpu(args) -> dict:
    import torch

    if not torch.cuda.is_available():
        return {"available": False}
    return {"available": True, "name": torch.cuda.get_device_name(0)}


PARTS = {
    "ingest": part_ingest,
    "embed": part_embed,
    "cluster": part_cluster,
    "briefs": part_briefs,
    "naive": part_naive,
    "e2e": part_e2e,
    "gpu": part_gpu,
}


def quantile(values: list[float], q: float) -> float:
    """The q-quantile by linear interpolation between the sorted values."""
    v = sorted(values)
    if not v:
        return float("nan")
    pos = q * (len(v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


# --- the orchestrator ---------------------------------------------------------------------


def child(part: str, args, **extra) -> dict | None:
    """Run one part in a fresh Python process; its JSON result, or None if it failed."""
    cmd = [sys.executable, __file__, "--part", part, *args.passthrough]
    for key, value in extra.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    print(
        f"... {part} {' '.join(f'{k}={v}' for k, v in extra.items())}", file=sys.stderr, flush=True
    )
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        print(f"    {part} failed:\n{tail}", file=sys.stderr)
        return None
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - t
    return result


def llama_cpp_installed() -> bool:
    from digest.generate import llama_cpp_available

    return llama_cpp_available()


def report(r: dict, args) -> str:
    lines = [f"digest speed suite - {r['machine']}", ""]

    def row(label: str, value: str, note: str = "") -> None:
        lines.append(f"{label:44s} {value:>14s}  {note}")

    if ing := r.get("ingest"):
        lines.append(f"ingest + clean ({ing['articles']} Reuters articles, real store)")
        for fmt in ("txt", "html"):
            row(f"  .{fmt} files", f"{ing[fmt]['articles_per_s']:.0f} art/s")
    if emb := r.get("embed"):
        lines.append(f"embedding ({emb['articles']} Reuters leads, title + each model's lead: e5 100 words, MiniLM 200)")
        speeds = emb["articles_per_s"]
        base = speeds.get("all-MiniLM-L6-v2, sentence-transformers (torch)")
        for name, v in speeds.items():
            ratio = f"{v / base:.2f}x MiniLM torch" if base else ""
            row(f"  {name}", f"{v:.0f} art/s", f"{ratio}  (aim >= {AIMS['embed_articles_per_s']})")
    if cl := r.get("cluster"):
        lines.append(
            "clustering (synthetic planted stories over 30 days; benchmarks/cluster_scale.py)"
        )
        for c in cl["rows"]:
            growth = f"growth n^{c['growth']:.2f}" if c.get("growth") else ""
            note = f"BCubed F1 {c['f1']:.3f}  {growth}"
            if c["articles"] == 100_000 and c["scenario"] == "one call":
                note += f"  (aim <= {AIMS['cluster_100k_s']:.0f} s)"
            row(f"  {c['scenario']}: {c['articles']:,} articles", f"{c['seconds']:.2f} s", note)
    briefs = r.get("briefs", {})
    if briefs:
        lines.append(f"briefs ({args.stories} Multi-News validation stories, default length)")
        for name, b in briefs.items():
            lines.append(f"  {name} ({b['backend']})")
            row(
                "    model load cold / warm",
                f"{b['cold_load_s']:.1f} / {b['warm_load_s']:.1f} s",
                f"(aim warm <= {AIMS['warm_load_s']:.0f} s)",
            )
            row(
                "    brief latency median / p90",
                f"{b['median_s']:.1f} / {b['p90_s']:.1f} s",
                f"(aim median <= {AIMS['brief_median_s']:.0f} s)",
            )
            row(
                "    decode",
                f"{b['tokens_per_s']:.1f} tok/s",
                f"prompt {b['prompt_tokens_mean']:.0f} tokens, brief {b['brief_words_mean']:.0f} words",
            )
            row("    peak RSS", f"{b['peak_rss_mb']:.0f} MB", f"(aim <= {AIMS['peak_rss_mb']} MB)")
        t, ll = briefs.get("transformers"), briefs.get("llama-cpp")
        if t and ll:
            row(
                "  transformers / llama.cpp decode tok/s",
                f"{t['tokens_per_s'] / ll['tokens_per_s']:.2f}x",
            )
            row("  llama.cpp speed-up in brief latency", f"{t['median_s'] / ll['median_s']:.2f}x")
        lines.append(f"  default backend here: {r.get('default_backend')}")
    if nv := r.get("naive"):
        default = briefs.get(r.get("default_backend") or "", {})
        lines.append(
            f"naive baseline: transformers text-generation pipeline on the concatenated articles "
            f"({nv['stories']} stories, prompt {nv['prompt_tokens_mean']:.0f} tokens, "
            f"reply {nv.get('reply_words_mean', 0):.0f} words)"
        )
        note = ""
        if default:
            same = statistics.median(default["latency_s"][: nv["stories"]])
            note = f"digest ({r['default_backend']}) on the same stories: {same:.1f} s, {nv['median_s'] / same:.1f}x faster"
        row("  latency median", f"{nv['median_s']:.1f} s", note)
        row("  peak RSS", f"{nv['peak_rss_mb']:.0f} MB")
    if e2e := r.get("e2e"):
        lines.append(
            f"end to end: `digest run` on {e2e['clusters']} Multi-News validation clusters "
            f"({e2e['files']} files, {e2e['backend']} backend)"
        )
        row(
            "  total (model loads included)",
            f"{e2e['seconds']:.0f} s",
            f"{e2e['briefs']} briefs, {e2e['seconds_per_brief']:.1f} s per brief",
        )
        row("  peak RSS", f"{e2e['peak_rss_mb']:.0f} MB", f"(aim <= {AIMS['peak_rss_mb']} MB)")
    gpu = r.get("gpu") or {}
    lines.append(
        f"GPU: {gpu['name']}"
        if gpu.get("available")
        else "GPU: none visible to torch here; GPU figures not measured"
    )
    return "\n".join(lines)


def machine() -> str:
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    ap.add_argument("--backend", default="auto", help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="small sizes: a check that it all runs")
    ap.add_argument("--only", nargs="+", choices=PARTS, help="run only these parts")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write all figures as JSON")
    ap.add_argument("--model", default=MODEL, help=f"summarizer model (default {MODEL})")
    ap.add_argument("--stories", type=int, default=8, help="stories per generator backend")
    ap.add_argument("--naive-stories", type=int, default=3)
    ap.add_argument("--naive-context", type=int, default=3000, help="tokens of articles (naive)")
    ap.add_argument("--e2e-clusters", type=int, default=20)
    ap.add_argument("--ingest-articles", type=int, default=2000)
    ap.add_argument("--embed-articles", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cluster-sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    if args.part:  # a child: one part, its figures as one JSON line
        print(json.dumps(PARTS[args.part](args)))
        return

    if args.quick:
        args.stories, args.naive_stories, args.e2e_clusters = 2, 1, 3
        args.ingest_articles, args.embed_articles, args.rounds = 200, 100, 1
        args.cluster_sizes = [1000, 10_000]
    args.passthrough = [
        f"--model={args.model}",
        f"--stories={args.stories}",
        f"--naive-stories={args.naive_stories}",
        f"--naive-context={args.naive_context}",
        f"--e2e-clusters={args.e2e_clusters}",
        f"--ingest-articles={args.ingest_articles}",
        f"--embed-articles={args.embed_articles}",
        f"--rounds={args.rounds}",
        "--cluster-sizes",
        *map(str, args.cluster_sizes),
    ]
    wanted = args.only or list(PARTS)
    r: dict = {"machine": machine()}
    for part in ("gpu", "ingest", "embed", "cluster"):
        if part in wanted:
            r[part] = child(part, args)
    backends = ["transformers"] + (["llama-cpp"] if llama_cpp_installed() else [])
    from digest.generate import llama_cpp_available

    r["default_backend"] = "llama-cpp" if llama_cpp_available() else "transformers"
    if "briefs" in wanted:
        r["briefs"] = {b: res for b in backends if (res := child("briefs", args, backend=b))}
    for part in ("naive", "e2e"):
        if part in wanted:
            r[part] = child(part, args)
    r = {k: v for k, v in r.items() if v is not None}
    text = report(r, args)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(r, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
