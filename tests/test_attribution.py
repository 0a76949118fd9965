"""Speakers in lower case: "police said" must rest on evidence where the police speak."""

from digest.attribution import (
    claim_speaker_mismatch,
    quote_speaker_mismatch,
    speaker_mismatch,
    speakers,
    voice_mismatch,
    without_looped,
    without_vacuous,
)
from digest.claims import mismatches


def test_a_claim_moved_to_a_speaker_the_evidence_never_names_is_caught():
    # seen in a brief of Multi-News train: a columnist's joke published as the police's words
    evidence = ["The future is also going to be full of drunk people tackling robots for fun."]
    claim = (
        "The future of robots is going to involve drunk people tackling them for fun, police said."
    )
    assert speaker_mismatch(claim, evidence) == ["police said"]
    assert "police said" in mismatches(claim, evidence)


def test_the_same_speaker_or_the_same_kind_of_speaker_passes():
    evidence = ["The firm said it was halting operations, authorities said on Tuesday."]
    assert speaker_mismatch("The company said it was closing, officials said.", evidence) == []
    assert speaker_mismatch("Police said the robot was hit.", ["Police say a man hit it."]) == []


def test_speakers_are_found_before_and_after_the_verb_and_after_according_to():
    assert speakers("The plan, which critics said was costly, will pass, said the mayor.") == [
        ("critics", "said"),
        ("mayor", "said"),
    ]
    assert speakers("It fell, according to local police officers.") == [
        ("officers", "according to")
    ]


def test_pronouns_names_documents_and_said_as_an_adjective_are_no_speakers():
    assert speakers("He said it would rain.") == []
    assert speakers("A White House official said in a statement that it was false.") == []
    assert speakers("It fell, according to the criminal complaint.") == []
    assert speakers("According to a statement from a Fitbit representative, it was paid.") == []
    assert speakers("She was seen on said lawyer's floor.") == []


def test_a_quotation_given_to_another_named_speaker_is_caught():
    # read in a validation brief: the director's words given to the officer of the same story
    evidence = [
        '"We were told it was 25 dogs, so we were not prepared for what we saw," said '
        "Humane Society Executive Director Mary Shafer.",
        "Humane Officer Barbara Morgan said she expects to file charges.",
    ]
    wrong = '"We were told it was 25 dogs, so we were not prepared for what we saw," Morgan said.'
    right = '"We were told it was 25 dogs, so we were not prepared for what we saw," Shafer said.'
    assert quote_speaker_mismatch(wrong, evidence) == ["Morgan said"]
    assert "Morgan said" in mismatches(wrong, evidence)
    assert quote_speaker_mismatch(right, evidence) == []
    # an unattributed quotation, or one the evidence gives to nobody by name, is left alone
    assert (
        quote_speaker_mismatch('"We were not prepared for what we saw," she said.', evidence) == []
    )


def test_a_speaker_named_with_its_place_is_the_speaker_the_reports_name():
    # validation 27: "the Ummah Fitness Centre in London said staff would "help ..."" was
    # refused as "London said" against "the Ummah Fitness Centre said ..."
    evidence = [
        'In a letter, the Harbour Guild said its staff would "help the police in any way we can".',
        "Mayor Brandt of Tarnholm said the ferry would sail.",
    ]
    placed = 'The Harbour Guild in Tarnholm said its staff would "help the police in any way we can".'
    assert quote_speaker_mismatch(placed, evidence) == []
    assert mismatches(placed, evidence) == []
    # the place alone as the speaker is still another's words
    wrong = 'Tarnholm said its staff would "help the police in any way we can".'
    assert quote_speaker_mismatch(wrong, evidence) == ["Tarnholm said"]


def test_who_did_it_to_whom_survives_a_change_of_voice():
    # read in a validation brief's headline: "CNN sued EMTs" from "CNN is being sued by EMTs"
    evidence = ["CNN is being sued by two EMTs who say a correspondent bit them."]
    assert voice_mismatch("CNN sued EMTs for biting a correspondent", evidence) == ["cnn sued emts"]
    assert voice_mismatch("EMTs were sued by CNN.", evidence) == ["cnn sued emts"]
    assert voice_mismatch("Two EMTs sued CNN over the bite.", evidence) == []
    assert voice_mismatch("CNN was sued by two EMTs.", evidence) == []


def test_an_attribution_to_unnamed_reports_is_dropped():
    # the model's filler when the copy guard turns it away from a source's words (three
    # sentences of one Multi-News train brief ended so); the brief cites its reports anyway
    assert without_vacuous("The judge ruled that he must stay, according to reports.") == (
        "The judge ruled that he must stay."
    )
    assert without_vacuous("According to news reports, the minister resigned on Friday.") == (
        "The minister resigned on Friday."
    )
    assert without_vacuous("The tower sank another inch, reports said.") == "The tower sank another inch."
    # a named report or source is an attribution: kept
    for kept in (
        "According to the report, the United Kingdom ranks first.",
        "Police said, according to reports by the Coast Post, that he fled.",
        "The tower sank another inch, the engineers' report said.",
    ):
        assert without_vacuous(kept) == kept


def test_a_named_speaker_hung_on_another_fact_is_caught():
    # read on Multi-News train: a spokesman's name closed a sentence about something he never
    # spoke of; every name in it was in the evidence, so only this check sees it
    evidence = [
        "In modern Larkfield, rows of towers line the harbour front and recast the skyline.",
        "Jonas Pell, a spokesman for the Larkfield port office, said the city would hire its own "
        "engineers to review the fix.",
    ]
    hung = (
        "In modern Larkfield, rows of towers line the harbour front and recast the skyline, "
        "according to Jonas Pell, a spokesman for the port office."
    )
    assert claim_speaker_mismatch(hung, evidence) == ["according to Jonas Pell"]
    assert "according to Jonas Pell" in mismatches(hung, evidence)
    assert claim_speaker_mismatch("Towers line the harbour front, Pell said.", evidence) == [
        "according to Pell"
    ]
    # what the speaker did say passes, however the attribution is written
    for right in (
        "The city will hire its own engineers to review the fix, according to Jonas Pell.",
        "The city will hire engineers of its own to review the fix, Pell said.",
        "The city will have its own engineers review the fix, said Jonas Pell of the port office.",
    ):
        assert claim_speaker_mismatch(right, evidence) == [], right



def test_a_closing_attribution_on_three_sentences_of_a_reply_is_a_loop_and_is_cut():
    # validation 50: four sentences closed with ", according to a Detroit man who pleaded not
    # guilty Friday." and were refused for it
    tail = ", according to a Dunmore man who pleaded not guilty Friday."
    reply = [
        "The mayor issued a statement praising the officer" + tail,
        "The ferry was held at the pier for an hour" + tail,
        "The officer had served for six years" + tail,
        "Two berths were closed on Monday.",
    ]
    assert without_looped(reply) == [
        "The mayor issued a statement praising the officer.",
        "The ferry was held at the pier for an hour.",
        "The officer had served for six years.",
        "Two berths were closed on Monday.",
    ]
    # twice is a brief citing a paper (validation 14: "..., according to the Herald.")
    twice = ["The company billed $3,100 a day, according to the Herald.", "He paid $40,000, according to the Herald."]
    assert without_looped(twice) == twice
