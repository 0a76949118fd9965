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
    # and with a hyphen (validation 26: "a 5,500-wordletter he has written")
    assert respelled(["A 5,500-wordletter came."], ["A 5,500-word letter came."]) == [
        "A 5,500-word letter came."
    ]
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


def test_a_lead_in_a_page_set_in_capitals_is_put_in_sentence_case():
    from digest.wording import lead_in_case

    # validation 2: "A CAR park in a Highland town has been confirmed ..." was published so
    texts = [
        "A CAR park in Dingwall has been confirmed as the site of a Norse assembly.",
        "THE FERTILITY DECLINE that began in Europe is now sweeping the planet.",
        "THE TOWNHOUSE at 64 Perry St. is back on the market.",
        "The car park was dug in 2012, and fertility there fell as the decline went on.",
        "A CNN employee found the papers, and the WHO said so; CNN did not.",
        "WHO officials met. US troops left. HQ said nothing.",
        "Let us go, said the man who owns the US firm and its hq.",
    ]
    cased = lead_in_case(texts)
    assert cased[0] == "A car park in Dingwall has been confirmed as the site of a Norse assembly."
    assert cased[1] == "The fertility decline that began in Europe is now sweeping the planet."
    assert cased[2] == "The townhouse at 64 Perry St. is back on the market."  # written nowhere else
    # acronyms stay, though "who", "us" and "hq" are written in lower case too
    assert cased[3:] == texts[3:]


def test_a_sentence_in_another_reports_language_is_found():
    from digest.wording import other_language

    # the real model on the four-language ferry (tests/test_languages.py), on an AVX2 machine
    half = "Doce personas recibieron atención for heridas leves, sobre todo cortes y contusions."
    assert other_language(half, "en", {"en", "es", "fr", "de"}) == ["script: Doce personas recibieron"]
    english = "Twelve people were treated for minor injuries, Tomás Ibáñez said."
    assert other_language(english, "en", {"en", "es", "fr", "de"}) == []
    assert other_language(half, "en", {"en", None}) == []  # no report in that language: not asked
    assert other_language(half, "en", {"es", "fr"}) == []  # no report in English to stand in


def test_a_word_one_letter_off_a_report_word_is_written_as_the_reports_write_it():
    from digest.wording import respelled

    sources = ["The club said it was aware of the misspelling on the shirts.", "Halvorsen spoke."]
    # validation 1: the copy guard pushed the model off "misspelling"
    assert respelled(["The club knew of the mispelling."], sources) == [
        "The club knew of the misspelling."
    ]
    # words, names and words no report is one letter from stay as they are
    for text in ("The club knew of the spelling.", "Halvorssen spoke.", "The club knew of the blorptang."):
        assert respelled([text], sources) == [text]
    # one letter from two report words ("flows", "float"): nothing to go by
    two = ["The river flows past the float."]
    assert respelled(["The flowt moved."], two) == ["The flowt moved."]
    assert respelled(["The flowt moved."], two[:0] + ["The river flows on."]) == ["The flows moved."]
