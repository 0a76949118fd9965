"""The checker's knowledge of other languages (claims.py uses it): how French, German, Spanish
and Italian write figures, number words and weekdays, one key per name whatever its accents
and transliteration, and whether a source quotes someone in another language. docs/languages.md.
"""

from __future__ import annotations

import re

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
