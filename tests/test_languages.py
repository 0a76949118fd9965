"""Articles in other languages: the language found and shown, sentences split by the language's
rules, page noise in French, German and Spanish. Fixtures: tests/fixtures/languages/ (invented
reports, written for these tests)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pytest

from digest import language, prepare
from digest.clean import clean_body, is_noise
from digest.ingest import read_file
from digest.publish import sources_html
from digest.records import Article, Brief, BriefSentence, Sentence, Source
from digest.render import markdown
from digest.sentences import split_sentences
from digest.store import Store
from tests.helpers import run_multilingual

FIXTURES = Path(__file__).parent / "fixtures" / "languages"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def read(name: str) -> Article:
    path = FIXTURES / "inbox" / name
    (article,) = read_file(path, path.read_bytes(), display_path=name)
    return article


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_article_gets_its_language(name):
    assert read(name).language == EXPECTED[name]["language"]


def test_the_identifier_runs_offline(monkeypatch, tmp_path):
    """The bundled lid.176 model only: no connection is even tried, nothing is cached."""
    monkeypatch.setenv("FTLANG_CACHE", str(tmp_path / "cache"))

    def refuse(*args, **kwargs):
        raise AssertionError("the language identifier tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    language._detector.cache_clear()
    try:
        assert language.detect("Der Kapitän sagte, die Fähre habe die Steuerung verloren.") == "de"
        assert language.detect("El capitán dijo que el ferri perdió el gobierno.") == "es"
    finally:
        language._detector.cache_clear()
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("text", ["", "12 34 5,6", "—", "OK"])
def test_no_language_without_letters_to_judge(text):
    assert language.detect(text) is None


def test_the_language_is_stored_with_the_article(tmp_path):
    article = read("fr-courrier-des-iles-ferry.md")
    store = Store(tmp_path)
    with store.transaction():
        store.add_article(article)
    store.close()
    again = Store(tmp_path)
    [back] = again.unembedded()
    again.close()
    assert back.language == "fr" and back == article


def test_a_database_from_before_languages_gains_the_column(tmp_path):
    import sqlite3

    store = Store(tmp_path)
    store.close()
    db = sqlite3.connect(store.path)
    db.execute("ALTER TABLE articles DROP COLUMN language")
    db.execute(
        "INSERT INTO articles(content_hash, path, title, text, added_at)"
        " VALUES ('h', 'old.txt', 'Old', 'Old text.', '2026-11-01T00:00:00+00:00')"
    )
    db.commit()
    db.close()
    store = Store(tmp_path)
    [old] = store.unembedded()
    store.close()
    assert old.path == "old.txt" and old.language is None


def brief_with(languages: list[str | None]) -> Brief:
    sources = tuple(
        Source(n, f"Report {n}", f"r{n}.md", publisher=f"Pub {n}", published="2026-11-14",
               language=code)
        for n, code in enumerate(languages, start=1)
    )  # fmt: skip
    return Brief("s", "Ferry aground", (BriefSentence("A ferry ran aground.", (1, 2)),), sources,
                 1, "2026-11-14T10:00:00+00:00")  # fmt: skip


def test_the_source_list_names_each_language():
    brief = brief_with(["en", "fr", None])
    md = markdown(brief)
    assert "1. Report 1 — Pub 1, 2026-11-14, English (`r1.md`)" in md
    assert "2. Report 2 — Pub 2, 2026-11-14, French (`r2.md`)" in md
    assert "3. Report 3 — Pub 3, 2026-11-14 (`r3.md`)" in md  # unknown: nothing claimed
    assert [s["language"] for s in brief.to_json()["sources"]] == ["en", "fr", None]
    assert Brief.from_json(brief.to_json()).sources[1].language == "fr"
    html = sources_html(brief)
    assert "Pub 2, 2026-11-14, French" in html and "Pub 3, 2026-11-14 <span" in html


# sentences ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        (
            "Kapitän Orlov sprach am 14. November mit den Rettern. Es gab z. B. 312 Passagiere. "
            "„Wir hatten Glück“, sagte er. Dr. Weber bestätigte das.",
            "de",
            [
                "Kapitän Orlov sprach am 14. November mit den Rettern.",
                "Es gab z. B. 312 Passagiere.",
                "„Wir hatten Glück“, sagte er.",
                "Dr. Weber bestätigte das.",
            ],
        ),
        (
            "Le capitaine, M. Orlov, a parlé à 5 h. Il y avait 312 passagers, selon la p. 3 du "
            "rapport. « Nous avons eu de la chance », a-t-il dit. Puis il est parti.",
            "fr",
            [
                "Le capitaine, M. Orlov, a parlé à 5 h.",
                "Il y avait 312 passagers, selon la p. 3 du rapport.",
                "« Nous avons eu de la chance », a-t-il dit.",
                "Puis il est parti.",
            ],
        ),
        (
            "El capitán, el Sr. Orlov, habló con los rescatistas. Había 312 pasajeros. "
            "«Tuvimos suerte», dijo. ¿Qué pasó después? Luego se fue.",
            "es",
            [
                "El capitán, el Sr. Orlov, habló con los rescatistas.",
                "Había 312 pasajeros.",
                "«Tuvimos suerte», dijo.",
                "¿Qué pasó después?",
                "Luego se fue.",
            ],
        ),
    ],
)
def test_sentences_are_split_by_the_rules_of_their_language(text, code, expected):
    assert split_sentences(text, code) == expected


def test_english_keeps_its_own_rules():
    # pysbd splits after an ellipsis here (1 of the 17 cases of tests/test_sentences.py)
    text = "He paused... Then he left. Done."
    assert (
        split_sentences(text, "en")
        == split_sentences(text)
        == [
            "He paused... Then he left.",
            "Done.",
        ]
    )


def test_the_fixture_reports_split_into_their_sentences():
    article = read("de-kuestenblatt-faehre.md")
    sentences = split_sentences(article.text, article.language)
    assert "Schwer verletzt wurde niemand." in sentences
    assert "„Wir hatten Glück, dass die See ruhig war“, sagte er." in sentences
    assert len(sentences) == 10  # counted by hand: two per paragraph


# page noise --------------------------------------------------------------------------------
NOISE = [
    "Photo : AFP", "Crédit photo : Jean Dupont", "À lire aussi : le ferry reprend la mer",
    "Partager sur Facebook", "Abonnez-vous à notre newsletter", "Tous droits réservés",
    "Ce site utilise des cookies pour améliorer votre expérience.", "Publicité",
    "Bild: Küstenwache", "Lesen Sie auch: Die Fähre fährt wieder", "Facebook Twitter Teilen Drucken",
    "Anzeige", "Alle Rechte vorbehalten", "Quelle: dpa", "Mehr zum Thema",
    "Foto: EFE", "Lea también: el ferri vuelve a navegar", "Compartir en WhatsApp",
    "Suscríbete a nuestro boletín", "Todos los derechos reservados.",
]  # fmt: skip
PROSE = [
    "Le capitaine a expliqué que le ferry avait perdu sa direction.",
    "Les passagers ont partagé leurs photos sur les réseaux sociaux.",
    "Die Fähre lief auf Grund, teilte die Küstenwache mit.",
    "Die Anzeige gegen den Kapitän wurde am Montag zurückgezogen.",
    "El ferri encalló el sábado frente a la isla.",
    "La foto del ferri encallado recorrió las redes sociales.",
]


@pytest.mark.parametrize("line", NOISE)
def test_page_noise_in_other_languages_is_noise(line):
    assert is_noise(line)


@pytest.mark.parametrize("line", PROSE)
def test_prose_in_other_languages_is_kept(line):
    assert not is_noise(line)


def test_a_french_page_loses_its_furniture_and_keeps_its_text():
    page = "\n\n".join(
        ["Photo : Le Courrier des Îles", PROSE[0], "À lire aussi : les ferries de l'hiver",
         PROSE[1], "Partager sur Facebook", "Tous droits réservés"]
    )  # fmt: skip
    assert clean_body("", page) == f"{PROSE[0]}\n\n{PROSE[1]}"


def test_unit_vectors_of_no_texts():
    from digest.backends.vectors import unit_rows

    assert unit_rows(np.zeros((1, 3), dtype=np.float32)).tolist() == [[0.0, 0.0, 0.0]]


# the checker across languages ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("brief", "source"),
    [
        ("The damage was put at 3.5 million euros.", "Les dégâts sont estimés à 3,5 millions d'euros."),
        ("About 12 percent of deliveries go by air.", "Cerca del 12 por ciento llegará por avión."),
        ("Twelve people were treated for minor injuries.", "Doce personas recibieron atención."),
        ("Twelve people were treated for minor injuries.", "Zwölf Menschen wurden behandelt."),
        ("The growers picked 48,000 tonnes.", "Los agricultores recogieron 48.000 toneladas."),
        ("The museum cost 30,000 euros.", "Le musée a coûté 30 000 euros."),
        ("Sergey Lavrov spoke on Tuesday.", "Sergueï Lavrov a parlé mardi."),
        ("The captain, Sergei Orlov, spoke.", "Kapitän Sergej Orlow sprach."),
        ("The harbour master, Tomas Ibanez, spoke.", "El capitán del puerto, Tomás Ibáñez, habló."),
        ("Éric Dupont spoke.", "Eric Dupont a parlé."),
    ],
)  # fmt: skip
def test_numbers_and_names_match_across_languages(brief, source):
    from digest.claims import mismatches

    assert mismatches(brief, [source]) == []


@pytest.mark.parametrize(
    ("brief", "source", "wrong"),
    [
        ("The damage was put at 3.6 million euros.", "Les dégâts : 3,5 millions d'euros.", "3.6"),
        ("About 13 percent go by air.", "Cerca del 12 por ciento llegará por avión.", "13"),
        ("Eleven people were hurt.", "Doce personas resultaron heridas.", "11"),
        ("Sergey Lavrin spoke on Tuesday.", "Sergueï Lavrov a parlé mardi.", "lavrin"),
        ("Sergey Lavrov spoke on Wednesday.", "Sergueï Lavrov a parlé mardi.", "wednesday"),
        ("Growers picked 4,800 tonnes.", "Los agricultores recogieron 48.000 toneladas.", "4800"),
    ],
)  # fmt: skip
def test_a_changed_number_name_or_day_is_still_caught_across_languages(brief, source, wrong):
    from digest.claims import mismatches

    assert wrong in mismatches(brief, [source])


# the real command on the mixed inbox -------------------------------------------------------


def test_digest_run_joins_the_four_language_event_and_keeps_the_rest_apart(tmp_path):
    """The real CLI, the multilingual embedder and the default summarizer (about a minute): the
    ferry reported in English, French, German and Spanish is ONE story, its English brief
    citing all four, each sentence in English; the olive harvest in Spanish and English is one;
    the other three stay alone; each source has its language. (With the small test model the
    citations were luck: it wrote French and Spanish sentences, or ones of no sense.)"""
    briefs = run_multilingual(tmp_path, FIXTURES / "inbox", model=prepare.DEFAULT_MODEL)
    groups = {}
    for b in briefs:
        paths = frozenset(s["path"] for s in b["sources"])
        groups[paths] = b
        for s in b["sources"]:
            assert s["language"] == EXPECTED[s["path"]]["language"], s["path"]
    want: dict[str, set[str]] = {}
    for name, info in EXPECTED.items():
        want.setdefault(info["story"], set()).add(name)
    assert set(groups) == {frozenset(v) for v in want.values()}
    ferry = groups[frozenset(want["ferry"])]
    cited = {n for s in ferry["sentences"] for n in s["citations"]}
    assert cited == {1, 2, 3, 4}, ferry["sentences"]
    from digest.cite import missing_terms

    for s in ferry["sentences"]:
        assert language.detect(s["text"]) == "en", s["text"]
        assert s["citations"], s["text"]
        # its names and numbers are in the report sentences it rests on, in any language
        assert not missing_terms(s["text"], [e["text"] for e in s["evidence"]]), s


# quotations and the reader's language ------------------------------------------------------
def test_a_quotation_from_a_foreign_report_is_marked_as_translated():
    from digest.cite import mark_translated, mismatches
    from digest.records import Evidence

    french = "« Nous avons eu de la chance que la mer soit calme », a déclaré Tomás Ibáñez."
    text = '"We were lucky that the sea was calm," said Tomas Ibanez.'
    assert mismatches(text, [french]) == []  # a translation cannot be matched word for word
    s = BriefSentence(text, (2,), (Evidence(2, french),))
    [marked] = mark_translated([s], {1: "en", 2: "fr"})
    assert marked.text == (
        '"We were lucky that the sea was calm," (translated from French) said Tomas Ibanez.'
    )
    # an English source has the words: they are the speaker's, nothing to mark
    english = Evidence(1, '"We were lucky that the sea was calm," Tomas Ibanez said.')
    both = BriefSentence(text, (1, 2), (english, Evidence(2, french)))
    assert mark_translated([both], {1: "en", 2: "fr"}) == [both]


def test_a_quotation_is_still_checked_against_an_english_source():
    from digest.cite import mismatches

    assert mismatches(
        '"We were lucky," said Tomas Ibanez.', ["Tomas Ibanez said the sea was calm."]
    ) == ['"we were lucky"']
    # nor does a foreign report without any quotation vouch for one
    assert mismatches(
        '"We were lucky," said Tomas Ibanez.', ["Tomás Ibáñez a déclaré que la mer était calme."]
    ) == ['"we were lucky"']


def test_the_prompt_asks_for_the_readers_language():
    from digest import prompt
    from digest.plan import Fact

    sentences = [Sentence(1, 0, "Le ferry Aurora Bay s'est échoué samedi au large de Tarnholm.")]
    facts = [Fact((0,), (1,), 1.0)]
    english = prompt.brief(facts, sentences, 1, 380)
    assert english == prompt.brief(facts, sentences, 1, 380, "en", False)  # unchanged
    assert "translating" not in english[-1]["content"]
    mixed = prompt.brief(facts, sentences, 1, 380, "en", True)[-1]["content"]
    assert "every sentence in English, translating notes written in other languages" in mixed
    french = prompt.brief(facts, sentences, 1, 380, "fr", False)[-1]["content"]
    assert "every sentence in French" in french


def test_the_summarizer_language_setting_is_checked(tmp_path):
    from digest.config import load
    from digest.errors import ConfigError

    path = tmp_path / "config.toml"
    path.write_text('[summarizer]\nlanguage = "fr"\n')
    assert load(path).summarizer.language == "fr"
    path.write_text('[summarizer]\nlanguage = "French"\n')
    with pytest.raises(ConfigError, match="language"):
        load(path)


def test_the_writer_passes_the_language_into_the_prompt():
    from digest.config import Citations
    from digest.embed import HashEmbedder
    from digest.summarize import BriefWriter

    seen = []

    class Recorder:
        def generate(self, messages, max_new_tokens, avoid=""):
            seen.append(messages[-1]["content"])
            return "Headline: Ferry aground\n1. The ferry Aurora Bay ran aground off Tarnholm."

    writer = BriefWriter(HashEmbedder(), Recorder(), Citations(), brief_words=30,
                         input_words=200, max_new_tokens=60, language="de")  # fmt: skip
    writer.write("s", [read("fr-courrier-des-iles-ferry.md")], 1, "2026-11-14T00:00:00+00:00")
    assert seen and "every sentence in German" in seen[0]


def test_a_decimal_comma_is_no_disagreement():
    """Found by running the CLI on the fixtures: "3,5 millions" was read as 35 million."""
    from digest.disagree import find

    sentences = [
        Sentence(1, 0, "The damage was estimated at 3.5 million euros."),
        Sentence(2, 0, "Les dégâts sont estimés à 3,5 millions d'euros."),
        Sentence(3, 0, "Le préjudice atteint 4,5 millions d'euros, selon l'assureur."),
    ]
    vectors = np.ones((3, 4), dtype=np.float32) / 2
    assert find(0, sentences[:2], vectors[:2]) == []
    [d] = find(0, sentences, vectors)
    assert d.kind == "number" and [v for v, _ in d.sides] == ["3.5", "4.5"]
