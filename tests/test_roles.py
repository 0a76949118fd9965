"""Who did it to whom, from the parse (digest/roles.py), with spaCy's real English model."""

from digest import prompt, roles
from digest.claims import mismatches

# validation 14's lead said "George Zimmerman is suing an Orlando private company for $27,000"
# where the report has the company suing him, its subject a clause away from the verb
REPORT = (
    "Mayor Ana Ruiz, the harbour official facing questions over the berth contract, is being "
    "sued by a Tarnholm ferry company claiming it is owed $27,000 for unpaid fares."
)


def test_a_doer_and_receiver_the_other_way_round_are_caught():
    wrong = "Mayor Ana Ruiz is suing a Tarnholm ferry company for $27,000 over unpaid fares."
    assert roles.swapped(wrong, [REPORT]) == ["Mayor Ana Ruiz suing Tarnholm"]
    assert mismatches(wrong, [REPORT]) == ["Mayor Ana Ruiz suing Tarnholm"]


def test_the_roles_the_report_gives_pass_in_either_voice():
    for right in (
        "A Tarnholm ferry company is suing Mayor Ana Ruiz for $27,000.",
        "Mayor Ana Ruiz is being sued by a Tarnholm ferry company for $27,000.",
        "A Tarnholm ferry company sued Mayor Ana Ruiz.",
    ):
        assert roles.swapped(right, [REPORT]) == [], right
    # a verb the report gives other parties, or one with no doer or receiver named
    assert roles.swapped("Ana Ruiz sued Dunmore.", ["Tom Baird sued Larkfield."]) == []
    assert roles.swapped("The company is suing the mayor.", [REPORT]) == []


def test_a_passive_is_read_as_its_doer_and_receiver():
    ((doer, stem, receiver, word),) = roles.triples(REPORT)[:1]
    assert {"Tarnholm"} <= doer and {"Ana", "Ruiz"} <= receiver
    assert stem == roles._stem("suing") == roles._stem("sues") and word == "sued"


# validation 12's lead was "CNN is being sued by EMTs Damon, Tracy Lamar, and Charles Simons",
# where the report has Damon, the correspondent, biting the two EMTs who sue
BITE = "According to the lawsuit, Hale, 36, bit medics Tracy Lamar and Charles Simons before threatening them."


def test_a_name_put_in_a_list_the_report_keeps_it_out_of_is_caught():
    wrong = "The Harbor News is being sued by medics Hale, Tracy Lamar, and Charles Simons."
    assert roles.listed_apart(wrong, [BITE]) == ["among: Hale with Lamar and Simons"]
    assert "among: Hale with Lamar and Simons" in mismatches(wrong, [BITE])
    problem = prompt.problem(["among: Hale with Lamar and Simons"])
    assert (
        problem
        == "the reports do not count Hale with Lamar and Simons: say who did what as they do"
    )


def test_lists_the_report_gives_or_makes_of_people_together_pass():
    for right in (
        "The Harbor News is being sued by medics Tracy Lamar and Charles Simons.",
        "Hale bit medics Tracy Lamar and Charles Simons, the lawsuit says.",
        "Hale, 36, is being sued by medics Tracy Lamar and Charles Simons.",
    ):
        assert roles.listed_apart(right, [BITE]) == [], right
    # lists of places and bodies are no lists of people (validation 96: "accusing the
    # Tennessee and Federal Bureaus Investigation" for "... Bureaus of Investigation")
    bodies = "Ruiz accused the Tennessee and Federal Bureaus of Investigation of hiding evidence."
    said = "Ruiz accused the Tennessee and Federal Bureaus Investigation of hiding evidence."
    assert roles.listed_apart(said, [bodies]) == []
    # people who met or joined one another may be told as one list
    met = "Ana Ruiz met Tom Hale and Li Wei in Larkfield on Monday."
    assert roles.listed_apart("Ana Ruiz, Tom Hale and Li Wei talked in Larkfield.", [met]) == []


# validation 12: "The medics were trying to treat Damon but became violent", where the report
# has "... when she became violent"
TREAT = "The medics were trying to treat Ana Ruiz when she became violent, the lawsuit said."


def test_a_deed_given_to_the_subject_of_the_verb_before_is_caught():
    wrong = "The medics were trying to treat Ana Ruiz but became violent."
    assert roles.deed_of_another(wrong, [TREAT]) == ["The medics became"]
    assert mismatches(wrong, [TREAT]) == ["The medics became"]
    # another name doing it in the report
    assert roles.deed_of_another(
        "Ruiz won the race and thanked the crowd.", ["Tom Hale thanked the crowd after the race."]
    ) == ["Ruiz thanked"]


def test_a_subject_the_report_may_give_the_same_deed_passes():
    assert (
        roles.deed_of_another(
            "The medics tried to treat Ana Ruiz when she became violent.", [TREAT]
        )
        == []
    )
    # "he" may be the name; "they" may be a company or a show
    assert (
        roles.deed_of_another("Hale won the race and thanked the crowd.", ["He thanked the crowd."])
        == []
    )
    assert (
        roles.deed_of_another(
            "Harbor News promised a full inquiry but delivered only gossip.",
            [
                "A full inquiry is what Harbor News promised, but the only thing they delivered was gossip."
            ],
        )
        == []
    )
