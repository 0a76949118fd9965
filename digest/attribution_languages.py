"""Attribution in French, German and Spanish (claims.py uses it): who a brief sentence in one of
them says said it must be who its evidence in that language says said it. attribution.py's
rules are English ("said", "according to"); these are the same checks with each language's
verbs of saying ("a déclaré", "selon", "sagte", "laut", "dijo", "según"), and the planner's
test of whether a quotation names its speaker (plan.py). docs/languages.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .attribution import _flat, _stem


# "selon la compagnie", "a déclaré la maire", "laut der Reederei", "sagte die Küstenwache",
# "según la naviera", "dijo el capitán". A brief sentence in one of the three languages is
# compared with the evidence sentences in its own language only (the words of a translation
# cannot be compared); where there are none, its speakers are left to the other checks.
@dataclass(frozen=True)
class _Saying:
    verbs: str  # verbs of saying, a regular expression
    determiners: str  # the articles before a speaker
    according: re.Pattern[str]  # "selon la compagnie": group 1 is the speaker
    function: frozenset[str]  # words that are no part of who speaks (pronouns, articles, ...)
    pronouns: frozenset[str]  # subject pronouns: "a-t-il déclaré", "sagte er"
    addressed: frozenset[str]  # words after the verb that start whom it was said to, or when


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SAYING = {
    "fr": _Saying(
        verbs=(
            r"déclaré|dit|expliqué|indiqué|affirmé|précisé|ajouté|annoncé|assuré|souligné|"
            r"estimé|confié|raconté|confirmé|averti|rapporté|déclare|déclarent|dit|disent|"
            r"explique|expliquent|indique|indiquent|affirme|affirment|précise|précisent|ajoute|"
            r"ajoutent|annonce|annoncent|assure|assurent|souligne|estime|confirme|raconte"
        ),
        determiners=r"(?:l'|(?:les|le|la|un|une|des|du)\s+)",
        according=re.compile(
            r"\b(?:selon|d'après)\s+(?:l'|(?:les|le|la|un|une|des)\s+)([^\W\d_][\w-]*)", re.I
        ),
        function=_set(
            "a ont avait avaient il elle ils elles on t le la les l' un une des du de d' au aux "
            "à en et aussi également encore qui que lui leur ce cette son sa ses selon d'après"
        ),
        pronouns=_set("il elle ils elles on"),
        addressed=_set("à aux au devant lors pendant après avant dans sur en samedi dimanche"),
    ),
    "de": _Saying(
        verbs=(
            r"sagte|sagten|sagt|sagen|erklärte|erklärten|erklärt|betonte|betonten|betont|"
            r"berichtete|berichteten|berichtet|teilte|teilten|bestätigte|bestätigten|warnte|"
            r"warnten|kündigte|kündigten|meldete|meldeten|schätzte|schätzten|schrieb|"
            r"versicherte|räumte|(?<=[“”\"»«], )so"
        ),
        determiners=r"(?:(?:der|die|das|ein|eine)\s+)",
        according=re.compile(
            r"\b(?:laut|nach\s+angaben)\s+(?:der|des|dem|den|eines|einer)\s+([^\W\d_][\w-]*)"
            r"|\b(?:der|des|dem)\s+([^\W\d_][\w-]*)\s+zufolge\b",
            re.I,
        ),
        function=_set(
            "er sie es man wir der die das den dem des ein eine einer eines mit an auch zudem "
            "noch so laut nach angaben zufolge und wie"
        ),
        pronouns=_set("er sie es man wir"),
        addressed=_set("dem den gegenüber am im bei nach vor in auf zu zum zur vom"),
    ),
    "es": _Saying(
        verbs=(
            r"dijo|dijeron|dice|dicen|afirmó|afirmaron|afirma|declaró|declararon|declara|"
            r"explicó|explicaron|explica|aseguró|aseguraron|asegura|señaló|señalaron|señala|"
            r"añadió|añadieron|añade|indicó|indicaron|indica|informó|informaron|informa|"
            r"anunció|anunciaron|anuncia|confirmó|confirmaron|advirtió|estimó|calculó|contó"
        ),
        determiners=r"(?:(?:los|las|el|la|un|una)\s+)",
        according=re.compile(
            r"\b(?:según|de\s+acuerdo\s+con)\s+(?:el|la|los|las|un|una)\s+([^\W\d_][\w-]*)", re.I
        ),
        function=_set(
            "él ella ellos ellas se le les lo el la los las un una de del al a y también además "
            "que según"
        ),
        pronouns=_set("él ella ellos ellas"),
        addressed=_set("a al ante durante tras en este esta"),
    ),
}
# Kinds of speaker that reports name in other words, in the three languages and English (a
# French brief may rest on a German or an English report too). Whole words: stems would join
# words of other languages ("entreprise" and "entre").
_KINDS = tuple(
    _set(words)
    for words in (
        "autorités responsables gouvernement préfecture ministère mairie behörden behörde "
        "regierung beamte ministerium verwaltung autoridades gobierno funcionarios ministerio "
        "ayuntamiento officials authorities government",
        "police policiers gendarmerie gendarmes enquêteurs polizei polizisten ermittler policía "
        "policías agentes investigadores officers investigators",
        "compagnie société entreprise armateur opérateur exploitant reederei unternehmen firma "
        "betreiber konzern gesellschaft naviera compañía empresa operadora company firm operator",
        "porte-parole représentant représentante sprecher sprecherin portavoz representante "
        "spokesman spokeswoman spokesperson",
        "secouristes sauveteurs pompiers garde-côtes secours küstenwache retter rettungskräfte "
        "feuerwehr seenotretter rescatistas socorristas bomberos guardacostas salvamento "
        "rescuers guard coastguard firefighters",
        "témoins témoin habitants habitant riverains zeugen zeuge anwohner bewohner testigos "
        "testigo vecinos residentes witnesses residents",
    )
)
_NOT_SPEAKING = _set(
    "comunicado communiqué rapport informe bericht mitteilung erklärung fuentes sources quellen "
    "presse prensa medios médias medien documento document dokument"
)
# titles before a name: "le capitaine Orlov" and "le capitaine Morel" are two people
_TITLES_ABROAD = _set(
    "monsieur madame m. mme capitaine maire ministre président présidente docteur dr herr frau "
    "kapitän kapitänin bürgermeister bürgermeisterin minister ministerin präsident präsidentin "
    "señor señora sr. sra. capitán alcalde alcaldesa ministro ministra presidente presidenta"
)
_FOREIGN_QUOTED = re.compile(r"[«„‹\"“]\s*([^«»„“”\"‹›]{12,}?)\s*[»“”\"›]")


def _language(text: str, identify: bool = False) -> str | None:
    """ "fr", "de" or "es" (claims_languages.sentence_language); `identify`: asking the
    language identifier too where the sentence has too few common words to tell (a quotation
    with its speaker: "« ... », a déclaré la maire")."""
    from .claims_languages import _identified, sentence_language

    code = sentence_language(text)
    if code is None and identify:
        found = _identified(text)
        code = found if found in _SAYING else None
    return code


def foreign_speakers(text: str, code: str) -> list[tuple[str, str]]:
    """(speaker, verb) for each speaker of `text`, a sentence in language `code`, named by a
    word for who speaks after an article: "la compagnie a indiqué" -> ("compagnie", "indiqué");
    "sagte die Küstenwache" -> ("küstenwache", "sagte"); "según la naviera"."""
    rules = _SAYING[code]
    plain = _FOREIGN_QUOTED.sub("»", text)
    det, verbs = rules.determiners, rules.verbs
    speaker = r"([^\W\d_][\w-]*)"
    before = re.compile(
        rf"\b{det}{speaker}\s+(?:(?:a|ont|hat|haben|ha|han)\s+)?(?:{verbs})\b", re.I
    )
    # the verb first: at the end of the sentence ("a déclaré la maire."), or after a comma or
    # a quotation in German ("..., sagte die Küstenwache")
    after = re.compile(
        rf"(?:^|[,:;»“”\"]\s*)(?:{verbs})\s+{det}{speaker}"
        rf"|\b(?:{verbs})\s+{det}{speaker}\s*(?:[.;]|$)",
        re.I,
    )
    found: list[tuple[str, str]] = []
    for pattern in (before, after, rules.according):
        for m in pattern.finditer(plain):
            word = next(g for g in m.groups() if g)
            verb = m.group(0).split()[0] if pattern is rules.according else _verb(m, verbs)
            found.append((word.lower(), verb.lower()))
    return [(s, v) for s, v in found if s not in rules.function and s not in _NOT_SPEAKING]


def _verb(m: re.Match[str], verbs: str) -> str:
    v = re.compile(rf"\b(?:{verbs})\b", re.I).search(m.string, m.start(), m.end())
    return v.group(0) if v else ""


def _same_speaker(a: str, words: set[str]) -> bool:
    """Whether speaker word `a` is among `words`: the same stem, a word for the same kind of
    speaker, or the same name in another spelling ("Orlov", "Orlow")."""
    from .claims_languages import name_key

    parts = {p for w in words for p in (w, *w.split("-"))}
    if _stem(a) in {_stem(p) for p in parts}:
        return True
    if any(a in k and not k.isdisjoint(parts) for k in _KINDS):
        return True
    key = name_key(a)
    return len(key) >= 3 and any(name_key(p) == key for p in parts)


def _same_language(text: str, evidence: list[str]) -> tuple[str | None, list[str]]:
    code = _language(text, identify=bool(_FOREIGN_QUOTED.search(text)))
    if code is None:
        return None, []
    return code, [e for e in evidence if _language(e, identify=True) == code]


def foreign_speaker_mismatch(text: str, evidence: list[str]) -> list[str]:
    """ "<speaker> <verb>" for each speaker of `text`, a French, German or Spanish sentence,
    that no evidence sentence in its language names, in its own word or in a word for the same
    kind of speaker ("das Unternehmen" for "die Reederei")."""
    code, same = _same_language(text, evidence)
    if code is None or not same:
        return []
    # the speaker may be in any of the evidence, once one sentence is in the brief's language
    words = {w.lower() for e in evidence for w in re.findall(r"[^\W\d_][\w'-]*", e)}
    return [f"{s} {v}" for s, v in foreign_speakers(text, code) if not _same_speaker(s, words)]


def _speaker_words(text: str, code: str) -> tuple[set[str], set[str]]:
    """The words that say who speaks in `text`, outside its quotations: those beside a verb of
    saying (up to six after it, in its sentence; up to five before it, in its clause), less
    pronouns and articles; empty where the speaker is a pronoun ("a-t-il déclaré", "sagte
    er"). And the names among them: capitalised, not a title ("capitán", "Kapitän") nor a
    kind of speaker."""
    rules = _SAYING[code]
    plain = _FOREIGN_QUOTED.sub("»", text)
    words: set[str] = set()
    names: set[str] = set()
    verb = re.compile(rf"\b(?:{rules.verbs})\b|\b(?:selon|d'après|laut|según)\b", re.I)
    for m in verb.finditer(plain):
        after = re.split(r"[.;:()«»„“”\"]", plain[m.end() :])[0].split()[:6]
        before = re.split(r"[,.;:()«»„“”\"]", plain[: m.start()])[-1].split()[-5:]
        cut = next((k for k, w in enumerate(after) if w.lower() in rules.addressed), len(after))
        after = after[:cut]
        beside = [p for w in before[-2:] for p in re.split(r"-(?:t-)?", w.lower())]
        beside += re.split(r"-(?:t-)?", plain[m.end() :].split(" ", 1)[0].lower())
        beside += [w.lower().strip(",.") for w in after[:1]]
        if not rules.pronouns.isdisjoint(beside):
            continue  # the speaker is a pronoun
        for w in before + after:
            for part in re.split(r"-(?:t-)?", w.strip("'’,")):
                low = part.lower()
                if low and low not in rules.function and not re.fullmatch(rules.verbs, low):
                    words.add(low)
                    if (
                        part[:1].isupper()
                        and low not in _TITLES_ABROAD
                        and not any(low in k for k in _KINDS)
                    ):
                        names.add(low)
    return words, names


def foreign_quote_speaker_mismatch(text: str, evidence: list[str]) -> list[str]:
    """ "<speaker> <verb>" where `text`, a French, German or Spanish sentence, gives a
    quotation to one speaker and the evidence sentence that carries it gives it to another:
    '« ... », a déclaré le capitaine Orlov' against '« ... », a déclaré la maire Lucie
    Fabre'. A quotation the evidence gives to a pronoun ("a-t-il déclaré") is left alone."""
    code, same = _same_language(text, evidence)
    if code is None or not same:
        return []
    quotes = [_flat(q)[:40] for q in _FOREIGN_QUOTED.findall(text) if len(q.split()) >= 4]
    here, here_names = _speaker_words(text, code)
    if not quotes or not here:
        return []
    for e in same:
        if any(q in _flat(e) for q in quotes):
            there, there_names = _speaker_words(e, code)
            if here_names and there_names:  # two names: a shared title is no same speaker
                here, there = here_names, there_names
            if there and not any(_same_speaker(w, there) for w in here):
                return [f"{' '.join(sorted(here))} said"]
    return []


def names_a_speaker(text: str) -> bool:
    """Whether `text`, a French, German or Spanish sentence, says who speaks with a verb of
    saying and a word that is no pronoun ('« ... », a déclaré la maire'; not 'a-t-il
    déclaré', not '„...“, sagte er')."""
    code = _language(text, identify=True)
    return code is not None and bool(_speaker_words(text, code)[0])


def foreign_attribution_mismatch(text: str, evidence: list[str]) -> list[str]:
    """Both checks: speakers the evidence never names, and quotations given to another."""
    return foreign_speaker_mismatch(text, evidence) + foreign_quote_speaker_mismatch(text, evidence)
