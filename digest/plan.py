"""Planning a brief: from a story's articles to its event and key facts, in order of importance.

No model writes here; this is the editor's work before the writing:
1. Every article is split into sentences; datelines and filler openers are cut off, and sentences that can never
   be a brief's fact (captions, bylines, questions, asides in the first person, sentences that
   lean on context they lack: "He said then ...", "This ...") are not candidates.
2. Candidate sentences that state one fact across reports are grouped (average linkage).
3. The event is what most reports' titles and first sentences share: their mean embedding.
   The lead is the fact that states it best among the facts that open a report.
4. Each fact is scored (FACT_WEIGHTS): how central, how many reports state it, how near the
   event, how early, whether it holds a title's figure or name (it must not go missing);
   background and mostly-quoted facts score lower.
5. The key facts are chosen by maximal marginal relevance within the length budget, ordered
   as an inverted pyramid: the lead, then the rest by importance.
The work is bounded whatever the input (MAX_SENTENCES, MAX_CANDIDATES).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from . import furniture, grammar, wording
from .attribution_languages import names_a_speaker
from .records import Article, Sentence
from .sentences import split_sentences

SAME_FACT = 0.70  # source sentences this similar (average linkage) state the same fact
MIN_WORDS, MAX_WORDS = 5, 60  # source sentences outside this range are not candidates
MAX_SENTENCES = 80  # sentences of one article considered (the rest is rarely news, and unbounded)
MAX_CANDIDATES = 600  # candidate sentences of one story grouped into facts (all pairs: bounded)

# "WASHINGTON (Reuters) - ", "LONDON, Nov. 3 (AP) — ", "PARIS -- ", "BOSTON--(BUSINESS WIRE)--",
# "OSAN AIR BASE, South Korea – ": a dateline, not a fact.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'’-]+(?:[ ,]+[A-Z][A-Za-z.'’-]+){0,4}(?:,? [A-Z][a-z]{2,8}\.? \d{1,2})?"
    r"\s*(?:\([A-Za-z .&/-]{2,30}\))?\s*(?:--|[-—–])\s+"
    # an agency's name alone: "(CNN) Some ...", "(CNN) - The swell ..." (CNN's own pages)
    r"|\((?:CNN|AP|AFP|Reuters|UPI|Bloomberg|[A-Z]{2,6})\)\s*(?:(?:--|[-—–])\s*)?"
    # a press release's: "SAN FRANCISCO--(BUSINESS WIRE)--The following ..."
    r"|[A-Z][A-Z .,'’-]{1,40}--\([A-Za-z .&/-]{2,30}\)--\s*)(?=[A-Z\"“])"
)
# "In a move with significant geopolitical implications, Russia ...": a filler clause before
# the news; the sentence starts where the news does.
_FILLER = re.compile(
    r"^(?:In (?:a|an) (?:[a-z-]+ ){0,3}(?:move|development|step|decision|turn|twist|shift)"
    r"(?: (?:that|which|with|of|likely|expected|seen)\b[^,]{0,80})?"
    r"|In what (?:is|was|has been|could be|may be|appears to be|many (?:see|saw) as|[a-z]+ "
    r"(?:called|described as))\b[^,]{0,80}"
    r"|(?:Notably|Significantly|Interestingly|Importantly|Remarkably|Surprisingly|Crucially"
    # a connective to the sentence before (held-out validation 255, 253): "In fact, the tea was
    # laced ..." is "The tea was laced ..."; "Not only that, but they said ..." leans on "they"
    r"|In fact|In addition|What['’]s more|Beyond that|On top of that|Even so)),\s+"
    r"(?=[A-Za-z\"“])|^Not only that,? but\s+"
)
# "Obamacare should strengthen that effort.": a shell noun pointing back at what the sentence
# does not say (read on Multi-News train); "this week", "that day" are times, not pointers.
_POINTS_BACK = re.compile(
    r"\b(?:this|that|these|those|such)\s+(?:effort|move|decision|incident|issue|problem|idea"
    r"|approach|step|trend|situation|development|remark|comment|argument|claim|criticism|"
    r"practice|view|case|question|plan|change|finding|debate)s?\b(?!\s+(?:to|of|that|which|who|by|on))"
)
# The writer's own voice, not a report: a stance or an idiom opens the sentence ("Talk about
# too many cooks ...", "Looks like it's still his seat to lose", "Of course, ...").
_COMMENTARY = re.compile(
    r"^(?:Talk about|Looks like|Seems like|Sounds like|Turns out|Make no mistake|No wonder|"
    r"Needless to say|Say what you will|Let's|Let us|Let me|Don't|Go figure|Mind you|Alas\b|"
    r"Of course\b|Remember,|Sure,|Well,|Oh,|Oh well\b|Ironically,|Sadly,|Thankfully,|Luckily,|"
    r"Fortunately,|Unfortunately,|Amazingly,|Surprisingly,|Not surprisingly,|Predictably,|"
    r"Obviously,|Clearly,|Frankly,|Honestly,|Surely\b|Bottom line|The bottom line|The upshot|"
    r"The takeaway|"
    # "Well…. with just a moment of critical analysis, ...", "Okay fine, ...", "Yeah that's 100%
    # not okay." (held-out validation 247, 71, 51)
    r"Well(?:…|\.\.\.)|Yeah\b|Okay\b|Wow\b|"
    # the reader asked to picture a scene: "Picture a volcanic eruption: fiery lava ..." (held-out
    # validation 243 led with it)
    r"(?:Picture|Imagine) (?:a|an|the|this|that|yourself|you're|you’re)\b|"
    # a blogger's verdict (a train brief published both)
    r"(?:The|But the) (?:real|bigger|true) (?:scandal|story|problem|issue|outrage)(?: here)? is\b|"
    r"There (?:was|is) absolutely\b)"
)
# Sentences that lean on what came before them: a pronoun or a connective opens them, or a
# quotation is attributed to a bare pronoun ('"...," she said.').
_LEANS = {
    "he", "she", "they", "it", "this", "that", "these", "those", "his", "her", "their", "its",
    "him", "them", "but", "and", "or", "so", "yet", "also", "still", "then", "instead", "such",
    "however", "otherwise", "nevertheless", "nonetheless", "meanwhile", "besides", "moreover",
    "furthermore", "thus", "hence", "therefore", "likewise", "similarly", "both", "neither",
    "indeed", "again", "anyway", "maybe", "perhaps", "except", "it's", "it’s", "that's", "that’s", "either",
    # a teaser that points at the page: "Meet K-5, the droid ...", "Here's a sampling of ..."
    "meet", "here", "here's", "here’s", "watch",
}  # fmt: skip
_ANSWER = re.compile(
    r"^(?:(?:Today|Now|This time|This year),? not so|Not only that|Not yet|Not really|Not so|"
    r"Yes|No|Nope|Absolutely|Exactly)[,!:]"
)
# an item of the writer's list: "For one, consider ...", "Second, the growth of ..." (a held-out
# validation brief published both; 7 train sentences, all list items or asides)
_LIST_ITEM = re.compile(
    r"^(?:For one|For starters|First|Firstly|First of all|Second|Secondly|Third|Thirdly|Fourth|"
    r"Fifth|Lastly|Finally|Last but not least),"
)
# a transcript's speaker or a page's label before a colon: "Jerry Dodson: No, not at all.",
# "Drop This Fact: Denmark is ..." (a validation brief published it; 6 train sentences, 5 of
# them an interview's answers)
_LABEL = re.compile(r"^(?:[A-Z][a-z'’]+\s){1,3}[A-Z][a-z'’]+:\s+[A-Z“\"]")
# "Each year ...", "Each of the five ..." stand alone; "Each pile would be ...", "Each was born
# on ..." do not (11 of the 12 other "Each" openers of Multi-News train and validation)
_EACH_STANDS = {"year", "day", "week", "month", "time", "of", "one", "season", "weekend", "night"}
_PRONOUN_SAID = re.compile(
    r"[\"”’']\s*,?\s*(?:he|she|they|it) (?:said|says|added|told|wrote|continued|explained|noted|asked)\b"
    r"|[\"”’']\s*,?\s*(?:said|says) (?:he|she|they)\b|\bsaid then\b"
    # the attribution of a quotation left in the sentence before: "Sam Winkler told the Los
    # Angeles Times." (held-out validation 255: the model made it "the incident occurred in Los
    # Angeles")
    r"|(?-i:^(?:[A-Z][\w.'’-]+ ){1,4}(?:said|says|told|tells|added|wrote|noted|explained|stated)"
    r"(?: (?:the )?(?:[A-Z][\w.'’-]+ ?){1,5}| (?:him|her|them|reporters))?\.?$)",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|say|told|tells|wrote|writes|added|adds|asked|according to|stated|"
    r"declared|announced|insisted|argued|warned|explained|noted|tweeted)\b"
)
# "Police said Tuesday he lived in east London": a group says it of someone the sentence does
# not name (a validation brief; 2 train sentences)
_GROUP_SAID_PRONOUN = re.compile(
    r"^(?:The )?(?:[Pp]olice|[Oo]fficials|[Aa]uthorities|[Pp]rosecutors|[Ii]nvestigators|"
    r"[Ww]itnesses|[Dd]etectives|[Oo]fficers|[Rr]eports|[Dd]ocuments|[Nn]eighbou?rs|[Ff]riends|"
    r"[Rr]elatives)(?: \w+){0,3}? (?:said|say|says|told \w+|believe|believed)"
    r"(?: (?:on )?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)?,? (?:that )?(?:he|she|his|her)\b"
)
# "To find out, she and her colleagues ...": the subject is a pronoun after an opening clause.
_PRONOUN_SUBJECT = re.compile(r"^[^,\"“]{0,50}, (?:he|she|they|it|we)\b")
_PARTS = {"half", "most", "some", "many", "few", "others", "several", "all", "none", "each"}
_VERBS = {"were", "was", "are", "is", "had", "have", "has", "said", "did", "do", "will", "would"}
# A sentence that opens with a past verb and has no comma soon after has lost its subject:
# "Took the shirt and left.", "Charged with eight counts of ..." ("Charged with fraud, he ..."
# has one).
_PAST = {"took", "went", "came", "made", "got", "left", "found", "told", "gave", "said", "saw"}
# two sentences of a page run together with no space: "41 daysThe latest", "in a row.Those"
_RUN_ON = re.compile(r"[a-z]{2}\.?(?:The|A|An|In|It|He|She|They|We|This|That|Those|These|But)\s")
_LINKS = {"with", "by", "in", "on", "at", "to", "for", "from", "as", "the", "a", "an", "his", "her"}
_NOT_PAST = {"mohammed", "mohamed", "ahmed", "indeed", "united", "limited", "red", "ted"}
_QUOTED = re.compile(r"[\"“][^\"“”]*[\"”]")
# a page's teaser cut off mid-word or mid-sentence, outside a quotation (a validation brief
# published "... flam..."; 2 train sentences)
_CUT = re.compile(r"[a-z]\.\.\.\s*[\"”']?$|[a-z](?:\.\.\.|…) [A-Z]")
# ("us" in lower case only: "US" is the United States)
_FIRST_PERSON = re.compile(
    r"\b(?:I|I'm|I've|I'd|[Mm]e|[Mm]y|[Ww]e|[Ww]e're|[Oo]ur|us|[Yy]ou|[Yy]our)\b"
)
_BACKGROUND = re.compile(
    r"\b(?:in|since|by|until|before) (?:1[89]\d\d|20[01]\d)\b|\blast (?:year|decade)\b"
    r"|\b(?:previously|formerly|historically|in the past|years ago|decades ago)\b",
    re.IGNORECASE,
)
_TITLE_TERM = re.compile(r"(?<![\w.])\d[\d,.]*%?|\b[A-Z][a-z]{2,}\b")


@dataclass(frozen=True)
class Fact:
    """One fact of the story: the source sentences, across articles, that state it."""

    members: tuple[int, ...]  # indices into the story's sentences, most central first
    sources: tuple[int, ...]  # every source stating it
    score: float  # importance (see the module docstring)
    event: float = 0.0  # similarity to the story's event
    features: tuple[float, ...] = ()  # its score's, in the order of FACT_WEIGHTS
    reserve: bool = False  # planned past the brief's budget, for a brief left short

    @property
    def index(self) -> int:
        """The sentence that best represents the fact."""
        return self.members[0]


def tidy(text: str) -> str:
    """A sentence without its dateline ("LONDON (AP) - "), "UPDATE:" label, opening filler
    ("In a move with significant implications, ") or a paper's figure and reference marks, and
    no space before a comma or full stop."""
    for pattern in (_DATELINE, _FILLER, furniture.UPDATE_LABEL, furniture.HEADING_LABEL):
        m = pattern.match(text)
        if m and len(text) - m.end() > 20:
            text = text[m.end() :]
            text = text[0].upper() + text[1:]
    text = STRAY_MARK.sub("", text)
    text = furniture.without_marks(text)  # a paper's "(Fig. 6)", a wire's "(KORS.N)"
    if _dangling(text) == "open":  # 'writing, "Tennis star ... 13 ounces.': closed there
        text += "”" if "“" in text else '"'
    # "As he framed it , only ... ." as a page spaced it (a validation brief); not "..." (an
    # elision), and not the space French puts before ":" and ";"
    return _SPACED_STOP.sub(r"\1", text)


# a stray mark before a quotation, in a report (validation 67) or the model's reply
STRAY_MARK = re.compile(r"^'\s+(?=[\"“])")
_SPACED_STOP = re.compile(r"(?<=[\w\"”')]) +([,.])(?=\s|$)(?!\.)")


def _dangling(text: str) -> str | None:
    """Where a quotation is left unclosed: "open" when it opens and the sentence ends inside
    it (the report's quotation runs on into its next sentence), "close" when it closes one
    that opened in an earlier sentence ('It cannot be justified.”'), else None. 531 of the
    6,922 sentences of Multi-News train are one or the other."""
    depth = 0
    for k, ch in enumerate(text):
        if ch == "“" or (ch == '"' and (k == 0 or text[k - 1] in " ([—–-")):
            depth += 1
        elif ch in '"”':
            if not depth:
                return "close"
            depth -= 1
    return "open" if depth else None


# An embedded post, as pages print it: its text, then "— Name (@handle) July 11, 2013". Its
# sentences are someone's words without quotation marks or speaker, so none is a fact (44 such
# paragraphs in the 251 articles of Multi-News train; a train brief stated a politician's post as fact).
_EMBEDDED_POST = re.compile(
    r"\s[—–-]\s*[^()]{1,60}\(@\w{1,30}\)\s*[A-Z][a-z]+\.? \d{1,2}, \d{4}\s*$"
)


def story_sentences(articles: list[Article]) -> list[Sentence]:
    """The sentences of each article (the first MAX_SENTENCES), datelines cut off, embedded
    posts left out."""
    out = []
    for n, article in enumerate(articles, start=1):
        paragraphs = re.split(r"\n\s*\n", article.text)
        body = "\n\n".join(p for p in paragraphs if not _EMBEDDED_POST.search(p))
        for pos, text in enumerate(split_sentences(body, article.language)[:MAX_SENTENCES]):
            out.append(Sentence(source=n, position=pos, text=tidy(text)))
    cased = wording.lead_in_case([s.text for s in out])  # "A CAR park in ..." as a page set it
    return [replace(s, text=t) for s, t in zip(out, cased, strict=True)]


def rejection(text: str) -> str | None:
    """Why a sentence can never be a fact of a brief ("caption", "question", ...), or None."""
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return "length"
    if text.rstrip("\"'”’) ").endswith("?"):
        return "question"
    if text.rstrip("\"'”’) ").endswith("!") and text[0] not in '"“':
        return "aside"  # an exclamation is the writer's voice, not a report
    if furniture.caption(text):
        return "caption"
    if furniture.page_text(text):
        return "page text"
    if text.startswith("(") and text.rstrip(". ").endswith(")"):
        return "aside"  # "(Published Friday, June 27, 2014)", "(Parking lots seem to ...)"
    if text.startswith("[") and (
        text.rstrip(". ").endswith("]") or len(text.split("]")[0].split()) > 3
    ):
        return "page text"  # a link line: "[Titanosaur Photos: Meet the Largest Dinosaur]"
    if len(_RUN_ON.findall(text)) >= 1:
        return "page text"  # sentences run together: "That's 41 daysThe latest sightings"
    if _CUT.search(_QUOTED.sub(" ", text)):
        return "page text"  # a teaser cut off: "... crews arrived, flam...", "JFK, Newar... A"
    if furniture.byline(text):
        return "byline"
    first = re.sub(r"^[\"“‘'(]+", "", words[0]).rstrip(",;:").lower()
    bare = re.sub(r"['’](?:ll|re|ve|d|s)$", "", first)  # "They'll collect ...": they
    if first in _LEANS or bare in _LEANS or _PRONOUN_SAID.search(text):
        return "needs context"
    if _PRONOUN_SUBJECT.search(text) or _GROUP_SAID_PRONOUN.search(text):
        return "needs context"
    if _dangling(text) == "close":
        return "needs context"  # the end of a quotation whose beginning (and speaker) it lacks
    if _ANSWER.match(text) or _LABEL.match(text) or _LIST_ITEM.match(text):
        return "needs context"  # "Not yet, said ...", "Second, ...": an answer, an item of what?
    if first in _PARTS and words[1].lower() in _VERBS:
        return "needs context"  # "Half were then fed ...": half of whom?
    if first == "each" and len(words) > 1 and words[1].lower() not in _EACH_STANDS:
        return "needs context"  # "Each actresses earned $13 million": each of whom? (validation 5)
    if _POINTS_BACK.search(_QUOTED.sub(" ", text)):
        return "needs context"
    if _no_subject(first, words) or text.rstrip().endswith((":", "…", "....")):
        return "needs context"  # a fragment, or a sentence that leads into what it lacks
    said = _ATTRIBUTION.search(_QUOTED.sub(" ", text))  # not the quotation's own "I would say"
    if text[0] in '"“«„‹' and not (said or names_a_speaker(text)):
        return "needs context"  # a quotation whose speaker the sentence does not name
    if _FIRST_PERSON.search(_QUOTED.sub(" ", text)) or _COMMENTARY.match(text):
        return "aside"
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return "shouting"
    if not text.rstrip("\"'”’»)] ").endswith((".", "!", "?", ":", "…", "。", "！", "？")):
        return "page text"  # a title, a label, a list item: 101 of 3,377 train candidates
    return None


def _no_subject(first: str, words: list[str]) -> bool:
    past = first in _PAST or (
        len(first) >= 6 and first.endswith("ed") and not first.endswith("eed")
    )
    after = words[1].lower() if len(words) > 1 else ""
    return (
        past
        and first not in _NOT_PAST
        and after in _LINKS  # "Charged with ...", "Took the ...", not "Armed men stormed ..."
        and not any(w.endswith(",") for w in words[:8])
    )


# A report's sentence whose subject is a description of someone its article named before ("The
# tennis legend welcomed her firstborn ...", "The 87-year-old said ..."): 12 of the 6,922 train
# sentences, each pointing back. A train brief opened with one. (Only the reports' sentences:
# the model may write "The billionaire said" after the sentence that names him.)
_EPITHET = re.compile(
    r"^The (?:\d+-year-old|(?:[a-z-]+ ){0,2}(?:legend|star|singer|actress|actor|rapper|"
    r"superstar|icon|billionaire|mogul|athlete|player|champion|comedian|musician|model|"
    r"celebrity|host|director|businessman|businesswoman|entrepreneur|politician|lawmaker|"
    r"tycoon|socialite|couple|pair|duo))(?= [a-z])"
    r"(?! (?:of|who|whose|named|identified|in|at|from|with|and|for|on|to)\b)"
)


def candidates(sentences: list[Sentence]) -> list[int]:
    """Indices of the sentences that may be facts, at most MAX_CANDIDATES, earliest first:
    none that `rejection` sets aside, nor an English list item that lost its heading (opened
    by an -ing word, no finite verb: grammar.py)."""
    idx = [i for i, s in enumerate(sentences) if rejection(s.text) is None]
    idx = [i for i in idx if not _EPITHET.match(sentences[i].text)]
    verbless = grammar.fragments(sentences[i].text for i in idx)
    idx = [i for i in idx if sentences[i].text not in verbless]
    if len(idx) > MAX_CANDIDATES:
        idx = sorted(sorted(idx, key=lambda i: (sentences[i].position, i))[:MAX_CANDIDATES])
    return idx


def event_vector(titles: np.ndarray, sentences: list[Sentence], vectors: np.ndarray) -> np.ndarray:
    """What the story is about: the mean of its titles and each report's opening candidates."""
    firsts: dict[int, list[int]] = {}
    for i in candidates(sentences):
        if len(firsts.setdefault(sentences[i].source, [])) < 2:
            firsts[sentences[i].source].append(i)
    parts = [titles] + [vectors[ix] for ix in firsts.values()]
    v = np.vstack(parts).astype(np.float64).mean(axis=0)
    return v / (np.linalg.norm(v) or 1.0)


def title_terms(titles: list[str]) -> set[str]:
    """Figures and names of the titles, lower case: a fact that carries one is key."""
    return {t.lower().rstrip(".,") for title in titles for t in _TITLE_TERM.findall(title)}


# A fact's importance, set by hand (learned ones: benchmarks/fact_weights.py, docs/briefs.md)
FACT_WEIGHTS = {
    "central": 1.0,  # cosine to the story's centroid
    "sources": 0.4,  # share of the reports that state it
    "near_event": 0.3,  # cosine to the event
    "opens": 0.15,  # a report's first sentence states it
    "early": 0.08,  # a report's second or third does
    "quoted": -0.15,  # mostly quotation: a brief reports what was said in few quotations
    "words": 0.0,  # its length, to 50 words (learned: -0.37, shorter facts leave more room)
    "titled": 0.12,  # it holds a figure or name of a title (its "falls to 31 percent")
    "background": -0.1,  # every wording is background ("in 2009", "last year")
}


def group_facts(
    sentences: list[Sentence],
    vectors: np.ndarray,
    event: np.ndarray | None = None,
    key_terms: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[Fact]:
    """Group candidate sentences that state the same fact, across articles, and score them."""
    from scipy.cluster.hierarchy import fcluster, linkage

    idx = candidates(sentences)
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
    verbless = grammar.fragments((sentences[i].text for i in idx), written=True)
    facts = []
    for label in np.unique(labels):
        members = [k for k in range(len(idx)) if labels[k] == label]
        mean = cand[members].mean(axis=0)
        # most central first: it stands for it; a wording with a verb before one without (a
        # caption, a link's label) as the model is given the first to write from
        members.sort(key=lambda k: (sentences[idx[k]].text in verbless, -float(cand[k] @ mean)))
        texts = [sentences[idx[k]].text for k in members]
        sources = tuple(sorted({sentences[idx[k]].source for k in members}))
        first = min(sentences[idx[k]].position for k in members)
        near_event = max(float(cand[k] @ event) for k in members) if event is not None else 0.0
        words = {w.lower().rstrip(".,") for w in _TITLE_TERM.findall(" ".join(texts))}
        quoted = sum(len(q.split()) for q in _QUOTED.findall(texts[0])) / len(texts[0].split())
        features = (
            float(cand[members[0]] @ centroid),
            len(sources) / n_sources,
            near_event,
            float(first == 0),
            float(0 < first < 3),
            float(quoted > 0.5),
            min(len(texts[0].split()), 50) / 50,
            float(bool(key_terms & words)),
            float(all(_BACKGROUND.search(t) for t in texts)),
        )
        score = sum(w * x for w, x in zip(FACT_WEIGHTS.values(), features, strict=True))
        facts.append(Fact(tuple(idx[k] for k in members), sources, score, near_event, features))
    return facts


def plan(
    sentences: list[Sentence],
    vectors: np.ndarray,
    titles: list[str],
    title_vectors: np.ndarray,
    budget_words: int,
    reserve_words: int = 0,
) -> list[Fact]:
    """The key facts, each once, lead first, then by importance, within `budget_words` of
    source text (counted at the length of each fact's representative sentence); then, marked
    `reserve`, the next ones the same choice takes within `reserve_words`."""
    event = event_vector(title_vectors, sentences, vectors) if len(titles) else None
    facts = group_facts(sentences, vectors, event, title_terms(titles))
    if not facts:
        return []
    # The lead: the fact most reports open with (their first two candidates), nearest the
    # event; a count or a reaction one report leads with loses to the event others open with.
    opening: dict[int, set[int]] = {}
    for i in candidates(sentences):
        if len(opening.setdefault(sentences[i].source, set())) < 2:
            opening[sentences[i].source].add(i)
    firsts = set().union(*opening.values()) if opening else set()
    n_sources = len({s.source for s in sentences})

    def opens(f: Fact) -> int:
        return len({sentences[m].source for m in f.members if m in firsts})

    # never a sentence without a verb (a caption, a link's label: "Background on Tuesday's
    # leadership transition in Qatar ...", a train lead the model then garbled)
    verbless = grammar.fragments((sentences[f.index].text for f in facts), written=True)
    said = [f for f in facts if sentences[f.index].text not in verbless] or facts
    openers = [f for f in said if opens(f)] or said
    lead = max(
        openers,
        key=lambda f: f.event + 0.3 * opens(f) / n_sources + 0.1 * len(f.sources) / n_sources,
    )
    chosen = [lead]
    words = len(sentences[lead.index].text.split())
    remaining = sorted((f for f in facts if f is not lead), key=lambda f: -f.score)
    for budget in (budget_words, reserve_words):
        n, skipped = len(chosen), []
        while remaining and words < budget:
            near = 0.5 * vectors[[c.index for c in chosen]]  # maximal marginal relevance
            best = max(remaining, key=lambda f: f.score - float(np.max(near @ vectors[f.index])))
            remaining.remove(best)
            length = len(sentences[best.index].text.split())
            if words + length > budget * 1.15:
                skipped.append(best)  # too long here; the reserve may take it
                continue
            chosen.append(best)
            words += length
        chosen[n:] = sorted(chosen[n:], key=lambda f: -f.score)
        remaining += skipped
    return chosen[:n] + [replace(f, reserve=True) for f in chosen[n:]]
