"""The checks of a fact the model wrote again from its report's wording (digest/paraphrase.py).
The sentences are our own, built on the faults read in validation briefs (docs/briefs.md)."""

import pytest

from digest.paraphrase import faults


@pytest.mark.parametrize(
    ("text", "source", "found"),
    [
        # a forecast told as certain
        (
            "Ana Ruiz said the berths plan will pass thanks to the council's majority.",
            "Ana Ruiz said she expected the berths plan to pass, thanks to the council's majority.",
            ["dropped 'expected'"],
        ),
        # a false belief told as the fact
        (
            "The meeting addressed worries that the ferry only stops at Tarn Quay.",
            "The meeting addressed worries about a misconception that the ferry only stops at Tarn Quay.",
            ["dropped 'misconception'"],
        ),
        # a joke told as news
        (
            "Comedian Lee Park announced he would run for mayor of Larkfield.",
            "In what may have been the best joke of the day, comedian Lee Park announced he would run for mayor of Larkfield.",
            ["dropped 'may'", "dropped 'joke'"],
        ),
        # a low of the day told as the close
        (
            "The Larkfield index plunged nearly 900 points on Monday.",
            "The Larkfield index plunged nearly 900 points at one point on Monday.",
            ["dropped 'at one point'"],
        ),
        # a cause the report does not give
        (
            "The boy, 8, died after being rushed to a hospital due to an illness.",
            "The boy, 8, died after being rushed to a hospital.",
            ["added 'due to'"],
        ),
    ],
)
def test_a_paraphrase_that_drops_its_frame_or_adds_a_cause_is_told(text, source, found):
    assert faults(text, source) == found


@pytest.mark.parametrize(
    ("text", "source"),
    [
        # shorter, other words, every framing word kept
        (
            "Ana Ruiz expects the berths plan to pass, she said.",
            "Ana Ruiz said she expected the berths plan to pass, thanks to the council's majority.",
        ),
        (
            "Berth fees will pay for the work.",
            "Fees from the berths will pay for the work, the council said.",
        ),
        # a schedule, not a cause
        (
            "Work on the berths is due to start in March.",
            "Work on the berths will begin in March, the council said.",
        ),
        # a cause the report gives, in other words
        (
            "The club lost its licence due to two incidents in May.",
            "The club lost its licence based on two incidents in May.",
        ),
    ],
)
def test_a_paraphrase_that_keeps_its_frame_passes(text, source):
    assert faults(text, source) == []
