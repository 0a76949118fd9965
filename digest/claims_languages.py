"""The checker's knowledge of other languages (claims.py uses it): how French, German, Spanish
and Italian write figures, number words and weekdays, one key per name whatever its accents
and transliteration, whether a source quotes someone in another language, and how French,
German and Spanish say "not". docs/languages.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Number words of the other languages a source may be in (French, German, Spanish, Italian),
# read in the evidence only: a brief's "12" is supported by "doce", "zwölf" or "douze".
FOREIGN_NUMBER_WORDS = {
    w: str(n)
    for words in (
        "trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
        "dix-sept dix-huit dix-neuf vingt",
        "drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn fünfzehn "
        "sechzehn siebzehn achtzehn neunzehn zwanzig",
        "tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
        "dieciséis diecisiete dieciocho diecinueve veinte",
        "tre quattro cinque sei sette otto nove dieci undici dodici tredici quattordici "
        "quindici sedici diciassette diciotto diciannove venti",
    )
    for n, w in enumerate(words.split(), start=3)
}
# Figures as other languages write them: "3,5" is 3.5, "1.200" and "1 200" are 1200.
_DECIMAL_COMMA = re.compile(r"(?<![\w.,])(\d+),(\d{1,2})(?![\d,])")
_THOUSANDS_DOT = re.compile(r"(?<![\w.,])\d{1,3}(?:\.\d{3})+(?![\d.]|,\d)")
_THOUSANDS_SPACE = re.compile(r"(?<![\w.,])\d{1,3}(?: \d{3})+(?![\d]|[.,]\d)")
# Weekdays in other languages, as the English name the brief uses.
FOREIGN_WEEKDAYS = dict(
    zip(
        "lundi mardi mercredi jeudi vendredi samedi dimanche montag dienstag mittwoch donnerstag "
        "freitag samstag sonntag lunes martes miércoles jueves viernes sábado domingo".split(),
        ("monday tuesday wednesday thursday friday saturday sunday ".split()) * 3,
        strict=True,
    )
)


def foreign_figures(text: str) -> set[str]:
    """The figures of `text` as other languages write them, in the checker's form:
    "3,5" -> "3.5", "48.000" and "48 000" -> "48000"."""
    out = {f"{m.group(1)}.{m.group(2)}" for m in _DECIMAL_COMMA.finditer(text)}
    out |= {re.sub(r"[. ]", "", m.group(0)) for m in _THOUSANDS_DOT.finditer(text)}
    return out | {m.group(0).replace(" ", "") for m in _THOUSANDS_SPACE.finditer(text)}


# Quotation marks of other languages: « », „ “, ‹ ›, 「 」.
_FOREIGN_QUOTE = re.compile(r"[«»„‹›「」]")


def quoted_in_another_language(evidence: str, quoted: str = "") -> bool:
    """Whether `evidence` quotes someone in a language other than English and other than that
    of the brief's quotation `quoted`: the quotation may then be its translation, which cannot
    be matched word for word (cite.py marks it as translated). A French brief quoting a French
    report ([summarizer] language = "source") must have its words."""
    from .language import detect

    if not (_FOREIGN_QUOTE.search(evidence) or '"' in evidence):
        return False
    found = detect(evidence)
    return found not in (None, "en") and not (quoted and detect(quoted.strip('"')) == found)


# Spellings of one name across languages and transliterations, folded to one key.
_NAME_FOLDS = (
    ("tsch", "ch"), ("sch", "sh"), ("gue", "ge"), ("gui", "gi"), ("ou", "u"), ("kh", "h"),
    ("ph", "f"), ("ck", "k"), ("j", "i"), ("y", "i"), ("w", "v"), ("ie", "i"), ("ii", "i"),
)  # fmt: skip


def name_key(word: str) -> str:
    """A name as one key whatever its accents and transliteration: "Sergueï", "Sergej",
    "Serguéi" and "Sergey" are "sergei"; "Ibáñez" is "Ibanez"; "Orlow" is "Orlov"."""
    from anyascii import anyascii  # imported here: only names not found as written need it

    key = anyascii(word).lower()
    key = re.sub(r"[^a-z]", "", key)
    for a, b in _NAME_FOLDS:
        key = key.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", key)  # doubled letters: "Mikkel", "Mikel"


# Negation in French, German and Spanish: a brief sentence in one of them that adds or drops a
# "not" of its source says the opposite with the same names and numbers. The rules mirror
# claims.py's English ones (what a negation applies to is the first content word after it in
# its clause; German, which often ends a clause on "nicht", the one before it when none
# follows), with each language's own negation words, words to skip and negative words.
@dataclass(frozen=True)
class _Negation:
    markers: frozenset[str]  # words that negate
    skip: frozenset[str]  # words between a negation and what it negates
    negative: frozenset[str]  # words that say "not" without a negation ("sans", "ohne", "sin")
    not_negation: re.Pattern[str]  # what looks like a negation and is none ("nicht nur")
    telling: frozenset[str]  # common words of the language and of no other of the four


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NEGATIONS = {
    "fr": _Negation(
        markers=_words("ne n' pas jamais aucun aucune aucuns aucunes nul nulle ni guère"),
        skip=_words(
            "le la les l' un une des de du d' au aux à a ai as avons avez ont avait avaient "
            "aura auront avoir eu été être est sont était étaient sera seront soit y en se s' "
            "il elle ils elles on lui leur leurs me m' te t' nous vous ce c' cet cette ces son "
            "sa ses qui que qu' encore toujours même déjà très trop si aussi plus rien "
            "personne point pu dans sur par pour avec lors pendant après avant selon depuis "
            "chez vers entre sous"
        ),
        negative=_words(
            "sans refuse refusé refusée refusent refusait refusaient nie nié niée nient dément "
            "démenti démentent échoué échoue échouent incapable incapables impossible rejeté "
            "rejetée rejette rejettent ignore ignorent"
        ),
        # "ne ... que" is "only"; "n'importe" is "any"; "non seulement" is "not only"
        not_negation=re.compile(
            r"\bn(?:e\s+|')(?:(?!pas\b|jamais\b|plus\b|rien\b|aucun|personne\b|guère\b|point\b)"
            r"[^\W\d_]+'?\s*){0,3}?qu(?:e\b|')|\bn'importe\b|\bnon seulement\b|\bpas seulement\b"
        ),
        telling=_words(
            "le les des du une est sont été avec pour dans sur qui pas ne n' au aux selon ont "
            "était cette ces il elle ils et l' d' qu' s' c' à mais être avait"
        ),
    ),
    "de": _Negation(
        markers=_words(
            "nicht kein keine keinen keinem keiner keines nie niemals niemand niemanden "
            "niemandem nichts weder nirgends nirgendwo"
        ),
        skip=_words(
            "der die das den dem des ein eine einen einem einer eines ist sind war waren wurde "
            "wurden worden wird werden sei sein gewesen hat haben hatte hatten habe es er sie "
            "wir ich ihr man sich noch mehr sehr auch so zu ja schon bisher je jemals ganz gar "
            "überhaupt dabei dort hier da denn doch bei in im an am auf aus mit nach von vom zu "
            "zum zur für über unter vor während wegen durch gegen seit laut"
        ),
        negative=_words(
            "ohne verweigert verweigerte verweigerten abgelehnt lehnte lehnten lehnt bestritt "
            "bestritten bestreitet dementiert dementierte gescheitert scheiterte unfähig fehlt "
            "fehlte fehlten mangels"
        ),
        not_negation=re.compile(r"\bnicht (?:nur|bloß|allein)\b|\bnicht (?:mehr|weniger) als\b"),
        telling=_words(
            "der die das den dem ein eine einen und ist sind war wurde wurden nicht mit von zu "
            "auf für im sich auch er hat haben dass bei nach aus kein keine wird werden einem "
            "einer"
        ),
    ),
    "es": _Negation(
        markers=_words(
            "no nunca jamás ningún ninguno ninguna ningunos ningunas nadie nada ni tampoco"
        ),
        skip=_words(
            "el la los las lo un una unos unas de del al a se le les me te nos os ha han he "
            "hemos había habían habrá haber sido fue fueron ser es son era eran está están "
            "estaba estaban estar y ya aún todavía más muy tan que su sus en hay con por para "
            "durante tras según desde sobre entre hacia ante"
        ),
        negative=_words(
            "sin negó niega niegan negaron rechazó rechaza rechazan rechazaron rechazado "
            "incapaz fracasó falta faltó desmintió desmiente imposible"
        ),
        not_negation=re.compile(
            r"\bno (?:solo|sólo|solamente|únicamente)\b|\bno (?:más|menos) de\b"
        ),
        telling=_words(
            "el los las del una y con por para se su sus al lo como más pero muy ha han está "
            "según ningún nadie sin dijo hay también fue fueron"
        ),
    ),
}
_TOKENS = re.compile(r"[^\W\d_]+'?|[,;:.!?()«»\"“”„—–]")  # "n'a": "n'" and "a"
_CLAUSE_END = frozenset(',;:.!?()«»"“”„—–')


def _lower_tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return _TOKENS.findall(text)


def negation_language(text: str) -> str | None:
    """ "fr", "de" or "es" where `text` reads as French, German or Spanish, else None: the
    English rules apply. Decided on the common words of each language (two at least, more
    than any other's); a short sentence with fewer, one of which is French, German or Spanish
    and more than its English ones, by the language identifier. Words first: the checker asks
    for every sentence pair, and one call of the identifier costs milliseconds here."""
    words = _lower_tokens(text)
    votes = {code: sum(w in rules.telling for w in words) for code, rules in _NEGATIONS.items()}
    english = sum(w in _ENGLISH_TELLING for w in words)
    best = max(votes, key=lambda code: votes[code])
    if english >= 2 and english > votes[best]:
        return None
    if votes[best] >= 2 and votes[best] > english and list(votes.values()).count(votes[best]) == 1:
        return best
    if votes[best] < 1 or votes[best] <= english:
        return None
    found = _identified(text)
    return found if found in votes and votes[found] > english else None


@lru_cache(maxsize=4096)
def _identified(text: str) -> str | None:
    from .language import detect

    return detect(text)


_ENGLISH_TELLING = _words(
    "the and of was were is are has have had that with for from it this said not been which "
    "who an by at to his her their they be"
)


def _negated_words(text: str, rules: _Negation) -> list[str]:
    """What each negation of `text` applies to ("" when nothing does)."""
    low = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    tokens = _TOKENS.findall(rules.not_negation.sub(" ", low))
    out = []
    start = 0
    for i, w in enumerate(tokens + ["."]):
        if w in _CLAUSE_END:
            clause = tokens[start:i]
            for k, x in enumerate(clause):
                if x in rules.markers:
                    after = [y for y in clause[k + 1 :] if y not in rules.skip | rules.markers]
                    before = [y for y in clause[:k] if y not in rules.skip | rules.markers]
                    out.append(after[0] if after else before[-1] if before else "")
                    if after[1:] and after[0].endswith(_ADVERB_ENDINGS):
                        out.append(after[1])  # "n'a été grièvement blessé": "blessé" too
            start = i + 1
    return out


_ADVERB_ENDINGS = ("ment", "mente")  # French, Spanish: "grièvement", "gravemente"


def _content_words(text: str) -> list[str]:
    return [w for w in _lower_tokens(text) if w not in _CLAUSE_END]


def _same_stem(a: str, b: str) -> bool:
    """ "blessé" and "blessée", "beschädigt" and "beschädigte", "herido" and "heridos"."""
    a, b = a.rstrip("'"), b.rstrip("'")
    if a == b or (len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5]):
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and long.startswith(short) and len(long) - len(short) <= 2


def _says_not(text: str, rules: _Negation | None) -> bool:
    if rules is None:
        from .claims import says_not

        return says_not(text)
    return bool(_negated_words(text, rules)) or not rules.negative.isdisjoint(_content_words(text))


def _not_near(word: str, text: str, rules: _Negation | None, window: int = 5) -> bool:
    """Whether `text` says "not" within `window` words of `word` (a text that is in none of
    the three languages: whether it says "not" at all)."""
    if rules is None:
        return _says_not(text, None)
    low = rules.not_negation.sub(" ", unicodedata.normalize("NFKC", text).lower())
    words = _content_words(low)
    nots = [i for i, w in enumerate(words) if w in rules.markers or w in rules.negative]
    return any(
        abs(i - j) <= window for i, w in enumerate(words) if _same_stem(word, w) for j in nots
    )


def _rules(text: str) -> _Negation | None:
    code = negation_language(text)
    return None if code is None else _NEGATIONS[code]


def foreign_negated(text: str) -> bool | None:
    """Whether `text`, a French, German or Spanish sentence, negates anything; None for a
    sentence in none of them (claims.py's English rules decide)."""
    rules = _rules(text)
    return None if rules is None else bool(_negated_words(text, rules))


def foreign_says_not(text: str) -> bool | None:
    """Whether `text` says "not" in any way (a negation or a negative word such as "sans");
    None for a sentence in none of the three languages."""
    rules = _rules(text)
    return None if rules is None else _says_not(text, rules)


def foreign_negation_mismatch(text: str, evidence: list[str]) -> bool | None:
    """Whether `text`, a brief sentence in French, German or Spanish, and its `evidence` (most
    similar first) disagree on a "not", as claims.py decides it for English: the brief negates
    a word the evidence uses with no "not" near it, or the brief says no "not" at all and the
    nearest evidence sentence negates a word the brief uses. None for a brief sentence in none
    of the three languages. Each evidence sentence is read by its own language's rules: a
    French brief is checked against French words (a translation's words cannot be compared)."""
    rules = _rules(text)
    if rules is None:
        return None
    nearest = evidence[0]
    nearest_rules = _rules(nearest)
    negated = _negated_words(text, rules)
    if not negated:
        if _says_not(text, rules):
            return False
        words = _content_words(text)
        dropped = _negated_words(nearest, nearest_rules) if nearest_rules else []
        return any(w and any(_same_stem(w, x) for x in words) for w in dropped)
    for w in filter(None, negated):
        using = [e for e in evidence if any(_same_stem(w, x) for x in _content_words(e))]
        if not using or any(_not_near(w, e, _rules(e)) for e in using):
            continue
        if nearest not in using and _says_not(nearest, nearest_rules):
            continue
        return True
    return False


@lru_cache(maxsize=16384)
def sentence_language(text: str) -> str | None:
    """ "fr", "de" or "es" where `text` reads as French, German or Spanish (`negation_language`),
    else None; cached, since the checker asks for the same evidence sentences again and again."""
    return negation_language(text)


# Names in French, German and Spanish. A capitalised word is a name in these languages as in
# English, but for two cases: the word that opens a sentence (their function words, which the
# story's sources may never write in lower case: "Laut der Reederei ...", "Selon ...", "Según
# ..."), and German's common nouns, which are all capitalised. Without a German lexicon, a
# German noun is told by where it stands: right after an article, a determiner or a number
# ("die Reederei", "das Unternehmen", "312 Passagiere"), with at most three adjectives between
# ("die schwer beschädigte Fähre"). A name after a noun stays a name ("Kapitän Weber", "die
# Reederei Nordlys Lines": "Nordlys" follows "Reederei"), and titles are no names.
_OPENERS = {
    "fr": _words(
        "le la les l' un une des du de d' au aux ce cet cette ces son sa ses leur leurs il elle "
        "ils elles on nous vous je j' personne aucun aucune rien selon lors pendant après avant "
        "depuis dans sur sous avec sans pour par entre chez vers malgré d'après dès jusqu'à "
        "parmi en à et mais ou donc or car puis ensuite alors enfin toutefois cependant pourtant "
        "néanmoins aussi ainsi déjà encore plus moins environ près presque tous toutes tout "
        "chaque plusieurs certains certaines quelques hier aujourd'hui demain si quand lorsque "
        "comme mon ma mes notre nos votre vos ni seul seuls seule seules c' ceci cela là"
    ),
    "de": _words(
        "der die das den dem des ein eine einen einem einer eines kein keine keinen keinem "
        "keiner keines dieser diese dieses diesen diesem jeder jede jedes jeden jedem alle "
        "allen aller beide beiden mehrere einige viele wenige manche sein seine ihr ihre unser "
        "unsere im am zum zur vom beim ins ans laut nach bei während wegen trotz seit vor mit "
        "von aus auf in an für über unter zwischen durch gegen ohne um bis ab zufolge und aber "
        "doch denn als wenn weil da obwohl nachdem bevor damit dass ob er sie es wir ich man "
        "niemand jemand nichts wer was welche dies auch noch schon dann danach zuvor später "
        "heute gestern morgen bisher inzwischen zudem außerdem jedoch trotzdem deshalb daher so "
        "rund etwa fast mindestens höchstens nur bereits erst dort hier insgesamt zunächst "
        "schließlich nie nicht niemals weder sowohl"
    ),
    "es": _words(
        "el la los las lo un una unos unas del al de a en con por para sin sobre tras durante "
        "según desde hasta entre hacia ante bajo este esta estos estas ese esa esos esas su sus "
        "y e pero o ni aunque porque como cuando mientras si también además luego después antes "
        "ya aún todavía casi ningún ninguno ninguna nadie nada todos todas cada varios varias "
        "algunos algunas otro otra otros otras él ella ellos ellas se hoy ayer mañana solo sólo "
        "mi mis nuestro nuestra tampoco allí aquí"
    ),
}
_GERMAN_DETERMINERS = _words(
    "der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner "
    "keines dieser diese dieses diesen diesem jeder jede jedes jeden jedem jener jene alle allen "
    "aller beide beiden mehrere mehreren einige einigen viele vielen wenige wenigen manche sein "
    "seine seinen seinem seiner seines ihre ihren ihrem ihrer ihres unser unsere unseren "
    "unserem unserer mein meine welche welcher welches solche solchen im am zum zur vom beim "
    "ins ans aufs durchs fürs zwei"
) | {w for w, n in FOREIGN_NUMBER_WORDS.items() if w in _words(
    "drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn fünfzehn sechzehn "
    "siebzehn achtzehn neunzehn zwanzig"
)}  # fmt: skip
_GERMAN_PREPOSITIONS = _words(
    "bei mit nach von aus zu vor wegen trotz seit während durch gegen ohne für über unter "
    "auf in an um laut dank infolge"
)
# Titles before a German name ("Kapitän Orlow" and "Kapitän Weber" are two people), and the
# nouns of "nach Angaben", "nach Aussage", "nach Schätzungen", no names either.
_GERMAN_TITLES = _words(
    "herr frau kapitän kapitänin bürgermeister bürgermeisterin präsident präsidentin minister "
    "ministerin kanzler kanzlerin sprecher sprecherin direktor direktorin chef chefin leiter "
    "leiterin professor professorin dr"
) | _words("angaben aussage aussagen auskunft schätzungen informationen")  # "nach Angaben der"
_ADJECTIVE = re.compile(r"[a-zäöüß][\wäöüß-]*(?:e|en|er|es|em)|\d[\d.,]*|[\w-]*-\w+")
_WORD_AT = re.compile(r"[^\W_][\w'’.-]*|[^\w\s]")


def ordinary_capitals(text: str, common: frozenset[str] = frozenset()) -> frozenset[int]:
    """Where the capitalised words of `text` that are no names by the rules of its language
    stand (their start offsets; `text` as claims.py normalises it): a function word opening a
    French, German or Spanish sentence (or a quotation in it), and in German a noun after an
    article, a determiner or a number, a title, or one of the story's German nouns `common`
    (`german_nouns`). Empty for an English sentence."""
    found = _ordinary_capitals(text)
    if common and sentence_language(text) == "de":
        found |= {
            m.start() for m in _WORD_AT.finditer(text) if m.group(0).rstrip(".").lower() in common
        }
    return found


@lru_cache(maxsize=16384)
def _ordinary_capitals(text: str) -> frozenset[int]:
    code = sentence_language(text)
    if code is None:
        return frozenset()
    tokens = [(m.start(), m.group(0)) for m in _WORD_AT.finditer(text)]
    out = set()
    for k, (start, word) in enumerate(tokens):
        if not word[:1].isupper():
            continue
        low = word.lower().rstrip(".").replace("’", "'")
        opens = k == 0 or tokens[k - 1][1] in "\"'(:«„‹“"
        elided = re.match(r"[ldjcsnm]'|qu'", low)
        if opens and (low in _OPENERS[code] or (elided and word[elided.end() :][:1].islower())):
            out.add(start)
        if code == "de" and (low in _GERMAN_TITLES or _after_determiner(tokens, k)):
            out.add(start)
    return frozenset(out)


def _after_determiner(tokens: list[tuple[int, str]], k: int) -> bool:
    """Whether the word at `k` follows a German article, determiner or number, with at most
    three adjectives (or figures) between: "die Reederei", "die schwer beschädigte Fähre";
    or a preposition and an adjective: "bei starkem Wind" (not "vor Tarnholm")."""
    for j in range(k - 1, max(k - 5, -1), -1):
        word = tokens[j][1]
        if word.lower() in _GERMAN_DETERMINERS or word[:1].isdigit():
            return True
        if j < k - 1 and word.lower() in _GERMAN_PREPOSITIONS:
            return True
        if not (word[:1].islower() and _ADJECTIVE.fullmatch(word)):
            return False
    return False


def german_nouns(texts: list[str]) -> frozenset[str]:
    """The words that German sentences of `texts` write as common nouns (after an article:
    `ordinary_capitals`), less those that a sentence in another language writes capitalised
    inside it ("the ferry Aurora Bay": a name)."""
    from .claims import _TOKEN, _opens, normalise

    nouns: set[str] = set()
    capitalised: set[str] = set()
    for text in texts:
        text = normalise(text)
        code = sentence_language(text)
        ordinary = ordinary_capitals(text)
        for m in _TOKEN.finditer(text):
            word = m.group(0).rstrip(".'’").removesuffix("'s")
            if not word[:1].isupper():
                continue
            if code == "de" and m.start() in ordinary:
                nouns.add(word.lower())
            elif code != "de" and not _opens(text, m.start()):
                capitalised.add(word.lower())
    return frozenset(nouns - capitalised)
