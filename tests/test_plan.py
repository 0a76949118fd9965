"""Planning a brief (digest/plan.py): what can be a fact, the lead, the key facts.

The cases are those readers saw in published briefs (a count as the lead, a photo caption
published as a fact, a title's key figure missing, a filler clause opening the brief), on the
sample articles we wrote (samples/inbox) and on sentences written for these tests. The real
MiniLM embedder places the facts, as in the product.
"""

from pathlib import Path

import pytest

from digest import ingest, plan
from digest.headline import from_lead, headline_fit
from digest.summarize import order_sources

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "inbox"
TRAM = [
    "larkfield-courier-eastbank-line.html",
    "metro-daily-wire-larkfield-trams.txt",
    "riverside-weekly-eastbank-first-day.md",
]
DROUGHT = ["northfield-radio-drought-stage-two.txt", "valley-herald-water-restrictions.json"]


def planned(embedder, names, budget=160):
    articles = []
    for name in names:
        path = SAMPLES / name
        articles += ingest.read_file(path, path.read_bytes(), display_path=name)
    articles = order_sources(articles)
    sentences = plan.story_sentences(articles)
    vectors = embedder.embed([s.text for s in sentences])
    titles = [a.title for a in articles]
    facts = plan.plan(sentences, vectors, titles, embedder.embed(titles), budget)
    return sentences, facts


@pytest.mark.parametrize(
    "sentence, reason",
    [
        (
            "Members of the National Guard pass through the area near the shelter. (Associated Press)",
            "caption",
        ),
        ("A rescuer carries a child from the rubble on Tuesday. AP Photo/Ana Reyes", "caption"),
        ("Photo: The new bridge seen from the east bank at dawn on Friday.", "caption"),
        # a figure's label: what the picture shows, and no more (a train brief led with one)
        ("A 3D model of the harbour with the new berths is shown.", "caption"),
        ("For the five largest towns, the tram fares were shown.", "caption"),
        # what a picture shows, in the present (a train brief published the first)
        ("A man watches a televised address by Mayor Ana Ruiz, in Larkfield,Tuesday, June 2, 2026.", "caption"),
        ("A ferry worker holds a sign outside the harbour office during the strike.", "caption"),
        ("A police officer watches as the tram is removed, Wednesday, Sept. 2, 2026 in Larkfield.", "caption"),
        # a name does something in the present on the day of the picture (held-out validation 255)
        (
            "Attorney Ana Ruiz holds a photograph of the two ferry workers during a news conference "
            "in Larkfield on Thursday, Aug. 14, 2026.",
            "caption",
        ),
        ("Mayor Tom Baird of Dunmore, Md., walks his dogs along the pier Thursday, Dec. 20, 2026.", "caption"),
        # a name set off by what it is, speaking, with no day: a video's caption (validation 17)
        ("Sam Kell, 77, grandfather of the boy hurt on the pier, talks about the storm and his home.", "caption"),
        ("Mayor Ana Ruiz, right, speaks during a news conference at the harbour office.", "caption"),
        ("Sam Kell, 11, has sailed twice, and his sister, Ana, 8, talks about becoming a captain.", None),
        ("Sam Kell, the harbour master, said the ferry would talk about nothing else.", None),
        # no day: a scene told in the present; a deed in the past on a day is news
        ("Mayor Tom Baird walks past and gives the crowd a loud cheer.", None),
        ("Mayor Tom Baird held a news conference in Larkfield on Thursday.", None),
        # where someone stands in the picture, or the picture itself (held-out validation 244
        # published the first, in the past tense)
        (
            "An injured ferry worker is carried by harbour staff, left, and medics on Saturday.",
            "caption",
        ),
        ("Mayor Ana Ruiz (L) is greeted by Tom Baird after the vote.", "caption"),
        ("In this photo released by the council, Ana Ruiz opens the bridge.", "caption"),
        ("Damage to the ferry is seen after it hit the pier, this photo released by police shows.", "caption"),
        ("The mayor turned left, then right, and crossed the new bridge on foot.", None),
        ("Sen. Tom Baird (R), a veteran of the council, voted against the berths.", None),
        ("Dunmore is seen as the likely winner of the ferry contract.", None),
        # the end of a parenthesis begun in the sentence before (validation 243)
        ("20)) salt water just west of the pier, the engineers found.", "page text"),
        # the attribution of a quotation in the sentence before (held-out validation 255: the
        # model made it "the incident occurred in Los Angeles")
        ("Sam Kell told the Larkfield Harbour Times.", "needs context"),
        ("Officials said the tram will open on Monday.", None),
        ("Not only that, but they said the berths would be late.", "needs context"),
        # "Except ..." answers the sentence before (validation 3 published one)
        ("Except seven of those ten ferries all sailed by noon (so far!).", "needs context"),
        # "Each ..." of a set the sentence does not name (validation 5 led with one)
        ("Each ferry carried 300 passengers between Dunmore and Larkfield.", "needs context"),
        ("Each year 300 ferries sail between Dunmore and Larkfield.", None),
        ("Each of the five ferries carried 300 passengers to Larkfield.", None),
        # the reader asked to picture a scene (validation 243 led with it)
        ("Picture a harbour storm: waves breaking over the pier as the ferries run for cover.", "aside"),
        ("A new tram line holds 300 passengers and runs every ten minutes, the council said.", None),
        ("Many commuters watch the council's meetings online, the council said.", None),
        ("The mayor was shown the new berths before the vote.", None),
        ("Follow us on social media for the latest updates on the storm.", "caption"),
        ("By Jane Doe and Tom Baird, Associated Press", "byline"),
        ("Martin Kell in Oslo contributed to this report.", "byline"),
        ("What will the council do if the money runs out next year?", "question"),
        ("She said then that the plan would never work without more money.", "needs context"),
        ('"We will rebuild every house on this street," he said on Tuesday.', "needs context"),
        # a question quoted, its asker unnamed (validation 36 published one)
        ('"There\'s a harbour fee?" he asked, before she told him it was $40.', "needs context"),
        ("This is the third strike at the port since the spring.", "needs context"),
        ("But the union rejected the offer within an hour of receiving it.", "needs context"),
        ("Meet K-5, the droid taken down by a man outside the mall last week.", "needs context"),
        ("[Photos: Meet the Largest Dinosaur Ever Found in the Western States]", "page text"),
        # a link's title cut where the sentence ends (a validation brief published one)
        ("[Ruiz responds after the vote: ‘It’s [expletive] unbelievable.", "page text"),
        ("[The mayor] told the council the berths would open in March.", None),
        ("Oh well, the council hopes the mayor has some fun in the meantime.", "aside"),
        # a blogger's interjections (held-out validation 247, 71, 51)
        ("Well…. with a moment of thought, commuters can't be too happy about the fares.", "aside"),
        ("Okay fine, this isn't the first time the council fooled the press.", "aside"),
        ("Yeah that's 100% not okay.", "aside"),
        ("Wellington police said on Monday that the pier was closed.", None),
        ("Here's a sampling of times the mayor took credit for the new tram line.", "needs context"),
        ("I have covered this city for twenty years and never seen a crowd like it.", "aside"),
        ("You can see why the residents are angry about the new fees.", "aside"),
        # an AP-style photo caption: the day, the date and the place of the picture at the end
        ("Ferry passengers queue at the Dunmore pier, Tuesday, March 3, in Dunmore, Del.", "caption"),
        ("Crews clear the rail line near the depot, Friday, Aug. 7, 2026, in Larkfield.", "caption"),
        # read in a validation brief: no comma after the day
        ("The helicopter carrying the mayor flies over Larkfield, Saturday March 21, 2026.", "caption"),
        # read in a validation brief: no comma before the day, and a photographer's credit
        ("Fans line up outside the arena hosting the rally Thursday, Oct. 1, 2026, Dunmore, Del.", "caption"),
        ("Ann Carver / AP Mayor Tom Baird listens as the council debates the tram fares.", "caption"),
        # a sentence's own date after "on" is no caption
        ("The council will vote on Thursday, Oct. 1, 2026, in Larkfield.", None),
        # a transcript's speaker or a page's label before a colon (read in a validation brief)
        ("Tom Baird: No, not at all, the fares will stay.", "needs context"),
        ("Drop This Fact: Larkfield is the happiest town in the region.", "needs context"),
        ("Surely whoever wins the vote should hope for a better tram line.", "aside"),
        # a pronoun with its verb run in (a validation brief published "They'll collect ...")
        ("They'll collect the new fares from Monday, the council said.", "needs context"),
        ("He'd left the harbour office by the time the police arrived.", "needs context"),
        # a quotation whose own words say "say" still names no speaker (a validation brief)
        ("“I would say this is a lot of good fortune for the harbour.”", "needs context"),
        ("“I would say this is good fortune,” the harbour master said.", None),
        # a teaser cut off (a validation brief published "... when crews arrived, flam...")
        ("The fire broke out at 11:30 pm and when crews arrived two minutes later, flam...", "page text"),
        ("Trams run to five stops: Mill Lane, Foundry Square, Eastb... A new line opens in May.", "page text"),
        ('Ruiz wrote: "The line is open... This is a great day for Larkfield."', None),
        # a group says it of someone the sentence does not name (a validation brief)
        ("Police said Tuesday he lived in east Larkfield with his mother.", "needs context"),
        ("Police said Tom Hale lived in east Larkfield with his mother.", None),
        # a colon later in the sentence is no label
        ("The council gave one reason: the fares had to stay low.", None),
        # the page's notes of its own editing (a train brief published the first; 22 such
        # lines in Multi-News train and validation), and text mangled by the page
        ("Larkfield police response added at 5 PM.", "page text"),
        ("Read on for the reactions of Ana Ruiz, Tom Baird and others.", "page text"),
        ("Dunmore and Larkfield have the highest fares ( and , respectively), and and had the lowest.", "page text"),
        ("Fares rose in and around Dunmore and Larkfield last year.", None),
        ("Check out the photos below.", "page text"),
        ("This story has been updated to include the council's reply.", "page text"),
        # validation 80 published both: an update's note with its time, and a call to readers
        ("Update, May 11, 12:03 PT: adds Harbor Council statement.", "page text"),
        ("Please keep posting them in the comments.", "caption"),
        ("Tell us what you think in the comments.", "caption"),
        ("We’ve added a later statement from the harbour master.", "page text"),
        ("Ferry traffic??is slowing in most ports although??still rising in the west.", "page text"),
        # two excerpts run together (a train brief published one)
        ("Ruiz said: “There is nothing to the report.”… …It was not clear how many ferries sailed.", "page text"),
        ("Ruiz said: “There is nothing … to the report.”", None),
        ("The council updated its tram plan at 5 p.m. on Monday.", None),
        # a shell noun pointing back at what the sentence does not say
        ("The new health law should strengthen that effort.", "needs context"),
        ("Critics of the harbour plan say this decision will raise fees.", "needs context"),
        ("Indeed, for all his talk the mayor's hopes rest on the harbour vote.", "needs context"),
        # a video player's label run into its description
        ("CLOSE Dozens of pets are left in hot cars every summer, the charity says.", "page text"),
        ("JUST WATCHED Police name the driver in the pier crash Replay More Videos ...", "page text"),
        ("A ferry is towed from the pier after the storm, in Dunmore, Wednesday, Aug.24, 2026.", "caption"),
        (
            "Empty seats at the harbour vote could hurt the mayor – PORT: 'we will not give in' – "
            "POLL OF TRADERS: fees anger grows",
            "page text",
        ),
        ("Maybe the council was going to have a 20- or a 25-berth marina.", "needs context"),
        # an answer to a question the brief does not ask; "either" of what? (validation 140, 143)
        ("Not yet, said Ana Osei, an analyst at Halden Capital.", "needs context"),
        ("Yes, even the harbour master voted for the berths.", "needs context"),
        ("Either option would keep the tram line open until June.", "needs context"),
        # an item of the writer's list, a retort (a held-out validation brief: 145)
        ("For one, consider the fares that today's young commuters face.", "needs context"),
        ("Second, the growth of the tram network is not alarming at all.", "needs context"),
        ("Today not so: more people take the tram than drive to work.", "needs context"),
        ("Second Street will close for two weeks from Monday, the council said.", None),
        # the reporter's number (a held-out validation brief: 150)
        ("Contact Ana Ruiz at 408-278-3409.", "byline"),
        ("Contact tracing at 40 schools began on Monday, the council said.", None),
        # no full stop: a title or a label run into the text
        ('Police name the driver in the pier crash; chief calls him "a hero"', "page text"),
        ("MORE NEWS: Tram fares stay free until the end of the year", "page text"),
        # the writer's stance or an idiom opens it: commentary, not a report
        ("Looks like it's still the mayor's seat to lose after all.", "aside"),
        ("Talk about too many cooks in the kitchen: three agencies signed off on it.", "aside"),
        ("Of course, the council had already approved the berths in May.", "aside"),
        ("Unfortunately, the lullaby also worked on the ferry's crew.", "aside"),
        ("Let's not forget the tram line that was meant to open in 2019.", "aside"),
        # read in a Multi-News train brief: "The bottom line: ..." published as a fact
        ("The bottom line: the tram line could reshape the city's politics.", "aside"),
        ("The upshot: fares will rise again next year.", "aside"),
        # a blogger's verdict (a train brief published both)
        ("The real scandal here is that the fares are handed out like candy.", "aside"),
        ("There was absolutely no mention of the tram line in the mayor's speech.", "aside"),
        ("The real estate market in Larkfield cooled in May, the council said.", None),
        # a pointer to more on another page (read in a validation brief)
        ("For more on the tram line, head over to the Courier's website.", "page text"),
        ("To learn more about the drought, see the water board's page.", "page text"),
    ],
)
def test_sentences_that_can_never_be_a_fact(sentence, reason):
    assert plan.rejection(sentence) == reason


@pytest.mark.parametrize(
    "sentence",
    [
        "The Harbor Council approved 1,250 new berths for the east marina on Monday.",
        'Mayor Ana Ruiz called the plan "a fair deal for the fishing fleet" on Monday.',
        '"We are not in an emergency yet," said Henrik Sallow, the board\'s chair.',
        "The advertisement, which was mailed to 40,000 homes, drew complaints from both parties.",
        "Police in Larkfield said the man, 41, was arrested at the scene on Friday night.",
        # a date and a place in a news sentence, not at a caption's end
        "The suspect was arrested on Tuesday, March 3, in a motel near the Dunmore pier.",
        "Close to 3,000 people signed the petition against the new fees by Friday.",
        # times, and a shell noun that says what it is
        "The council will vote on the harbour plan this week, the mayor said.",
        "The board made the decision to close the pier after a storm on Sunday.",
        "The ministry backed the effort to rebuild the bridge that collapsed on Friday.",
        "The line runs from Eastbank – the old mill district – to Central Station, officials said.",
        "The quake struck at 3:36 a.m. on Wednesday, Aug. 24, the survey said.",
        # the same words as a name or a report's plain wording, not the writer's stance
        "Alaska Airlines cancelled 40 flights out of Seattle on Sunday.",
        "Turnout was lower than expected, which officials said was unfortunate.",
        "Clearwater police said the driver, 62, was unhurt.",
        "For more than a decade the port has lost money every winter.",
        # the page's comments as the news's subject, and "please" as a verb
        "Ruiz is enduring some ribbing in the comments section under the council's video.",
        "The mayor said the new timetable would please commuters.",
    ],
)
def test_ordinary_news_sentences_are_candidates(sentence):
    assert plan.rejection(sentence) is None


@pytest.mark.parametrize(
    "raw, tidy",
    [
        (
            "In a move with significant geopolitical implications, Russia on Thursday recognised the new government.",
            "Russia on Thursday recognised the new government.",
        ),
        (
            "In a surprise move, the board fired its chief executive on Monday.",
            "The board fired its chief executive on Monday.",
        ),
        (
            "WASHINGTON (Reuters) - The Senate passed the bill on Friday by 52 votes to 48.",
            "The Senate passed the bill on Friday by 52 votes to 48.",
        ),
        (
            "LARKFIELD - The city of Larkfield opened its Eastbank tram line on Saturday.",
            "The city of Larkfield opened its Eastbank tram line on Saturday.",
        ),
        (  # a place of five words (validation cluster 104: the model made it the subject)
            "DUNMORE AIR BASE, North Larkland – The 51st Wing began its annual exercise.",
            "The 51st Wing began its annual exercise.",
        ),
        (
            "(CNN) - The council of Larkfield voted on Friday to keep the tram fares free.",
            "The council of Larkfield voted on Friday to keep the tram fares free.",
        ),
        (
            "(CNN)Some 2,000 riders used the new tram line before noon on Saturday.",
            "Some 2,000 riders used the new tram line before noon on Saturday.",
        ),
        (  # a press release's dateline (validation cluster 142's fallback headline)
            "LARKFIELD--(BUSINESS WIRE)--Halden Cells said on Monday it would build a plant.",
            "Halden Cells said on Monday it would build a plant.",
        ),
        # not filler: the statement is the source of the news
        (
            "In a statement, the company said it would appeal the ruling.",
            "In a statement, the company said it would appeal the ruling.",
        ),
        # a page's spaces before a comma and a full stop (a validation brief published them)
        (
            "As the mayor framed it , only the council cares about the fares .",
            "As the mayor framed it, only the council cares about the fares.",
        ),
        # an update's label before the news (in Multi-News validation: "UPDATE: Authorities
        # positively identified the two bodies ...")
        (
            "UPDATE: Police named the driver in the pier crash on Tuesday.",
            "Police named the driver in the pier crash on Tuesday.",
        ),
        (
            "5 PM EASTERN UPDATE: The council will vote on the berths on Friday.",
            "The council will vote on the berths on Friday.",
        ),
        # a page's "Analysis" label run into its paragraph (validation 47 published one)
        (
            "Analysis The confusion over the ferry's route shows how hard the rescue will be.",
            "The confusion over the ferry's route shows how hard the rescue will be.",
        ),
        (
            "Analysis of the ferry's route shows how hard the rescue will be.",
            "Analysis of the ferry's route shows how hard the rescue will be.",
        ),
        # a picture's label (validation 34 published "Image The White House's spokeswoman ...")
        (
            "Image The council's spokeswoman said on Wednesday that the berths would wait.",
            "The council's spokeswoman said on Wednesday that the berths would wait.",
        ),
        ("Image Comics said the berths would wait.", "Image Comics said the berths would wait."),
        # a section's heading in capitals (a validation brief published one); not a speaker
        (
            "BUSY HARBOUR MEANS LONGER WAITS: Ferries now wait an hour to berth at Dunmore.",
            "Ferries now wait an hour to berth at Dunmore.",
        ),
        ("MAYOR RUIZ: The berths will be ready in March.", "MAYOR RUIZ: The berths will be ready in March."),
        # a stray mark before a quotation (validation 67 published one)
        ("' \"We will rebuild,\" the mayor said.", '"We will rebuild," the mayor said.'),
        # an elision, and French spacing before a colon, stay
        ("He said the plan ... would wait.", "He said the plan ... would wait."),
        ("Le maire a dit : « Non. »", "Le maire a dit : « Non. »"),
        # a paper's figure reference and the reference numbers run on to its words (held-out
        # validation 243 published "... the result of magma injection9."); elsewhere they stay
        (
            "The cracks lie near the edge of the pier (Fig. 6) and were caused by salt water9,12.",
            "The cracks lie near the edge of the pier and were caused by salt water.",
        ),
        ("The ferry was found near Dunmore (see Fig. 1A).", "The ferry was found near Dunmore."),
        ("The F16 jets flew over the iPhone6 launch.", "The F16 jets flew over the iPhone6 launch."),
        ("The salt must be heated to drive dehydration37 first.", "The salt must be heated to drive dehydration first."),
        ("Harbour7 will update the story, Rclbeauty101 said.", "Harbour7 will update the story, Rclbeauty101 said."),
        # a wire's ticker codes (validation 15 published "Coach COH.N striking a deal")
        (
            "Larkfield Rail (LKR.N) agreed to buy the ferry maker Dunmore Marine DUNM.L on Monday.",
            "Larkfield Rail agreed to buy the ferry maker Dunmore Marine on Monday.",
        ),
        ("The U.S. and the U.N. backed the tram plan.", "The U.S. and the U.N. backed the tram plan."),
        # a connective to the sentence before (held-out validation 255 published "In fact, ...")
        (
            "In fact, the tea was laced with a cleaning solution, police said.",
            "The tea was laced with a cleaning solution, police said.",
        ),
        (
            "Not only that, but they said the berths would be late.",
            "They said the berths would be late.",
        ),
        ("Notably absent were the councillors from Dunmore.", "Notably absent were the councillors from Dunmore."),
    ],
)
def test_datelines_and_filler_openers_are_cut(raw, tidy):
    assert plan.tidy(raw) == tidy


def test_the_lead_is_the_event_not_a_count(embedder):
    # The three tram reports: two open with the opening of the line, one with a rider count
    # (which every report gives, with different figures). The brief leads with the opening.
    sentences, facts = planned(embedder, TRAM)
    lead = sentences[facts[0].index].text
    assert "opened" in lead and "Eastbank" in lead, lead
    assert not any(n in lead for n in ("18,000", "21,500")), lead


def test_a_fact_is_written_from_a_wording_with_a_verb_and_a_caption_never_leads(embedder):
    # read in train 76 and held-out validation 157: the lead was a link's label ("Background on
    # Tuesday's leadership transition in Qatar ...") or a caption ("A sketch released of an
    # unidentified woman who was hit ..."), nearest the titles; the model garbled the first
    # and gave the second a verb of its own ("... was shown to authorities")
    from digest.records import Sentence

    sentences = [
        Sentence(1, 0, "Background on Monday's opening of the Eastbank tram line in Larkfield, the city's first."),
        Sentence(1, 1, "Larkfield opened its Eastbank tram line to riders on Monday, the council said."),
        Sentence(1, 2, "The line has 14 stops and cost 300 million euros."),
        Sentence(2, 0, "Background on the opening of Larkfield's Eastbank tram line on Monday."),
        Sentence(2, 1, "The Eastbank tram line opened in Larkfield on Monday with free rides all day."),
        Sentence(2, 2, "Riders queued at Foundry Square before dawn."),
    ]
    titles = ["Larkfield opens Eastbank tram line", "Eastbank trams run in Larkfield"]
    vectors = embedder.embed([s.text for s in sentences])
    facts = plan.plan(sentences, vectors, titles, embedder.embed(titles), 160)
    lead = sentences[facts[0].index].text
    assert "opened" in lead and not lead.startswith("Background"), lead
    for f in facts:  # a fact with a wording that has a verb is written from it
        texts = [sentences[m].text for m in f.members]
        if any(not t.startswith("Background") for t in texts):
            assert not texts[0].startswith("Background"), texts


def test_a_titles_key_figure_is_among_the_key_facts(embedder):
    # "... as Tessel Reservoir falls to 31 percent": the figure of the title must be stated,
    # even in a short brief.
    sentences, facts = planned(embedder, DROUGHT, budget=60)
    stated = [sentences[m].text for f in facts for m in f.members]
    assert any("31 percent" in t for t in stated), stated


def test_one_fact_in_two_wordings_is_one_fact_of_the_plan(embedder):
    # "until the reservoir is half full again" (one report) and "until the reservoir recovers
    # to at least 50 percent" (the other) say the same: one fact, both wordings, both sources.
    sentences, facts = planned(embedder, DROUGHT, budget=300)
    holding = [
        f
        for f in facts
        if any(
            "half full" in sentences[m].text or "at least 50 percent" in sentences[m].text
            for m in f.members
        )
    ]
    assert len(holding) == 1
    texts = " ".join(sentences[m].text for m in holding[0].members)
    assert "half full" in texts and "at least 50 percent" in texts
    assert holding[0].sources == (1, 2)


def test_captions_and_page_furniture_never_enter_the_plan(embedder):
    sentences, facts = planned(embedder, TRAM + DROUGHT, budget=400)
    for f in facts:
        for m in f.members:
            assert plan.rejection(sentences[m].text) is None, sentences[m].text


def test_work_per_story_is_bounded(embedder):
    # one enormous article: at most MAX_SENTENCES of it are considered, and at most
    # MAX_CANDIDATES sentences of a story are grouped (the all-pairs step)
    from digest.records import Article

    body = " ".join(
        f"The council approved plan number {k} for the harbour on Monday." for k in range(5000)
    )
    big = Article(path="big.txt", title="Council approves plans", text=body, content_hash="x")
    sentences = plan.story_sentences([big] * 10)
    assert len(sentences) == 10 * plan.MAX_SENTENCES
    assert len(plan.candidates(sentences)) == plan.MAX_CANDIDATES


def test_a_pronoun_that_refers_to_the_named_speaker_is_fine():
    assert plan.rejection('Stallone said he was "extremely flattered" to have been asked.') is None


def test_a_sentence_that_lost_its_subject_is_no_fact():
    rejection = plan.rejection
    # read in validation briefs: fragments published as sentences
    assert rejection("Took the shirt and left.") == "needs context"
    assert rejection("People build really close relationships with TV characters:") == (
        "needs context"
    )
    assert rejection("It is fun to keep on trying to win one of these....") == "needs context"
    assert rejection("Charged with eight counts of permitting a minor to possess alcohol.") == (
        "needs context"
    )
    # a participle with its subject after the comma, an adjective before a noun, a name
    assert rejection("Charged with fraud, the banker resigned on Monday.") is None
    assert rejection("Armed men stormed the bank on Friday morning.") is None
    assert rejection("Mohammed said the talks would resume on Friday.") is None


def test_page_notes_and_sentences_run_together_are_no_facts():
    # read in a validation brief: a page's date note and two sentences with no space between
    assert plan.rejection("(Published Friday, June 27, 2014)") == "aside"
    assert plan.rejection("That's 41 daysThe latest sightings are half a mile from the school.") == (
        "page text"
    )
    # names with capitals inside stay facts
    assert plan.rejection("McDonald said the iPhone app launched on YouTube in May.") is None


@pytest.mark.parametrize(
    "title, headline",
    [
        ("Follow HARBORNEWS.COM: Facebook | Twitter", None),  # a page's share line
        ("It’s been called the “sweetest deal in the harbour.”", None),  # leans on context
        ("If it ain't broke don't fix it.", None),  # no name, no figure: not the event
        ("Members of the crew at the pier on Friday. (AP Photo/Ana Reyes)", None),  # a caption
        # a screenshot's credit and a title with no name in it (two train briefs had them)
        ("Screenshot by Ana Reyes/Harbor News", None),
        ("5 PM EASTERN UPDATE: Adds harbour fee details", None),  # the page's editing note
        ("By Ana Reyes", None),  # a byline (a train brief's next title once "Nobody ..." was out)
        ("Nobody said building a harbour was going to be easy", None),
        ("Updated | Harbor Council approves 1,250 berths", "Harbor Council approves 1,250 berths"),
        ("Ferry sinks off Dunmore; 12 rescued.", "Ferry sinks off Dunmore; 12 rescued"),
        ("STORM CLOSES PORT OF DUNMORE", "STORM CLOSES PORT OF DUNMORE"),
        ("Dunmore ferry sinks", "Dunmore ferry sinks"),  # short is fine
        ("Ana Reyes", None),  # a list page's entry (validation 5: "Tina Fey")
        # a press release's first line: its dateline cut, and a line that ends with ":" is no
        # headline (validation cluster 142 got one)
        ("LARKFIELD--(BUSINESS WIRE)--The following statement is issued by Ruiz & Osei LLP:", None),
        ("BOSTON--(BUSINESS WIRE)--Halden Cells opens plant", "Halden Cells opens plant"),
        # a long title with no verb is a caption a page set above its article (validation 157)
        ("A sketch released of an unidentified man who was hit by a tram in Larkfield on May 1, 2026", None),
        ("Fire at the Larkfield harbour after the storm", "Fire at the Larkfield harbour after the storm"),
        # a page's own date line (validation 45: "Published: January 2011 Special Series: 7
        # Billion" was a brief's headline)
        ("Published: May 2026 Special Series: Harbours", None),
        ("Last updated: 3 May 2026 Harbor Council", None),
        # a title and its standfirst run together, 42 words (validation 48)
        (
            "Deal done for the Larkfield lighthouse; building back on market after November sale "
            "The white tower that was Ana Ruiz's first home and comes complete with its own "
            "ferry pier, sold for $9 million and is asking $9.65 million now",
            None,
        ),
    ],
)
def test_which_report_titles_can_be_a_headline(title, headline):
    assert headline_fit(title, frozenset({"if", "it", "members", "follow"})) == headline


# --- fragments: list items that lost their heading (digest/grammar.py, spaCy's tagger) -----

DROUGHT_LIST = [  # what cleaning leaves of a "What is banned?" list (samples/inbox, Northfield)
    "Using sprinklers or unattended hoses on lawns and gardens.",
    "Washing cars, boats or driveways with a hose at home.",
    "Filling or topping up private pools and hot tubs.",
]
WHOLE = [
    "Watering cans and buckets are still allowed, and car washes that recycle their water can "
    "stay open.",
    "The Tessel Reservoir, which supplies most of the valley, stood at 31 percent, the board said.",
    "The rules cover roughly 240,000 people in 11 towns.",
    "Police arrested two men after the robbery on Main Street.",
    "Officials expect the road to reopen on Friday.",
    "The 9.4-kilometre line links Eastbank with Central Station through 14 stops.",  # "links" NNS
    "Navy SEALs during drown-proofing training.",  # a caption, no verb: left to other rules
    "Le ferry s'est échoué mardi au large de Tarnholm.",  # not English: not judged
]


def test_a_list_item_without_a_verb_is_a_fragment_and_a_sentence_is_not():
    from digest import grammar

    assert grammar.fragments(DROUGHT_LIST + WHOLE) == set(DROUGHT_LIST)


CLAUSES_ALONE = [  # as Multi-News train reviews and asides left them, in words of our own
    "Even if the ferry is late.",
    "Just as they did at the last election.",
    "Not that the council minded.",
    "Because the bridge was closed for repairs.",
]
CLAUSE_FIRST = [  # a subordinate clause, then the main clause: whole sentences
    "Although the vote was close, the council approved the plan on Monday.",
    "If approved, the plan will cost $5 million.",
    "As the storm neared, officials ordered evacuations along the coast.",
    "Whether the mayor will run again is unclear.",
    "The ferry left late because the bridge was closed.",
    "Once the bridge reopens traffic will flow again.",
    "That the mayor lied is clear to the council.",
    "Before the vote the council met for an hour.",
    "The idea that tolls cut traffic is widely accepted.",
    "Traffic falls if the tolls go up.",
]


def test_a_subordinate_clause_alone_is_a_fragment():
    from digest import grammar

    assert grammar.fragments(CLAUSES_ALONE + CLAUSE_FIRST) == set(CLAUSES_ALONE)


VERBLESS = [  # as the model wrote them in briefs (session 12), in words of our own
    "Kestrel Rail, which runs under a ten-year contract, based on gate counts at all 14 stops.",
    "Image from the Nordlys Lines campaign, showing the damaged pier.",
    "Congratulations to Mayor Ines Varga on her second term.",
    # a caption whose only verbs are in a relative clause (held-out validation 157)
    "A sketch released of an unidentified man who was hit by a tram in Larkfield on May 1, 2026.",
    "The late change to the schedule, a move the club first made on Sunday in Larkfield.",
    # an -ing form with no "is" or "are" (validation 12: "The EMTs each suing for $1 million.")
    "The two ferry workers each suing for $1 million.",
]  # (not "X inspired by Y" or "X led by Y": the parser may root them in the verb, as it may be)
WITH_VERBS = [
    "Kestrel Rail based its number on gate counts at all 14 stops.",
    "The estimate is based on gate counts at all 14 stops.",
    "The operator, which runs the line under a ten-year contract, counted 21,500 riders.",
    "Prices based on demand rose sharply in May.",
    "The mayor is opening the new bridge on Monday.",
    "The ferry that ran aground on Saturday was carrying 312 passengers.",
    # the parser hangs this main clause on "website" as a relative clause (validation 71)
    'U.S. website The Onion has named Larkfield mayor Ines Varga as the "Sexiest Mayor Alive".',
    # the parser hangs the verb after an apposition on the name as a participle (held-out
    # validation 244 lost its collision so)
    "The MV Larkfield, a 40-year-old harbour ferry, collided with a fishing boat near Dunmore.",
]


def test_a_written_sentence_without_a_verb_is_a_fragment_a_report_sentence_need_not_be():
    from digest import grammar

    assert grammar.fragments(VERBLESS + WITH_VERBS, written=True) == set(VERBLESS)
    # report sentences are held only to the rules above (a verb the tagger reads as a noun
    # would lose a fact): none of these is a fragment there
    assert grammar.fragments(VERBLESS + WITH_VERBS) == set()
    # and the earlier fragments are fragments of written sentences too
    assert grammar.fragments(CLAUSES_ALONE + CLAUSE_FIRST, written=True) == set(CLAUSES_ALONE)


def test_a_list_item_that_lost_its_heading_is_never_a_fact():
    # the sample drought brief published "Filling or topping up private pools and hot tubs is
    # allowed." (the list was of what is banned): the model had been given the bare item
    from digest.records import Sentence

    texts = [WHOLE[1], *DROUGHT_LIST, WHOLE[0]]
    sentences = [Sentence(1, k, t) for k, t in enumerate(texts)]
    assert plan.candidates(sentences) == [0, 4]


def test_an_embedded_post_is_never_a_fact():
    # a Multi-News train brief published a politician's embedded post, unquoted and unattributed,
    # as a fact ("... would be a stain on the GOP ... — Name (@handle) December 4, 2017")
    from digest.records import Article

    text = (
        "The Larkfield Transit Authority said fares would stay free until Sunday.\n\n"
        "Free trams for everyone this week. Come and ride the new line! "
        "pic.twitter.com/abc123 — Larkfield Transit (@LarkfieldTA) November 7, 2026\n\n"
        "The fare would be a disgrace to the city. — Ana Ruiz (@AnaRuizMayor) Nov. 8, 2026\n\n"
        "The line opened on Monday - two years late - after a vote in March 4, 2024."
    )
    article = Article(path="a.txt", title="Trams", text=text, content_hash="h", source="s")
    texts = [s.text for s in plan.story_sentences([article])]
    assert texts == [
        "The Larkfield Transit Authority said fares would stay free until Sunday.",
        "The line opened on Monday - two years late - after a vote in March 4, 2024.",
    ]


def test_a_quotation_cut_at_a_sentence_end_is_closed_or_set_aside():
    # Multi-News train 41: 'writing, "Tennis star Serena Williams gives birth ... 13 ounces.'
    # was published with its quotation never closed (the report's runs on into its next
    # sentence); the next sentence ('It was born at noon," she wrote.') ends a quotation it
    # does not begin
    from digest.records import Article

    text = (
        'Mayor Ana Ruiz wrote on Monday, "The tram line opens on Sunday. Rides are free all week." '
        "The line cost 40 million euros, the council said."
    )
    article = Article(path="a.txt", title="Trams", text=text, content_hash="h", source="s")
    texts = [s.text for s in plan.story_sentences([article])]
    assert texts[0] == 'Mayor Ana Ruiz wrote on Monday, "The tram line opens on Sunday."', texts
    assert plan.rejection(texts[1]) == "needs context", texts[1]
    assert plan.rejection(texts[2]) is None
    # curly quotation marks, and balanced quotations left as they are
    assert plan.tidy("Ruiz wrote on Monday, “The tram line opens on Sunday.") == (
        "Ruiz wrote on Monday, “The tram line opens on Sunday.”"
    )
    whole = 'Ruiz called the line "a gift to the city" on Monday in Larkfield.'
    assert plan.tidy(whole) == whole and plan.rejection(whole) is None


def test_an_agency_picture_label_is_a_caption_and_no_headline():
    # train cluster 41: a report's title was an agency's picture label, and it became the
    # brief's headline when the model's was replaced
    label = "Ana Ruiz opens the tram line Featuring: Ana Ruiz Where: Larkfield When: 3 Nov 2026 Credit: ABC/XYZ.com"
    assert plan.rejection(label) == "caption"
    assert headline_fit(label) is None
    # "when:" and "where:" in prose are not labels
    prose = "The mayor said when: on Monday, and where: in the hall on the harbor."
    assert plan.rejection(prose) is None


def test_a_report_sentence_whose_subject_is_a_description_is_no_fact():
    # train cluster 41: "The tennis legend welcomed her firstborn ..." (its article named her
    # before) became a brief's lead, with no name in it
    texts = [
        "The tennis legend welcomed her firstborn with her fiance on Friday in Florida.",
        "The 87-year-old said his friend was adored by thousands of employees.",
        "The couple sold their apartment earlier this year and moved away.",
        "The singer who won three awards last year performed on Monday night.",  # says who
        "The council approved 1,250 new berths for the east marina on Monday.",  # not a person
    ]
    from digest.records import Sentence

    sentences = [Sentence(source=1, position=k, text=t) for k, t in enumerate(texts)]
    assert plan.candidates(sentences) == [3, 4]


def test_a_headline_from_a_long_lead_is_its_first_part():
    # validation 60: the lead's first clause was a name ("Keith Fitzgerald Knowles, 27, ..."),
    # the whole lead 26 words, so the headline fell back to a title its page had cut off
    lead = (
        "Tom Hale, 27, turned himself in to Larkfield police and was booked into jail on Sunday "
        "after video from four pharmacies he is accused of robbing was circulated."
    )
    assert from_lead("Larkfield man sought for a series of…", lead) == (
        "Tom Hale turned himself in to Larkfield police"
    )
    assert from_lead("T", "The council approved the tram plan on Monday.") == (
        "The council approved the tram plan on Monday"
    )
    # the name's apposition out, so that the clause is short enough (a train brief fell back to
    # a title cut off by its page)
    lead = "Ana Ruiz, a mother of two from Larkfield, was pulled from the harbour after the ferry sank."
    assert from_lead("Driving home from the harbour, Ana Ruiz had a song playing that…", lead) == (
        "Ana Ruiz was pulled from the harbour after the ferry sank"
    )
    # no clause short enough and the title cut off by its page: the whole lead, if not too long
    # (validation 12 showed "... bit them in a drunken rage outside the…")
    lead = "Two medics sued the Harbor News on Monday saying a reporter bit them in a rage outside the town hall."
    assert from_lead("Two medics sue the Harbor News saying a reporter bit them outside the…", lead) == (
        lead.rstrip(".")
    )
    assert from_lead("Medics sue the Harbor News", lead) == "Medics sue the Harbor News"
    # two titles run together are no headline either; nor a clause cut inside a quotation
    # (validation 48: "The original setting for Carrie Bradshaw's house in “Sex")
    both = " ".join(["Medics sue the Harbor News over a bite outside the town hall"] * 3)
    assert from_lead(both, lead) == lead.rstrip(".")
    quoted = "The house in “Sex and the City” where Carrie lived is back on the market for $9.65 million after a sale in November."
    assert from_lead("T", quoted) == "T"
    # a list of names is no clause break (validation 12's headline was "CNN is being sued by
    # EMTs Damon")
    lead = "The Harbor News is being sued by medics Tracy Lamar, Charles Simons, and Ana Ruiz."
    assert from_lead("T", lead) == lead.rstrip(".")
    # a title cut off by its page and a lead too long: the title up to its last whole clause,
    # its dash cut (validation 64 showed "— For years, ... and now some in the Washington
    # area are…")
    lead = (
        "For years, storms have been blamed for the ferry delays that anger Larkfield commuters, "
        "and now some in the harbour town are pointing to the council to explain the queues."
    )
    title = "— For years, storms have been blamed for ferry delays, and now some in the harbour town are…"
    assert from_lead(title, lead) == "For years, storms have been blamed for ferry delays"
    # ... or up to its relative clause (validation 12: "CNN is being sued by two EMTs who say
    # a foreign correspondent ... outside the…"); never fewer than five words
    lead = (
        "The Harbor News is being sued by two medics who say a reporter for the paper bit them "
        "in a drunken rage outside the town hall in Larkfield on Monday night."
    )
    title = "The Harbor News is being sued by two medics who say a reporter for the paper bit them in a…"
    assert from_lead(title, lead) == "The Harbor News is being sued by two medics"
    assert from_lead("Medics who say a reporter bit them sue the paper over the…", lead) == (
        "Medics who say a reporter bit them sue the paper over the…"
    )
    # a first clause with no verb is no headline (validation 45: "Some time late in 2011")
    lead = "Late on Monday night, the Larkfield ferry ran aground off Dunmore."
    assert from_lead("T", lead) == lead.rstrip(".")
    # a clause under four words: the whole lead where it is short enough, as before
    assert from_lead("T", "Trams are back, the operator said after a week of repairs.") == (
        "Trams are back, the operator said after a week of repairs"
    )
