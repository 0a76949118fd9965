"""A sentence's own wording: faults no evidence is needed to see.

A reworded sentence that has lost its way says part of itself twice ("While the Dodsons claim
the foundation is working as intended, the developer insists that the foundation is working as
intended"), read in the briefs of Multi-News train; or loses the speaker of its quotation
('"... our top priority at Crayola," said on its website.') or its main clause ("While it
would take years to compare this year's births with the trend."), read in validation briefs.
`claims.mismatches` names each to the model, which is asked once to mend it; so is a span of
time that lost its record word ("restrictions in nine years" for "the first restrictions in nine
years"). And a headline in title case, put in sentence case (`sentence_case`), so that its
ordinary words are not held to the reports as names.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache

from . import grammar

# Words that carry no content: a run of them said twice is grammar, not a garbled sentence.
FUNCTION_WORDS = {
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as", "and",
    "or", "but", "that", "which", "who", "is", "are", "was", "were", "be", "been", "has", "have",
    "had", "it", "its", "he", "she", "they", "his", "her", "their", "this", "these", "said",
    "says", "not", "will", "would", "more", "than", "many", "about", "after", "before", "also",
    "could", "should", "there", "then", "into", "over", "being", "what", "when", "well",
}  # fmt: skip
REPEAT_RUN = 4  # words


def repeated_run(text: str) -> str | None:
    """The longest run, of REPEAT_RUN words or more with two content words, that `text` says
    twice, or None. The caller leaves out quotations: a chant may repeat itself."""
    words = [w.lower() for w in re.findall(r"[\w'’-]+", text)]
    first: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - REPEAT_RUN + 1):
        run = tuple(words[i : i + REPEAT_RUN])
        if sum(w not in FUNCTION_WORDS for w in run) < 2:
            continue
        if run in first and first[run] + REPEAT_RUN <= i:
            j, n = first[run], REPEAT_RUN  # the whole run, for the model to be told
            while i + n < len(words) and j + n < i and words[j + n] == words[i + n]:
                n += 1
            while j > 0 and j + n < i and words[j - 1] == words[i - 1]:
                i, j, n = i - 1, j - 1, n + 1
            return " ".join(words[i : i + n])
        first.setdefault(run, i)
    return None


# a quotation whose verb of saying has no one before or after it: '"...," said on its website.'
_NO_SPEAKER = re.compile(
    r"[\"”’],?\s+(said|says|added|wrote|told|tweeted|explained|noted|stated)"
    r"(?=\s+(?:on|in|at|to|during|that|last|this|earlier|later|after|before|via)\b|\s*[.,;]|$)"
)
# a subordinate clause with no main clause: no comma, colon or dash after its opener
_FRAGMENT = re.compile(r"^(While|Although|Though|Whereas|Even though)\b[^,;:—–]*$")


def faults(text: str, unquoted: str) -> list[str]:
    """What is wrong with `text` as a sentence, whatever its reports say: "twice: <run>",
    "no speaker: <verb>", "fragment: <opener>". `unquoted` is `text` without its quotations."""
    out = []
    run = repeated_run(unquoted)
    if run:
        out.append(f"twice: {run}")
    m = _NO_SPEAKER.search(text)
    if m:
        out.append(f"no speaker: {m.group(1)}")
    m = _FRAGMENT.match(text.strip())
    if m:
        out.append(f"fragment: {m.group(1)}")
    return out


# "the first restrictions in nine years", "its lowest level in a decade": a span of time that
# closes a record. Without its "first" or "lowest" the span says something else ("will be
# affected by restrictions in nine years", a sample brief's lead: a future date).
_SPAN = re.compile(
    r"\bin (?:(?:the|over the) (?:last|past) )?(?:(?:a|an|\d[\d,.]*|[a-z]+(?:-[a-z]+)?) )?"
    r"(years?|decades?|months?|weeks?|centur(?:y|ies)|generations?)\b",
    re.IGNORECASE,
)
_RECORD = re.compile(
    r"\b(first|last|highest|lowest|largest|biggest|smallest|worst|best|most|fewest|least|"
    r"longest|shortest|hottest|coldest|wettest|driest|deadliest|strongest|weakest|fastest|"
    r"slowest|only|record|ever|since)\b",
    re.IGNORECASE,
)


def _record_spans(text: str) -> dict[str, bool]:
    """Each span of time in `text` ("in nine years"), lower case, and whether a record word
    stands before it in its clause."""
    out = {}
    for m in _SPAN.finditer(text):
        clause = re.split(r"[,;:—–]", text[: m.start()])[-1]
        out[m.group(0).lower()] = bool(_RECORD.search(clause))
    return out


def record_span_mismatch(text: str, evidence: list[str]) -> list[str]:
    """["span: in nine years"] where `text` gives a span of time with no record word before
    it, while the evidence gives the same span only after one ("first ... in nine years")."""
    spans = {k: v for k, v in _record_spans(text).items() if not v}
    if not spans:
        return []
    told: dict[str, bool] = {}
    for e in evidence:
        for k, v in _record_spans(e).items():
            told[k] = told.get(k, True) and v
    return [f"span: {k}" for k in spans if told.get(k)]


def sentence_case(
    headline: str, lowercase: frozenset[str], names: Collection[str] = frozenset()
) -> str:
    """ "Council Approves New Berths" -> "Council approves new berths": the words the sources
    write in lower case are ordinary words, not names (the checks hold names to the sources);
    so is another form of one ("Recognizes" where they write "recognize" and "recognized"),
    unless the sources use the word itself in a name (`names`: "Kings" beside "king")."""
    words = headline.split()
    if sum(w[:1].isupper() for w in words) < 0.6 * len(words):
        return headline

    def ordinary(word: str) -> bool:
        w = word.strip("\"'“”‘’:,.").lower()
        if w in lowercase:
            return True
        return w not in names and any(f in lowercase for f in _other_forms(w))

    return " ".join([words[0]] + [w.lower() if ordinary(w) else w for w in words[1:]])


# A page's lead-in in capitals: "A CAR park in Dingwall has ...", "THE FERTILITY DECLINE that
# ..." (British papers; 6 validation sentences): the opening words, then lower case.
_LEAD_IN = re.compile(r"^((?:[A-Z][A-Z'’]*\s+){1,6})(?=[a-z])")
_LEAD_IN_WORDS = {"THE", "THIS", "THERE", "WHEN", "AFTER", "FOR", "AS", "IN", "ON"}
_CAPITALS = re.compile(r"\b[A-Z][A-Z'’]+\b")


def lead_in_case(texts: list[str]) -> list[str]:
    """Sentences whose opening words a page set in capitals, in sentence case: each of them
    that the sources write in lower case, or of six letters or more, and never in capitals
    elsewhere ("CAR" where they write "car") is an ordinary word; an acronym ("A CNN
    employee", "WHO officials", "US troops", written so in other sentences too) stays."""
    lowercase = lowercase_words(texts)
    acronyms = set()
    for text in texts:
        m = _LEAD_IN.match(text)
        acronyms.update(_CAPITALS.findall(text[m.end() :] if m else text))
    out = []
    for text in texts:
        m = _LEAD_IN.match(text)
        words = m.group(1).split() if m else []
        ordinary = [  # "TOWNHOUSE" (validation 48), written nowhere else: long for an acronym
            len(w) > 2 and (w.lower() in lowercase or len(w) > 5) and w not in acronyms
            for w in words
        ]
        if len(words) == 1 and words[0] not in _LEAD_IN_WORDS:
            ordinary = [False]  # "HQ said", "DART says": an acronym, however rare
        if not any(ordinary):
            out.append(text)
            continue
        cased = [w.lower() if ok else w for w, ok in zip(words, ordinary, strict=True)]
        cased[0] = cased[0][0].upper() + cased[0][1:]
        out.append(" ".join(cased) + " " + text[m.end() :])
    return out


def lowercase_words(texts: Iterable[str]) -> set[str]:
    """The words written in lower case somewhere in `texts` (`claims.key_terms` reads a
    capitalised one that opens a sentence as an ordinary word)."""
    return {w for t in texts for w in re.findall(r"(?<![\w'’.-])[a-z][a-z'’-]*[a-z]", t)}


def _other_forms(word: str) -> set[str]:
    """Other inflections of an English word, by its ending: "recognizes" -> "recognize",
    "recognized"...; "opens" -> "open", "opened". Words under five letters have none."""
    if len(word) < 5 or not word.isalpha():
        return set()
    stems = {word}
    for ending in ("ies", "es", "s", "ed", "d", "ing"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stems.add(word[: -len(ending)])
            if ending == "ies":
                stems.add(word[:-3] + "y")
            if ending in ("ing", "ed", "es"):
                stems.add(word[: -len(ending)] + "e")
    return {s + e for s in stems for e in ("", "s", "es", "d", "ed", "ing")} - {word}


# Scripts that are not Latin (Greek, Cyrillic, Hebrew and Arabic, Indic, Thai, kana, Han,
# Hangul, full-width forms): the 1.5B model sometimes slips into Chinese mid-sentence ("value it
# more like a technology公司", validation cluster 143). A word in a script the cited reports do
# not write at all is such a slip; a brief in the reports' own script may word things its way.
_SCRIPTS = (
    (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0590, 0x06FF), (0x0900, 0x0DFF), (0x0E00, 0x0E7F),
    (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xFF00, 0xFFEF),
)  # fmt: skip
_OTHER_SCRIPT = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _SCRIPTS) + "]+")


def _script(char: str) -> int:
    return next(k for k, (a, b) in enumerate(_SCRIPTS) if a <= ord(char) <= b)


def foreign_script(text: str, evidence: list[str]) -> list[str]:
    """ "script: <word>" for each run of `text` in a non-Latin script no evidence writes."""
    written = {_script(c) for m in _OTHER_SCRIPT.finditer(" ".join(evidence)) for c in m.group(0)}
    return [
        f"script: {m.group(0)}"
        for m in _OTHER_SCRIPT.finditer(text)
        if any(_script(c) not in written for c in m.group(0))
    ]


# A name of two words or more said twice, where no report does: "Isha Ambani ... and Anand
# Piramal, 33, will marry Anand Piramal" (validation cluster 192: a garbled merge)
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)+")


# ... or a speaker said twice: 'Celaya said the suspect "pulled a firearm ...," Celaya said.'
# (validation cluster 189)
_SPEAKER = re.compile(r"\b[A-Z][\w'’-]+ (?:said|says|told|added|explained|noted)\b")


def name_twice(unquoted: str, evidence: list[str]) -> list[str]:
    """ "twice: <name>" for a name of several words, or a speaker with a verb of saying, that
    a sentence says twice outside its quotations (`unquoted`) while no evidence sentence does."""
    names = _NAME.findall(unquoted) + _SPEAKER.findall(unquoted)
    return [
        f"twice: {name}"
        for name in sorted({n for n in names if names.count(n) > 1})
        if not any(e.count(name) > 1 for e in evidence)
    ]


# A sentence most of whose words its evidence does not have says what the reports do not:
# "Angela's husband, who was driving, said he was grateful for the help from his wife." on
# '"I'd like to thank everyone," said Angela.' (she drove), "The discovery is significant
# because it provides new information about ancient Roman shipwrecks." (the model's own
# comment). Chosen on 16 Multi-News train briefs (60-75): under 0.3 of their content words,
# four model sentences, all four unsupported. Held to the model's sentences only
# (summarize.py): a report's paraphrase of another report may share few words.
SAID_SHARE = 0.3


@lru_cache(maxsize=8192)  # a story's sentences are read again for each brief sentence
def content_sequence(text: str) -> tuple[str, ...]:
    """The content words of `text` in order, each by its first five letters."""
    words = re.findall(r"[a-z0-9][a-z0-9'-]{3,}", text.lower())
    return tuple(w[:5] for w in words if w not in FUNCTION_WORDS)


def content_words(text: str) -> set[str]:
    return set(content_sequence(text))


def unsaid(text: str, evidence: list[str]) -> list[str]:
    """ "unsaid: <words>" when fewer than SAID_SHARE of the content words of `text` (four at
    least, by their first five letters) are in its `evidence`, or when none of those of a
    predicate joined to its main verb (by "and"/"but", or ", saying ...": two words at least)
    are: "... and suffered from schizophrenia" where the evidence never says it
    (grammar.second_predicates)."""
    said = set().union(*map(content_words, evidence))
    mine = content_words(text)
    new = mine - said
    if len(mine) < 4 or len(new) <= (1 - SAID_SHARE) * len(mine):
        parts = [p for p in grammar.second_predicates(text) if len(content_words(p)) >= 2]
        new = next((content_words(p) for p in parts if not content_words(p) & said), set())
        if not new:
            return []
    words = re.findall(r"[A-Za-z0-9][\w'-]{3,}", text)
    return [f"unsaid: {', '.join(dict.fromkeys(w for w in words if w.lower()[:5] in new))}"]


def says_again(missing: tuple[str, ...], text: str) -> bool:
    """Whether a sentence sent back for saying what the reports do not (`missing`: its
    problems, "unsaid: suffered, schizophrenia") says most of it again in other words: "...,
    his family said he suffered from schizophrenia" (a held-out validation brief's mended
    sentence, which the unsaid check passed once the claim was no longer a second predicate)."""
    words = {w.lower()[:5] for m in missing if m.startswith("unsaid: ") for w in m[8:].split(", ")}
    return bool(words) and len(words & content_words(text)) > len(words) / 2


def evidence_faults(text: str, unquoted: str, evidence: list[str]) -> list[str]:
    """The faults of `text` (`unquoted`: without its quotations) that its `evidence` tells: a
    record span that lost its word, a word in a script the evidence does not use, a name said
    twice that no report says twice."""
    return (
        record_span_mismatch(text, evidence)
        + foreign_script(text, evidence)
        + name_twice(unquoted, evidence)
        + other_sex(unquoted, evidence)
        + spelt_out(text, evidence)
    )


def other_language(text: str, brief: str, reports: Collection[str | None]) -> list[str]:
    """ "script: <its first words>" for a sentence in another language than the brief's, one
    that a report of the story is in: the model wrote the Spanish report's fact half in
    Spanish ("Doce personas recibieron atención for heridas leves", an English brief). Only
    where a report is in the brief's language, whose wording can stand in (a French story
    briefed in English keeps its French wording, its quotations marked as translated)."""
    others = set(reports) - {brief, None}
    if not others or brief not in reports:
        return []
    from .language import detect

    found = detect(text)
    return [f"script: {' '.join(text.split()[:3])}"] if found in others else []


# an acronym and what it stands for, either way round: "SCN (suprachiasmatic nucleus)"
_SPELT_OUT = re.compile(r"\b[A-Z]{2,6}s? \(([^()A-Z]{4,60})\)|\(([A-Z]{2,6})\)")


def spelt_out(text: str, evidence: list[str]) -> list[str]:
    """What the sentence says an acronym stands for, where no report spells it so: "the SCN
    (sleep-related nucleus)" and "NIF (night-time integration)" (validation 29, where they
    are the suprachiasmatic nucleus and non-image forming)."""
    flat = " ".join(" ".join(re.findall(r"\w+", e.lower())) for e in evidence)
    out = []
    for m in _SPELT_OUT.finditer(text):
        if m.group(1):
            words = " ".join(re.findall(r"\w+", m.group(1).lower()))
        else:  # "the suprachiasmatic nucleus (SCN)": the words before it
            before = re.findall(r"\w+", text[: m.start()].lower())[-2:]
            words = " ".join(before) + " " + m.group(2).lower()
        if words and words not in flat:
            out.append(f"unsaid: {m.group(0).strip() if m.group(1) else words}")
    return out


_PRONOUNS = {
    "he": re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE),
    "she": re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE),
}


def other_sex(unquoted: str, evidence: list[str]) -> list[str]:
    """A pronoun of one sex where what the sentence rests on has only the other's: "Michelle
    Obama ... when he met Khloe" (validation 28), "his tiny chest" for a girl's (validation
    9)."""
    out = []
    for sex, other in (("he", "she"), ("she", "he")):
        if (
            _PRONOUNS[sex].search(unquoted)
            and not any(_PRONOUNS[sex].search(e) for e in evidence)
            and any(_PRONOUNS[other].search(e) for e in evidence)
        ):
            out.append(sex)
    return out


_SPLIT_WORD = re.compile(r"\b([A-Za-z]{2,})['’.-]([a-z]{2,})\b")


def respelled(texts: list[str], sources: list[str]) -> list[str]:
    """`texts` with a word that the decoder split with a stray mark ("the river'side district",
    where the report says "riverside": the copy guard pushed the model off the report's
    token) written as the reports write it: only where the reports have the joined word and
    not the split one. "O'Brien", "don't", "river's" and "well-known" stay as they are."""
    words: dict[str, str] = {}
    written: set[str] = set()
    for source in sources:
        for w in re.findall(r"[\w'’.-]+", source):
            words.setdefault(w.lower().strip(".'’-"), w.strip(".'’-"))
            written.add(w.strip(".'’-"))

    def mend(m: re.Match) -> str:
        split, joined = m.group(0), m.group(1) + m.group(2)
        if split.lower() in words or joined.lower() not in words:
            return split
        found = words[joined.lower()]
        return found if split[0].isupper() == found[0].isupper() else joined

    pairs = _pairs(sources)

    def part(m: re.Match) -> str:
        glued = m.group(0)
        if re.search(r"[a-z][A-Z]", glued) and glued not in written and glued.lower() in words:
            return words[glued.lower()]  # "kale, apricOTS, and carrots" (validation 97)
        if glued.lower() in words or glued.lower() not in pairs or _a_word(glued):
            return glued
        return pairs[glued.lower()]

    def misspelt(m: re.Match) -> str:
        word = m.group(0)
        if word in words or _a_word(word):
            return word
        near = {words[w] for w in _one_edit(word) if w in words and _a_word(w)}
        return near.pop() if len(near) == 1 else word

    return [
        _MISSPELT.sub(misspelt, _GLUED.sub(part, _SPLIT_WORD.sub(mend, text))) for text in texts
    ]


# A word in lower case that is no word, one letter off one the reports write ("the team was
# aware of the mispelling", validation 1: the copy guard pushed the model off "misspelling"),
# is written as the reports write it; names, and words one edit from two report words, stay.
_MISSPELT = re.compile(r"(?<![\w'’-])[a-z]{5,}(?![\w'’-])")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit(word: str) -> set[str]:
    """Every string one letter dropped, added, changed or two letters swapped from `word`."""
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {
        *(a + b[1:] for a, b in cuts if b),
        *(a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1),
        *(a + c + b[1:] for a, b in cuts if b for c in _LETTERS),
        *(a + c + b for a, b in cuts for c in _LETTERS),
    }


# Two words the decoder ran together ("The Romancargo ship", "more than 70times", "before the
# end of histerm": the copy guard pushed the model off the report's next token " cargo" and
# the same word without its space was not pushed back): 26 in 100 validation briefs (0-99).
# Parted where the reports write the two words side by side, never the joined one, and the
# joined one is no English word ("firetruck", "cornmeal" stay); a number with its thousands
# comma too ("a town of about 3,000people", a held-out validation brief; "a 5,500-wordletter",
# validation 26).
_GLUED = re.compile(r"\d{1,3}(?:,\d{3})+-?[A-Za-z][\w'’-]*|[\w'’-]{4,}")
_EDGE = ',.;:!?()[]"“”'


def _pairs(sources: list[str]) -> dict[str, str]:
    """Each two words side by side in `sources`, run together in lower case -> as written."""
    pairs: dict[str, str] = {}
    for source in sources:
        tokens = source.split()
        for a, b in zip(tokens, tokens[1:], strict=False):
            if a != a.rstrip(_EDGE):
                continue  # punctuation between them: no pair
            a, b = a.lstrip(_EDGE), b.strip(_EDGE)
            if a and b:
                pairs.setdefault((a + b).lower(), f"{a} {b}")
    return pairs


def _a_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") > 0
