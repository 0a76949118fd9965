"""A person named in full at first mention, as an editor would have it.

The model, and the reports it reads, often call a person by the surname alone once they have
been introduced ("Levy said an automaker with thousands of cars on the road ..."); a brief puts
facts in another order than any report, so the bare surname can come first and the reader meets
a stranger (validation cluster 143: "Levy said ..." twice before "Efraim Levy, an analyst ...",
and the sentence that named him was then set aside as an answer to a question). The first bare
mention of a surname gets the full name the reports give it, when they give exactly one person
that surname (spaCy's English NER tags the full name PERSON, and no organisation or place of
theirs holds the word) and no earlier sentence of the brief names that person in full. Names
the reports give two people ("Cliven Bundy", "Ammon Bundy") are left as they are. Without
spaCy's English model nothing changes.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Collection, Mapping

from .claims import key_terms
from .plan import rejection
from .records import BriefSentence, Sentence
from .signals import shared_tagger

log = logging.getLogger(__name__)

_WORD = r"[A-Z][a-zà-öø-ÿ'’-]+"
_FULL = re.compile(rf"\b{_WORD} (?:[A-Z]\. )?({_WORD})\b")
_NAMES = ("PERSON", "ORG")  # what the small model calls a bare surname
# a page's run-on junk ("... for Kim Clapper: It's getting ...") names no one
_PAGE = ("length", "page text", "caption", "byline", "shouting")
_TITLES = {
    "mr", "mrs", "ms", "dr", "gen", "sen", "rep", "gov", "lt", "col", "sgt", "capt", "adm",
    "president", "judge", "justice", "prof", "rev", "st", "king", "queen", "prince", "pope",
    "sir", "lord", "lady", "officer", "detective", "coach", "chief", "mayor", "senator",
}  # fmt: skip


def _entities(sentences: list[str]) -> list[list[tuple[str, str]]] | None:
    """(text, label) of the entities spaCy's English NER finds in each sentence, or None
    without it."""
    try:
        return shared_tagger().entities(sentences)
    except ImportError:
        log.info("spaCy's English model is not installed: surnames are left as written")
        return None


def _own(name: str) -> str:
    """`name` without a possessive ending: "Trump’s" is Trump."""
    return re.sub(r"['’]s$", "", name)


def _bare(surname: str, text: str) -> re.Match | None:
    """The first mention of `surname` in `text` with no capitalised word before it ("Mr.",
    "Efraim") and none after it."""
    for m in re.finditer(rf"\b{re.escape(surname)}\b(?! [A-Z])(?!-)", text):
        before = text[: m.start()].split()[-1:]
        if not before or before[0].endswith(",") or before[0][0] in "\"“‘'(":
            return m
        if not before[0][:1].isupper():
            return m
    return None


def _first_name(word: str, sources: list[str]) -> bool:
    """Whether the reports name a person whose first name is `word`, of a family they name
    another of ("Burke Ramsey" beside "JonBenet Ramsey"; not "Trump Tower", which the small
    tagger may call a person too)."""
    family = {
        m.group(1)
        for s in sources
        for m in re.finditer(rf"\b{re.escape(word)} ([A-Z][a-z][\w'’-]*)", s)
    }
    return any(
        re.search(rf"\b(?!{re.escape(word)}\b)[A-Z][a-z][\w'’-]* {re.escape(kin)}\b", s)
        for kin in family
        for s in sources
    )


def in_full(texts: list[str], sources: list[str]) -> list[str]:
    """`texts` (a brief's sentences, in order) with the first bare mention of each surname
    given the one full name the `sources` (the story's sentences) give it (above)."""
    tagged = _entities(texts) if texts else None
    if tagged is None:
        return texts
    # the small model often takes a bare surname for an organisation ("Osei said ..."), but
    # one it takes for a place ("born around France") is no surname
    places = {w for ents in tagged for e, label in ents if label not in _NAMES for w in e.split()}
    words = {_own(w) for t in texts for w in re.findall(rf"\b{_WORD}\b", t)} - places
    bare = {w for w in words if len(w) > 2 and any(_bare(w, t) for t in texts)}
    named = [
        s
        for s in sources
        if any(m.group(1) in bare for m in _FULL.finditer(s)) and rejection(s) not in _PAGE
    ][:200]
    full: dict[str, set[str]] = {}
    other: set[str] = set()  # also a word of an organisation's or place's name in the reports
    for ents in (_entities(named) or []) if named else []:
        for text, label in ents:
            text = _own(text)
            parts = text.split()
            if label == "PERSON" and 2 <= len(parts) <= 3 and parts[-1] in bare:
                if parts[0].rstrip(".").lower() in _TITLES:
                    continue  # "Gen. Grant": a title, not a first name
                full.setdefault(parts[-1], set()).add(text)
            elif label != "PERSON" and (len(parts) > 1 or label != "ORG"):
                # an organisation of one word that is the surname is mostly the person
                # mis-tagged ("McFadden, 46, was convicted ...": ORG), train 53
                other.update(parts)
    out = list(texts)
    for surname, forms in full.items():
        if len(forms) != 1 or surname in other or _first_name(surname, sources):
            continue  # two people of that name ("Cliven Bundy", "Ammon Bundy"), or a firm's,
            # or also a first name ("Stan Burke" and "her brother, Burke": Burke Ramsey)
        (name,) = forms
        for i, text in enumerate(out):
            if name in text or re.search(rf"\b{_WORD}\.? {re.escape(surname)}\b", text):
                break  # named in full, or with a title ("Mr. Levy"), before any bare mention
            m = _bare(surname, text)
            if m:
                out[i] = text[: m.start()] + name + text[m.end() :]
                break
    return out


def reading_order(
    out: list[BriefSentence],
    sentences: list[Sentence],
    lowercase: Collection[str],
    languages: Mapping[int, str | None] | None = None,
) -> list[BriefSentence]:
    """A brief's sentences as a reader should meet them: one that points back ("The company
    said ...") after the one naming what it points to (`antecedents_first`), and a
    person's surname given the full name at its first mention (`in_full`). `sentences`: the
    story's, which the brief's evidence is taken from; `languages`: each source's, so that full
    names come from reports in English only (the tagger's language: it took the German "Insel
    Tarnholm", island Tarnholm, for a person and wrote "the island of Insel Tarnholm")."""
    at = {(s.source, s.text): s.position for s in sentences}
    text_at = {(s.source, s.position): s.text for s in sentences}
    before = [
        [text_at.get((e.n, at[e.n, e.text] - 1), "") for e in s.evidence if (e.n, e.text) in at]
        for s in out
    ]
    out = [out[i] for i in antecedents_first([s.text for s in out], before, lowercase)]
    english = [s.text for s in sentences if (languages or {}).get(s.source) in ("en", None)]
    named = in_full([s.text for s in out], english)
    return [dataclasses.replace(s, text=t) for s, t in zip(out, named, strict=True)]


# A model sentence that opens with a pronoun ("She told police ...") points back to someone the
# brief may never name there; the reports' sentence it was written from names her ("Stinson
# told police ..."). The pronoun becomes that person's surname (in_full gives the full name at
# the first mention), when the evidence names exactly one person.
_SUBJECT = re.compile(r"^(He|She|His|Her)\b(?!['’])")
_HONORIFIC = {"he": ("Mrs", "Ms", "Miss"), "she": ("Mr",)}


# words of organisations' names: "Halden Capital" is no one, "Ama Osei" may be someone
_ORG_WORDS = set(
    "council capital inc corp company co group party university college department ministry "
    "agency bank news times post police service office court committee association institute "
    "club team press fund union board house senate congress commission authority airlines "
    "motors foundation church school hospital center centre network media records studios "
    "lines fc city county state national international federal world global".split()
)


def _maybe_person(parts: list[str]) -> bool:
    return 2 <= len(parts) <= 3 and all(
        p[:1].isupper() and p[1:].islower() and p.lower() not in _ORG_WORDS for p in parts
    )


def said(at: list[int], sentences: list[Sentence]) -> list[str]:
    """The story's sentences `at` (indices), with the one before each that opens with a
    pronoun: what a brief sentence written from them may point back to."""
    back = [
        i - 1
        for i in at
        if sentences[i].position > 0 and rejection(sentences[i].text) == "needs context"
    ]
    return [sentences[i].text for i in sorted({*at, *back})]


def name_subjects(texts: list[str], evidence: list[list[str]]) -> list[str]:
    """`texts` with an opening "He", "She", "His" or "Her" replaced by the surname of the one
    person its `evidence` (the report sentences it rests on, and the sentence before one that
    opens with a pronoun itself) names, among the first words of one of them (its subject);
    unchanged where that is not exactly one person, or where the reports call that person by
    a title of the other sex ("Mrs. Levy" for "He"). An opening role ("The victim was booked
    ...") is named likewise where the evidence says who did it (`_role_named`)."""
    texts = [_role_named(t, e) for t, e in zip(texts, evidence, strict=True)]
    todo = [i for i, t in enumerate(texts) if _SUBJECT.match(t) and evidence[i]]
    if not todo:
        return texts
    tagged = _entities([" ".join(evidence[i]) for i in todo])
    if tagged is None:
        return texts
    out = list(texts)
    for i, ents in zip(todo, tagged, strict=True):
        people = set()
        for p, label in ents:
            parts = _own(p).split()
            if label == "PERSON" and not (len(parts) == 1 and parts[0].lower() in _TITLES):
                people.add(parts[-1])
            elif label == "ORG" and _maybe_person(parts):
                people.add(parts[-1])  # the small model's "Ama Osei" (ORG) may be a person
        if len(people) != 1:
            continue
        (surname,) = people
        pronoun = _SUBJECT.match(texts[i]).group(1)  # type: ignore[union-attr]
        told = " ".join(evidence[i])
        # the subject of a report's sentence: named among its first words ("Charisse Stinson
        # told police"), not only in it ("police arrested the mother of Jordan Belliveau")
        firsts = [{_own(w) for w in re.findall(r"[\w'’-]+", e)[:6]} for e in evidence[i]]
        if not any(surname in words for words in firsts):
            continue
        sex = "she" if pronoun in ("She", "Her") else "he"
        if any(
            re.search(rf"\b{t}\.? (?:[A-Z][\w'’-]+ )?{re.escape(surname)}\b", told)
            for t in _HONORIFIC[sex]
        ):
            continue
        name = surname + "’s" if pronoun in ("His", "Her") else surname
        out[i] = name + texts[i][len(pronoun) :]
    return out


# A model sentence that opens with a role ("The victim was booked at the county jail.") may have
# put the wrong person in it: the report said "McDowell was booked at Flagler County jail ..."
# (validation cluster 225; McDowell was the accused). Where the evidence gives the same verb
# with one name before it, and never with the role, the role becomes that name: right either
# way, since a role that was right names the same person.
_ROLES = set(
    "victim suspect man woman boy girl teen teenager driver officer attorney lawyer defendant "
    "accused gunman shooter mother father son daughter wife husband boyfriend girlfriend student "
    "teacher pilot passenger player coach actor actress singer star judge doctor nurse worker "
    "employee official crasher inmate prisoner couple pair owner resident witness".split()
)
_CAPITALISED = r"[A-Z][\w'’-]+"
_NOT_NAMES = {"the", "he", "she", "it", "they", "we", "i", "this", "that", "police", "officials"}


def _role_named(text: str, evidence: list[str]) -> str:
    words = text.split()
    at = next((k for k in (1, 2) if len(words) > k + 2 and words[k] in _ROLES), 0)
    verb_words = [w.rstrip(".,;:") for w in words[at + 1 : at + 3]]
    if not at or words[0] != "The" or not evidence:
        return text
    if not all(w.isalpha() and w.islower() for w in verb_words):
        return text  # "The victim, 24, ...": no verb right after the role
    role, verb = words[at], re.escape(" ".join(verb_words))
    told = " ".join(evidence)
    if re.search(rf"\b(?:the|a|an) (?:[a-z]+ )?{role} {verb}\b", told, re.IGNORECASE):
        return text  # the reports say it of the role too
    names = {
        _own(found.split()[-1])
        for found in re.findall(rf"((?:{_CAPITALISED} ){{0,2}}{_CAPITALISED}) {verb}\b", told)
    }
    if len(names) != 1:
        return text
    (name,) = names
    if name in text or name.lower() in _ORG_WORDS | _TITLES | _NOT_NAMES:
        return text
    return " ".join([name, *words[at + 1 :]])


# A sentence that opens by pointing at what its article named just before ("The company said it
# hopes to sell ...", after "... license the design to Veltra Cells") reads wrong before the
# brief names it: the sample battery brief said "The company said" one sentence too early.
_POINTING = re.compile(
    r"^(?:The|This|That) (?:company|firm|start-?up|group|agency|carmaker|automaker|airline|"
    r"retailer|bank|lender|insurer|maker|manufacturer|developer|operator|utility|network|"
    r"studio|publisher|union|club|party|charity|organi[sz]ation|ministry|department)\b"
)


def antecedents_first(
    texts: list[str], before: list[list[str]], lowercase: Collection[str]
) -> list[int]:
    """An order of a brief's sentences (indexes of `texts`): a sentence that opens by pointing
    back ("The company said ...") moves to just after the first sentence that names what the
    sentences before its evidence in their articles (`before[i]`) name, when no sentence before
    it names any of that and a later one does. Otherwise the order is kept."""
    names = [{t for t in key_terms(x, lowercase) if t.isalpha()} for x in texts]
    order = list(range(len(texts)))
    for i, text in enumerate(texts):
        if not _POINTING.match(text):
            continue
        wanted = {t for b in before[i] for t in key_terms(b, lowercase) if t.isalpha()}
        at = order.index(i)
        if not wanted or any(wanted & names[k] for k in order[:at]):
            continue
        later = [k for k in order[at + 1 :] if wanted & names[k]]
        if later:
            order.remove(i)
            order.insert(order.index(later[0]) + 1, i)
    return order
