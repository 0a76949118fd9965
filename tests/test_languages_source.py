"""`[summarizer] language = "source"`: a story whose reports are (mostly) in one language is
briefed in that language, and checked as a brief written in it. Fixtures:
tests/fixtures/languages/french-inbox/ (invented reports, written for these tests): one event
reported by two French papers, one unrelated English story. docs/languages.md."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from digest.claims import mismatches
from digest.config import Citations, load
from digest.embed import HashEmbedder
from digest.errors import ConfigError
from digest.ingest import read_file
from digest.language import brief_language
from digest.records import Article, Brief
from digest.summarize import BriefWriter
from tests.helpers import run_multilingual

INBOX = Path(__file__).parent / "fixtures" / "languages" / "french-inbox"
FRENCH = ["fr-echo-de-valmorin-pont.md", "fr-journal-du-val-pont.md"]
QUOTE = (
    "La maire de Valmorin, Hélène Vasseur, a déclaré lundi que le pont resterait fermé "
    "\"jusqu'à ce que les ingénieurs soient certains qu'il est sûr\"."
)  # the first sentence of fr-echo-de-valmorin-pont.md


def read(name: str) -> Article:
    path = INBOX / name
    (article,) = read_file(path, path.read_bytes(), display_path=name)
    return article


# the language of each story ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (["fr", "fr", "fr"], "fr"),  # all one other language: that language
        (["de"], "de"),
        (["fr", "fr", "en"], "fr"),  # mixed: the language of more than half of the reports
        (["es", "en", "en"], "en"),
        (["fr", "en"], "en"),  # no majority: English
        (["fr", "de", "es"], "en"),
        (["fr", None], "fr"),  # an unknown report does not vote
        ([None, None], "en"),  # nothing known: English
        ([], "en"),
        (["ceb", "ceb"], "en"),  # a language digest cannot name to the model: English
    ],
)
def test_the_source_setting_picks_each_storys_language(languages, expected):
    assert brief_language(languages, "source") == expected


@pytest.mark.parametrize("setting", ["en", "de"])
def test_a_fixed_language_is_every_storys(setting):
    assert brief_language(["fr", "fr"], setting) == setting


def test_the_fixture_reports_have_the_languages_the_test_assumes():
    assert [read(n).language for n in sorted(os.listdir(INBOX))] == ["en", "fr", "fr"]


# the setting --------------------------------------------------------------------------------
def test_source_is_a_valid_language_setting_and_nonsense_is_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[summarizer]\nlanguage = "source"\n')
    assert load(path).summarizer.language == "source"
    for bad in ("fra", "French", "Source", "e"):
        path.write_text(f'[summarizer]\nlanguage = "{bad}"\n')
        with pytest.raises(ConfigError, match=rf"\[summarizer\] language .*source.*{bad}"):
            load(path)


# the brief ----------------------------------------------------------------------------------
class Recorder:
    """Replies with the French quotation, word for word: the writer's check decides the rest."""

    def __init__(self):
        self.prompts = []

    def generate(self, messages, max_new_tokens, avoid=""):
        self.prompts.append(messages[-1]["content"])
        return f"Headline: Le pont de la Sarve fermé à Valmorin\n1. {QUOTE}"


def write(setting: str) -> tuple[Brief, Recorder]:
    model = Recorder()
    writer = BriefWriter(HashEmbedder(), model, Citations(), brief_words=30, input_words=200,
                         max_new_tokens=60, language=setting)  # fmt: skip
    brief = writer.write("s", [read(n) for n in FRENCH], 1, "2026-11-16T00:00:00+00:00")
    return brief, model


def test_a_french_story_is_briefed_in_french_and_its_quotation_is_not_translated():
    brief, model = write("source")
    assert brief.language == "fr"
    assert model.prompts and "every sentence in French" in model.prompts[0]
    quoted = [s for s in brief.sentences if '"' in s.text]
    assert quoted, brief.sentences
    assert not any("translated" in s.text for s in brief.sentences), brief.sentences
    assert Brief.from_json(json.loads(json.dumps(brief.to_json()))).language == "fr"


def test_the_same_story_briefed_in_english_marks_the_french_quotation():
    """What "source" changes: with language = "en" the same French words are a translation."""
    brief, model = write("en")
    assert brief.language == "en"
    assert "every sentence in English" in model.prompts[0]
    assert any("(translated from French)" in s.text for s in brief.sentences), brief.sentences


def test_a_brief_from_before_languages_reads_as_english():
    brief, _ = write("source")
    old = brief.to_json()
    del old["language"]
    assert Brief.from_json(old).language == "en"


def test_a_french_quotation_in_a_french_brief_must_have_the_reports_words():
    assert (
        mismatches(
            "Hélène Vasseur a dit lundi que le pont resterait fermé \"jusqu'à ce que les ingénieurs "
            "soient certains qu'il est sûr\".",
            [QUOTE],
        )
        == []
    )
    changed = mismatches(
        'Hélène Vasseur a dit que le pont resterait fermé "tant que les experts le jugeront utile".',
        [QUOTE],
    )
    assert changed == ['"tant que les experts le jugeront utile"']
    # an English brief's translation of it still cannot be matched word for word
    assert (
        mismatches(
            '"The bridge will stay closed until the engineers are sure it is safe," the mayor, '
            "Hélène Vasseur, said.",
            [QUOTE],
        )
        == []
    )


# the real command ---------------------------------------------------------------------------
def test_digest_run_with_source_briefs_the_french_story_in_french(tmp_path):
    """The real CLI, the multilingual embedder and the small real model on an invented inbox:
    the French story's brief says it is French, cites only its French reports, and marks no
    quotation as translated; the English story's brief stays English. (What the small model
    writes decides whether a quotation reaches the brief at all: the marking itself is tested
    above with a recording fake.)"""
    briefs = {
        frozenset(s["path"] for s in b["sources"]): b
        for b in run_multilingual(tmp_path, INBOX, 'language = "source"\n')
    }
    assert set(briefs) == {frozenset(FRENCH), frozenset(["en-riverton-times-market.md"])}
    french = briefs[frozenset(FRENCH)]
    assert french["language"] == "fr"
    assert [s["language"] for s in french["sources"]] == ["fr", "fr"]
    assert french["sentences"]
    for s in french["sentences"]:
        assert s["citations"] and set(s["citations"]) <= {1, 2}, s
        assert "translated" not in s["text"], s
    assert briefs[frozenset(["en-riverton-times-market.md"])]["language"] == "en"
