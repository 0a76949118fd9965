"""The meaning check's features (digest/meaning.py) and the perturbations it is trained on
(benchmarks/perturb_meaning.py), on sentences written for these tests."""

from __future__ import annotations

import random

import numpy as np
import pytest

from digest import meaning

EVIDENCE = [
    "The Harbour Guild sued the Marlow council over the new marina fees on Monday.",
    "Mayor Ana Ruiz said the council will review the fees next month.",
    "Fishermen at the east marina say the fees have doubled since March.",
]


def evidence(texts=EVIDENCE, sims=(0.9, 0.5, 0.4)) -> meaning.Evidence:
    stems: set[str] = set()
    for t in texts:
        stems.update(meaning.content(t))
    return meaning.Evidence(tuple(texts), tuple(sims), frozenset(stems))


def test_stems_match_inflections_and_content_drops_function_words():
    assert meaning.stem("sued") == meaning.stem("sues") == meaning.stem("sue")
    assert meaning.stem("guns") == meaning.stem("gun")
    assert meaning.stem("fees") == meaning.stem("fee") and meaning.stem("taxes") == "tax"
    assert meaning.stem("closes") == meaning.stem("closed") == meaning.stem("close")
    assert meaning.content("The guild sued the council.") == ("guild", "su", "council")


def test_a_copy_has_full_coverage_and_no_reversal():
    f = meaning.features(EVIDENCE[0], evidence())
    assert f["cov1"] == 1.0 and f["missing_all"] == 0.0
    assert f["crossed"] == 0.0 and f["discordant"] == 0.0
    assert f["run1"] == 0


def test_a_role_swap_reverses_the_words_around_the_verb():
    f = meaning.features(
        "The Marlow council sued the Harbour Guild over the new marina fees.", evidence()
    )
    assert f["cov1"] == 1.0  # every word is in the evidence: the word rules see nothing amiss
    assert f["crossed"] > 0.0 and f["discordant"] > 0.2


def test_a_spliced_phrase_is_a_run_of_words_the_nearest_sentence_lacks():
    claim = "The Harbour Guild sued the Marlow council after fishermen doubled since March."
    f = meaning.features(claim, evidence())
    assert f["run1"] >= 3  # "fishermen doubled since March" is from another sentence
    assert f["borrowed"] > 0.2  # ... of the evidence, so its words are found in the story
    assert f["missing_all"] == 0.0


def test_time_and_certainty_words_are_compared_with_the_evidence():
    ev = evidence(["The council will review the fees next month."], (0.9,))
    assert meaning.features("The council reviewed the fees.", ev)["future_dropped"] == 1.0
    assert meaning.features("The council will review the fees.", ev)["future_dropped"] == 0.0
    ev = evidence(["The council may close the marina."], (0.9,))
    assert meaning.features("The council will close the marina.", ev)["hedge_dropped"] == 1.0
    assert meaning.features("The council will close the marina.", ev)["future_added"] == 1.0


def test_the_reason_names_the_exchanged_roles():
    ev = evidence()
    claim = "The Marlow council sued the Harbour Guild over the new marina fees."
    why = meaning.reason(claim, ev, {"crossed": 2.0, "discordant": 1.0})
    assert why.startswith("'") and "is not what the reports say" in why
    assert "marlow" in why and "harbour" in why


def test_the_checker_scores_with_its_coefficients():
    names = meaning.FEATURES
    model = {
        "features": list(names),
        "mean": [0.0] * len(names),
        "scale": [1.0] * len(names),
        "coef": [3.0 if n == "crossed" else 0.0 for n in names],
        "intercept": -1.0,
        "threshold": 0.5,
    }
    checker = meaning.MeaningChecker(model)
    swap = checker.check(
        "The Marlow council sued the Harbour Guild over the new marina fees.", evidence()
    )
    same = checker.check(EVIDENCE[0], evidence())
    assert swap.score > same.score
    assert not same.flagged and same.reason == ""
    assert same.score == pytest.approx(1 / (1 + np.exp(1.0)))


# --- the perturbations (spaCy's parser) -----------------------------------------------------


@pytest.fixture(scope="module")
def pm():
    from benchmarks import perturb_meaning

    perturb_meaning.nlp()
    return perturb_meaning


def _doc(pm, text):
    return pm.nlp()(text)


def test_role_swap_exchanges_subject_and_object(pm):
    text, how = pm.perturb_role(
        _doc(pm, "The Harbour Guild sued the Marlow council on Monday."), random.Random(0)
    )
    assert text == "The Marlow council sued the Harbour Guild on Monday."
    assert how == "object"
    # a pronoun subject is left alone ("him sued he" is no sentence)
    assert pm.perturb_role(_doc(pm, "He sued the council."), random.Random(0)) is None


def test_role_swap_of_a_passive_exchanges_the_agent(pm):
    text, how = pm.perturb_role(
        _doc(pm, "Nadia Osei was fired by the ferry company."), random.Random(0)
    )
    assert text == "The ferry company was fired by Nadia Osei."
    assert how == "passive agent"


def test_tense_changes_tell_the_future_or_a_plan_as_done(pm):
    rng = random.Random(0)
    assert pm.perturb_tense(_doc(pm, "The council will review the fees."), rng) == (
        "The council reviewed the fees.",
        "future to past",
    )
    assert pm.perturb_tense(_doc(pm, "The ferry company plans to raise fares."), rng) == (
        "The ferry company raised fares.",
        "plan to past",
    )
    assert pm.perturb_tense(_doc(pm, "The council may close the marina."), rng) == (
        "The council will close the marina.",
        "hedge to certain",
    )
    assert pm.perturb_tense(_doc(pm, "The council closed the marina."), rng) is None


def test_splice_merges_a_phrase_of_another_sentence(pm):
    claim = "The council closed the marina."
    other = _doc(pm, "Fishermen gathered at the old lighthouse on Friday.")
    text, how = pm.perturb_splice(_doc(pm, claim), [other], random.Random(1))
    assert text != claim
    assert "at the old lighthouse" in text or "on Friday" in text
    assert how in ("phrase added", "phrase replaced")


def test_substitution_takes_a_word_of_the_same_tag_or_a_near_word(pm):
    doc = _doc(pm, "Fares rose after the vote.")
    text, how = pm.perturb_substitution(doc, [], random.Random(0))
    assert text in ("Fares fell after the vote.", "Fares rose before the vote.")
    assert how == "near word"
    doc = _doc(pm, "The council approved the budget.")
    other = _doc(pm, "The harbour master inspected the boats.")
    for seed in range(5):
        text, how = pm.perturb_substitution(doc, [other], random.Random(seed))
        changed = [(a, b) for a, b in zip(doc, pm.nlp()(text), strict=True) if a.text != b.text]
        assert len(changed) == 1, text  # one word replaced, the rest kept
        old, new = changed[0]
        if how == "near word":  # "approved" is on the near-word list
            assert new.text == pm.NEAR[old.text]
            continue
        assert new.text in [t.text for t in other if t.tag_ == old.tag_], (text, old.tag_)
        assert how == ("verb" if old.pos_ == "VERB" else "noun")
