"""A sentence's own wording mended from the reports (digest/wording.py)."""


def test_a_word_split_by_a_stray_mark_is_written_as_the_reports_write_it():
    from digest.wording import respelled as respelled_all

    def respelled(text, sources):
        return respelled_all([text], sources)[0]

    sources = [
        "Three years of roadworks had split the riverside district in two.",
        "O'Brien said the river's banks were well-known to the Larkfield council.",
    ]
    # the copy guard pushed the model off "riverside" (README sample, session 12)
    assert (
        respelled("They split the river'side district.", sources)
        == "They split the riverside district."
    )
    assert respelled("The Larkfi-eld council met.", sources) == "The Larkfield council met."
    assert respelled("The River'side park opened.", sources) == "The Riverside park opened."
    # marks that belong there stay
    for text in (
        "O'Brien said so.",
        "The river's banks.",
        "A well-known spot.",
        "They don't know.",
    ):
        assert respelled(text, sources) == text
    # no report has the joined word: nothing to go by
    assert respelled("The harbour'master said.", sources) == "The harbour'master said."


def test_two_words_the_decoder_ran_together_are_parted_as_the_reports_write_them():
    from digest.wording import respelled

    sources = [
        "The Roman cargo ship sank with 12 people aboard before the end of his term.",
        "A fire truck reached the pier; the stall sold cornmeal. They walked in to the office.",
    ]
    # read in validation and train briefs: "The Romancargo ship", "All 12people arrested",
    # "before the end of histerm"
    assert respelled(
        ["The Romancargo ship sank.", "All 12people were saved.", "Before the end of histerm."],
        sources,
    ) == ["The Roman cargo ship sank.", "All 12 people were saved.", "Before the end of his term."]
    # a number with its thousands comma (a held-out validation brief: "about 3,000people")
    assert respelled(["A town of 3,000people."], ["It has 3,000 people."]) == [
        "A town of 3,000 people."
    ]
    assert respelled(["It cost 3,000."], ["It has 3,000 people."]) == ["It cost 3,000."]
    # English words stay joined, whatever the reports write: "firetruck", "into"
    for text in ("A firetruck came.", "They walked into the office.", "The cornmeal sold out."):
        assert respelled([text], sources) == [text]
    # words the reports do not write side by side stay as they are
    assert respelled(["The Romanship sank."], sources) == ["The Romanship sank."]
    # a word whose case the decoder broke, where the reports write it one way (validation 97)
    assert respelled(["They sold kale, apricOTS and carrots."], ["Kale and apricots sold."]) == [
        "They sold kale, apricots and carrots."
    ]
    assert respelled(["The iPhone sold."], ["The iPhone sold out."]) == ["The iPhone sold."]
