"""Scoring: BCubed for story clustering, and `evaluate`, the whole pipeline on Multi-News-format
data (`digest eval`). Heavy imports only inside `evaluate`."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Config


def bcubed(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of a clustering, averaged over items.

    For an item, precision is the share of its predicted cluster that shares its gold cluster,
    and recall the share of its gold cluster that shares its predicted cluster (Bagga and
    Baldwin 1998; Amigo et al. 2009). Labels are compared only for equality, within each list.
    F1 is the harmonic mean of the two averages.
    """
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predicted labels but {len(gold)} gold labels")
    n = len(gold)
    if n == 0:
        raise ValueError("cannot score an empty clustering")
    pred_size = Counter(predicted)
    gold_size = Counter(gold)
    # the c items in both predicted cluster p and gold cluster g each score c/|p| and c/|g|
    both = Counter(zip(predicted, gold, strict=True))
    precision = sum(c * c / pred_size[p] for (p, _), c in both.items()) / n
    recall = sum(c * c / gold_size[g] for (_, g), c in both.items()) / n
    f1 = 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def redundant_pairs(vectors, threshold: float) -> int:
    """Pairs of sentences of one brief at least `threshold` similar: facts stated twice."""
    n = len(vectors)
    return sum(
        1 for i in range(n) for j in range(i + 1, n) if float(vectors[i] @ vectors[j]) >= threshold
    )


_WORDS = re.compile(r"\d[\d,]*(?:\.\d+)?|[a-z0-9]+(?:'[a-z]+)?")  # "1,250" is one word
# What a brief must never publish (plan.rejection's reasons): captions, bylines, questions,
# asides and sentences that lean on context they lack.
NOT_PUBLISHABLE = {
    "caption",
    "byline",
    "question",
    "aside",
    "needs context",
    "shouting",
    "page text",
}


def _words(text: str) -> list[str]:
    return [w.replace(",", "") for w in _WORDS.findall(text.lower().replace("’", "'"))]


def brief_metrics(
    sentences: Sequence[str],
    citations: Sequence[Sequence[int]],
    sources: Sequence[str],
    reference: str | None = None,
) -> dict[str, float]:
    """What a reader would count in one brief against its source articles (and a reference).

    - novel_bigrams: share of the brief's word bigrams found in no source (abstraction);
    - copied: share of its sentences found word for word in a source;
    - terms_found: share of its names and numbers (claims.key_terms) found in the sources it
      cites for them (faithfulness), with terms, the count;
    - unpublishable: sentences that plan.rejection refuses (captions, asides, ...);
    - with a reference: coverage, the share of the reference's names and numbers in the brief.
    """
    from . import claims, plan

    low = claims.lowercase_words([*sources, reference or ""])
    source_words = [" " + " ".join(_words(t)) + " " for t in sources]
    bigrams = {b for t in sources for b in zip(_words(t), _words(t)[1:], strict=False)}
    brief_bigrams = [b for t in sentences for b in zip(_words(t), _words(t)[1:], strict=False)]
    copied = sum(
        1 for t in sentences if any(" " + " ".join(_words(t)) + " " in w for w in source_words)
    )
    terms = found = 0
    for text, cited in zip(sentences, citations, strict=True):
        text = re.sub(r"\(sources? [\d, ]+\)", "", text)  # a disagreement's side labels
        evidence = [sources[n - 1] for n in cited if 0 < n <= len(sources)]
        mine = [t for t in claims.key_terms(text, low) if not t.startswith('"')]
        terms += len(mine)
        found += len(mine) - len(claims.absent(mine, evidence))
    out = {
        "sentences": float(len(sentences)),
        "words": float(sum(len(t.split()) for t in sentences)),
        "novel_bigrams": sum(b not in bigrams for b in brief_bigrams) / max(1, len(brief_bigrams)),
        "copied": copied / max(1, len(sentences)),
        "terms": float(terms),
        "terms_found": found / terms if terms else 1.0,
        "unpublishable": float(sum(plan.rejection(t) in NOT_PUBLISHABLE for t in sentences)),
    }
    if reference is not None:
        wanted = [t for t in claims.key_terms(reference, low) if not t.startswith('"')]
        missing = claims.absent(wanted, [" ".join(sentences)])
        out["coverage"] = (len(wanted) - len(missing)) / len(wanted) if wanted else 1.0
    return out


def evaluate(
    data: Path,
    *,
    config: Config,
    limit: int | None = None,
    words: int | None = None,
    workdir: Path,
) -> dict:
    """Run the real pipeline on the Multi-News-format clusters of `data`, all articles mixed.

    Returns clustering BCubed P/R/F1, ROUGE-1/2/L F1 of each story's brief against the
    reference of the cluster it matches, and faithfulness figures (citations, what the checks
    replaced or dropped, redundant sentence pairs). `workdir` receives inbox/, outbox/, state/.
    """
    import dataclasses
    import json
    import time

    from rouge_score import rouge_scorer

    from .pipeline import Pipeline
    from .store import Store

    clusters = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    clusters = clusters[:limit] if limit else clusters
    inbox = workdir / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    gold_of: dict[str, str] = {}
    for c in clusters:
        for k, doc in enumerate(c["documents"]):
            name = f"{c['cluster_id']}-{k}.txt"
            (inbox / name).write_text(doc["text"], encoding="utf-8")
            gold_of[name] = str(c["cluster_id"])
    summarizer = config.summarizer
    if words:
        summarizer = dataclasses.replace(summarizer, brief_words=words)
    cfg = dataclasses.replace(config, summarizer=summarizer).with_paths(
        inbox=inbox, outbox=workdir / "outbox", state=workdir / "state"
    )
    started = time.perf_counter()
    report = Pipeline(cfg).run()
    seconds = time.perf_counter() - started

    store = Store(cfg.paths.state)
    try:
        story_of = {
            r["path"]: r["story_id"]
            for r in store.db.execute("SELECT path, story_id FROM articles").fetchall()
        }
        briefs = {s.story_id: store.brief(s.story_id) for s in store.stories()}
        from .summarize import order_sources

        texts_of = {
            sid: [a.text for a in order_sources(store.story_articles(sid))] for sid in briefs
        }
    finally:
        store.close()
    read = [p for p in gold_of if p in story_of]
    precision, recall, f1 = bcubed([story_of[p] for p in read], [gold_of[p] for p in read])

    # Each reference cluster is scored against the brief of the story holding most of its docs.
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    rouge: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeL": []}
    metrics: list[dict[str, float]] = []
    for c in clusters:
        cid = str(c["cluster_id"])
        stories = Counter(story_of[p] for p in read if gold_of[p] == cid)
        brief = briefs.get(stories.most_common(1)[0][0]) if stories else None
        text = " ".join(s["text"] for s in brief["sentences"]) if brief else ""
        reference = c["summary"].lstrip("– ").strip()
        scores = scorer.score(reference, text)
        for key in rouge:
            rouge[key].append(scores[key].fmeasure if text else 0.0)
        if brief:
            sid = stories.most_common(1)[0][0]
            metrics.append(
                brief_metrics(
                    [s["text"] for s in brief["sentences"]],
                    [s["citations"] for s in brief["sentences"]],
                    texts_of[sid],
                    reference,
                )
            )

    sentences = [s for b in briefs.values() if b for s in b["sentences"]]
    notes = [n for b in briefs.values() if b for n in b.get("notes", [])]
    from .embed import make_embedder

    embedder = make_embedder(cfg.embedder, cfg.paths.models)
    redundant = [
        redundant_pairs(embedder.embed([s["text"] for s in b["sentences"]]), 0.8)
        for b in briefs.values()
        if b and b["sentences"]
    ]
    brief_words = [
        sum(len(s["text"].split()) for s in b["sentences"]) for b in briefs.values() if b
    ]
    return {
        "data": str(data),
        "clusters": len(clusters),
        "articles": len(gold_of),
        "articles_read": len(read),
        "set_aside": len(report.failures),
        "stories": len(briefs),
        "seconds": round(seconds, 1),
        "bcubed": {"precision": precision, "recall": recall, "f1": f1},
        "rouge": {k: 100 * sum(v) / len(v) for k, v in rouge.items()},
        # per brief, averaged: abstraction, faithfulness, coverage (see brief_metrics)
        **{
            key: sum(m[key] for m in metrics) / max(1, len(metrics))
            for key in ("novel_bigrams", "copied", "terms_found", "coverage")
        },
        "unpublishable": int(sum(m["unpublishable"] for m in metrics)),
        "rewrote_unsupported": sum(1 for n in notes if n.startswith("rewrote unsupported")),
        "brief_words_mean": sum(brief_words) / max(1, len(brief_words)),
        "sentences": len(sentences),
        "sentences_cited": sum(1 for s in sentences if s["citations"]),
        "replaced_unsupported": sum(
            1 for n in notes if n.startswith("replaced unsupported sentence")
        ),
        "dropped_unsupported": sum(1 for n in notes if n.startswith("dropped unsupported")),
        "dropped_repeats": sum(1 for n in notes if n.startswith("dropped repeated")),
        "redundant_pairs": sum(redundant),
        "model": cfg.summarizer.model,
        "brief_words": cfg.summarizer.brief_words,
    }


def format_report(r: dict) -> str:
    b, g = r["bcubed"], r["rouge"]
    cited = r["sentences_cited"] / max(1, r["sentences"])
    return "\n".join(
        [
            f"data: {r['data']}: {r['clusters']} clusters, {r['articles']} articles "
            f"({r['articles_read']} read, {r['set_aside']} set aside); {r['stories']} stories "
            f"in {r['seconds']:.0f} s with {r['model']} at {r['brief_words']} words",
            f"clustering  BCubed P {b['precision']:.3f}  R {b['recall']:.3f}  F1 {b['f1']:.3f}",
            f"briefs      ROUGE-1 {g['rouge1']:.1f}  ROUGE-2 {g['rouge2']:.1f}  "
            f"ROUGE-L {g['rougeL']:.1f}  (mean {r['brief_words_mean']:.0f} words)",
            f"checks      {r['sentences']} sentences, {cited:.0%} cited; model sentences "
            f"replaced {r['replaced_unsupported']}, dropped {r['dropped_unsupported']}, "
            f"repeats dropped {r['dropped_repeats']}; redundant pairs published "
            f"{r['redundant_pairs']}; rewritten on request {r['rewrote_unsupported']}",
            f"abstraction {r['novel_bigrams']:.1%} of bigrams in no source, "
            f"{r['copied']:.1%} of sentences copied verbatim",
            f"faithful    {r['terms_found']:.1%} of names and numbers found in the cited sources;"
            f" {r['unpublishable']} captions/asides/context-dependent sentences published",
            f"coverage    {r['coverage']:.1%} of the reference's names and numbers in the brief",
        ]
    )
