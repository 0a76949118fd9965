"""The checker's names, roles and speakers in French, German and Spanish: a correct rewording in
the language of its source passes, a changed name or a quotation given to another speaker is
still caught. Invented sentences, written for these tests. docs/languages.md."""

from __future__ import annotations

import pytest

from digest.claims import Vocabulary, key_terms, mismatches
from digest.plan import rejection


def _check(brief: str, evidence: list[str]) -> list[str]:
    return mismatches(brief, evidence, Vocabulary.of(evidence))


# (evidence, a correct rewording, a wrong one, what the wrong one is caught by)
NAMES = [
    # German nouns reworded: "die Reederei" -> "das Unternehmen" is no missing name
    (
        ["Die Reederei Nordlys Lines kündigte an, die Ermittlungen voll zu unterstützen."],
        "Das Unternehmen kündigte an, die Ermittlungen voll zu unterstützen.",
        "Die Reederei Südwind Lines kündigte an, die Ermittlungen voll zu unterstützen.",
        "südwind",
    ),
    (
        ["Kapitän Anton Weber sagte, die Fähre habe bei starkem Wind die Steuerung verloren."],
        "Nach Angaben von Kapitän Weber verlor das Schiff bei heftigem Seitenwind die Kontrolle.",
        "Kapitän Becker sagte, die Fähre habe bei starkem Wind die Steuerung verloren.",
        "becker",
    ),
    (
        ["Zwölf Menschen wurden wegen leichter Verletzungen im Krankenhaus von Tarnholm behandelt."],
        "Im Krankenhaus von Tarnholm wurden zwölf Verletzte mit leichten Wunden versorgt.",
        "Im Krankenhaus von Hellmark wurden zwölf Verletzte mit leichten Wunden versorgt.",
        "hellmark",
    ),
    # a function word that opens the sentence, which the source never writes in lower case
    (
        ["Alle 312 Passagiere wurden an Land gebracht, teilte die Küstenwache mit."],
        "Laut der Küstenwache wurden alle 312 Passagiere an Land gebracht.",
        "Laut der Küstenwache wurden alle 312 Passagiere nach Hellmark gebracht.",
        "hellmark",
    ),
    (
        ["Le capitaine Orlov a quitté le navire en dernier, ont raconté les secouristes."],
        "D'après les secouristes, le capitaine Orlov a quitté le navire en dernier.",
        "D'après les secouristes, le capitaine Morel a quitté le navire en dernier.",
        "morel",
    ),
    (
        ["El capitán Orlov abandonó el barco el último, contaron los rescatistas."],
        "Según los rescatistas, el capitán Orlov abandonó el barco el último.",
        "Según los rescatistas, el capitán Morales abandonó el barco el último.",
        "morales",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("evidence", "right", "wrong", "caught"), NAMES)
def test_reworded_nouns_pass_and_a_changed_name_is_caught(evidence, right, wrong, caught):
    assert _check(right, evidence) == []
    assert caught in _check(wrong, evidence)


def test_a_german_noun_is_no_name_but_a_name_after_a_noun_is():
    terms = key_terms("Die schwer beschädigte Fähre Aurora Bay liegt bei der Insel Tarnholm.")
    assert terms == ["aurora", "bay", "tarnholm"]
    # titles are no names: "Kapitän Weber" and "Kapitän Becker" are two people
    assert key_terms("Nach dem Unglück sprach Kapitän Weber mit 312 Passagieren.") == [
        "312",
        "weber",
    ]


# who did what: the role check reads German nouns as nouns, and still sees names swapped
def test_german_nouns_beside_a_verb_are_no_names_in_another_role():
    evidence = ["Kapitän Orlow hat das Schiff während der Evakuierung nie verlassen."]
    brief = "Während der Evakuierung hat Kapitän Orlow das Schiff nie verlassen."
    assert _check(brief, evidence) == []


def test_names_swapped_in_german_are_caught():
    evidence = [
        "Hafenmeister Ibáñez lobte Kapitän Orlow für die ruhige Evakuierung.",
        "Kapitän Orlow verließ das Schiff als Letzter.",
    ]
    assert _check("Hafenmeister Ibáñez lobte die ruhige Evakuierung.", evidence) == []
    wrong = "Kapitän Orlow lobte Hafenmeister Ibáñez für die ruhige Evakuierung."
    assert "orlow lobte" in _check(wrong, evidence)


# speakers written as a word for who speaks ("selon la police", "laut der Reederei")
SPEAKERS = [
    (
        ["Les 312 passagers ont été évacués, selon les garde-côtes."],
        "Selon les garde-côtes, les 312 passagers ont été évacués.",
        "Selon la police, les 312 passagers ont été évacués.",
        "police selon",
    ),
    (
        ["La compagnie a indiqué que le ferry serait réparé à Tarnholm."],
        "Le ferry sera réparé à Tarnholm, a précisé l'armateur.",
        "Le ferry sera réparé à Tarnholm, a déclaré la maire.",
        "maire déclaré",
    ),
    (
        ["Die Reederei teilte mit, die Fähre sei nicht beschädigt worden."],
        "Das Unternehmen teilte mit, die Fähre sei nicht beschädigt worden.",
        "Die Küstenwache teilte mit, die Fähre sei nicht beschädigt worden.",
        "küstenwache teilte",
    ),
    (
        ["Alle 312 Passagiere wurden an Land gebracht, teilte die Küstenwache mit."],
        "Alle 312 Passagiere sind an Land gebracht worden, sagte die Küstenwache.",
        "Alle 312 Passagiere sind an Land gebracht worden, sagte die Reederei.",
        "reederei sagte",
    ),
    (
        ["Todos los pasajeros fueron evacuados, según la naviera."],
        "Según la compañía, todos los pasajeros fueron evacuados.",
        "Según la policía, todos los pasajeros fueron evacuados.",
        "policía según",
    ),
    (
        ["La naviera informó de que el ferri será reparado en Tarnholm."],
        "El ferri será reparado en Tarnholm, dijo la empresa.",
        "El ferri será reparado en Tarnholm, dijo la alcaldesa.",
        "alcaldesa dijo",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("evidence", "right", "wrong", "caught"), SPEAKERS)
def test_a_speaker_the_evidence_never_names_is_caught(evidence, right, wrong, caught):
    assert _check(right, evidence) == []
    assert caught in _check(wrong, evidence)


def test_a_speaker_may_be_named_by_a_report_in_another_language():
    """A French brief merging a French and a German report: "les garde-côtes" are "die
    Küstenwache"; "la police" is neither."""
    evidence = [
        "Les 312 passagers ont été évacués vers Tarnholm.",
        "Alle 312 Passagiere wurden an Land gebracht, teilte die Küstenwache mit.",
    ]
    assert (
        _check("Les 312 passagers ont été évacués vers Tarnholm, selon les garde-côtes.", evidence)
        == []
    )
    assert "police selon" in _check(
        "Les 312 passagers ont été évacués vers Tarnholm, selon la police.", evidence
    )


def test_a_speaker_is_not_compared_with_a_translation():
    """A French brief resting on a German report only: the words of who speaks cannot be
    compared, so the speaker check leaves it to the others."""
    evidence = ["Die Reederei teilte mit, die Fähre sei nicht beschädigt worden."]
    brief = "Selon l'armateur, le ferry n'a pas été endommagé."
    assert not [m for m in _check(brief, evidence) if "selon" in m]


@pytest.mark.parametrize(
    ("evidence", "right", "wrong"),
    [
        ("Les 312 passagers ont été évacués, selon les autorités.",
         "All 312 passengers were evacuated, officials said.",
         "All 312 passengers were evacuated, witnesses said."),
        ("Alle 312 Passagiere wurden an Land gebracht, teilte die Küstenwache mit.",
         "All 312 passengers were brought ashore, the coast guard said.",
         "All 312 passengers were brought ashore, police said."),
        ("Los 312 pasajeros fueron evacuados, según la naviera.",
         "All 312 passengers were evacuated, the company said.",
         "All 312 passengers were evacuated, police said."),
    ],
)  # fmt: skip
def test_an_english_speaker_may_translate_the_reports_word(evidence, right, wrong):
    """An English brief from a French, German or Spanish report: "officials" for "les
    autorités" is the same kind of speaker; "witnesses" or "police" is not."""
    assert _check(right, [evidence]) == []
    assert [m for m in _check(wrong, [evidence]) if m.endswith(" said")]


# a quotation given to another speaker, who is named elsewhere in the evidence
QUOTES = [
    (
        [
            "« Nous avons eu de la chance que la mer soit calme », a déclaré la maire Lucie Fabre.",
            "Le capitaine Orlov a quitté le navire en dernier.",
        ],
        "« Nous avons eu de la chance que la mer soit calme », a affirmé la maire.",
        "« Nous avons eu de la chance que la mer soit calme », a déclaré le capitaine Orlov.",
    ),
    (
        [
            "„Wir hatten Glück, dass die See ruhig war“, sagte Hafenmeister Tomás Ibáñez.",
            "Kapitän Orlow verließ das Schiff als Letzter.",
        ],
        "„Wir hatten Glück, dass die See ruhig war“, so Hafenmeister Ibanez.",
        "„Wir hatten Glück, dass die See ruhig war“, sagte Kapitän Orlow.",
    ),
    (
        [
            "«Tuvimos suerte de que el mar estuviera en calma», dijo el capitán del puerto, Tomás Ibáñez.",
            "El capitán Orlov abandonó el barco el último.",
        ],
        "«Tuvimos suerte de que el mar estuviera en calma», afirmó Ibáñez.",
        "«Tuvimos suerte de que el mar estuviera en calma», dijo el capitán Orlov.",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("evidence", "right", "wrong"), QUOTES)
def test_a_quotation_given_to_another_speaker_is_caught(evidence, right, wrong):
    assert _check(right, evidence) == []
    assert "orlov said" in _check(wrong, evidence) or "orlow said" in _check(wrong, evidence)


# the planner: a quotation that opens a sentence is a fact only where the sentence names who
# speaks, in any of the four languages (with its speaker, without one or with a pronoun)
@pytest.mark.parametrize(
    ("named", "unnamed"),
    [
        ("« Nous avons eu de la chance que la mer soit calme », a déclaré la maire de Tarnholm.",
         "« Nous avons eu de la chance que la mer soit calme », a-t-il déclaré."),
        ("„Wir hatten Glück, dass die See ruhig war“, sagte Hafenmeister Ibáñez.",
         "„Wir hatten Glück, dass die See ruhig war“, sagte er am Samstag."),
        ("„Wir hatten Glück, dass die See ruhig war“, so die Küstenwache.",
         "„Wir hatten Glück, dass die See ruhig war und das Schiff standhielt.“"),
        ('"Tuvimos suerte de que el mar estuviera en calma", dijo el capitán del puerto.',
         '"Tuvimos suerte de que el mar estuviera en calma", dijo a los periodistas.'),
        ("«Tuvimos suerte de que el mar estuviera en calma», afirmó la alcaldesa.",
         "« Nous avons eu de la chance que la mer soit calme et que le navire tienne. »"),
    ],
)  # fmt: skip
def test_a_quotation_opening_a_sentence_needs_its_speaker_in_any_language(named, unnamed):
    assert rejection(named) is None
    assert rejection(unnamed) == "needs context"


def test_english_is_read_as_before():
    """English sentences take none of these rules: a capitalised word after "the" is a name,
    a changed speaker of a quotation is caught by the English rules."""
    assert key_terms("The Reederei said the ferry would sail.") == ["reederei"]
    evidence = ['"We were lucky the sea was calm," harbour master Tomas Ibanez said.']
    assert _check('"We were lucky the sea was calm," Ibanez said.', evidence) == []
    assert "orlov" in _check('"We were lucky the sea was calm," Orlov said.', evidence)
