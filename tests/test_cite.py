"""Citations and support checks, on sentences written for these tests."""

import numpy as np
import pytest

from digest import cite
from digest.embed import HashEmbedder
from digest.records import BriefSentence, Sentence


def test_key_terms_take_names_numbers_and_quotes():
    terms = cite.key_terms('On Monday the Harbor Council approved 1,250 new berths, calling it "a fair deal".')
    assert "harbor" in terms and "council" in terms
    assert "1250" in terms
    assert '"a fair deal"' in terms
    assert "monday" not in terms  # weekdays are too loosely reported to block a sentence
    assert "on" not in terms and "the" not in terms


def test_missing_terms_catch_changed_numbers_names_and_quotes():
    evidence = ['The Harbor Council approved 1,250 new berths on Monday, calling it "a fair deal".']
    assert cite.missing_terms("The Harbor Council approved 1,250 berths.", evidence) == []
    assert cite.missing_terms("The Harbor Council approved 1,500 berths.", evidence) == ["1500"]
    assert cite.missing_terms("The Port Authority approved 1,250 berths.", evidence) == ["port", "authority"]
    assert cite.missing_terms('The council called it "a great deal".', evidence) == ['"a great deal"']
    # inflected forms of a name are the same name
    assert cite.missing_terms("Russian officials agreed.", ["Russia agreed to the plan."]) == []


SOURCES = [
    Sentence(1, 0, "The Harbor Council approved 1,250 new berths for the east marina on Monday."),
    Sentence(1, 1, 'Mayor Ana Ruiz called the plan "a fair deal for the fishing fleet".'),
    Sentence(2, 0, "On Monday the Harbor Council voted to add 1,250 berths at the east marina."),
    Sentence(2, 1, 'Ruiz said it was "a good deal for the fishing fleet".'),
    Sentence(3, 0, "A storm closed the coastal highway for six hours on Tuesday."),
]


@pytest.fixture(scope="module")
def embedder():
    from digest.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


def check(embedder, text):
    vectors = embedder.embed([s.text for s in SOURCES])
    vec = embedder.embed([text])[0]
    return cite.support(vec, text, SOURCES, vectors, min_similarity=0.62, support_similarity=0.55)


def test_a_fact_two_sources_state_cites_both(embedder):
    s = check(embedder, "The Harbor Council approved 1,250 new berths at the east marina.")
    assert s.supported
    assert s.citations == (1, 2)


def test_a_source_quoting_other_words_is_not_cited(embedder):
    s = check(embedder, 'Mayor Ana Ruiz called the plan "a fair deal for the fishing fleet".')
    assert s.supported
    assert s.citations == (1,)  # source 2 quotes "a good deal": it does not support these words


def test_a_changed_number_is_unsupported(embedder):
    s = check(embedder, "The Harbor Council approved 2,000 new berths at the east marina.")
    assert not s.supported
    assert "2000" in s.missing
    assert SOURCES[s.best].source in (1, 2)  # the nearest source sentence is the right fact


def test_an_invented_fact_is_unsupported(embedder):
    s = check(embedder, "The governor resigned after the vote, citing health reasons.")
    assert not s.supported


def test_drop_duplicates_keeps_the_first():
    e = HashEmbedder()
    texts = [
        "The council approved new berths at the marina.",
        "A storm closed the highway.",
        "The council approved new berths at the marina on Monday.",
    ]
    sentences = [BriefSentence(t, (1,)) for t in texts]
    kept, dropped = cite.drop_duplicates(sentences, e.embed(texts), 0.8)
    assert [s.text for s in kept] == texts[:2]
    assert dropped == [2]


def test_source_sentence_citations_find_the_same_fact_elsewhere(embedder):
    vectors = embedder.embed([s.text for s in SOURCES])
    assert cite.source_sentence_citations(0, SOURCES, vectors, 0.75) == (1, 2)
    assert cite.source_sentence_citations(4, SOURCES, vectors, 0.75) == (3,)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
