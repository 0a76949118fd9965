"""Attribution: who a brief sentence says said it must be who its evidence says said it.

A model asked to reword moves a claim from one speaker to another ("... tackling them for fun,
police said", where the police said nothing of the kind). Names are checked as key terms and
by their roles (claims.py); this catches the speakers written in lower case ("police said",
"the company said", "according to researchers"): the speaker, or a word for the same kind of
speaker ("officials" / "authorities"), must appear in the evidence.
"""

from __future__ import annotations

import re

from .wording import FUNCTION_WORDS

_VERBS = (
    "said|says|say|told|tells|stated|states|added|adds|announced|announces|reported|reports|"
    "claimed|claims|warned|warns|wrote|writes|argued|argues|insisted|insists|confirmed|"
    "confirms|explained|explains|noted|notes|urged|urges|alleged|alleges|acknowledged|admitted"
)
_AFTER = re.compile(
    rf"\b([a-z][a-z-]+)\s+(?:also\s+|later\s+|previously\s+|had\s+|has\s+)?({_VERBS})\b"
)
_BEFORE = re.compile(rf"\b({_VERBS})\s+(?:the\s+|a\s+|an\s+)?([a-z][a-z-]+)\s*(?:[.;]|$)")
_ACCORDING = re.compile(
    r"\baccording\s+to\s+(?:the\s+|a\s+|an\s+)?([a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,2})"
)
_PREPOSITIONS = {"of", "from", "for", "by", "in", "at", "on", "with", "to", "about", "after"}
# not speakers: pronouns, determiners, and words that stand before a verb without speaking
_NOT_SPEAKERS = {
    "he", "she", "they", "it", "we", "i", "you", "who", "which", "that", "this", "these",
    "those", "there", "what", "one", "others", "some", "many", "most", "all", "both", "each",
    "also", "and", "but", "or", "then", "later", "previously", "had", "has", "have", "was",
    "were", "is", "are", "be", "been", "being", "not", "never", "just", "only", "as", "so",
    "on", "in", "at", "of", "for", "to", "by", "with", "from", "about", "after", "than",
    "him", "her", "them", "us", "me", "his", "its", "their", "our", "my", "your", "own",
    "statement", "statements", "report", "reports", "media", "news", "newspaper", "paper",
    "wire", "agency", "outlet", "sources", "source", "interview", "letter", "post", "tweet",
    "release", "filing", "documents", "document", "court", "complaint", "affidavit",
    "indictment", "lawsuit", "suit", "records", "record", "data", "figures", "estimates",
    "survey", "poll", "website", "site", "account", "accounts", "video", "footage", "photos",
}  # fmt: skip
# kinds of speaker that reports name in other words
_KINDS = [
    {"official", "officials", "authorities", "authority", "government", "administration"},
    {"police", "officers", "officer", "authorities", "sheriff", "deputies", "investigators"},
    {"company", "firm", "business", "maker", "manufacturer", "corporation", "group", "retailer"},
    {"spokesman", "spokeswoman", "spokesperson", "representative", "spokespeople"},
    {"researchers", "researcher", "scientists", "scientist", "study", "team", "authors", "experts"},
    {"prosecutors", "prosecutor", "attorneys", "attorney", "lawyers", "lawyer", "counsel"},
    {"witnesses", "witness", "residents", "resident", "neighbours", "neighbors"},
]
# The words French, German and Spanish reports use for the same kinds, which an English brief's
# speaker translates ("officials said" from "selon les autorités"): whole words, not stems
# (a stem such as "entre" or "testi" would let English words through).
_KINDS_ABROAD = [
    ({"official", "officials", "authorities", "government"},
     {"autorités", "gouvernement", "behörden", "behörde", "regierung", "autoridades",
      "gobierno"}),
    ({"police", "officers", "investigators"},
     {"polizei", "gendarmerie", "gendarmes", "policiers", "enquêteurs", "ermittler",
      "policía", "investigadores"}),
    ({"company", "firm", "operator"},
     {"compagnie", "société", "entreprise", "armateur", "reederei", "unternehmen", "betreiber",
      "naviera", "empresa", "compañía", "operadora"}),
    ({"spokesman", "spokeswoman", "spokesperson"},
     {"porte-parole", "sprecher", "sprecherin", "portavoz"}),
    ({"guard", "coastguard"}, {"garde-côtes", "küstenwache", "guardacostas"}),
    ({"witnesses", "witness", "residents"},
     {"témoins", "témoin", "habitants", "zeugen", "anwohner", "testigos", "vecinos"}),
]  # fmt: skip


# "..., according to reports." says nothing of who said it: a filler the model reaches for when
# the copy guard turns it away from the source's words (read on Multi-News train, where it
# closed three sentences of one brief). A brief cites its reports anyway.
_REPORTS = r"(?:the |some |several |multiple |many |news |media |local |press |earlier )*reports"
_VACUOUS_END = re.compile(
    rf",?\s+(?:according to {_REPORTS}|{_REPORTS} (?:said|say|says|suggest|suggested))(?=[.!]?$)"
)
_VACUOUS_START = re.compile(rf"^(?:According to|As reported in) {_REPORTS},\s+(?=\S)")


def without_vacuous(text: str) -> str:
    """`text` without an attribution to unnamed "reports" ("..., according to reports.")."""
    text = _VACUOUS_END.sub("", text.rstrip())
    m = _VACUOUS_START.match(text)
    if m and len(text) - m.end() > 20:
        rest = text[m.end() :]
        text = rest[0].upper() + rest[1:]
    return text


# The same closing attribution on three sentences or more of one reply is a loop the copy guard
# sent the model into, not a source: "..., according to a Detroit man who pleaded not guilty
# Friday." closed four sentences of validation 50 (and "according to Sotheby's International
# Realty" four of 48); each was refused for it and replaced by a report's words. Two such closings
# are left: "..., according to the Herald." twice is a brief's way of citing a paper (14).
_CLOSING = re.compile(r",\s+according to (?:[\w’'.$-]+\s+){0,11}[\w’'.$-]+(?=[.!]$)")
LOOP_CLOSINGS = 3


def without_looped(texts: list[str]) -> list[str]:
    """`texts` (one reply's sentences) without a closing "according to ..." that ends
    LOOP_CLOSINGS of them or more."""
    tails = [m.group(0).lower() if (m := _CLOSING.search(t.rstrip())) else None for t in texts]
    looped = {t for t in tails if t is not None and tails.count(t) >= LOOP_CLOSINGS}
    return [
        _CLOSING.sub("", t.rstrip()) if tail in looped else t
        for t, tail in zip(texts, tails, strict=True)
    ]


def speakers(text: str) -> list[tuple[str, str]]:
    """(speaker, verb) for each speaker of `text` written in lower case: "police said" ->
    ("police", "said"); "according to researchers" -> ("researchers", "according to")."""
    lower = text.lower()
    out: list[tuple[str, str]] = []
    for m in _AFTER.finditer(lower):
        if _lower_in(text, m.start(1)) and not _named_before(text, m.start(1)):
            out.append((m.group(1), m.group(2)))
    for m in _BEFORE.finditer(lower):
        if _lower_in(text, m.start(2)):
            out.append((m.group(2), m.group(1)))
    for m in _ACCORDING.finditer(lower):
        words = m.group(1).split()
        cut = next((k for k, w in enumerate(words) if w in _PREPOSITIONS), len(words))
        if cut and _lower_in(text, m.start(1)):
            out.append((words[cut - 1], "according to"))
    return [(s, v) for s, v in out if s not in _NOT_SPEAKERS and not s.endswith("ly")]


def _named_before(text: str, start: int) -> bool:
    """Whether a capitalised word stands just before the speaker: "a White House official",
    "a Shell spokesman" name who speaks (a name, checked by claims.py)."""
    before = re.search(r"([A-Za-z][\w'’.-]*)\s+$", text[:start])
    return before is not None and before.group(1)[0].isupper()


def _lower_in(text: str, start: int) -> bool:
    """Whether the word at `start` is written in lower case (a capitalised one is a name), or
    is a kind of speaker opening the sentence ("Police said ...")."""
    if text[start : start + 1].islower():
        return True
    word = re.match(r"[A-Za-z-]+", text[start:])
    return start == 0 and word is not None and any(word.group(0).lower() in k for k in _KINDS)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z][a-z-]*", text.lower()))


def _foreign_words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.lower()))


def _stem(word: str) -> str:
    return word[:5] if len(word) >= 5 else word


def speaker_mismatch(text: str, evidence: list[str]) -> list[str]:
    """ "<speaker> <verb>" for each lower-case speaker of `text` that no evidence sentence
    names, in its own word or in a word for the same kind of speaker."""
    words = set().union(*(_words(e) for e in evidence)) if evidence else set()
    stems = {_stem(w) for w in words}
    foreign = set().union(*(_foreign_words(e) for e in evidence)) if evidence else set()
    out = []
    for speaker, verb in speakers(text):
        kinds = set().union(*(k for k in _KINDS if speaker in k)) or {speaker}
        abroad = set().union(*(there for here, there in _KINDS_ABROAD if speaker in here))
        if not any(_stem(k) in stems for k in kinds) and foreign.isdisjoint(abroad):
            shown = f"according to {speaker}" if verb == "according to" else f"{speaker} {verb}"
            out.append(shown)
    return out


_QUOTED = re.compile(r"[\"“]([^\"“”]{12,}?)[\"”]")
_NAME = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*"
# "the Ummah Fitness Centre in London said": the name a preposition governs, with the one it
# belongs to (validation 27 was refused as "London said")
_NAMED_BEFORE = re.compile(
    rf"((?:{_NAME}\s+(?:in|of|at|from)\s+(?:the\s+)?)?{_NAME})\s+(?:{_VERBS})\b"
)
_NAMED_AFTER = re.compile(rf"\b(?:{_VERBS})\s+(?:(?:the|a|an|[a-z]+)\s+){{0,3}}?({_NAME})")
_TITLES = {"Mr", "Mrs", "Ms", "Dr", "The", "A", "An", "He", "She", "They", "It", "We", "I"}


def _named_speakers(text: str) -> set[str]:
    """The capitalised words standing beside a verb of saying, outside quotations."""
    plain = _QUOTED.sub(" ", text)
    words: set[str] = set()
    for pattern in (_NAMED_BEFORE, _NAMED_AFTER):
        for m in pattern.finditer(plain):
            words.update(w.strip(".,'’") for w in m.group(1).split())
    return {w.removesuffix("'s") for w in words if w and w not in _TITLES}


def _flat(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def quote_speaker_mismatch(text: str, evidence: list[str]) -> list[str]:
    """ "<name> said" where `text` gives a quotation to a named speaker and the evidence
    sentences that carry the quotation give it to another: "... we were not prepared," Morgan
    said' against '... not prepared," said Executive Director Mary Shafer'."""
    speakers_here = _named_speakers(text)
    quotes = [_flat(q)[:40] for q in _QUOTED.findall(text) if len(q.split()) >= 4]
    if not speakers_here or not quotes:
        return []
    for e in evidence:
        flat = _flat(e)
        if any(q in flat for q in quotes):
            there = _named_speakers(e)
            if there and not speakers_here & there:
                return [f"{' '.join(sorted(speakers_here))} said"]
    return []


# A claim closed with its named speaker: "..., according to Jack Gallagher, a spokesman." or
# "..., Mayor Ruiz said."
_CLOSING_SPEAKER = re.compile(
    rf",\s+(?:(?:according to|(?:{_VERBS}))\s+(?:(?:the|a|an|[a-z]+)\s+){{0,3}}?({_NAME})"
    rf"(?:,[^,;:\"“”]{{0,80}})?|({_NAME})\s+(?:{_VERBS})(?:\s+[\w.-]+){{0,3}})\.?\s*$"
)
CLAIM_SHARE = 0.5  # of the claim's content words, in the sentences that name its speaker


def claim_speaker_mismatch(text: str, evidence: list[str]) -> list[str]:
    """ "according to <name>" where `text` closes a claim with a named speaker and the evidence
    sentences that name that speaker say little of the claim (under half its content words):
    the model has hung one report's speaker on another fact ("In modern San Francisco, rows of
    skyscrapers line the streets ..., according to Jack Gallagher, a spokesman", where
    Gallagher spoke of something else; read on Multi-News train). A quotation is checked by
    `quote_speaker_mismatch`; a speaker no evidence names, by the names check."""
    if _QUOTED.search(text):
        return []
    m = _CLOSING_SPEAKER.search(text)
    if m is None:
        return []
    name = next(g for g in m.groups() if g)
    who = {w.strip(".,'’").removesuffix("'s") for w in name.split()} - _TITLES
    claim = {_stem(w) for w in _words(text[: m.start()]) if len(w) >= 4 and w not in FUNCTION_WORDS}
    naming = [e for e in evidence if who & {w.strip(".,'’").removesuffix("'s") for w in e.split()}]
    if not who or not claim or not naming:
        return []
    said = {_stem(w) for e in naming for w in _words(e)}
    if len(claim & said) < CLAIM_SHARE * len(claim):
        return [f"according to {name}"]
    return []


# Who did it to whom: "CNN is being sued by two EMTs" is not "CNN sued EMTs".
_FILLER = r"(?:(?:the|a|an|two|three|four|five|several|some|\d+)\s+)?"
_PASSIVE = re.compile(
    rf"\b([A-Za-z][\w'’.-]*)\s+(?:is|was|were|are|has been|have been|had been|is being|"
    rf"was being|are being|were being|been|being)\s+(\w+ed)\s+by\s+{_FILLER}([A-Za-z][\w'’.-]*)"
)


def voice_mismatch(text: str, evidence: list[str]) -> list[str]:
    """ "<a> <verb> <b>" where `text` has a do it to b (or b do it to a, in the passive) and an
    evidence sentence has it the other way round, in the other voice."""
    done = []  # (agent, verb, patient), lower case, from the evidence's passive sentences
    for e in evidence:
        for m in _PASSIVE.finditer(e):
            done.append((m.group(3).lower(), m.group(2).lower(), m.group(1).lower()))
    if not done:
        return []
    flat = " ".join(re.findall(r"[\w'’.-]+", text.lower()))
    out = []
    for agent, verb, patient in done:
        active_wrong = re.search(
            rf"\b{re.escape(patient)}\s+{re.escape(verb)}\s+{_FILLER}{re.escape(agent)}\b", flat
        )
        passive_wrong = re.search(
            rf"\b{re.escape(agent)}\s+(?:is|was|were|are|been|being)\s+(?:being\s+)?"
            rf"{re.escape(verb)}\s+by\s+{_FILLER}{re.escape(patient)}\b",
            flat,
        )
        if active_wrong or passive_wrong:
            out.append(f"{patient} {verb} {agent}")
    return out
