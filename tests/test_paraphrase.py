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
            ["frame: expected"],
        ),
        # a false belief told as the fact
        (
            "The meeting addressed worries that the ferry only stops at Tarn Quay.",
            "The meeting addressed worries about a misconception that the ferry only stops at Tarn Quay.",
            ["frame: misconception"],
        ),
        # a joke told as news
        (
            "Comedian Lee Park announced he would run for mayor of Larkfield.",
            "In what may have been the best joke of the day, comedian Lee Park announced he would run for mayor of Larkfield.",
            ["frame: joke"],  # its "may" frames "best", which the sentence does not say
        ),
        # a low of the day told as the close
        (
            "The Larkfield index plunged nearly 900 points on Monday.",
            "The Larkfield index plunged nearly 900 points at one point on Monday.",
            ["frame: at one point"],
        ),
        # a cause the report does not give
        (
            "The boy, 8, died after being rushed to a hospital due to an illness.",
            "The boy, 8, died after being rushed to a hospital.",
            ["cause: due to"],
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


def test_a_framing_word_in_a_clause_the_sentence_left_out_is_no_fault():
    source = "Park, who may run again next year, opened the Larkfield Playhouse show on Friday."
    assert faults("Park opened the Larkfield Playhouse show on Friday.", source) == []
    assert faults("Park will run again next year.", source) == ["frame: may"]


def test_a_pair_of_words_said_twice_where_the_report_says_it_once_is_told():
    # validation 94: "... the two new officers, who had just been sworn in, were sworn in ..."
    source = "The shooting began after two new deputies were sworn in at the Larkfield meeting."
    text = "The shooting began after two new deputies, who had just been sworn in, were sworn in."
    assert faults(text, source) == ["twice: sworn in"]
    assert faults("The shooting began after two new deputies were sworn in.", source) == []
    # said twice in the report as well: no fault
    twice = "South Africa let him leave, though South Africa's court had barred it."
    assert faults("South Africa let him go though South Africa's court barred it.", twice) == []
