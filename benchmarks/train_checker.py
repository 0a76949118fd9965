"""Train the meaning checker (digest/meaning.py) on Multi-News TRAIN; report on VALIDATION.

Run: PYTHONPATH=. .venv/bin/python benchmarks/train_checker.py [--write] [--json PATH]

Both splits get the labelled set of benchmarks/checker_eval.py with the meaning changes
(--meaning: role, splice, substitution, tense) beside the rules' kinds. On train: the features
of every claim against its evidence, a logistic regression (supported = 0, any perturbation =
1), and the threshold: the lowest at which the learned check, added to the rules (flag = rules
OR learned), flags at most --budget more of train's supported claims than the rules alone.
On validation (never seen in training): per kind, the share flagged by the rules, by the
learned check alone and by both together, and the false alarms on supported claims.
--write saves the coefficients to digest/data/meaning_checker.json (the file digest loads).
Reads ../shared/eval/ (never copied into the project); embeddings cached as checker_eval's.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.checker_eval import (  # noqa: E402
    EVAL,
    KINDS,
    MEANING_KINDS,
    SUPPORTED,
    TRAIN,
    CachedEmbedder,
    build,
    cache_for,
    load_stories,
    run_checker,
)
from digest import meaning  # noqa: E402

TRAIN_PER_CLUSTER = 10  # train has 81 clusters: more claims per story than validation's 4


def featurise(examples, embedder) -> np.ndarray:
    claims = embedder.embed([e.claim for e in examples])
    cache: dict[int, tuple[list[str], np.ndarray]] = {}
    rows = []
    for e, vec in zip(examples, claims, strict=True):
        key = id(e.evidence)
        if key not in cache:
            texts = [s.text for s in e.evidence]
            cache[key] = (texts, embedder.embed(texts))
        texts, vecs = cache[key]
        f = meaning.features(e.claim, meaning.evidence_for(vec, texts, vecs))
        rows.append([f[n] for n in meaning.FEATURES])
    return np.array(rows, dtype=float)


def labelled(path: Path, embedder, per_cluster: int):
    """The labelled set with the rules' verdicts, kept under /tmp (pickled: a cache of this
    machine's own run, not a model) so that trying features takes seconds, not a rebuild."""
    cache = Path(f"/tmp/digest-meaning-set-{path.stem}-{per_cluster}.pickle")
    if cache.is_file():
        stories, examples = pickle.loads(cache.read_bytes())
    else:
        stories = load_stories(path)
        examples = [e for e in build(stories, embedder, per_cluster=per_cluster, meaning=True)
                    if e.kind in SUPPORTED or e.kind in KINDS or e.kind in MEANING_KINDS]  # fmt: skip
        embedder.save()
        run_checker(examples, embedder)
        embedder.save()
        cache.write_bytes(pickle.dumps((stories, examples)))
    X = featurise(examples, embedder)
    embedder.save()
    y = np.array([0 if e.supported else 1 for e in examples])
    rules = np.array([e.flagged for e in examples])
    return stories, examples, X, y, rules


def fit(X: np.ndarray, y: np.ndarray, C: float) -> dict:
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-9
    lr = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
    lr.fit((X - mean) / scale, y)
    return {
        "features": list(meaning.FEATURES),
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "coef": lr.coef_[0].round(6).tolist(),
        "intercept": round(float(lr.intercept_[0]), 6),
    }


def probabilities(model: dict, X: np.ndarray) -> np.ndarray:
    z = (X - np.array(model["mean"])) / np.array(model["scale"])
    return 1 / (1 + np.exp(-(z @ np.array(model["coef"]) + model["intercept"])))


def choose_threshold(p: np.ndarray, y: np.ndarray, rules: np.ndarray, budget: float) -> float:
    """The lowest threshold whose extra false alarms (supported claims the rules pass and the
    learned check flags) are at most `budget` of all supported claims."""
    neg = y == 0
    extra = np.sort(p[neg & ~rules])[::-1]  # scores of the supported claims the rules pass
    allowed = int(budget * neg.sum())
    if allowed >= len(extra):
        return 0.0
    return float(extra[allowed]) + 1e-6


def report(examples, y, rules, learned) -> str:
    both = rules | learned
    lines = [
        "| claims | examples | rules | learned alone | rules OR learned |",
        "|---|---|---|---|---|",
    ]
    kinds = (*SUPPORTED, *KINDS, *MEANING_KINDS)
    for kind in kinds:
        m = np.array([e.kind == kind for e in examples])
        if m.any():
            lines.append(
                f"| {kind} | {m.sum()} | {rules[m].mean():.3f} | {learned[m].mean():.3f} "
                f"| {both[m].mean():.3f} |"
            )
    for label, m in (
        ("**all supported (false alarms)**", y == 0),
        ("**rules' kinds (recall)**", np.array([e.kind in KINDS for e in examples])),
        ("**meaning changes (recall)**", np.array([e.kind in MEANING_KINDS for e in examples])),
    ):
        lines.append(
            f"| {label} | {m.sum()} | {rules[m].mean():.3f} | {learned[m].mean():.3f} "
            f"| {both[m].mean():.3f} |"
        )
    return "\n".join(lines)


def sub_report(examples, rules, learned) -> str:
    both = rules | learned
    groups: dict[tuple[str, str], list[int]] = {}
    for k, e in enumerate(examples):
        if e.kind in MEANING_KINDS:
            groups.setdefault((e.kind, e.sub), []).append(k)
    lines = [
        "| kind | what changed | examples | rules | learned | both |",
        "|---|---|---|---|---|---|",
    ]
    for (kind, sub), idx in sorted(groups.items()):
        lines.append(
            f"| {kind} | {sub} | {len(idx)} | {rules[idx].mean():.3f} | "
            f"{learned[idx].mean():.3f} | {both[idx].mean():.3f} |"
        )
    return "\n".join(lines)


def real_briefs(folder: Path, checker: meaning.MeaningChecker, embedder, show: bool) -> str:
    """The learned check on published briefs (the JSON that `digest` writes, one file per
    Multi-News validation cluster, named after it): each sentence against the sentences of its
    cluster's articles, as the brief writer checks it. Returns the flagged sentences."""
    from digest.errors import InputError
    from digest.ingest import read_file
    from digest.sentences import split_sentences

    clusters = {}
    for line in EVAL.read_text(encoding="utf-8").splitlines():
        c = json.loads(line)
        clusters[c["cluster_id"]] = c
    out, n = [], 0
    for path in sorted(folder.glob("*.json")):
        cluster = clusters.get(path.name.split("-new")[0].removesuffix(".json"))
        if cluster is None:
            continue
        texts = []
        for d in cluster["documents"]:
            try:
                arts = read_file(
                    Path(d["doc_id"] + ".txt"), d["text"].encode("utf-8"), display_path=d["doc_id"]
                )
            except InputError:
                continue
            texts += [t for a in arts for t in split_sentences(a.text)]
        vecs = embedder.embed(texts)
        brief = json.loads(path.read_text(encoding="utf-8"))
        sentences = [s["text"] for s in brief["sentences"]]
        for text, vec in zip(sentences, embedder.embed(sentences), strict=True):
            n += 1
            v = checker.check(text, meaning.evidence_for(vec, texts, vecs))
            if v.flagged:
                out.append(
                    f"- [{path.stem} p={v.score:.2f}] {text}" + (f"\n  {v.reason}" if show else "")
                )
    return f"{len(out)} of {n} published sentences flagged\n" + "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--budget", type=float, default=0.02, help="extra false alarms allowed on train"
    )
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--write", action="store_true", help="save digest/data/meaning_checker.json")
    ap.add_argument("--json", type=Path, help="write validation examples with their verdicts here")
    ap.add_argument("--briefs", type=Path, help="a folder of brief JSON files to check")
    ap.add_argument("--show", type=int, default=0, help="validation examples per kind to print")
    args = ap.parse_args()
    from digest.config import Embedder
    from digest.embed import make_embedder

    inner = make_embedder(Embedder(device="cpu"), ROOT / "models")
    embedder = CachedEmbedder(inner, cache_for(inner.backend))
    started = time.perf_counter()
    tr_stories, tr, Xtr, ytr, rtr = labelled(TRAIN, embedder, TRAIN_PER_CLUSTER)
    print(f"train: {len(tr_stories)} stories, {len(tr)} claims ({(ytr == 0).sum()} supported); "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    model = fit(Xtr, ytr, args.C)
    model["threshold"] = round(
        choose_threshold(probabilities(model, Xtr), ytr, rtr, args.budget), 6
    )
    model["trained_on"] = (
        f"Multi-News train, {len(tr_stories)} stories, {len(tr)} claims; "
        f"benchmarks/train_checker.py --budget {args.budget} --C {args.C}"
    )
    ltr = probabilities(model, Xtr) >= model["threshold"]
    print(f"threshold {model['threshold']:.3f}\n\nTRAIN\n" + report(tr, ytr, rtr, ltr))
    va_stories, va, Xva, yva, rva = labelled(EVAL, embedder, 4)
    pva = probabilities(model, Xva)
    lva = pva >= model["threshold"]
    print(
        f"\nVALIDATION: {len(va_stories)} stories, {len(va)} claims\n" + report(va, yva, rva, lva)
    )
    print("\n" + sub_report(va, rva, lva))
    print("\ncoefficients (standardised features):")
    for n, c in sorted(
        zip(model["features"], model["coef"], strict=True), key=lambda x: -abs(x[1])
    ):
        print(f"  {n:16s} {c:+.3f}")
    # inference cost: features and score of each validation claim (its vector given)
    checker = meaning.MeaningChecker(model)
    claims = embedder.embed([e.claim for e in va[:300]])
    t = time.perf_counter()
    for e, vec in zip(va[:300], claims, strict=True):
        texts = [s.text for s in e.evidence]
        checker.check(e.claim, meaning.evidence_for(vec, texts, embedder.embed(texts)))
    print(f"\ninference: {1000 * (time.perf_counter() - t) / 300:.2f} ms a claim (300 claims)")
    if args.show:
        for kind in (*SUPPORTED, *MEANING_KINDS):
            idx = [k for k, e in enumerate(va) if e.kind == kind][: args.show]
            for k in idx:
                print(f"[{kind} rules={int(rva[k])} p={pva[k]:.2f}] {va[k].claim}")
    if args.json:
        rows = [{"kind": e.kind, "sub": e.sub, "claim": e.claim, "original": e.original,
                 "rules": bool(r), "p": float(p)} for e, r, p in zip(va, rva, pva, strict=True)]  # fmt: skip
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if args.briefs:
        print("\nREAL BRIEFS " + real_briefs(args.briefs, checker, embedder, show=True))
    if args.write:
        meaning.MODEL.parent.mkdir(exist_ok=True)
        meaning.MODEL.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {meaning.MODEL}")


if __name__ == "__main__":
    main()
