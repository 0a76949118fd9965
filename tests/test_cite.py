"""Citations and support checks, on sentences written for these tests."""

import numpy as np
import pytest

from digest import cite, prompt
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


def test_a_figure_half_in_words_is_caught():
    # published in the sample battery brief: "lost more than a third of their capacity within
    # one,000 cycles" for the report's "within 1,000 cycles" (the "000" was found in "1,000")
    evidence = ["Earlier designs lost a third of their capacity within 1,000 cycles."]
    assert cite.missing_terms("They lost a third within one,000 cycles.", evidence) == ["one,000"]
    assert cite.missing_terms("They lost a third within 1,000 cycles.", evidence) == []


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


# --- rules measured in benchmarks/checker_eval.py (docs/faithfulness.md) -------------------------


def test_quotations_are_compared_on_their_words_not_their_punctuation():
    evidence = ['The coach said the squad was "tired, hungry and ready" after the match.']
    assert cite.missing_terms('The coach called them "tired, hungry, and ready."', evidence) == []
    assert cite.missing_terms('He said the squad was "tired hungry and ready".', evidence) == []
    assert cite.missing_terms('He called the squad "tired, hungry and eager".', evidence) == [
        '"tired, hungry and eager"'
    ]
    nested = ["She called it “the ‘Blue Lagoon’ deal” on Friday."]
    assert cite.missing_terms("She called it \"the 'Blue Lagoon' deal\".", nested) == []
    assert cite.missing_terms('She called it "the Lagoon Blue deal".', nested) == [
        '"the lagoon blue deal"'
    ]


def test_evidence_words_lose_quote_marks_and_count_hyphenated_parts():
    assert cite.missing_terms("Lagoon owners were pleased.", ["It was the 'Lagoon' plan."]) == []
    assert cite.missing_terms("A Norwegian ship sank.", ["The Norwegian-flagged ship sank."]) == []


def test_a_name_that_opens_with_a_figure_is_found_whole():
    # a Multi-News train brief lost three model sentences to "missing nop": the reports' "3NOP"
    # (a feed additive) was read as one word in the evidence and as "3" and "nop" in the brief
    evidence = ["Cows fed the additive 3NOP gave off 30% less methane."]
    assert cite.missing_terms("The additive 3NOP cut methane by 30%.", evidence) == []
    assert cite.missing_terms("The additive 4NOP cut methane by 30%.", evidence) == ["4"]


def test_number_words_are_numbers():
    evidence = ["Four climbers were rescued after three days on the ridge."]
    assert cite.missing_terms("4 climbers were rescued after 3 days.", evidence) == []
    assert cite.missing_terms("Four climbers were rescued after five days.", evidence) == ["5"]
    assert cite.missing_terms("A 6-year-old was among them.", ["A six-year-old was among them."]) == []
    # "one" and "two" are too often loose wording ("one of them", "the two men") to be required
    assert "1" not in cite.key_terms("One of the two climbers slipped.")
    assert "2" not in cite.key_terms("One of the two climbers slipped.")


def test_month_abbreviations_are_months():
    assert cite.missing_terms("The bridge shut on Sept. 4.", ["The bridge shut on September 4."]) == []
    assert cite.missing_terms("The bridge shut on September 4.", ["It shut Sept. 4."]) == []
    assert cite.missing_terms("The bridge shut on Oct. 4.", ["It shut on September 4."]) == ["october"]


def test_a_sentence_opening_word_the_story_writes_in_lower_case_is_no_name():
    story = cite.Vocabulary.of(["The divers said the wreck lay deeper than expected."])
    assert "divers" not in cite.key_terms("Divers found the wreck.", story.lowercase)
    assert "divers" in cite.key_terms("Divers found the wreck.")  # nothing says otherwise
    # a name that opens the sentence is still a name
    assert "norway" in cite.key_terms("Norway sent the divers.", story.lowercase)
    # and so is the same word inside a sentence
    assert "divers" in cite.key_terms("The team met Divers at noon.", story.lowercase)
    # words that open sentences and are never names, whatever the story writes
    assert cite.key_terms("Earlier, the wreck was found.") == []
    assert cite.key_terms("Nobody said the dive would be easy.") == []
    assert cite.key_terms("No one was hurt when the wreck shifted.") == []
    assert cite.key_terms("Everyone in Larkfield heard the siren.") == ["larkfield"]


def test_a_negation_added_or_dropped_is_a_mismatch():
    evidence = ["The mayor signed the harbour budget on Tuesday."]
    assert cite.mismatches("The mayor signed the harbour budget.", evidence) == []
    assert cite.mismatches("The mayor did not sign the harbour budget.", evidence) == ["not"]
    assert cite.mismatches("The mayor never signed the harbour budget.", evidence) == ["not"]
    negative = ["The mayor has not signed the harbour budget."]
    assert cite.mismatches("The mayor has not yet signed the harbour budget.", negative) == []
    assert cite.mismatches("The mayor has signed the harbour budget.", negative) == ["not"]


def test_negations_said_in_other_words_agree():
    assert cite.mismatches("The keeper did not know about the leak.", ["The keeper was unaware of the leak."]) == []
    assert cite.mismatches("Inspectors did not see a rise in leaks.", ["Inspectors saw no rise in leaks."]) == []
    # "not only" is no negation
    assert cite.mismatches("The storm hit not only the port but the town.", ["The storm hit the port and the town."]) == []
    # a "not" elsewhere in the evidence, about something else, does not excuse a negated claim
    evidence = ["The ferry will sail on Sunday, but the cafe will not open."]
    assert cite.mismatches("The ferry will not sail on Sunday.", evidence) == ["not"]


def test_a_not_in_a_clause_the_brief_does_not_restate_is_no_mismatch():
    # validation cluster 140: "... to force a shutdown if his demands were not met" against
    # "Trump met with Schumer ...": the brief uses "met" in another clause; it was replaced
    evidence = ["Trump met Schumer on Tuesday and threatened a shutdown if his demands were not met."]
    assert cite.mismatches("Trump met Schumer on Tuesday and threatened a shutdown.", evidence) == []
    # the clause restated without its "not" is still caught, subject renamed or not
    assert cite.mismatches("Trump threatened a shutdown if his demands were met.", evidence) == ["not"]
    assert "not" in cite.mismatches("Acme disclosed the price.", ["The company did not disclose the price."])
    assert cite.mismatches("He has been charged.", ["He has not been charged."]) == ["not"]
    # the clause's other words reworded, its auxiliary kept (a perturbation of validation 225)
    kissed = ["He claimed that he did not kiss the victim and that they were walking home."]
    assert cite.mismatches("He said that he did kiss the woman.", kissed) == ["not"]
    # train cluster 50: "has never been more tenuous" is no negation: "remains tenuous" agrees
    never_more = ["Access to the clinic has never been more tenuous."]
    assert cite.mismatches("Access to the clinic remains tenuous.", never_more) == []


def test_a_second_not_lost_is_a_mismatch():
    # validation 17: "she didn't notice that the elevator car wasn't there" published as "...
    # that the elevator car was there"
    evidence = ["Ana Ruiz told police she didn't notice that the ferry wasn't there when the gate opened."]
    lost = "Ana Ruiz said she didn't notice that the ferry was there when the gate opened."
    assert cite.mismatches(lost, evidence) == ["not"]
    kept = "Ana Ruiz said she didn't notice that the ferry wasn't there when the gate opened."
    assert cite.mismatches(kept, evidence) == []
    # the second "not" in other words
    missing = "Ana Ruiz said she didn't notice the ferry was missing when the gate opened."
    assert cite.mismatches(missing, evidence) == []


def test_a_not_of_need_restated_as_a_not_of_the_deed_is_a_mismatch():
    # validation 255: "Restaurant-goers do not need to be concerned" published as "are not concerned"
    evidence = ["Diners at the Larkfield cafe do not need to be concerned about the outbreak, officials said."]
    lost = "Diners at the Larkfield cafe are not concerned about the outbreak, officials said."
    assert cite.mismatches(lost, evidence) == ["not"]
    for kept in (
        "Diners at the Larkfield cafe do not need to be concerned about the outbreak, officials said.",
        "Officials said diners at the Larkfield cafe need not be concerned about the outbreak.",
        "Officials said there is no need for diners at the Larkfield cafe to be concerned.",
    ):
        assert cite.mismatches(kept, evidence) == [], kept
    # "does not have to pay" is no "did not pay"; where the report says both, it agrees
    assert cite.mismatches("Ruiz did not pay the fine.", ["Ruiz does not have to pay the fine."]) == ["not"]
    both = ["Ruiz did not pay the fine and does not have to pay the fees."]
    assert cite.mismatches("Ruiz did not pay the fine.", both) == []


def test_a_pronoun_of_the_other_sex_is_a_mismatch():
    # validation 28: "Michelle Obama ... when he met Khloe"; validation 9: "his tiny chest"
    evidence = ["Ana Ruiz said she met the crew of the ferry in May, when she visited Larkfield."]
    assert cite.mismatches("Ana Ruiz met the crew of the ferry when he visited Larkfield.", evidence) == ["he"]
    assert cite.mismatches("Ana Ruiz met the crew of the ferry when she visited Larkfield.", evidence) == []
    # evidence with no pronoun, or with both, tells nothing
    named = ["Ana Ruiz met the crew of the ferry in May in Larkfield."]
    assert cite.mismatches("Ana Ruiz met the crew of the ferry when he visited Larkfield.", named) == []
    both = ["Ana Ruiz said her brother met the crew of the ferry when he visited Larkfield."]
    assert cite.mismatches("Ana Ruiz's brother met the crew of the ferry when he visited Larkfield.", both) == []


def test_a_country_and_its_people_and_a_dozen_are_the_same_facts():
    # validation cluster 140: "a French attack ... more than 12 wounded" written from "an attack
    # in France ... more than a dozen wounded" was replaced as missing "12" and "french"
    evidence = ["Three people died and more than a dozen were wounded in an attack in France."]
    assert cite.mismatches("A French attack left three dead and more than 12 wounded.", evidence) == []
    assert cite.mismatches("The Italian coast guard said so.", ["The coast guard of Italy said so."]) == []
    # another country or number is still caught
    wrong = cite.mismatches("A German attack left three dead and more than 14 wounded.", evidence)
    assert "german" in wrong and "14" in wrong, wrong
    assert "italy" in cite.mismatches("Italy sent a ship.", ["The French coast guard sent a ship."])
    # and a name that is neither, beside evidence with a number in it
    assert "oslo" in cite.mismatches("Oslo sent 2 ships.", ["The French coast guard sent 2 ships."])


def test_a_name_said_twice_where_no_report_does_is_a_garbled_sentence():
    # validation cluster 192: "... and Anand Piramal, 33, will marry Anand Piramal" was published
    evidence = ["Isha Ambani, the daughter of Mukesh Ambani, will marry Anand Piramal, 33, in Mumbai."]
    garbled = "Isha Ambani and Anand Piramal, 33, will marry Anand Piramal in Mumbai."
    assert "twice: Anand Piramal" in cite.mismatches(garbled, evidence)
    assert cite.mismatches("Isha Ambani will marry Anand Piramal, 33, in Mumbai.", evidence) == []
    # a speaker said twice: validation cluster 189
    said = ["The suspect pulled a gun out of his backpack, Chief Mitch Celaya said."]
    garbled = 'Celaya said the suspect "pulled a gun out of his backpack," Celaya said.'
    assert "twice: Celaya said" in cite.mismatches(garbled, said)
    assert cite.mismatches("Celaya said the suspect pulled a gun out of his backpack.", said) == []
    # a report that says it twice: as the report has it
    twice = ["Larkfield Town beat Larkfield Town reserves 2-0 in a friendly."]
    assert cite.mismatches("Larkfield Town beat Larkfield Town reserves 2-0.", twice) == []


def test_a_name_given_a_deed_that_its_evidence_tells_of_someone_else_is_a_mismatch():
    # validation cluster 185: "The Tasmanian Aboriginal Centre poured concrete to fuse the
    # chamber ..." merged "concrete will be poured to fuse the chamber" with the Centre's flags
    evidence = [
        "Parr will emerge on Sunday, and concrete will be poured to fuse the chamber.",
        "The Tasmanian Aboriginal Centre held up Aboriginal flags during the performance.",
    ]
    wrong = "The Tasmanian Aboriginal Centre poured concrete to fuse the chamber."
    assert "tasmanian aboriginal centre poured" in cite.mismatches(wrong, evidence)
    right = "The Tasmanian Aboriginal Centre held up flags during the performance."
    assert cite.mismatches(right, evidence) == []
    # the deed told of someone the sentence points back to ("He resigned"): left alone
    mayor = ["Ana Ruiz, 45, was the mayor of Larkfield.", "She resigned on Monday."]
    assert cite.mismatches("Ana Ruiz resigned on Monday.", mayor) == []
    # a second deed of the same name after "but"/"and" (validation 39: "Jewell noted the film
    # was brilliantly cast, but criticized the racial stereotypes", where the criticism was
    # not his)
    critic = [
        "Baird noted the tram line was well built.",
        "Despite criticism of the fares, the tram line keeps its riders.",
    ]
    wrong = "Baird noted the tram line was well built, but criticized the fares."
    assert "baird criticized" in cite.mismatches(wrong, critic)
    assert cite.mismatches("Baird noted the tram line was well built.", critic) == []
    both = [*critic, "Baird criticized the fares."]
    assert cite.mismatches(wrong, both) == []
    # a pronoun before the report's verb may be the name (validation 245: "Gradually he learned
    # to follow instructions and accumulated experience ..."), and an adverb is no verb
    crew = ["Tom Baird, 40, joined the crew in May.", "Gradually he learned the routes and earned a licence."]
    assert cite.mismatches("Tom Baird gradually learned the routes and earned a licence.", crew) == []
    # not where the sentence names who the pronoun is (validation 155: "Luu said, he feels
    # stronger", published as another man's feeling)
    said = ["Tom Baird, 40, joined the crew in May.", "Ana Ruiz said, he earned a licence."]
    assert "tom baird earned" in cite.mismatches("Tom Baird earned a licence.", said)


def test_a_weekday_counts_only_against_another_day():
    assert cite.mismatches("The ferry sailed on Monday.", ["The ferry sailed on Sunday."]) == ["monday"]
    assert cite.mismatches("The ferry sailed on Monday.", ["The ferry sailed."]) == []
    assert cite.mismatches("The ferry sailed on Monday.", ["On Monday the ferry sailed."]) == []
    # reports of one event name the day it happened and the day it was announced
    both = ["The ferry sailed on Monday, the company said on Wednesday."]
    assert cite.mismatches("The ferry sailed on Monday.", both) == []


def test_swapped_names_are_a_mismatch():
    evidence = ["Ortega defeated Lindqvist in the final on Sunday."]
    assert cite.mismatches("Ortega defeated Lindqvist in the final.", evidence) == []
    assert cite.mismatches("Lindqvist defeated Ortega in the final.", evidence) == [
        "lindqvist defeated",
        "defeated ortega",
    ]


def test_a_name_from_elsewhere_in_the_story_in_another_role_is_a_mismatch():
    evidence = [
        "The Harbour Guild claimed the new berths for its own fleet.",
        "Mayor Brandt welcomed the decision.",
    ]
    assert cite.mismatches("The Harbour Guild claimed the new berths.", evidence) == []
    # Brandt is in the evidence, so no term is missing: only the role gives it away
    assert cite.missing_terms("Brandt claimed the new berths.", evidence) == []
    assert cite.mismatches("Brandt claimed the new berths.", evidence) == ["brandt claimed"]


def test_a_name_governed_by_a_preposition_has_no_role_of_its_own():
    # validation 27: "the Ummah Fitness Centre in London said ..." was refused as "London said"
    evidence = ["The Harbour Guild said its staff would help the police.", "Mayor Brandt spoke in Tarnholm."]
    assert cite.mismatches("The Harbour Guild in Tarnholm said its staff would help the police.", evidence) == []
    # the name itself as the speaker still is another's role
    assert cite.mismatches("Tarnholm said its staff would help the police.", evidence) == ["tarnholm said"]
    # a possessive after a preposition is the name's own: "at Ana Ruiz's clinic" (the checker's
    # labelled swap "Defense lawyer Gosnell ... at Jack McMahon's clinic")
    swapped = "Lawyer Tom Baird argued there was no evidence at Ana Ruiz's clinic."
    assert "ana ruiz clinic" in cite.mismatches(
        swapped, ["Lawyer Ana Ruiz argued there was no evidence at Tom Baird's clinic."]
    )


def test_two_words_of_one_name_are_the_same_one():
    evidence = ["Critics said Nadia Osei ignored the warnings.", "Nadia ignored the warnings, critics said."]
    assert cite.mismatches("Osei ignored the warnings, critics said.", evidence[1:] + evidence[:1]) == []
    # but another person in that place is not
    assert cite.mismatches("Brandt ignored the warnings.", [*evidence, "Brandt spoke later."]) == [
        "brandt ignored"
    ]


def test_support_catches_a_misattribution_with_every_term_present(embedder):
    sources = [
        Sentence(1, 0, "The Kestrel Front claimed responsibility for Sunday's attack on the convoy near Kandar, a spokesman said."),
        Sentence(1, 1, "Valdoria, which borders the region, asked both sides for calm."),
        Sentence(2, 0, "The Kestrel Front said it carried out the convoy attack near Kandar."),
    ]
    vectors = embedder.embed([s.text for s in sources])

    def check(text):
        vec = embedder.embed([text])[0]
        return cite.support(vec, text, sources, vectors, min_similarity=0.62, support_similarity=0.55)

    assert check("The Kestrel Front claimed responsibility for the convoy attack near Kandar.").supported
    # Valdoria is named in the evidence, so no key term is missing; its place is not its own
    s = check("Valdoria claimed responsibility for Sunday's attack on the convoy near Kandar, a spokesman said.")
    assert not s.supported
    assert s.missing == ("valdoria claimed",)


def test_a_merged_sentence_cites_only_the_sources_that_hold_its_terms(embedder):
    sources = [
        Sentence(1, 0, "Mayor Ana Ruiz opened the new bridge over the Lind river on Monday."),
        Sentence(2, 0, "The new bridge over the river cost 40 million dollars to build."),
        Sentence(3, 0, "The new bridge over the river was opened by the mayor this week."),
    ]
    vectors = embedder.embed([s.text for s in sources])
    text = "Mayor Ana Ruiz opened the new bridge over the river, which cost 40 million dollars."
    s = cite.support(
        embedder.embed([text])[0], text, sources, vectors, min_similarity=0.62, support_similarity=0.55
    )
    assert s.supported
    assert s.citations == (1, 2)  # source 3 is near, but says neither the name nor the cost


def test_a_possessive_weekday_is_a_weekday():
    evidence = ["Wednesday's vote was close, the clerk said."]
    assert cite.mismatches("Saturday's vote was close.", evidence) == ["saturday"]
    assert cite.mismatches("Wednesday's vote was close.", evidence) == []


def test_a_clock_time_is_one_figure_however_it_is_written():
    assert cite.missing_terms("They reached the top at around 7:10pm.", ["They reached it at 7.10pm."]) == []
    assert cite.missing_terms("The first tram ran at 6:15 a.m. on Saturday.", ["The first tram left at 6.15am."]) == []
    # a different time is still a different figure
    assert cite.missing_terms("They met at 7:15 p.m.", ["They met at 7.10pm."]) == ["15"]
    # and a decimal that is not a time stays a decimal
    assert cite.missing_terms("Shares rose 7.10 percent.", ["Shares rose 7.1 percent."]) == ["7.10"]


def test_an_un_word_against_its_base_is_a_negation():
    # read in a validation brief: "aware" in the report became "unaware" in the brief
    evidence = ["The team said it was aware of the misspelling, but decided to hand them out."]
    assert cite.mismatches("The team said it was unaware of the misspelling.", evidence) == ["not"]
    assert cite.mismatches("The cause is known.", ["The cause is unknown, police said."]) == ["not"]
    # the same meaning in other words agrees
    assert cite.mismatches("The cause is unknown.", ["The cause was not known."]) == []
    assert cite.mismatches("The team was not aware of it.", ["The team was unaware of it."]) == []


def test_an_ordinal_is_a_figure():
    # read in a validation brief: "tie for fifth" became "rank fifth and sixth"
    evidence = ["Cross ranks third with $10 million and Huffman and Hatcher tie for fifth."]
    assert cite.missing_terms(
        "Cross, Huffman and Hatcher rank third, fifth and sixth.", evidence
    ) == ["6"]
    assert cite.missing_terms("The team finished 5th.", ["The team finished fifth."]) == []


def test_a_sentence_that_says_one_thing_twice_is_a_mismatch():
    # read on Multi-News train: a reworded sentence that lost its way and repeats itself
    evidence = [
        "The residents fault the building's foundations.",
        "The developer insists that the foundation is working as intended.",
    ]
    garbled = (
        "While the residents claim the foundation is working as intended, the developer "
        "insists that the foundation is working as intended."
    )
    assert cite.mismatches(garbled, evidence) == ["twice: the foundation is working as intended"]
    fine = "The residents fault the foundations, while the developer insists they work as intended."
    assert cite.mismatches(fine, evidence) == []
    # grammar said twice, and a quotation that repeats itself, are no fault
    assert cite.mismatches(
        "The mayor said that the plan was late and that the plan was costly.",
        ["The mayor said that the plan was late and that the plan was costly."],
    ) == []
    chant = 'The crowd chanted "ferry now, ferry now" at the mayor.'
    assert cite.mismatches(chant, [chant]) == []


def test_an_in_word_against_its_base_is_a_negation():
    # read on Multi-News train: "the most efficient murder operation" became "inefficient"
    evidence = ["The camp was the most efficient killing operation of the war, historians say."]
    flipped = "The camp was the most inefficient killing operation of the war, historians say."
    assert cite.mismatches(flipped, evidence) == ["not"]
    assert cite.mismatches("Parking there is illegal.", ["Parking there is legal."]) == ["not"]
    assert cite.mismatches("The plan is impossible.", ["The plan is possible."]) == ["not"]
    # words that only begin like one: no opposites
    assert cite.mismatches(
        "The council informed residents about the income tax.",
        ["The council formed a panel of residents to come to a view on the income tax."],
    ) == []
    assert cite.mismatches("The inmate was moved.", ["The inmate was moved, his mate said."]) == []


@pytest.mark.parametrize(
    "garbled, fault",
    [
        # read in validation briefs: the speaker lost from a quotation, and a clause with no
        # main clause, both supported by their words
        ('"Safety is our top priority at the ferry company," said on its website.', "no speaker: said"),
        ('"We will reopen the pier," added.', "no speaker: added"),
        ("While it would take years to compare the fares with the long-term trend.", "fragment: While"),
        ("Although the council approved the berths in May after a long debate.", "fragment: Although"),
    ],
)
def test_a_sentence_missing_its_speaker_or_main_clause_is_a_mismatch(garbled, fault):
    assert fault in cite.mismatches(garbled, [garbled])  # its own words support it all
    told = prompt.problem([fault])  # what the model is told when it is asked to mend it
    assert ("does not say who" in told) if fault.startswith("no speaker") else ("main clause" in told)


@pytest.mark.parametrize(
    "sentence",
    [
        '"Safety is our top priority," said Mayor Ana Ruiz on Monday.',
        '"Safety is our top priority," the company said on its website.',
        '"We will reopen the pier," she added.',
        "While the council approved the berths, the fleet wants more.",
        "Although rare, such storms close the port about once a decade.",
    ],
)
def test_whole_sentences_with_quotations_and_clauses_are_no_fault(sentence):
    assert cite.mismatches(sentence, [sentence]) == []


def test_a_span_of_time_that_lost_its_record_word_is_caught():
    # published as the lead of the sample drought brief: "Residents ... will be affected by
    # mandatory water restrictions in nine years." from "the region's first mandatory water
    # restrictions in nine years" (a record became a future date)
    from digest.claims import mismatches

    ev = ["The board ordered the region's first mandatory water restrictions in nine years."]
    assert "span: in nine years" in mismatches("The valley faces water restrictions in nine years.", ev)
    assert mismatches("The valley faces its first water restrictions in nine years.", ev) == []
    low = ["Levels at the reservoir are the lowest in a decade, officials said."]
    assert "span: in a decade" in mismatches("Reservoir levels have fallen in a decade.", low)
    assert mismatches("Reservoir levels are the lowest in a decade.", low) == []
    # a span that was never a record's is no concern
    plan = ["The company plans to double its output in five years."]
    assert mismatches("The company will double its output in five years.", plan) == []


def test_a_word_in_a_script_the_reports_do_not_use_is_a_slip():
    # validation cluster 143: the model wrote "value the company more like a technology公司"
    from digest.claims import mismatches
    from digest.prompt import problem
    from digest.wording import foreign_script

    evidence = ["It makes sense to value Tesla more like a technology company, Levy said."]
    text = "It makes sense to value Tesla more like a technology公司, Levy said."
    assert mismatches(text, evidence) == ["script: 公司"]
    assert "'公司' is in another language" in problem(["script: 公司"])
    # a name the reports give in its own script is theirs
    both = ["Xi Jinping (习近平) spoke in Beijing on Monday."]
    assert mismatches("Xi Jinping (习近平) spoke in Beijing.", both) == []
    # a brief written in the reports' own script words things its own way
    russian = ["Паром сел на мель у острова во вторник."]
    assert foreign_script("Во вторник паром сел на мель.", russian) == []
    assert foreign_script("Паром сел на мель, 公司 said.", russian) == ["script: 公司"]


# a source sentence published in a brief of another language -------------------------------
ABROAD = [
    Sentence(1, 0, "Harbour master Tomas Ibanez said the damage was estimated at 3.5 million euros."),
    Sentence(2, 0, "Selon le capitaine du port, Tomás Ibáñez, les dégâts sont estimés à 3,5 millions d'euros."),
    Sentence(3, 0, "Hafenmeister Tomás Ibáñez schätzte den Schaden auf 3,5 Millionen Euro."),
    Sentence(3, 1, "Die Fähre lief am Dienstag vor Tarnholm auf Grund."),
]
# hand-set: the first three state one fact; the last is another
SIMS = np.array(
    [[1.0, 0.92, 0.9, 0.3], [0.92, 1.0, 0.91, 0.3], [0.9, 0.91, 1.0, 0.3], [0.3, 0.3, 0.3, 1.0]]
)


def hand_vectors(sims: np.ndarray) -> np.ndarray:
    """Unit vectors whose dot products are `sims` (a positive definite matrix)."""
    return np.linalg.cholesky(sims).astype(np.float32)


def test_an_english_brief_falls_back_on_the_english_report_not_the_french_one():
    vectors = hand_vectors(SIMS)
    languages = {1: "en", 2: "fr", 3: "de"}
    fit = lambda j: True  # noqa: E731
    assert cite.in_language(1, ABROAD, vectors, languages, "en", fit, 0.7) == 0
    assert cite.in_language(2, ABROAD, vectors, languages, "en", fit, 0.7) == 0
    # no English report states the German one's other fact: it stays as it is
    assert cite.in_language(3, ABROAD, vectors, languages, "en", fit, 0.7) == 3
    # a French brief keeps the French report's words; an unfit English sentence is not taken
    assert cite.in_language(1, ABROAD, vectors, languages, "fr", fit, 0.7) == 1
    assert cite.in_language(2, ABROAD, vectors, languages, "en", lambda j: j != 0, 0.7) == 2
    # a report of unknown language is published as it is
    assert cite.in_language(1, ABROAD, vectors, {1: "en", 2: None}, "en", fit, 0.7) == 1


def test_a_common_word_opening_a_sentence_does_not_keep_other_reports_from_its_citations():
    vectors = hand_vectors(SIMS)
    # "Harbour" opens the sentence and no report writes it inside one: no name
    assert cite.source_sentence_citations(0, ABROAD, vectors, 0.7) == (1, 2, 3)
    published = cite.source_sentence(0, ABROAD, vectors, 0.7)
    assert published.citations == (1, 2, 3)
    assert [e.n for e in published.evidence] == [1, 2, 3]
    # where a report writes it inside a sentence, it may be a name, and is required
    named = [*ABROAD, Sentence(1, 1, "The ferry's owner, Harbour, has not commented.")]
    sims = np.pad(SIMS, ((0, 1), (0, 1)))
    sims[4, 4], sims[4, :4], sims[:4, 4] = 1.0, 0.1, 0.1
    assert cite.source_sentence_citations(0, named, hand_vectors(sims), 0.7) == (1,)
    # a name opening the sentence before another name is a name ("Tomas Ibanez said")
    other = [Sentence(1, 0, "Tomas Ibanez said 3.5 million."), Sentence(2, 0, "Orlov said 3.5 million.")]
    two = hand_vectors(np.array([[1.0, 0.9], [0.9, 1.0]]))
    assert cite.source_sentence_citations(0, other, two, 0.7) == (1,)


VOLCANO = [
    Sentence(
        1,
        0,
        "Geologists said a local heat source is required to drive dehydration of the serpentine "
        "rocks, and this could be caused by the advection of heat associated with the arrival of "
        "mantle melts near the boundary beneath the volcano.",
    ),
    Sentence(1, 1, "The team placed 2,500 seismometers around the mountain in the summer."),
    Sentence(2, 0, "Scientists mapped the rocks under the volcano with sound waves from explosions."),
]


def test_a_sentence_cut_down_from_one_report_sentence_is_supported(embedder):
    # read in validation briefs: "A local heat source is required for dehydration." was far
    # from its long source sentence in meaning space and was replaced by the source's words
    vectors = embedder.embed([s.text for s in VOLCANO])

    def support(text):
        vec = embedder.embed([text])[0]
        return cite.support_in(
            vec, text, VOLCANO, vectors, [], min_similarity=0.62, support_similarity=0.55
        )

    cut = support("A local heat source is required for dehydration.")
    assert cut.supported and cut.citations == (1,) and cut.evidence == (0,)
    # the same words in another order say something else; a "not" the report lacks
    assert not support("Dehydration is required for a local heat source.").supported
    assert not support("A heat source is not required for dehydration.").supported


def test_compressed_from_needs_every_content_word_in_order():
    sources = [s.text for s in VOLCANO]
    assert cite.compressed_from("A heat source is required to drive dehydration.", sources) == 0
    assert cite.compressed_from("The team placed seismometers around the mountain.", sources) == 1
    # a word no report has, or the words out of order
    assert cite.compressed_from("A heat source is required to stop dehydration.", sources) is None
    assert cite.compressed_from("The mountain placed seismometers around the team.", sources) is None
    # too few content words to tell
    assert cite.compressed_from("The team placed seismometers.", sources) is None


LIFT = [
    Sentence(
        1,
        0,
        "When the gates opened at dawn, the ferry captain stepped onto the pier and both he and "
        "his elderly spaniel slid across the ice into the frozen harbour, where divers from the "
        "coastguard station found them an hour later, officials in Tarnholm said on Monday.",
    ),
    Sentence(
        2,
        0,
        "Relatives say the old harbour had been neglected for a decade, that its lights were "
        "often broken and that on the icy morning the captain and his spaniel fell there was no "
        "gangway waiting.",
    ),
    Sentence(2, 1, "The harbour master ordered new railings for the whole quay on Friday."),
]


def test_fused_from_joins_two_clauses_each_cut_from_one_report_sentence():
    sources = [s.text for s in LIFT]
    text = "When the gates opened, the ferry captain stepped onto the pier, but there was no gangway waiting."
    assert cite.fused_from(text, sources) == (0, 1)
    # a word no report has in either clause, or a clause from no sentence
    assert cite.fused_from(text.replace("gangway", "ladder"), sources) is None
    assert cite.fused_from(
        "The ferry captain stepped onto the pier, and the harbour master resigned.", sources
    ) is None
    # no break between clauses: a subject from one sentence, its object from another
    assert cite.fused_from("The ferry captain ordered new railings for the whole quay.", sources) is None
    # one sentence alone is compressed_from's case, not a fusion
    assert cite.fused_from("The gates opened, and the captain stepped onto the pier.", sources) is None


def test_a_sentence_joining_two_report_sentences_is_supported_and_cites_both(embedder, monkeypatch):
    # validation 17: "When the doors opened, the woman stepped forward, but there was no lift
    # waiting." joined two reports' sentences, was far from each and was replaced
    vectors = embedder.embed([s.text for s in LIFT])

    def support(text):
        vec = embedder.embed([text])[0]
        return cite.support_in(
            vec, text, LIFT, vectors, [], min_similarity=0.62, support_similarity=0.55
        )

    fused = support(
        "When the gates opened, the ferry captain stepped onto the pier, "
        "but there was no gangway waiting."
    )
    assert fused.supported and fused.citations == (1, 2)
    assert sorted(fused.evidence) == [0, 1]
    # two sentences far apart in meaning are two facts, not one to join (cite.JOIN_FLOOR)
    monkeypatch.setattr(cite, "JOIN_FLOOR", float(vectors[0] @ vectors[1]) + 0.01)
    assert not support(
        "When the gates opened, the ferry captain stepped onto the pier, "
        "but there was no gangway waiting."
    ).supported
    monkeypatch.undo()
    # the same clauses with a figure neither report gives
    assert not support(
        "When the gates opened, the ferry captain stepped onto the pier, "
        "but there was no gangway waiting for 40 minutes."
    ).supported


def test_a_sentence_joining_two_far_apart_facts_is_caught(embedder):
    # validation 30: "While the basic outline of Scott's final moments is clear, Scott Free has
    # its production deal at Fox, ..." joined a clause of each of two unrelated sentences
    story = [
        Sentence(1, 0, "While the outline of the captain's last voyage is clear, the reasons "
                 "behind his decision remain a mystery."),
        Sentence(1, 1, "Harbour Films has its production deal at Nordvik Studios, which hired "
                 "writer Ola Brandt to rewrite the script."),
        *LIFT,
    ]
    vectors = embedder.embed([x.text for x in story])
    assert float(vectors[0] @ vectors[1]) < cite.JOIN_FLOOR
    wrong = (
        "While the outline of the captain's last voyage is clear, Harbour Films has its "
        "production deal at Nordvik Studios."
    )
    assert cite.joined(wrong, story, vectors) == ["joined: Harbour Films has its"]
    assert "say only the first" in prompt.problem(cite.joined(wrong, story, vectors))
    # each clause alone, and two wordings of one moment joined (validation 17), are not
    assert cite.joined(story[1].text, story, vectors) == []
    assert float(vectors[2] @ vectors[3]) >= cite.JOIN_FLOOR
    moment = "When the gates opened, the ferry captain stepped onto the pier, but there was no gangway waiting."
    assert cite.joined(moment, story, vectors) == []
    # a phrase hung on the first clause from another sentence is detail, not a second fact
    # (validation 59: "..., had two of the boy's children, born in June 2013 and January 2015.")
    detail = (
        "While the outline of the captain's last voyage is clear, hired by Nordvik Studios "
        "Harbour Films production deal."
    )
    assert cite.joined(detail, story, vectors) == []


def test_a_number_keeps_its_unit():
    # read in a validation brief: "at an altitude of 19,356 meters (5,900 feet)" where the
    # report said "19,356 feet (5,900 m)"
    from digest.claims import mismatches
    from digest.units import unit_mismatch

    report = ["The climbers found the tent at an altitude of 6,350 feet (1,935 m) on Monday."]
    swapped = "The tent was found at an altitude of 6,350 meters (1,935 feet)."
    assert unit_mismatch(swapped, report) == ["unit: 6350 meters", "unit: 1935 feet"]
    assert "unit: 6350 meters" in mismatches(swapped, report)
    assert unit_mismatch("The tent was at 6,350 ft (1,935 metres).", report) == []
    # a number the report gives bare, or a unit the report never ties to that number
    assert unit_mismatch("The tent weighed 40 pounds.", ["The tent weighed 40."]) == []
    assert unit_mismatch("The team walked 12 miles.", ["They walked for 12 hours."]) == []
    assert unit_mismatch("The wall is 12 feet high.", ["The 12-foot wall fell."]) == []
    assert "6350 meters" in prompt.problem(["unit: 6350 meters"])


def test_a_sentence_rests_on_every_near_sentence_not_only_the_one_shown_per_report(embedder):
    # the evidence a reader sees keeps one sentence per report (two where the second adds a
    # name or number); what a sentence may say is all it was checked against (validation 69,
    # 75, 159: right sentences were refused as "unsaid" against the one shown)
    fever = [
        Sentence(
            1,
            0,
            "Jo Rogers, 40, of Shawnee, Oklahoma, is in intensive care with "
            "Rocky Mountain spotted fever.",
        ),
        Sentence(
            1,
            1,
            "Doctors say she caught the fever from a tick bite she never noticed on "
            "a family vacation.",
        ),
        Sentence(2, 0, "Rocky Mountain spotted fever is spread by the bite of an infected tick."),
    ]
    text = "Doctors say Jo Rogers caught the fever from a tick bite she never noticed on a family vacation."
    vectors = embedder.embed([s.text for s in fever])
    s = cite.support_in(
        embedder.embed([text])[0],
        text,
        fever,
        vectors,
        [0, 1, 2],
        min_similarity=0.62,
        support_similarity=0.55,
    )
    assert s.supported and s.citations == (1,)
    assert s.evidence == (1,)  # the report's second sentence adds no name: shown alone
    assert s.rests == (1, 0)  # both of its near sentences, most similar first
    assert 2 not in s.rests  # the other report's sentence is not near enough


def test_a_figure_from_a_far_sentence_of_another_fact_is_not_support(embedder):
    # validation 5: "30 Rock has been syndicated on Fox and Comedy Central since 2004", where
    # 2004 is the year another show began; a figure of a near neighbouring fact still joins
    shows = [
        Sentence(1, 0, "Harbour Nights is now in syndication on Channel 4 and Dunmore TV."),
        Sentence(1, 1, "Harbour Nights returns later this year for a last season."),
        Sentence(1, 2, "When Larkfield Lives hit the air in 2004, it made the Coast network the hottest overnight."),
        Sentence(2, 0, "The syndication deal is worth $12 million a year to the studio."),
        Sentence(2, 1, "The show's ratings fell by a third last season."),
    ]
    vectors = embedder.embed([s.text for s in shows])

    def support(text):
        vec = embedder.embed([text])[0]
        return cite.support_in(vec, text, shows, vectors, [0], min_similarity=0.62, support_similarity=0.55)

    moved = support("Harbour Nights has been in syndication on Channel 4 and Dunmore TV since 2004.")
    assert not moved.supported and moved.missing == ("2004",)
    joined = support("Harbour Nights is now in syndication on Channel 4 and Dunmore TV, a $12 million deal.")
    assert joined.supported and joined.citations == (1, 2)


def test_an_acronym_spelt_out_as_no_report_spells_it_is_a_mismatch():
    # validation 29: "the SCN (sleep-related nucleus)", "NIF (night-time integration)", where
    # the report has the suprachiasmatic nucleus and non-image forming responses
    from digest.wording import spelt_out

    evidence = [
        "If integration in the SCN is required for the phase shift, NIF responses are not affected.",
        "The suprachiasmatic nucleus (SCN) sets the body's clock, the Larkfield team said.",
    ]
    text = "If integration in the SCN (sleep-related nucleus) is required, NIF (night-time integration) responses are not affected."
    assert spelt_out(text, evidence) == ["unsaid: SCN (sleep-related nucleus)", "unsaid: NIF (night-time integration)"]
    assert spelt_out("The SCN (suprachiasmatic nucleus) sets the body's clock.", evidence) == []
    assert spelt_out("The suprachiasmatic nucleus (SCN) sets the clock.", evidence) == []
    assert spelt_out("The sleep nucleus (SCN) sets the clock.", evidence) == ["unsaid: sleep nucleus scn"]
    assert "unsaid: SCN (sleep-related nucleus)" in cite.mismatches(text, evidence)
