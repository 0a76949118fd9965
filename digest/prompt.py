"""What the summarizer model is asked, and how its replies are read.

The model gets the plan (plan.py): numbered facts, each with the wordings of the reports that
state it, lead first. It answers with a headline and one sentence per fact, numbered like the
facts, in its own words. One worked example, about an invented story, shows what that means:
sentences that merge the reports' wordings, shorter than they are, with every name, number and
quotation kept. A sentence that fails the checks can be sent back once with the problem named
(`rewrite`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .generate import Message
from .plan import STRAY_MARK, Fact
from .records import Sentence

WORDINGS = 2  # wordings of one fact shown at most (the fact's own and another report's)
MAX_WORDS = 22  # the longest sentence the model is asked for: shorter than most sources

_SYSTEM = (
    "You are a news editor. You write short news briefs in your own words from reporters' "
    "notes. You use only what the notes say and never add names, numbers, dates or claims."
)

# The worked example (invented): each note's wordings merged into one shorter sentence.
_EXAMPLE_NOTES = """1. The Lindmoor city council on Tuesday approved $3 million for new bike lanes along the river, officials said after a two-hour debate.
   - Councillors in Lindmoor voted on Tuesday to spend $3 million on riverside bike lanes.
2. Mayor Tom Baird, who proposed the plan last year, called the vote "a good day for cyclists" and said construction would begin in April.
3. The plan passed by seven votes to two, with both of the opposing councillors citing the cost of the project."""
_EXAMPLE_ANSWER = """Headline: Lindmoor approves $3 million for riverside bike lanes
1. Lindmoor's council voted on Tuesday to spend $3 million on bike lanes by the river.
2. Work starts in April, said Mayor Tom Baird, who called it "a good day for cyclists".
3. Seven councillors backed the plan; the two who opposed it cited its cost."""


def _task(notes: str, reports: str, count: int) -> str:
    return (
        f"Notes from {reports} about one event. Each numbered note is one fact; a line under "
        f"it is another report's wording.\n\n{notes}\n\n"
        f"Write a news brief: a line 'Headline: <the event in at most 10 words>', then {count} "
        f"numbered lines, one per note, each ONE sentence of at most {MAX_WORDS} words in your "
        "own words that combines the note's wordings. Do not copy the notes. Keep names, "
        "numbers, dates, quotations and who did what exactly. Add nothing."
    )


def brief(
    facts: list[Fact],
    sentences: list[Sentence],
    n_sources: int,
    input_words: int,
    language: str = "en",
    other_languages: bool = False,
) -> list[Message]:
    """The chat that asks for a brief of `facts`; other reports' wordings are added while the
    prompt's source text stays within `input_words` (each fact's own wording always is).
    `language`: the brief's ([summarizer] language); `other_languages`: some notes are in
    another language. Either adds one line to the task (an English story's prompt is as it was)."""
    used = sum(len(sentences[f.index].text.split()) for f in facts)
    blocks = []
    for n, f in enumerate(facts, start=1):
        lines = [f"{n}. {sentences[f.index].text}"]
        seen = {sentences[f.index].source}
        for m in f.members[1:]:
            other = sentences[m]
            length = len(other.text.split())
            if other.source in seen or len(lines) >= WORDINGS or used + length > input_words:
                continue
            lines.append(f"   - {other.text}")
            seen.add(other.source)
            used += length
        blocks.append("\n".join(lines))
    reports = "a news report" if n_sources == 1 else f"{n_sources} news reports"
    return [
        {"role": "system", "content": _SYSTEM},
        {"role": "user", "content": _task(_EXAMPLE_NOTES, "3 news reports", 3)},
        {"role": "assistant", "content": _EXAMPLE_ANSWER},
        {"role": "user", "content": _task("\n".join(blocks), reports, len(facts))
         + _language_line(language, other_languages)},
    ]


def _language_line(language: str, other_languages: bool) -> str:
    if language == "en" and not other_languages:
        return ""
    from .language import name

    return (
        f" Write the headline and every sentence in {name(language)}, translating notes written "
        "in other languages; keep names and numbers as the notes give them."
    )


def problem(missing: tuple[str, ...] | list[str]) -> str:
    """A failed check in words the model can act on."""
    parts = []
    for term in missing:
        if term.startswith("twice: "):
            parts.append(f"it says '{term.removeprefix('twice: ')}' twice")
        elif term.startswith("context: "):
            parts.append(
                f"it opens with '{term.removeprefix('context: ')}' or points back to what it "
                "does not say: name who or what, as the reports do"
            )
        elif term.startswith("no speaker: "):
            parts.append(f"it does not say who {term.removeprefix('no speaker: ')} the quotation")
        elif term.startswith("fragment: "):
            opener = term.removeprefix("fragment: ")
            parts.append(f"it is not a whole sentence: after '{opener} ...' its main clause is missing")
        elif term.startswith("script: "):
            parts.append(
                f"'{term.removeprefix('script: ')}' is in another language: write it in the "
                "language of the brief"
            )
        elif term.startswith("span: "):
            span = term.removeprefix("span: ")
            parts.append(
                f"'{span}' lost the word before it in the reports (first, highest, ...): "
                "without it the sentence says something else"
            )
        elif term.startswith("joined: "):
            parts.append(
                f"it joins two facts that no report joins (the second from "
                f"'{term.removeprefix('joined: ')} ...'): say only the first"
            )
        elif term.startswith("unit: "):
            parts.append(
                f"the reports do not give {term.removeprefix('unit: ')}: keep each number "
                "with the unit they give it"
            )
        elif term.startswith("among: "):
            name, others = term.removeprefix("among: ").split(" with ", 1)
            parts.append(
                f"the reports do not count {name} with {others}: say who did what as they do"
            )
        elif term.startswith("unsaid: "):
            parts.append(
                f"the reports do not say {term.removeprefix('unsaid: ')}: say only what they say"
            )
        elif term == "not":
            parts.append('it says "not" where the reports do not, or leaves out their "not"')
        elif " " in term and not term.startswith('"'):
            parts.append(f"it puts the wrong person or group in '{term}'")
        elif term.startswith('"'):
            parts.append(f"the quotation {term} is not in the reports' words")
        else:
            parts.append(f"'{term}' is not in the reports")
    return "; ".join(parts) or "the reports do not say this"


# the problem of a left-out fact, sent back in its report's wording (BriefWriter._write_left_out)
COPIED = "it is a report's words: say it in your own words, shorter"


_SCAFFOLDING = re.compile(
    r"\b(?:reports say|by the reports|^problem:|draft:|in (?:my|your) own words)", re.I
)


def scaffolding(text: str) -> bool:
    """Whether an answer to `rewrite` holds words of the request itself ("... The reports say it
    will pass ...", "..., as reported by the reports.", validation clusters 49 and 81): no
    sentence of a brief says them."""
    return bool(_SCAFFOLDING.search(text))


def rewrite(items: list[tuple[str, str, list[str]]]) -> list[Message]:
    """Ask for each (sentence, problem, what the reports say) to be mended."""
    blocks = []
    for n, (sentence, why, evidence) in enumerate(items, start=1):
        reports = "\n".join(f"   - {e}" for e in evidence)
        blocks.append(f"{n}. Draft: {sentence}\n   Problem: {why}.\n   The reports say:\n{reports}")
    return [
        {"role": "system", "content": _SYSTEM},
        {
            "role": "user",
            "content": "Each numbered draft sentence of a news brief has a problem. Rewrite each "
            "one as a single sentence that says only what its reports say, in your own words, "
            "keeping their names, numbers and quotations exactly.\n\n"
            + "\n".join(blocks)
            + "\n\nAnswer with the numbered sentences only.",
        },
    ]


_LABEL = re.compile(r"^\s*[*_#>\s]*(headline|title|brief|summary)\s*[*_]*\s*:\s*[*_]*\s*", re.I)
_NUMBERED = re.compile(r"^\s*[*_]*(\d{1,2}(?:\s*[+&,]\s*\d{1,2})*)[.):][*_]*\s+(.*)$")


@dataclass(frozen=True)
class Reply:
    headline: str | None
    numbered: list[tuple[tuple[int, ...], str]]  # (0-based fact numbers, what was written)
    text: str  # everything that was not headline or numbered, joined


def parse_reply(reply: str) -> Reply:
    """Split the model's reply into headline, numbered sentences and any other text."""
    headline = None
    numbered: list[tuple[tuple[int, ...], str]] = []
    body: list[str] = []
    for line in reply.strip().splitlines():
        m = _LABEL.match(line)
        n = _NUMBERED.match(line)
        if m and m.group(1).lower() in ("headline", "title") and headline is None:
            headline = _strip_markup(line[m.end() :])
        elif m:
            body.append(line[m.end() :])
        elif n:
            text = _strip_markup(n.group(2))
            numbers = tuple(int(x) - 1 for x in re.findall(r"\d+", n.group(1)))
            if text and all(x >= 0 for x in numbers):
                numbered.append((numbers, text))
        elif line.strip():
            body.append(line)
    text = _strip_markup(" ".join(body))
    if headline is None and body and not numbered:
        # No labels: a short first line is the headline.
        first = _strip_markup(body[0])
        if len(first.split()) <= 14 and not first.endswith("."):
            headline, text = first, _strip_markup(" ".join(body[1:]))
    return Reply(headline or None, numbered, text)


def parse_numbered(reply: str) -> dict[int, str]:
    """0-based item number -> text, for a reply of numbered lines."""
    out: dict[int, str] = {}
    for line in reply.strip().splitlines():
        n = _NUMBERED.match(line)
        if n:
            text = _strip_markup(
                re.sub(r"^\s*(?:Draft|Rewrite|Rewritten|Sentence)\s*:\s*", "", n.group(2))
            )
            k = int(re.findall(r"\d+", n.group(1))[0]) - 1
            if text and k >= 0:
                out.setdefault(k, text)
    return out


# "U. S." as a small model sometimes spells it: no report does, the checker then misses the name,
# and the sentence splitter cuts after "U.". Two initials only, so a "J. R. R." stays as written.
_SPACED_INITIALS = re.compile(r"(?<![A-Z]\. )\b([A-Z])\. ([A-Z])\.(?! ?[A-Z]\.)")


def _strip_markup(text: str) -> str:
    text = _SPACED_INITIALS.sub(r"\1.\2.", text)
    text = re.sub(r"\b([ap])\. m\.", r"\1.m.", text)  # "2:30 p. m." (validation 62)
    text = STRAY_MARK.sub("", text)
    text = re.sub(r"[*_`#]+", "", text)
    text = re.sub(r"^\s*[-•]\s+", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > 1 and text[0] == text[-1] == '"' and text.count('"') == 2:
        text = text[1:-1].strip()  # the whole line in quotes, not a quotation inside it
    return text
