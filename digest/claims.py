"""Claims: what a brief sentence asserts that its evidence must also say.

The checks the citer relies on, in plain code: key terms (numbers, number words, proper names,
quotations, months) that must appear in the evidence; a "not" added or dropped; a weekday where
the evidence names another; a name put in another's role ("<name> <word>" beside another name).
`mismatches` runs them all. Measured on perturbed real sentences: docs/faithfulness.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from . import roles
from .attribution import (
    claim_speaker_mismatch,
    quote_speaker_mismatch,
    speaker_mismatch,
    voice_mismatch,
)
from .attribution_languages import foreign_attribution_mismatch
from .claims_languages import (
    FOREIGN_NUMBER_WORDS,
    FOREIGN_WEEKDAYS,
    foreign_figures,
    german_nouns,
    name_key,
    ordinary_capitals,
    quoted_in_another_language,
)
from .grave import grave_mismatch
from .negation import (  # noqa: F401  (negated, says_not: re-exported)
    negated,
    negation_mismatch,
    same_word,
    says_not,
)
from .pseudonyms import pseudonyms
from .units import unit_mismatch
from .wording import evidence_faults, faults, lowercase_words  # noqa: F401  (see key_terms)

# Capitalised words that say nothing about who or what (sentence starts, pronouns, months
# are kept: a wrong month is a wrong fact).
_COMMON = {
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we",
    "i", "in", "on", "at", "of", "for", "to", "by", "with", "from", "as", "and", "but", "or",
    "after", "before", "since", "while", "although", "though", "despite", "however", "meanwhile",
    "also", "according", "officials", "official", "president", "minister", "ministry", "foreign",
    "government", "ambassador", "state", "states", "country", "countries", "nation", "nations",
    "first", "new", "last", "next", "moreover", "furthermore", "additionally", "overall",
    "mr", "mrs", "ms", "dr", "his", "her", "their", "our", "there", "here", "when", "where",
    "what", "who", "which", "why", "how", "if", "so", "yet", "still", "now", "today",
    "thursday", "monday", "tuesday", "wednesday", "friday", "saturday", "sunday",
}  # fmt: skip
# Words that open sentences and are never names, for stories too short to show them in
# lower case ("Earlier, ...", "Another way ...").
_OPENERS = {
    "another", "whatever", "whoever", "earlier", "later", "once", "each", "every", "either",
    "neither", "such", "several", "many", "much", "most", "some", "any", "few", "other", "others",
    "all", "both", "one", "just", "only", "even", "instead", "indeed", "thus", "hence",
    "therefore", "then", "soon", "again", "already", "perhaps", "maybe", "nevertheless",
    "nonetheless", "notwithstanding", "otherwise", "besides", "likewise", "similarly", "finally",
    "eventually", "initially", "previously", "recently", "currently", "ultimately",
    "unfortunately", "fortunately", "apparently", "reportedly", "allegedly", "clearly",
    "obviously", "seconds", "minutes", "hours", "days", "weeks", "months", "years", "until",
    "unless", "because", "whether", "during", "over", "under", "about", "around", "among",
    "amid", "between", "within", "without", "through", "throughout", "upon", "against",
    "toward", "towards", "inside", "outside", "beyond", "like", "unlike", "rather",
    # indefinite pronouns ("Nobody said living in space was going to be easy", a train title
    # that passed for a headline with a name in it)
    "no", "none", "nobody", "nothing", "nowhere", "everyone", "everybody", "everything",
    "everywhere", "someone", "somebody", "something", "somewhere", "anyone", "anybody",
    "anything", "anywhere",
}  # fmt: skip
_QUOTE = re.compile(r"[\"“”]([^\"“”]{3,}?)[\"“”]")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
_GARBLED = re.compile(r"\b[^\W\d_]+,\d{3}\b")  # "one,000": no report writes it so (a model's slip)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")  # "Éric" and "Ødegaard" are names too
# A number written as a word is the number: "three" in a brief needs "three" or "3" in a
# source. "one" and "two" are left out: "one of them", "the two men", "a father of two" are
# loose wording as often as figures (requiring "two" raised false alarms on real paraphrases
# by 1 point and caught few more changes; docs/faithfulness.md).
_NUMBER_WORDS = (
    {
        w: str(n)
        for n, w in enumerate(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty".split()
        )
        if n >= 3
    }
    | {"dozen": "12"}  # "more than a dozen wounded" is "more than 12"
    | {
        w: str(10 * n)
        for n, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)
    }
    | {
        # ordinals from "third" up ("first" and "second" are loose wording, and "second" a time)
        w: str(n)
        for n, w in enumerate(
            "third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split(), 3
        )
    }
)
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
# "Aug. 8" is "August 8".
_MONTHS = {
    m[:3]: m
    for m in (
        "january february march april may june july august september october november december"
    ).split()
} | {"sept": "september"}


# A clock time is one figure however it is written: "7.10pm", "7:10 p.m.", "7:10pm".
_TIME = re.compile(r"\b(\d{1,2})[.:](\d{2})(?=\s?(?:[ap]\.?m\b|[ap]\.m\.))", re.IGNORECASE)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = _TIME.sub(r"\1:\2", text)
    return re.sub(r"\s+", " ", text).strip()


def key_terms(sentence: str, lowercase: Collection[str] = ()) -> list[str]:
    """Numbers, proper names and quoted phrases: what must not change between source and brief.

    `lowercase`: words the story's sources write in lower case. A capitalised word that opens
    the sentence (or a quotation in it) and is one of them is an ordinary word ("Divers
    said", "Oddly,"), not a name.
    """
    text = normalise(sentence)
    ordinary = ordinary_capitals(text)  # French, German, Spanish: openers, German nouns
    terms: list[str] = []
    for m in _QUOTE.finditer(text):
        quoted = m.group(1).strip(" ,.")
        if len(quoted.split()) >= 2:
            terms.append(f'"{quoted.lower()}"')
    terms += [m.group(0).replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)]
    terms += [m.group(0).lower() for m in _GARBLED.finditer(text)]
    for m in _NUMBER_WORD.finditer(text):
        terms.append(_NUMBER_WORDS[m.group(1).lower()])
    for m in _WORD.finditer(text):
        word = m.group(0).rstrip(".'’-").removesuffix("'s")
        if not word or not word[0].isupper() or word.lower() in _COMMON or m.start() in ordinary:
            continue
        if word.lower() in _NUMBER_WORDS:  # "Twelve people ...": the number, counted above
            continue
        if (word.lower() in lowercase or word.lower() in _OPENERS) and _opens(text, m.start()):
            continue
        terms.append(_MONTHS.get(word.lower(), word.lower()))
    return list(dict.fromkeys(terms))


def _opens(text: str, start: int) -> bool:
    """Whether the word at `start` opens the sentence or a quotation in it."""
    before = text[:start].rstrip()
    return not before or before[-1] in "\"'(:«„‹"


def _flat(text: str) -> str:
    """Words only, lower case, one space apart: quotations are compared on their words."""
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


# Countries whose adjective the five-letter stem above does not match ("Russian" does):
# "French" for "France", and the other way.
_DEMONYMS = dict(
    pair.split(":")
    for pair in (
        "french:france dutch:netherlands swiss:switzerland chinese:china spanish:spain "
        "turkish:turkey greek:greece iraqi:iraq swedish:sweden danish:denmark "
        "norwegian:norway polish:poland finnish:finland irish:ireland scottish:scotland "
        "welsh:wales thai:thailand filipino:philippines peruvian:peru iranian:iran cuban:cuba "
        "italian:italy british:britain english:england icelandic:iceland"
    ).split()
)
_NATIONS = _DEMONYMS | {country: people for people, country in _DEMONYMS.items()}


def _term_in(term: str, evidence: str, evidence_words: set[str]) -> bool:
    if term.startswith('"'):
        # Words, not punctuation: '"a fair deal,"' is the same quotation as "a fair deal".
        return _flat(term) in _flat(evidence) or quoted_in_another_language(evidence, term)
    if term[0].isdigit():
        return term in evidence_words
    if term in evidence_words:
        return True
    # Inflected names: "Russian" is supported by "Russia", "Afghan" by "Afghanistan".
    if len(term) >= 5:
        stem = term[:5]
        if any(w.startswith(stem) and abs(len(w) - len(term)) <= 6 for w in evidence_words):
            return True
    # A country and its people: "a French attack" for "an attack in France"
    nation = _NATIONS.get(term)
    if nation and nation in evidence_words:
        return True
    # The same name in another spelling: "Ibanez" for "Ibáñez", "Sergey" for "Sergueï".
    key = name_key(term)
    return len(key) >= 3 and any(name_key(w) == key for w in evidence_words if w[:1].isalpha())


def missing_terms(sentence: str, evidence: list[str], lowercase: Collection[str] = ()) -> list[str]:
    """The key terms of `sentence` that none of the `evidence` sentences contains."""
    return absent(key_terms(sentence, lowercase), evidence)


def absent(terms: list[str], evidence: list[str]) -> list[str]:
    """The `terms` (as `key_terms` gives them) that none of the `evidence` sentences contains."""
    text = normalise(" ".join(evidence)).lower()
    words = {m.group(0).replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)}
    words |= foreign_figures(text)
    for w in re.findall(r"[\w'’.-]+", text):
        w = w.strip(".'’-").removesuffix("'s")
        parts = [w, *w.split("-"), w.lstrip("0123456789")]  # "Norwegian-flagged", "3NOP"
        for part in parts:
            words.add(part)
            if part in _NUMBER_WORDS:
                words.add(_NUMBER_WORDS[part])
            if part in FOREIGN_NUMBER_WORDS:
                words.add(FOREIGN_NUMBER_WORDS[part])
            if part in _MONTHS:
                words.add(_MONTHS[part])
    return [t for t in terms if not _term_in(t, text, words)]


def _plain_words(text: str) -> set[str]:
    """Letters only: "Monday's" is "monday" and "s"."""
    return set(re.findall(r"[a-z]+", text.lower()))


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday_mismatch(text: str, evidence: list[str]) -> list[str]:
    """The weekdays of `text` that the evidence never names while it names another day.

    Weekdays are not key terms: reports date an event by the day it happened, was announced
    or was reported, so a brief's weekday need not be in the sentences nearest to it. Only a
    different day there counts against it."""
    days = [d for d in _WEEKDAYS if d in _plain_words(text)]
    if not days:
        return []
    named = {d for e in evidence for d in _WEEKDAYS if d in _plain_words(e)}
    named |= {
        FOREIGN_WEEKDAYS[w]
        for e in evidence
        for w in re.findall(r"[^\W\d_]+", e.lower())
        if w in FOREIGN_WEEKDAYS
    }
    return [d for d in days if d not in named] if named - set(days) else []


# Who did what: a name next to a word in the brief ("Lindqvist defeated") must not stand beside
# that word in the evidence as another name ("Ortega defeated Lindqvist"). Swapped subjects and
# misattributions ("the Taliban claimed" -> "Russia claimed", Russia being named elsewhere)
# keep every name and every word, and change only who stands where.
_TOKEN = re.compile(r"[A-Za-z0-9][\w'’.&-]*|[^\w\s]")
_NOT_ANCHORS = {
    "and", "the", "for", "with", "from", "that", "this", "was", "were", "has", "have", "had",
    "his", "her", "its", "their", "who", "whom", "whose", "which", "are", "but", "not", "into",
    "onto", "than", "also", "all", "both", "our", "your", "they", "she", "him", "them", "of",
}  # fmt: skip
_GOVERNING = {"in", "of", "at", "from", "near", "outside", "inside"}


@dataclass(frozen=True)
class Vocabulary:
    """What a story's sources show about their words: those they write in lower case (so the
    same word, capitalised to open a sentence, is no name), the words that make up one name
    ("Nadia" and "Osei" where a source says "Nadia Osei"), its German nouns (german_nouns)."""

    lowercase: frozenset[str] = frozenset()
    aliases: Mapping[str, frozenset[str]] = field(default_factory=dict)
    common: frozenset[str] = frozenset()
    pseudonyms: Mapping[str, frozenset[str]] = field(default_factory=dict)  # pseudonyms.py

    @classmethod
    def of(cls, texts: Iterable[str]) -> Vocabulary:
        texts = list(texts)
        lowercase = frozenset(lowercase_words(texts))
        common = german_nouns(texts)
        together: dict[str, set[str]] = {}
        for text in texts:
            tokens = _tokens(text, lowercase, common)
            for i in range(len(tokens)):
                if tokens[i][1] and (i == 0 or not tokens[i - 1][1]):
                    name = _names_beside(tokens, i - 1, 1)
                    for w in name:
                        together.setdefault(w, set()).update(name)
        other = pseudonyms(texts)  # "Stormy Daniels, whose real name is Stephanie Clifford"
        for w, n in other.items():
            together.setdefault(w, set()).update(n)
        return cls(lowercase, {w: frozenset(n) for w, n in together.items()}, common, other)

    def same_name(self, a: set[str], b: set[str]) -> bool:
        """Whether names `a` and `b` (their words) name the same one: they share a word or its
        first five letters ("Nordlys", "NordlysTM"), or a source joins them in one name."""
        a = a.union(*(self.aliases.get(w, ()) for w in a))
        return any(same_word(x, y) for x in a for y in b)


def _tokens(text: str, lowercase: Collection[str], common: frozenset[str] = frozenset()):
    """(word, is a name) for each word and punctuation mark of `text`, in lower case."""
    text = normalise(text)
    ordinary = ordinary_capitals(text, common)  # `common`: Vocabulary.common
    out: list[tuple[str, bool]] = []
    for m in _TOKEN.finditer(text):
        word = m.group(0).rstrip(".'’").removesuffix("'s")
        low = word.lower()
        name = (
            word[:1].isupper()
            and low not in _COMMON
            and low not in _WEEKDAYS
            and not (low in lowercase and _opens(text, m.start()))
            and m.start() not in ordinary
        )
        out.append((low, name))
    return out


def _names_beside(tokens: list[tuple[str, bool]], i: int, step: int) -> set[str]:
    """The words of the name next to position `i`, read in direction `step` (-1: the name
    before it, 1: after it); a hyphenated word counts also by its parts."""
    names: set[str] = set()
    j = i + step
    while 0 <= j < len(tokens) and tokens[j][1]:
        word = tokens[j][0]
        names.update({word, *word.split("-")})
        j += step
    return names


def _role_mismatch(text: str, evidence: list[str], vocabulary: Vocabulary) -> list[str]:
    """ "<name> <word>" (or "<word> <name>") for each name of `text` that the evidence mentions
    but that stands beside a word where the nearest evidence sentence has another name."""
    claim = _tokens(text, vocabulary.lowercase, vocabulary.common)
    sentences = [_tokens(e, vocabulary.lowercase, vocabulary.common) for e in evidence]
    named = [{w, *w.split("-")} for tokens in sentences for w, is_name in tokens if is_name]
    nearest = sentences[0]
    out = []
    for i in range(len(claim)):
        if not claim[i][1] or (i > 0 and claim[i - 1][1]):
            continue  # not the first word of a name
        name = _names_beside(claim, i - 1, 1)
        end = i
        while end < len(claim) and claim[end][1]:
            end += 1
        if not any(vocabulary.same_name(name, n) for n in named):
            continue  # the evidence does not name it: a missing term, not a role
        # "the Ummah Fitness Centre in London said": the saying after a name that a preposition
        # governs is the noun's before it (validation 27); "at McMahon's clinic" is his clinic
        governed = i > 0 and claim[i - 1][0] in _GOVERNING
        for anchor, step in ((end, -1), (i - 1, 1)):  # the word after the name, the word before
            if not 0 <= anchor < len(claim):
                continue
            if step == -1 and governed and claim[anchor][0] in _SAYING:
                continue
            word, is_name = claim[anchor]
            if is_name or len(word) < 3 or not word.isalpha() or word in _NOT_ANCHORS:
                continue
            beside = [
                _names_beside(nearest, k, step) for k, (w, _) in enumerate(nearest) if w == word
            ]
            beside = [b for b in beside if b]
            if beside and not any(vocabulary.same_name(name, b) for b in beside):
                shown = " ".join(w for w, _ in claim[i:end])
                out.append(f"{shown} {word}" if step == -1 else f"{word} {shown}")
    return out


# A merged sentence can give one report's deed to a name from another fact: "The Tasmanian
# Aboriginal Centre poured concrete ..." from "concrete will be poured to fuse the chamber" and
# "The Tasmanian Aboriginal Centre held up Aboriginal flags" (validation cluster 185). Verbs of
# saying are the speaker checks' (attribution.py).
_SAYING = {
    "said", "says", "told", "tells", "added", "adds", "stated", "noted", "explained", "wrote",
    "writes", "according", "announced", "confirmed", "reported", "tweeted", "claimed",
}  # fmt: skip
_POINTING = ("he ", "she ", "they ", "it ", "his ", "her ", "its ", "their ", "the ")
_SUBJECT_PRONOUNS = {"he", "she", "they"}


def _borrowed_subject(text: str, evidence: list[str], vocabulary: Vocabulary) -> list[str]:
    """ "<name> <verb>" where `text` opens with a name and a verb (or a second verb of the same
    name after "and"/"but": "Jewell noted the film was well cast, but criticized ..."), the
    evidence has that name, and every evidence sentence with that verb lacks the name (and does
    not open by pointing back, "He ..." or "The company ...", to someone it may be)."""
    claim = _tokens(text, vocabulary.lowercase, vocabulary.common)
    start = 1 if claim and claim[0][0] == "the" and not claim[0][1] else 0
    end = start
    while end < len(claim) and claim[end][1]:
        end += 1
    if end == start or end >= len(claim):
        return []
    # the verb after the name; a verb in the past right after "and"/"but" has the same subject
    first = end + 1 if claim[end][0].endswith("ly") and end + 1 < len(claim) else end  # "gradually"
    verbs = [claim[first][0]] + [
        claim[k + 1][0]
        for k in range(end + 1, len(claim) - 1)
        if claim[k][0] in ("and", "but") and not claim[k + 1][1] and claim[k + 1][0].endswith("ed")
    ]
    return [
        m for verb in verbs for m in _deed_of_another(claim[start:end], verb, evidence, vocabulary)
    ]


def _deed_of_another(
    shown: list[tuple[str, bool]], verb: str, evidence: list[str], vocabulary: Vocabulary
) -> list[str]:
    """ "<name> <verb>" where the evidence has the name `shown` (its tokens) and every evidence
    sentence with `verb` lacks it (_borrowed_subject)."""
    if (
        len(verb) < 4
        or not verb.isalpha()
        or verb in _NOT_ANCHORS
        or verb in _SAYING
        or verb in _COMMON
        or verb in _NEGATION_WORDS
    ):
        return []
    name = {w for w, _ in shown}
    holders, doers = [], []
    for e in evidence:
        tokens = _tokens(e, vocabulary.lowercase, vocabulary.common)
        names = {w for w, is_name in tokens if is_name}
        if vocabulary.same_name(name, names):
            holders.append(e)
        at = [
            k
            for k, (w, _) in enumerate(tokens)
            if w == verb or len(verb) >= 5 and same_word(verb, w)
        ]
        if at:
            # a pronoun before the verb may be the name, in a sentence that names no one else
            # ("Gradually he learned ... and accumulated experience", validation 245; not
            # "Luu said, he feels stronger", 155)
            others = {w for w in names if not w.endswith("ly")}  # "Gradually" opening it
            pointing = not others and any(w in _SUBJECT_PRONOUNS for w, _ in tokens[: at[0]])
            doers.append((e, vocabulary.same_name(name, names) or pointing))
    if not holders or not doers or any(has for _, has in doers):
        return []
    if any(e.lower().lstrip('"“ ').startswith(_POINTING) for e, _ in doers):
        return []
    return [" ".join(w for w, _ in shown) + f" {verb}"]


_NEGATION_WORDS = {"not", "never", "cannot"}


def _named_otherwise(names: frozenset[str], evidence: list[str]) -> bool:
    """Whether the evidence has a word of another name a report gives the same person."""
    return len(absent(sorted(names), evidence)) < len(names)


def mismatches(text: str, evidence: list[str], vocabulary: Vocabulary | None = None) -> list[str]:
    """What `text` says that the `evidence` sentences (most similar first) do not: its missing
    key terms; "not" where one of them negates what the other affirms; a weekday where the
    evidence names another; "<name> <word>" where the nearest evidence sentence puts another
    name beside that word."""
    vocabulary = vocabulary or Vocabulary.of(evidence)
    out = missing_terms(text, evidence, vocabulary.lowercase)
    # "Daniels" where the evidence says "Clifford" and a report says she is both
    named = vocabulary.pseudonyms
    out = [t for t in out if t not in named or not _named_otherwise(named[t], evidence)]
    if evidence:
        if negation_mismatch(text, evidence):
            out.append("not")
        out += _weekday_mismatch(text, evidence)
        out += _role_mismatch(text, evidence, vocabulary)
        out += roles.listed_apart(text, evidence)  # "sued by EMTs Damon, Lamar and Simons"
        out += [m for m in _borrowed_subject(text, evidence, vocabulary) if m not in out]
        out += speaker_mismatch(text, evidence)
        out += quote_speaker_mismatch(text, evidence)
        out += foreign_attribution_mismatch(text, evidence)  # French, German, Spanish
        out += voice_mismatch(text, evidence)
        out += claim_speaker_mismatch(text, evidence)
        out += grave_mismatch(text, evidence)  # "died" where the reports say "critical"
        out += unit_mismatch(text, evidence)  # "19,356 meters" where they say "19,356 feet"
        if not out:  # who did it to whom, parsed: "X is suing Y" where Y sues X; "The medics
            # were trying to treat Damon but became violent" where she became violent
            out += roles.swapped(text, evidence[:1]) or roles.deed_of_another(text, evidence[:1])
    unquoted = _QUOTE.sub(" ", text)
    out += faults(text, unquoted) + evidence_faults(text, unquoted, evidence)
    return out
