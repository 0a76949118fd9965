import pytest

from digest.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The tram is late. Riders are angry!", ["The tram is late.", "Riders are angry!"]),
        ("Is it late? Yes. It is.", ["Is it late?", "Yes.", "It is."]),
        # abbreviations inside a sentence
        (
            "Mr. Brenn met Dr. Okafor and Gov. Ray at St. Anne's. They talked.",
            ["Mr. Brenn met Dr. Okafor and Gov. Ray at St. Anne's.", "They talked."],
        ),
        (
            "U.S. and U.K. officials met the U.N. envoy on Jan. 5 at 9 a.m. local time.",
            ["U.S. and U.K. officials met the U.N. envoy on Jan. 5 at 9 a.m. local time."],
        ),
        (
            "Acme Inc. said No. 4 would close, e.g. in May.",
            ["Acme Inc. said No. 4 would close, e.g. in May."],
        ),
        # ...but a sentence can end with one: the next word opens a sentence
        (
            "The envoy flew to the U.S. The talks begin Monday.",
            ["The envoy flew to the U.S.", "The talks begin Monday."],
        ),
        ("They met at 9 p.m. The vote came later.", ["They met at 9 p.m.", "The vote came later."]),
        ("He said no. The vote failed.", ["He said no.", "The vote failed."]),
        # initials
        (
            "John F. Kennedy spoke. J.R.R. Tolkien wrote.",
            ["John F. Kennedy spoke.", "J.R.R. Tolkien wrote."],
        ),
        # decimals and numbers
        (
            "Prices rose 3.5 percent. 2027 will be harder.",
            ["Prices rose 3.5 percent.", "2027 will be harder."],
        ),
        # ellipses do not end a sentence
        ("He paused... Then he left. Done.", ["He paused... Then he left.", "Done."]),
        ("He paused… Then he left.", ["He paused… Then he left."]),
        # closing quotes and brackets stay with their sentence
        (
            'She said "we will fix it." Then she left. (It rained.) Later, "Why?" he asked.',
            [
                'She said "we will fix it."',
                "Then she left.",
                "(It rained.)",
                'Later, "Why?" he asked.',
            ],
        ),
        (
            "“It works,” Okafor said. “Scaling is hard.” Experts agreed.",
            ["“It works,” Okafor said.", "“Scaling is hard.”", "Experts agreed."],
        ),
        # a lower-case word after a period is not a new sentence
        ("It costs approx. ten euros. Fine.", ["It costs approx. ten euros.", "Fine."]),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_paragraph_breaks_end_sentences_and_lines_are_joined():
    text = "First line\ncontinues here\n\nA heading without a period\n\n  Last one.  \n\n\n"
    assert split_sentences(text) == [
        "First line continues here",
        "A heading without a period",
        "Last one.",
    ]


def test_empty_text_has_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\n \n") == []
