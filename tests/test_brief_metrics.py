"""The reader's figures of a brief (digest/evaluate.brief_metrics), on briefs small enough to
count by hand."""

import pytest

from digest.evaluate import brief_metrics

SOURCES = [
    "The Harbor Council approved 1,250 new berths on Monday. Work starts in March.",
    "Mayor Ana Ruiz called it a fair deal. Fishing crews have waited ten years.",
]


def test_a_copied_sentence_has_no_new_bigrams_and_counts_as_copied():
    m = brief_metrics(["The Harbor Council approved 1,250 new berths on Monday."], [[1]], SOURCES)
    assert m["copied"] == 1.0 and m["novel_bigrams"] == 0.0
    # its names and numbers (Harbor, Council, 1250; weekdays are checked apart) are all in the
    # source it cites
    assert m["terms"] == 3 and m["terms_found"] == 1.0


def test_a_rewritten_sentence_counts_its_new_bigrams():
    # bigrams: on monday / monday the / the council / council approved / approved 1250 /
    # 1250 more / more berths: "on monday", "council approved" and "approved 1250" are in a
    # source, the other 4 of 7 are not
    m = brief_metrics(["On Monday the council approved 1,250 more berths."], [[1]], SOURCES)
    assert m["copied"] == 0.0
    assert m["novel_bigrams"] == pytest.approx(4 / 7)


def test_a_name_not_in_the_cited_source_is_unfaithful_even_if_another_source_has_it():
    # Ana Ruiz is in source 2, but the sentence cites only source 1
    m = brief_metrics(["Mayor Ana Ruiz approved 1,250 berths."], [[1]], SOURCES)
    assert m["terms"] == 4  # mayor, ana, ruiz, 1250
    assert m["terms_found"] == pytest.approx(1 / 4)


def test_coverage_counts_the_references_names_and_numbers_in_the_brief():
    reference = "The Harbor Council backed 1,250 berths; Mayor Ana Ruiz welcomed it in March."
    m = brief_metrics(
        ["The Harbor Council approved 1,250 new berths on Monday."], [[1]], SOURCES, reference
    )
    # reference terms: harbor, council, 1250, mayor, ana, ruiz, march -> the brief has 3 of 7
    assert m["coverage"] == pytest.approx(3 / 7)


def test_captions_and_context_dependent_sentences_are_counted():
    m = brief_metrics(
        [
            "She said then that work would start.",
            "Crews unload nets at the quay. (AP Photo/Ann Lee)",
        ],
        [[1], [1]],
        SOURCES,
    )
    assert m["unpublishable"] == 2
