"""The brief's headline: the model's when the reports support it and it agrees with the lead,
else the title of the report nearest the story's event that can be a headline, else the lead's
first clause (summarize.BriefWriter)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from . import cite, furniture, grammar
from .claims import key_terms
from .config import Citations
from .plan import rejection, tidy
from .records import Article, BriefSentence
from .wording import sentence_case

if TYPE_CHECKING:
    from .summarize import Story

HEADLINE_NEAR_TITLE = 0.6  # a headline this near a report's title agrees with the story
# a title longer than this with no verb is a picture's caption that a page set above its
# article (validation 157); a shorter one is a headline's noun phrase ("Fire at the harbour")
CAPTION_WORDS = 12
# a title longer than this is two titles a page ran together, or a title and its standfirst
# (validation 48: "Deal just a quickie for ‘Sex and the City’ house; building back ... now", 42
# words), no headline
TITLE_WORDS = 25

# what a page puts above its article: "Follow CBSMIAMI.COM: Facebook | Twitter", "Updated | ..."
_SHARE_LINE = re.compile(r"\b(?:Facebook|Twitter|Instagram|YouTube|WhatsApp)\b.*\||^Follow\b")
_TITLE_TAG = re.compile(r"^(?:Updated?|Breaking|Exclusive|Watch|Video|Live)\s*[|:–—-]\s*", re.I)

# where a clause of a title begins: its words before it can stand as a headline
_CLAUSE_BREAK = re.compile(r",? (?:and|but|while|who|which|after|when) |; | [—–] ")


def headline_fit(title: str, lowercase: frozenset[str] = frozenset()) -> str | None:
    """A report's title as a brief's headline: with a tag such as "Updated |" cut, or None
    when it cannot be one: a share line, a caption or credit, a byline, the page's editing
    note, a sentence that leans on context ("It's been called ..."), or words with no name or
    figure in them ("If it ain't broke ...", "Nobody said ...")."""
    text = _TITLE_TAG.sub("", title).strip()
    text = tidy(text)  # "SAN FRANCISCO--(BUSINESS WIRE)--...": its dateline cut
    if not text or _SHARE_LINE.search(text) or not key_terms(text, lowercase):
        return None
    if not 3 <= len(text.split()) <= TITLE_WORDS:  # "Tina Fey": a list page's entry
        return None  # (validation 5), no headline; nor titles run together
    if text.endswith(":"):  # "The following statement is being issued by ...:"
        return None
    if furniture.caption(text) or furniture.page_text(text) or furniture.byline(text):
        return None
    if len(text.split()) > CAPTION_WORDS and grammar.fragments([text], written=True):
        return None  # "A sketch released of an unidentified woman who was hit ..." (a caption)
    ended = text.rstrip("\"'”’) ").endswith((".", "!", "?", "…"))
    if rejection(text if ended else text + ".") not in (None, "length", "shouting"):
        return None
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def from_lead(title: str, lead: str | None) -> str:
    """The headline where no report's title can be one (a picture caption, a title cut off by
    its page: "... in western…", validation cluster 192; "Brenda Snipes, left, and judge ...
    listen to arguments, Sunday, Nov. 11, 2018, ... (Associated Press)", 204): the first clause
    of the brief's `lead` sentence, of four to 16 words, or the whole lead where it has 16 words
    at most; else the nearest `title` as it is, unless that is cut off by its page or runs two
    titles together: then the whole lead, if it has 25 words at most."""
    if not lead:
        return title
    lead = re.sub(r", \d{1,3}, ", " ", lead.rstrip(". "), count=1)  # "Knowles, 27, turned"
    # "Angela Shymanski, a mother of two, was taken to hospital ...": the name's apposition
    # out (a train brief fell back to a title cut off by its page)
    lead = re.sub(r"^([A-Z][^,]{2,40}), (?:a|an|the) [^,]{3,60}, (?=[a-z])", r"\1 ", lead)
    # not at the comma of a list of names ("... sued by Tracy Lamar, Charles Simons and Ana
    # Ruiz": validation 12's headline was "... sued by EMTs Damon")
    clause = re.split(r", (?!(?:[A-Z][\w'.-]*,? )*(?:and|or) [A-Z])", lead)[0]
    # "Keith Knowles turned himself in to police and was booked into jail Sunday after ...":
    # its first part, where the clause is too long (validation 60 fell back to a cut title)
    part = re.split(r" (?:and|after|when|while|because|but|as) ", clause)[0]
    for text in (clause, lead, part):
        if 4 <= len(text.split()) <= 16 and len(re.findall(r"[\"“”]", text)) % 2 == 0:
            # not cut inside a quotation ("... in “Sex", validation 48), nor a clause with no
            # verb ("Some time late in 2011", validation 45)
            if text == lead or not grammar.fragments([text + "."], written=True):
                return text
    title = re.sub(r"^[—–-]+\s*", "", title.strip())  # "— For years, ..." (validation 64)
    ended = title.endswith(("…", "..."))
    if (ended or len(title.split()) > TITLE_WORDS) and len(lead.split()) <= TITLE_WORDS:
        return lead  # long, but whole: a title cut off by its page (validation 12) or two
    if ended:  # titles run together (48) is no headline
        # a title cut off by its page, up to its last whole clause: "For years, the weather
        # has been a scapegoat for ... spikes in births" of "..., and now some in the
        # Washington area are…" (validation 64, whose lead was 36 words); "CNN is being sued
        # by two EMTs" of "... who say a foreign correspondent ... outside the…" (12)
        breaks = [m.start() for m in _CLAUSE_BREAK.finditer(title)]
        whole = next((title[:k] for k in reversed(breaks) if len(title[:k].split()) >= 5), "")
        if whole:
            return whole
    return title


def headline(
    headline: str | None,
    out: list[BriefSentence],
    articles: list[Article],
    story: Story,
    notes: list[str],
    citations: Citations,
) -> str:
    """The model's headline when the sources support it and it agrees with the lead (it
    shares a name or figure with the lead, or is near it in meaning); else the title of
    the report nearest the story's event."""
    titles = [a.title for a in articles]
    tvec = story.embedder.embed(titles)
    if headline and out and 3 <= len(headline.split()) <= 16:
        v = story.vocabulary
        headline = sentence_case(headline, v.lowercase, v.aliases.keys())
        vec, lead = story.embedder.embed([headline, out[0].text])
        s = cite.support(
            vec,
            headline,
            story.sentences,
            story.vectors,
            min_similarity=citations.min_similarity * 0.8,
            support_similarity=citations.support_similarity * 0.8,
            vocabulary=story.vocabulary,
        )
        terms = set(cite.key_terms(headline, story.vocabulary.lowercase))
        lead_terms = set(cite.key_terms(out[0].text, story.vocabulary.lowercase))
        # it shares a name or figure with the lead, or is near the lead or a report's title
        agrees = (
            bool(terms & lead_terms)
            or float(vec @ lead) >= 0.5
            or float(np.max(tvec @ vec)) >= HEADLINE_NEAR_TITLE
        )
        # names spelt as the reports spell them ("Sarvonae" shares a stem with "Sarvonia")
        said = " ".join(titles + [x.text for x in story.sentences]).lower()
        misspelt = [t for t in terms if t.isalpha() and t not in re.findall(r"[^\W\d_]+", said)]
        # a figure the lead and the titles do not give belongs to another fact ("US ranked
        # 53rd in the world", where it ranked 53rd in culture: validation 0)
        told = " ".join([*titles, out[0].text, *(e.text for e in out[0].evidence)])
        ours = set(key_terms(told, story.vocabulary.lowercase))
        strays = [t for t in terms if t[0].isdigit() and t not in ours]
        strays = [t for t in strays if not re.search(rf"\b{re.escape(t)} [A-Z]", headline)]
        if s.supported and agrees and not misspelt and not strays:
            return headline.rstrip(".")
        notes.append(f"replaced unsupported headline: {headline}")
    event = story.vectors[story.facts[0].index] if story.facts else story.vectors.mean(axis=0)
    # a title that can be a headline, then one of headline length and not cut off
    fit = [headline_fit(t, story.vocabulary.lowercase) for t in titles]
    short = [bool(f) and len(f.split()) <= 16 and not f.endswith(("…", "...")) for f in fit]
    best = int(np.argmax(tvec @ event + np.array(short) + 2 * np.array([bool(f) for f in fit])))
    # no title fits: the lead's first clause, else the nearest title, its dateline cut
    return fit[best] or from_lead(tidy(titles[best]), out[0].text if out else None)
