"""The plan's lead against the reference's first sentence, with no model call: how near the
lead that `plan.plan` picks is to the first sentence of the human summary (MiniLM cosine),
beside the best lead its candidates allow, and beside other ways to pick it, each chosen on
Multi-News train and reported on validation.

The plan picks the lead among the facts that open a report (their first two candidate
sentences) by its nearness to the event plus shares of the reports that open with it and
state it (`plan.plan`). Each extra signal below is added to that score with a weight chosen on
train (a grid), to see whether a lead that states the event (a time word, a past-tense
deed, a figure) is found better than by nearness alone (session 19: none was; docs/briefs.md).

    .venv/bin/python benchmarks/lead_choice.py          # about 4 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import itertools
import logging
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fact_weights import EVAL, stories  # noqa: E402

from digest import config as digest_config  # noqa: E402
from digest import grammar  # noqa: E402
from digest import plan as P  # noqa: E402
from digest.embed import make_embedder  # noqa: E402
from digest.engines import make_writer  # noqa: E402
from digest.sentences import split_sentences  # noqa: E402

_TIME = re.compile(
    r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|\b(?:yesterday|today|tonight|overnight"
    r"|this (?:week|morning|afternoon|evening|weekend)|last (?:night|week))\b",
    re.IGNORECASE,
)
SHIPPED = {"event": 1.0, "opens": 0.3, "sources": 0.1}  # plan.plan's lead score
GRID = {
    "time": [0, 0.05, 0.1, 0.2],  # a time word: "on Monday", "yesterday"
    "past": [0, 0.05, 0.1],  # its main verb in the past: a deed, not a state or a view
    "title": [0, 0.3, 0.6],  # cosine to the nearest report title
    "figure": [0, 0.05, 0.1],
    "first": [0, 0.05, 0.1, 0.2],  # a report's very first sentence
    "quoted": [0, -0.1, -0.2],
}


def past(text: str) -> float:
    """Whether the sentence's main verb is in the past ("was found", "has died", "fell")."""
    doc = grammar._tagger()(text)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return 0.0
    tags = {root.tag_} | {c.tag_ for c in root.children if c.dep_ in ("aux", "auxpass")}
    return float("VBD" in tags or root.tag_ == "VBN")


def leads(story: dict, reference: np.ndarray) -> list[tuple[dict, float]]:
    """Each fact `plan.plan` may take as the lead: its signals, and its cosine to the
    reference's first sentence."""
    s, sents, vecs = story, story["sentences"], story["vectors"]
    event = P.event_vector(s["title_vectors"], sents, vecs)
    facts = P.group_facts(sents, vecs, event, P.title_terms(s["titles"]))
    opening: dict[int, set[int]] = {}
    for i in P.candidates(sents):
        if len(opening.setdefault(sents[i].source, set())) < 2:
            opening[sents[i].source].add(i)
    firsts = set().union(*opening.values()) if opening else set()
    n = len({x.source for x in sents})
    verbless = grammar.fragments((sents[f.index].text for f in facts), written=True)
    said = [f for f in facts if sents[f.index].text not in verbless] or facts
    opens = {id(f): len({sents[m].source for m in f.members if m in firsts}) for f in said}
    out = []
    for f in [f for f in said if opens[id(f)]] or said:
        text = sents[f.index].text
        signals = {
            "event": f.event,
            "opens": opens[id(f)] / n,
            "sources": len(f.sources) / n,
            "time": float(bool(_TIME.search(text))),
            "past": past(text),
            "title": float(np.max(vecs[list(f.members)] @ s["title_vectors"].T)),
            "figure": float(bool(re.search(r"\d", text))),
            "first": float(min(sents[m].position for m in f.members) == 0),
            "quoted": f.features[5],
        }
        out.append((signals, float(vecs[f.index] @ reference)))
    return out


def nearness(data: list, weights: dict) -> tuple[float, float]:
    """Mean cosine of the picked lead to the reference's, and the share at 0.5 or more."""
    picked = [
        max(c, key=lambda x: sum(weights.get(k, 0) * v for k, v in x[0].items()))[1] for c in data
    ]
    return float(np.mean(picked)), float(np.mean([p >= 0.5 for p in picked]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", type=Path, default=EVAL / "multinews_train.jsonl")
    ap.add_argument("--validation", type=Path, default=EVAL / "multinews_validation.jsonl")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    cfg = digest_config.load(ROOT / "config.toml")
    embedder = make_writer(cfg, make_embedder(cfg.embedder, cfg.paths.models), None).english
    data = {}
    for name, path in (("train", args.train), ("validation", args.validation)):
        rows = []
        for s in stories(path, embedder):
            first = split_sentences(s["summary"].lstrip("–- "))[0]
            if c := leads(s, embedder.embed([first])[0]):
                rows.append(c)
        data[name] = rows
    print(f"stories: train {len(data['train'])}, validation {len(data['validation'])}")
    print(f"{'lead picked by':44}{'train':>16}{'validation':>16}")

    def row(label: str, weights: dict) -> None:
        cells = "".join(f"{m:9.3f} {s:5.0%}" for m, s in (nearness(data[k], weights) for k in data))
        print(f"{label:44}{cells}")

    row("the plan (shipped)", SHIPPED)
    for name in data:
        best = np.mean([max(v for _, v in c) for c in data[name]])
        print(f"best of the candidates, {name}: {best:.3f}")
    for key, values in GRID.items():
        for v in values[1:]:
            row(f"  + {key} {v:+}", {**SHIPPED, key: v})
    fits = []
    for values in itertools.product(*GRID.values()):
        weights = {**SHIPPED, **dict(zip(GRID, values, strict=True))}
        fits.append((nearness(data["train"], weights)[0], weights))
    best_weights = max(fits, key=lambda x: x[0])[1]
    row("all, grid chosen on train", best_weights)
    print("chosen:", {k: v for k, v in best_weights.items() if v})


if __name__ == "__main__":
    main()
