"""The checker's "not" in French, German and Spanish: a brief sentence in one of them that drops
or adds a negation of its source (in the same language) is caught, one that keeps it passes.
Invented sentences, written for these tests. docs/languages.md."""

from __future__ import annotations

import pytest

from digest.claims import mismatches, negated, says_not
from digest.claims_languages import negation_language

# (source, brief that keeps its "not", brief that drops it)
KEPT_AND_DROPPED = [
    (
        "Le ferry Aurora Bay n'a pas été endommagé par la tempête, selon la compagnie.",
        "Selon la compagnie, le ferry Aurora Bay n'a pas été endommagé par la tempête.",
        "Selon la compagnie, le ferry Aurora Bay a été endommagé par la tempête.",
    ),
    (
        "Personne n'a été grièvement blessé lors de l'évacuation des 312 passagers.",
        "Lors de l'évacuation des 312 passagers, personne n'a été grièvement blessé.",
        "Lors de l'évacuation des 312 passagers, une personne a été grièvement blessée.",
    ),
    (
        "Le capitaine Orlov n'a jamais quitté le navire pendant l'évacuation.",
        "Pendant l'évacuation, le capitaine Orlov n'a jamais quitté le navire.",
        "Pendant l'évacuation, le capitaine Orlov a quitté le navire.",
    ),
    (
        "Aucun passager n'a dû être hospitalisé après l'accident.",
        "Après l'accident, aucun passager n'a dû être hospitalisé.",
        "Après l'accident, un passager a dû être hospitalisé.",
    ),
    (
        "Die Fähre Aurora Bay wurde bei dem Unglück nicht beschädigt, teilte die Reederei mit.",
        "Laut der Reederei wurde die Fähre Aurora Bay bei dem Unglück nicht beschädigt.",
        "Laut der Reederei wurde die Fähre Aurora Bay bei dem Unglück beschädigt.",
    ),
    (
        "Bei der Evakuierung der 312 Passagiere wurde niemand schwer verletzt.",
        "Niemand wurde bei der Evakuierung der 312 Passagiere schwer verletzt.",
        "Einer wurde bei der Evakuierung der 312 Passagiere schwer verletzt.",
    ),
    (
        "Kapitän Orlow hat das Schiff während der Evakuierung nie verlassen.",
        "Während der Evakuierung hat Kapitän Orlow das Schiff nie verlassen.",
        "Während der Evakuierung hat Kapitän Orlow das Schiff verlassen.",
    ),
    (
        "Es gab keine Verletzten unter den Passagieren, sagte die Küstenwache.",
        "Die Küstenwache sagte, es habe keine Verletzten unter den Passagieren gegeben.",
        "Die Küstenwache sagte, es habe Verletzte unter den Passagieren gegeben.",
    ),
    (
        "El ferri Aurora Bay no sufrió daños durante la tormenta, según la naviera.",
        "Según la naviera, el ferri Aurora Bay no sufrió daños durante la tormenta.",
        "Según la naviera, el ferri Aurora Bay sufrió daños durante la tormenta.",
    ),
    (
        "El capitán Orlov nunca abandonó el barco durante la evacuación.",
        "Durante la evacuación, el capitán Orlov nunca abandonó el barco.",
        "Durante la evacuación, el capitán Orlov abandonó el barco.",
    ),
    (
        "Ningún pasajero tuvo que ser hospitalizado tras el accidente.",
        "Tras el accidente, ningún pasajero tuvo que ser hospitalizado.",
        "Tras el accidente, un pasajero tuvo que ser hospitalizado.",
    ),
]
LANGUAGES = ["fr"] * 4 + ["de"] * 4 + ["es"] * 3


@pytest.mark.parametrize(("source", "kept", "dropped"), KEPT_AND_DROPPED)
def test_a_kept_negation_passes(source, kept, dropped):
    assert "not" not in mismatches(kept, [source])
    assert negated(kept) and says_not(source)


@pytest.mark.parametrize(("source", "kept", "dropped"), KEPT_AND_DROPPED)
def test_a_kept_negation_passes_every_check(source, kept, dropped):
    """Its names, roles and speakers too. Before German nouns were told from names
    (claims_languages.ordinary_capitals), two German briefs were flagged: "Laut" opening the
    sentence as a missing name, and "Reederei wurde", "Evakuierung hat", "Schiff nie" as names
    in another's role."""
    assert mismatches(kept, [source]) == []


@pytest.mark.parametrize(("source", "kept", "dropped"), KEPT_AND_DROPPED)
def test_a_dropped_negation_is_caught(source, kept, dropped):
    assert "not" in mismatches(dropped, [source])
    assert not negated(dropped)


@pytest.mark.parametrize(("source", "kept", "dropped"), KEPT_AND_DROPPED)
def test_an_added_negation_is_caught(source, kept, dropped):
    """The other way round: the source affirms, the brief negates."""
    assert "not" in mismatches(kept, [dropped])


@pytest.mark.parametrize(("sentences", "code"), list(zip(KEPT_AND_DROPPED, LANGUAGES, strict=True)))
def test_each_sentence_is_read_by_its_languages_rules(sentences, code):
    assert {negation_language(s) for s in sentences} == {code}


@pytest.mark.parametrize(
    ("source", "brief"),
    [
        # "ne ... que" is "only", no negation
        ("Il n'y avait que 12 passagers à bord du ferry.", "Il y avait seulement 12 passagers à bord du ferry."),
        # "nicht nur" is "not only"
        ("Nicht nur die Fähre, auch der Steg wurde beschädigt.", "Die Fähre und der Steg wurden beschädigt."),
        ("No solo el ferri, también el muelle sufrió daños.", "El ferri y el muelle sufrieron daños."),
        # a "not" said with a negative word: "sans", "ohne", "sin"
        ("Les passagers ont été évacués sans blessés.", "Aucun passager n'a été blessé lors de l'évacuation des passagers."),
    ],
)  # fmt: skip
def test_what_only_looks_like_a_negation_is_none(source, brief):
    assert "not" not in mismatches(brief, [source])


def test_an_english_not_may_rest_on_a_french_negation():
    """An English brief translating a French "ne ... pas": the writer asks that its "not" rest
    on a source sentence that says "not" (summarize.py); the French one now does."""
    assert says_not("Le ferry n'a pas été endommagé par la tempête.")
    assert says_not("Die Fähre wurde nicht beschädigt, teilte die Reederei mit.")
    assert not says_not("Le ferry a été endommagé par la tempête, selon la compagnie.")


@pytest.mark.parametrize(
    ("brief", "source", "caught"),
    [
        ("The ferry was not damaged.", "The ferry was damaged by the storm.", True),
        ("The ferry was damaged.", "The ferry was not damaged by the storm.", True),
        ("The ferry was not damaged.", "The ferry was not damaged by the storm.", False),
        ("No one was hurt, the coast guard said.", "Nobody was hurt, the coast guard said.", False),
        ("Dozens die in the floods.", "Dozens did not die in the floods.", True),
    ],
)
def test_english_is_read_as_before(brief, source, caught):
    assert negation_language(brief) is None and negation_language(source) is None
    assert ("not" in mismatches(brief, [source])) is caught
