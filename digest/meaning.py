"""A learned meaning check: does a sentence say what its nearest source sentences say?

The word rules (claims.py) check names, numbers, quotations, negation and who stands beside
which verb. This module scores the rest with a logistic regression over alignment features
between the sentence and its evidence: how many of its content words the nearest source
sentence has, runs of words that no near sentence has (a phrase merged in from another fact),
words in another order around the same verb ("B sued A" for "A sued B"), time and certainty
words ("will", "may", "plans to") that differ, and embedding similarities. The coefficients are
a JSON file written by benchmarks/train_checker.py from Multi-News train perturbations; the
figures are in docs/faithfulness.md.

Pure Python and numpy: no parser at inference, well under 20 ms a sentence.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL = Path(__file__).with_name("data") / "meaning_checker.json"

_STOP = set(
    """
a an the and or but if then so than that this these those there here of in on at to for from by
with without about into onto over under after before during since until while as is are was
were be been being am has have had having do does did doing will would shall should can could
may might must it its it's he she they them their his her him we us our you your i me my mine
who whom whose which what when where why how not no nor also just only very more most much
many some any all each every both either neither such other another own same too s t said says
say told tell according one two up down out off again further once mr mrs ms dr
""".split()
)
_FUTURE = re.compile(r"\b(will|won't|shall|would|'ll|going to|set to|expected to|scheduled to|"
                     r"plans? to|planned to|intends? to|aims? to|hopes? to|wants? to|soon)\b")  # fmt: skip
_HEDGE = re.compile(r"\b(may|might|could|can|possibly|probably|likely|allegedly|reportedly|"
                    r"accused|suspected|believed|appears?|seems?|suggests?|unclear|if)\b")  # fmt: skip
_PAST = re.compile(r"\b(was|were|had|did|\w{3,}ed)\b")
_PERFECT = re.compile(r"\b(has|have|had) (?:\w+ )?(?:been|\w+ed|\w+en)\b")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def stem(word: str) -> str:
    """A crude stem: enough to match 'sued'/'sues'/'suing' and 'guns'/'gun'."""
    w = word.lower().replace("’", "'")
    w = re.sub(r"'s$", "", w)
    if re.search(r"(?:ss|x|z|ch|sh)es$", w):
        w = w[:-2]
    else:
        for suffix in ("ingly", "edly", "ing", "ied", "ies", "ed", "ly", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 2:
                if suffix == "s" and w.endswith(("ss", "us", "is")):
                    break
                w = w[: -len(suffix)] + ("y" if suffix in ("ied", "ies") else "")
                break
    return w[:-1] if len(w) >= 3 and w.endswith("e") else w


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


@lru_cache(maxsize=8192)
def content(text: str) -> tuple[str, ...]:
    """The stems of a text's content words, in order."""
    return tuple(stem(w) for w in _tokens(text) if w not in _STOP and (len(w) > 2 or w.isdigit()))


def _positions(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, s in enumerate(content(text)):
        out.setdefault(s, i)
    return out


def _longest_run(claim: tuple[str, ...], have: set[str]) -> int:
    best = run = 0
    for s in claim:
        run = run + 1 if s not in have else 0
        best = max(best, run)
    return best


def _reversals(claim: tuple[str, ...], pos: dict[str, int]) -> tuple[float, float, tuple]:
    """Discordant pairs of aligned words (share), and the share of aligned triples a < v < b of
    the claim that the evidence has as b < v < a (an exchange around a middle word: a role
    swap); with the most separated such triple."""
    aligned = [(s, pos[s]) for s in dict.fromkeys(claim) if s in pos]
    n = len(aligned)
    if n < 2:
        return 0.0, 0.0, ()
    disc = sum(1 for i in range(n) for j in range(i + 1, n) if aligned[i][1] > aligned[j][1])
    triples = crossed = 0
    example: tuple = ()
    for i in range(n):
        for j in range(i + 1, n):
            for k in range(j + 1, n):
                triples += 1
                if aligned[i][1] > aligned[j][1] > aligned[k][1]:
                    crossed += 1
                    if not example:
                        example = (aligned[i][0], aligned[j][0], aligned[k][0])
    return disc / (n * (n - 1) / 2), crossed / max(1, triples), example


def _slot_changes(claim: tuple[str, ...], evidence: tuple[str, ...]) -> int:
    """Words of the claim whose two neighbours stand in the evidence around another word
    ("the east marina" against "the west marina"): a word replaced in an otherwise kept
    wording."""
    around: dict[tuple[str, str], set[str]] = {}
    for i in range(1, len(evidence) - 1):
        around.setdefault((evidence[i - 1], evidence[i + 1]), set()).add(evidence[i])
    changed = 0
    for i in range(1, len(claim) - 1):
        held = around.get((claim[i - 1], claim[i + 1]))
        if held and claim[i] not in held and claim[i] not in _STOP:
            changed += 1
    return changed


def _tail_run(claim: tuple[str, ...], have: set[str]) -> int:
    run = 0
    for s in reversed(claim):
        if s in have:
            break
        run += 1
    return run


def _marks(text: str) -> tuple[bool, bool, bool, bool]:
    t = text.lower().replace("’", "'")
    return (
        bool(_FUTURE.search(t)),
        bool(_HEDGE.search(t)),
        bool(_PAST.search(t)),
        bool(_PERFECT.search(t)),
    )


FEATURES = (
    "sim1", "sim2", "sim_gap", "cov1", "cov3", "cov_all", "missing_all", "missing_all_n",
    "borrowed", "run1", "run3", "run1_share", "bigram1", "bigram3", "discordant", "crossed",
    "future_added", "future_dropped", "hedge_added", "hedge_dropped", "past_added",
    "perfect_added", "length_ratio", "claim_len", "slot_changes", "tail_run",
)  # fmt: skip


@dataclass(frozen=True)
class Evidence:
    """What the features read of a sentence's evidence: the nearest source sentences, most
    similar first, their similarities, and the content stems of all of it."""

    nearest: tuple[str, ...]
    sims: tuple[float, ...]
    all_stems: frozenset[str]


def evidence_for(vector: np.ndarray, texts: list[str], vectors: np.ndarray, k: int = 3) -> Evidence:
    sims = vectors @ vector
    order = np.argsort(-sims)[:k]
    stems: set[str] = set()
    for t in texts:
        stems.update(content(t))
    return Evidence(
        tuple(texts[i] for i in order), tuple(float(sims[i]) for i in order), frozenset(stems)
    )


def _bigrams(words: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:], strict=False))


def features(claim: str, ev: Evidence) -> dict[str, float]:
    c = content(claim)
    n = max(1, len(c))
    top1 = ev.nearest[0] if ev.nearest else ""
    s1 = set(content(top1))
    s3 = set().union(*(content(t) for t in ev.nearest)) if ev.nearest else set()
    sims = list(ev.sims) + [0.0, 0.0, 0.0]
    missing_all = [w for w in c if w not in ev.all_stems]
    borrowed = [w for w in c if w not in s1 and w in ev.all_stems]
    cw = _tokens(claim)
    b1 = _bigrams(_tokens(top1))
    b3 = set().union(*(_bigrams(_tokens(t)) for t in ev.nearest)) if ev.nearest else set()
    cb = _bigrams(cw)
    disc, crossed, _ = _reversals(c, _positions(top1))
    m_claim = _marks(claim)
    m1 = _marks(top1)
    m3 = (
        [any(x) for x in zip(*(_marks(t) for t in ev.nearest), strict=True)]
        if ev.nearest
        else [False] * 4
    )
    return {
        "sim1": sims[0],
        "sim2": sims[1],
        "sim_gap": sims[0] - sims[1],
        "cov1": sum(w in s1 for w in c) / n,
        "cov3": sum(w in s3 for w in c) / n,
        "cov_all": sum(w in ev.all_stems for w in c) / n,
        "missing_all": len(missing_all) / n,
        "missing_all_n": min(6, len(missing_all)),
        "borrowed": len(borrowed) / n,
        "run1": min(8, _longest_run(c, s1)),
        "run3": min(8, _longest_run(c, s3)),
        "run1_share": _longest_run(c, s1) / n,
        "bigram1": len(cb & b1) / max(1, len(cb)),
        "bigram3": len(cb & b3) / max(1, len(cb)),
        "discordant": disc,
        "crossed": crossed,
        "future_added": float(m_claim[0] and not m3[0]),
        "future_dropped": float(m1[0] and not m_claim[0]),
        "hedge_added": float(m_claim[1] and not m3[1]),
        "hedge_dropped": float(m1[1] and not m_claim[1]),
        "past_added": float(m_claim[2] and not m3[2]),
        "perfect_added": float(m_claim[3] and not m3[3]),
        "length_ratio": min(3.0, len(cw) / max(1, len(_tokens(top1)))),
        "claim_len": min(60, len(cw)) / 60,
        "slot_changes": min(3, max((_slot_changes(cw, _tokens(t)) for t in ev.nearest), default=0)),
        "tail_run": min(6, _tail_run(c, s1)),
    }


@dataclass(frozen=True)
class Verdict:
    score: float  # probability that the sentence does not say what its evidence says
    flagged: bool
    reason: str  # in words, for the rewrite prompt and the notes ("" when not flagged)


class MeaningChecker:
    """The trained logistic regression (coefficients from a JSON file)."""

    def __init__(self, model: dict):
        self.names = tuple(model["features"])
        self.mean = np.array(model["mean"], dtype=float)
        self.scale = np.array(model["scale"], dtype=float)
        self.coef = np.array(model["coef"], dtype=float)
        self.intercept = float(model["intercept"])
        self.threshold = float(model["threshold"])

    @classmethod
    def load(cls, path: Path = MODEL) -> MeaningChecker:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def score(self, feats: dict[str, float]) -> float:
        z = (np.array([feats[n] for n in self.names]) - self.mean) / self.scale
        return 1.0 / (1.0 + math.exp(-(float(z @ self.coef) + self.intercept)))

    def contributions(self, feats: dict[str, float]) -> dict[str, float]:
        z = (np.array([feats[n] for n in self.names]) - self.mean) / self.scale
        return dict(zip(self.names, (z * self.coef).tolist(), strict=True))

    def check(self, claim: str, ev: Evidence) -> Verdict:
        feats = features(claim, ev)
        p = self.score(feats)
        if p < self.threshold:
            return Verdict(p, False, "")
        return Verdict(p, True, reason(claim, ev, self.contributions(feats)))


def reason(claim: str, ev: Evidence, contributions: dict[str, float]) -> str:
    """The strongest reason for a flag, in words a writer can act on."""
    top1 = ev.nearest[0] if ev.nearest else ""
    words = {stem(w): w for w in reversed(_WORD.findall(claim.lower()))}
    groups = {
        "order": contributions.get("crossed", 0) + contributions.get("discordant", 0),
        "time": sum(
            contributions.get(k, 0) for k in FEATURES if k.endswith(("_added", "_dropped"))
        ),
        "extra": sum(contributions.get(k, 0) for k in ("run1", "run3", "run1_share", "borrowed")),
    }
    why = max(groups, key=lambda g: groups[g])
    if why == "order":
        _, _, triple = _reversals(content(claim), _positions(top1))
        if triple:
            a, v, b = (words.get(x, x) for x in triple)
            return (
                f"'{a} ... {v} ... {b}' is not what the reports say: they have {b} ... {v} ... {a}"
            )
    if why == "time":
        said = (
            "will" if _FUTURE.search(top1.lower()) else "may" if _HEDGE.search(top1.lower()) else ""
        )
        if said:
            return f"it tells as done or certain what the reports say {said} happen"
        return "it says 'will' or 'may' where the reports do not"
    s1 = set(content(top1))
    run: list[str] = []
    best: list[str] = []
    for s in content(claim):
        run = run + [s] if s not in s1 else []
        best = max(best, run, key=len)
    if best:
        phrase = " ".join(words.get(s, s) for s in best)
        return f"'{phrase}' is not in the report sentence it rests on"
    return "the reports' nearest sentence says something else"
