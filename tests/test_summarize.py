"""The brief writer's logic with a scripted generator (fast). The real model is exercised in
tests/test_end_to_end.py."""

import dataclasses
import re
import types

import pytest

from digest import summarize
from digest.config import Citations
from digest.embed import SentenceTransformerEmbedder
from digest.errors import ModelError
from digest.plan import plan
from digest.prompt import COPIED, parse_reply
from digest.prompt import brief as brief_prompt
from digest.records import Article, BriefSentence
from digest.summarize import BriefWriter, story_sentences
from tests.conftest import SAMPLES
from tests.fakes import gives_back

A1 = Article(
    path="a1.txt",
    title="Harbor Council backs marina expansion",
    text=(
        "The Harbor Council approved 1,250 new berths for the east marina on Monday. "
        'Mayor Ana Ruiz called the plan "a fair deal for the fishing fleet". '
        "Construction is due to start in March and last two years.\n\n"
        "The council said fees from the berths would pay for the work."
    ),
    content_hash="h1",
    source="Coast Post",
    published="2026-11-02",
)
A2 = Article(
    path="a2.md",
    title="East marina to grow by 1,250 berths",
    text=(
        "On Monday the Harbor Council voted to add 1,250 berths at the east marina. "
        "Work will begin in March, the council said. "
        "Fishing crews have waited a decade for more space in the harbor."
    ),
    content_hash="h2",
    source="Bay Daily",
    published="2026-11-03",
)


class Scripted:
    """A generator that replies with a fixed text and records the prompt it was given."""

    def __init__(self, reply: str | Exception):
        self.reply = reply
        self.messages = None

    def generate(self, messages, max_new_tokens, avoid=""):
        if (same := gives_back(messages)) is not None:
            return same  # asked for facts it left out: as the reports word them
        self.messages = messages
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


@pytest.fixture(scope="module")
def embedder():
    return SentenceTransformerEmbedder()


def sample_articles(*names: str) -> list[Article]:
    """The sample articles we wrote (samples/inbox) as ingest reads them."""
    from digest import ingest

    return [
        a
        for name in names
        for a in ingest.read_file(SAMPLES / name, (SAMPLES / name).read_bytes(), display_path=name)
    ]


def writer(embedder, generator, words=60):
    return BriefWriter(
        embedder, generator, Citations(), brief_words=words, input_words=200, max_new_tokens=200
    )


def test_parse_reply_variants():
    r = parse_reply(
        "Headline: Marina grows\n1. The council approved berths.\n2. Work starts in March."
    )
    assert r.headline == "Marina grows"
    # fact numbers are 0-based: line "1." restates the plan's first fact
    assert r.numbered == [((0,), "The council approved berths."), ((1,), "Work starts in March.")]
    r = parse_reply("**Headline:** Marina grows\n\n**1.** The council approved berths.")
    assert (r.headline, r.numbered) == ("Marina grows", [((0,), "The council approved berths.")])
    r = parse_reply("Marina grows\nThe council approved berths. Work starts in March.")
    assert (r.headline, r.numbered) == ("Marina grows", [])
    assert r.text == "The council approved berths. Work starts in March."
    # a line that merges two facts names both
    r = parse_reply("Headline: Marina grows\n2+3. Work starts in March and lasts two years.")
    assert r.numbered == [((1, 2), "Work starts in March and lasts two years.")]


def test_spaced_initials_are_joined_as_reports_write_them():
    # validation cluster 104: the model wrote "U. S." twice; both sentences failed the name check
    # ("missing u, s") and one was cut after "U." by the sentence splitter
    r = parse_reply("Headline: Drill ends\n1. The U. S. and South Korea/U. N. forces trained.")
    assert r.numbered == [((0,), "The U.S. and South Korea/U.N. forces trained.")]
    r = parse_reply("Headline: Tolkien\n1. J. R. R. Tolkien and George W. Bush met.")
    assert r.numbered == [((0,), "J. R. R. Tolkien and George W. Bush met.")]
    # "2:30 p. m." (validation 62), and a stray mark before a quotation (67)
    r = parse_reply(
        'Headline: Ferry\n1. The ferry left at 2:30 p. m. on Friday.\n2. \' "We sail," Ruiz said.'
    )
    assert r.numbered == [
        ((0,), "The ferry left at 2:30 p.m. on Friday."),
        ((1,), '"We sail," Ruiz said.'),
    ]


def test_selection_states_each_fact_once_and_keeps_sources():
    e = SentenceTransformerEmbedder()
    sentences = story_sentences([A1, A2])
    vectors = e.embed([s.text for s in sentences])
    titles = [A1.title, A2.title]
    facts = plan(sentences, vectors, titles, e.embed(titles), budget_words=200)
    # the approval is in both articles: one fact, known to be stated by both sources
    approvals = [f for f in facts if any("1,250" in sentences[m].text for m in f.members)]
    assert len(approvals) == 1 and approvals[0].sources == (1, 2)
    assert len({m for f in facts for m in f.members}) == sum(len(f.members) for f in facts)
    # the lead is the event (the approval), not a lesser fact
    assert facts[0] is approvals[0]
    prompt = brief_prompt(facts, sentences, 2, 300)[-1]["content"]
    assert "2 news reports" in prompt
    # the fact is shown once, with the other report's wording under it
    assert prompt.count("1,250") == 2
    assert "\n   - On Monday the Harbor Council voted to add 1,250 berths" in prompt


def test_supported_sentences_are_cited_and_a_wrong_number_is_replaced(embedder):
    gen = Scripted(
        "Headline: Harbor Council approves 1,250 berths for east marina\n"
        "The Harbor Council approved 1,250 new berths at the east marina on Monday. "
        "Construction will start in March and take 5 years. "
        'Mayor Ana Ruiz called it "a fair deal for the fishing fleet".'
    )
    brief = writer(embedder, gen).write(
        "s1", [A2, A1], version=1, updated="2026-11-04T00:00:00+00:00"
    )
    assert brief.headline == "Harbor Council approves 1,250 berths for east marina"
    # sources are numbered by publication date: A1 (Nov 2) is 1, A2 (Nov 3) is 2
    assert [s.path for s in brief.sources] == ["a1.txt", "a2.md"]
    texts = [s.text for s in brief.sentences]
    assert texts[0].startswith("The Harbor Council approved 1,250")
    assert brief.sentences[0].citations == (1, 2)
    assert not any("5 years" in t for t in texts)  # the invented duration never appears
    assert any("replaced unsupported sentence" in n and "5 years" in n for n in brief.notes)
    quote = [s for s in brief.sentences if "fair deal" in s.text]
    assert quote and quote[0].citations == (1,)
    assert all(s.citations for s in brief.sentences)


def test_repeats_are_dropped(embedder):
    gen = Scripted(
        "Headline: Marina to grow\n"
        "Brief: The Harbor Council approved 1,250 new berths at the east marina. "
        "The Harbor Council approved 1,250 new berths at the east marina on Monday."
    )
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    assert len([s for s in brief.sentences if "1,250" in s.text]) == 1
    assert any("repeated fact" in n for n in brief.notes)


def test_model_failure_falls_back_to_source_sentences(embedder):
    brief = writer(embedder, Scripted(RuntimeError("out of memory"))).write("s1", [A1, A2], 1, "t")
    assert brief.sentences, "a story always gets a brief"
    source_text = A1.text + " " + A2.text
    assert all(s.text in source_text for s in brief.sentences)
    assert all(s.citations for s in brief.sentences)
    assert brief.headline in (A1.title, A2.title)
    assert any("model failed" in n for n in brief.notes)


def test_a_model_that_cannot_be_loaded_stops_the_run(embedder):
    # not one story's bad luck but a setting to fix: no brief of source sentences papers over it
    with pytest.raises(ModelError, match="cannot load"):
        writer(embedder, Scripted(ModelError("cannot load the summarizer model"))).write(
            "s1", [A1, A2], 1, "t"
        )


def test_unsupported_headline_is_replaced_by_a_source_title(embedder):
    gen = Scripted(
        "Headline: Governor resigns over marina scandal\nBrief: The Harbor Council approved 1,250 new berths."
    )
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    assert brief.headline in (A1.title, A2.title)


def test_single_article_story_gets_a_brief(embedder):
    gen = Scripted(
        "Headline: Council backs marina expansion\nBrief: The Harbor Council approved 1,250 new berths for the east marina on Monday."
    )
    brief = writer(embedder, gen).write("s1", [A1], 1, "t")
    assert len(brief.sources) == 1
    assert brief.sentences and all(s.citations == (1,) for s in brief.sentences)


class Corrupts:
    """Restates each numbered fact of the prompt, but changes 1,250 to 900 in fact 1; asked to
    mend it, it makes the same mistake (or, with `mends`, restates the council's approval)."""

    def __init__(self, mends: str | None = None):
        self.mends = mends
        self.prompts: list[str] = []

    def generate(self, messages, max_new_tokens, avoid=""):
        if (same := gives_back(messages)) is not None:
            return same
        self.prompts.append(messages[-1]["content"])
        facts = [
            ln for ln in messages[-1]["content"].splitlines() if ln[:1].isdigit() and "<" not in ln
        ]
        if len(self.prompts) > 1 and self.mends:
            return f"1. {self.mends}"
        self.facts = getattr(self, "facts", facts)
        lines = ["Headline: Port Alder marina to grow"]
        for line in facts:
            n, text = line.split(". ", 1)
            lines.append(f"{n}. {text.replace('1,250', '900') if n == '1' else text}")
        return "\n".join(lines)


def test_a_numbered_sentence_that_changes_its_fact_is_replaced_by_that_fact(embedder):
    gen = Corrupts()
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert not any("900" in t for t in texts)
    fact_one = gen.facts[0].split(". ", 1)[1]
    assert "1,250" in fact_one  # the approval, stated by both sources, is the lead fact
    assert fact_one in texts  # its source wording stands in for the bad restatement
    assert any("replaced unsupported sentence (missing 900)" in n for n in brief.notes)
    assert all(s.citations for s in brief.sentences)
    # it was asked once to mend the sentence, told what was wrong
    assert len(gen.prompts) == 2
    assert "Draft: The Harbor Council approved 900" in gen.prompts[1]
    assert "'900' is not in the reports" in gen.prompts[1]


def test_a_sentence_mended_on_request_is_kept_with_its_citations(embedder):
    mended = "On Monday the Harbor Council approved 1,250 more berths for the east marina."
    gen = Corrupts(mends=mended)
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert mended in texts and not any("900" in t for t in texts)
    assert any(n.startswith("rewrote unsupported sentence") and "900" in n for n in brief.notes)
    [s] = [s for s in brief.sentences if s.text == mended]
    assert s.citations == (1, 2)  # both reports state the approval
    assert {e.n for e in s.evidence} == {1, 2}
    assert all("1,250" in e.text for e in s.evidence)


POOLS = Article(
    path="p.txt",
    title="Valley bans garden hoses",
    text=(
        "The water board banned garden hoses across the valley on Thursday. "
        "Filling private pools and hot tubs is banned under the new rules. "
        "Farmers are not covered by the new rules, the board said."
    ),
    content_hash="hp",
    source="Valley Post",
    published="2026-11-05",
)


def test_a_not_borrowed_from_a_neighbouring_fact_is_caught(embedder):
    # "pools ... not covered" takes its "not" from the farmers' sentence: the sentence it
    # rests on most says pools are banned
    gen = Scripted(
        "Headline: Valley bans garden hoses\n"
        "1. The water board banned garden hoses across the valley on Thursday.\n"
        "2. Filling private pools and hot tubs is not covered by the new rules."
    )
    brief = writer(embedder, gen).write("s1", [POOLS], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert not any("pools" in t and "not" in t for t in texts), texts
    # the checker named the problem (the sentence was then mended or replaced)
    assert any('says "not"' in n or "missing not" in n for n in brief.notes if "pools" in n)


def test_a_sentence_contained_in_an_earlier_one_is_dropped(embedder):
    gen = Scripted(
        "Headline: Marina to grow\n"
        "1. The Harbor Council approved 1,250 new berths on Monday, and work starts in March.\n"
        "2. Work on the berths starts in March."
    )
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert (
        texts[0]
        == "The Harbor Council approved 1,250 new berths on Monday, and work starts in March."
    )
    assert "Work on the berths starts in March." not in texts
    assert "dropped repeated fact: Work on the berths starts in March." in brief.notes


TEACHER = [
    Article(
        path="t1.txt",
        title="Former Larkfield teacher in custody, accused of luring a pupil",
        text=(
            "Geraldine Marsh, 28, was charged on Wednesday with child luring and corruption of "
            "minors. Police said she exchanged thousands of text messages with the girl. "
            "Neighbours said they had often seen her on the girl's front porch."
        ),
        content_hash="t1",
    ),
    Article(
        path="t2.txt",
        title="Teacher charged with luring 11-year-old student",
        text=(
            "Twenty-eight-year-old Geraldine Marsh was arraigned on Wednesday on charges of "
            "child luring and corruption of minors. She taught at a Larkfield school until March."
        ),
        content_hash="t2",
    ),
]


def test_a_headline_near_a_reports_title_is_kept_though_it_names_no_one(embedder):
    # read in a validation brief: the model's "Pittsburgh teacher accused of child luring,
    # corruption of minors" was replaced by a source's cut-off first line, since it shares no
    # name with a lead that names the teacher
    gen = Scripted(
        "Headline: Larkfield teacher accused of luring a pupil\n"
        "1. Geraldine Marsh, 28, was charged on Wednesday with child luring and corruption of minors."
    )
    brief = writer(embedder, gen).write("t", TEACHER, 1, "t")
    assert brief.headline == "Larkfield teacher accused of luring a pupil"


def test_one_figure_given_twice_in_other_words_is_one_fact(embedder):
    # read in a validation brief: "gave out 15,000 replicas ... read Tulowizki" and "handed out
    # 15,000 jersey replicas with the name misspelled", resting on two facts of the plan, were
    # both published
    first = BriefSentence(
        'The Larkfield Lions gave out 12,000 replica shirts of Tom Baird, but the back read "Bard".',
        (1,),
    )
    again = BriefSentence(
        "The Larkfield Lions handed out 12,000 replica shirts with their captain's name misspelled.",
        (2,),
    )
    other = BriefSentence("The Lions gave out 400 flags at the same match in May.", (2,))
    w = writer(embedder, None)
    notes: list[str] = []
    story = types.SimpleNamespace(embedder=embedder, facts=[], sentences=[])  # what `_once` reads
    kept = w._once([(first, 0, 0), (again, 1, 5), (other, 2, 7)], story, notes)
    assert [s.text for s, _ in kept] == [first.text, other.text]
    assert notes == [f"dropped repeated fact: {again.text}"]


def test_a_headline_that_misspells_a_name_is_replaced(embedder):
    # seen through the CLI: "Sarvonae quake: ..." for the reports' "Sarvonia" (one stem)
    gen = Scripted(
        "Headline: Harbour Council approves 1,250 berths\n"
        "1. The Harbor Council approved 1,250 new berths for the east marina on Monday."
    )
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    assert brief.headline in (A1.title, A2.title)
    assert any(n.startswith("replaced unsupported headline: Harbour") for n in brief.notes)


def test_a_sentence_that_joins_two_notes_states_both_facts(embedder):
    # notes 3 and 5 of this plan: "Work will begin in March, the council said." (report 2)
    # and "Construction is due to start in March and last two years." (report 1)
    gen = Scripted(
        "Headline: Harbor Council approves 1,250 berths for east marina\n"
        "1. The Harbor Council voted on Monday to add 1,250 berths at the east marina.\n"
        "3+5. Work on the berths will begin in March and last two years, the council said."
    )
    brief = writer(embedder, gen, words=50).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    joined = "Work on the berths will begin in March and last two years, the council said."
    [s] = [s for s in brief.sentences if s.text == joined]
    assert s.citations == (1, 2)  # it draws on both reports
    # neither note's source wording is added as if the model had left it out
    assert not any(n.startswith("added the source wording") and "March" in n for n in brief.notes)
    assert sum("March" in t for t in texts) == 1


class Mends:
    """Writes its first reply with `first`; asked to mend, answers with `mends`. `prompts`:
    the notes, then the requests to mend (not those for left-out facts: `gives_back`)."""

    def __init__(self, mends: str):
        self.mends = mends
        self.prompts: list[str] = []

    def generate(self, messages, max_new_tokens, avoid=""):
        if (same := gives_back(messages)) is not None:
            return same
        self.prompts.append(messages[-1]["content"])
        return self.first(messages) if len(self.prompts) == 1 else f"1. {self.mends}"

    def first(self, messages) -> str:
        raise NotImplementedError


class Rambles(Mends):
    """Restates each numbered fact, ends fact 1 with a vacuous "according to reports" and
    says fact 2 twice over."""

    def first(self, messages) -> str:
        facts = [
            ln for ln in messages[-1]["content"].splitlines() if ln[:1].isdigit() and "<" not in ln
        ]
        self.facts = [line.split(". ", 1)[1] for line in facts]
        lines = ["Headline: Harbor Council backs marina expansion"]
        for line in facts:
            n, text = line.split(". ", 1)
            if n == "1":
                text = text.rstrip(".") + ", according to reports."
            elif n == "2":
                text = f"{text.rstrip('.')}, as {text[0].lower()}{text[1:]}"
            lines.append(f"{n}. {text}")
        return "\n".join(lines)


def test_a_vacuous_attribution_is_cut_and_a_sentence_said_twice_is_sent_back(embedder):
    mended = "The council expects construction to begin in March and to last two years."
    gen = Rambles(mended)
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert len(gen.facts) >= 2
    assert not any("according to reports" in t for t in texts), texts
    assert gen.facts[0] in texts  # fact 1 as the model wrote it, less the filler
    assert all(s.citations for s in brief.sentences)
    # fact 2 said twice over was named to the model and not published
    assert len(gen.prompts) == 2 and "twice" in gen.prompts[1], gen.prompts
    assert not any(t.count(gen.facts[1].rstrip(".")[1:30]) > 1 for t in texts)
    assert any("twice" in n for n in brief.notes), brief.notes


def test_a_line_without_a_full_stop_is_no_sentence(embedder):
    # the model copied a report's title as one of its lines (train): no full stop, no sentence
    gen = Scripted(
        "Headline: Harbor Council backs marina expansion\n"
        "1. The Harbor Council approved 1,250 new berths for the east marina on Monday.\n"
        "2. Fishing crews have waited a decade for more space in the harbor\n"
        "3. Construction is due to start in March and last two years."
    )
    texts = [s.text for s in writer(embedder, gen).write("s1", [A1, A2], 1, "t").sentences]
    assert "The Harbor Council approved 1,250 new berths for the east marina on Monday." in texts
    assert "Fishing crews have waited a decade for more space in the harbor" not in texts, texts


def test_a_repeat_is_judged_on_content_words_not_on_will_or_would():
    from digest.repeats import contained as _contained

    # the sample Eastbank brief said it twice: "will" had counted as a word of the repeat
    earlier = (
        "Fares are free until Sunday night, and services run every seven minutes at peak times."
    )
    assert _contained("Trams will run every seven minutes.", earlier)
    assert not _contained("Buses will run every night from Monday.", earlier)
    assert not _contained("The council said it would review the fares in the spring.", earlier)


def test_a_title_case_headline_whose_verb_form_no_report_writes_is_kept(embedder):
    # seen in the seed story: the model's "Russia Recognizes Taliban government in
    # Afghanistan" was replaced, as "Recognizes" (the reports write "recognize", "recognized")
    # read as a name no report gives
    gen = Scripted(
        "Headline: Harbor Council Approves 1,250 New Berths\n"
        "1. The Harbor Council approved 1,250 new berths for the east marina on Monday."
    )
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    assert brief.headline == "Harbor council approves 1,250 new berths", brief.notes


def test_other_forms_of_a_word_are_ordinary_unless_the_reports_use_it_in_a_name():
    from digest.wording import sentence_case as _sentence_case

    lowercase = frozenset({"recognize", "recognized", "king", "opened", "the"})
    assert _sentence_case("Russia Recognizes The Taliban", lowercase) == (
        "Russia recognizes the Taliban"
    )
    assert _sentence_case("Kings Beat Lakers As Arena Opens", lowercase, {"kings", "lakers"}) == (
        "Kings Beat Lakers As Arena opens"
    )


def test_a_headline_with_an_accented_name_is_kept():
    # a name spelt as the reports spell it, accents and all, is no misspelling
    embedder = SentenceTransformerEmbedder()
    accented = [
        Article(
            path=a.path,
            title=a.title.replace("Harbor Council", "Peñalba council").replace("East", "Peñalba"),
            text=a.text.replace("Harbor Council", "Peñalba council"),
            content_hash=a.content_hash,
            source=a.source,
            published=a.published,
        )
        for a in (A1, A2)
    ]
    gen = Scripted(
        "Headline: Peñalba council approves 1,250 new berths\n"
        "1. The Peñalba council approved 1,250 new berths for the east marina on Monday."
    )
    brief = writer(embedder, gen).write("s1", accented, 1, "t")
    assert brief.headline == "Peñalba council approves 1,250 new berths", brief.notes


def test_a_share_line_title_is_never_the_headline(embedder):
    """The fallback headline is the title nearest the event that can be a headline: here the
    nearer report's "title" is its page's share line, so the other report's title is used."""
    share = Article(
        path="a3.txt",
        title="Follow HARBORNEWS.COM: Facebook | Twitter",
        text=A1.text,
        content_hash="h3",
        source="Harbor News",
        published="2026-11-02",
    )
    gen = Scripted(
        "Headline: Governor resigns over marina scandal\nBrief: The Harbor Council approved 1,250 new berths."
    )
    brief = writer(embedder, gen).write("s1", [share, A2], 1, "t")
    assert brief.headline == A2.title, brief.headline


class Leans(Mends):
    """Writes fact 2 as "They said ...", which leans on the sentence before it."""

    def first(self, messages) -> str:
        return (
            "Headline: Harbor Council backs marina expansion\n"
            "1. The Harbor Council approved 1,250 new berths for the east marina on Monday.\n"
            "2. They said fees from the berths would pay for the work."
        )


@pytest.mark.parametrize("mended", [True, False])
def test_a_model_sentence_that_leans_on_context_is_sent_back_to_name_who(embedder, mended):
    fixed = "The council said fees from the berths would pay for the work."
    gen = Leans(fixed if mended else "They said the berth fees would pay for it.")
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert len(gen.prompts) == 2 and "opens with 'They'" in gen.prompts[1], gen.prompts
    assert not any(t.startswith("They") for t in texts), texts  # never published leaning
    if mended:
        assert fixed in texts, (texts, brief.notes)
        assert any(n.startswith("rewrote unsupported sentence") for n in brief.notes)


def test_a_sentence_that_only_gives_a_figure_given_already_is_a_repeat(embedder):
    # the sample drought brief (session 9) said "31 percent" three times; its third sentence
    # gave nothing else new, at cosines 0.36-0.51 to the others, below the same-fact rule
    articles = sample_articles(
        "valley-herald-water-restrictions.json", "northfield-radio-drought-stage-two.txt"
    )
    gen = Scripted(
        "Headline: Corran Valley orders water restrictions\n"
        "1. The Corran Valley Water Board on Thursday ordered the region's first mandatory water "
        "restrictions in nine years, after the Tessel Reservoir dropped to 31 percent of its "
        "capacity.\n"
        "2. The reservoir is at 31 percent capacity, and it could take until spring to recover "
        "to at least 50 percent.\n"
        "3. The Tessel Reservoir, which provides most of the valley, stood at 31%.\n"
        "4. The Stage 2 rules affect about 240,000 residents."
    )
    brief = writer(embedder, gen, words=120).write("s1", articles, 1, "t")
    texts = [s.text for s in brief.sentences]
    assert not any("stood at 31%" in t for t in texts), texts
    assert any("dropped repeated fact: The Tessel Reservoir, which" in n for n in brief.notes)
    # a sentence that gives a new figure beside the old one is kept
    assert any("at least 50 percent" in t for t in texts), brief.notes
    assert any("240,000" in t for t in texts), brief.notes


def test_restated_figures_rule_keeps_new_numbers_and_distant_sentences():
    from digest.repeats import figures, restates_figures

    assert figures("It fell to 31 percent, or 31.5 per cent, or 40% of 12,000 in 2024.") == {
        "31%", "31.5%", "40%", "12000",
    }  # fmt: skip
    earlier = ["The reservoir fell to 31 percent of its capacity on Thursday."]
    # only the old figure, close, and its words mostly said: a repeat
    assert restates_figures("The reservoir stood at 31% on Thursday.", earlier, [0.5])
    # a new number, however small, is a new fact
    assert not restates_figures("The reservoir stood at 31% for 3 weeks.", earlier, [0.5])
    # far from the sentence that gives it: another subject with the same figure
    assert not restates_figures("Turnout stood at 31 percent.", earlier, [0.2])
    # mostly new words: more than the figure is said
    assert not restates_figures(
        "Farmers who irrigate orchards face fines when the reservoir is at 31%.", earlier, [0.5]
    )
    assert not restates_figures("The reservoir fell sharply.", earlier, [0.6])


def test_a_sentence_pointing_back_comes_after_the_one_that_names_it(embedder):
    # the sample battery brief said "The company said it hopes to sell storage units ..." one
    # sentence before "Veltra Cells, a start-up ...": the reader met "the company" unnamed
    articles = sample_articles("halden-gazette-battery.html", "science-desk-sodium-battery.md")
    gen = Scripted(
        "Headline: Sodium cell survives 5,000 cycles\n"
        "1. Researchers at the Halden Institute have developed a sodium-ion battery cell that "
        "retains 90 percent of its capacity over 5,000 full charge cycles.\n"
        "2. The company said it hoped to sell storage units to energy suppliers before the end "
        "of the decade.\n"
        "3. The institute has agreed to license the design to Veltra Cells, a start-up based in "
        "the city's science park."
    )
    texts = [
        s.text for s in writer(embedder, gen, words=120).write("s1", articles, 1, "t").sentences
    ]
    company = [k for k, t in enumerate(texts) if t.startswith("The company said")]
    veltra = [k for k, t in enumerate(texts) if "Veltra Cells" in t]
    assert company and veltra and company[0] == veltra[0] + 1, texts
    assert texts[0].startswith("Researchers at the Halden Institute"), texts


def test_pointing_back_moves_only_when_nothing_before_names_it():
    from digest.naming import antecedents_first

    texts = [
        "Researchers at the Halden Institute built a cell.",
        "The company said it hoped to sell units.",
        "Veltra Cells plans larger tests.",
    ]
    before = [[], ["The institute licensed the design to Veltra Cells."], []]
    assert antecedents_first(texts, before, set()) == [0, 2, 1]
    # named before: the order stands
    texts[0] = "Veltra Cells and the Halden Institute built a cell."
    assert antecedents_first(texts, before, set()) == [0, 1, 2]
    # named nowhere in the brief: nothing to move after
    texts[0], texts[2] = "Researchers built a cell.", "Larger tests follow."
    assert antecedents_first(texts, before, set()) == [0, 1, 2]
    # a sentence that does not point back is never moved
    texts = [
        "A cell was built.",
        "Veltra Cells said it hoped to sell units.",
        "Veltra plans tests.",
    ]
    assert antecedents_first(texts, [[], ["Veltra Cells licensed it."], []], set()) == [0, 1, 2]


def test_a_model_sentence_that_is_a_clause_alone_is_not_published(embedder):
    # read in Multi-News train briefs: "Even if it is boring." stood as a sentence
    gen = Scripted(
        "Headline: Harbor Council approves 1,250 berths\n"
        "1. The Harbor Council approved 1,250 new berths for the east marina on Monday.\n"
        "2. Even if construction starts in March."
    )
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert not any(t.startswith("Even if") for t in texts), texts
    assert any("not a whole sentence" in n and "Even if construction" in n for n in brief.notes)


A3 = Article(
    path="a3.txt",
    title="Marina berths will pay for themselves, analyst says",
    text=(
        "The Harbor Council's 1,250 new berths will pay for themselves within ten years, said "
        "Maria Keller, an analyst at Halden Capital.\n\n"
        "Keller said berth fees would rise by 4 percent a year."
    ),
    content_hash="h3",
    source="Harbor Money",
    published="2026-11-04",
)


def test_a_surname_met_first_gets_the_full_name(embedder):
    # validation cluster 143: "Levy said ..." came before any sentence naming Efraim Levy
    gen = Scripted(
        "Headline: Harbor Council approves 1,250 berths\n"
        "1. The Harbor Council approved 1,250 new berths for the east marina on Monday.\n"
        "2. Keller said berth fees would rise by 4 percent a year.\n"
        "3. Keller, an analyst at Halden Capital, said the berths will pay for themselves."
    )
    texts = [
        s.text for s in writer(embedder, gen, words=120).write("s1", [A1, A3], 1, "t").sentences
    ]
    osei = [t for t in texts if "Keller" in t]
    assert osei and osei[0].startswith("Maria Keller said berth fees"), texts
    assert all(not t.startswith("Maria Keller") for t in osei[1:]), texts  # the first mention only


def test_full_names_only_for_one_person_of_that_name_and_only_when_not_named_before():
    from digest.naming import in_full

    sources = [
        "Maria Keller, an analyst at Halden Capital, spoke on Monday.",
        "Kofi Mensah and Ama Mensah both voted against the plan.",
        "Larkfield is in the north of the country.",
    ]
    assert in_full(["Keller said fees would rise."], sources) == [
        "Maria Keller said fees would rise."
    ]
    # named in full first, or with a title: left alone
    named = ["Maria Keller spoke.", "Keller said fees would rise."]
    assert in_full(named, sources) == named
    assert in_full(["Ms. Keller said fees would rise."], sources) == [
        "Ms. Keller said fees would rise."
    ]
    # a possessive is the same person, named in full before
    owned = ["President Maria Keller spoke.", "Keller’s plan passed."]
    assert in_full(owned, [*sources, "Maria Keller’s plan passed on Monday."]) == owned
    assert in_full(["Keller’s plan passed."], sources) == ["Maria Keller’s plan passed."]
    # two people of that surname in the reports: the surname alone stays
    assert in_full(["Mensah voted against it."], sources) == ["Mensah voted against it."]
    # a firm that bears a person's name is not that person
    firm = ["Henry Ford founded the Ford Motor Company in 1903."]
    assert in_full(["Ford said sales fell."], firm) == ["Ford said sales fell."]
    # a place is not a person
    assert in_full(["Fees rose in Larkfield."], sources) == ["Fees rose in Larkfield."]
    # a word that is someone's surname and another's first name is left alone (validation 69:
    # "killed by her brother, Burke," became "... her brother, Stan Burke," after an analyst)
    family = [
        *sources,
        "Former FBI analyst Stan Keller reviewed the tapes on Monday.",
        "Keller Moss denied it.",
        "Their sister, Ana Moss, was six.",
    ]
    assert in_full(["Her brother, Keller, denied it."], family[3:]) == [
        "Her brother, Keller, denied it."
    ]
    # a building or a firm after the surname is no first name ("Trump Tower")
    tower = [*sources, "Keller Tower opened in the harbour district on Monday."]
    assert in_full(["Keller said fees would rise."], tower) == [
        "Maria Keller said fees would rise."
    ]


def test_when_no_title_can_be_the_headline_the_nearest_loses_its_dateline(embedder):
    # validation cluster 142: both reports' first lines were unfit ("... LLP:", "Your ..."),
    # and the fallback kept its "(CNN) " dateline
    wire = dataclasses.replace(
        A2, path="a4.txt", title="(CNN) Your harbor may grow by 1,250 berths, says the council"
    )
    release = dataclasses.replace(
        A1, title="LARKFIELD--(BUSINESS WIRE)--The following statement is issued by Ruiz LLP:"
    )
    gen = Scripted(
        "Headline: Governor resigns\nBrief: The Harbor Council approved 1,250 new berths."
    )
    brief = writer(embedder, gen).write("s1", [release, wire], 1, "t")
    assert not brief.headline.startswith(("(CNN)", "LARKFIELD--")), brief.headline


def test_a_quotation_off_by_a_word_is_put_back_in_the_reports_words(embedder):
    # validation clusters 170 and 172: 'called it "the most epic vehicle jump ever"' where the
    # report quotes "most epic vehicle jump ever"; the whole model sentence was replaced
    gen = Scripted(
        "Headline: Harbor Council approves 1,250 berths\n"
        "1. The Harbor Council approved 1,250 new berths for the east marina on Monday.\n"
        '2. Mayor Ana Ruiz called it "a fair deal for all the fishing fleet".'
    )
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert 'Mayor Ana Ruiz called it "a fair deal for the fishing fleet".' in texts, brief.notes


def test_only_a_near_quotation_is_mended():
    from digest.quotes import mend

    sources = ['She said: "We will not give up the harbour to the developers."', "No quote here."]
    texts = [
        'She vowed "we will not give up the harbour to developers."',  # a word dropped: mended
        'She said "not give up the harbour".',  # found word for word already: as written
        'She said "the developers will build it anyway".',  # nothing near: as written
        "No quotation at all.",
    ]
    assert mend(texts, sources) == [
        'She vowed "We will not give up the harbour to the developers."',
        *texts[1:],
    ]


class SaysShe(Mends):
    """Writes fact 2 as "She said ...", and, asked to mend it, writes it so again."""

    def first(self, messages) -> str:
        return (
            "Headline: Harbor Council approves 1,250 berths\n"
            "1. The Harbor Council approved 1,250 new berths for the east marina on Monday.\n"
            "2. She said berth fees would rise by 4 percent a year."
        )


def test_a_model_sentence_opening_with_she_names_the_person_the_report_names(embedder):
    # validation cluster 141: "She told police she struck the boy ..." was sent back, written
    # so again and then replaced by the report's words; the report's sentence names her
    gen = SaysShe("She said berth fees would rise by 4 percent a year.")
    brief = writer(embedder, gen, words=120).write("s1", [A1, A3], 1, "t")
    texts = [s.text for s in brief.sentences]
    # the model's sentence, with the name (in full at its first mention), not the report's
    assert "Maria Keller said berth fees would rise by 4 percent a year." in texts, texts
    # nothing sent back to mend (`prompts` leaves out a request for facts the model left out)
    assert len(gen.prompts) == 1, gen.prompts
    assert not any(n.startswith("replaced") for n in brief.notes), brief.notes


def test_a_pronoun_becomes_a_name_only_when_the_report_names_one_person_as_its_subject():
    from digest.naming import name_subjects

    texts = ["She said fees would rise.", "His plan passed.", "He was charged."]
    one = ["Maria Keller said berth fees would rise by 4 percent a year."]
    assert name_subjects(texts[:1], [one]) == ["Keller said fees would rise."]
    assert name_subjects(texts[1:2], [["Kofi Mensah's plan passed on Monday."]]) == [
        "Mensah’s plan passed."
    ]
    # two people: who is "he"?
    two = ["Kofi Mensah and Ama Osei voted against the plan on Monday."]
    assert name_subjects(texts[2:], [two]) == texts[2:]
    # the one person named is not the subject: "police arrested the mother of ..."
    object_only = ["Police in the harbor town arrested the mother of Kofi Mensah on Tuesday."]
    assert name_subjects(texts[2:], [object_only]) == texts[2:]
    # the reports call the person "Mrs.": not "He"
    assert name_subjects(texts[2:], [["Mrs. Ama Osei was charged on Monday."]]) == texts[2:]
    # nothing to point back from
    assert name_subjects(["Fees rose."], [one]) == ["Fees rose."]


def test_a_role_becomes_the_name_the_report_gives_the_same_verb():
    # read in a validation brief: "The victim was booked at ... County jail." where the report
    # said "<the accused> was booked at ... County jail on battery charges"
    from digest.naming import name_subjects

    booked = ["Police said Dana Pruitt was booked at Alder County jail on battery charges."]
    assert name_subjects(["The victim was booked at Alder County jail."], [booked]) == [
        "Pruitt was booked at Alder County jail."
    ]
    assert name_subjects(["The wedding guest was booked on Sunday."], [booked]) == [
        "The wedding guest was booked on Sunday."  # "guest" is no role of the list
    ]
    # the reports say it of the role too, or of two people, or of no one by name: unchanged
    for evidence in (
        booked + ["The victim was booked for a statement, a deputy said."],
        booked + ["Lee Carver was booked as well."],
        ["The suspect was booked at Alder County jail."],
    ):
        text = "The victim was booked at Alder County jail."
        assert name_subjects([text], [evidence]) == [text], evidence
    # the name is in the sentence already: "The woman told police Pruitt hit her."
    told = ["Ana Ruiz told police Pruitt hit her."]
    assert name_subjects(["The woman told police Pruitt hit her."], [told]) == [
        "Ruiz told police Pruitt hit her."
    ]
    hit = ["Pruitt told police he was hit first."]
    assert name_subjects(["The man told police Pruitt hit him."], [hit]) == [
        "The man told police Pruitt hit him."
    ]


def test_a_surname_the_tagger_once_calls_an_organisation_still_gets_the_full_name(monkeypatch):
    # train cluster 53: "McFadden, 46, was convicted ..." is tagged ORG by the small model, and
    # the brief's "McFadden was convicted ..." kept the bare surname though the reports name
    # Michael McFadden; a real firm of that name ("the Ford Motor Company") still blocks it
    from digest import naming

    def tagged(sentences):
        out = []
        for s in sentences:
            ents = [(m, "PERSON") for m in ("Maria Keller", "Henry Ford") if m in s]
            if "Keller, 46" in s:
                ents.append(("Keller", "ORG"))
            if "Ford Motor Company" in s:
                ents.append(("the Ford Motor Company", "ORG"))
            out.append(ents)
        return out

    monkeypatch.setattr(naming, "_entities", tagged)
    sources = ["Maria Keller, an analyst, spoke.", "Then Keller, 46, was convicted of fraud."]
    assert naming.in_full(["Keller was convicted."], sources) == ["Maria Keller was convicted."]
    firm = ["Henry Ford founded the Ford Motor Company in 1903."]
    assert naming.in_full(["Ford said sales fell."], firm) == ["Ford said sales fell."]


def test_a_title_cut_off_by_its_page_is_no_headline_the_leads_first_clause_is(embedder):
    # validation cluster 192: the story's only title was cut off ("... flew into a sleepy
    # airport in western…"), the model's headline was replaced, and the cut title was shown
    cut = dataclasses.replace(
        A1, title="The Harbor Council approved 1,250 new berths for the east marina after a…"
    )
    gen = Scripted(
        "Headline: Governor resigns\n"
        "1. The Harbor Council approved 1,250 new berths, the biggest expansion of the east marina.\n"
        '2. Mayor Ana Ruiz called the plan "a fair deal for the fishing fleet".'
    )
    brief = writer(embedder, gen).write("s1", [cut], 1, "t")
    assert not brief.headline.endswith(("…", "...")), brief.headline
    assert brief.headline == brief.sentences[0].text.split(", ")[0], brief.headline
    # validation cluster 204: the only title was an AP photo caption, shown whole (213 letters)
    caption = dataclasses.replace(
        A1,
        title="Mayor Ana Ruiz, left, and council clerk Tom Hale listen to arguments, Monday, "
        "Nov. 2, 2026, at the Larkfield council office... (Associated Press)",
    )
    brief = writer(embedder, gen).write("s1", [caption], 1, "t")
    assert "Associated Press" not in brief.headline, brief.headline
    assert brief.headline == brief.sentences[0].text.split(", ")[0], brief.headline


def test_an_english_story_is_written_with_the_english_embedder_a_french_one_with_the_story_embedder(
    embedder,
):
    """With the multilingual story embedder (the default), a story reported and briefed in
    English is compared on all-MiniLM-L6-v2's scale, where the writer's similarity settings
    were made; a story with a French report on the multilingual one's."""
    import dataclasses

    from digest import config
    from digest.engines import ENGLISH_WRITER, make_writer
    from tests.fakes import CountingEmbedder

    story_embedder, english = CountingEmbedder(embedder), CountingEmbedder(embedder)
    gen = Scripted(
        "Headline: Harbor Council approves 1,250 berths\n1. The Harbor Council approved 1,250 new berths."
    )
    w = BriefWriter(
        story_embedder, gen, Citations(), brief_words=60, input_words=200, max_new_tokens=200,
        english=english,
    )  # fmt: skip
    en = [dataclasses.replace(a, language="en") for a in (A1, A2)]
    w.write("s1", en, 1, "t")
    assert english.calls > 0 and story_embedder.calls == 0
    fr = [en[0], dataclasses.replace(en[1], language="fr")]
    english.calls = 0
    w.write("s2", fr, 1, "t")
    assert story_embedder.calls > 0 and english.calls == 0
    # a brief in French of English reports is compared on the multilingual scale too
    french = BriefWriter(
        story_embedder, gen, Citations(), brief_words=60, input_words=200, max_new_tokens=200,
        language="fr", english=english,
    )  # fmt: skip
    french.write("s3", en, 1, "t")
    assert english.calls == 0
    # the real writer of the default config: MiniLM beside the multilingual story embedder
    default = config.Config()
    assert default.embedder.model == "multilingual-e5-small"
    real = make_writer(default, story_embedder, gen)
    made_from = getattr(real.english, "folder", None) or getattr(real.english, "model_name", "")
    assert "minilm" in str(made_from).lower(), made_from
    minilm = make_writer(
        dataclasses.replace(default, embedder=config.Embedder(model=ENGLISH_WRITER)), embedder, gen
    )
    assert minilm.english is minilm.embedder


def test_a_sentence_repeating_an_earlier_ones_words_is_a_repeat(embedder):
    # read in a validation brief: "... faces a litany of charges including obstruction of
    # justice and witness intimidation" after "... was arraigned Wednesday on charges including
    # obstruction of justice and witness intimidation ...", at MiniLM cosine 0.33
    lead = BriefSentence("Ana Ruiz, the mayor of Tarn, resigned on Friday.", (1,))
    charged = BriefSentence(
        "Ruiz was charged on Monday with offences including fraud and witness tampering, "
        "prosecutors said.",
        (2,),
    )
    again = BriefSentence(
        "Ruiz now faces a long list of offences including fraud and witness tampering.", (1,)
    )
    new = BriefSentence(
        "Fraud and witness tampering carry prison terms of up to ten years in the region.", (2,)
    )
    w = writer(embedder, None)
    notes: list[str] = []
    story = types.SimpleNamespace(embedder=embedder, facts=[], sentences=[])  # what `_once` reads
    kept = w._once([(lead, 0, 0), (charged, 1, 3), (again, 2, 5), (new, 3, 7)], story, notes)
    assert [s.text for s, _ in kept] == [lead.text, charged.text, new.text]
    assert f"dropped repeated fact: {again.text}" in notes


def test_an_earlier_sentence_said_again_with_more_gives_way(embedder):
    # read in a validation brief: "New vocals appear on the finished version, as well as a
    # slide guitar." came before "New vocals appear on the finished version of <song>, which was
    # recorded in 1970." and both were published
    lead = BriefSentence("The Larkfield Players released two unheard recordings on Monday.", (1,))
    short = BriefSentence(
        "A new organ part appears on the finished version, as well as drums.", (1,)
    )
    full = BriefSentence(
        "A new organ part appears on the finished version of Harbour Lights, recorded in 1971.",
        (2,),
    )
    w = writer(embedder, None)
    notes: list[str] = []
    story = types.SimpleNamespace(embedder=embedder, facts=[], sentences=[])  # what `_once` reads
    kept = w._once([(lead, 0, 0), (short, 1, 3), (full, 2, 5)], story, notes)
    assert [s.text for s, _ in kept] == [lead.text, full.text]  # in the shorter one's place
    assert f"dropped repeated fact: {short.text}" in notes


def test_echoes_needs_a_shared_run_of_words_and_little_that_is_new():
    from digest.repeats import contained, echoes

    earlier = [
        "Ana Ruiz, the mayor of Tarn, resigned on Friday.",
        "Ruiz was charged on Monday with offences including fraud and witness tampering.",
    ]
    again = "Ruiz now faces a long list of offences including fraud and witness tampering."
    assert echoes(again, earlier)
    assert not any(contained(again, e) for e in earlier)  # the older rule misses it
    # the same run of words, but mostly new: a new fact about the offences
    assert not echoes(
        "Fraud and witness tampering carry prison terms of up to ten years in the region.", earlier
    )
    # its words said already, but in no run of four: not an echo (other rules judge it)
    assert not echoes("Prosecutors charged the mayor with fraud.", earlier)
    # a shared run of names and little words only is not enough
    named = ["Ana Ruiz, the mayor of Tarn, spoke."]
    assert not echoes("Ana Ruiz, the mayor of Tarn, was re-elected in 2019.", named)
    assert not echoes(again, [])


POISONED = [
    Article(
        path="p1.txt",
        title="Woman in critical condition after drinking cleaning chemical at diner",
        text=(
            "Rita Moss, 67, remains in critical condition after sipping iced tea laced with a "
            "cleaning chemical at a Dunmore diner on Sunday. Her lawyer said an employee mistook "
            "the chemical for sugar. The diner remains open while health inspectors investigate."
        ),
        content_hash="p1",
    ),
    Article(
        path="p2.txt",
        title="Diner chemical mix-up leaves customer in hospital",
        text=(
            "A 67-year-old woman, Rita Moss, is in critical condition at Dunmore General Hospital "
            "after drinking iced tea mixed with a cleaning chemical on Sunday. Police said no one "
            "else was harmed."
        ),
        content_hash="p2",
    ),
]


def test_a_brief_never_says_someone_died_where_the_reports_do_not(embedder):
    # read in validation brief 255: "... 67, died of severe burns after sipping ice tea ..." and
    # a headline "... dies from poisoned ice tea", while every report has her in hospital
    gen = Scripted(
        "Headline: Dunmore woman dies after drinking poisoned iced tea\n"
        "1. Rita Moss, 67, died after sipping iced tea laced with a cleaning chemical at a "
        "Dunmore diner on Sunday.\n"
        "2. Her lawyer said an employee mistook the chemical for sugar."
    )
    brief = writer(embedder, gen).write("p", POISONED, 1, "t")
    said = " ".join([brief.headline] + [s.text for s in brief.sentences])
    assert "died" not in said and "dies" not in said, said
    assert any("critical condition" in s.text for s in brief.sentences), brief.sentences
    assert any("died" in n for n in brief.notes), brief.notes


def test_grave_claims_need_their_family_in_the_evidence():
    from digest.grave import grave_mismatch

    hospital = ["Rita Moss remains in critical condition after the crash."]
    assert grave_mismatch("Rita Moss died after the crash.", hospital) == ["died"]
    assert grave_mismatch("Rita Moss was killed in the crash.", ["Rita Moss died."]) == []
    charged = ["Tom Hale was charged with fraud on Monday."]
    assert grave_mismatch("Tom Hale was convicted of fraud.", charged) == ["convicted"]
    assert grave_mismatch("Tom Hale was arrested for fraud.", charged) == ["arrested"]
    assert grave_mismatch("Tom Hale was charged with fraud.", charged) == []
    assert grave_mismatch("Rita Moss est morte.", hospital) == []  # English words only


def test_turned_himself_in_and_booked_into_jail_are_arrests():
    from digest.grave import grave_mismatch

    # validation 60: a headline "Police arrest <him> ..." where he "turned himself in ... and
    # was booked into jail" was replaced
    booked = ["Tom Hale turned himself in to police and was booked into jail on Sunday."]
    assert grave_mismatch("Larkfield police arrest Tom Hale over robberies", booked) == []
    assert grave_mismatch("Tom Hale surrendered to police.", ["Police arrested Tom Hale."]) == []


def test_full_names_come_from_reports_in_english():
    # the four-language ferry brief said "the island of Insel Tarnholm": spaCy's English tagger
    # took the German report's "Insel Tarnholm" (island Tarnholm) for a person's full name
    from digest.naming import reading_order
    from digest.records import Sentence

    german = "Die Passagierfähre Aurora Bay ist am Samstag vor der Insel Tarnholm aufgelaufen."
    english = "The passenger ferry Aurora Bay ran aground off the island of Tarnholm on Saturday."
    sentences = [Sentence(1, 0, german), Sentence(2, 0, english)]
    brief = [BriefSentence("The ferry Aurora Bay ran aground off the island of Tarnholm.", (2,))]
    kept = reading_order(brief, sentences, set(), {1: "de", 2: "en"})
    assert kept[0].text == "The ferry Aurora Bay ran aground off the island of Tarnholm."
    # without the languages every report is read (the German name is taken): what it mends
    taken = reading_order(brief, sentences, set())
    assert taken[0].text == "The ferry Aurora Bay ran aground off the island of Insel Tarnholm."


class LeavesOut:
    """Writes only fact 1; asked again for the facts it left out, says the start of work in
    its own words (`work`) and gives every other item back as it was sent."""

    def __init__(self, work: str):
        self.work = work
        self.calls: list[tuple[str, str]] = []  # (prompt, avoid)

    def generate(self, messages, max_new_tokens, avoid=""):
        self.calls.append((messages[-1]["content"], avoid))
        if len(self.calls) == 1:
            return (
                "Headline: Harbor Council approves 1,250 berths\n"
                "1. The Harbor Council approved 1,250 new berths for the east marina on Monday."
            )
        drafts = re.findall(r"^(\d+)\. Draft: (.*)$", messages[-1]["content"], re.M)
        return "\n".join(f"{n}. {self.work if 'March' in d else d}" for n, d in drafts)


def test_a_photo_caption_is_never_added_as_a_left_out_fact(embedder):
    # read in a held-out validation brief (145): "Members of the graduating class at the ...
    # commencement in Atlanta." added in its report's words to fill the brief; no verb
    caption = (
        "Skippers of the Larkfield fishing fleet at the east marina beside their boats "
        "on the morning of the vote."
    )
    a3 = dataclasses.replace(
        A2,
        path="a3.txt",
        title="Fleet cheers marina vote",
        content_hash="h3",
        source="Fleet News",
        text=f"{caption}\n\nThe Harbor Council approved 1,250 new berths at the east marina "
        "on Monday. Skippers cheered the vote.",
    )
    gen = LeavesOut("The council said that work is to start in March.")
    brief = writer(embedder, gen, words=200).write("s1", [A1, A2, a3], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert caption not in texts and not any(caption in n for n in brief.notes), brief.notes
    # the brief is still filled with the facts that are sentences
    assert "The council said fees from the berths would pay for the work." in texts, texts


def test_a_fact_the_model_left_out_is_asked_for_and_published_in_its_words(embedder):
    work = "The council said that work is to start in March."
    gen = LeavesOut(work)
    brief = writer(embedder, gen, words=120).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert len(gen.calls) == 2
    asked, avoid = gen.calls[1]
    # the left-out fact went back in a report's wording, the problem named, copying guarded
    assert "Draft: Work will begin in March, the council said." in asked
    assert f"Problem: {COPIED}." in asked
    assert "Work will begin in March, the council said." in avoid
    assert work in texts, texts
    assert "Work will begin in March, the council said." not in texts
    [s] = [s for s in brief.sentences if s.text == work]
    assert 2 in s.citations and any("March" in e.text for e in s.evidence)
    assert f"wrote a fact the model left out: {work}" in brief.notes
    # the other left-out facts it gave back unchanged are filled in the reports' words
    assert any(n.startswith("added the source wording") for n in brief.notes), brief.notes


@pytest.mark.parametrize(
    "answer",
    [
        "The council said that work is to start in May.",  # a date the reports do not give
        # two sentences, the second the request's own words (validation cluster 84)
        "The council said that work is to start in March. The reports say it was agreed.",
        "The reports say that work is to start in March, the council said.",
        # a cause the report does not give (digest/paraphrase.py)
        "The council said that work is to start in March due to the weather.",
    ],
)
def test_a_left_out_fact_written_wrong_is_published_in_the_reports_words(embedder, answer):
    gen = LeavesOut(answer)
    brief = writer(embedder, gen, words=120).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert not any(re.search(r"\bMay\b", t) for t in texts), texts
    assert "Work will begin in March, the council said." in texts, texts  # as reported
    assert not any("reports say" in t for t in texts), texts
    assert not any(n.startswith("wrote a fact") for n in brief.notes)
    assert len(gen.calls) == 2  # asked once, not again


@pytest.mark.parametrize(
    ("text", "leaks"),
    [
        ("The bill will pass. The reports say it has a majority.", True),  # validation 49
        ("Coats were favored by his wife Annette, as reported by the reports.", True),  # 81
        ("Draft: Work starts in March.", True),
        ("In your own words, the council approved the berths.", True),
        ("The report says the council approved 1,250 berths.", False),  # a real report's finding
        ("The council's problem: the berths cost $3 million.", False),
        ("Reports of the vote reached the mayor on Monday.", False),
    ],
)
def test_a_reply_that_holds_the_requests_own_words_is_told(text, leaks):
    from digest.prompt import scaffolding

    assert scaffolding(text) is leaks


class SkipsToFees(LeavesOut):
    """Writes fact 1 and the note on berth fees, skipping the notes between; asked for the
    facts it left out, gives each back as it was sent."""

    def generate(self, messages, max_new_tokens, avoid=""):
        if len(self.calls) == 0:
            self.calls.append((messages[-1]["content"], avoid))
            notes = re.findall(r"^(\d+)\. (.*)$", messages[-1]["content"], re.M)
            self.fees = next(int(n) for n, text in notes if "fees" in text)
            return (
                "Headline: Harbor Council approves 1,250 berths\n"
                "1. The Harbor Council approved 1,250 new berths for the east marina on Monday.\n"
                f"{self.fees}. Berth fees will pay for the marina work, the council said."
            )
        return super().generate(messages, max_new_tokens, avoid)


def test_a_fact_the_model_left_out_takes_its_place_in_the_plans_order(embedder):
    gen = SkipsToFees("nothing")
    brief = writer(embedder, gen, words=120).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert gen.fees > 2  # the plan has facts between the lead and the fees
    fees = texts.index("Berth fees will pay for the marina work, the council said.")
    added = [n.split(": ", 1)[1] for n in brief.notes if "a fact the model left out" in n]
    notes = re.findall(r"^(\d+)\. (.*)$", gen.calls[0][0], re.M)
    before = [t for n, t in notes if 1 < int(n) < gen.fees and t in added]
    assert before, (notes, added)  # facts of the plan before the fees were left out, then added
    # each goes between the lead and the fees, as the plan orders them, not after the fees
    assert all(0 < texts.index(t) < fees for t in before), texts


def test_a_short_brief_gets_the_plans_next_facts_though_its_prompt_had_no_room(
    embedder, monkeypatch
):
    # the prompt's plan holds the lead alone; the model writes it, and the brief is short of
    # its length: the next facts of the plan (the reserve) are asked for in the model's words
    monkeypatch.setattr(summarize, "PLAN_FACTOR", 0.3)
    work = "The council said that work is to start in March."
    gen = LeavesOut(work)
    brief = writer(embedder, gen, words=50).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    notes = re.findall(r"^(\d+)\. (.*)$", gen.calls[0][0], re.M)
    assert len(notes) == 1 and "1,250" in notes[0][1]  # the prompt: the lead only
    assert len(gen.calls) == 2 and "Draft: " in gen.calls[1][0]
    assert texts[0] == "The Harbor Council approved 1,250 new berths for the east marina on Monday."
    assert work in texts, texts  # a fact that was in no prompt, in the model's words
    # and others in the reports' words (the fake gives them back unchanged)
    assert "Fishing crews have waited a decade for more space in the harbor." in texts, texts
    assert any(n.startswith("added the source wording") for n in brief.notes), brief.notes
    assert sum(len(t.split()) for t in texts) >= 0.85 * 50
    # with no reserve the brief stays the lead alone
    monkeypatch.setattr(summarize, "RESERVE_FACTOR", 0.3)
    short = writer(embedder, LeavesOut(work), words=50).write("s1", [A1, A2], 1, "t")
    assert [s.text for s in short.sentences] == texts[:1]


def test_a_model_sentence_most_of_whose_words_no_report_says_is_not_published(embedder):
    # read in train briefs: "The discovery is significant because it provides new information
    # about ancient Roman shipwrecks." (the model's own comment), "Angela's husband, who was
    # driving, ..." on a report that said only that Angela thanked everyone
    comment = "The Harbor Council vote highlights the importance of the fishing fleet to the harbor economy."
    gen = Scripted(
        "Headline: Harbor Council approves 1,250 berths\n"
        "1. The Harbor Council approved 1,250 new berths at the east marina on Monday.\n"
        f"2. {comment}"
    )
    brief = writer(embedder, gen).write("s1", [A2, A1], version=1, updated="t")
    assert comment not in [s.text for s in brief.sentences]
    assert any("the reports do not say" in n and "economy" in n for n in brief.notes), brief.notes
    assert brief.sentences[0].text.startswith("The Harbor Council approved 1,250")


def test_a_sentence_translated_from_reports_in_another_language_is_not_held_to_their_words(
    embedder,
):
    # a brief in English of French reports shares few words with them: that is translation
    comment = "The Harbor Council vote highlights the importance of the fishing fleet to the harbor economy."
    gen = Scripted(
        "Headline: Harbor Council approves 1,250 berths\n"
        "1. The Harbor Council approved 1,250 new berths at the east marina on Monday.\n"
        f"2. {comment}"
    )
    french = [dataclasses.replace(a, language="fr") for a in (A2, A1)]
    brief = writer(embedder, gen).write("s1", french, version=1, updated="t")
    assert not any("the reports do not say" in n or "unsaid" in n for n in brief.notes), brief.notes


class AddsAClaim(Mends):
    """Gives the first fact a second predicate no report says."""

    def first(self, messages) -> str:
        return (
            "Headline: Harbor Council approves 1,250 berths\n"
            "1. The Harbor Council approved 1,250 new berths at the east marina on Monday and "
            "closed the lighthouse museum."
        )


@pytest.mark.parametrize(
    "mends, kept",
    [
        # the claim said again in other words (held-out validation 240: "..., his family said he
        # suffered from schizophrenia"): not taken, the report's wording stands
        ("The Harbor Council, which closed the lighthouse museum, approved 1,250 berths.", False),
        ("The Harbor Council approved 1,250 berths for the east marina on Monday.", True),
    ],
)
def test_a_claim_no_report_makes_is_not_taken_back_in_other_words(embedder, mends, kept):
    gen = AddsAClaim(mends)
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert len(gen.prompts) == 2 and "lighthouse" in gen.prompts[1]  # sent back once, named
    assert not any("lighthouse" in t for t in texts), texts
    assert (mends in texts) == kept, texts
    assert texts[0].startswith("The Harbor Council approved 1,250"), texts


def test_unsaid_asks_for_most_of_a_sentences_words_in_its_evidence():
    from digest.wording import unsaid

    evidence = ['"I would like to thank everyone," said Ana Ruiz.']
    assert unsaid("Ana Ruiz's husband, who was driving, praised his wife's courage.", evidence)
    # a paraphrase that keeps a third of its words is the model's to write
    assert not unsaid("Ana Ruiz thanked everyone who helped, she said.", evidence)
    assert not unsaid("Ruiz thanked everyone.", evidence)  # under four content words: not judged


def test_unsaid_asks_for_a_second_predicates_words_in_its_evidence():
    """A predicate joined by "and" that no report sentence it rests on says: held-out validation
    240 gave the boy his brother's illness ("Shimron was the youngest of six siblings and suffered
    from schizophrenia"), 245 gave the handler the NPO's adoption."""
    from digest.wording import unsaid

    evidence = ["Tomas was the youngest of six children, his family said."]
    assert unsaid("Tomas was the youngest of six children and suffered from asthma.", evidence)
    # the second predicate in other words, but with a word of the report: the model's to write
    said = ["Tomas, the youngest of six children, was taken to hospital with asthma."]
    assert not unsaid("Tomas was the youngest of six children and suffered from asthma.", said)
    # a second subject is a clause of its own, judged as a whole; one content word is not judged
    assert not unsaid("Tomas was the youngest of six children, and police said he fell.", evidence)
    assert not unsaid("Tomas was the youngest of six children and smiled.", evidence)
    # "..., saying ..." is a predicate of its own too (validation 27: the police defended a
    # decision, "saying it was a good day for cyclists")
    pier = ["The council defended its decision to close the pier on Monday."]
    assert unsaid("The council defended its decision to close the pier, saying it was a good day for ferries.", pier)
    unsafe = pier + ["The council said the pier was unsafe."]
    assert not unsaid("The council defended its decision to close the pier, saying it was unsafe.", unsafe)


class WritesAnotherFact(LeavesOut):
    """Asked again for the facts it left out, writes the fees fact in place of the fishing
    crews' (validation 37 published one fact twice so: the model's words for it in place of
    another left-out fact, then its report's words in its own place)."""

    def __init__(self, work: str, fees: str):
        super().__init__(work)
        self.fees = fees

    def generate(self, messages, max_new_tokens, avoid=""):
        reply = super().generate(messages, max_new_tokens, avoid)
        return re.sub(r"^(\d+)\. Fishing crews.*$", rf"\1. {self.fees}", reply, flags=re.M)


def test_a_left_out_fact_written_as_another_fact_is_published_in_its_reports_words(embedder):
    fees = "Fees from the new berths will pay for the work, the council said."
    gen = WritesAnotherFact("The council said that work is to start in March.", fees)
    brief = writer(embedder, gen, words=120).write("s1", [A1, A2], 1, "t")
    texts = [s.text for s in brief.sentences]
    assert fees not in texts, texts
    assert "Fishing crews have waited a decade for more space in the harbor." in texts
    assert len([t for t in texts if "fees" in t.lower()]) == 1, texts


def test_a_headline_with_a_figure_of_another_fact_is_replaced(embedder):
    # validation 0: "US ranked 53rd in the world", where 53rd was its rank in culture only: a
    # figure the lead and the reports' titles do not give comes from another fact
    a2 = dataclasses.replace(A2, text=A2.text + " The marina's 300 berths have been full since May.")
    gen = Scripted(
        "Headline: Harbor Council approves 300 berths for east marina\n"
        "1. The Harbor Council approved 1,250 new berths for the east marina on Monday."
    )
    brief = writer(embedder, gen).write("s1", [A1, a2], 1, "t")
    assert brief.headline in (A1.title, A2.title)
    assert any(n.startswith("replaced unsupported headline: Harbor") for n in brief.notes)
    # the lead's own figure is the headline's to give
    gen = Scripted(
        "Headline: Harbor Council approves 1,250 berths for east marina\n"
        "1. The Harbor Council approved 1,250 new berths for the east marina on Monday."
    )
    brief = writer(embedder, gen).write("s1", [A1, A2], 1, "t")
    assert brief.headline == "Harbor Council approves 1,250 berths for east marina"
    # a figure that opens a name is the name's ("30 Rock", validation 5)
    a2 = dataclasses.replace(A2, text=A2.text + " The 7 Seas Club will run the new berths.")
    gen = Scripted(
        "Headline: 7 Seas Club to run 1,250 new berths at east marina\n"
        "1. The Harbor Council approved 1,250 new berths for the east marina on Monday."
    )
    brief = writer(embedder, gen).write("s1", [A1, a2], 1, "t")
    assert brief.headline == "7 Seas Club to run 1,250 new berths at east marina"


def test_the_event_told_again_by_another_reports_opener_is_a_repeat(embedder):
    # validation 246: "A former Millis police officer was found dead ..." and "... has died
    # after apparently committing suicide" after the lead "Bryan Johnson, 24, died ...":
    # other reports' openers, each a fact of the plan, said the event three times
    from digest.plan import Fact
    from digest.records import Sentence

    sentences = [
        Sentence(1, 0, "Ana Ruiz, the mayor of Tarn, resigned on Friday after a fraud inquiry."),
        Sentence(1, 1, "Ruiz was elected in 2019 on a promise to rebuild the harbour."),
        Sentence(2, 0, "The mayor of the coastal town of Tarn has quit over a fraud inquiry."),
        Sentence(2, 4, "The town's council will choose an acting mayor next week."),
    ]
    facts = [Fact((0,), (1,), 1.0), Fact((1,), (1,), 0.5), Fact((2,), (2,), 0.8), Fact((3,), (2,), 0.4)]
    lead = BriefSentence("Ana Ruiz, the mayor of Tarn, resigned on Friday after a fraud inquiry.", (1,))
    again = BriefSentence("The mayor of the coastal town of Tarn quit over a fraud inquiry.", (2,))
    later = BriefSentence("The council of Tarn will choose an acting mayor next week.", (2,))
    w = writer(embedder, None)
    story = types.SimpleNamespace(embedder=embedder, facts=facts, sentences=sentences)
    notes: list[str] = []
    kept = w._once([(lead, 0, 0), (again, 2, 2), (later, 3, 3)], story, notes)
    assert [s.text for s, _ in kept] == [lead.text, later.text]
    assert notes == [f"dropped repeated fact: {again.text}"]
    # an opener that gives a figure the lead lacks is news of its own (the README's tram
    # brief lost "roughly 18,000 people used the line" to the first version of this rule)
    counted = BriefSentence("The mayor of the coastal town of Tarn quit over a 40,000-euro fraud.", (2,))
    notes = []
    kept = w._once([(lead, 0, 0), (counted, 2, 2), (later, 3, 3)], story, notes)
    assert [s.text for s, _ in kept] == [lead.text, counted.text, later.text]
    # the same sentence from a fact that opens no report is a fact of its own
    story.sentences = [*sentences[:2], dataclasses.replace(sentences[2], position=6), sentences[3]]
    notes = []
    kept = w._once([(lead, 0, 0), (again, 2, 2), (later, 3, 3)], story, notes)
    assert [s.text for s, _ in kept] == [lead.text, again.text, later.text]
