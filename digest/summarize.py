"""Summarize stage: one story's articles to a cited, checked brief, written by the model.

1. Plan (plan.py): the event and the key facts, each with the wordings of the reports that
   state it, lead first and then by importance.
2. Write: the model gets the plan and writes a headline and one sentence per fact in its own
   words, merging what the reports say of it (prompt.py).
3. Check (cite.py, claims.py): each sentence rests on the wordings of its fact and the other
   source sentences near it; every name, number, quotation, "not", weekday and who-did-what it
   states must be there, and it cites each source it draws on. A sentence that fails is
   rewritten once by the model with the problem named, else replaced by its fact's source
   wording, else dropped. Two sentences that state one fact are kept once. Where the brief is
   short, the facts the model left out and the plan's next ones are asked for in its words.
4. Where reports disagree on a quotation or a figure, the brief says so and cites each side
   (disagree.py). The headline is checked like a sentence, and must agree with the lead.
If the model fails or nothing it wrote survives, the brief is made of the planned facts' source
sentences, so a story always gets a brief.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Generator as Generator_
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import asks, cite, claims, disagree, grammar, naming, paraphrase, prompt, quotes
from .asks import StoryInput
from .attribution import without_looped, without_vacuous
from .config import Citations
from .embed import Embedder
from .generate import Generator
from .headline import headline as make_headline
from .language import brief_language
from .naming import reading_order
from .plan import SAME_FACT, Fact, plan, rejection, story_sentences
from .records import Article, Brief, BriefSentence, Evidence, Sentence, order_sources, sources_of
from .repeats import echoed, opening_facts, repeated, states
from .sentences import split_sentences
from .wording import other_language, respelled, says_again, unsaid

__all__ = ["BriefWriter", "Fact", "StoryInput", "order_sources", "sources_of", "story_sentences"]

log = logging.getLogger(__name__)

PLAN_FACTOR = 1.6  # facts are planned for this many times the brief's words: the model compresses
# (Multi-News train, 5 clusters: 1.3 gave 154-word briefs for 220, ROUGE-1 37.5; 1.6: 181, 39.8)
MIN_SENTENCE_WORDS = 4
# two brief sentences this similar on one fact of the plan, or giving one figure, say it twice
SAME_FACT_BRIEF = 0.6
FILL = 0.95  # a short brief gets left-out facts up to this share of its words (`_left_out`)
RESERVE_FACTOR = 2.4  # ... from the plan's facts, then the next ones as if planned for this many
LEFT_OUT_ASKED = 6  # the most facts the model left out that a brief adds (and asks for again)


@dataclass
class Draft:
    """A sentence on its way to the brief: what was written, for which facts, and its check."""

    text: str
    facts: tuple[int, ...]  # indices into the plan ((): written freely, aligned by meaning)
    support: cite.Support | None = None


@dataclass(frozen=True)
class Story:
    """What the writer knows of one story while it writes."""

    sentences: list[Sentence]
    vectors: np.ndarray
    facts: list[Fact]
    vocabulary: cite.Vocabulary
    languages: dict[int, str | None]  # each source's, by its number
    language: str  # the brief's
    embedder: Embedder  # the one its sentences are compared with (BriefWriter.english)


def plan_ok(story: Story, index: int) -> bool:
    """Whether source sentence `index` could be a fact of a brief (no caption, aside, ...)."""
    return rejection(story.sentences[index].text) is None


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
        language: str = "en",  # the brief's ([summarizer] language; "source": language.py)
        english: Embedder | None = None,
    ):
        self.language = language
        self.embedder = embedder
        # an English brief of English reports: all-MiniLM-L6-v2, the similarity settings' scale,
        # where `embedder` is multilingual (docs/languages.md, "Session 12"); else `embedder`
        self.english = english or embedder
        self.generator = generator
        self.citations = citations
        self.brief_words = brief_words
        self.input_words = input_words
        self.max_new_tokens = max_new_tokens

    def write(self, story_id: str, articles: list[Article], version: int, updated: str) -> Brief:
        """One story's brief, its model calls one at a time (`Generator.generate`)."""
        return asks.one(self._writing(story_id, articles, version, updated), self.generator)

    def write_many(self, stories: Sequence[StoryInput]) -> list[Brief]:
        """Several stories' briefs, written in step: each phase's model calls of all the stories
        go out as one batch (`Generator.generate_batch`): the notes of every story, then the
        rewrites of those that need one. Each brief is the one `write` would make with the
        same replies."""
        return asks.many([self._writing(*story) for story in stories], self.generator)

    def _writing(
        self, story_id: str, articles: list[Article], version: int, updated: str
    ) -> Generator_[asks.Ask, str | None, Brief]:
        """The writing of one brief, which yields each model call it needs and is sent the
        reply (None if the model failed)."""
        articles = order_sources(articles)
        sentences = story_sentences(articles)
        if not sentences:  # cannot happen for ingested articles; kept for safety
            sentences = [Sentence(n, 0, a.title) for n, a in enumerate(articles, start=1)]
        language = brief_language([a.language for a in articles], self.language)
        english = language == "en" and all(a.language in ("en", None) for a in articles)
        embedder = self.english if english else self.embedder
        vectors = embedder.embed([s.text for s in sentences])
        titles = [a.title for a in articles]
        title_vectors = embedder.embed(titles)
        words = [int(self.brief_words * f) for f in (PLAN_FACTOR, RESERVE_FACTOR)]
        # the reserve: the next facts, in order, for a brief the model left short (`_left_out`)
        known = plan(sentences, vectors, titles, title_vectors, *words)
        facts = [f for f in known if not f.reserve] or [Fact((0,), (sentences[0].source,), 0.0)]
        languages = {n: a.language for n, a in enumerate(articles, start=1)}
        vocabulary = cite.Vocabulary.of(s.text for s in sentences)
        story = Story(sentences, vectors, known or facts, vocabulary, languages, language, embedder)
        notes: list[str] = []
        others = {a.language for a in articles} - {None, language}
        messages = prompt.brief(
            facts, sentences, len(articles), self.input_words, language, bool(others)
        )
        # the model rewords what the notes say instead of copying it (copyguard.py)
        reply = yield asks.Ask(messages, self.max_new_tokens, messages[-1]["content"], notes)
        parsed = prompt.parse_reply(reply) if reply is not None else None
        out: list[BriefSentence] = []
        if parsed is not None:
            out = yield from self._check(self._drafts(parsed, len(facts)), story, notes)
            if not out:
                notes.append("no generated sentence was supported: brief made of source sentences")
        if not out:
            out = self._trim([self._source_sentence(f.index, story) for f in facts])
        if out:  # where the reports disagree on a figure or a quotation, the brief says so
            vecs = embedder.embed([s.text for s in out])
            out = disagree.placed(out, vecs, [f.index for f in facts], sentences, vectors)
        out = cite.mark_translated(out, languages, language)  # quotations from other languages
        headline = make_headline(
            parsed.headline if parsed else None, out, articles, story, notes, self.citations
        )
        return Brief(
            story_id=story_id,
            headline=headline,
            sentences=tuple(out),
            sources=sources_of(articles),
            version=version,
            updated=updated,
            notes=tuple(notes),
            language=language,
        )

    # steps -------------------------------------------------------------------------------
    @staticmethod
    def _drafts(reply: prompt.Reply, n_facts: int) -> list[Draft]:
        drafts = []
        seen: set[int] = set()
        for numbers, text in reply.numbered:
            if seen.intersection(numbers) or not all(k < n_facts for k in numbers):
                break  # a number again, or past the last fact: the model has begun to loop
            seen.update(numbers)
            drafts += [Draft(without_vacuous(t), numbers) for t in split_sentences(text)]
        if not drafts:  # the model ignored the numbering: align its sentences freely
            drafts = [Draft(without_vacuous(t), ()) for t in split_sentences(reply.text)]
        looped = without_looped([d.text for d in drafts])  # "..., according to X." on each
        drafts = [Draft(t, d.facts) for d, t in zip(drafts, looped, strict=True)]
        # a line with no full stop: cut off by the token limit, or a report's title copied
        return [
            d
            for d in drafts
            if len(d.text.split()) >= MIN_SENTENCE_WORDS
            and d.text.rstrip("\"'”’)").endswith((".", "!"))
        ]

    def _verify(self, drafts: list[Draft], story: Story) -> None:
        if not drafts:
            return
        c = self.citations
        sources = [x.text for x in story.sentences]  # '"most epic ..."', "river'side" as they are
        mended = quotes.mend(respelled([d.text for d in drafts], sources), sources)
        for d, text in zip(drafts, mended, strict=True):
            d.text = text
        clauses = grammar.fragments((d.text for d in drafts), written=True)  # "Even if ..."
        for d, vec in zip(drafts, story.embedder.embed([d.text for d in drafts]), strict=True):
            pool = [m for k in d.facts if 0 <= k < len(story.facts) for m in story.facts[k].members]
            s = cite.support_in(
                vec,
                d.text,
                story.sentences,
                story.vectors,
                pool,
                min_similarity=c.min_similarity,
                support_similarity=c.support_similarity,
                vocabulary=story.vocabulary,
            )
            # a "not" of a merged sentence must be in what it rests on most, not only in some
            # neighbouring fact ("pools are not covered" beside "farmers are not covered")
            if (
                s.supported
                and claims.negated(d.text)
                and not claims.says_not(story.sentences[s.best].text)
            ):
                s = dataclasses.replace(s, supported=False, missing=("not",))
            # most of its words in no report sentence it rests on (all it was checked against):
            # the model's own claim, where those are in the brief's language; or it is in a
            # report's other language, half translated ("Doce personas recibieron atención for")
            said = [story.sentences[i] for i in s.rests or s.evidence]
            ours = all(story.languages.get(x.source) in (story.language, None) for x in said)
            words = unsaid(d.text, [x.text for x in said]) if s.supported and ours else []
            words += other_language(d.text, story.language, set(story.languages.values()))
            words += cite.joined(d.text, story.sentences, story.vectors) if words == [] else []
            if s.supported and words:
                s = dataclasses.replace(s, supported=False, missing=tuple(words))
            if d.text in clauses and not any(m.startswith("fragment") for m in s.missing):
                opener = f"fragment: {' '.join(d.text.split()[:2])}"
                s = dataclasses.replace(s, supported=False, missing=(*s.missing, opener))
            d.support = s

    def _check(
        self, drafts: list[Draft], story: Story, notes: list[str]
    ) -> Generator_[asks.Ask, str | None, list[BriefSentence]]:
        """Keep supported sentences with their citations; rewrite, replace or drop the others;
        keep each fact once."""
        self._verify(drafts, story)
        # "She told police ..." from "Stinson told police ...": the person named, not sent back
        rests = [self._pool(d, story) + list(getattr(d.support, "evidence", ())) for d in drafts]
        said = [naming.said(at, story.sentences) for at in rests]
        named = naming.name_subjects([d.text for d in drafts], said)
        renamed = [d for d, text in zip(drafts, named, strict=True) if text != d.text]
        for d, text in zip(drafts, named, strict=True):
            d.text = text
        self._verify(renamed, story)
        for d in drafts:  # "They met ...": the model is asked to say who, not dropped at once
            if d.support is not None and rejection(d.text) == "needs context":
                lean = ("context: " + d.text.split()[0].strip('"“,'),)
                d.support = dataclasses.replace(d.support, missing=d.support.missing + lean)
        # a named problem (a name, number, "not" the reports lack) is sent back once, not a miss
        failed = [
            d
            for d in drafts
            if d.support is not None
            and d.support.missing
            and rejection(d.text) in (None, "needs context")
        ]
        if failed and self.generator is not None:
            yield from self._rewrite(failed, story, notes)
        checked: list[tuple[BriefSentence, int, int]] = []  # sentence, fact, best source sentence
        for d in drafts:
            s = d.support
            assert s is not None
            fact = self._fact_of(d, s.best, story)
            unfit = rejection(d.text)  # the model's own caption, aside or "It's ..." sentence
            if unfit in ("caption", "byline", "question", "aside", "needs context", "page text"):
                s = d.support = dataclasses.replace(s, supported=False, missing=(unfit,))
            if s.supported:
                checked.append((self._cited(d.text, s, story), fact, s.best))
                continue
            why = f"missing {', '.join(s.missing)}" if s.missing else "weak match"
            if d.facts and 0 <= d.facts[0] < len(story.facts):
                index = story.facts[d.facts[0]].index
                notes.append(f"replaced unsupported sentence ({why}): {d.text}")
                checked.append((self._source_sentence(index, story), d.facts[0], index))
            elif s.similarity >= self.citations.support_similarity * 0.8 and plan_ok(story, s.best):
                # written freely: the source sentence nearest to it, if near enough to be meant
                notes.append(f"replaced unsupported sentence ({why}): {d.text}")
                checked.append((self._source_sentence(s.best, story), fact, s.best))
            else:
                notes.append(f"dropped unsupported sentence ({why}): {d.text}")
        kept = self._once(checked, story, notes)
        # facts left out of a short brief, asked for once more (not those that failed twice:
        # asked a third time, the model swapped roles again: docs/briefs.md, session 14)
        left = self._left_out(kept, story)
        fill = {k: self._source_sentence(story.facts[k].index, story) for k in left}
        written: dict[int, Draft] = {}
        if left and self.generator is not None:
            written = yield from self._write_left_out(fill, story, notes)
        out = self._trim(self._fill(kept, fill, written, story, notes))
        return reading_order(out, story.sentences, story.vocabulary.lowercase, story.languages)

    def _rewrite(
        self, failed: list[Draft], story: Story, notes: list[str]
    ) -> Generator_[asks.Ask, str | None, None]:
        """Ask the model once to mend every failed sentence, with the problem named; a mended
        sentence replaces the draft if it passes the check."""
        items = []
        for d in failed:
            assert d.support is not None
            evidence = [story.sentences[i].text for i in self._pool(d, story)]
            items.append((d.text, prompt.problem(d.support.missing), evidence))
        reply = yield asks.Ask(prompt.rewrite(items), 60 * len(items) + 20, "", notes)
        if reply is None:
            return
        fixed = {
            k: text
            for k, text in prompt.parse_numbered(reply).items()
            if k < len(failed) and text != failed[k].text and not prompt.scaffolding(text)
        }
        mended = [Draft(without_vacuous(text), failed[k].facts) for k, text in fixed.items()]
        self._verify(mended, story)
        for k, d in enumerate(failed):
            new = next((m for m in mended if m.text == fixed.get(k)), None)
            was = d.support.missing if d.support else ()
            if new and new.support and new.support.supported and not says_again(was, new.text):
                why = prompt.problem(was)
                notes.append(f"rewrote unsupported sentence ({why}): {d.text}")
                d.text, d.support = new.text, new.support

    def _write_left_out(
        self, fill: dict[int, BriefSentence], story: Story, notes: list[str]
    ) -> Generator_[asks.Ask, str | None, dict[int, Draft]]:
        """Ask the model once for the facts of the plan it left out (`fill`: each one's report
        wording, by fact), each sent back in that wording with the problem named
        (`prompt.COPIED`) and the copy guard on it; those that pass the check, by fact."""
        # only facts a report in the brief's language states (a reply in another language
        # passes the check against it: test_languages.py)
        ours = (story.language, None)
        left = [k for k, f in fill.items() if story.languages.get(f.evidence[0].n) in ours]
        wordings = [fill[k].text for k in left]
        items = [
            (text, prompt.COPIED, [story.sentences[i].text for i in story.facts[k].members[:4]])
            for k, text in zip(left, wordings, strict=True)
        ]
        avoid = "\n".join(wordings)
        reply = None
        if items:
            reply = yield asks.Ask(prompt.rewrite(items), 60 * len(items) + 20, avoid, notes)
        if reply is None:
            return {}
        answers = prompt.parse_numbered(reply)
        # one sentence, not the report's own, holding nothing of the request
        written = [
            Draft(without_vacuous(answers[j]), (k,))
            for j, k in enumerate(left)
            if answers.get(j, wordings[j]) != wordings[j]
            and len(split_sentences(answers[j])) == 1
            and not prompt.scaffolding(answers[j])
        ]
        self._verify(written, story)
        return {
            d.facts[0]: d
            for d in written
            if d.support is not None
            and d.support.supported
            and rejection(d.text) is None
            # its "expected", "joke" or "at one point" kept, no cause added (paraphrase.py)
            and not paraphrase.faults(d.text, fill[d.facts[0]].text)
        }

    def _pool(self, d: Draft, story: Story) -> list[int]:
        pool = [m for k in d.facts if 0 <= k < len(story.facts) for m in story.facts[k].members]
        if not pool and d.support is not None:
            pool = [d.support.best]
        return pool[:4]

    @staticmethod
    def _fact_of(d: Draft, best: int, story: Story) -> int:
        """The plan's fact a sentence states: the one whose wordings hold its best evidence."""
        for k, f in enumerate(story.facts):
            if best in f.members:
                return k
        return d.facts[0] if d.facts else -1 - best

    def _once(
        self, checked: list[tuple[BriefSentence, int, int]], story: Story, notes: list[str]
    ) -> list[tuple[BriefSentence, int]]:
        """Each fact once, by meaning: a later sentence that states a fact already stated (its
        best evidence is in the same fact of the plan, it is near-identical in meaning to an
        earlier sentence, it only gives figures given already, or it repeats an earlier one's
        words: `repeats`) is dropped."""
        if not checked:
            return []
        vectors = story.embedder.embed([s.text for s, _, _ in checked])
        kept, opening = [], opening_facts(story.facts, story.sentences)
        for i, (sentence, fact, _) in enumerate(checked):
            # an earlier sentence it says again with more gives way to it (`repeats.echoed`)
            said = echoed(sentence.text, [checked[k][0].text for k in kept])
            others = [k for j, k in enumerate(kept) if j not in said]
            earlier = [(checked[k][0].text, checked[k][1]) for k in others]
            sims = [float(vectors[i] @ vectors[k]) for k in others]
            same_meaning = repeated(
                sentence.text,
                fact,
                earlier,
                sims,
                SAME_FACT_BRIEF,
                self.citations.duplicate_similarity,
                opens=fact in opening,
            )
            if same_meaning:
                notes.append(f"dropped repeated fact: {sentence.text}")
                continue
            notes += [f"dropped repeated fact: {checked[kept[j]][0].text}" for j in said]
            kept = others[: said[0]] + [i] + others[said[0] :] if said else [*kept, i]
        return [checked[i][:2] for i in kept]

    def _left_out(self, kept: list[tuple[BriefSentence, int]], story: Story) -> list[int]:
        """The plan's facts, in its order, that a brief short of FILL of its words (the model
        skipped or lost facts) gets: each one its sentences do not state yet, and has a verb
        (not "Members of the graduating class at ... commencement.": a photo's caption)."""
        if not kept:
            return []
        texts = [s.text for s, _ in kept]
        words = sum(len(t.split()) for t in texts)
        stated = {fact for _, fact in kept}
        heads = [story.sentences[f.index].text for f in story.facts]
        verbless = grammar.fragments(heads, written=True)  # a caption has no verb
        stated |= {k for k, t in enumerate(heads) if t in verbless}
        vectors = story.embedder.embed(texts)
        left: list[int] = []
        lowercase = story.vocabulary.lowercase
        for k, fact in enumerate(story.facts):
            if words >= FILL * self.brief_words or len(left) >= LEFT_OUT_ASKED:
                break
            text, vector = story.sentences[fact.index].text, story.vectors[fact.index]
            if k in stated or states(texts, vectors, text, vector, lowercase, SAME_FACT_BRIEF):
                continue
            left.append(k)
            vectors = np.vstack([vectors, vector])
            texts.append(text)
            words += len(text.split())
        return left

    def _fill(
        self,
        kept: list[tuple[BriefSentence, int]],
        fill: dict[int, BriefSentence],
        written: dict[int, Draft],
        story: Story,
        notes: list[str],
    ) -> list[BriefSentence]:
        """The brief with the facts it left out (`fill`, by fact: `_left_out`) added, each at
        its place in the plan's order of importance (after the sentences of the facts before
        it, never before the lead): in the model's words where it wrote them when asked
        (`written`, by fact), they passed the check and rest on that fact's own wordings (not
        on another fact's, which is then said twice: validation 37), else in the reports' words."""
        placed = list(kept)
        for k, wording in fill.items():
            d = written.get(k)
            if d is not None and d.support is not None and d.support.best in story.facts[k].members:
                sentence = self._cited(d.text, d.support, story)
                notes.append(f"wrote a fact the model left out: {sentence.text}")
            else:
                sentence = wording
                notes.append(
                    f"added the source wording of a fact the model left out: {sentence.text}"
                )
            at = max((i + 1 for i, (_, f) in enumerate(placed) if 0 <= f < k), default=1)
            placed.insert(max(1, at), (sentence, k))
        return [s for s, _ in placed]

    def _cited(self, text: str, s: cite.Support, story: Story) -> BriefSentence:
        evidence = tuple(
            Evidence(story.sentences[i].source, story.sentences[i].text) for i in s.evidence
        )
        return BriefSentence(text, s.citations, evidence)

    def _source_sentence(self, index: int, story: Story) -> BriefSentence:
        """A source sentence, citing each source of its fact; in the brief's language if any."""
        s, fit = story, (lambda j: plan_ok(story, j))
        index = cite.in_language(
            index, s.sentences, s.vectors, s.languages, s.language, fit, SAME_FACT
        )
        lowercase = s.vocabulary.lowercase
        return cite.source_sentence(index, s.sentences, s.vectors, SAME_FACT, lowercase)

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
