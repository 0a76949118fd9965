"""Summarize stage: one story's articles to a cited, checked brief.

1. Split every article into sentences and embed them.
2. Select key, non-redundant sentences across the articles (centrality, how many sources
   state them, lead position; maximal marginal relevance against what is already chosen).
3. The model writes a headline and a brief from those sentences only.
4. Each output sentence is checked and cited in code (cite.py): unsupported sentences are
   replaced by the source sentence nearest to them, or dropped; repeats are dropped.
If the model fails or nothing it wrote survives the checks, the brief is made of the selected
source sentences themselves, so a story always gets a brief.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from . import cite, disagree
from .config import Citations
from .embed import Embedder
from .errors import ModelError
from .generate import Generator, Message
from .records import Article, Brief, BriefSentence, Sentence, Source
from .sentences import split_sentences

log = logging.getLogger(__name__)

SAME_FACT = 0.70  # source sentences this similar (average linkage) state the same fact
MIN_WORDS, MAX_WORDS = 5, 70  # source sentences outside this range are not candidates


@dataclass(frozen=True)
class Fact:
    """One fact of the story: the source sentences, across articles, that state it."""

    members: tuple[int, ...]  # indices into the story's sentences, most central first
    sources: tuple[int, ...]  # every source stating it
    score: float

    @property
    def index(self) -> int:
        """The sentence that best represents the fact."""
        return self.members[0]


def order_sources(articles: list[Article]) -> list[Article]:
    """Source numbering: by publication date (unknown last), then by path."""
    return sorted(articles, key=lambda a: (a.published is None, a.published or "", a.path))


def sources_of(articles: list[Article]) -> tuple[Source, ...]:
    return tuple(
        Source(
            n=n,
            title=a.title,
            path=a.path,
            url=a.url,
            publisher=a.source,
            published=a.published,
        )
        for n, a in enumerate(articles, start=1)
    )


def story_sentences(articles: list[Article]) -> list[Sentence]:
    out = []
    for n, article in enumerate(articles, start=1):
        for pos, text in enumerate(split_sentences(article.text)):
            out.append(Sentence(source=n, position=pos, text=text))
    return out


def _candidate(s: Sentence) -> bool:
    words = len(s.text.split())
    return MIN_WORDS <= words <= MAX_WORDS and not s.text.rstrip("\"'”’ ").endswith("?")


def group_facts(sentences: list[Sentence], vectors: np.ndarray) -> list[Fact]:
    """Group candidate sentences that state the same fact, across articles, and score them.

    Average-linkage clustering of sentence embeddings, cut at SAME_FACT: paraphrases of one
    fact from different reports end up together. A fact scores higher the more sources state
    it, the closer it is to the centre of the story, and the nearer it is to an article's lead.
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    idx = [i for i, s in enumerate(sentences) if _candidate(s)]
    if not idx:
        return []
    cand = vectors[idx].astype(np.float64)
    if len(idx) == 1:
        labels = np.array([1])
    else:
        dist = np.clip(1.0 - cand @ cand.T, 0.0, 2.0)
        condensed = dist[np.triu_indices(len(idx), k=1)]
        labels = fcluster(linkage(condensed, "average"), t=1.0 - SAME_FACT, criterion="distance")
    centroid = cand.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    n_sources = len({s.source for s in sentences})
    facts = []
    for label in np.unique(labels):
        members = [k for k in range(len(idx)) if labels[k] == label]
        mean = cand[members].mean(axis=0)
        # most central member first: it stands for the fact
        members.sort(key=lambda k: -float(cand[k] @ mean))
        sources = tuple(sorted({sentences[idx[k]].source for k in members}))
        lead = max(
            0.15
            if sentences[idx[k]].position == 0
            else 0.08
            if sentences[idx[k]].position < 3
            else 0.0
            for k in members
        )
        score = float(cand[members[0]] @ centroid) + 0.4 * len(sources) / n_sources + lead
        facts.append(Fact(tuple(idx[k] for k in members), sources, score))
    return facts


def select_facts(sentences: list[Sentence], vectors: np.ndarray, budget_words: int) -> list[Fact]:
    """The key facts, each once, in narrative order, within `budget_words` of brief.

    Maximal marginal relevance: each next fact is the best-scoring one that is least like
    those already chosen; the budget counts each fact at the length of its representative.
    """
    facts = group_facts(sentences, vectors)
    chosen: list[Fact] = []
    words = 0
    remaining = sorted(facts, key=lambda f: -f.score)
    while remaining:

        def mmr(f: Fact) -> float:
            redundancy = max(
                (float(vectors[f.index] @ vectors[c.index]) for c in chosen), default=0.0
            )
            return f.score - 0.5 * redundancy

        best = max(remaining, key=mmr)
        remaining.remove(best)
        length = len(sentences[best.index].text.split())
        if chosen and words + length > budget_words * 1.15:
            continue
        chosen.append(best)
        words += length
        if words >= budget_words:
            break
    # Narrative order: by where the fact first appears, relative to its article's length.
    lengths: dict[int, int] = {}
    for s in sentences:
        lengths[s.source] = max(lengths.get(s.source, 0), s.position + 1)

    def place(f: Fact) -> float:
        return min(sentences[m].position / lengths[sentences[m].source] for m in f.members)

    # The lead is the most important of the facts that open a report; the rest follow in
    # the order the reports tell them.
    if not chosen:
        return chosen
    openers = [f for f in chosen if any(sentences[m].position == 0 for m in f.members)]
    lead = max(openers or chosen, key=lambda f: f.score)
    return [lead] + sorted((f for f in chosen if f is not lead), key=place)


def build_prompt(
    facts: list[Fact],
    sentences: list[Sentence],
    n_sources: int,
    brief_words: int,
    input_words: int,
) -> list[Message]:
    """Numbered facts, each with up to two other reports' wordings while `input_words` lasts."""
    used = sum(len(sentences[f.index].text.split()) for f in facts)
    blocks = []
    for n, f in enumerate(facts, start=1):
        lines = [f"{n}. {sentences[f.index].text}"]
        seen = {sentences[f.index].source}
        for m in f.members[1:]:
            other = sentences[m]
            length = len(other.text.split())
            if other.source in seen or len(lines) > 2 or used + length > input_words:
                continue
            lines.append(f"   Also reported as: {other.text}")
            seen.add(other.source)
            used += length
        blocks.append("\n".join(lines))
    return [
        {"role": "system", "content": _SYSTEM},
        {"role": "user", "content": _task(_EXAMPLE_FACTS, "3 news reports")},
        {"role": "assistant", "content": _EXAMPLE_ANSWER},
        {
            "role": "user",
            "content": _task(
                "\n".join(blocks),
                "a news report" if n_sources == 1 else f"{n_sources} news reports",
            ),
        },
    ]


_SYSTEM = (
    "You are a careful news editor. You write neutral news briefs using only the facts you "
    "are given. You never add names, numbers, dates or claims of your own."
)

# One worked example (invented) shows the model the register we want: full news sentences
# that merge the wordings of a fact, not telegraphic headlines.
_EXAMPLE_FACTS = """1. The Lindmoor city council on Tuesday approved $3 million for new bike lanes along the river, officials said.
   Also reported as: Councillors in Lindmoor voted on Tuesday to spend $3 million on riverside bike lanes.
2. Mayor Tom Baird called the vote "a good day for cyclists" and said work would begin in April.
   Also reported as: Baird said construction should start in April."""
_EXAMPLE_ANSWER = """Headline: Lindmoor council approves $3 million for riverside bike lanes
1. The Lindmoor city council on Tuesday approved $3 million for new bike lanes along the river.
2. Mayor Tom Baird called the vote "a good day for cyclists" and said work would begin in April."""


def _task(facts: str, reports: str) -> str:
    return (
        f"Numbered facts from {reports} about one event:\n\n{facts}\n\n"
        "Rewrite each numbered fact as one complete, readable sentence of a news report, in "
        "the same order and with the same numbers.\n"
        "Rules:\n"
        "- Say only what the fact says. Where a fact is reported in several wordings, state "
        "what they agree on.\n"
        "- Keep every name, number, date and quotation exactly as written, and keep who did "
        "what exactly as in the fact: do not change who said, did or wants something.\n"
        "- No opinions, no background of your own, no preamble.\n\n"
        "Answer with a line 'Headline: <a factual headline of at most 12 words>', then one "
        "numbered line per fact."
    )


_LABEL = re.compile(r"^\s*[*_#>\s]*(headline|title|brief|summary)\s*[*_]*\s*:\s*[*_]*\s*", re.I)
_NUMBERED = re.compile(r"^\s*[*_]*(\d{1,2})[.)][*_]*\s+(.*)$")


@dataclass(frozen=True)
class Reply:
    headline: str | None
    numbered: dict[int, str]  # fact number -> what the model wrote for it
    text: str  # everything that was not headline or numbered, joined


def parse_reply(reply: str) -> Reply:
    """Split the model's reply into headline, numbered sentences and any other text."""
    headline = None
    numbered: dict[int, str] = {}
    body: list[str] = []
    for line in reply.strip().splitlines():
        m = _LABEL.match(line)
        n = _NUMBERED.match(line)
        if m and m.group(1).lower() in ("headline", "title") and headline is None:
            headline = _strip_markup(line[m.end() :])
        elif m:
            body.append(line[m.end() :])
        elif n:
            text = _strip_markup(n.group(2))
            if text:
                numbered.setdefault(int(n.group(1)), text)
        elif line.strip():
            body.append(line)
    text = _strip_markup(" ".join(body))
    if headline is None and body and not numbered:
        # No labels: a short first line is the headline.
        first = _strip_markup(body[0])
        if len(first.split()) <= 14 and not first.endswith("."):
            headline, text = first, _strip_markup(" ".join(body[1:]))
    return Reply(headline or None, numbered, text)


def _strip_markup(text: str) -> str:
    text = re.sub(r"[*_`#]+", "", text)
    text = re.sub(r"^\s*[-•]\s+", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > 1 and text[0] == text[-1] == '"' and text.count('"') == 2:
        text = text[1:-1].strip()  # the whole line in quotes, not a quotation inside it
    return text


class BriefWriter:
    """Writes a story's brief with the given embedder and generator."""

    def __init__(
        self,
        embedder: Embedder,
        generator: Generator | None,
        citations: Citations,
        *,
        brief_words: int,
        input_words: int,
        max_new_tokens: int,
    ):
        self.embedder = embedder
        self.generator = generator
        self.citations = citations
        self.brief_words = brief_words
        self.input_words = input_words
        self.max_new_tokens = max_new_tokens

    def write(self, story_id: str, articles: list[Article], version: int, updated: str) -> Brief:
        articles = order_sources(articles)
        sources = sources_of(articles)
        sentences = story_sentences(articles)
        if not sentences:  # cannot happen for ingested articles; kept for safety
            sentences = [Sentence(n, 0, a.title) for n, a in enumerate(articles, start=1)]
        vectors = self.embedder.embed([s.text for s in sentences])
        facts = select_facts(sentences, vectors, self.brief_words) or [
            Fact((0,), (sentences[0].source,), 0.0)
        ]
        notes: list[str] = []
        reply = self._draft(facts, sentences, len(articles), notes)
        drafted: list[tuple[str, Fact | None]] = []
        headline = None
        if reply is not None:
            headline = reply.headline
            if reply.numbered:
                for n, text in sorted(reply.numbered.items()):
                    fact = facts[n - 1] if 1 <= n <= len(facts) else None
                    drafted += [(t, fact) for t in split_sentences(text)]
            else:  # the model ignored the numbering: align its sentences freely
                drafted = [(t, None) for t in split_sentences(reply.text)]
        out = self._check(drafted, sentences, vectors, notes)
        if not out:
            if reply is not None:
                notes.append("no generated sentence was supported: brief made of source sentences")
            out = self._extractive(facts, sentences, vectors)
        out = self._add_disagreements(out, facts, sentences, vectors)
        headline = self._headline(headline, articles, sentences, vectors, notes)
        return Brief(
            story_id=story_id,
            headline=headline,
            sentences=tuple(out),
            sources=sources,
            version=version,
            updated=updated,
            notes=tuple(notes),
        )

    # steps -------------------------------------------------------------------------------
    def _draft(
        self, facts: list[Fact], sentences: list[Sentence], n_sources: int, notes: list[str]
    ) -> Reply | None:
        if self.generator is None:
            return None
        messages = build_prompt(facts, sentences, n_sources, self.brief_words, self.input_words)
        try:
            return parse_reply(self.generator.generate(messages, self.max_new_tokens))
        except ModelError:
            raise  # a model that cannot be loaded is the user's to fix, not this story's failure
        except Exception as e:  # a model failure must not lose the story: fall back
            log.warning("Summarize - the model failed (%s); using source sentences", e)
            notes.append(f"model failed: {e}")
            return None

    def _check(
        self,
        drafted: list[tuple[str, Fact | None]],
        sentences: list[Sentence],
        vectors: np.ndarray,
        notes: list[str],
    ) -> list[BriefSentence]:
        """Keep supported sentences with their citations; replace or drop the others."""
        drafted = [(t, f) for t, f in drafted if len(t.split()) >= 4]
        if not drafted:
            return []
        c = self.citations
        out_vectors = self.embedder.embed([t for t, _ in drafted])
        checked: list[BriefSentence] = []
        kept_vectors: list[np.ndarray] = []
        for (text, fact), vec in zip(drafted, out_vectors, strict=True):
            s = cite.support(
                vec,
                text,
                sentences,
                vectors,
                min_similarity=c.min_similarity,
                support_similarity=c.support_similarity,
            )
            if s.supported:
                checked.append(BriefSentence(text, s.citations))
                kept_vectors.append(vec)
                continue
            # The fact the model was asked to restate, else the source sentence nearest to
            # what it wrote (if it is near enough to be what the model meant).
            replacement = fact.index if fact is not None else s.best
            if fact is not None or (
                s.similarity >= c.support_similarity * 0.8 and _candidate(sentences[s.best])
            ):
                why = f"missing {', '.join(s.missing)}" if s.missing else "weak match"
                notes.append(f"replaced unsupported sentence ({why}): {text}")
                cited = cite.source_sentence_citations(replacement, sentences, vectors, SAME_FACT)
                checked.append(BriefSentence(sentences[replacement].text, cited))
                kept_vectors.append(vectors[replacement])
            else:
                notes.append(f"dropped unsupported sentence: {text}")
        if not checked:
            return []
        kept, dropped = cite.drop_duplicates(
            checked, np.vstack(kept_vectors), c.duplicate_similarity
        )
        for i in dropped:
            notes.append(f"dropped repeated fact: {checked[i].text}")
        return self._trim(kept)

    def _add_disagreements(
        self,
        out: list[BriefSentence],
        facts: list[Fact],
        sentences: list[Sentence],
        vectors: np.ndarray,
    ) -> list[BriefSentence]:
        """After the sentence that states a fact, say where its sources disagree."""
        found: dict[tuple, tuple[int, BriefSentence]] = {}
        if not out:
            return out
        out_vectors = self.embedder.embed([s.text for s in out])
        for fact in facts:
            for d in disagree.find(fact.index, sentences, vectors):
                # one disagreement, however many facts it shows up under: said once
                key = (d.kind, d.unit, frozenset(value for value, _ in d.sides))
                if key in found:
                    continue
                after = int(np.argmax(out_vectors @ vectors[fact.index]))
                found[key] = (after, d.sentence())
        if not found:
            return out
        result: list[BriefSentence] = []
        for i, sentence in enumerate(out):
            result.append(sentence)
            result += [d for after, d in found.values() if after == i]
        return result

    def _extractive(
        self, facts: list[Fact], sentences: list[Sentence], vectors: np.ndarray
    ) -> list[BriefSentence]:
        out = [
            BriefSentence(
                sentences[f.index].text,
                cite.source_sentence_citations(f.index, sentences, vectors, SAME_FACT),
            )
            for f in facts
        ]
        return self._trim(out)

    def _trim(self, out: list[BriefSentence]) -> list[BriefSentence]:
        """Cut to about the configured length, at a sentence boundary."""
        kept: list[BriefSentence] = []
        words = 0
        for s in out:
            n = len(s.text.split())
            if kept and words + n > self.brief_words * 1.25:
                break
            kept.append(s)
            words += n
        return kept

    def _headline(
        self,
        headline: str | None,
        articles: list[Article],
        sentences: list[Sentence],
        vectors: np.ndarray,
        notes: list[str],
    ) -> str:
        if headline and 3 <= len(headline.split()) <= 16:
            vec = self.embedder.embed([headline])[0]
            s = cite.support(
                vec,
                headline,
                sentences,
                vectors,
                min_similarity=self.citations.min_similarity * 0.8,
                support_similarity=self.citations.support_similarity * 0.8,
            )
            if s.supported:
                return headline.rstrip(".")
            notes.append(f"replaced unsupported headline: {headline}")
        # The title of the source nearest the story's centre.
        titles = [a.title for a in articles]
        tvec = self.embedder.embed(titles)
        centre = vectors.mean(axis=0)
        return titles[int(np.argmax(tvec @ centre))]
