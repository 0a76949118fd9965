"""The plan's fact weights (`plan.FACT_WEIGHTS`), learned on Multi-News train and measured on
validation, with no model call: the plan's extract (its facts' wordings, lead first, cut at the
brief's length) scored by ROUGE against the reference summary.

Each fact of each story is described by the features `plan.group_facts` computes; its target
is the share of its wording's word pairs (stemmed, as ROUGE-2 counts them) that the reference
has. A ridge regression on train gives the weights, scaled so that the scores of train facts
spread as the hand-set ones did (standard deviation 0.25, the scale the plan's redundancy
penalty of 0.5 was set on); the title's weight stays set by hand. Then the extract of
`plan.plan` is scored with the shipped weights and with the weights just fitted, on train and
on validation. (Session 15: the fitted weights plan a better extract, but the briefs written
from them were no better and copied more: docs/briefs.md.)

    .venv/bin/python benchmarks/fact_weights.py            # about 4 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from brief_quality import articles_of  # noqa: E402

from digest import config as digest_config  # noqa: E402
from digest import plan as P  # noqa: E402
from digest.embed import make_embedder  # noqa: E402
from digest.engines import make_writer  # noqa: E402
from digest.summarize import PLAN_FACTOR, order_sources  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def stories(path: Path, embedder) -> list[dict]:
    """Each cluster's sentences, vectors, titles and reference, as the writer plans them."""
    out = []
    folder = Path(tempfile.mkdtemp())
    for line in path.read_text(encoding="utf-8").splitlines():
        cluster = json.loads(line)
        articles = order_sources(articles_of(cluster, folder))
        sentences = P.story_sentences(articles)
        if not sentences:
            continue
        titles = [a.title for a in articles]
        out.append(
            dict(
                sentences=sentences,
                vectors=embedder.embed([s.text for s in sentences]),
                titles=titles,
                title_vectors=embedder.embed(titles),
                summary=cluster["summary"],
            )
        )
    return out


def examples(story: dict, tokens) -> tuple[list[tuple[float, ...]], list[float]]:
    """Features and target of each fact of a story."""
    s = story
    event = P.event_vector(s["title_vectors"], s["sentences"], s["vectors"])
    facts = P.group_facts(s["sentences"], s["vectors"], event, P.title_terms(s["titles"]))
    ref = tokens(s["summary"])
    pairs = set(zip(ref, ref[1:], strict=False))
    x, y = [], []
    for f in facts:
        t = tokens(s["sentences"][f.index].text)
        own = list(zip(t, t[1:], strict=False))
        x.append(f.features)
        y.append(sum(p in pairs for p in own) / max(1, len(own)))
    return x, y


def extract_rouge(data: list[dict], weights: dict, words: int, scorer) -> str:
    """ROUGE-1/2/L of the plan's extract under `weights`, cut at `words` words."""
    saved = dict(P.FACT_WEIGHTS)
    P.FACT_WEIGHTS.update(weights)
    try:
        scores = []
        for s in data:
            facts = P.plan(
                s["sentences"], s["vectors"], s["titles"], s["title_vectors"],
                int(words * PLAN_FACTOR),
            )  # fmt: skip
            text = " ".join(" ".join(s["sentences"][f.index].text for f in facts).split()[:words])
            scores.append(scorer.score(s["summary"], text))
    finally:
        P.FACT_WEIGHTS.update(saved)
    return " / ".join(
        f"{100 * np.mean([r[k].fmeasure for r in scores]):.1f}"
        for k in ("rouge1", "rouge2", "rougeL")
    )


def main() -> None:
    from nltk.stem import porter
    from rouge_score import rouge_scorer, tokenize
    from sklearn.linear_model import Ridge

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", type=Path, default=EVAL / "multinews_train.jsonl")
    ap.add_argument("--validation", type=Path, default=EVAL / "multinews_validation.jsonl")
    ap.add_argument("--words", type=int, default=220, help="brief length (reference length)")
    ap.add_argument(
        "--hand", nargs="*", default=["titled"], metavar="FEATURE",
        help="features whose weights stay set by hand (default: titled)",
    )  # fmt: skip
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    cfg = digest_config.load(ROOT / "config.toml")
    embedder = make_writer(cfg, make_embedder(cfg.embedder, cfg.paths.models), None).english
    stem = porter.PorterStemmer()

    def tokens(text: str) -> list[str]:
        return [stem.stem(w) for w in tokenize.tokenize(text, None)]

    train, validation = stories(args.train, embedder), stories(args.validation, embedder)
    x, y = [], []
    for s in train:
        fx, fy = examples(s, tokens)
        x += fx
        y += fy
    names = list(P.FACT_WEIGHTS)
    learned = [n for n in names if n not in args.hand]  # the others stay set by hand
    xs = np.array(x)[:, [names.index(n) for n in learned]]
    model = Ridge(alpha=1.0).fit(xs, np.array(y))
    scale = 0.25 / float(np.std(model.predict(xs)))
    fitted = {n: round(float(w) * scale, 2) for n, w in zip(learned, model.coef_, strict=True)}
    fitted.update({n: P.FACT_WEIGHTS[n] for n in args.hand})
    print(f"train: {len(train)} stories, {len(y)} facts; validation: {len(validation)} stories")
    print("fitted weights:", fitted)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    print(f"\nthe plan's extract at {args.words} words, ROUGE-1 / 2 / L")
    print("| weights | train | validation |\n|---|---|---|")
    for name, weights in (
        ("shipped (plan.FACT_WEIGHTS, set by hand)", dict(P.FACT_WEIGHTS)),
        ("fitted now", fitted),
    ):
        row = [extract_rouge(d, weights, args.words, scorer) for d in (train, validation)]
        print(f"| {name} | {row[0]} | {row[1]} |")


if __name__ == "__main__":
    main()
