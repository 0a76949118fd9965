"""One person under two names (digest/pseudonyms.py): validation 34 refused "Daniels' lawyer"
where the sentence it rested on said "Clifford's lawyer", and a report said "Stormy Daniels,
whose real name is Stephanie Clifford"."""

from digest.claims import Vocabulary, mismatches
from digest.pseudonyms import pseudonyms

STORY = [
    "Ana Ruiz, whose real name is Maria Keller, is suing the Larkfield council.",
    "The lawsuit says the council tried to intimidate Keller over the berth contract.",
    "Keller's lawyer said the council had threatened her.",
]


def test_the_names_a_report_gives_one_person_are_read():
    assert pseudonyms(["Maria Keller (aka Ana Ruiz, aka Lena Ortiz) sued."])["keller"] == {
        "ana",
        "ruiz",
    }
    assert pseudonyms(["Sylvester Hale, better known as Two-Gun Pete, was a Larkfield cop."])[
        "pete"
    ] == {"sylvester", "hale"}
    assert pseudonyms(["Lima (real name Harold Lima) had been ill."]) == {}  # one name
    assert pseudonyms(["Ana Ruiz met Maria Keller, the mayor, on Monday."]) == {}


def test_a_sentence_may_call_the_person_by_either_name():
    v = Vocabulary.of(STORY)
    said = "The lawsuit says the council tried to intimidate Ruiz over the contract."
    assert mismatches(said, [STORY[1]], v) == []
    assert mismatches("Ruiz's lawyer said the council had threatened her.", [STORY[2]], v) == []
    # without the report that gives both names, "Ruiz" is not in what the sentence rests on
    assert mismatches(said, [STORY[1]], Vocabulary.of(STORY[1:])) == ["ruiz"]
    # and another person is still caught
    other = "The lawsuit says the council tried to intimidate Tom Hale over the contract."
    assert mismatches(other, [STORY[1]], v) == ["tom", "hale"]
