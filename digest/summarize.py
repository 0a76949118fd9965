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

from . import cite
from .config import Citations
from .embed import Embedder
from .errors import ModelError
from .generate import Generator, Message
from .records import Article, Brief, BriefSentence, Sentence, Source
from .sentences import split_sentences

log = logging.getLogger(__name__)

SAME_FACT = 0.75  # two source sentences this similar state the same fact
MIN_WORDS, MAX_WORDS = 5, 70  # source sentences outside this range are not candidates


@dataclass(frozen=True)
class Fact:
    index: int  # into the story's sentence list
    text: str
    sources: tuple[int, ...]  # every source stating it
    score: float


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


def select_facts(
    sentences: list[Sentence], vectors: np.ndarray, budget_words: int
) -> list[Fact]:
    """Key sentences, each fact once, in narrative order, within `budget_words`."""
    idx = [i for i, s in enumerate(sentences) if _candidate(s)]
    if not idx:
        return []
    cand = vectors[idx]
    centroid = cand.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    sims = cand @ cand.T
    n_sources = len({s.source for s in sentences})
    scores = []
    support_sets = []
    for k, i in enumerate(idx):
        same = {sentences[idx[j]].source for j in np.flatnonzero(sims[k] >= SAME_FACT)}
        support_sets.append(tuple(sorted(same)))
        pos = sentences[i].position
        lead = 0.15 if pos == 0 else 0.08 if pos < 3 else 0.0
        scores.append(float(cand[k] @ centroid) + 0.3 * len(same) / n_sources + lead)
    chosen: list[int] = []
    words = 0
    remaining = set(range(len(idx)))
    while remaining:
        def mmr(k: int) -> float:
            redundancy = max((float(sims[k, c]) for c in chosen), default=0.0)
            return scores[k] - 0.7 * redundancy

        best = max(sorted(remaining), key=mmr)
        remaining.discard(best)
        if any(sims[best, c] >= SAME_FACT for c in chosen):
            continue
        length = len(sentences[idx[best]].text.split())
        if chosen and words + length > budget_words:
            continue
        chosen.append(best)
        words += length
        if words >= budget_words:
            break
    # Narrative order: lead facts first, then by relative position in their articles.
    lengths: dict[int, int] = {}
    for s in sentences:
        lengths[s.source] = max(lengths.get(s.source, 0), s.position + 1)

    def place(k: int) -> float:
        s = sentences[idx[k]]
        return s.position / lengths[s.source]

    chosen.sort(key=place)
    return [
        Fact(index=idx[k], text=sentences[idx[k]].text, sources=support_sets[k], score=scores[k])
        for k in chosen
    ]


def build_prompt(facts: list[Fact], n_sources: int, brief_words: int) -> list[Message]:
    listed = "\n".join(f"- {f.text}" for f in facts)
    reports = "news report" if n_sources == 1 else f"{n_sources} news reports"
    return [
        {
            "role": "system",
            "content": "You are a careful news editor. You write short, neutral news briefs "
            "using only the facts you are given. You never add names, numbers, dates or claims "
            "of your own.",
        },
        {
            "role": "user",
            "content": f"Facts from {reports} about one event:\n\n{listed}\n\n"
            f"Write a news brief of about {brief_words} words that combines these facts.\n"
            "Rules:\n"
            "- Use only the facts above. Keep every name, number, date and quotation exactly "
            "as written, and keep who did what exactly as in the facts.\n"
            "- State each fact once.\n"
            "- Plain sentences in one paragraph: no lists, no opinions, no preamble.\n\n"
            "Answer in exactly this format:\n"
            "Headline: <a factual headline of at most 12 words>\n"
            "Brief: <the brief>",
        },
    ]


_LABEL = re.compile(r"^\s*[*_#>\s]*(headline|title|brief|summary)\s*[*_]*\s*:\s*[*_]*\s*", re.I)


def parse_reply(reply: str) -> tuple[str | None, str]:
    """Split the model's reply into (headline, brief text)."""
    headline = None
    body: list[str] = []
    for line in reply.strip().splitlines():
        m = _LABEL.match(line)
        if m and m.group(1).lower() in ("headline", "title") and headline is None:
            headline = _strip_markup(line[m.end():])
        elif m:
            body.append(line[m.end():])
        elif line.strip():
            body.append(line)
    text = _strip_markup(" ".join(body))
    if headline is None and body:
        # No labels: a short first line is the headline.
        first = _strip_markup(body[0])
        if len(first.split()) <= 14 and not first.endswith("."):
            headline, text = first, _strip_markup(" ".join(body[1:]))
    return headline or None, text


def _strip_markup(text: str) -> str:
    text = re.sub(r"[*_`#]+", "", text)
    text = re.sub(r"^\s*[-•]\s+", "", text)
    return re.sub(r"\s+", " ", text).strip().strip('"').strip()


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
        facts = select_facts(sentences, vectors, self.input_words) or [
            Fact(0, sentences[0].text, (sentences[0].source,), 0.0)
        ]
        notes: list[str] = []
        headline, drafted = self._draft(facts, len(articles), notes)
        out = self._check(drafted, sentences, vectors, notes)
        if not out:
            notes.append("no generated sentence was supported: brief made of source sentences")
            out = self._extractive(facts, sentences, vectors)
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
    def _draft(self, facts: list[Fact], n_sources: int, notes: list[str]) -> tuple[str | None, list[str]]:
        if self.generator is None:
            return None, []
        messages = build_prompt(facts, n_sources, self.brief_words)
        try:
            reply = self.generator.generate(messages, self.max_new_tokens)
        except ModelError:
            raise  # a model that cannot be loaded is the user's to fix, not this story's failure
        except Exception as e:  # a model failure must not lose the story: fall back
            log.warning("Summarize - the model failed (%s); using source sentences", e)
            notes.append(f"model failed: {e}")
            return None, []
        headline, text = parse_reply(reply)
        return headline, split_sentences(text)

    def _check(
        self, drafted: list[str], sentences: list[Sentence], vectors: np.ndarray, notes: list[str]
    ) -> list[BriefSentence]:
        drafted = [d for d in drafted if len(d.split()) >= 4]
        if not drafted:
            return []
        c = self.citations
        out_vectors = self.embedder.embed(drafted)
        checked: list[BriefSentence] = []
        kept_vectors: list[np.ndarray] = []
        for text, vec in zip(drafted, out_vectors, strict=True):
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
            source = sentences[s.best]
            if s.similarity >= c.support_similarity * 0.8 and _candidate(source):
                why = f"missing {', '.join(s.missing)}" if s.missing else "weak match"
                notes.append(f"replaced unsupported sentence ({why}): {text}")
                cited = cite.source_sentence_citations(s.best, sentences, vectors, SAME_FACT)
                checked.append(BriefSentence(source.text, cited))
                kept_vectors.append(vectors[s.best])
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

    def _extractive(
        self, facts: list[Fact], sentences: list[Sentence], vectors: np.ndarray
    ) -> list[BriefSentence]:
        out = [
            BriefSentence(
                f.text, cite.source_sentence_citations(f.index, sentences, vectors, SAME_FACT)
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

