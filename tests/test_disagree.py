from digest import disagree
from digest.embed import SentenceTransformerEmbedder
from digest.records import Sentence

S = [
    Sentence(1, 0, 'The mayor welcomed the tram line, calling it a "bold step" for the city.'),
    Sentence(2, 0, 'The mayor welcomed the new tram line and called it a "brave step" for the city.'),
    Sentence(3, 0, "About 18,000 riders used the tram line on its first day, the operator said."),
    Sentence(4, 0, "The operator said 21,500 riders took the tram on the first day."),
    Sentence(5, 0, "Heavy rain flooded the old market square on Friday."),
]


def test_different_quotes_and_numbers_for_one_fact_are_reported_with_both_sides():
    v = SentenceTransformerEmbedder().embed([s.text for s in S])
    [quote] = disagree.find(0, S, v)
    assert quote.kind == "quote"
    assert quote.sides == (("bold step", (1,)), ("brave step", (2,)))
    sentence = quote.sentence()
    assert sentence.text == 'Reports differ on the words quoted: “bold step” (source 1), “brave step” (source 2).'
    assert sentence.citations == (1, 2)

    [number] = disagree.find(2, S, v)
    assert number.kind == "number" and number.unit == "people"  # riders are people
    assert number.sentence().text == (
        "Reports differ on the number of people: 18,000 (source 3), 21,500 (source 4)."
    )
    assert disagree.find(4, S, v) == []  # a fact only one source reports cannot disagree


def test_agreeing_sources_are_not_a_disagreement():
    same = [
        Sentence(1, 0, 'The mayor called the tram line "a bold step" for the city.'),
        Sentence(2, 0, 'Calling it a "bold step", the mayor welcomed the tram line.'),
        Sentence(3, 0, "The tram carried 18,000 riders on its first day."),
        Sentence(4, 0, "On its first day, 18,000 riders took the tram."),
    ]
    v = SentenceTransformerEmbedder().embed([s.text for s in same])
    assert disagree.find(0, same, v) == []
    assert disagree.find(2, same, v) == []


def test_counts_of_the_same_people_under_different_words_disagree():
    s = [
        Sentence(1, 0, "The transit authority said roughly 18,000 people used the line on opening day."),
        Sentence(2, 0, "The operator said 21,500 passengers used the new line on its opening day."),
    ]
    v = SentenceTransformerEmbedder().embed([x.text for x in s])
    [d] = disagree.find(0, s, v)
    assert d.sentence().text == (
        "Reports differ on the number of people: 18,000 (source 1), 21,500 (source 2)."
    )


def test_different_quotes_of_one_event_are_not_wordings_of_one_quote():
    # Seen on Multi-News: two reports quote different remarks of the same speaker; that is not
    # a disagreement (the phrases share no content word).
    s = [
        Sentence(1, 0, 'The speaker said the vote was "a historic thing" for the assembly.'),
        Sentence(2, 0, 'The speaker said the vote had "changed the field of the assembly".'),
    ]
    v = SentenceTransformerEmbedder().embed([x.text for x in s])
    assert disagree.find(0, s, v) == []


def test_a_report_giving_both_versions_is_not_a_disagreement():
    # Seen on Multi-News: "2.4 hours (sources 1, 2), 2.5 hours (source 2)" - report 2 states
    # both figures, so they measure two things; nobody contradicts anybody.
    s = [
        Sentence(1, 0, "Americans spent 2.4 hours a day watching television last year, the survey found."),
        Sentence(2, 0, "The survey found Americans spent 2.4 hours a day watching television, up from 2.5 hours earlier."),
    ]
    v = SentenceTransformerEmbedder().embed([x.text for x in s])
    assert [d for d in disagree.find(0, s, v) if d.kind == "number"] == []
    # and the same figures from two separate reports do disagree
    s2 = [s[0], Sentence(2, 0, "The survey found Americans spent 2.5 hours a day watching television last year.")]
    v2 = SentenceTransformerEmbedder().embed([x.text for x in s2])
    [d] = disagree.find(0, s2, v2)
    assert d.sides == (("2.4", (1,)), ("2.5", (2,)))


def test_three_wordings_of_one_quote_from_three_reports():
    s = [
        Sentence(1, 0, 'The minister called the agreement "a bold step" toward peace.'),
        Sentence(2, 0, 'The minister called the agreement "a brave step" toward peace.'),
        Sentence(3, 0, 'The minister described the agreement as "a courageous step" toward peace.'),
    ]
    v = SentenceTransformerEmbedder().embed([x.text for x in s])
    [d] = disagree.find(0, s, v)
    assert [value for value, _ in d.sides] == ["a bold step", "a brave step", "a courageous step"]


def test_a_converted_and_rounded_figure_is_no_disagreement():
    # read in a validation brief: "5,900 meters (19,350 feet)" / "19,356 feet (5,900 m)" was
    # published as "Reports differ on the number of feets"
    s = [
        Sentence(1, 0, "They saw the bodies on a glacier at a height of 19,350 feet."),
        Sentence(2, 0, "They found the bodies on the glacier at an altitude of 19,356 feet."),
    ]
    v = SentenceTransformerEmbedder().embed([x.text for x in s])
    assert disagree.find(0, s, v) == []
    s2 = [s[0], Sentence(2, 0, "They found the bodies on the glacier at an altitude of 21,000 feet.")]
    v2 = SentenceTransformerEmbedder().embed([x.text for x in s2])
    (d,) = disagree.find(0, s2, v2)
    assert d.sentence().text.startswith("Reports differ on the number of feet:")


def test_a_brief_that_already_gives_one_figure_is_told_only_the_other():
    # Seen in `make run`: "Reports differ on the number of people: 18,000 (source 2), 21,500
    # (source 3)." then "... roughly 18,000 people used the line": 18,000 stated twice.
    from digest.records import BriefSentence

    v = SentenceTransformerEmbedder().embed([s.text for s in S])
    [number] = disagree.find(2, S, v)
    assert number.stated_in("Roughly 18,000 riders took the tram on day one.") == {"18000"}
    assert number.stated_in("The tram line opened on Saturday.") == frozenset()
    other = number.sentence(frozenset({"18000"}))
    assert other.text == "Another report gives 21,500 (source 4) for the number of people."
    assert other.citations == (4,)
    assert [e.n for e in other.evidence] == [4]

    opened = BriefSentence("The new tram line opened to riders on Saturday.", (3, 4), ())
    count = BriefSentence("About 18,000 riders used the tram on its first day.", (3,), ())
    rain = BriefSentence("Heavy rain flooded the old market square on Friday.", (5,), ())
    brief = [opened, rain, count]
    vecs = SentenceTransformerEmbedder().embed([x.text for x in brief])
    out = disagree.placed(brief, vecs, [2], S, v)
    # right after the sentence that gives 18,000, and only the other side
    assert [x.text for x in out] == [opened.text, rain.text, count.text, other.text]
    # a brief that gives no figure of it hears both sides, after the sentence nearest the fact
    out = disagree.placed([opened, rain], vecs[:2], [2], S, v)
    assert [x.text for x in out] == [
        opened.text,
        "Reports differ on the number of people: 18,000 (source 3), 21,500 (source 4).",
        rain.text,
    ]


def test_figures_far_apart_measure_different_things():
    # read in a validation brief: "a dinosaur that stretched 80 feet long" and "the foot is
    # 3.2 feet wide" were told as two reports' versions of one number of feet
    s = [
        Sentence(1, 0, "The fossil foot came from a dinosaur that stretched 80 feet long, the team said."),
        Sentence(2, 0, "The team said the fossil foot is 3.2 feet wide, from a dinosaur of record size."),
    ]
    v = SentenceTransformerEmbedder().embed([x.text for x in s])
    assert [d for d in disagree.find(0, s, v) if d.kind == "number"] == []


def test_amounts_of_money_are_told_as_amounts():
    # "Another report gives 3 (source 2) for the number of millions." was published (train)
    s = [
        Sentence(1, 0, "The letter shows the firm paid $3.5 million to two harbour officials."),
        Sentence(2, 0, "The letter shows the firm paid $3 million to two harbour officials."),
    ]
    v = SentenceTransformerEmbedder().embed([x.text for x in s])
    [d] = disagree.find(0, s, v)
    assert d.sentence().text == (
        "Reports differ on the amount: $3.5 million (source 1), $3 million (source 2)."
    )
    assert d.sentence(frozenset({"3.5"})).text == "Another report gives $3 million (source 2) for the amount."


def test_a_report_giving_both_figures_elsewhere_in_the_story_is_not_a_disagreement():
    # report 2 gives $3 million to one official and, in another sentence, $3.5 million in all
    s = [
        Sentence(1, 0, "The letter shows the firm paid $3.5 million to two harbour officials."),
        Sentence(2, 0, "The letter shows the firm paid $3 million to two harbour officials."),
        Sentence(2, 5, "In all, $3.5 million changed hands over two years."),
    ]
    v = SentenceTransformerEmbedder().embed([x.text for x in s])
    assert [d for d in disagree.find(0, s, v) if d.kind == "number"] == []


def test_a_figure_in_a_sentence_that_leans_on_the_one_before_is_no_side():
    # validation 19: "That was a continuation of a fall from Friday, which saw the Dow close down
    # just under 666 points" is Friday's fall; Monday's was 1,175 points: no disagreement
    s = [
        Sentence(1, 0, "That was a continuation of a fall from Friday, which saw the harbour index close down 666 points."),
        Sentence(2, 0, "After a volatile session, the harbour index ended down 1,175 points on Monday."),
    ]
    v = SentenceTransformerEmbedder().embed([x.text for x in s])
    assert disagree.find(1, s, v) == []
    # the same figures in sentences that stand alone do disagree
    alone = [Sentence(1, 0, "On Monday the harbour index closed down 666 points."), s[1]]
    [d] = disagree.find(1, alone, SentenceTransformerEmbedder().embed([x.text for x in alone]))
    assert d.kind == "number"


def test_names_of_shows_in_quotation_marks_are_no_quotations():
    # validation 32: "Reports differ on the words quoted: “good morning america” (source 3), “cbs
    # this morning” (source 4)": two shows that aired the video, not two wordings of a quote
    s = [
        Sentence(1, 0, 'The mayor showed the harbour video on "Good Morning Larkfield" on Monday.'),
        Sentence(2, 0, 'The mayor showed the harbour video on "Larkfield This Morning" on Monday.'),
    ]
    v = SentenceTransformerEmbedder().embed([x.text for x in s])
    assert disagree.find(0, s, v) == []
