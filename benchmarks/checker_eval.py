"""Precision and recall of the faithfulness checker (digest/cite.py `support`) on real sentences.

Run: PYTHONPATH=. .venv/bin/python benchmarks/checker_eval.py [--clusters N] [--show N]
Reads ../shared/eval/multinews_validation.jsonl (never copied into the project); embeddings are
cached under /tmp (--cache), so a second run takes seconds.

The labelled set, built from the Multi-News validation clusters (seeded, deterministic per
cluster, so a run on the first N clusters gives the same examples as the full run has for them):

- supported, "paraphrase": a sentence of article A whose nearest sentence in another article B
  of the same story has cosine >= 0.75 (the real embedder) without being a copy of it; the
  evidence is B alone, so the claim is another report's wording of B's fact.
- supported, "copy": a sentence of A that B carries (nearly) word for word; evidence B.
- unsupported: each supported claim perturbed in one way (every applicable way), same evidence:
  number (a different value, digits or words), date (another month, year or weekday), name
  (a name from another story in place of one in the claim), swap (two names of the claim
  exchanged), misattribution (the claim's first name replaced by another name that B
  mentions: "the Taliban said" -> "Russia said"), quote (a word of a quotation replaced or
  dropped), negation (a "not" added or removed), unrelated (a sentence of another story).

Each claim goes through `cite.support` exactly as the brief writer calls it (thresholds from
digest.config.Citations defaults; evidence = every sentence of the cited article, embedded by
the real embedder). A claim is flagged when it is not supported. Prints, per kind: examples,
recall (flagged share), precision against the kind's own originals (1:1), and overall
precision, recall and the false-alarm rate on supported claims; then examples of misses and
false alarms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest import cite  # noqa: E402
from digest.config import Citations  # noqa: E402
from digest.errors import InputError  # noqa: E402
from digest.ingest import read_file  # noqa: E402
from digest.records import Article, Sentence  # noqa: E402
from digest.sentences import split_sentences  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "multinews_validation.jsonl"
TRAIN = EVAL.with_name("multinews_train.jsonl")  # for training the meaning checker only
CACHE = Path("/tmp/digest-checker-embeddings.npz")
PARAPHRASE = 0.75  # nearest sentence of B at least this similar: B states the fact
COPY_OVERLAP = 0.85  # word overlap (Jaccard) from which a pair is a copy, not a paraphrase
PER_CLUSTER = 4  # paraphrase claims taken per story (and up to half as many copies)
# The quality gate's sample (tests/test_checker_quality.py, --gate): the first 40 stories of
# at most 40 sentences, small enough to embed in well under a minute on 2 cores.
GATE_STORIES = GATE_MAX_SENTENCES = 40
KINDS = (
    "number",
    "date",
    "name",
    "swap",
    "misattribution",
    "quote",
    "negation",
    "unrelated",
)
# Meaning changes with the right words (benchmarks/perturb_meaning.py: role, splice,
# substitution, tense): built with --meaning (spaCy), scored apart from KINDS so that the
# rules' figures and the gate's floors keep their meaning.
MEANING_KINDS = ("role", "splice", "substitution", "tense")
SUPPORTED = ("paraphrase", "copy")
# Another report's sentence close to one of B (>= PARAPHRASE) that has a name, number, date or
# quotation B lacks: mostly unsupported by B, but not always (an inflected name, a title).
# Reported for information, not scored.
EXTRA = "extra detail"


@dataclass(frozen=True)
class Story:
    cluster: str
    articles: tuple[Article, ...]


@dataclass
class Example:
    kind: str  # "paraphrase" / "copy" (supported) or one of KINDS (unsupported)
    sub: str  # what exactly changed ("digits", "month", ...); "" for supported claims
    claim: str
    evidence: list[Sentence]  # every sentence of the cited article, source 1
    cluster: str
    base: int | None = None  # for a perturbed claim: index of the supported claim it came from
    original: str = ""  # for a perturbed claim: the supported claim's text
    result: cite.Support | None = field(default=None, repr=False)

    @property
    def supported(self) -> bool:
        return self.kind in SUPPORTED

    @property
    def flagged(self) -> bool:
        assert self.result is not None
        return not self.result.supported


# --- data -------------------------------------------------------------------------------------


def load_stories(
    path: Path = EVAL, limit: int | None = None, max_sentences: int | None = None
) -> list[Story]:
    """Stories with at least two readable articles, cleaned by the real ingest path; the first
    `limit` of them, of at most `max_sentences` sentences in all if that is given."""
    stories = []
    for line in path.read_text(encoding="utf-8").splitlines():
        c = json.loads(line)
        articles: list[Article] = []
        for d in c["documents"]:
            try:
                articles += read_file(
                    Path(d["doc_id"] + ".txt"), d["text"].encode("utf-8"), display_path=d["doc_id"]
                )
            except InputError:
                continue
        if max_sentences and sum(len(_split(a)) for a in articles) > max_sentences:
            continue
        if len(articles) >= 2:
            stories.append(Story(c["cluster_id"], tuple(articles)))
        if limit and len(stories) >= limit:
            break
    return stories


def cache_for(backend: str) -> Path:
    """The cache file of an embedder backend: CACHE for torch (as before there was a choice)."""
    if backend == "sentence-transformers":
        return CACHE
    return CACHE.with_name(f"{CACHE.stem}-{backend}{CACHE.suffix}")


class CachedEmbedder:
    """The real embedder, with vectors kept in an .npz file keyed by text."""

    def __init__(self, inner, path: Path | None = CACHE):
        self.inner = inner
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        self.added = 0
        if path is not None and path.is_file():
            try:
                with np.load(path) as data:
                    self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError):  # a damaged cache is rebuilt, not fatal
                self.vectors = {}

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if self._key(t) not in self.vectors))
        if todo:
            for text, vec in zip(todo, self.inner.embed(todo), strict=True):
                self.vectors[self._key(text)] = vec
            self.added += len(todo)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.vstack([self.vectors[self._key(t)] for t in texts]).astype(np.float32)

    def save(self) -> None:
        if self.path is None or not self.added:
            return
        keys = np.array(list(self.vectors))
        # written aside, then renamed: a run reading the cache meanwhile never sees half a file
        tmp = self.path.with_name(f"{self.path.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=keys, vectors=np.vstack(list(self.vectors.values())))
        os.replace(tmp, self.path)
        self.added = 0


# --- names, numbers, dates in a sentence --------------------------------------------------------

_SPAN = re.compile(
    r"(?<![\w'’])[A-Z][\w'’.&-]*(?:\s+(?:(?:of|de|the|and)\s+)?[A-Z][\w'’.&-]*)*(?:\s+\d+\b)?"
)
_OPENERS = {
    "a", "an", "the", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i",
    "in", "on", "at", "of", "for", "to", "by", "with", "from", "as", "and", "but", "or", "after",
    "before", "since", "while", "if", "when", "his", "her", "their", "its", "our", "there", "so",
    "yet", "still", "now", "then", "also", "however", "meanwhile", "according", "no",
    "not", "you", "my", "one", "some", "many", "most", "all", "both", "each", "more", "other",
}  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NOT_NAMES = {m.lower() for m in MONTHS + WEEKDAYS} | {"i", "mr", "mrs", "ms", "dr"}


def name_spans(sentence: str, proper: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, text) of the capitalised names in `sentence`.

    A capitalised word that opens the sentence counts only if the story also writes it
    capitalised inside a sentence (`proper`), so "Police said" yields no name.
    """
    out = []
    for m in _SPAN.finditer(sentence):
        start, text = m.start(), m.group(0)
        text = re.sub(r"(?:['’]s?|[.,-])+$", "", text)
        words = text.split()
        while words and (words[0].lower() in _OPENERS or words[0].lower() in _NOT_NAMES):
            start += sentence[start:].index(words[0]) + len(words[0])
            start += len(sentence[start:]) - len(sentence[start:].lstrip())
            words = words[1:]
        while words and words[-1].lower() in _NOT_NAMES | {"of", "the", "and", "de"}:
            words = words[:-1]
        if not words:
            continue
        text = sentence[start : start + len(" ".join(words))]
        if " ".join(words) != text:  # the span had irregular spaces inside it
            continue
        if start == 0 and len(words) == 1 and words[0] not in proper:
            continue
        if len(text) < 2:
            continue
        out.append((start, start + len(text), text))
    return out


def proper_words(articles: tuple[Article, ...]) -> set[str]:
    """Words written capitalised somewhere other than at the start of a sentence."""
    out: set[str] = set()
    for a in articles:
        for m in re.finditer(r"(?<=[a-z,;:] )([A-Z][\w'’-]+)", a.text):
            out.add(m.group(1))
    return out


_NUMBER = re.compile(r"(?<![\w.,$])(\$?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w,]*\d)")
_YEAR = re.compile(r"(?<![\w.,])(19[5-9]\d|20[0-3]\d)(?![\w,])")
NUMBER_WORDS = (
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "dozen",
)  # fmt: skip
_NUMBER_VALUE = {w: v for w, v in zip(NUMBER_WORDS, (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, 30, 40, 50, 100, 1000, 12), strict=True)}  # fmt: skip
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)

# --- perturbations ------------------------------------------------------------------------------


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _case_like(word: str, model: str) -> str:
    return word.capitalize() if model[:1].isupper() else word


def perturb_number(claim: str, rng: random.Random) -> tuple[str, str] | None:
    found = [m for m in _NUMBER.finditer(claim) if not _YEAR.fullmatch(m.group(2))]
    words = list(_NUMBER_WORD.finditer(claim))
    if not found and not words:
        return None
    if found and (not words or rng.random() < 0.7):
        m = rng.choice(found)
        digits, decimals = m.group(2), m.group(3) or ""
        n = int(digits.replace(",", ""))
        if decimals:
            last = int(decimals[-1])
            new_dec = decimals[:-1] + str((last + rng.randint(1, 8)) % 10)
            new = digits + new_dec
        else:
            choices = [n + 1, n + 2, n + 3, n * 2, n + 10, max(0, n - 1), n * 3]
            value = rng.choice([c for c in choices if c != n])
            new = f"{value:,}" if "," in digits else str(value)
        return _replace(claim, m.start(2), m.end(3) if decimals else m.end(2), new), "digits"
    m = rng.choice(words)
    old = m.group(1).lower()
    new = rng.choice([w for w in NUMBER_WORDS[:11] if w != old])
    return _replace(claim, m.start(), m.end(), _case_like(new, m.group(1))), "words"


def perturb_date(claim: str, rng: random.Random) -> tuple[str, str] | None:
    options = []
    for m in re.finditer(r"\b(" + "|".join(MONTHS) + r")\b", claim):
        if m.group(1) == "May" and not re.match(r"\s+\d", claim[m.end() :]):
            continue  # "May" the verb
        options.append(("month", m, rng.choice([x for x in MONTHS if x != m.group(1)])))
    for m in _YEAR.finditer(claim):
        options.append(("year", m, str(int(m.group(1)) + rng.choice([-2, -1, 1, 2]))))
    for m in re.finditer(r"\b(" + "|".join(WEEKDAYS) + r")\b", claim):
        options.append(("weekday", m, rng.choice([x for x in WEEKDAYS if x != m.group(1)])))
    if not options:
        return None
    sub, m, new = rng.choice(options)
    return _replace(claim, m.start(1), m.end(1), new), sub


def perturb_name(
    claim: str, spans: list[tuple[int, int, str]], foreign: list[str], evidence: str,
    rng: random.Random,
) -> tuple[str, str] | None:  # fmt: skip
    if not spans:
        return None
    start, end, old = rng.choice(spans)
    multi = len(old.split()) > 1
    pool = [f for f in foreign if (len(f.split()) > 1) == multi and f.lower() not in evidence]
    if not pool:
        return None
    return _replace(claim, start, end, rng.choice(pool)), "multi-word" if multi else "one-word"


def perturb_swap(claim: str, spans: list[tuple[int, int, str]], rng: random.Random):
    pairs = []
    for i, a in enumerate(spans):
        for b in spans[i + 1 :]:
            between = claim[a[1] : b[0]].strip(" ,").lower()
            if between in ("", "and", "or", "&", "with", "and the", "vs", "vs.", "nor"):
                continue  # "X and Y": exchanging them changes nothing
            if a[2].lower() in b[2].lower() or b[2].lower() in a[2].lower():
                continue
            pairs.append((a, b))
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    text = claim[: a[0]] + b[2] + claim[a[1] : b[0]] + a[2] + claim[b[1] :]
    return text, "adjacent" if b[0] - a[1] <= 30 else "distant"


def perturb_misattribution(
    claim: str, spans: list[tuple[int, int, str]], story_names: list[str], rng: random.Random
) -> tuple[str, str] | None:
    """The first name of the claim (most often the subject) becomes another name the cited
    article mentions: the checker finds the name in the evidence, in another role."""
    if not spans:
        return None
    start, end, old = spans[0]
    multi = len(old.split()) > 1
    low = claim.lower()
    old_words = set(old.lower().split())
    pool = [
        n
        for n in story_names
        if n.lower() not in low
        and not old_words & set(n.lower().split())
        and (len(n.split()) > 1) == multi
    ]
    if not pool:
        return None
    return _replace(claim, start, end, rng.choice(pool)), "subject" if start < 40 else "later"


# Words a restatement might put in place of the quoted ones (our own list).
_QUOTE_SWAPS = {
    "great": "good", "good": "great", "big": "huge", "huge": "big", "very": "really",
    "really": "very", "never": "not", "always": "often", "important": "significant",
    "terrible": "awful", "awful": "terrible", "happy": "glad", "sad": "upset", "bad": "poor",
    "wrong": "mistaken", "people": "folks", "think": "believe", "believe": "think",
    "want": "wish", "know": "see", "going": "trying", "help": "support", "hard": "difficult",
    "difficult": "hard", "country": "nation", "need": "must", "make": "create", "best": "finest",
    "new": "fresh", "right": "correct", "little": "small", "small": "little", "large": "big",
    "said": "stated", "dangerous": "risky", "proud": "pleased", "strong": "powerful",
}  # fmt: skip
_CLAIM_QUOTE = re.compile(r"[\"“]([^\"“”]{8,}?)[\"”]")


def perturb_quote(claim: str, rng: random.Random) -> tuple[str, str] | None:
    quotes = [m for m in _CLAIM_QUOTE.finditer(claim) if len(m.group(1).split()) >= 3]
    if not quotes:
        return None
    m = rng.choice(quotes)
    words = list(re.finditer(r"[A-Za-z]+", m.group(1)))
    swaps = [w for w in words if w.group(0).lower() in _QUOTE_SWAPS]
    base = m.start(1)
    if swaps:
        w = rng.choice(swaps)
        new = _case_like(_QUOTE_SWAPS[w.group(0).lower()], w.group(0))
        return _replace(claim, base + w.start(), base + w.end(), new), "word replaced"
    # an inner word: without its first or last word a quotation is a shorter, true quotation
    droppable = [w for w in words[1:-1] if len(w.group(0)) >= 3]
    if not droppable:
        return None
    w = rng.choice(droppable)
    end = base + w.end()
    if claim[end : end + 1] == " ":
        end += 1
    return _replace(claim, base + w.start(), end, ""), "word dropped"


_AUX = re.compile(
    r"\b(is|are|was|were|has|have|had|will|would|could|should|can|must|does|do|did)\s+(?!not\b|n't)"
    r"(?=[a-z])"
)
_NEGATED = re.compile(r"\b(?:(is|are|was|were|has|have|had|would|could|should|does|do|did)n['’]t"
                      r"|(wo)n['’]t|(ca)n['’]t|(\w+) not|never)\b")  # fmt: skip


# Simple past tense of regular verbs whose stem is the verb less "-ed" (signed, warned,
# arrested, walked), not after a word that makes it a participle ("was arrested").
_PAST = re.compile(
    r"\b([a-z]+(?:gn|rn|lk|rk|nd|st|ll|ss|sh|ch|lp|rm|ct|pt|wn|ck|nt|lt|ft|rt|ld|rd|sk))ed\b"
)
_PAST_NOT_AFTER = re.compile(
    r"\b(?:was|were|is|are|be|been|being|has|have|had|the|a|an|get|got|gets|not|never)\s+$",
    re.IGNORECASE,
)


def perturb_negation(claim: str, rng: random.Random) -> tuple[str, str] | None:
    negated = list(_NEGATED.finditer(claim))
    if negated and rng.random() < 0.5 or negated and not _AUX.search(claim):
        m = rng.choice(negated)
        if m.group(0) == "never":
            return _replace(claim, m.start(), m.end(), "once"), "removed"
        if m.group(2):
            return _replace(claim, m.start(), m.end(), "will"), "removed"
        if m.group(3):
            return _replace(claim, m.start(), m.end(), "can"), "removed"
        keep = m.group(1) or m.group(4)
        return _replace(claim, m.start(), m.end(), keep), "removed"
    options = [(m, "aux") for m in _AUX.finditer(claim)]
    options += [
        (m, "past") for m in _PAST.finditer(claim) if not _PAST_NOT_AFTER.search(claim[: m.start()])
    ]
    if not options:
        return None
    m, how = rng.choice(options)
    if how == "past":  # "police arrested" -> "police did not arrest"
        return _replace(claim, m.start(), m.end(), f"did not {m.group(1)}"), "did not"
    word = "cannot" if m.group(1) == "can" else f"{m.group(1)} not"
    return _replace(claim, m.start(1), m.end(1), word), "added"


# --- the labelled set ---------------------------------------------------------------------------


def details_in(claim: str, evidence: str, proper: set[str]) -> bool:
    """Whether every name, number, date and quotation of `claim` is in `evidence` (the text of
    the other report), word for word, ignoring case and punctuation. This labels claims; it is
    deliberately written apart from the checker's own rules (digest/cite.py)."""
    words = _words(evidence)
    for *_, name in name_spans(claim, proper):
        if not all(w in words for w in _words(re.sub(r"['’]s\b", "", name))):
            return False
    numbers = {m.group(0).replace(",", "") for m in re.finditer(r"\d[\d,]*(?:\.\d+)?", evidence)}
    for m in re.finditer(r"\d[\d,]*(?:\.\d+)?", claim):
        if m.group(0).rstrip(".,").replace(",", "") not in numbers:
            return False
    for m in _NUMBER_WORD.finditer(claim):
        word = m.group(1).lower()
        if word not in words and str(_NUMBER_VALUE.get(word, "")) not in numbers:
            return False
    for m in re.finditer(r"\b(" + "|".join(MONTHS + WEEKDAYS) + r")\b", claim):
        if m.group(1).lower() not in words:
            return False
    flat = " " + " ".join(re.findall(r"\w+", evidence.lower())) + " "
    for m in _CLAIM_QUOTE.finditer(claim):
        quoted = " ".join(re.findall(r"\w+", m.group(1).lower()))
        if len(quoted.split()) >= 2 and f" {quoted} " not in flat:
            return False
    return True


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _jaccard(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / max(1, len(wa | wb))


def build(
    stories: list[Story],
    embedder,
    seed: int = 0,
    per_cluster: int = PER_CLUSTER,
    meaning: bool = False,
) -> list[Example]:
    """The labelled set: supported claims, then their perturbations (see the module doc);
    with `meaning`, also the MEANING_KINDS (their own random stream, so that the other
    examples are the same with or without them)."""
    names_of = {s.cluster: story_names(s) for s in stories}
    examples: list[Example] = []
    for story in stories:
        rng = random.Random(f"{seed}-{story.cluster}")
        proper = proper_words(story.articles)
        per_article = [
            [Sentence(1, k, t) for k, t in enumerate(split_sentences(a.text))]
            for a in story.articles
        ]
        vecs = [embedder.embed([s.text for s in sents]) for sents in per_article]
        pools: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for a in range(len(story.articles)):
            for b in range(len(story.articles)):
                if a == b or not len(vecs[a]) or not len(vecs[b]):
                    continue
                sims = vecs[a] @ vecs[b].T
                b_text = " ".join(s.text for s in per_article[b])
                for i, s in enumerate(per_article[a]):
                    if not _candidate(s):
                        continue
                    j = int(np.argmax(sims[i]))
                    if sims[i, j] < PARAPHRASE:
                        continue
                    if not details_in(s.text, b_text, proper):
                        pools[EXTRA].append((a, b, i))
                    elif _jaccard(s.text, per_article[b][j].text) >= COPY_OVERLAP:
                        pools["copy"].append((a, b, i))
                    else:
                        pools["paraphrase"].append((a, b, i))
        chosen: list[tuple[str, int, int, int]] = []
        seen: set[str] = set()
        for kind, quota in (
            ("paraphrase", per_cluster),
            ("copy", max(1, per_cluster // 2)),
            (EXTRA, max(1, per_cluster // 2)),
        ):
            pool = pools[kind]
            rng.shuffle(pool)
            taken = 0
            for a, b, i in pool:
                text = per_article[a][i].text
                if taken >= quota or cite.normalise(text) in seen:
                    continue
                seen.add(cite.normalise(text))
                chosen.append((kind, a, b, i))
                taken += 1
        other_stories = [s for s in stories if s.cluster != story.cluster]
        for kind, a, b, i in chosen:
            claim = per_article[a][i].text
            evidence = per_article[b]
            base = len(examples)
            examples.append(Example(kind, "", claim, evidence, story.cluster))
            if kind == EXTRA:
                continue  # not perturbed: its label is unsure to begin with
            ev_text = cite.normalise(" ".join(s.text for s in evidence)).lower()
            spans = name_spans(claim, proper)
            evidence_names = [n for n in names_of[story.cluster] if n.lower() in ev_text]
            foreign_story = (
                other_stories[rng.randrange(len(other_stories))] if other_stories else None
            )
            foreign = names_of.get(foreign_story.cluster, []) if foreign_story else []
            made = {
                "number": perturb_number(claim, rng),
                "date": perturb_date(claim, rng),
                "name": perturb_name(claim, spans, foreign, ev_text, rng),
                "swap": perturb_swap(claim, spans, rng),
                "misattribution": perturb_misattribution(claim, spans, evidence_names, rng),
                "quote": perturb_quote(claim, rng),
                "negation": perturb_negation(claim, rng),
            }
            if foreign_story is not None:
                pool = [x for x in _split(rng.choice(foreign_story.articles)) if _ok(x)]
                if pool:
                    made["unrelated"] = (rng.choice(pool), "another story")
            for pk in KINDS:
                if made.get(pk) and made[pk][0] != claim:
                    text, sub = made[pk]
                    examples.append(Example(pk, sub, text, evidence, story.cluster, base, claim))
            if meaning:
                examples += _meaning_examples(
                    claim, per_article, vecs, a, b, i, seed, story.cluster, base
                )
    return examples


def _meaning_examples(claim, per_article, vecs, a, b, i, seed, cluster, base) -> list[Example]:
    """The MEANING_KINDS of one supported claim. Splices and substitutions draw on sentences
    of the story that are neither the claim nor one of the 3 nearest to it in its evidence B."""
    from benchmarks import perturb_meaning

    rng = random.Random(f"{seed}-{cluster}-meaning-{a}-{i}")
    near_b = set(np.argsort(-(vecs[b] @ vecs[a][i]))[:3].tolist())
    others = [s.text for k, s in enumerate(per_article[b]) if k not in near_b]
    others += [s.text for k, s in enumerate(per_article[a]) if k != i]
    others = [t for t in others if _ok(t)]
    rng.shuffle(others)
    made = perturb_meaning.perturb_all(claim, others[:8], rng, parse=_parse)
    evidence = per_article[b]
    return [
        Example(kind, made[kind][1], made[kind][0], evidence, cluster, base, claim)
        for kind in MEANING_KINDS
        if kind in made
    ]


_PARSED: dict[str, object] = {}


def _parse(text: str):
    if text not in _PARSED:
        from benchmarks import perturb_meaning

        _PARSED[text] = perturb_meaning.nlp()(text)
    return _PARSED[text]


def story_names(story: Story) -> list[str]:
    """Names the story mentions at least twice (fewer stray capitalised words)."""
    proper = proper_words(story.articles)
    counts: dict[str, int] = defaultdict(int)
    for a in story.articles:
        for x in _split(a):
            for *_, n in name_spans(x, proper):
                counts[n] += 1
    return sorted(n for n, c in counts.items() if c >= 2)


def _candidate(s: Sentence) -> bool:
    """A claim worth labelling: the brief writer's candidate rule when this set was built
    (5 to 70 words, no question), kept so that the set, and the gate's floors, stay the same."""
    words = len(s.text.split())
    return 5 <= words <= 70 and not s.text.rstrip("\"'”’ ").endswith("?")


def _split(article: Article) -> list[str]:
    return split_sentences(article.text)


def _ok(text: str) -> bool:
    return _candidate(Sentence(1, 0, text))


# --- the check, and the report ------------------------------------------------------------------


def run_checker(examples: list[Example], embedder, citations: Citations | None = None) -> None:
    """`cite.support` on every example, as BriefWriter._check calls it."""
    c = citations or Citations()
    claims = embedder.embed([e.claim for e in examples])
    cache: dict[int, np.ndarray] = {}
    for e, vec in zip(examples, claims, strict=True):
        key = id(e.evidence)
        if key not in cache:
            cache[key] = embedder.embed([s.text for s in e.evidence])
        e.result = cite.support(
            vec,
            e.claim,
            e.evidence,
            cache[key],
            min_similarity=c.min_similarity,
            support_similarity=c.support_similarity,
        )


@dataclass(frozen=True)
class Score:
    n: int
    flagged: float  # share flagged: recall for unsupported claims, false alarms for supported
    precision: float = float("nan")  # flagged unsupported / all flagged (see `score`)
    # unsupported claims whose original passes the checker: the share of those flagged, i.e.
    # how often the perturbation itself is caught
    caught: float = float("nan")


def score(examples: list[Example]) -> dict[str, Score]:
    """Per kind of claim, and over all (every supported claim against every perturbed one).

    A kind's precision is measured 1:1 against its own originals: the perturbed claims flagged,
    over those plus the originals they came from that are flagged.
    """
    out: dict[str, Score] = {}
    for kind in (*SUPPORTED, EXTRA):
        xs = [e for e in examples if e.kind == kind]
        if xs:
            out[kind] = Score(len(xs), sum(e.flagged for e in xs) / len(xs))
    for kind in (*KINDS, *MEANING_KINDS):
        xs = [e for e in examples if e.kind == kind]
        if xs:
            out[kind] = _score_unsupported(xs, examples)
    meaning = [e for e in examples if e.kind in MEANING_KINDS]
    if meaning:
        out["all meaning"] = _score_unsupported(meaning, examples)
    pos = [e for e in examples if e.kind in KINDS]
    neg = [e for e in examples if e.supported]
    tp = sum(e.flagged for e in pos)
    fp = sum(e.flagged for e in neg)
    passing = [e for e in pos if e.base is not None and not examples[e.base].flagged]
    out["all"] = Score(
        len(pos),
        tp / max(1, len(pos)),
        tp / (tp + fp) if tp + fp else float("nan"),
        sum(e.flagged for e in passing) / max(1, len(passing)),
    )
    out["supported"] = Score(len(neg), fp / max(1, len(neg)))
    return out


def _score_unsupported(xs: list[Example], examples: list[Example]) -> Score:
    tp = sum(e.flagged for e in xs)
    fp = sum(examples[e.base].flagged for e in xs if e.base is not None)
    passing = [e for e in xs if e.base is not None and not examples[e.base].flagged]
    return Score(
        len(xs),
        tp / len(xs),
        tp / (tp + fp) if tp + fp else float("nan"),
        sum(e.flagged for e in passing) / len(passing) if passing else float("nan"),
    )


def sub_scores(examples: list[Example]) -> dict[tuple[str, str], Score]:
    groups: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for e in examples:
        if e.kind in KINDS or e.kind in MEANING_KINDS:
            groups[(e.kind, e.sub)].append(e)
    return {k: _score_unsupported(v, examples) for k, v in sorted(groups.items())}


def _f(x: float) -> str:
    return "" if x != x else f"{x:.3f}"


LABELS = {
    "paraphrase": "supported: paraphrase (false alarms)",
    "copy": "supported: copy (false alarms)",
    EXTRA: "not scored: extra detail (flagged)",
    "all": "**all unsupported** (the KINDS above meaning changes)",
    "all meaning": "**all meaning changes** (role, splice, substitution, tense)",
    "supported": "**all supported (false alarms)**",
}


def table(scores: dict[str, Score]) -> str:
    lines = [
        "| claims | examples | flagged | precision (1:1) | caught where the original passes |",
        "|---|---|---|---|---|",
    ]
    for kind, s in scores.items():
        lines.append(
            f"| {LABELS.get(kind, kind)} | {s.n} | {_f(s.flagged)} | {_f(s.precision)} "
            f"| {_f(s.caught)} |"
        )
    return "\n".join(lines)


def show(examples: list[Example], n: int) -> str:
    out = []
    for kind in (*SUPPORTED, *KINDS, *MEANING_KINDS):
        # misses of perturbations whose original passes: what the checker let through
        bad = [
            e
            for e in examples
            if e.kind == kind
            and e.flagged == e.supported
            and (e.base is None or not examples[e.base].flagged)
        ]
        if not bad:
            continue
        what = "false alarms" if kind in SUPPORTED else "misses"
        out.append(f"\n## {kind}: {len(bad)} {what}")
        for e in bad[:n]:
            r = e.result
            assert r is not None
            out.append(f"- [{e.cluster} {e.sub}] claim: {e.claim}")
            if e.original:
                out.append(f"  original: {e.original}")
            out.append(
                f"  best evidence ({r.similarity:.2f}): {e.evidence[r.best].text}"
                f"\n  missing: {list(r.missing)}"
            )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clusters", type=int, default=None, help="only the first N stories")
    ap.add_argument("--gate", action="store_true", help="the quality gate's sample only")
    ap.add_argument("--split", choices=("validation", "train"), default="validation")
    ap.add_argument(
        "--meaning", action="store_true", help="add the meaning changes (role, splice, ...; spaCy)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=3, help="examples of each kind of error")
    ap.add_argument(
        "--cache", type=Path, help=f"embedding cache (.npz; default {CACHE}, -onnx for onnx)"
    )
    ap.add_argument(
        "--backend",
        choices=("auto", "onnx", "sentence-transformers"),
        default="auto",
        help="embedder, as [embedder] backend (auto: the int8 ONNX model when prepared)",
    )
    ap.add_argument("--json", type=Path, default=None, help="write every example's result here")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    data = TRAIN if args.split == "train" else EVAL
    if not data.is_file():
        sys.exit(f"evaluation data not found at {data}")
    from digest.config import Embedder
    from digest.embed import make_embedder

    started = time.perf_counter()
    inner = make_embedder(Embedder(backend=args.backend, device="cpu"), ROOT / "models")
    # the cache is keyed by text only: each backend has its own file, so vectors never mix
    cache = args.cache or cache_for(inner.backend)
    embedder = CachedEmbedder(inner, cache)
    print(f"embedder: {inner.backend}, cache {cache}")
    if args.gate:
        stories = load_stories(data, GATE_STORIES, GATE_MAX_SENTENCES)
    else:
        stories = load_stories(data, args.clusters)
    examples = build(stories, embedder, seed=args.seed, meaning=args.meaning)
    embedder.save()
    checked = time.perf_counter()
    run_checker(examples, embedder)
    embedder.save()
    seconds = time.perf_counter() - checked
    print(f"{len(stories)} stories, {len(examples)} claims; checker {seconds:.1f} s "
          f"(all {time.perf_counter() - started:.0f} s)\n")  # fmt: skip
    print(table(score(examples)))
    print("\n| kind | what changed | examples | flagged | caught where the original passes |")
    print("|---|---|---|---|---|")
    for (kind, sub), sc in sub_scores(examples).items():
        print(f"| {kind} | {sub} | {sc.n} | {_f(sc.flagged)} | {_f(sc.caught)} |")
    print(show(examples, args.show))
    if args.json:
        rows = [
            {
                "kind": e.kind, "sub": e.sub, "cluster": e.cluster, "claim": e.claim,
                "original": e.original, "flagged": e.flagged,
                "missing": list(e.result.missing) if e.result else [],
                "best": e.evidence[e.result.best].text if e.result else "",
                "similarity": e.result.similarity if e.result else None,
            }
            for e in examples
        ]  # fmt: skip
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
